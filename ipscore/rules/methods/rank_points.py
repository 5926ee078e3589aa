"""按位次计分: the first place on a field gets the points, each place lower ``step`` less, never
below ``floor``; units equal on the field share the place (competition ranks 1, 2, 2, 4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from ipscore.base.numbers import plain
from ipscore.rules.methods.base import (
    FROM_NOTHING,
    UNDEFINED,
    Context,
    Method,
    Operand,
    Outcome,
    Shown,
    Worked,
    competition_ranks,
)
from ipscore.rules.scheme import Indicator, Scheme
from ipscore.rules.source import Param


@dataclass(frozen=True, kw_only=True)
class Placed(Outcome):
    rank: int
    tied: int  # how many other units share the place
    klass: int  # the unit's OrderKey class on the field
    raw: Fraction  # points − (rank − 1) × step, before the floor


class RankPoints(Method[Placed]):
    name = "rank_points"
    params: ClassVar = {
        "field": Param("field"),
        "step": Param("number", minimum=Fraction(0)),
        "floor": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
    }

    not_above_points: ClassVar = {"floor": "保底分"}

    def describe(self, indicator: Indicator, scheme: Scheme) -> str:
        p = indicator.params
        return (
            f"按{scheme.label(indicator.field)}排名：第 1 名 {plain(indicator.points)} 分，"
            f"每低一个位次减 {plain(p['step'])} 分，最低 {plain(p['floor'])} 分；并列同分"
        )

    def score(
        self, indicator: Indicator, operands: Sequence[Operand], context: Context
    ) -> list[Placed]:
        step: Fraction = indicator.params["step"]
        floor: Fraction = indicator.params["floor"]
        keys = [o.key for o in operands]
        out = []
        for o, rank in zip(operands, competition_ranks(keys), strict=True):
            raw = indicator.points - (rank - 1) * step
            out.append(
                Placed(
                    exact=max(raw, floor),
                    floored=raw < floor,
                    rank=rank,
                    tied=keys.count(o.key) - 1,
                    klass=o.key[0],
                    raw=raw,
                )
            )
        return out

    def explain(self, indicator: Indicator, outcome: Placed, shown: Shown) -> Worked:
        floor = plain(indicator.params["floor"])
        place = f"第 {outcome.rank} 位"
        if outcome.tied:
            place += f"（与 {outcome.tied} 个单位并列）"
        rule = (
            f"{shown.scheme.label(indicator.field)}居{place}：{plain(indicator.points)} − "
            f"({outcome.rank} − 1) × {plain(indicator.params['step'])} = {plain(outcome.raw)}"
            f"，最低 {floor} → {shown.got}"
        )
        notes = []
        if outcome.klass == FROM_NOTHING:
            notes.append("基数为 0 而本期大于 0，排在所有可计算增幅的单位之前")
        elif outcome.klass == UNDEFINED and indicator.field in shown.scheme.derived:
            notes.append("基数与本期均为 0，排在所有单位之后")
        if outcome.floored:
            notes.append(f"保底：按最低 {floor} 分计")
        return Worked(rule, "；".join(notes))
