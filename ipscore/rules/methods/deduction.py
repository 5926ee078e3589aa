"""扣分: the points, less ``each`` per occurrence counted in the field, never below ``floor``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from ipscore.base.numbers import plain
from ipscore.rules.methods.base import Context, Method, Operand, Outcome, Shown, Worked
from ipscore.rules.scheme import Indicator, Scheme
from ipscore.rules.source import Param


@dataclass(frozen=True, kw_only=True)
class Deducted(Outcome):
    value: Fraction  # the count
    raw: Fraction  # points − each × count, before the floor


class Deduction(Method[Deducted]):
    name = "deduction"
    params: ClassVar = {
        "field": Param("field"),
        "each": Param("number", minimum=Fraction(0)),
        "floor": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
    }

    not_above_points: ClassVar = {"floor": "保底分"}

    def describe(self, indicator: Indicator, scheme: Scheme) -> str:
        p = indicator.params
        return (
            f"{plain(indicator.points)} 分起，{scheme.label(indicator.field)} 每次扣 "
            f"{plain(p['each'])} 分，最低 {plain(p['floor'])} 分"
        )

    def score(
        self, indicator: Indicator, operands: Sequence[Operand], context: Context
    ) -> list[Deducted]:
        each: Fraction = indicator.params["each"]
        floor: Fraction = indicator.params["floor"]
        out = []
        for o in operands:
            raw = indicator.points - each * o.value
            out.append(Deducted(exact=max(raw, floor), floored=raw < floor, value=o.value, raw=raw))
        return out

    def explain(self, indicator: Indicator, outcome: Deducted, shown: Shown) -> Worked:
        each, floor = plain(indicator.params["each"]), plain(indicator.params["floor"])
        return Worked(
            f"max({plain(indicator.points)} − {each} × {plain(outcome.value)}, {floor})"
            f" = max({plain(outcome.raw)}, {floor}) → {shown.got}",
            f"保底：扣至 {floor} 分为止" if outcome.floored else "",
        )
