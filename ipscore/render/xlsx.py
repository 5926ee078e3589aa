"""The xlsx writer: a :class:`~ipscore.render.table.Table` as a sheet laid out like a statistics
table, and the styles and A4 page setup every ipscore workbook shares.

Row 1 the title, row 2 the unit line, row 3 the header (printed on every page), the rows, the
total row in bold, the notes. Text is written as text (``data_type = "s"``), never a formula,
whatever it starts with; numbers are numbers with a number format (``0.00``, ``↑0``, ``+0.00``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipscore.base.files import write_atomic
from ipscore.render.table import Cell, Table, sheet_safe

if TYPE_CHECKING:
    from openpyxl import Workbook

    from ipscore.render.circular import Notice


FONT = "宋体"
HEADER_ROW = 3
_TONES = {"bad": "C00000", "good": "00B050", "warn": "C65911"}
_WIDTH = {True: 10.0, False: 13.0}
_CHAR_WIDTH = 1.1  # a CJK character is about two width units; most notes mix in digits


@dataclass(frozen=True)
class Styles:
    """The fonts, border and fills of every ipscore workbook."""

    title: Any
    body: Any
    bold: Any
    small: Any
    border: Any
    header_fill: Any
    input_fill: Any


def styles() -> Styles:
    from openpyxl.styles import Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return Styles(
        title=Font(name=FONT, size=16, bold=True),
        body=Font(name=FONT, size=11),
        bold=Font(name=FONT, size=11, bold=True),
        small=Font(name=FONT, size=10),
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        header_fill=PatternFill("solid", fgColor="D9E1F2"),
        input_fill=PatternFill("solid", fgColor="FFF2CC"),
    )


def put_text(ws: Any, row: int, column: int, value: str) -> Any:
    """A text cell that stays text: never a formula, whatever it starts with."""
    cell = ws.cell(row, column)
    cell.value = sheet_safe(value)
    cell.data_type = "s"
    return cell


def page_setup(ws: Any, *, landscape: bool, header_row: int = HEADER_ROW) -> None:
    """A4, one page wide, the header row repeated on every printed page, centred."""
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def number_format(cell: Cell) -> str:
    """``0.00``, and for a rank change ``↑0;↓0;—``, for a difference ``+0.00;−0.00;0.00``."""
    digits = "0." + "0" * cell.decimals if cell.decimals else "0"
    mark = f'"{cell.mark}"' if cell.mark else ""
    if cell.style == "change":
        return f'"↑"{digits}{mark};"↓"{digits}{mark};"—"{mark}'
    if cell.style == "signed":
        return f'"+"{digits}{mark};"−"{digits}{mark};{digits}{mark}'
    return digits + mark


def _put(ws: Any, row: int, column: int, cell: Cell, font: Any, st: Styles) -> Any:
    from openpyxl.styles import Font

    if not cell.number:
        out = put_text(ws, row, column, str(cell.value) + cell.mark)
    elif cell.value is None:
        out = put_text(ws, row, column, "—")
    else:
        value = cell.value
        out = ws.cell(row, column, float(value) if isinstance(value, Decimal) else value)
        out.number_format = number_format(cell)
    colour = _TONES.get(cell.tone)
    out.font = Font(name=FONT, size=11, bold=font.b, color=colour) if colour else font
    out.border = st.border
    return out


def workbook(table: Table) -> Workbook:
    """The table as a formatted sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    st = styles()
    width = len(table.columns)
    wb = Workbook()
    ws = wb.active
    ws.title = table.sheet

    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    cell = put_text(ws, 1, 1, table.title)
    cell.font = st.title
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    cell = put_text(ws, 2, 1, table.subtitle)
    cell.font = st.small
    cell.alignment = Alignment(horizontal="right")

    widths = []
    for index, column in enumerate(table.columns, start=1):
        cell = put_text(ws, HEADER_ROW, index, column.title)
        cell.font = st.bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = st.header_fill
        cell.border = st.border
        widths.append(column.width or _WIDTH[column.number])
        ws.column_dimensions[get_column_letter(index)].width = widths[-1]
    ws.row_dimensions[HEADER_ROW].height = 36

    aligns = [
        Alignment(horizontal=c.align, vertical="center") if c.align else None for c in table.columns
    ]
    row_index = HEADER_ROW
    lines = [(row, st.body) for row in table.rows]
    if table.total is not None:
        lines.append((table.total, st.bold))
    for row, font in lines:
        row_index += 1
        for index, cell in enumerate(row, start=1):
            out = _put(ws, row_index, index, cell, font, st)
            if aligns[index - 1] is not None:
                out.alignment = aligns[index - 1]

    first, later = table.note_prefix
    span = sum(widths)
    for number, note in enumerate(table.file_notes()):
        row_index += 1
        ws.merge_cells(start_row=row_index, start_column=1, end_row=row_index, end_column=width)
        text = (first if number == 0 else later) + note
        cell = put_text(ws, row_index, 1, text)
        cell.font = st.small
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines_needed = 1 + int(len(text) * 2 / max(span * _CHAR_WIDTH, 1))
        ws.row_dimensions[row_index].height = 14 * lines_needed

    if table.frozen:
        ws.freeze_panes = ws.cell(HEADER_ROW + 1, table.frozen + 1)
    else:
        ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    page_setup(ws, landscape=span > 100)
    return wb


def write_xlsx(table: Table, path: Path) -> None:
    """Write the table to ``path`` atomically."""
    wb = workbook(table)
    write_atomic(path, lambda tmp: wb.save(tmp))


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
    from ipscore.render.model import ranking_view
    from ipscore.render.reproducible import normalise_zip
    from ipscore.render.wording import change_cell

    ranking = notice.ranking
    assert ranking is not None
    annex = notice.annexes[0]
    columns = circular_columns(ranking)
    view = ranking_view(
        ranking,
        columns=columns,
        title=annex.title,
        notes=list(annex.notes),
        sheet="通报",
        marker="",
    )
    wb = workbook(view)
    ws = wb.active
    first = HEADER_ROW + 1
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
    chart.title = f"{ranking.period.span_zh}{ranking.scheme.units.words.each}发明专利申请得分"
    chart.y_axis.title = "得分"
    chart.x_axis.title = None
    chart.legend = None
    chart.style = 10
    data = Reference(ws, min_col=score_col, min_row=HEADER_ROW, max_row=last)
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
