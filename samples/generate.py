"""Generate the synthetic monthly statistics workbooks in this folder.

Writes ``2019-01.xlsx`` ... ``2019-12.xlsx`` next to this script. Every figure is synthetic
(not real statistics). The only anchors are the year-to-date figures at the end of May, which
add up to the citywide 2331 applications of the bureau's 2019 half-year summary, the 2018
same-period figures and the 2019 annual targets.

The output is byte-for-byte reproducible: a fixed random seed, fixed workbook timestamps and
fixed timestamps inside the xlsx (zip) container.

Run with ``python samples/generate.py`` from any directory.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

OUT_DIR = Path(__file__).resolve().parent
YEAR = 2019
SEED = 20190531
SHEET_NAME = "统计表"
FONT_NAME = "宋体"
NO_GROWTH = "—"  # written when last year's cumulative figure is 0
FOOTNOTE = "注：数据来源于省知识产权局专利统计月报；本表为合成示例数据。"
FIXED_TIME = dt.datetime(2019, 12, 31, 9, 0, 0)

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

# Year-to-date invention applications at the end of May 2019 (sum 2331).
YTD_MAY_2019: dict[str, int] = {
    "张店区": 520,
    "淄川区": 230,
    "博山区": 140,
    "临淄区": 300,
    "周村区": 190,
    "桓台县": 180,
    "高青县": 80,
    "沂源县": 95,
    "高新区": 480,
    "经济开发区": 76,
    "文昌湖区": 40,
}

# Same-period cumulative figures at the end of May 2018.
YTD_MAY_2018: dict[str, int] = {
    "张店区": 470,
    "淄川区": 230,
    "博山区": 150,
    "临淄区": 280,
    "周村区": 175,
    "桓台县": 150,
    "高青县": 64,
    "沂源县": 100,
    "高新区": 400,
    "经济开发区": 61,
    "文昌湖区": 32,
}

# 2019 annual targets, unchanged all year.
TARGETS: dict[str, int] = {
    "张店区": 1300,
    "淄川区": 600,
    "博山区": 360,
    "临淄区": 700,
    "周村区": 450,
    "桓台县": 420,
    "高青县": 200,
    "沂源县": 220,
    "高新区": 1150,
    "经济开发区": 180,
    "文昌湖区": 100,
}

# Units that filed nothing in January 2018 (exercises undefined growth in the January file).
ZERO_JANUARY_2018: frozenset[str] = frozenset({"文昌湖区"})

# Seasonal shape of a year (sums to 1): a Spring Festival dip in February, busier March-May,
# a year-end push in December.
SEASON: tuple[float, ...] = (
    0.075, 0.045, 0.085, 0.090, 0.095, 0.085,
    0.080, 0.075, 0.085, 0.080, 0.085, 0.120,
)  # fmt: skip

HEADERS: tuple[str, ...] = (
    "序号",
    "区县",
    "本月发明专利申请量",
    "",  # filled per month: "1月累计" / "1-M月累计"
    "去年同期累计",
    "同比增长(%)",
    "年度目标",
    "完成率(%)",
)
COLUMN_WIDTHS: tuple[float, ...] = (7, 14, 13, 12, 12, 11, 11, 11)

CENT = Decimal("0.01")


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into non-negative integers proportional to ``weights``.

    Largest-remainder method; ties go to the earlier position, so the result is deterministic.
    """
    weight_sum = sum(weights)
    shares = [total * w / weight_sum for w in weights]
    parts = [int(s) for s in shares]
    leftover = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


def noisy_season(rng: random.Random) -> list[float]:
    """The seasonal shape with +/-15% per-month noise."""
    return [w * rng.uniform(0.85, 1.15) for w in SEASON]


def build_monthly(rng: random.Random) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Monthly applications per unit for 2019 and 2018 (12 values each)."""
    monthly_2019: dict[str, list[int]] = {}
    monthly_2018: dict[str, list[int]] = {}
    for unit in UNITS:
        # 2019: May YTD fixed; the rest of the year lands within about +/-8% of the target.
        weights = noisy_season(rng)
        annual = round(TARGETS[unit] * rng.uniform(0.92, 1.08))
        rest = max(annual - YTD_MAY_2019[unit], YTD_MAY_2019[unit])
        months = apportion(YTD_MAY_2019[unit], weights[:5]) + apportion(rest, weights[5:])
        monthly_2019[unit] = months
        total_2019 = sum(months)

        # 2018: May YTD fixed; the full year ends 4-14% below 2019.
        weights = noisy_season(rng)
        if unit in ZERO_JANUARY_2018:
            weights[0] = 0.0
        annual = round(total_2019 * rng.uniform(0.86, 0.96))
        rest = max(annual - YTD_MAY_2018[unit], YTD_MAY_2018[unit])
        monthly_2018[unit] = apportion(YTD_MAY_2018[unit], weights[:5]) + apportion(
            rest, weights[5:]
        )
    return monthly_2019, monthly_2018


def cumulative(values: list[int]) -> list[int]:
    """Running totals."""
    out: list[int] = []
    running = 0
    for v in values:
        running += v
        out.append(running)
    return out


def percent(numerator: int, denominator: int) -> float | str:
    """``numerator / denominator * 100`` rounded half-up to 2 decimals, or ``NO_GROWTH``."""
    if denominator == 0:
        return NO_GROWTH
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(CENT, ROUND_HALF_UP)
    return float(value)


def period_label(month: int) -> str:
    """``1月`` for January, ``1-M月`` otherwise."""
    return "1月" if month == 1 else f"1-{month}月"


def write_sheet(
    ws: Worksheet,
    month: int,
    monthly_2019: dict[str, list[int]],
    monthly_2018: dict[str, list[int]],
) -> None:
    """Lay out one month's statistics sheet."""
    ncols = len(HEADERS)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    body_font = Font(name=FONT_NAME, size=11)
    bold_font = Font(name=FONT_NAME, size=11, bold=True)

    # Row 1: title; row 2: unit of measure.
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    title_text = f"{YEAR}年{period_label(month)}各区县发明专利申请情况统计表"
    title = ws.cell(row=1, column=1, value=title_text)
    title.font = Font(name=FONT_NAME, size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30

    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    unit_cell = ws.cell(row=2, column=1, value="单位：件")
    unit_cell.font = body_font
    unit_cell.alignment = Alignment(horizontal="right", vertical="center")

    # Row 3: header.
    headers = list(HEADERS)
    headers[3] = f"{period_label(month)}累计"
    fill = PatternFill(fill_type="solid", start_color="D9E1F2", end_color="D9E1F2")
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=3, column=col, value=text)
        cell.font = bold_font
        cell.alignment = center
        cell.fill = fill
    ws.row_dimensions[3].height = 36

    # Rows 4-14: units; row 15: citywide total.
    rows: list[list[object]] = []
    sums = [0, 0, 0, 0]
    for index, unit in enumerate(UNITS, start=1):
        this_month = monthly_2019[unit][month - 1]
        ytd = cumulative(monthly_2019[unit])[month - 1]
        last = cumulative(monthly_2018[unit])[month - 1]
        target = TARGETS[unit]
        for i, v in enumerate((this_month, ytd, last, target)):
            sums[i] += v
        rows.append(
            [index, unit, this_month, ytd, last, percent(ytd - last, last), target,
             percent(ytd, target)]
        )  # fmt: skip
    this_month, ytd, last, target = sums
    rows.append(
        [None, "合计", this_month, ytd, last, percent(ytd - last, last), target,
         percent(ytd, target)]
    )  # fmt: skip

    first_data_row = 4
    total_row = first_data_row + len(UNITS)
    for offset, values in enumerate(rows):
        row = first_data_row + offset
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.font = bold_font if row == total_row else body_font
            cell.alignment = center
            if col in (6, 8):
                cell.number_format = "0.00"

    for row in range(3, total_row + 1):
        for col in range(1, ncols + 1):
            ws.cell(row=row, column=col).border = border

    # Footnote.
    note_row = total_row + 1
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=ncols)
    note = ws.cell(row=note_row, column=1, value=FOOTNOTE)
    note.font = Font(name=FONT_NAME, size=10)
    note.alignment = Alignment(horizontal="left", vertical="center")

    for col, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[chr(ord("A") + col - 1)].width = width


def save_reproducibly(
    wb: Workbook,
    path: Path,
    creator: str = "ipscore samples/generate.py",
    when: dt.datetime = FIXED_TIME,
) -> None:
    """Save ``wb`` with fixed zip entry timestamps so reruns produce identical bytes."""
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = creator
    buffer = io.BytesIO()
    # ExcelWriter directly: Workbook.save() would stamp the current time into "modified".
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    buffer.seek(0)
    with (
        zipfile.ZipFile(buffer) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))


def main() -> None:
    rng = random.Random(SEED)
    monthly_2019, monthly_2018 = build_monthly(rng)
    for month in range(1, 13):
        wb = Workbook()
        ws = wb.active
        ws.title = SHEET_NAME
        write_sheet(ws, month, monthly_2019, monthly_2018)
        path = OUT_DIR / f"{YEAR}-{month:02d}.xlsx"
        save_reproducibly(wb, path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
