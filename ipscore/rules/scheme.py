"""Rule files: the unit list and the scoring schemes, read from TOML as plain data.

A rule file is never executed: it is parsed by a TOML parser, every key is checked against the
vocabulary below, and every problem is reported at once with its place (``indicators[growth].step``)
so an analyst can fix a copy in one pass. :func:`load_scheme` raises :class:`RulesError` with that
list; :func:`check_scheme_file` returns it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from ipscore.base.numbers import Rounding
from ipscore.base.problems import Problem
from ipscore.rules.source import Param
from ipscore.rules.units import UnitList

FIELD_TYPES = ("unit", "count", "number", "flag", "reported")
SCHEME_KINDS = ("monthly", "annual")
ROUNDING_MODES: tuple[Rounding, ...] = ("half_up", "half_even")
# What a monthly scheme must declare: the JSON contract and the circular name these ids.
MONTHLY_FIELDS = ("county", "month_apps", "ytd_apps", "ytd_apps_last_year", "annual_target")
MONTHLY_DERIVED = ("growth_pct", "completion_pct")


# --------------------------------------------------------------------------------------------
# The vocabulary of methods: each parameter's kind and default (None = required).


METHODS: dict[str, dict[str, Param]] = {
    "ratio_to_max": {"field": Param("field")},
    "target_ratio": {
        "field": Param("field"),
        "target": Param("target"),
        "schedule": Param("bool", False, required=False),
        "cap": Param("number", Fraction(1), required=False, minimum=Fraction(0)),
    },
    "rank_points": {
        "field": Param("field"),
        "step": Param("number", minimum=Fraction(0)),
        "floor": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
    },
    "tiers": {
        "field": Param("field"),
        "tiers": Param("tiers"),
        "below": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
        "undefined_positive": Param("number", None, required=False, minimum=Fraction(0)),
        "zero": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
    },
    "per_item": {
        "field": Param("field"),
        "each": Param("number", minimum=Fraction(0)),
        "cap": Param("number", None, required=False, minimum=Fraction(0)),
    },
    "deduction": {
        "field": Param("field"),
        "each": Param("number", minimum=Fraction(0)),
        "floor": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
    },
}

METHOD_NAMES_ZH = {
    "ratio_to_max": "与最大值之比",
    "target_ratio": "目标完成比例",
    "rank_points": "按位次计分",
    "tiers": "分档计分",
    "per_item": "按项计分",
    "deduction": "扣分",
}


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
    """One scored item: its points, its method and the method's parameters."""

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
    warnings: tuple[Problem, ...] = field(default=())
    bonus: Bonus | None = None
    grades: Grades | None = None
    veto: Veto | None = None

    @property
    def data_fields(self) -> list[FieldSpec]:
        """The fields read from the sheet and used by scoring (not the reported ones)."""
        return [f for f in self.fields.values() if f.type not in ("unit", "reported")]
