"""ipscore robust as an xlsx workbook: the units' rank intervals with a native chart, and the
indicators' weights.

Sheet 名次区间 holds the per-unit table (numbers a spreadsheet can sort), the sentences that
say how to read it, and a line chart of each unit's official rank (a dot) with its 5–95%
interval drawn as custom error bars taken from two helper columns, rank 1 at the top. Sheet
指标权重 holds nominal and effective weights (and the Sobol indices when computed). The same
result gives the same bytes: the archive's entries and dates are fixed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipscore.render.robust import summary, title
from ipscore.render.xlsx import page_setup, put_text
from ipscore.scoring.robust import Robustness

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

_FONT = "宋体"
UNITS_SHEET = "名次区间"
WEIGHTS_SHEET = "指标权重"


def write_robust_xlsx(result: Robustness, path: Path) -> None:
    """Write the workbook to ``path`` atomically."""
    from ipscore.base.files import write_bytes_atomic

    write_bytes_atomic(path, robust_xlsx_bytes(result))


def _header(ws: Worksheet, row: int, titles: list[str], widths: list[int]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="000000")
    for col, (text, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = put_text(ws, row, col, text)  # names come from the rule file: never a formula
        cell.font = Font(name=_FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[row].height = 32


def _row(ws: Worksheet, row: int, values: list[Any], formats: list[str | None]) -> None:
    from openpyxl.styles import Border, Font, Side

    thin = Side(style="thin", color="000000")
    for col, (value, number_format) in enumerate(zip(values, formats, strict=True), start=1):
        cell = put_text(ws, row, col, value) if isinstance(value, str) else ws.cell(row, col, value)
        if number_format:
            cell.number_format = number_format
        cell.font = Font(name=_FONT, size=11)
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)


def _title(ws: Worksheet, text: str, last: str) -> None:
    from openpyxl.styles import Alignment, Font

    ws.merge_cells(f"A1:{last}1")
    put_text(ws, 1, 1, text)
    ws["A1"].font = Font(name=_FONT, size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30


def _units_sheet(ws: Worksheet, result: Robustness) -> tuple[int, int, int]:
    """The per-unit table; returns its first and last data rows and the first helper column."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    titles = [
        "排名",
        result.scheme.units.words.unit,
        "得分",
        "中位名次",
        "5%名次",
        "95%名次",
        "名次变动比例",
    ]
    widths = [6, 13, 9, 9, 9, 9, 12]
    if result.annual:
        titles += ["等次", "等次变动比例"]
        widths += [9, 12]
    titles += ["图用：向上", "图用：向下"]  # the error bars' lengths (rank 1 is up)
    widths += [10, 10]
    last = get_column_letter(len(titles))
    _title(ws, title(result), last)
    ws.merge_cells(f"A2:{last}2")
    put_text(ws, 2, 1, f"评分方案：{result.scheme.name}    随机种子：{result.seed}")
    ws["A2"].font = Font(name=_FONT, size=10)
    ws["A2"].alignment = Alignment(horizontal="right")
    _header(ws, 3, titles, widths)
    first = 4
    for offset, u in enumerate(result.units):
        values: list[Any] = [
            u.nominal_rank,
            u.county,
            float(u.score),
            u.median_rank,
            u.rank_low,
            u.rank_high,
            u.rank_changes / result.runs,
        ]
        formats: list[str | None] = [None, None, "0.00", None, None, None, "0.0%"]
        if result.annual:
            values += [u.nominal_grade, (u.grade_changes or 0) / result.runs]
            formats += [None, "0.0%"]
        values += [u.nominal_rank - u.rank_low, u.rank_high - u.nominal_rank]
        formats += [None, None]
        _row(ws, first + offset, values, formats)
    end = first + len(result.units) - 1
    for offset, line in enumerate(summary(result)):
        row = end + 2 + offset
        ws.merge_cells(f"A{row}:{last}{row}")
        cell = put_text(ws, row, 1, line)
        cell.font = Font(name=_FONT, size=10)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 15 * (1 + len(line) // 60)
    ws.freeze_panes = "C4"
    page_setup(ws, landscape=True, header_row=3)
    return first, end, len(titles) - 1


def _range(ws: Worksheet, col: int, first: int, end: int) -> str:
    from openpyxl.utils import get_column_letter, quote_sheetname

    letter = get_column_letter(col)
    return f"{quote_sheetname(ws.title)}!${letter}${first}:${letter}${end}"


def _chart(ws: Worksheet, result: Robustness, first: int, end: int, up_col: int) -> None:
    from openpyxl.chart import LineChart, Reference
    from openpyxl.chart.data_source import AxDataSource, NumDataSource, NumRef, StrRef
    from openpyxl.chart.error_bar import ErrorBars
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.worksheet.pagebreak import Break

    size = len(result.units)
    chart = LineChart()
    chart.title = "各单位的名次区间（点为正式名次，线为5%–95%区间）"
    chart.style = 10
    chart.legend = None
    chart.add_data(Reference(ws, min_col=1, min_row=3, max_row=end), titles_from_data=True)
    series = chart.series[0]
    series.cat = AxDataSource(strRef=StrRef(f=_range(ws, 2, first, end)))  # names, not numbers
    series.smooth = False
    series.graphicalProperties.line.noFill = True
    series.marker.symbol = "circle"
    series.marker.size = 8
    series.marker.graphicalProperties = GraphicalProperties(solidFill="1F4E79")
    series.marker.graphicalProperties.line.solidFill = "1F4E79"

    def ref(col: int) -> NumDataSource:
        return NumDataSource(numRef=NumRef(f=_range(ws, col, first, end)))

    # The value axis runs from rank 1 at the top down, so "minus" (toward smaller ranks) is up.
    series.errBars = ErrorBars(
        errDir="y",
        errBarType="both",
        errValType="cust",
        noEndCap=False,
        minus=ref(up_col),
        plus=ref(up_col + 1),
    )
    chart.y_axis.title = "名次"
    # Half a rank of room at each end so the first and last dots are whole; the labels 0 and
    # n + 1 of that room are left blank.
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = size + 1
    chart.y_axis.scaling.orientation = "maxMin"
    chart.y_axis.majorUnit = 1
    chart.y_axis.numFmt = f'[<1]"";[>{size}]"";0'
    chart.x_axis.crosses = "max"  # with the value axis reversed, keep the units at the bottom
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = 24, 12
    # The chart prints on a page of its own, after the table and its sentences.
    anchor = ws.max_row + 2
    ws.row_breaks.append(Break(id=anchor - 1))
    ws.add_chart(chart, f"A{anchor}")


def _weights_sheet(ws: Worksheet, result: Robustness) -> None:
    sobol = any(i.sobol is not None for i in result.indicators)
    titles = ["指标", "编号", "分值", "名义权重", "有效权重"]
    widths = [28, 14, 8, 11, 11]
    if sobol:
        titles += ["Sobol一阶", "一阶±(95%)", "Sobol总效应", "总效应±(95%)"]
        widths += [11, 11, 12, 12]
    from openpyxl.utils import get_column_letter

    _title(ws, "各项指标的名义权重与有效权重", get_column_letter(len(titles)))
    _header(ws, 2, titles, widths)
    for offset, ind in enumerate(result.indicators):
        values: list[Any] = [
            ind.name,
            ind.id,
            None if ind.points is None else float(ind.points),
            None if ind.nominal_weight is None else float(ind.nominal_weight),
            None if ind.effective_weight is None else float(ind.effective_weight),
        ]
        formats: list[str | None] = [None, None, "0.##", "0.00%", "0.00%"]
        if sobol:
            s = ind.sobol
            values += [s.first, s.first_conf, s.total, s.total_conf] if s else [None] * 4
            formats += ["0.000"] * 4
        _row(ws, 3 + offset, values, formats)
    note = 4 + len(result.indicators)
    put_text(ws, note, 1, "有效权重 = cov(该项得分, 总分) / var(总分)（按各单位计算，合计为 100%）")
    page_setup(ws, landscape=True, header_row=2)


def robust_xlsx_bytes(result: Robustness) -> bytes:
    """The workbook as bytes, the same for the same result."""
    import io
    from datetime import datetime

    from openpyxl import Workbook

    from ipscore.render.reproducible import normalise_zip

    wb = Workbook()
    ws = wb.active
    ws.title = UNITS_SHEET
    first, end, up_col = _units_sheet(ws, result)
    _chart(ws, result, first, end, up_col)
    _weights_sheet(wb.create_sheet(WEIGHTS_SHEET), result)
    period = result.table.period
    when = datetime(period.year, period.month or 12, 1)
    wb.properties.title = title(result)
    wb.properties.created = wb.properties.modified = when
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalise_zip(buffer.getvalue(), when)
