"""分档计分: the points of the highest tier whose threshold the value reaches, ``below`` under
them all; growth from nothing and nothing in both years have their own points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any, ClassVar

from ipscore.base.numbers import fmt, plain
from ipscore.rules.methods.base import (
    FROM_NOTHING,
    UNDEFINED,
    Context,
    Method,
    Operand,
    Outcome,
    Shown,
    Worked,
)
from ipscore.rules.scheme import Indicator, Scheme
from ipscore.rules.source import Param, RuleChecker

Tier = tuple[Fraction, Fraction]  # (threshold, points)


@dataclass(frozen=True, kw_only=True)
class Tiered(Outcome):
    klass: int  # the unit's OrderKey class on the field
    value: Fraction  # its value (for a defined one)
    tier: Tier | None  # the tier reached; None: below them all, or an undefined value


class Tiers(Method[Tiered]):
    name = "tiers"
    params: ClassVar = {
        "field": Param("field"),
        "tiers": Param("tiers"),
        "below": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
        "undefined_positive": Param("number", None, required=False, minimum=Fraction(0)),
        "zero": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
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
        if param.kind != "tiers":
            return super().read_param(spec, key, param, place, known, c)
        return _read_tiers(spec.get(key), f"{place}.{key}", c)

    def cross_check(
        self, params: Mapping[str, Any], points: Fraction, place: str, c: RuleChecker
    ) -> None:
        for at, tier_points in params["tiers"]:
            if tier_points > points:
                c.add(
                    f"{place}.tiers",
                    f"门槛 {plain(at)} 的分值 {plain(tier_points)} 高于满分 {plain(points)}",
                    "rules-range",
                )

    def describe(self, indicator: Indicator, scheme: Scheme) -> str:
        p = indicator.params
        steps = "；".join(f"≥ {plain(at)} 得 {plain(points)} 分" for at, points in p["tiers"])
        return (
            f"{scheme.label(indicator.field)}：{steps}；其余 {plain(p['below'])} 分；"
            f"基数为 0 而本期大于 0 得 {plain(self._from_nothing(indicator))} 分，"
            f"两者均为 0 得 {plain(p['zero'])} 分"
        )

    def score(
        self, indicator: Indicator, operands: Sequence[Operand], context: Context
    ) -> list[Tiered]:
        p = indicator.params
        out = []
        for o in operands:
            klass, value = o.key
            tier = None
            if klass == FROM_NOTHING:
                points = self._from_nothing(indicator)
            elif klass == UNDEFINED:
                points = p["zero"]
            else:
                tier = next(((at, pts) for at, pts in p["tiers"] if value >= at), None)
                points = tier[1] if tier is not None else p["below"]
            out.append(Tiered(exact=Fraction(points), klass=klass, value=value, tier=tier))
        return out

    def explain(self, indicator: Indicator, outcome: Tiered, shown: Shown) -> Worked:
        if outcome.klass == FROM_NOTHING:
            return Worked(f"基数为 0 而本期大于 0 → {shown.got}")
        if outcome.klass == UNDEFINED:
            return Worked(f"基数与本期均为 0 → {shown.got}")
        if outcome.tier is None:
            tiers = indicator.params["tiers"]
            lowest = plain(tiers[-1][0]) if tiers else "0"
            return Worked(f"{fmt(outcome.value)} < {lowest} → 其余档 {shown.got}")
        return Worked(f"{fmt(outcome.value)} ≥ {plain(outcome.tier[0])} → {shown.got}")

    @staticmethod
    def _from_nothing(indicator: Indicator) -> Fraction:
        """Growth from nothing: ``undefined_positive``, else the top tier's points."""
        given: Fraction | None = indicator.params["undefined_positive"]
        if given is not None:
            return given
        tiers = indicator.params["tiers"]
        top: Fraction = tiers[0][1] if tiers else indicator.points
        return top


def _read_tiers(value: Any, place: str, c: RuleChecker) -> tuple[Tier, ...]:
    if not isinstance(value, list) or not value:
        c.add(
            place,
            "应为非空数组，如 [{ at = 10, points = 10 }, { at = 0, points = 7 }]",
            "rules-type",
        )
        return ()
    tiers: list[Tier] = []
    for index, tier in enumerate(value):
        tplace = f"{place}[{index + 1}]"
        tier = c.table(tier, tplace)
        c.unknown_keys(tier, {"at", "points"}, tplace)
        at = c.number(tier, "at", tplace)
        points = c.number(tier, "points", tplace, Param("number", minimum=Fraction(0)))
        if at is not None and points is not None:
            tiers.append((at, points))
    for (a1, _), (a2, _) in pairwise(tiers):
        if a2 >= a1:
            c.add(
                place,
                f"分档应按门槛从高到低排列且不重叠（{plain(a1)} 之后是 {plain(a2)}）",
                "rules-tiers-order",
            )
    return tuple(tiers)
