"""How much of a ranking is the data and how much the weights (``ipscore robust``).

Monte Carlo over the weights (shared/DOMAIN.md, "Robustness of a ranking"): each run draws a
factor uniformly from [1 − s, 1 + s] for every indicator (numpy's PCG64, so a seed gives the same
runs anywhere), and :class:`~ipscore.scoring.reweight.Runner` scores the table under the
reweighted scheme with every rule of the real one. Per unit: the official rank, the median and
the 5th/95th nearest-rank percentiles of the runs' ranks, the share of runs whose rank (and
grade) differs. Per indicator: the nominal weight, the effective weight
cov(points_i, total) / var(total), and on request the Sobol indices (:mod:`ipscore.scoring.sobol`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from ipscore.base.problems import InputError, Problem
from ipscore.intake.model import DataTable
from ipscore.rules.scheme import Scheme
from ipscore.scoring.reweight import DENOMINATOR, Runner, check_scheme

if TYPE_CHECKING:
    from ipscore.scoring.sobol import SobolIndex

MAX_RUNS = 1_000_000


# --------------------------------------------------------------------------------------------
# Options and draws


def check_options(runs: int, spread: Fraction) -> None:
    """Raise InputError unless 1 ≤ runs ≤ 1 000 000 and 0 ≤ spread < 1."""
    problems = []
    if not 1 <= runs <= MAX_RUNS:
        problems.append(
            Problem("robust-runs", f"模拟次数 --runs 应在 1 到 {MAX_RUNS} 之间，实际为 {runs}")
        )
    if not 0 <= spread < 1:
        problems.append(
            Problem(
                "robust-spread",
                f"权重变动幅度 --spread 应不小于 0 且小于 1（如 0.2 表示 ±20%），实际为 "
                f"{float(spread):g}",
            )
        )
    if problems:
        raise InputError(problems)


def spread_numerator(spread: Fraction) -> int:
    """The spread in units of 1/DENOMINATOR, rounded half up."""
    exact = spread * DENOMINATOR
    return int(exact + Fraction(1, 2))


CHUNK = 10_000  # runs drawn at a time, so a million runs never sit in memory at once


def draw_chunks(
    runs: int, indicators: int, seed: int, spread: Fraction
) -> Iterator[list[list[int]]]:
    """Each run's factor numerators: k = 10^6 + rint((2u − 1)·s·10^6), u uniform in [0, 1).

    One uniform per (run, indicator) from numpy's PCG64 seeded with ``seed``, so a seed gives
    the same factors on any machine, and a wider spread stretches the same draws. The stream
    is read in order, so the chunks are the rows of one big draw.
    """
    import numpy as np

    generator = np.random.Generator(np.random.PCG64(seed))
    half_width = spread_numerator(spread)
    for start in range(0, runs, CHUNK):
        uniform = generator.random((min(CHUNK, runs - start), indicators))
        offsets = np.rint((2 * uniform - 1) * half_width).astype(np.int64)
        yield (offsets + DENOMINATOR).tolist()


def draw(runs: int, indicators: int, seed: int, spread: Fraction) -> list[list[int]]:
    """All the runs' factor numerators at once (see :func:`draw_chunks`)."""
    return [row for chunk in draw_chunks(runs, indicators, seed, spread) for row in chunk]


@dataclass(frozen=True)
class UnitResult:
    """One unit over the runs."""

    county: str
    score: Decimal
    nominal_rank: int
    median_rank: int
    rank_low: int
    rank_high: int
    rank_changes: int
    in_interval: int  # runs with rank_low ≤ rank ≤ rank_high
    nominal_grade: str | None = None
    grade_changes: int | None = None


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator (or the bonus, as one more row): weights and sensitivity."""

    id: str
    name: str
    points: Fraction | None
    nominal_weight: Fraction | None
    effective_weight: Fraction | None
    sobol: SobolIndex | None = None


@dataclass
class Robustness:
    """The whole analysis: per unit, per indicator, and how it was made."""

    scheme: Scheme
    table: DataTable
    runs: int
    seed: int
    spread: Fraction
    units: list[UnitResult]
    indicators: list[IndicatorResult]
    sobol_n: int | None = None
    sobol_evaluations: int | None = None
    warnings: list[Problem] = field(default_factory=list)

    @property
    def annual(self) -> bool:
        return self.scheme.kind == "annual"


def nearest_rank(counts: Sequence[int], runs: int, percent: int) -> int:
    """The nearest-rank percentile of ranks given as counts per rank (counts[0] is rank 1)."""
    need = max(1, -(-percent * runs // 100))
    seen = 0
    for index, count in enumerate(counts):
        seen += count
        if seen >= need:
            return index + 1
    raise ValueError("no runs")


def monte_carlo(runner: Runner, draws: Iterable[Sequence[int]]) -> list[UnitResult]:
    """Per-unit rank percentiles and change shares over the runs."""
    size = runner.size
    counts = [[0] * size for _ in range(size)]
    grade_changes = [0] * size
    nominal_ranks = runner.ranks
    nominal_grades = [n.grade for n in runner.nominal]
    runs = 0
    for numerators in draws:
        runs += 1
        _, ranks, grades = runner.run(numerators)
        for u, rank in enumerate(ranks):
            counts[u][rank - 1] += 1
        if grades is not None:
            for u, grade in enumerate(grades):
                if grade != nominal_grades[u]:
                    grade_changes[u] += 1
    out = []
    for u, nominal in enumerate(runner.nominal):
        low = nearest_rank(counts[u], runs, 5)
        high = nearest_rank(counts[u], runs, 95)
        out.append(
            UnitResult(
                county=nominal.county,
                score=nominal.score,
                nominal_rank=nominal_ranks[u],
                median_rank=nearest_rank(counts[u], runs, 50),
                rank_low=low,
                rank_high=high,
                rank_changes=runs - counts[u][nominal_ranks[u] - 1],
                in_interval=sum(counts[u][low - 1 : high]),
                nominal_grade=nominal.grade,
                grade_changes=grade_changes[u] if nominal.grade is not None else None,
            )
        )
    return out


def effective_weights(runner: Runner) -> list[IndicatorResult]:
    """Nominal and effective weights: cov(points_i, total) / var(total), population moments.

    The bonus of an annual scheme is one more row, so the shares add up to exactly 1; when
    every unit has the same total the shares are undefined (None).
    """
    scheme = runner.scheme
    total_points = sum((i.points for i in scheme.indicators), Fraction(0))
    columns: list[tuple[str, str, Fraction | None, list[Fraction]]] = [
        (i.id, i.name, i.points, [Fraction(n.points[i.id]) for n in runner.nominal])
        for i in scheme.indicators
    ]
    if scheme.kind == "annual" and scheme.bonus is not None:
        columns.append(("bonus", "加分", None, [Fraction(n.bonus or 0) for n in runner.nominal]))
    totals = [Fraction(n.score) for n in runner.nominal]
    size = len(totals)
    mean_total = sum(totals, Fraction(0)) / size
    variance = sum(((t - mean_total) ** 2 for t in totals), Fraction(0)) / size
    out = []
    for iid, name, points, values in columns:
        mean = sum(values, Fraction(0)) / size
        cov = sum(
            ((v - mean) * (t - mean_total) for v, t in zip(values, totals, strict=True)),
            Fraction(0),
        )
        share = cov / size / variance if variance else None
        nominal = points / total_points if points is not None and total_points else None
        out.append(IndicatorResult(iid, name, points, nominal, share))
    return out


def analyse(
    table: DataTable,
    scheme: Scheme,
    *,
    runs: int = 1000,
    seed: int = 1,
    spread: Fraction = Fraction(1, 5),
    sobol: bool = False,
) -> Robustness:
    """Score ``table`` under ``runs`` reweighted copies of ``scheme`` (and Sobol on request)."""
    check_options(runs, spread)
    check_scheme(scheme)
    runner = Runner(table, scheme)
    chunks = draw_chunks(runs, len(scheme.indicators), seed, spread)
    units = monte_carlo(runner, (row for chunk in chunks for row in chunk))
    indicators = effective_weights(runner)
    result = Robustness(
        scheme, table, runs, seed, spread, units, indicators, warnings=runner.warnings
    )
    if sobol:
        from ipscore.scoring.sobol import sobol_indices

        base = 1 << max(0, (runs - 1).bit_length())  # the smallest power of two ≥ runs
        indices, evaluations = sobol_indices(runner, spread, base, seed)
        result.sobol_n, result.sobol_evaluations = base, evaluations
        result.indicators = [
            replace(ind, sobol=indices[n]) if n < len(indices) else ind
            for n, ind in enumerate(indicators)
        ]
    return result
