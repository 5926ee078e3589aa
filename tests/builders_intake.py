"""Builders for the intake tests: the May table in loose real-world spellings, in any format.

The same figures as conftest.MAY_ROWS, written the way units type them: unit aliases
(张店, 高新技术产业开发区, 经开区 …), numbers as text (full-width digits, thousands separators,
a trailing 件 or space). ``tests/fixtures/`` holds this table saved by LibreOffice as .xls,
.ods and .xlsx; ``python tests/fixtures/make_fixtures.py`` regenerates them (needs soffice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conftest import MAY_ROWS, fill_month_sheet
from openpyxl import Workbook, load_workbook

FIXTURES = Path(__file__).parent / "fixtures"

# (county as typed, month_apps, ytd_apps, ytd_apps_last_year, annual_target)
LOOSE_ROWS: tuple[tuple[Any, ...], ...] = (
    ("张店", "１１２", "520 ", 470, "1,300"),
    ("淄川区 ", 54, 230, 230, 600),
    ("博 山 区", 33, "140件", 150, 360),
    ("临淄区", 79, 300, 280, 700),
    ("周村", 45, 190, 175, 450),
    ("桓台县", 42, 180, 150, 420),
    ("高青县", 18, 80, 64, 200),
    ("沂源", 23, 95, 100, 220),
    ("高新技术产业开发区", 114, 480, 400, "1,150"),
    ("经开区", 20, 76, 61, 180),
    ("文昌湖省级旅游度假区", 10, 40, 32, 100),
)


def loose_workbook(path: Path, *, two_row_header: bool = True) -> Path:
    """The May table with a two-row header, aliases and text numbers, behind a 说明 sheet."""
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    notes["A1"] = "本表由各区县知识产权局填报，数据来源于省知识产权局专利统计月报。"
    ws = wb.create_sheet("2019年5月")
    at = fill_month_sheet(ws, LOOSE_ROWS, two_row_header=two_row_header)
    # The builder sums only int cells; the true totals of the May figures (as in MAY_ROWS).
    for letter, value in zip("CDEG", (550, 2331, 2112, 5680), strict=True):
        ws[f"{letter}{at['total_row']}"] = value
    ws[f"F{at['total_row']}"] = 10.37  # (2331 − 2112) / 2112 × 100 = 10.369…
    ws[f"H{at['total_row']}"] = 41.04  # 2331 / 5680 × 100 = 41.038…
    wb.save(path)
    return path


def month_csv(rows: Sequence[tuple[Any, ...]] = MAY_ROWS, *, title: bool = True) -> str:
    """The May table as CSV text: title line, header, units, 合计 (ragged), a note."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if title:
        writer.writerow(["2019年1-5月各区县发明专利申请情况统计表"])
        writer.writerow(["", "", "", "", "", "", "单位：件"])
    writer.writerow(["序号", "区县", "本月申请量", "1-5月累计", "上年同期", "年度目标"])
    for serial, row in enumerate(rows, start=1):
        writer.writerow([serial, *row])
    writer.writerow(["", "合计", 550, 2331, 2112, 5680, ""])
    writer.writerow(["注：数据来源于省知识产权局专利统计月报。"])
    return buffer.getvalue()


def set_cells(path: Path, changes: dict[str, Any], sheet: str | None = None) -> Path:
    """Change cells of a workbook in place (a value starting with = becomes a formula)."""
    wb = load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[-1]
    for ref, value in changes.items():
        ws[ref] = value
    wb.save(path)
    return path
