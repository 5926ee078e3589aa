"""按项计分: ``each`` points per item counted in the field, at most ``cap`` (else the points)."""

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
class Counted(Outcome):
    value: Fraction  # the count
    raw: Fraction  # each × count, before the cap
    cap: Fraction  # the cap that applied


class PerItem(Method[Counted]):
    name = "per_item"
    params: ClassVar = {
        "field": Param("field"),
        "each": Param("number", minimum=Fraction(0)),
        "cap": Param("number", None, required=False, minimum=Fraction(0)),
    }

    not_above_points: ClassVar = {"cap": "上限"}

    def describe(self, indicator: Indicator, scheme: Scheme) -> str:
        each = plain(indicator.params["each"])
        cap = plain(_cap(indicator))
        return f"{scheme.label(indicator.field)} 每项 {each} 分，最高 {cap} 分"

    def score(
        self, indicator: Indicator, operands: Sequence[Operand], context: Context
    ) -> list[Counted]:
        each: Fraction = indicator.params["each"]
        cap = _cap(indicator)
        out = []
        for o in operands:
            raw = each * o.value
            capped = raw > cap
            out.append(Counted(exact=min(raw, cap), capped=capped, value=o.value, raw=raw, cap=cap))
        return out

    def explain(self, indicator: Indicator, outcome: Counted, shown: Shown) -> Worked:
        each, cap = plain(indicator.params["each"]), plain(outcome.cap)
        return Worked(
            f"min({each} × {plain(outcome.value)}, {cap})"
            f" = min({plain(outcome.raw)}, {cap}) → {shown.got}",
            f"封顶：最高 {cap} 分" if outcome.capped else "",
        )


def _cap(indicator: Indicator) -> Fraction:
    cap: Fraction | None = indicator.params["cap"]
    return cap if cap is not None else indicator.points
