"""The monthly ranking as a formatted xlsx sheet, laid out like a statistics table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ipscore.base.files import write_atomic
from ipscore.render.model import (
    ColumnDef,
    cell_value,
    change_text,
    monthly_columns,
    monthly_notes,
    monthly_title,
    total_value,
)
from ipscore.scoring.score import Ranking

if TYPE_CHECKING:
    from openpyxl import Workbook

    from ipscore.render.circular import Notice


_FONT = "宋体"
_WIDTHS = {"text": 13, "int": 10, "pct": 11, "points": 9, "rank": 6, "change": 9}


def _number(value: object, decimals: int) -> object:
    from decimal import Decimal
    from fractions import Fraction

    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(round(value, decimals + 4))
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_xlsx(ranking: Ranking, path: Path) -> None:
    """Write the ranking to ``path`` atomically."""
    wb = ranking_workbook(ranking)
    write_atomic(path, lambda tmp: wb.save(tmp))


def ranking_workbook(
    ranking: Ranking,
    *,
    columns: list[ColumnDef] | None = None,
    title: str | None = None,
    notes: list[str] | None = None,
    sheet_title: str = "排名",
) -> Workbook:
    """The formatted ranking sheet (the columns, title and notes of ``rank`` by default)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from ipscore.base.numbers import round_to

    scheme = ranking.scheme
    columns = columns if columns is not None else monthly_columns(ranking)
    width = len(columns)
    last = get_column_letter(width)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title

    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = title if title is not None else monthly_title(ranking)
    ws["A1"].font = Font(name=_FONT, size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = f"单位：件、%、分    评分方案：{scheme.name}"
    ws["A2"].font = Font(name=_FONT, size=10)
    ws["A2"].alignment = Alignment(horizontal="right")

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_row = 3
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(header_row, index, column.title)
        cell.data_type = "s"  # indicator names come from the rule file: never a formula
        cell.font = Font(name=_FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = border
        ws.column_dimensions[get_column_letter(index)].width = _WIDTHS[column.kind]
    ws.row_dimensions[header_row].height = 32

    def put(
        row_index: int, index: int, column: ColumnDef, value: object, *, behind: bool = False
    ) -> None:
        cell = ws.cell(row_index, index)
        if column.kind == "change":
            cell.value = change_text(value)
            cell.alignment = Alignment(horizontal="center")
        elif column.kind == "rank":
            cell.value = value
            cell.alignment = Alignment(horizontal="center")
        elif value is None:
            cell.value = "—" if column.kind in ("pct", "points") else None
            cell.alignment = Alignment(horizontal="center")
        elif column.kind in ("pct", "points"):
            cell.value = float(round_to(value, scheme.decimals, scheme.rounding))
            cell.number_format = "0." + "0" * scheme.decimals if scheme.decimals else "0"
        elif column.kind == "text":
            cell.value = str(value)
            cell.data_type = "s"  # never a formula, whatever the text
            cell.alignment = Alignment(horizontal="center")
        else:
            cell.value = _number(value, scheme.decimals)
            cell.number_format = "0"
        cell.font = Font(name=_FONT, size=11, color="C00000" if behind else None)
        cell.border = border

    row_index = header_row
    for row in ranking.rows:
        row_index += 1
        for index, column in enumerate(columns, start=1):
            behind = column.key == "completion_pct" and ranking.behind_schedule(row)
            put(row_index, index, column, cell_value(ranking, row, column), behind=behind)
    row_index += 1
    for index, column in enumerate(columns, start=1):
        value = total_value(ranking, column)
        if value is None and column.kind not in ("text",):
            cell = ws.cell(row_index, index)
            cell.border = border
            continue
        put(row_index, index, column, value)
        ws.cell(row_index, index).font = Font(name=_FONT, size=11, bold=True)

    if notes is None:
        notes = monthly_notes(ranking, marker="为红色")
    for number, note in enumerate(notes):
        row_index += 1
        ws.merge_cells(start_row=row_index, start_column=1, end_row=row_index, end_column=width)
        ws.cell(row_index, 1, ("注：" if number == 0 else "　　") + note)
        ws.cell(row_index, 1).font = Font(name=_FONT, size=10)

    ws.freeze_panes = ws.cell(header_row + 1, 3)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    return wb


def notice_xlsx_bytes(notice: Notice) -> bytes:
    """The circular's table as a statistics sheet with a native bar chart of the scores.

    It prints on one A4 landscape page, the chart under the table (no header repeated above
    it), and a unit behind 序时进度 is marked by a "*" after its completion rate (a number
    format, so the cell stays a number) as well as in red, so a black-and-white print keeps it.
    """
    import io
    from datetime import datetime

    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList

    from ipscore.render.circular import BEHIND_MARK, circular_columns
    from ipscore.render.reproducible import normalise_zip
    from ipscore.render.wording import change_cell

    ranking = notice.ranking
    assert ranking is not None
    annex = notice.annexes[0]
    columns = circular_columns()
    wb = ranking_workbook(
        ranking,
        columns=columns,
        title=annex.title,
        notes=list(annex.notes),
        sheet_title="通报",
    )
    ws = wb.active
    header_row, first = 3, 4
    last = first + len(ranking.rows) - 1
    county_col = 1 + next(i for i, c in enumerate(columns) if c.key == "county")
    score_col = 1 + next(i for i, c in enumerate(columns) if c.key == "score")
    change_col = 1 + next(i for i, c in enumerate(columns) if c.key == "rank_change")
    done_col = 1 + next(i for i, c in enumerate(columns) if c.key == "completion_pct")
    decimals = "0." + "0" * ranking.scheme.decimals if ranking.scheme.decimals else "0"
    for index, row in enumerate(ranking.rows):
        ws.cell(first + index, change_col).value = change_cell(row.rank_change)
        if ranking.behind_schedule(row):
            ws.cell(first + index, done_col).number_format = f'{decimals}"{BEHIND_MARK}"'

    chart = BarChart()
    chart.type = "col"
    chart.title = f"{ranking.period.span_zh}各区县发明专利申请得分"
    chart.y_axis.title = "得分"
    chart.x_axis.title = None
    chart.legend = None
    chart.style = 10
    data = Reference(ws, min_col=score_col, min_row=header_row, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=county_col, min_row=first, max_row=last))
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = float(ranking.scheme.total_points)
    chart.y_axis.numFmt = "0"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    labels = DataLabelList()
    labels.showVal = True
    labels.showSerName = labels.showCatName = labels.showLegendKey = labels.showPercent = False
    chart.dataLabels = labels
    chart.width, chart.height = 24, 9
    # Table and chart on one A4 landscape page: no repeated header to stand alone above the
    # chart, no page break between them.
    ws._print_rows = None  # openpyxl's setter ignores None; the workbook set a title row
    ws.add_chart(chart, f"A{ws.max_row + 2}")
    ws.page_setup.fitToHeight = 1
    ws.page_setup.fitToWidth = 1

    when = datetime(notice.date.year, notice.date.month, notice.date.day)
    props = wb.properties
    props.title = notice.title
    props.creator = notice.issuer
    props.lastModifiedBy = notice.issuer
    props.created = when
    props.modified = when
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalise_zip(buffer.getvalue(), when)
