"""Applying a scheme to a loaded table: derived figures, indicator points, totals and ranks.

Arithmetic is exact (Fractions) until an indicator's points are rounded with the scheme's
rounding mode; a total is the sum of the rounded points, so a printed table adds up. Ranks are
competition ranks (1, 2, 2, 4) by total, then by the scheme's tie-breaker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from ipscore.base.numbers import growth, round_to
from ipscore.base.period import Period
from ipscore.base.problems import Problem
from ipscore.intake.model import DataTable, Record
from ipscore.rules.scheme import Derived, Indicator, Scheme

Value = Fraction | int | None
# How a unit stands on a field for ranking: (class, value). Class 2 beats every defined value
# (growth from nothing to something), class 0 loses to all (nothing, and nothing last year).
OrderKey = tuple[int, Fraction]


@dataclass(frozen=True)
class Part:
    """An indicator's result for one unit: the exact points, the rounded points, what bit."""

    indicator: str
    exact: Fraction
    points: Decimal
    capped: bool = False
    floored: bool = False
    rank: int | None = None  # for rank points: the unit's place on the indicator's field


@dataclass
class ScoredRow:
    """One unit's figures, points, total and rank."""

    county: str
    record: Record
    derived: dict[str, Fraction | None]
    parts: dict[str, Part]
    score: Decimal
    rank: int = 0
    rank_change: int | None = None

    def value(self, name: str) -> Value:
        if name in self.derived:
            return self.derived[name]
        return self.record.values.get(name)


@dataclass
class Ranking:
    """A scored table: rows sorted by rank (equal ranks in canonical unit order)."""

    scheme: Scheme
    table: DataTable
    rows: list[ScoredRow]
    totals: dict[str, Fraction]
    total_derived: dict[str, Fraction | None]
    previous: Period | None = None
    warnings: list[Problem] = field(default_factory=list)

    @property
    def period(self) -> Period:
        return self.table.period

    @property
    def schedule(self) -> Fraction | None:
        """序时进度 as a fraction of the year (m / 12), None for annual data."""
        month = self.period.month
        return Fraction(month, 12) if month else None

    @property
    def schedule_pct(self) -> Fraction | None:
        return self.schedule * 100 if self.schedule is not None else None

    def behind_schedule(self, row: ScoredRow) -> bool:
        """True when the unit's completion is below 序时进度 (compared unrounded)."""
        completion = row.derived.get("completion_pct")
        schedule = self.schedule_pct
        return completion is not None and schedule is not None and completion < schedule

    def row(self, county: str) -> ScoredRow | None:
        return next((r for r in self.rows if r.county == county), None)


# --------------------------------------------------------------------------------------------
# Derived figures and ordering


def derive(spec: Derived, values: Mapping[str, Fraction | int]) -> Fraction | None:
    """growth(c, b) in percent, or ratio(a, b) × scale; None when undefined."""
    a, b = (values.get(arg) for arg in spec.args)
    if a is None or b is None:
        return None
    if spec.kind == "growth":
        return growth(a, b)
    if b <= 0:
        return None
    return Fraction(a) / Fraction(b) * spec.scale


def order_key(scheme: Scheme, row: ScoredRow, name: str) -> OrderKey:
    """How a unit compares on a field or derived figure, undefined growth placed per DOMAIN."""
    spec = scheme.derived.get(name)
    value = row.value(name)
    if value is not None:
        return (1, Fraction(value))
    if spec is not None and spec.kind == "growth":
        current = row.record.values.get(spec.args[0], 0)
        return (2, Fraction(0)) if current > 0 else (0, Fraction(0))
    return (0, Fraction(0))


def competition_ranks(keys: Sequence[object]) -> list[int]:
    """1 + the number of entries strictly ahead (higher key): 1, 2, 2, 4."""
    return [1 + sum(1 for other in keys if other > key) for key in keys]  # type: ignore[operator]


# --------------------------------------------------------------------------------------------
# Methods


@dataclass(frozen=True)
class _Context:
    scheme: Scheme
    rows: list[ScoredRow]
    period: Period


Method = Callable[[Indicator, _Context], list[tuple[Fraction, bool, bool, int | None]]]


def _numeric(row: ScoredRow, name: str) -> Fraction:
    value = row.value(name)
    return Fraction(value) if value is not None else Fraction(0)


def _ratio_to_max(ind: Indicator, ctx: _Context) -> list[tuple[Fraction, bool, bool, int | None]]:
    values = [_numeric(r, ind.field) for r in ctx.rows]
    top = max(values, default=Fraction(0))
    if top <= 0:
        return [(Fraction(0), False, False, None) for _ in values]
    return [(ind.points * v / top, False, False, None) for v in values]


def _target_ratio(ind: Indicator, ctx: _Context) -> list[tuple[Fraction, bool, bool, int | None]]:
    out = []
    cap = ind.params["cap"]
    for row in ctx.rows:
        target = ind.params["target"]
        target = _numeric(row, target) if isinstance(target, str) else Fraction(target)
        if ind.params["schedule"] and ctx.period.month:
            target = target * Fraction(ctx.period.month, 12)
        if target <= 0:
            out.append((Fraction(0), False, False, None))
            continue
        ratio = _numeric(row, ind.field) / target
        capped = ratio > cap
        out.append((ind.points * min(ratio, cap), capped, False, None))
    return out


def _rank_points(ind: Indicator, ctx: _Context) -> list[tuple[Fraction, bool, bool, int | None]]:
    keys = [order_key(ctx.scheme, r, ind.field) for r in ctx.rows]
    floor = ind.params["floor"]
    out = []
    for rank in competition_ranks(keys):
        raw = ind.points - (rank - 1) * ind.params["step"]
        out.append((max(raw, floor), False, raw < floor, rank))
    return out


def _tiers(ind: Indicator, ctx: _Context) -> list[tuple[Fraction, bool, bool, int | None]]:
    tiers = ind.params["tiers"]
    top = tiers[0][1] if tiers else ind.points
    undefined_positive = ind.params["undefined_positive"]
    out = []
    for row in ctx.rows:
        klass, value = order_key(ctx.scheme, row, ind.field)
        if klass == 2:
            points = undefined_positive if undefined_positive is not None else top
        elif klass == 0:
            points = ind.params["zero"]
        else:
            points = next((p for at, p in tiers if value >= at), ind.params["below"])
        out.append((Fraction(points), False, False, None))
    return out


def _per_item(ind: Indicator, ctx: _Context) -> list[tuple[Fraction, bool, bool, int | None]]:
    cap = ind.params["cap"] if ind.params["cap"] is not None else ind.points
    out = []
    for row in ctx.rows:
        raw = ind.params["each"] * _numeric(row, ind.field)
        out.append((min(raw, cap), raw > cap, False, None))
    return out


def _deduction(ind: Indicator, ctx: _Context) -> list[tuple[Fraction, bool, bool, int | None]]:
    out = []
    for row in ctx.rows:
        raw = ind.points - ind.params["each"] * _numeric(row, ind.field)
        floor = ind.params["floor"]
        out.append((max(raw, floor), False, raw < floor, None))
    return out


METHODS: dict[str, Method] = {
    "ratio_to_max": _ratio_to_max,
    "target_ratio": _target_ratio,
    "rank_points": _rank_points,
    "tiers": _tiers,
    "per_item": _per_item,
    "deduction": _deduction,
}


# --------------------------------------------------------------------------------------------
# Scoring a table


def score(
    table: DataTable,
    scheme: Scheme,
    previous: Ranking | None = None,
) -> Ranking:
    """Score every unit of ``table`` with ``scheme``; ``previous`` fills in rank_change."""
    rows = [
        ScoredRow(
            county=record.county,
            record=record,
            derived={d.id: derive(d, record.values) for d in scheme.derived.values()},
            parts={},
            score=Decimal(0),
        )
        for record in table.records
    ]
    ctx = _Context(scheme, rows, table.period)
    for indicator in scheme.indicators:
        results = METHODS[indicator.method](indicator, ctx)
        for row, (exact, capped, floored, rank) in zip(rows, results, strict=True):
            points = round_to(exact, scheme.decimals, scheme.rounding)
            row.parts[indicator.id] = Part(indicator.id, exact, points, capped, floored, rank)
    for row in rows:
        row.score = sum((p.points for p in row.parts.values()), Decimal(0))

    keys = [(row.score, order_key(scheme, row, scheme.tie_breaker)) for row in rows]
    for row, rank in zip(rows, competition_ranks(keys), strict=True):
        row.rank = rank
    order = {name: i for i, name in enumerate(scheme.units.names)}
    rows.sort(key=lambda r: (r.rank, order.get(r.county, len(order))))

    warnings = list(table.warnings)
    if previous is not None:
        before = {r.county: r.rank for r in previous.rows}
        for row in rows:
            if row.county in before:
                row.rank_change = before[row.county] - row.rank

    totals: dict[str, Fraction] = {}
    for spec in scheme.data_fields:
        present = [r.record.values[spec.id] for r in rows if spec.id in r.record.values]
        totals[spec.id] = sum((Fraction(v) for v in present), Fraction(0))
    total_derived = {d.id: derive(d, totals) for d in scheme.derived.values()}
    return Ranking(
        scheme=scheme,
        table=table,
        rows=rows,
        totals=totals,
        total_derived=total_derived,
        previous=previous.period if previous else None,
        warnings=warnings,
    )
