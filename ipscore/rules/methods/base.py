"""What a scoring method is, and the registry that makes the methods the rule language's words.

A method states, side by side in one class:

- ``params``: its parameters in the rule file (kind, default, minimum), read by :meth:`read`,
  and :meth:`cross_check` for the checks between a parameter and the indicator's points;
- :meth:`describe`: the rule in Chinese words (``ipscore rules show``);
- :meth:`score`: every unit's exact points from one :class:`Operand` per unit, returned as one
  :class:`Outcome` per unit that carries every number the score used (ranks, ties, maxima,
  targets, the value before a cap or floor);
- :meth:`explain`: the worked arithmetic of one unit (``ipscore explain``), formatted from its
  outcome alone: nothing is recomputed there.

A class registers itself under its ``name`` when its module is imported; the package imports
every module in it, so adding a method is adding one file. Scoring is exact (Fractions); the
rounding to the scheme's decimals happens in :mod:`ipscore.scoring.score`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Generic, TypeVar

from ipscore.base.numbers import fmt, plain
from ipscore.rules.scheme import Indicator, Scheme
from ipscore.rules.source import Param, RuleChecker, kind_of

# How a unit stands on a field for ranking: (class, value). Class 2 beats every defined value
# (growth from nothing to something), class 0 loses to all (nothing, and nothing last year).
OrderKey = tuple[int, Fraction]
UNDEFINED, DEFINED, FROM_NOTHING = 0, 1, 2


def competition_ranks(keys: Sequence[Any]) -> list[int]:
    """1 + the number of entries strictly ahead (higher key): 1, 2, 2, 4."""
    return [1 + sum(1 for other in keys if other > key) for key in keys]


def ratio_text(value: Fraction) -> str:
    """An unrounded intermediate, to 4 places (so a reader sees it is not yet rounded)."""
    return fmt(value, 4)


@dataclass(frozen=True)
class Operand:
    """What a method sees of one unit on an indicator."""

    county: str
    value: Fraction  # the field's value; 0 when the unit has none or it is undefined
    key: OrderKey  # how the unit stands on the field (see OrderKey)
    target: Fraction | None = None  # the unit's target, for a method that names one


@dataclass(frozen=True)
class Context:
    """What a method may need of the period: its month (序时进度), None for a whole year."""

    month: int | None = None


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """One unit's result on one indicator: the exact points and every number that made them.

    Each method extends it with its own numbers; these four are what every reader may ask.
    """

    exact: Fraction
    capped: bool = False
    floored: bool = False
    rank: int | None = None  # the unit's place on the field, for a method that ranks


@dataclass(frozen=True)
class Shown:
    """What :meth:`Method.explain` formats with besides the outcome."""

    scheme: Scheme
    got: str  # the unit's rounded points as printed
    ranked: tuple[str, ...] = ()  # the units in the order of the ranking


@dataclass(frozen=True)
class Worked:
    """A unit's worked arithmetic on one indicator, and a note when a cap or floor bit."""

    rule: str
    note: str = ""


OutcomeT = TypeVar("OutcomeT", bound=Outcome)

_REGISTRY: dict[str, Method[Any]] = {}


class Method(ABC, Generic[OutcomeT]):
    """A scoring method; a subclass with a ``name`` registers one instance of itself."""

    name: ClassVar[str]
    params: ClassVar[Mapping[str, Param]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            return
        if cls.name in _REGISTRY:
            raise TypeError(f"scoring method {cls.name!r} is defined twice")
        if "field" not in cls.params:
            raise TypeError(f"scoring method {cls.name!r} has no 'field' parameter")
        _REGISTRY[cls.name] = cls()

    # -- the rule file --------------------------------------------------------------------------

    def read(
        self, spec: Mapping[str, Any], place: str, known: set[str], c: RuleChecker
    ) -> dict[str, Any]:
        """The parameters of one indicator, each checked; a problem leaves None in its place."""
        return {
            key: self.read_param(spec, key, param, place, known, c)
            for key, param in self.params.items()
        }

    def read_param(
        self,
        spec: Mapping[str, Any],
        key: str,
        param: Param,
        place: str,
        known: set[str],
        c: RuleChecker,
    ) -> Any:
        """One parameter of the kinds every method may use: field, number, bool, target."""
        where = f"{place}.{key}"
        value = spec.get(key)
        if param.kind == "field":
            if not isinstance(value, str):
                shown = "缺少此项（应为字段名）" if value is None else "应为字段名"
                c.add(where, shown, "rules-missing-key")
            elif value not in known:
                c.add(
                    where,
                    f"引用了未定义的字段 {value!r}（没有任何表头别名定义它）",
                    "rules-unknown-field",
                )
            return value
        if param.kind == "number":
            return c.number(spec, key, place, param)
        if param.kind == "bool":
            value = spec.get(key, param.default)
            if not isinstance(value, bool):
                c.add(where, f"应为 true 或 false，实际为 {kind_of(value)}", "rules-type")
                return param.default
            return value
        if param.kind == "target":
            if isinstance(value, str):
                if value not in known:
                    c.add(where, f"引用了未定义的字段 {value!r}", "rules-unknown-field")
                return value
            if value is None:
                c.add(where, "缺少此项（应为目标字段名或数字）", "rules-missing-key")
                return None
            number = c.number(spec, key, place, Param("number"))
            if number is not None and number <= 0:
                c.add(where, "目标值应大于 0", "rules-range")
            return number
        raise TypeError(f"{self.name}: no reader for parameter kind {param.kind!r}")

    # Parameters in points that may not exceed the indicator's own points, with their names in
    # a message (e.g. {"floor": "保底分"}); :meth:`cross_check` checks them.
    not_above_points: ClassVar[Mapping[str, str]] = {}

    def cross_check(
        self, params: Mapping[str, Any], points: Fraction, place: str, c: RuleChecker
    ) -> None:
        """Checks between the parameters and the indicator's points (e.g. floor ≤ points)."""
        for key, what in self.not_above_points.items():
            value = params.get(key)
            if value is not None and value > points:
                c.add(
                    f"{place}.{key}",
                    f"{what} {plain(value)} 高于满分 {plain(points)}",
                    "rules-range",
                )

    # -- scoring --------------------------------------------------------------------------------

    def inputs(self, indicator: Indicator) -> tuple[str, ...]:
        """The fields and derived figures the method reads, in the order a ledger lists them."""
        return (indicator.field,)

    def target(self, indicator: Indicator) -> str | Fraction | None:
        """The field (or the fixed number) each operand's target is taken from; None: no target."""
        return None

    @abstractmethod
    def describe(self, indicator: Indicator, scheme: Scheme) -> str:
        """The rule in words, e.g. ``15 × min(发明专利申请量 ÷ 发明专利申请目标, 1)``."""

    @abstractmethod
    def score(
        self, indicator: Indicator, operands: Sequence[Operand], context: Context
    ) -> list[OutcomeT]:
        """One outcome per operand, in the operands' order."""

    @abstractmethod
    def explain(self, indicator: Indicator, outcome: OutcomeT, shown: Shown) -> Worked:
        """The unit's arithmetic with its numbers filled in, from ``outcome`` alone."""


def registry() -> Mapping[str, Method[Any]]:
    """Every registered method by name (the package imports them all first)."""
    return _REGISTRY
