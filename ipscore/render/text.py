"""The text writers: CSV, Markdown and JSON, each taking a :class:`~ipscore.render.table.Table`.

CSV is for spreadsheets and scripts: the header and one line per row (no title, total or
notes), numbers as plain digits, every text cell guarded against formula injection. Markdown is
for people: title, the table with its total row, the notes as a list, every text escaped so it
stays inside its cell. JSON is the result's own contract (:attr:`Table.data`).
"""

from __future__ import annotations

import csv
import io
import json

from ipscore.render.table import Cell, Table, formula_safe, markdown_safe, number_text, shown


class NoJson(ValueError):
    """The table has no JSON contract."""


def to_json(table: Table) -> str:
    if table.data is None:
        raise NoJson(table.title)
    return json.dumps(table.data, ensure_ascii=False, indent=2) + "\n"


def to_csv(table: Table) -> str:
    """The header and one line per row; the caller writes it as UTF-8 with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([formula_safe(c.title) for c in table.columns])
    guard = formula_safe
    for row in table.rows:
        writer.writerow([number_text(c) if c.number else guard(str(c.value)) for c in row])
    return buffer.getvalue()


def _md_cell(cell: Cell) -> str:
    # A number's text is ipscore's own (digits, ↑/↓, —): only text needs the guard.
    return shown(cell) if cell.number else markdown_safe(shown(cell))


def to_markdown(table: Table) -> str:
    """``# title``, the table (total row last), then the notes as a list."""
    lines = [f"# {markdown_safe(table.title)}", ""]
    lines.append("| " + " | ".join(markdown_safe(c.title) for c in table.columns) + " |")
    lines.append("| " + " | ".join("---:" if c.number else "---" for c in table.columns) + " |")
    rows = [*table.rows, table.total] if table.total is not None else table.rows
    for row in rows:
        lines.append("| " + " | ".join(_md_cell(cell) for cell in row) + " |")
    notes = table.file_notes()
    if notes:
        lines.append("")
        lines.extend(f"- {markdown_safe(note)}" for note in notes)
    return "\n".join(lines) + "\n"
