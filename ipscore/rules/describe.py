"""ipscore.rules.describe."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from ipscore.base.numbers import fmt
from ipscore.rules.scheme import Indicator, Scheme

if TYPE_CHECKING:
    pass
from ipscore.base.numbers import plain


def ratio_text(value: Fraction) -> str:
    """An unrounded intermediate, to 4 places (so a reader sees it is not yet rounded)."""
    return fmt(value, 4)


def label(scheme: Scheme, name: str) -> str:
    """A field's or derived figure's Chinese label."""
    if name in scheme.fields:
        return scheme.fields[name].label
    if name in scheme.derived:
        return scheme.derived[name].label
    return name


def describe_indicator(scheme: Scheme, ind: Indicator) -> str:
    """An indicator's method in words, e.g. ``15 × min(发明专利申请量 ÷ 发明专利申请目标, 1)``."""
    p = ind.params
    pts = plain(ind.points)
    what = label(scheme, ind.field)
    if ind.method == "ratio_to_max":
        return f"{pts} × {what} ÷ 各单位中的最大值（最大值为 0 时得 0 分）"
    if ind.method == "target_ratio":
        target = p["target"]
        target_text = label(scheme, target) if isinstance(target, str) else plain(target)
        if p["schedule"]:
            target_text += " × 月份/12（序时进度）"
        return f"{pts} × min({what} ÷ {target_text}, {plain(p['cap'])})"
    if ind.method == "rank_points":
        return (
            f"按{what}排名：第 1 名 {pts} 分，每低一个位次减 {plain(p['step'])} 分，"
            f"最低 {plain(p['floor'])} 分；并列同分"
        )
    if ind.method == "tiers":
        steps = "；".join(f"≥ {plain(at)} 得 {plain(points)} 分" for at, points in p["tiers"])
        top = p["undefined_positive"]
        top = top if top is not None else (p["tiers"][0][1] if p["tiers"] else ind.points)
        return (
            f"{what}：{steps}；其余 {plain(p['below'])} 分；"
            f"基数为 0 而本期大于 0 得 {plain(top)} 分，两者均为 0 得 {plain(p['zero'])} 分"
        )
    if ind.method == "per_item":
        cap = p["cap"] if p["cap"] is not None else ind.points
        return f"{what} 每项 {plain(p['each'])} 分，最高 {plain(cap)} 分"
    if ind.method == "deduction":
        return f"{pts} 分起，{what} 每次扣 {plain(p['each'])} 分，最低 {plain(p['floor'])} 分"
    return ind.method  # pragma: no cover - the rule checker admits only the methods above
