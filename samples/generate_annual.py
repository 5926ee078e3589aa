"""Generate the synthetic annual assessment sheet ``2019-annual.xlsx`` in this folder.

Every figure is synthetic (not real statistics), chosen by hand so that the reference annual
scheme (rules/annual-2019.toml) shows each of its rules at work: all four grades, units
above 90 points outside the 优秀 quota (4th and 5th), a bonus over its cap, a 一票否决,
a deduction down to its floor, targets exceeded (cap), and undefined PCT growth (none last
year).

The output is byte-for-byte reproducible: fixed data, fixed workbook and zip timestamps.
Run with ``python samples/generate_annual.py`` from any directory.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

OUT = Path(__file__).resolve().parent / "2019-annual.xlsx"
TITLE = "2019年度区县知识产权工作考核数据表"
SHEET_NAME = "考核数据"
FONT_NAME = "宋体"
FIXED_TIME = dt.datetime(2020, 1, 10, 9, 0, 0)
FOOTNOTE = "注：本表为合成示例数据，不是真实统计数字。"

HEADERS = (
    "序号",
    "区县",
    "发明专利申请量",
    "上年发明专利申请量",
    "发明专利申请目标",
    "发明专利授权量",
    "有效发明专利量",
    "常住人口（万人）",
    "万人有效发明专利拥有量目标",
    "PCT国际专利申请量",
    "上年PCT国际专利申请量",
    "专利权质押融资金额（万元）",
    "质押融资目标（万元）",
    "专利保险投保企业数",
    "上年专利保险投保企业数",
    "贯标认证企业数",
    "执法办案数",
    "政务信息采用数",
    "迟报漏报次数",
    "国家级荣誉项数",
    "省级荣誉项数",
    "关键核心技术知识产权项数",
    "一票否决（是/否）",
)

# One row per unit, in the order of HEADERS after 序号.
# fmt: off
ROWS: tuple[tuple[object, ...], ...] = (
    # 张店区: every target exceeded (caps), bonus 6 + 3 + 4 = 13 capped at 10.
    ("张店区", 1420, 1210, 1300, 330, 1310, 95.6, 12, 36, 30, 16500,
     15000, 42, 30, 7, 15, 12, 0, 2, 3, 2, "否"),
    ("淄川区", 640, 610, 700, 120, 540, 56.8, 10, 8, 9, 5200,
     6000, 15, 14, 3, 5, 6, 1, 0, 1, 0, "否"),
    # 博山区: seven late reports (deduction floored at 0), 不合格.
    ("博山区", 300, 330, 420, 55, 260, 44.2, 8, 2, 4, 1800,
     4000, 6, 8, 1, 2, 3, 7, 0, 0, 0, "否"),
    ("临淄区", 980, 880, 950, 210, 900, 61.9, 14, 20, 17, 9800,
     10000, 30, 22, 5, 11, 9, 0, 1, 2, 1, "否"),
    ("周村区", 560, 500, 560, 100, 420, 38.5, 10, 9, 8, 4800,
     5000, 14, 12, 4, 8, 8, 1, 0, 1, 0, "否"),
    # 桓台县: a good score, but 一票否决 makes it 不合格.
    ("桓台县", 600, 540, 600, 115, 450, 50.3, 9, 12, 10, 5000,
     5000, 16, 12, 5, 9, 10, 0, 0, 2, 1, "是"),
    # 高青县: no PCT applications last year, three this year: undefined growth scores 10.
    ("高青县", 210, 200, 260, 40, 160, 36.4, 5, 3, 0, 1500,
     2200, 5, 6, 2, 4, 5, 2, 0, 0, 0, "否"),
    # 沂源县: no PCT applications either year (0 points), no insured firms either year.
    ("沂源县", 200, 230, 300, 38, 150, 56.2, 5, 0, 0, 900,
     2500, 0, 0, 1, 1, 2, 3, 0, 0, 0, "否"),
    ("高新区", 1350, 1150, 1250, 300, 1150, 33.5, 30, 40, 33, 15000,
     14000, 45, 33, 6, 12, 11, 0, 1, 3, 2, "否"),
    # 经济开发区: above 90 points but ranked 4th: outside the 优秀 quota of floor(30% × 11) = 3.
    ("经济开发区", 460, 400, 450, 95, 300, 22.1, 13, 15, 13, 5000,
     4800, 20, 14, 5, 10, 10, 0, 0, 1, 1, "否"),
    ("文昌湖区", 120, 110, 120, 20, 60, 7.8, 7, 2, 2, 800,
     1000, 4, 3, 1, 3, 4, 1, 0, 0, 0, "否"),
)


def build() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    width = len(HEADERS)
    last = get_column_letter(width)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = TITLE
    ws["A1"].font = Font(name=FONT_NAME, size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = "填报单位：市知识产权局　　统计截止：2019年12月31日"
    ws["A2"].font = Font(name=FONT_NAME, size=10)
    ws["A2"].alignment = Alignment(horizontal="right")

    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=3, column=col, value=header)
        cell.font = Font(name=FONT_NAME, size=10, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = 12 if col > 2 else 8
    ws.row_dimensions[3].height = 45

    for index, row in enumerate(ROWS, start=1):
        r = 3 + index
        for col, value in enumerate((index, *row), start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.font = Font(name=FONT_NAME, size=10)
            cell.border = border
            cell.alignment = Alignment(horizontal="center")

    note_row = 4 + len(ROWS)
    ws.merge_cells(f"A{note_row}:{last}{note_row}")
    ws[f"A{note_row}"] = FOOTNOTE
    ws[f"A{note_row}"].font = Font(name=FONT_NAME, size=9)
    ws.freeze_panes = "C4"
    return wb


def main() -> None:
    # The sibling script's save (importable when this file runs as a script; tests that load
    # this module for its rows never save).
    from generate import save_reproducibly

    save_reproducibly(build(), OUT, "ipscore samples/generate_annual.py", FIXED_TIME)
    print(f"已生成 {OUT.name}")


if __name__ == "__main__":
    main()
