"""From a result to its table, and from a table to a file or text in any format.

:func:`view_of` knows which table each kind of result is; :func:`write` and :func:`text_of`
know the formats. Nothing else decides how a result is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipscore.base.files import write_text_atomic
from ipscore.render.table import Table

SUFFIXES = {".json": "json", ".csv": "csv", ".md": "md", ".xlsx": "xlsx", ".txt": "table"}


def format_of(path: Path) -> str:
    """The format a file name asks for; ``table`` (plain text) when its suffix names none."""
    return SUFFIXES.get(Path(path).suffix.lower(), "table")


def view_of(result: Any) -> Table:
    """The table of a ranking, an assessment, a comparison, a validation report or a tally.

    Dispatched on the result's class name, and each builder imported only when its kind comes
    up, so writing a ranking does not import the tally (or Polars behind it).
    """
    if isinstance(result, Table):
        return result
    kind = type(result).__name__
    if kind == "Ranking":
        from ipscore.render.model import ranking_view

        return ranking_view(result)
    if kind == "Assessment":
        from ipscore.render.annual import assessment_view

        return assessment_view(result)
    if kind == "Comparison":
        from ipscore.render.compare import comparison_view

        return comparison_view(result)
    if kind == "Report":
        from ipscore.render.report import report_view

        return report_view(result)
    if kind == "TallyResult":
        from ipscore.render.tally import tally_view

        return tally_view(result)
    if kind == "Collection":
        from ipscore.render.status import status_view

        return status_view(result)
    raise TypeError(f"no table for {kind}")


def text_of(table: Table, fmt: str) -> str:
    """The table as text: ``table`` (as on a wide terminal), ``json``, ``csv`` or ``md``."""
    from ipscore.render import text

    if fmt == "table":
        from ipscore.render.terminal import table_text

        return table_text(table)
    writers = {"json": text.to_json, "csv": text.to_csv, "md": text.to_markdown}
    return writers[fmt](table)


def write(table: Table, fmt: str, path: Path) -> None:
    """Write the table to ``path`` atomically; CSV as UTF-8 with a BOM so Excel reads it."""
    if fmt == "xlsx":
        from ipscore.render.xlsx import write_xlsx

        write_xlsx(table, path)
        return
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    write_text_atomic(path, text_of(table, fmt), encoding)
