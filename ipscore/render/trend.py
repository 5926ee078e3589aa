"""A year's trend as a table: one row per unit, its rank each month with ↑/↓ against the month
before, and a sparkline; written like every table (terminal, csv, md, json). The workbook with
every month's rank, score and 累计 and a line chart is :mod:`.trend_xlsx`.

On a terminal the ranks are bare numbers with one arrow (``3↑``), so twelve months and whole unit
names fit 80 columns; the sparkline is the first thing left out when they do not.
"""

from __future__ import annotations

from typing import Any

from ipscore.render.table import Column, Note, Table, Tone, number, text
from ipscore.rules.units import CITY_WORDS, Words
from ipscore.store.trend import YearTrend

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(ranks: list[int | None], worst: int) -> str:
    """Rank 1 is the tallest bar; a month without data is a blank."""
    out = []
    for rank in ranks:
        if rank is None:
            out.append(" ")
            continue
        level = round((worst - rank) * (len(SPARKS) - 1) / max(worst - 1, 1))
        out.append(SPARKS[level])
    return "".join(out)


def _arrow(change: int | None) -> tuple[str, Tone]:
    if not change:
        return "", ""
    return ("↑", "good") if change > 0 else ("↓", "bad")


def trend_view(trend: YearTrend, words: Words = CITY_WORDS) -> Table:
    """``words`` are the units file's (区县, 市): the stored trend does not carry them."""
    worst = max((p.rank for u in trend.units for p in u.points.values()), default=1)
    columns = [Column(words.unit, width=12)]
    columns += [Column(f"{m}月", number=True, width=6) for m in trend.months]
    columns.append(Column("走势", width=14, drop=1))
    rows = []
    for unit in trend.units:
        cells = [text(unit.county)]
        for month in trend.months:
            point = unit.points.get(month)
            if point is None:
                cells.append(number(None))
                continue
            mark, tone = _arrow(unit.changes.get(month))
            cells.append(number(point.rank, mark=mark, tone=tone))
        ranks = [unit.points[m].rank if m in unit.points else None for m in trend.months]
        cells.append(text(sparkline(ranks, worst)))
        rows.append(cells)
    notes = [
        Note("数字为当月排名；↑ 比同年上月上升，↓ 下降（1 月不与上年比较）"),
        Note(f"评分方案：{trend.scheme}"),
    ]
    if trend.other_years:
        listed = "、".join(str(y) for y in trend.other_years)
        notes.append(
            Note(f"历史库中还有 {listed} 年的排名（ipscore trend --year 年份）", screen=True)
        )
    return Table(
        title=f"{trend.year}年{words.each}逐月排名",
        columns=columns,
        rows=rows,
        notes=notes,
        sheet="排名走势",
        frozen=1,
        data=trend_json(trend),
    )


def trend_json(trend: YearTrend) -> dict[str, Any]:
    return {
        "scheme": trend.scheme,
        "year": trend.year,
        "months": [f"{trend.year}-{m:02d}" for m in trend.months],
        "units": [
            {
                "county": unit.county,
                "ranks": [
                    {
                        "month": point.month,
                        "rank": point.rank,
                        "score": float(point.score),
                        "ytd_apps": point.ytd,
                        "rank_change": unit.changes.get(month),
                    }
                    for month, point in sorted(unit.points.items())
                ],
            }
            for unit in trend.units
        ],
        "other_years": trend.other_years,
    }
