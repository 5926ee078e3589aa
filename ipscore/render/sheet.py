"""The collection sheet (报送模板) the bureau sends to the units, and the month's merged table.

:func:`write_template` lays out the real statistics table for a month — title, unit line,
header, the units in canonical order, 同比增长 / 完成率 and 合计 as formulas — with the input
cells unlocked, everything else protected, Excel data validation (whole numbers ≥ 0, with
Chinese prompts) on the input cells and a 说明 sheet. :func:`write_table` writes the same
layout filled with values (what ``merge`` produces); there every figure is a plain number, so
the file reads the same in any program, calculated or not.

Every text cell is written with ``data_type = "s"``: a unit name from the rule files that
starts with ``=`` stays text, never a formula.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ipscore.base.files import write_atomic
from ipscore.base.numbers import growth, round_to
from ipscore.base.period import Period
from ipscore.rules.scheme import Scheme

DATA_SHEET = "统计表"
NOTES_SHEET = "说明"
_FONT = "宋体"
# The input fields in column order, and the two columns the sheet computes itself.
INPUT_FIELDS = ("month_apps", "ytd_apps", "ytd_apps_last_year", "annual_target")


@dataclass(frozen=True)
class _Layout:
    title_row: int = 1
    unit_row: int = 2
    header_row: int = 3

    @property
    def first(self) -> int:
        return self.header_row + 1


# Column letters of the table: A 序号, B 区县, C 本月, D 累计, E 去年同期, F 同比, G 目标, H 完成率.
COLUMNS = {
    "serial": "A",
    "county": "B",
    "month_apps": "C",
    "ytd_apps": "D",
    "ytd_apps_last_year": "E",
    "growth": "F",
    "annual_target": "G",
    "completion": "H",
}


def title(period: Period) -> str:
    """``2019年1-6月各区县发明专利申请情况统计表``."""
    return f"{period.span_zh}各区县发明专利申请情况统计表"


def headers(period: Period) -> list[str]:
    ytd = f"{period.month}月累计" if period.month == 1 else f"1-{period.month}月累计"
    return [
        "序号",
        "区县",
        "本月发明专利申请量",
        ytd,
        "去年同期累计",
        "同比增长(%)",
        "年度目标",
        "完成率(%)",
    ]


def _text(ws: Any, ref: str, value: str) -> Any:
    cell = ws[ref]
    cell.value = value
    cell.data_type = "s"  # text stays text, even when it starts with = + - @
    return cell


def _sheet(
    wb: Any,
    scheme: Scheme,
    period: Period,
    rows: Mapping[str, Mapping[str, int]] | None,
    units: list[str],
) -> Any:
    """The statistics sheet: formulas and unlocked input cells when ``rows`` is None."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    template = rows is None
    lay = _Layout()
    ws = wb.active
    ws.title = DATA_SHEET
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    plain = Font(name=_FONT, size=11)
    bold = Font(name=_FONT, size=11, bold=True)

    ws.merge_cells(f"A{lay.title_row}:H{lay.title_row}")
    cell = _text(ws, f"A{lay.title_row}", title(period))
    cell.font = Font(name=_FONT, size=16, bold=True)
    cell.alignment = center
    ws.row_dimensions[lay.title_row].height = 32
    if template:
        _text(ws, f"A{lay.unit_row}", "填报单位（盖章）：").font = plain
    _text(ws, f"H{lay.unit_row}", "单位：件").font = plain
    ws[f"H{lay.unit_row}"].alignment = Alignment(horizontal="right")

    for index, text in enumerate(headers(period)):
        letter = "ABCDEFGH"[index]
        cell = _text(ws, f"{letter}{lay.header_row}", text)
        cell.font = bold
        cell.alignment = center
        cell.border = border
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
    ws.row_dimensions[lay.header_row].height = 36
    for letter, width in zip("ABCDEFGH", (6, 13, 12, 12, 12, 12, 11, 11), strict=True):
        ws.column_dimensions[letter].width = width

    input_fill = PatternFill("solid", fgColor="FFF2CC")
    last = lay.first + len(units) - 1
    for offset, county in enumerate(units):
        r = lay.first + offset
        ws[f"A{r}"] = offset + 1
        _text(ws, f"B{r}", county)
        values = rows.get(county, {}) if rows is not None else {}
        for fid in INPUT_FIELDS:
            cell = ws[f"{COLUMNS[fid]}{r}"]
            if template:
                cell.protection = Protection(locked=False)
                cell.fill = input_fill
            elif fid in values:
                cell.value = int(values[fid])
            cell.number_format = "0"
        _derived_cells(ws, r, values if not template else None)
    total = last + 1
    ws.merge_cells(f"A{total}:B{total}")
    _text(ws, f"A{total}", "合计")
    for fid in INPUT_FIELDS:
        letter = COLUMNS[fid]
        if template:
            ws[f"{letter}{total}"] = f"=SUM({letter}{lay.first}:{letter}{last})"
        else:
            ws[f"{letter}{total}"] = sum(int(v.get(fid, 0)) for v in (rows or {}).values())
        ws[f"{letter}{total}"].number_format = "0"
    sums = None
    if not template:
        sums = {fid: sum(int(v.get(fid, 0)) for v in (rows or {}).values()) for fid in INPUT_FIELDS}
    _derived_cells(ws, total, sums)

    for r in range(lay.header_row + 1, total + 1):
        for letter in "ABCDEFGH":
            cell = ws[f"{letter}{r}"]
            cell.border = border
            cell.font = bold if r == total else plain
            if letter in "ABFH":
                cell.alignment = Alignment(horizontal="center", vertical="center")
    note_row = total + 1
    ws.merge_cells(f"A{note_row}:H{note_row}")
    _text(
        ws,
        f"A{note_row}",
        "注：本月发明专利申请量为当月新增；累计为1月至本月合计；数据来源于省知识产权局专利统计月报。",
    ).font = Font(name=_FONT, size=10)
    if template:
        _text(ws, f"A{note_row + 1}", "填报人：　　　　　审核人：　　　　　联系电话：").font = plain

        counts = DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=True,
            promptTitle="请填写件数",
            prompt="非负整数（件）；没有数据请填 0，不要留空或填“—”。",
            errorTitle="输入有误",
            error="只能填写大于或等于 0 的整数。",
        )
        counts.add(f"C{lay.first}:E{last}")
        target = DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="1",
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=True,
            promptTitle="请填写年度目标",
            prompt="全年发明专利申请目标（件），应为正整数。",
            errorTitle="输入有误",
            error="年度目标应为大于 0 的整数。",
        )
        target.add(f"G{lay.first}:G{last}")
        ws.add_data_validation(counts)
        ws.add_data_validation(target)
        ws.protection.sheet = True  # only the unlocked input cells can be edited
    ws.freeze_panes = f"C{lay.first}"
    ws.print_title_rows = f"{lay.header_row}:{lay.header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _derived_cells(ws: Any, r: int, values: Mapping[str, int] | None) -> None:
    """同比增长 and 完成率: formulas in a template, rounded numbers (or —) in a filled table."""
    d, e, g = (f"{COLUMNS[f]}{r}" for f in ("ytd_apps", "ytd_apps_last_year", "annual_target"))
    growth_cell, completion_cell = ws[f"F{r}"], ws[f"H{r}"]
    if values is None:
        growth_cell.value = (
            f'=IF(AND(ISNUMBER({d}),ISNUMBER({e}),N({e})>0),ROUND(({d}-{e})/{e}*100,2),"—")'
        )
        completion_cell.value = (
            f'=IF(AND(ISNUMBER({d}),ISNUMBER({g}),N({g})>0),ROUND({d}/{g}*100,2),"—")'
        )
    else:
        ytd, last, target = (
            values.get(f) for f in ("ytd_apps", "ytd_apps_last_year", "annual_target")
        )
        rate = growth(ytd, last) if ytd is not None and last is not None else None
        done = Fraction(ytd) * 100 / target if ytd is not None and target else None
        for cell, value in ((growth_cell, rate), (completion_cell, done)):
            if value is None:
                cell.value = "—"
                cell.data_type = "s"
            else:
                cell.value = float(round_to(value, 2))
    growth_cell.number_format = "0.00"
    completion_cell.number_format = "0.00"


def _notes(wb: Any, scheme: Scheme, period: Period, units: list[str]) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(NOTES_SHEET)
    lines = [
        f"{period.span_zh}发明专利申请情况报送说明",
        "",
        f"1. 请在“{DATA_SHEET}”工作表中填写本单位所在行的黄色单元格，其他单元格已锁定。",
        "2. 本月发明专利申请量：本月新增的发明专利申请件数。",
        f"3. {headers(period)[3]}：1月至本月的累计件数，应不小于本月数。",
        "4. 去年同期累计：上一年同一时期的累计件数。",
        "5. 年度目标：本年度发明专利申请目标任务（件），应大于 0。",
        "6. 只能填写非负整数；没有数据请填 0，不要留空或填“—”“/”。",
        "7. 同比增长(%)、完成率(%)和合计由公式自动计算，无须填写。",
        "8. 请勿增删行列、修改表头或区县名称；填好后以 .xlsx 格式保存报送，"
        f"文件名如“{period}-{units[0] if units else '单位'}.xlsx”。",
        f"9. {scheme.units.city}知识产权局收到后用 ipscore validate 检查、"
        "ipscore merge 汇总各单位报送的表格。",
    ]
    for index, line in enumerate(lines, start=1):
        cell = _text(ws, f"A{index}", line)
        cell.font = Font(name=_FONT, size=14 if index == 1 else 11, bold=index == 1)
        cell.alignment = Alignment(wrap_text=False)
    ws.column_dimensions["A"].width = 100
    ws.protection.sheet = True


def write_template(path: Path, scheme: Scheme, period: Period) -> None:
    """Write the month's collection sheet (统计表 + 说明) to ``path`` atomically."""
    from openpyxl import Workbook

    if period.month is None:
        raise ValueError("a template needs a month")
    units = list(scheme.units.names)
    wb = Workbook()
    _sheet(wb, scheme, period, None, units)
    _notes(wb, scheme, period, units)
    write_atomic(path, lambda tmp: wb.save(tmp))


def write_table(
    path: Path, scheme: Scheme, period: Period, rows: Mapping[str, Mapping[str, int]]
) -> None:
    """Write a filled month table (the units in ``rows``, canonical order) atomically."""
    from openpyxl import Workbook

    units = [name for name in scheme.units.names if name in rows]
    wb = Workbook()
    _sheet(wb, scheme, period, rows, units)
    write_atomic(path, lambda tmp: wb.save(tmp))
