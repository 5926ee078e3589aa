"""Applying a scheme to a loaded table: derived figures, indicator points, totals and ranks.

Each indicator's points come from its method (:mod:`ipscore.rules.methods`), given one operand
per unit; the outcome it returns is kept in the unit's :class:`Part` for ``explain``.
Arithmetic is exact (Fractions) until an indicator's points are rounded with the scheme's
rounding mode; a total is the sum of the rounded points, so a printed table adds up. Ranks are
competition ranks (1, 2, 2, 4) by total, then by the scheme's tie-breaker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from ipscore.base.numbers import growth, round_to
from ipscore.base.period import Period
from ipscore.base.problems import Problem
from ipscore.intake.model import DataTable, Record
from ipscore.rules.methods import method_for
from ipscore.rules.methods.base import (
    DEFINED,
    FROM_NOTHING,
    UNDEFINED,
    Context,
    Operand,
    OrderKey,
    Outcome,
    competition_ranks,
)
from ipscore.rules.scheme import Derived, Indicator, Scheme

Value = Fraction | int | None


@dataclass(frozen=True)
class Part:
    """An indicator's result for one unit: the rounded points, and the method's outcome (the
    exact points and every number that made them, which ``explain`` shows)."""

    indicator: str
    points: Decimal
    outcome: Outcome

    @property
    def exact(self) -> Fraction:
        return self.outcome.exact

    @property
    def capped(self) -> bool:
        return self.outcome.capped

    @property
    def floored(self) -> bool:
        return self.outcome.floored

    @property
    def rank(self) -> int | None:
        """For a method that ranks: the unit's place on the indicator's field."""
        return self.outcome.rank


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
        return (DEFINED, Fraction(value))
    if spec is not None and spec.kind == "growth":
        current = row.record.values.get(spec.args[0], 0)
        return (FROM_NOTHING, Fraction(0)) if current > 0 else (UNDEFINED, Fraction(0))
    return (UNDEFINED, Fraction(0))


def _operands(scheme: Scheme, rows: list[ScoredRow], indicator: Indicator) -> list[Operand]:
    """What the indicator's method sees of each unit: value, standing and target."""
    target = method_for(indicator.method).target(indicator)
    return [
        Operand(
            county=row.county,
            value=_numeric(row, indicator.field),
            key=order_key(scheme, row, indicator.field),
            target=_numeric(row, target) if isinstance(target, str) else target,
        )
        for row in rows
    ]


def _numeric(row: ScoredRow, name: str) -> Fraction:
    value = row.value(name)
    return Fraction(value) if value is not None else Fraction(0)


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
    context = Context(month=table.period.month)
    for indicator in scheme.indicators:
        method = method_for(indicator.method)
        outcomes = method.score(indicator, _operands(scheme, rows, indicator), context)
        for row, outcome in zip(rows, outcomes, strict=True):
            points = round_to(outcome.exact, scheme.decimals, scheme.rounding)
            row.parts[indicator.id] = Part(indicator.id, points, outcome)
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
