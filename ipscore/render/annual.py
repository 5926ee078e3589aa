"""The annual assessment as a terminal table, JSON, CSV, Markdown and xlsx.

:func:`annual_columns` is the one definition of the table's columns (排名, 区县, one column per
indicator, 基础分, 加分, 总分, 等次), shared by every format; :func:`annual_json` is the
machine contract.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipscore.base.numbers import fmt

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from ipscore.scoring.annual import AnnualRow, Assessment


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class AnnualColumn:
    key: str
    title: str
    kind: str  # "rank", "text", "points"


def _points_text(value: Any) -> str:
    from ipscore.base.numbers import plain

    return plain(value)


def annual_columns(result: Assessment) -> list[AnnualColumn]:
    columns = [AnnualColumn("rank", "排名", "rank"), AnnualColumn("county", "区县", "text")]
    for ind in result.scheme.indicators:
        columns.append(
            AnnualColumn(f"part:{ind.id}", f"{ind.name}({_points_text(ind.points)})", "points")
        )
    columns.append(AnnualColumn("base", "基础分", "points"))
    if result.scheme.bonus is not None:
        columns.append(
            AnnualColumn("bonus", f"加分(≤{_points_text(result.scheme.bonus.cap)})", "points")
        )
    columns.append(AnnualColumn("score", "总分", "points"))
    if result.scheme.grades is not None:
        columns.append(AnnualColumn("grade", "等次", "text"))
    return columns


def annual_value(row: AnnualRow, column: AnnualColumn) -> Any:
    if column.key.startswith("part:"):
        return row.parts[column.key[5:]].points
    if column.key == "grade":
        return row.grade + ("（否决）" if row.vetoed else "")
    return getattr(row, column.key)


def annual_cells(result: Assessment, row: AnnualRow) -> list[str]:
    scheme = result.scheme
    out = []
    for column in annual_columns(result):
        value = annual_value(row, column)
        if column.kind == "points":
            out.append(fmt(value, scheme.decimals, scheme.rounding))
        else:
            out.append(str(value))
    return out


def annual_title(result: Assessment) -> str:
    return f"{result.year}年度区县知识产权工作考核结果"


def annual_notes(result: Assessment) -> list[str]:
    scheme = result.scheme
    lines = [f"评分方案：{scheme.name}", "总分 = 基础分（各项得分之和）+ 加分"]
    if scheme.grades is not None:
        bands = []
        for band in scheme.grades.bands:
            text = f"{band.name} ≥ {_points_text(band.at)}"
            if band.quota is not None:
                text += f" 且排名前 {result.quota_count(band.quota)} 名"
            bands.append(text)
        lines.append("等次：" + "；".join(bands) + f"；其余为{scheme.grades.otherwise}")
    if scheme.veto is not None and any(r.vetoed for r in result.rows):
        names = "、".join(r.county for r in result.rows if r.vetoed)
        lines.append(f"一票否决：{names}（等次为{scheme.veto.grade}，得分与排名照常列出）")
    return lines


def _number(value: Decimal, result: Assessment) -> float:
    from ipscore.base.numbers import round_to

    return float(round_to(value, result.scheme.decimals, result.scheme.rounding))


def annual_json(result: Assessment) -> dict[str, Any]:
    """The machine contract: year, scheme, rows sorted by rank, points rounded to 2 places."""
    return {
        "year": result.year,
        "scheme": result.scheme.name,
        "rows": [
            {
                "county": row.county,
                "parts": {pid: _number(p.points, result) for pid, p in row.parts.items()},
                "base": _number(row.base, result),
                "bonus": _number(row.bonus, result),
                "score": _number(row.score, result),
                "rank": row.rank,
                "grade": row.grade,
                "veto": row.vetoed,
            }
            for row in result.rows
        ],
    }


def to_json(result: Assessment) -> str:
    return json.dumps(annual_json(result), ensure_ascii=False, indent=2) + "\n"


def to_csv(result: Assessment) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.title for c in annual_columns(result)])
    for row in result.rows:
        writer.writerow(annual_cells(result, row))
    return buffer.getvalue()


def to_markdown(result: Assessment) -> str:
    columns = annual_columns(result)
    lines = [f"# {annual_title(result)}", ""]
    lines.append("| " + " | ".join(c.title for c in columns) + " |")
    lines.append("| " + " | ".join("---" if c.kind == "text" else "---:" for c in columns) + " |")
    for row in result.rows:
        lines.append("| " + " | ".join(annual_cells(result, row)) + " |")
    lines.append("")
    lines.extend(annual_notes(result))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Terminal


def annual_table(result: Assessment, style: str = "full") -> Table:
    """The assessment as a Rich table; ``style`` is full, numbered (①… headers) or brief."""
    from rich import box
    from rich.table import Table

    columns = annual_columns(result)
    notes = annual_notes(result)
    indicators = [c for c in columns if c.key.startswith("part:")]
    if style == "numbered":
        legend = [f"{_CIRCLED[i]}{c.title}" for i, c in enumerate(indicators)]
        for start in range(0, len(legend), 4):
            notes.insert(
                start // 4,
                ("各项得分：" if not start else "") + "  ".join(legend[start : start + 4]),
            )
    elif style == "brief":
        notes.insert(0, "终端较窄，未列出各项得分（加宽终端，或用 --format md/csv/xlsx 查看）")
    keep = [c for c in columns if style != "brief" or not c.key.startswith("part:")]
    table = Table(
        title=annual_title(result),
        caption="\n".join(notes),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        collapse_padding=True,
    )
    for column in keep:
        title = column.title
        if column.key.startswith("part:"):
            title = (
                _CIRCLED[indicators.index(column)] if style == "numbered" else title.split("(")[0]
            )
        elif column.key == "bonus":
            title = "加分"
        table.add_column(
            title,
            justify="left" if column.kind == "text" else "right",
            style="bold" if column.key in ("score", "county") else None,
            no_wrap=True,
        )
    for row in result.rows:
        cells = dict(zip([c.key for c in columns], annual_cells(result, row), strict=True))
        shown: list[Any] = []
        for column in keep:
            text = cells[column.key]
            if column.key == "grade":
                from rich.text import Text

                colour = {"优秀": "green", "不合格": "red"}.get(row.grade)
                shown.append(Text(text, style=colour) if colour else text)
            elif column.key == "bonus" and any(r.bonus_capped for r in result.rows):
                shown.append(text + ("*" if row.bonus_capped else " "))
            else:
                shown.append(text)
        table.add_row(*shown)
    if any(r.bonus_capped for r in result.rows):
        table.caption = f"{table.caption}\n加分后标 * 者超过加分上限，按上限计"
    return table


def print_assessment(result: Assessment, console: Console) -> None:
    """The fullest table that fits the console's width."""
    from ipscore.render.terminal import natural_width

    for style in ("full", "numbered"):
        table = annual_table(result, style)
        caption, table.caption = table.caption, None  # the caption wraps; the columns do not
        fits = natural_width(table) <= console.width
        table.caption = caption
        if fits:
            console.print(table)
            return
    console.print(annual_table(result, "brief"))


def assessment_text(result: Assessment, width: int = 160) -> str:
    from rich.console import Console

    from ipscore.render.terminal import NullFile

    console = Console(width=width, record=True, file=NullFile(), color_system=None)
    console.print(annual_table(result, "numbered"))
    return console.export_text()


# --------------------------------------------------------------------------------------------
# xlsx


def write_assessment_xlsx(result: Assessment, path: Path) -> None:
    """Write the assessment to ``path`` atomically, as numbers a spreadsheet can add up."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from ipscore.base.files import write_atomic

    columns = annual_columns(result)
    last = get_column_letter(len(columns))
    wb = Workbook()
    ws = wb.active
    ws.title = "考核结果"
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = annual_title(result)
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=2, column=col, value=column.title)
        cell.data_type = "s"
        cell.font = Font(name="宋体", size=10, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        width = {"rank": 6, "text": 12}.get(column.kind, 12)
        ws.column_dimensions[get_column_letter(col)].width = 15 if column.key == "grade" else width
    ws.row_dimensions[2].height = 45
    for r, row in enumerate(result.rows, start=3):
        for col, column in enumerate(columns, start=1):
            value = annual_value(row, column)
            if isinstance(value, Decimal):
                value = float(value)
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            if column.kind == "points":
                cell.number_format = "0.00"
            cell.font = Font(name="宋体", size=10)
            cell.border = border
    note_row = 4 + len(result.rows)
    for offset, line in enumerate(annual_notes(result)):
        cell = ws.cell(row=note_row + offset, column=1, value=line)
        cell.data_type = "s"
        cell.font = Font(name="宋体", size=10)
    ws.freeze_panes = "C3"
    # One landscape page wide when printed: the table is 17 columns.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    write_atomic(path, wb.save)
