"""A year's trend as a workbook: every month's rank, score and 累计 per unit, and a line chart.

Sheet 走势图 is a native Excel line chart of the ranks over the months, one line with its own
marker per unit (told apart in black and white too), the value axis reversed so that rank 1 is
on top and the month axis kept at the bottom; it fills one landscape A4 page. Sheets 排名, 得分
and 累计申请 hold the ranks (the chart's data), the scores and the year-to-date counts, units
down and months across.
Unit names are written as text, never as formulas.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ipscore.base.files import write_atomic
from ipscore.render.xlsx import page_setup, put_text, styles
from ipscore.rules.units import CITY_WORDS, Words
from ipscore.store.trend import YearTrend

_MARKERS = ("circle", "square", "triangle", "diamond", "x", "star", "plus", "dash", "dot")
_SHEETS = (("排名", "rank"), ("得分", "score"), ("累计申请", "ytd"))


def _value(point: Any, key: str) -> Any:
    if point is None:
        return None
    if key == "score":
        return float(Decimal(point.score))
    return point.rank if key == "rank" else point.ytd


def _sheet(wb: Any, trend: YearTrend, title: str, key: str, first: bool, words: Words) -> None:
    from openpyxl.styles import Alignment

    st = styles()
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    cell = put_text(ws, 1, 1, f"{trend.year}年{words.each}逐月{title}（{trend.scheme}）")
    cell.font = st.title
    header = [words.unit, *(f"{m}月" for m in trend.months)]
    for column, text in enumerate(header, start=1):
        cell = put_text(ws, 3, column, text)
        cell.font, cell.fill, cell.border = st.bold, st.header_fill, st.border
        cell.alignment = Alignment(horizontal="center")
    for row, unit in enumerate(trend.units, start=4):
        put_text(ws, row, 1, unit.county).border = st.border
        for column, month in enumerate(trend.months, start=2):
            cell = ws.cell(row, column, _value(unit.points.get(month), key))
            cell.border, cell.font = st.border, st.body
            cell.number_format = "0.00" if key == "score" else "0"
    ws.column_dimensions["A"].width = 14
    ws.freeze_panes = "B4"
    page_setup(ws, landscape=True)


def _chart(wb: Any, ws: Any, trend: YearTrend, words: Words) -> None:
    from openpyxl.chart import LineChart, Reference

    last_row = 3 + len(trend.units)
    chart = LineChart()
    chart.title = f"{trend.year}年{words.each}排名走势（第 1 名在上）"
    chart.y_axis.title = "排名"
    chart.x_axis.title = "月份"
    worst = max((p.rank for u in trend.units for p in u.points.values()), default=1)
    chart.y_axis.scaling.orientation = "maxMin"  # rank 1 on top
    chart.y_axis.scaling.min = 1
    chart.y_axis.scaling.max = max(worst, 2)
    chart.y_axis.majorUnit = 1
    chart.x_axis.crosses = "max"  # with the axis reversed, months stay at the bottom
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    data = Reference(ws, min_col=1, max_col=1 + len(trend.months), min_row=4, max_row=last_row)
    months = Reference(ws, min_col=2, max_col=1 + len(trend.months), min_row=3, max_row=3)
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(months)
    for index, series in enumerate(chart.series):
        series.marker.symbol = _MARKERS[index % len(_MARKERS)]
        series.marker.size = 6
        series.smooth = False
    chart.height, chart.width = 16, 26  # cm: one landscape A4 page
    sheet = wb.create_sheet("走势图", 0)
    sheet.add_chart(chart, "A1")
    page_setup(sheet, landscape=True)
    wb.active = 0


def write_trend_xlsx(trend: YearTrend, path: Path, words: Words = CITY_WORDS) -> None:
    """Write the workbook to ``path`` atomically; ``words`` are the units file's (区县, 市)."""
    from openpyxl import Workbook

    wb = Workbook()
    for index, (title, key) in enumerate(_SHEETS):
        _sheet(wb, trend, title, key, index == 0, words)
    _chart(wb, wb["排名"], trend, words)
    write_atomic(path, lambda tmp: wb.save(tmp))
