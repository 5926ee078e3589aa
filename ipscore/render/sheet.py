"""The collection sheet (报送模板) the bureau sends to the units.

:func:`write_template` lays out the real statistics table for a month — title, unit line,
header, the units in canonical order, 同比增长 / 完成率 and 合计 as formulas — with the input
cells unlocked, everything else protected, Excel data validation (whole numbers ≥ 0, with
Chinese prompts) on the input cells and a 说明 sheet. The bureau's own figures (去年同期 from the
history store, 年度目标 from the targets file) can come pre-filled: written in grey and locked.
A template for one unit (``only``) leaves only that unit's row open. The filled table
``merge`` writes is the same table with values (:mod:`ipscore.render.statistics`), written by
the common xlsx writer; fonts, borders and the A4 page setup are that writer's too.

Every text cell is written as text: a unit name from the rule files that starts with ``=``
stays text, never a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipscore.base.files import write_atomic
from ipscore.base.period import Period
from ipscore.render.statistics import INPUT_FIELDS, MERGED_NOTE, SHEET, headers, title
from ipscore.render.xlsx import FONT, HEADER_ROW, page_setup, put_text, styles
from ipscore.rules.scheme import Scheme
from ipscore.rules.units import Words

Prefilled = dict[str, dict[str, int]]  # field id → unit → the bureau's figure

DATA_SHEET = SHEET
NOTES_SHEET = "说明"
_WIDTHS = (6, 13, 12, 12, 12, 12, 11, 11)
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


def _sheet(
    wb: Any, period: Period, units: list[str], given: Prefilled, only: str | None, words: Words
) -> Any:
    """The statistics sheet to fill in: formulas, and unlocked input cells with validation;
    ``given`` figures written and locked; with ``only``, the other units' rows all locked."""
    from openpyxl.styles import Alignment, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    st = styles()
    given_fill = PatternFill("solid", fgColor="E7E6E6")
    ws = wb.active
    ws.title = DATA_SHEET
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_row, first = HEADER_ROW, HEADER_ROW + 1

    ws.merge_cells("A1:H1")
    cell = put_text(ws, 1, 1, title(period, words))
    cell.font = st.title
    cell.alignment = center
    ws.row_dimensions[1].height = 32
    put_text(ws, 2, 1, f"填报单位（盖章）：{only or ''}").font = st.body
    cell = put_text(ws, 2, 8, "单位：件")
    cell.font = st.body
    cell.alignment = Alignment(horizontal="right")

    for index, header in enumerate(headers(period, words), start=1):
        cell = put_text(ws, header_row, index, header)
        cell.font = st.bold
        cell.alignment = center
        cell.border = st.border
        cell.fill = st.header_fill
    ws.row_dimensions[header_row].height = 36
    for letter, width in zip("ABCDEFGH", _WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width

    last = first + len(units) - 1
    for offset, county in enumerate(units):
        r = first + offset
        ws[f"A{r}"] = offset + 1
        put_text(ws, r, 2, county)
        for fid in INPUT_FIELDS:
            cell = ws[f"{COLUMNS[fid]}{r}"]
            cell.number_format = "0"
            value = given.get(fid, {}).get(county)
            if value is not None:
                cell.value = value  # the bureau's figure: shown, locked
                cell.fill = given_fill
            elif only is None or county == only:
                cell.protection = Protection(locked=False)
                cell.fill = st.input_fill
        _derived_cells(ws, r)
    total = last + 1
    ws.merge_cells(f"A{total}:B{total}")
    put_text(ws, total, 1, "合计")
    for fid in INPUT_FIELDS:
        letter = COLUMNS[fid]
        ws[f"{letter}{total}"] = f"=SUM({letter}{first}:{letter}{last})"
        ws[f"{letter}{total}"].number_format = "0"
    _derived_cells(ws, total, f"COUNT(D{first}:D{last})={len(units)}")

    for r in range(first, total + 1):
        for letter in "ABCDEFGH":
            cell = ws[f"{letter}{r}"]
            cell.border = st.border
            cell.font = st.bold if r == total else st.body
            if letter in "ABFH":
                cell.alignment = Alignment(horizontal="center", vertical="center")
    note_row = total + 1
    ws.merge_cells(f"A{note_row}:H{note_row}")
    put_text(ws, note_row, 1, "注：" + MERGED_NOTE).font = st.small
    put_text(ws, note_row + 1, 1, "填报人：　　　　　审核人：　　　　　联系电话：").font = st.body

    def whole_at_least(least: int, cells: str, title: str, prompt: str, error: str) -> None:
        rule = DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1=str(least),
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=True,
            promptTitle=title,
            prompt=prompt,
            errorTitle="输入有误",
            error=error,
        )
        rule.add(cells)
        ws.add_data_validation(rule)

    whole_at_least(
        0,
        f"C{first}:E{last}",
        "请填写件数",
        "非负整数（件）；没有数据请填 0，不要留空或填“—”。",
        "只能填写大于或等于 0 的整数。",
    )
    whole_at_least(
        1,
        f"G{first}:G{last}",
        "请填写年度目标",
        "全年发明专利申请目标（件），应为正整数。",
        "年度目标应为大于 0 的整数。",
    )
    ws.protection.sheet = True  # only the unlocked input cells can be edited
    ws.freeze_panes = f"C{first}"
    page_setup(ws, landscape=False)
    return ws


def _derived_cells(ws: Any, r: int, filled: str = "TRUE") -> None:
    """同比增长 and 完成率 as formulas: — until the unit has filled its figures (for the 合计 row,
    ``filled`` is the condition that every unit has: a half-filled total means nothing)."""
    d, e, g = (f"{COLUMNS[f]}{r}" for f in ("ytd_apps", "ytd_apps_last_year", "annual_target"))
    ws[f"F{r}"] = (
        f'=IF(AND({filled},ISNUMBER({d}),ISNUMBER({e}),N({e})>0),ROUND(({d}-{e})/{e}*100,2),"—")'
    )
    ws[f"H{r}"] = (
        f'=IF(AND({filled},ISNUMBER({d}),ISNUMBER({g}),N({g})>0),ROUND({d}/{g}*100,2),"—")'
    )
    ws[f"F{r}"].number_format = "0.00"
    ws[f"H{r}"].number_format = "0.00"


def _notes(
    wb: Any, scheme: Scheme, period: Period, units: list[str], given: Prefilled, only: str | None
) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(NOTES_SHEET)
    words = scheme.units.words
    office = words.whole.removeprefix("全") + "局"  # 全市 → 市局, 全省 → 省局
    lines = [
        f"{period.span_zh}发明专利申请情况报送说明",
        "",
        f"1. 请在“{DATA_SHEET}”工作表中填写"
        + (f"{only}所在行" if only else "本单位所在行")
        + "的黄色单元格，其他单元格已锁定。",
        "2. 本月发明专利申请量：本月新增的发明专利申请件数。",
        f"3. {headers(period)[3]}：1月至本月的累计件数，应不小于本月数。",
        "4. 去年同期累计：上一年同一时期的累计件数。",
        "5. 年度目标：本年度发明专利申请目标任务（件），应大于 0。",
        "6. 只能填写非负整数；没有数据请填 0，不要留空或填“—”“/”。",
        "7. 同比增长(%)、完成率(%)和合计由公式自动计算，无须填写。",
        f"8. 请勿增删行列、修改表头或{words.unit}名称；填好后以 .xlsx 格式保存报送，"
        f"文件名如“{period}-{only or (units[0] if units else '单位')}.xlsx”。",
        f"9. {scheme.units.city}知识产权局收到后用 ipscore validate 检查、"
        "ipscore merge 汇总各单位报送的表格。",
    ]
    filled = [
        name
        for fid, name in (("ytd_apps_last_year", "去年同期累计"), ("annual_target", "年度目标"))
        if given.get(fid)
    ]
    if filled:
        lines.append(
            f"10. {'和'.join(filled)}已由{scheme.units.city}知识产权局填好（灰色单元格），"
            f"不可修改；如有出入，请与{office}联系。"
        )
    for index, line in enumerate(lines, start=1):
        cell = put_text(ws, index, 1, line)
        cell.font = Font(name=FONT, size=14 if index == 1 else 11, bold=index == 1)
        cell.alignment = Alignment(wrap_text=False)
    ws.column_dimensions["A"].width = 100
    ws.protection.sheet = True


def write_template(
    path: Path,
    scheme: Scheme,
    period: Period,
    *,
    given: Prefilled | None = None,
    only: str | None = None,
) -> None:
    """Write the month's collection sheet (统计表 + 说明) to ``path`` atomically.

    ``given`` maps a field (``ytd_apps_last_year``, ``annual_target``) to figures by unit that
    are written and locked; ``only`` names the one unit whose row is left open.
    """
    from openpyxl import Workbook

    if period.month is None:
        raise ValueError("a template needs a month")
    units = list(scheme.units.names)
    given = given or {}
    wb = Workbook()
    _sheet(wb, period, units, given, only, scheme.units.words)
    _notes(wb, scheme, period, units, given, only)
    write_atomic(path, lambda tmp: wb.save(tmp))
