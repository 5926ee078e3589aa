"""The month history in a terminal: the stored months, and each unit's rank month by month."""

from __future__ import annotations

from typing import Any

from ipscore.store.history import MonthInfo, RankPoint

SPARKS = "▁▂▃▄▅▆▇█"


def months_json(months: list[MonthInfo]) -> list[dict[str, Any]]:
    return [
        {
            "month": m.month,
            "scheme": m.scheme,
            "source": m.source,
            "units": m.units,
            "first": m.leader,
            "recorded_at": m.recorded_at,
        }
        for m in months
    ]


def trend_json(trend: dict[str, list[RankPoint]]) -> dict[str, Any]:
    months = sorted({p.month for points in trend.values() for p in points})
    return {
        "months": months,
        "units": [
            {
                "county": county,
                "ranks": [
                    {
                        "month": p.month,
                        "rank": p.rank,
                        "score": float(p.score),
                        "rank_change": p.rank_change,
                    }
                    for p in points
                ],
            }
            for county, points in trend.items()
        ],
    }


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


def _month_label(month: str, years: set[str]) -> str:
    number = month.partition("-")[2]
    return f"{int(number)}月" if len(years) == 1 else month


def print_months(months: list[MonthInfo], console: Any) -> None:
    from rich.table import Table

    table = Table(title="已记录的月份", title_style="bold")
    for title in ("月份", "单位数", "第一名", "来源文件", "记录时间（UTC）"):
        table.add_column(title, justify="right" if title == "单位数" else "left")
    for m in months:
        source = m.source.replace("\\", "/").rsplit("/", 1)[-1]
        table.add_row(m.month, str(m.units), m.leader, source, m.recorded_at[:16])
    console.print(table)


def print_trend(trend: dict[str, list[RankPoint]], console: Any) -> None:
    """One row per unit: its rank each month with ↑/↓ against the month before, and a sparkline."""
    from rich.table import Table

    months = sorted({p.month for points in trend.values() for p in points})
    years = {m.partition("-")[0] for m in months}
    worst = max((p.rank for points in trend.values() for p in points), default=1)
    table = Table(title="各区县排名走势（↑ 上升，↓ 下降）", title_style="bold")
    table.add_column("区县")
    for month in months:
        table.add_column(_month_label(month, years), justify="right")
    table.add_column("走势")
    for county, points in trend.items():
        by_month = {p.month: p for p in points}
        cells = []
        for month in months:
            point = by_month.get(month)
            if point is None:
                cells.append("")
                continue
            change = point.rank_change
            mark = "" if not change else (f"↑{change}" if change > 0 else f"↓{-change}")
            style = "green" if change and change > 0 else "red" if change else ""
            cells.append(f"[{style}]{point.rank}{mark}[/]" if style else str(point.rank))
        ranks = [by_month[m].rank if m in by_month else None for m in months]
        table.add_row(county, *cells, sparkline(ranks, worst))
    console.print(table)
