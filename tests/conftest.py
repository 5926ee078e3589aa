"""Shared fixtures: the reference scheme, the canonical May rows and a monthly-sheet builder.

Every spreadsheet a test needs is written here with openpyxl into ``tmp_path``; nothing needs
LibreOffice. The builder lays a sheet out the way the bureau's real files look (see
shared/DOMAIN.md, "The monthly statistics table").
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ipscore.rules.resolve import load_scheme
from ipscore.rules.scheme import Scheme

REPO = Path(__file__).parents[1]
RULES_DIR = REPO / "rules"
SAMPLES_DIR = REPO / "samples"

UNITS: tuple[str, ...] = (
    "张店区",
    "淄川区",
    "博山区",
    "临淄区",
    "周村区",
    "桓台县",
    "高青县",
    "沂源县",
    "高新区",
    "经济开发区",
    "文昌湖区",
)

# The May 2019 figures of samples/2019-05.xlsx:
# (county, month_apps, ytd_apps, ytd_apps_last_year, annual_target).
MAY_ROWS: tuple[tuple[Any, Any, Any, Any, Any], ...] = (
    ("张店区", 112, 520, 470, 1300),
    ("淄川区", 54, 230, 230, 600),
    ("博山区", 33, 140, 150, 360),
    ("临淄区", 79, 300, 280, 700),
    ("周村区", 45, 190, 175, 450),
    ("桓台县", 42, 180, 150, 420),
    ("高青县", 18, 80, 64, 200),
    ("沂源县", 23, 95, 100, 220),
    ("高新区", 114, 480, 400, 1150),
    ("经济开发区", 20, 76, 61, 180),
    ("文昌湖区", 10, 40, 32, 100),
)

DEFAULT_TITLE = "2019年1-5月各区县发明专利申请情况统计表"
DEFAULT_FOOTNOTE = "注：数据来源于省知识产权局专利统计月报。"


def default_header(ytd_header: str = "1-5月累计") -> list[str]:
    return [
        "序号",
        "区县",
        "本月发明专利申请量",
        ytd_header,
        "去年同期累计",
        "同比增长(%)",
        "年度目标",
        "完成率(%)",
    ]


def _pct(numerator: Any, denominator: Any) -> Any:
    """What a spreadsheet would show in its own 同比/完成率 columns (never trusted by ipscore)."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (numerator, denominator)):
        return None
    if denominator == 0:
        return "—"
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    return float(value)


def _growth(current: Any, base: Any) -> Any:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (current, base)):
        return None
    return _pct(current - base, base)


def fill_month_sheet(
    ws: Worksheet,
    rows: Sequence[tuple[Any, ...]],
    *,
    title: str | None = DEFAULT_TITLE,
    header: Sequence[str] | None = None,
    ytd_header: str = "1-5月累计",
    two_row_header: bool = False,
    total: bool = True,
    total_first: bool = False,
    total_label: str = "合计",
    before_total: Sequence[tuple[Any, ...]] = (),
    footnote: bool = True,
    unit_line: bool = True,
    start_col: int = 1,
    start_row: int = 1,
) -> dict[str, int]:
    """Lay out one monthly statistics sheet on ``ws``; return where things went (1-based).

    ``rows`` are (county label, month_apps, ytd_apps, ytd_apps_last_year, annual_target); any
    value may be any Python object. ``before_total`` rows (same shape) are written between the
    units and a trailing total row (e.g. an 其他 row).
    """
    c0 = start_col
    ncols = 8
    r = start_row
    if title is not None:
        ws.cell(row=r, column=c0, value=title)
        ws.merge_cells(start_row=r, start_column=c0, end_row=r, end_column=c0 + ncols - 1)
        r += 1
    if unit_line:
        ws.cell(row=r, column=c0 + ncols - 1, value="单位：件")
        r += 1
    header_row = r
    if two_row_header:
        # 序号 | 区县 | 发明专利申请量 (本月 | 累计 | 去年同期) | 同比增长(%) | 年度目标 | 完成率(%)
        top = ["序号", "区县", "发明专利申请量", None, None, "同比增长(%)", "年度目标", "完成率(%)"]
        for i, text in enumerate(top):
            if text is not None:
                ws.cell(row=r, column=c0 + i, value=text)
        for i, text in enumerate(["本月", "累计", "去年同期"]):
            ws.cell(row=r + 1, column=c0 + 2 + i, value=text)
        ws.merge_cells(start_row=r, start_column=c0 + 2, end_row=r, end_column=c0 + 4)
        for i in (0, 1, 5, 6, 7):
            ws.merge_cells(start_row=r, start_column=c0 + i, end_row=r + 1, end_column=c0 + i)
        r += 2
    else:
        for i, text in enumerate(header if header is not None else default_header(ytd_header)):
            ws.cell(row=r, column=c0 + i, value=text)
        r += 1
    first_data_row = r

    def put(serial: Any, row: tuple[Any, ...]) -> None:
        nonlocal r
        label, month, ytd, last, target = row
        if all(v is None for v in row):
            r += 1  # a blank row: nothing at all, not even a serial number
            return
        values = [serial, label, month, ytd, last, _growth(ytd, last), target, _pct(ytd, target)]
        for i, value in enumerate(values):
            if value is not None:
                ws.cell(row=r, column=c0 + i, value=value)
        r += 1

    def sums() -> tuple[Any, ...]:
        columns = list(zip(*[row[1:] for row in rows], strict=True)) if rows else [()] * 4
        out = []
        for column in columns:
            ints = [v for v in column if isinstance(v, int) and not isinstance(v, bool)]
            out.append(sum(ints))
        return (total_label, *out)

    total_row = None
    if total and total_first:
        total_row = r
        put(None, sums())
    for serial, row in enumerate(rows, start=1):
        put(serial, tuple(row))
    for row in before_total:
        put(None, tuple(row))
    if total and not total_first:
        total_row = r
        put(None, sums())
    note_row = None
    if footnote:
        note_row = r
        ws.cell(row=r, column=c0, value=DEFAULT_FOOTNOTE)
        ws.merge_cells(start_row=r, start_column=c0, end_row=r, end_column=c0 + ncols - 1)
        r += 1
    return {
        "header_row": header_row,
        "first_data_row": first_data_row,
        "total_row": total_row or 0,
        "note_row": note_row or 0,
    }


def write_month(
    directory: Path,
    rows: Sequence[tuple[Any, ...]] = MAY_ROWS,
    *,
    name: str = "2019-05.xlsx",
    sheet: str = "统计表",
    extra_sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
    copies: Sequence[str] = (),
    **layout: Any,
) -> Path:
    """Write a workbook holding one monthly statistics sheet; return its path.

    ``extra_sheets`` are (name, cell rows) written *before* the data sheet (e.g. a 说明 sheet);
    ``copies`` names further sheets holding the same table after it. ``layout`` goes to
    :func:`fill_month_sheet` (title, header, two_row_header, total, footnote, start_col, ...).
    """
    wb = Workbook()
    wb.remove(wb.active)
    for extra_name, cells in extra_sheets:
        ws = wb.create_sheet(extra_name)
        for line in cells:
            ws.append(list(line))
    fill_month_sheet(wb.create_sheet(sheet), rows, **layout)
    for copy_name in copies:
        fill_month_sheet(wb.create_sheet(copy_name), rows, **layout)
    path = directory / name
    wb.save(path)
    return path


def replace_row(
    rows: Sequence[tuple[Any, ...]], unit: str, /, **changes: Any
) -> list[tuple[Any, ...]]:
    """A copy of ``rows`` with one unit's values changed by field name."""
    names = ("county", "month_apps", "ytd_apps", "ytd_apps_last_year", "annual_target")
    out = []
    for row in rows:
        if row[0] == unit:
            values = dict(zip(names, row, strict=True))
            values.update(changes)
            row = tuple(values[n] for n in names)
        out.append(tuple(row))
    return out


@pytest.fixture(scope="session")
def scheme() -> Scheme:
    return load_scheme()


@pytest.fixture
def may_rows() -> list[tuple[Any, ...]]:
    return [tuple(r) for r in MAY_ROWS]


@pytest.fixture(autouse=True)
def _history_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own empty history store, never ipscore.db in the repository."""
    path = tmp_path_factory.mktemp("history") / "ipscore.db"
    monkeypatch.setenv("IPSCORE_DB", str(path))
    return path


# The child's own high-water mark of memory, which it reports as it ends: os.wait4's ru_maxrss
# would also count the test process it was started from (Linux keeps that peak across exec),
# while VmHWM starts anew with exec.
_PEAK = (
    "\nimport re as _re, sys as _sys\n"
    "_sys.stderr.write('peak-kb %s\\n' % _re.search(r'VmHWM:\\s+(\\d+)', "
    "open('/proc/self/status').read())[1])\n"
)


def run_child(code: str, *args: str) -> tuple[int, str, str, float]:
    """Run ``python -c code args``: (exit status, stdout, stderr, the child's peak in MB)."""
    child = subprocess.run(
        [sys.executable, "-c", code + _PEAK, *args], capture_output=True, text=True, check=False
    )
    found = re.search(r"peak-kb (\d+)", child.stderr)
    peak = int(found[1]) / 1024 if found else float("inf")
    return child.returncode, child.stdout, child.stderr, peak
