"""What-if: the same data scored under two rule files, unit by unit.

For each unit: score and rank under the first file (``--rules`` or the default) and under the
second (``--compare``), the change in each, and the indicators whose points moved it. Works for
monthly rankings and annual assessments alike; indicators are matched by id, and an indicator
present in only one file counts as 0 in the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ipscore.rules.units import CITY_WORDS, Words

if TYPE_CHECKING:
    from ipscore.scoring.annual import Assessment
    from ipscore.scoring.score import Ranking


@dataclass(frozen=True)
class Outcome:
    """A unit's result under one rule file: points by item, score, rank (and grade)."""

    county: str
    points: dict[str, Decimal]
    score: Decimal
    rank: int
    grade: str = ""


@dataclass
class CompareRow:
    county: str
    before: Outcome
    after: Outcome
    movers: list[tuple[str, Decimal]]  # (item name, after − before), non-zero, largest first

    @property
    def score_change(self) -> Decimal:
        return self.after.score - self.before.score

    @property
    def rank_change(self) -> int:
        """Places gained (+) or lost (−): before rank − after rank, as 位次变化."""
        return self.before.rank - self.after.rank


@dataclass
class Comparison:
    scheme_before: str
    scheme_after: str
    source_before: str
    source_after: str
    rows: list[CompareRow]
    names: dict[str, str]
    words: Words = CITY_WORDS  # what the units are called (区县, 市): the units file's words


def ranking_outcomes(ranking: Ranking) -> tuple[list[Outcome], dict[str, str]]:
    names = {i.id: i.name for i in ranking.scheme.indicators}
    out = [
        Outcome(r.county, {k: p.points for k, p in r.parts.items()}, r.score, r.rank)
        for r in ranking.rows
    ]
    return out, names


def assessment_outcomes(result: Assessment) -> tuple[list[Outcome], dict[str, str]]:
    names = {i.id: i.name for i in result.scheme.indicators}
    names["bonus"] = "加分"
    out = [
        Outcome(
            r.county,
            {**{k: p.points for k, p in r.parts.items()}, "bonus": r.bonus},
            r.score,
            r.rank,
            r.grade,
        )
        for r in result.rows
    ]
    return out, names


def compare(
    before: tuple[list[Outcome], dict[str, str]],
    after: tuple[list[Outcome], dict[str, str]],
    *,
    schemes: tuple[str, str] = ("", ""),
    sources: tuple[str, str] = ("", ""),
    words: Words = CITY_WORDS,
) -> Comparison:
    """Pair the units of two results; rows in the order of the second (new) ranking."""
    first = {o.county: o for o in before[0]}
    names = {**before[1], **after[1]}
    rows = []
    for new in after[0]:
        old = first.get(new.county)
        if old is None:
            continue
        ids = list(dict.fromkeys([*old.points, *new.points]))
        moves = [
            (names.get(i, i), new.points.get(i, Decimal(0)) - old.points.get(i, Decimal(0)))
            for i in ids
        ]
        moves = sorted((m for m in moves if m[1]), key=lambda m: -abs(m[1]))
        rows.append(CompareRow(new.county, old, new, moves))
    return Comparison(schemes[0], schemes[1], sources[0], sources[1], rows, names, words)
