"""The one output path of every command: a result, a format, and a file or the terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipscore.cli.common import Format, fail_text, run

if TYPE_CHECKING:
    from ipscore.scoring.compare import Comparison


def emit(result: Any, fmt: Format, output: Path | None) -> None:
    """Write ``result`` (a ranking, assessment, comparison, report, tally or table) as ``fmt``:
    to ``output`` atomically, to the terminal (a table fitted to its width), or to stdout when
    it is a file or a pipe (a table with every column)."""
    from ipscore.render.output import text_of, view_of, write

    table = view_of(result)
    if fmt is Format.json and table.data is None:
        raise fail_text("这个结果没有 json 格式；可用 table、csv、md 或 xlsx")
    if output is not None:
        run(lambda: write(table, fmt.value, output))
        return
    if fmt is Format.table:
        # On a terminal the table is fitted to the window (a note names what is left out);
        # into a file or a pipe it keeps every column (text_of). Rich decides what a terminal
        # is (a tty, or TTY_COMPATIBLE=1).
        from rich.console import Console

        console = Console()
        if console.is_terminal:
            from ipscore.render.terminal import print_table

            print_table(table, console)
            return
    sys.stdout.write(text_of(table, fmt.value))


def what_if(before: Any, after: Any) -> Comparison:
    """The same data under two rule files (``--compare``), unit by unit."""
    from ipscore.rules.source import shown_path
    from ipscore.scoring.compare import assessment_outcomes, compare, ranking_outcomes

    outcomes = assessment_outcomes if hasattr(before, "year") else ranking_outcomes
    return compare(
        outcomes(before),
        outcomes(after),
        schemes=(before.scheme.name, after.scheme.name),
        sources=(shown_path(before.scheme.source), shown_path(after.scheme.source)),
        words=after.scheme.units.words,
    )
