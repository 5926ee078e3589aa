"""The monthly statistics table written by ``ipscore tally``, laid out like the bureau's sheet.

Row 1 title, row 2 ``单位：件``, row 3 the header (序号 区县 本月发明专利申请量 1-M月累计
去年同期累计 同比增长(%) 年度目标 完成率(%)), one row per unit, 合计, and the notes: what
``ipscore rank`` reads. Percentages are exact and rounded 四舍五入 to 2 places.
"""

from __future__ import annotations

from pathlib import Path

from ipscore.base.files import write_atomic
from ipscore.base.numbers import growth, percent, round_to
from ipscore.tally.count import TallyResult, UnitCount

_FONT = "宋体"
_WIDTHS = (7, 14, 13, 12, 12, 11, 11, 11)


def table_title(result: TallyResult) -> str:
    return f"{result.period.span_zh}各区县发明专利申请情况统计表"


def ytd_header(result: TallyResult) -> str:
    month = result.period.month
    return "1月累计" if month == 1 else f"1-{month}月累计"


def notes(result: TallyResult) -> list[str]:
    """The footnote lines: the source, and what was not counted for any unit."""
    year = result.period.year
    names = "、".join(Path(f).name for f in result.files)
    lines = [f"数据由 ipscore tally 根据专利申请明细（{names}）按申请人地址归属统计。"]
    other_now = sum(v[0] for v in result.other_cities.values())
    other_last = sum(v[1] for v in result.other_cities.values())
    lost_now, lost_last = result.unattributed_counts
    lines.append(
        f"未计入各单位：{result.outside_label} {other_now} 件（{year - 1}年同期 {other_last} 件），"
        f"无法归属 {lost_now} 件（{year - 1}年同期 {lost_last} 件），明细见核对文件。"
    )
    return lines


def _row_values(index: int | None, row: UnitCount) -> list[object]:
    change = growth(row.ytd, row.last_year)
    return [
        index,
        row.unit,
        row.month,
        row.ytd,
        row.last_year,
        "—" if change is None else float(round_to(change)),
        row.target,
        None if row.target is None else float(round_to(percent(row.ytd, row.target) or 0)),
    ]


def write_table(result: TallyResult, path: Path) -> None:
    """Write the month's table to ``path`` atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "统计表"
    width = 8
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1, table_title(result)).font = Font(name=_FONT, size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.cell(2, 1, "单位：件").alignment = Alignment(horizontal="right")

    header = [
        "序号",
        "区县",
        "本月发明专利申请量",
        ytd_header(result),
        "去年同期累计",
        "同比增长(%)",
        "年度目标",
        "完成率(%)",
    ]
    for col, text in enumerate(header, start=1):
        cell = ws.cell(3, col, text)
        cell.font = Font(name=_FONT, size=11, bold=True)
        cell.alignment = center
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = border
    ws.row_dimensions[3].height = 36

    lines = [_row_values(i, r) for i, r in enumerate(result.rows, start=1)]
    lines.append(_row_values(None, result.totals))
    for offset, values in enumerate(lines):
        row = 4 + offset
        bold = offset == len(lines) - 1
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            if col == 2:
                cell.data_type = "s"  # a unit name is text, never a formula
            cell.font = Font(name=_FONT, size=11, bold=bold)
            cell.alignment = center
            cell.border = border
            if col in (6, 8) and isinstance(value, float):
                cell.number_format = "0.00"
    row = 4 + len(lines)
    for number, note in enumerate(notes(result)):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        # Each line starts with a note word (注/说明) so that a loader skips it as a note.
        cell = ws.cell(row, 1, ("注：" if number == 0 else "说明：") + note)
        cell.data_type = "s"
        cell.font = Font(name=_FONT, size=10)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 28
        row += 1
    for col, w in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + col)].width = w
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    write_atomic(path, lambda tmp: wb.save(tmp))
