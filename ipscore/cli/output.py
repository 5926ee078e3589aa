"""ipscore.cli.output."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ipscore.scoring.score import Ranking
from ipscore.cli.common import Format, fail_text, run


def emit_ranking(ranking: Ranking, chosen: Format, output: Path | None) -> None:
    from ipscore.base.files import write_text_atomic

    if chosen is Format.xlsx:
        from ipscore.render.xlsx import write_xlsx

        assert output is not None
        run(lambda: write_xlsx(ranking, output))
        return
    if chosen is Format.table:
        if output is None:
            from rich.console import Console

            from ipscore.render.terminal import print_ranking

            print_ranking(ranking, Console())
            return
        from ipscore.render.terminal import ranking_text

        text = ranking_text(ranking)
    else:
        from ipscore.render import text as renderers

        render = {
            Format.json: renderers.to_json,
            Format.csv: renderers.to_csv,
            Format.md: renderers.to_markdown,
        }
        text = render[chosen](ranking)
    if output is None:
        sys.stdout.write(text)
        return
    encoding = "utf-8-sig" if chosen is Format.csv else "utf-8"
    run(lambda: write_text_atomic(output, text, encoding))


def emit_comparison(before: Any, after: Any, chosen: Format, output: Path | None) -> None:
    """Render a what-if comparison: a table on the terminal, JSON or text to a file."""
    import json

    from ipscore.base.files import write_text_atomic
    from ipscore.render.compare import comparison_json, print_comparison
    from ipscore.scoring.compare import assessment_outcomes, compare, ranking_outcomes

    outcomes = assessment_outcomes if hasattr(before, "year") else ranking_outcomes
    result = compare(
        outcomes(before),
        outcomes(after),
        schemes=(before.scheme.name, after.scheme.name),
        sources=(str(before.scheme.source), str(after.scheme.source)),
    )
    if chosen is Format.json:
        text = json.dumps(comparison_json(result), ensure_ascii=False, indent=2) + "\n"
    elif chosen is Format.table and output is None:
        from rich.console import Console

        print_comparison(result, Console())
        return
    elif chosen in (Format.table, Format.md, Format.csv):
        from rich.console import Console

        from ipscore.render.terminal import NullFile

        console = Console(width=160, record=True, file=NullFile(), color_system=None)
        print_comparison(result, console)
        text = console.export_text()
    else:
        raise fail_text("--compare 只支持 table 或 json 格式")
    if output is None:
        sys.stdout.write(text)
        return
    run(lambda: write_text_atomic(output, text))


def emit_assessment(result: Any, chosen: Format, output: Path | None) -> None:
    from ipscore.base.files import write_text_atomic
    from ipscore.render import annual as render

    if chosen is Format.xlsx:
        assert output is not None
        run(lambda: render.write_assessment_xlsx(result, output))
        return
    if chosen is Format.table and output is None:
        from rich.console import Console

        render.print_assessment(result, Console())
        return
    text = {
        Format.table: render.assessment_text,
        Format.json: render.to_json,
        Format.csv: render.to_csv,
        Format.md: render.to_markdown,
    }[chosen](result)
    if output is None:
        sys.stdout.write(text)
        return
    encoding = "utf-8-sig" if chosen is Format.csv else "utf-8"
    run(lambda: write_text_atomic(output, text, encoding))
