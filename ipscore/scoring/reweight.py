"""One run of a scheme with reweighted indicators, exact and fast (for ``ipscore robust``).

A run multiplies every indicator's points by a factor k / 10^6 and rescales so the indicators'
points still add up to the scheme's total: with points p_j the run's points are
P_i = p_i·k_i·Σp_j / Σ(p_j·k_j), a Fraction whose sum is the nominal total to the last digit.
Multiplying an indicator's points multiplies every unit's points on it: the method's
point-valued parameters (a rank step and floor, tier points, per-item points and cap, a
deduction and its floor) scale with it, and thresholds, ratios and caps on a ratio do not
(:func:`scaled_scheme`). Every method is then linear in that scale, so a unit's exact points in
a run are its nominal exact points times the scale, rounded with the scheme's rounding.

:class:`Runner` uses that: it scores the table once with the real
:func:`~ipscore.scoring.score.score` / :func:`~ipscore.scoring.annual.assess`, keeps each
unit's exact points, and a run is integer arithmetic in units of 10^-decimals — rounding, sums,
competition ranks with the tie-breaker, grade bands with the quota, veto and the unchanged bonus.
:func:`rescore` runs the full scoring on a scaled scheme; the tests hold the two to each other.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ipscore.base.problems import InputError, Problem
from ipscore.intake.model import DataTable
from ipscore.rules.scheme import Indicator, Scheme
from ipscore.scoring.annual import assess
from ipscore.scoring.score import order_key, score

DENOMINATOR = 10**6  # a factor is k / 10^6: six decimals of the drawn number

# The parameters of each method that are points (they scale with the indicator's points).
POINT_PARAMS: dict[str, tuple[str, ...]] = {
    "ratio_to_max": (),
    "target_ratio": (),
    "rank_points": ("step", "floor"),
    "tiers": ("tiers", "below", "undefined_positive", "zero"),
    "per_item": ("each", "cap"),
    "deduction": ("each", "floor"),
}


def check_scheme(scheme: Scheme) -> None:
    """Raise InputError when the scheme has fewer than two indicators with points to vary."""
    weighted = [i for i in scheme.indicators if i.points > 0]
    unknown = sorted({i.method for i in scheme.indicators} - set(POINT_PARAMS))
    if len(weighted) < 2:
        raise InputError(
            [
                Problem(
                    "robust-indicators",
                    f"方案“{scheme.name}”只有 {len(weighted)} 个有分值的指标；总分不变时唯一指标的"
                    "权重无从变动，稳健性分析至少需要两个指标",
                    file=str(scheme.source),
                )
            ]
        )
    if unknown:  # a method added later must say which of its parameters are points
        raise InputError(
            [
                Problem(
                    "robust-indicators",
                    f"稳健性分析还不支持计分方法 {'、'.join(unknown)}",
                    file=str(scheme.source),
                )
            ]
        )


def scaled_points(scheme: Scheme, numerators: Sequence[int]) -> list[Fraction]:
    """Each indicator's points in a run: p_i·k_i rescaled so the sum is unchanged."""
    points = [i.points for i in scheme.indicators]
    weighted = sum((p * k for p, k in zip(points, numerators, strict=True)), Fraction(0))
    total = sum(points, Fraction(0))
    return [p * k * total / weighted for p, k in zip(points, numerators, strict=True)]


def _scale_param(value: Any, scale: Fraction) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple):  # tiers: ((threshold, points), …)
        return tuple((at, Fraction(points) * scale) for at, points in value)
    return Fraction(value) * scale


def scaled_indicator(indicator: Indicator, points: Fraction) -> Indicator:
    """The indicator worth ``points``, its point-valued parameters scaled alike."""
    if indicator.points == 0:
        return replace(indicator, points=points)
    scale = points / indicator.points
    params = dict(indicator.params)
    for name in POINT_PARAMS[indicator.method]:
        if name in params:
            params[name] = _scale_param(params[name], scale)
    return replace(indicator, points=points, params=params)


def scaled_scheme(scheme: Scheme, numerators: Sequence[int]) -> Scheme:
    """The scheme of one run: every rule of ``scheme``, the indicators reweighted."""
    new = scaled_points(scheme, numerators)
    indicators = tuple(scaled_indicator(i, p) for i, p in zip(scheme.indicators, new, strict=True))
    return replace(scheme, indicators=indicators)


def rescore(
    table: DataTable, scheme: Scheme, numerators: Sequence[int]
) -> dict[str, tuple[Decimal, int, str | None]]:
    """Independent exact rescoring of one run: {county: (total, rank, grade or None)}."""
    run = scaled_scheme(scheme, numerators)
    if scheme.kind == "annual":
        return {r.county: (r.score, r.rank, r.grade) for r in assess(table, run).rows}
    return {r.county: (r.score, r.rank, None) for r in score(table, run).rows}


# --------------------------------------------------------------------------------------------
# The fast run


def half_up(num: int, den: int) -> int:
    if num >= 0:
        return (2 * num + den) // (2 * den)
    return -((-2 * num + den) // (2 * den))


def half_even(num: int, den: int) -> int:
    whole, rest = divmod(num, den)
    if 2 * rest > den or (2 * rest == den and whole % 2):
        return whole + 1
    return whole


@dataclass
class Nominal:
    """The official result of one unit."""

    county: str
    score: Decimal
    rank: int
    grade: str | None
    points: dict[str, Decimal]
    bonus: Decimal | None


class Runner:
    """A table scored once under a scheme, ready to be rescored for any weights in microseconds.

    ``nominal`` holds the official result in official rank order; :meth:`run` returns (totals
    in units of 10^-decimals, ranks, grades or None) in that order.
    """

    def __init__(self, table: DataTable, scheme: Scheme) -> None:
        self.scheme = scheme
        self.table = table
        self.unit = 10**scheme.decimals
        self._round = half_even if scheme.rounding == "half_even" else half_up
        annual = scheme.kind == "annual"
        if annual:
            result = assess(table, scheme)
            rows = [r.scored for r in result.rows]
            self.warnings = list(result.warnings)
            self.nominal = [
                Nominal(
                    r.county,
                    r.score,
                    r.rank,
                    r.grade,
                    {k: p.points for k, p in r.parts.items()},
                    r.bonus,
                )
                for r in result.rows
            ]
            fixed = [int(r.bonus * self.unit) for r in result.rows]
            self.vetoed = [r.vetoed for r in result.rows]
        else:
            ranking = score(table, scheme)
            rows = ranking.rows
            self.warnings = list(ranking.warnings)
            self.nominal = [
                Nominal(
                    r.county, r.score, r.rank, None, {k: p.points for k, p in r.parts.items()}, None
                )
                for r in rows
            ]
            fixed = [0] * len(rows)
            self.vetoed = [False] * len(rows)
        self.fixed = fixed
        self.size = len(rows)
        self.ranks = [n.rank for n in self.nominal]  # the official ranks, in this order
        # Each indicator's exact nominal points per unit as (numerator × 10^d, denominator).
        self.exact: list[tuple[list[int], list[int]]] = []
        for indicator in scheme.indicators:
            parts = [row.parts[indicator.id].exact for row in rows]
            self.exact.append(
                ([p.numerator * self.unit for p in parts], [p.denominator for p in parts])
            )
        # Points as integers over one common denominator: p_j = whole_j / common.
        common = math.lcm(*(i.points.denominator for i in scheme.indicators))
        self.whole = [int(i.points * common) for i in scheme.indicators]
        self.whole_sum = sum(self.whole)
        # The tie-breaker as an integer place (higher is better), fixed across runs.
        keys = [order_key(scheme, row, scheme.tie_breaker) for row in rows]
        places = {key: index for index, key in enumerate(sorted(set(keys)))}
        self.tie = [places[key] for key in keys]
        self.bands: list[tuple[str, Fraction, int | None]] = []
        if annual and scheme.grades is not None:
            for band in scheme.grades.bands:
                cutoff = math.floor(band.quota * self.size) if band.quota is not None else None
                self.bands.append((band.name, band.at * self.unit, cutoff))

    def run(self, numerators: Sequence[int]) -> tuple[list[int], list[int], list[str] | None]:
        """Totals, ranks and grades for one run's factor numerators (one per indicator)."""
        whole_sum = self.whole_sum
        denominator = sum(w * k for w, k in zip(self.whole, numerators, strict=True))
        totals = list(self.fixed)
        round_ = self._round
        for (nums, dens), k, w in zip(self.exact, numerators, self.whole, strict=True):
            if w == 0:
                continue  # a zero-point indicator gives zero points at any weight
            scale = whole_sum * k  # the scale of this run is scale / denominator
            for u in range(self.size):
                totals[u] += round_(nums[u] * scale, dens[u] * denominator)
        size = self.size
        keys = [t * size + p for t, p in zip(totals, self.tie, strict=True)]
        ordered = sorted(keys)
        ranks = [1 + size - bisect.bisect_right(ordered, key) for key in keys]
        if self.scheme.kind != "annual":
            return totals, ranks, None
        return (
            totals,
            ranks,
            [self._grade(t, r, v) for t, r, v in zip(totals, ranks, self.vetoed, strict=True)],
        )

    def _grade(self, total: int, rank: int, vetoed: bool) -> str:
        grades, veto = self.scheme.grades, self.scheme.veto
        if grades is None:
            return ""  # as assess: no bands, no grade (and no veto grade either)
        if vetoed and veto is not None:
            return veto.grade
        for name, at, cutoff in self.bands:
            if total < at or (cutoff is not None and rank > cutoff):
                continue
            return name
        return grades.otherwise
