"""A year of the stored trend: each unit's rank month by month, in one year only.

A trend never crosses a year boundary: a year's ranking starts again in January (new targets,
new year-to-date counts), so the months shown are those of one year, and a rank change is only
ever against the month before in the same year (January has none).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ipscore.base.problems import InputError, Problem
from ipscore.store.history import RankPoint


@dataclass(frozen=True)
class UnitTrend:
    """One unit's months of the year: its stored points, and its change against the month
    before in the same year (None for January or after a month without a ranking)."""

    county: str
    points: dict[int, RankPoint]
    changes: dict[int, int | None]


@dataclass
class YearTrend:
    scheme: str
    year: int
    months: list[int]
    units: list[UnitTrend]
    other_years: list[int] = field(default_factory=list)


def _year(month: str) -> int:
    return int(month.partition("-")[0])


def _number(month: str) -> int:
    return int(month.partition("-")[2])


def year_trend(
    trend: dict[str, list[RankPoint]], scheme: str, year: int | None = None
) -> YearTrend | None:
    """The stored trend of ``year`` (the latest year when None); None when nothing is stored.
    A year that is not stored is an error naming the years that are."""
    years = sorted({_year(p.month) for points in trend.values() for p in points})
    if not years:
        return None
    chosen = years[-1] if year is None else year
    if chosen not in years:
        listed = "、".join(str(y) for y in years)
        raise InputError(
            [
                Problem(
                    "trend-year", f"历史库中没有 {chosen} 年的排名（有：{listed}）", field="--year"
                )
            ]
        )
    units = []
    for county, points in trend.items():
        mine = {_number(p.month): p for p in points if _year(p.month) == chosen}
        if not mine:
            continue
        changes = {
            month: (mine[month - 1].rank - point.rank if month - 1 in mine else None)
            for month, point in mine.items()
        }
        units.append(UnitTrend(county, mine, changes))
    months = sorted({m for unit in units for m in unit.points})
    return YearTrend(scheme, chosen, months, units, [y for y in years if y != chosen])
