"""The annual county work assessment (区县工作考核): indicators, bonus, total, rank, grade.

The indicators are scored by :func:`ipscore.scoring.score` with the scheme's methods; this
module adds what only an annual scheme has. Every figure follows shared/DOMAIN.md:

- base = the sum of the rounded indicator points;
- bonus = min(Σ each × count over the bonus items, cap), rounded like the points;
- score = base + bonus; rank = competition rank by score, then by the tie-breaker;
- grade = the first band whose line the score reaches; a band with a quota (优秀) also needs
  rank ≤ floor(quota × units). Units tied at the cutoff share the rank, so they all pass the
  test "rank ≤ floor(...)" (DOMAIN's wording taken literally: ranks 1, 2, 3, 3 give four
  优秀). A unit that misses the quota falls to the next band its score reaches;
- 一票否决 (veto = 是): the veto grade whatever the score; the score and rank are unchanged,
  and the vetoed unit still holds its rank, so it does not hand its 优秀 place to the next.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from ipscore.base.numbers import round_to
from ipscore.base.period import Period
from ipscore.base.problems import Problem
from ipscore.intake.model import DataTable
from ipscore.rules.scheme import Scheme
from ipscore.scoring.score import Part, ScoredRow, competition_ranks, order_key, score


@dataclass
class AnnualRow:
    """One unit's assessment."""

    scored: ScoredRow
    base: Decimal
    bonus_items: dict[str, Fraction]
    bonus_raw: Fraction
    bonus: Decimal
    score: Decimal
    rank: int = 0
    grade: str = ""
    vetoed: bool = False
    quota_missed: bool = False  # reached a quota band's line but not its rank cutoff
    bonus_capped: bool = False

    @property
    def county(self) -> str:
        return self.scored.county

    @property
    def parts(self) -> dict[str, Part]:
        return self.scored.parts


@dataclass
class Assessment:
    """A whole year's assessment: rows sorted by rank (equal ranks in canonical unit order)."""

    scheme: Scheme
    table: DataTable
    rows: list[AnnualRow]
    warnings: list[Problem] = field(default_factory=list)

    @property
    def period(self) -> Period:
        return self.table.period

    @property
    def year(self) -> int:
        return self.table.period.year

    def row(self, county: str) -> AnnualRow | None:
        return next((r for r in self.rows if r.county == county), None)

    def quota_count(self, quota: Fraction) -> int:
        """How many ranks a quota band admits: floor(quota × units)."""
        return math.floor(quota * len(self.rows))


def assess(table: DataTable, scheme: Scheme) -> Assessment:
    """Score, total, rank and grade every unit of an annual table."""
    ranking = score(table, scheme)
    rows: list[AnnualRow] = []
    for scored in ranking.rows:
        base = sum((p.points for p in scored.parts.values()), Decimal(0))
        items: dict[str, Fraction] = {}
        raw = Fraction(0)
        if scheme.bonus is not None:
            for item in scheme.bonus.items:
                value = Fraction(scored.record.values.get(item.field, 0))
                items[item.id] = item.each * value
            raw = sum(items.values(), Fraction(0))
            bonus = round_to(min(raw, scheme.bonus.cap), scheme.decimals, scheme.rounding)
        else:
            bonus = Decimal(0)
        vetoed = scheme.veto is not None and bool(scored.record.values.get(scheme.veto.field))
        capped = scheme.bonus is not None and raw > scheme.bonus.cap
        rows.append(
            AnnualRow(
                scored, base, items, raw, bonus, base + bonus, vetoed=vetoed, bonus_capped=capped
            )
        )

    keys = [(r.score, order_key(scheme, r.scored, scheme.tie_breaker)) for r in rows]
    for row, rank in zip(rows, competition_ranks(keys), strict=True):
        row.rank = rank
        row.scored.score = row.score
        row.scored.rank = rank
    order = {name: i for i, name in enumerate(scheme.units.names)}
    rows.sort(key=lambda r: (r.rank, order.get(r.county, len(order))))

    result = Assessment(scheme, table, rows, list(ranking.warnings))
    for row in rows:
        row.grade, row.quota_missed = _grade(result, row)
    return result


def _grade(result: Assessment, row: AnnualRow) -> tuple[str, bool]:
    scheme = result.scheme
    if scheme.grades is None:
        return "", False
    missed = False
    grade = scheme.grades.otherwise
    for band in scheme.grades.bands:
        if row.score < band.at:
            continue
        if band.quota is not None and row.rank > result.quota_count(band.quota):
            missed = True
            continue
        grade = band.name
        break
    if row.vetoed and scheme.veto is not None:
        return scheme.veto.grade, missed
    return grade, missed
