"""The month history in a terminal: the stored months, and each unit's rank month by month."""

from __future__ import annotations

from typing import Any

from ipscore.base.text import printable
from ipscore.store.history import MonthInfo, RankPoint

SPARKS = "▁▂▃▄▅▆▇█"


def months_json(months: list[MonthInfo]) -> list[dict[str, Any]]:
    return [
        {
            "month": m.month,
            "scheme": m.scheme,
            "scheme_digest": m.digest,
            "official": m.official,
            "source": m.source,
            "source_sha256": m.sha256,
            "units": m.units,
            "first": m.leader,
            "recorded_by": m.recorded_by,
            "recorded_at": m.recorded_at,
            "versions": m.versions,
            "version": m.version,
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


def _cell(value: str, limit: int = 60) -> Any:
    """A table cell that is shown literally: never read as Rich markup."""
    from rich.text import Text

    return Text(printable(value, limit))


def print_months(months: list[MonthInfo], console: Any, every_version: bool = False) -> None:
    from rich.table import Table

    title = "历史库中的每一次记录" if every_version else "已记录的月份（每月每个方案的最新一次）"
    table = Table(title=title, title_style="bold")
    heads = ["月份", "方案", "类别", "单位数", "第一名", "来源文件", "记录人", "记录时间（UTC）"]
    if not every_version:
        heads.append("记录次数")
    for head in heads:
        table.add_column(head, justify="right" if head in ("单位数", "记录次数") else "left")
    for m in months:
        source = m.source.replace("\\", "/").rsplit("/", 1)[-1]
        scheme = f"{m.scheme}（{m.digest[:8]}）" if m.digest else m.scheme
        cells = [
            _cell(m.month),
            _cell(scheme),
            _cell("官方" if m.official else "试算"),
            _cell(str(m.units)),
            _cell(m.leader),
            _cell(source),
            _cell(m.recorded_by or "—"),
            _cell(m.recorded_at[:16]),
        ]
        if not every_version:
            cells.append(_cell(str(m.versions)))
        table.add_row(*cells)
    console.print(table)


def print_trend(trend: dict[str, list[RankPoint]], console: Any) -> None:
    """One row per unit: its rank each month with ↑/↓ against the month before, and a sparkline."""
    from rich.table import Table
    from rich.text import Text

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
        cells: list[Any] = []
        for month in months:
            point = by_month.get(month)
            if point is None:
                cells.append("")
                continue
            change = point.rank_change
            mark = "" if not change else (f"↑{change}" if change > 0 else f"↓{-change}")
            style = "green" if change and change > 0 else "red" if change else ""
            cells.append(Text(f"{point.rank}{mark}", style=style))
        ranks = [by_month[m].rank if m in by_month else None for m in months]
        table.add_row(_cell(county), *cells, sparkline(ranks, worst))
    console.print(table)
