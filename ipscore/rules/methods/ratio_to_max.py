"""与最大值之比: points × the unit's value ÷ the largest value of all units (0 when it is 0)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from ipscore.base.numbers import plain
from ipscore.rules.methods.base import Context, Method, Operand, Outcome, Shown, Worked, ratio_text
from ipscore.rules.scheme import Indicator, Scheme
from ipscore.rules.source import Param


@dataclass(frozen=True, kw_only=True)
class ShareOfTop(Outcome):
    value: Fraction  # the unit's value
    top: Fraction  # the largest value
    leaders: tuple[str, ...]  # the units holding it, in the operands' order


class RatioToMax(Method[ShareOfTop]):
    name = "ratio_to_max"
    params: ClassVar = {"field": Param("field")}

    def describe(self, indicator: Indicator, scheme: Scheme) -> str:
        what = scheme.label(indicator.field)
        return f"{plain(indicator.points)} × {what} ÷ 各单位中的最大值（最大值为 0 时得 0 分）"

    def score(
        self, indicator: Indicator, operands: Sequence[Operand], context: Context
    ) -> list[ShareOfTop]:
        top = max((o.value for o in operands), default=Fraction(0))
        leaders = tuple(o.county for o in operands if o.value == top)
        return [
            ShareOfTop(
                exact=indicator.points * o.value / top if top > 0 else Fraction(0),
                value=o.value,
                top=top,
                leaders=leaders,
            )
            for o in operands
        ]

    def explain(self, indicator: Indicator, outcome: ShareOfTop, shown: Shown) -> Worked:
        if outcome.top <= 0:
            return Worked(f"各单位{shown.scheme.label(indicator.field)}均为 0 → 0 分")
        # Several units may share the maximum: name the one the ranking lists first.
        order = {county: place for place, county in enumerate(shown.ranked)}
        leader = min(outcome.leaders, key=lambda county: order.get(county, len(order)))
        return Worked(
            f"{plain(indicator.points)} × {plain(outcome.value)} ÷ {plain(outcome.top)}"
            f"（最大值，{leader}） = {ratio_text(outcome.exact)} → {shown.got}"
        )
