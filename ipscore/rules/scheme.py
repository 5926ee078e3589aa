"""What a checked rule file is: the scheme, its fields, derived figures, indicators and grading.

A rule file is never executed: it is parsed by a TOML parser, every key is checked against the
vocabulary (:mod:`ipscore.rules.parse`, and the methods in :mod:`ipscore.rules.methods`), and
every problem is reported at once with its place (``indicators[growth].step``) so an analyst can
fix a copy in one pass. :func:`load_scheme` raises :class:`RulesError` with that
list; :func:`check_scheme_file` returns it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ipscore.base.numbers import Rounding
from ipscore.rules.units import UnitList

FIELD_TYPES = ("unit", "count", "number", "flag", "reported")
SCHEME_KINDS = ("monthly", "annual")
ROUNDING_MODES: tuple[Rounding, ...] = ("half_up", "half_even")
# What a monthly scheme must declare: the JSON contract and the circular name these ids.
MONTHLY_FIELDS = ("county", "month_apps", "ytd_apps", "ytd_apps_last_year", "annual_target")
MONTHLY_DERIVED = ("growth_pct", "completion_pct")


@dataclass(frozen=True)
class FieldSpec:
    """A column the data sheet may or must have."""

    id: str
    label: str
    type: str
    aliases: tuple[str, ...]
    required: bool = True
    positive: bool = False
    not_below: str | None = None
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Derived:
    """A figure computed from fields: growth(c, b) or ratio(a, b) × scale."""

    id: str
    label: str
    kind: str  # "growth" or "ratio"
    args: tuple[str, str]
    scale: Fraction = Fraction(1)


@dataclass(frozen=True)
class Indicator:
    """One scored item: its points, its method (a name in :mod:`ipscore.rules.methods`) and the
    method's parameters as the method read them."""

    id: str
    name: str
    points: Fraction
    method: str
    field: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class BonusItem:
    """One kind of bonus: ``each`` points per unit of ``field`` (e.g. 3 per national honour)."""

    id: str
    name: str
    field: str
    each: Fraction


@dataclass(frozen=True)
class Bonus:
    """加分: the items and the cap on their sum."""

    cap: Fraction
    items: tuple[BonusItem, ...]


@dataclass(frozen=True)
class GradeBand:
    """A grade reached at ``at`` points; ``quota`` limits it to rank ≤ floor(quota × units)."""

    name: str
    at: Fraction
    quota: Fraction | None = None


@dataclass(frozen=True)
class Grades:
    """Grade bands from the highest down, and the grade below them all."""

    bands: tuple[GradeBand, ...]
    otherwise: str


@dataclass(frozen=True)
class Veto:
    """一票否决: when the flag ``field`` is 是, the grade is ``grade`` whatever the score."""

    field: str
    grade: str


@dataclass(frozen=True)
class Scheme:
    """A whole scoring scheme, checked and ready to apply."""

    name: str
    kind: str
    year: int | None
    total_points: Fraction
    rounding: Rounding
    decimals: int
    tie_breaker: str
    fields: Mapping[str, FieldSpec]
    derived: Mapping[str, Derived]
    indicators: tuple[Indicator, ...]
    units: UnitList
    source: Path
    bonus: Bonus | None = None
    grades: Grades | None = None
    veto: Veto | None = None

    @property
    def data_fields(self) -> list[FieldSpec]:
        """The fields read from the sheet and used by scoring (not the reported ones)."""
        return [f for f in self.fields.values() if f.type not in ("unit", "reported")]

    def label(self, name: str) -> str:
        """A field's or derived figure's Chinese label (the name itself when it is neither)."""
        if name in self.fields:
            return self.fields[name].label
        if name in self.derived:
            return self.derived[name].label
        return name
