"""目标完成比例: points × min(value ÷ target, cap); the target may follow 序时进度 (× month/12)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from ipscore.base.numbers import plain
from ipscore.rules.methods.base import Context, Method, Operand, Outcome, Shown, Worked, ratio_text
from ipscore.rules.scheme import Indicator, Scheme
from ipscore.rules.source import Param


@dataclass(frozen=True, kw_only=True)
class TargetShare(Outcome):
    value: Fraction  # the unit's value
    target: Fraction  # its target as given (the target field's value, or the fixed number)
    month: int | None  # the month the target was scaled by (序时进度), None when not scaled
    used: Fraction  # the target the value was divided by: target × month/12, or target
    ratio: Fraction | None  # value ÷ used; None when the target used is not above 0


class TargetRatio(Method[TargetShare]):
    name = "target_ratio"
    params: ClassVar = {
        "field": Param("field"),
        "target": Param("target"),
        "schedule": Param("bool", False, required=False),
        "cap": Param("number", Fraction(1), required=False, minimum=Fraction(0)),
    }

    def inputs(self, indicator: Indicator) -> tuple[str, ...]:
        target = indicator.params["target"]
        return (indicator.field, target) if isinstance(target, str) else (indicator.field,)

    def target(self, indicator: Indicator) -> str | Fraction | None:
        target: str | Fraction = indicator.params["target"]
        return target

    def describe(self, indicator: Indicator, scheme: Scheme) -> str:
        p = indicator.params
        target = p["target"]
        target_text = scheme.label(target) if isinstance(target, str) else plain(target)
        if p["schedule"]:
            target_text += " × 月份/12（序时进度）"
        what = scheme.label(indicator.field)
        return f"{plain(indicator.points)} × min({what} ÷ {target_text}, {plain(p['cap'])})"

    def score(
        self, indicator: Indicator, operands: Sequence[Operand], context: Context
    ) -> list[TargetShare]:
        p: Any = indicator.params
        cap: Fraction = p["cap"]
        month = context.month if p["schedule"] and context.month else None
        out = []
        for o in operands:
            target = o.target if o.target is not None else Fraction(0)
            used = target * Fraction(month, 12) if month else target
            ratio = o.value / used if used > 0 else None
            out.append(
                TargetShare(
                    exact=indicator.points * min(ratio, cap) if ratio is not None else Fraction(0),
                    capped=ratio is not None and ratio > cap,
                    value=o.value,
                    target=target,
                    month=month,
                    used=used,
                    ratio=ratio,
                )
            )
        return out

    def explain(self, indicator: Indicator, outcome: TargetShare, shown: Shown) -> Worked:
        cap = plain(indicator.params["cap"])
        note = f"封顶：超过目标，按 {cap} 倍计" if outcome.capped else ""
        if outcome.ratio is None:
            return Worked("目标为 0 → 0 分", note)
        pts = plain(indicator.points)
        target = plain(outcome.target)
        if outcome.month:
            target = f"({target} × {outcome.month}/12)"
        derived = indicator.field in shown.scheme.derived
        value = ratio_text(outcome.value) if derived else plain(outcome.value)
        return Worked(
            f"{pts} × min({value} ÷ {target}, {cap})"
            f" = {pts} × min({ratio_text(outcome.ratio)}, {cap}) → {shown.got}",
            note,
        )
