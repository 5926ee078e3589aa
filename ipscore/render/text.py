"""Text renderings of a monthly ranking: JSON, CSV and Markdown."""

from __future__ import annotations

import csv
import io
import json

from ipscore.base.numbers import fmt
from ipscore.render.model import (
    cell_value,
    display,
    monthly_columns,
    monthly_json,
    monthly_notes,
    monthly_title,
    total_value,
)
from ipscore.scoring.score import Ranking

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_json(ranking: Ranking) -> str:
    return json.dumps(monthly_json(ranking), ensure_ascii=False, indent=2) + "\n"


def _safe_text(value: str) -> str:
    # Text that a spreadsheet would take for a formula is quoted so it stays text.
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(ranking: Ranking) -> str:
    """One row per unit with plain numbers (2 decimals); undefined values are empty."""
    columns = monthly_columns(ranking)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_safe_text(c.title) for c in columns])
    for row in ranking.rows:
        out = []
        for column in columns:
            value = cell_value(ranking, row, column)
            if value is None:
                out.append("")
            elif column.kind in ("pct", "points"):
                out.append(fmt(value, ranking.scheme.decimals, ranking.scheme.rounding))
            elif isinstance(value, str):
                out.append(_safe_text(value))
            else:
                out.append(str(value))
        writer.writerow(out)
    return buffer.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def table_cells(ranking: Ranking) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, unit rows and the 合计 row as display strings (completion marked * when behind)."""
    columns = monthly_columns(ranking)
    header = [c.title for c in columns]
    body = []
    for row in ranking.rows:
        cells = []
        for column in columns:
            text = display(ranking, cell_value(ranking, row, column), column)
            if column.key == "completion_pct" and ranking.behind_schedule(row):
                text += "*"
            cells.append(text)
        body.append(cells)
    total = []
    for column in columns:
        value = total_value(ranking, column)
        total.append("" if value is None else display(ranking, value, column))
    return header, body, total


def to_markdown(ranking: Ranking) -> str:
    header, body, total = table_cells(ranking)
    columns = monthly_columns(ranking)
    align = ["---" if c.kind == "text" else "---:" for c in columns]
    lines = [f"# {monthly_title(ranking)}", ""]
    lines.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
    lines.append("| " + " | ".join(align) + " |")
    for cells in [*body, total]:
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    lines.append("")
    lines.extend(f"- {note}" for note in monthly_notes(ranking))
    return "\n".join(lines) + "\n"
