"""The annual parts of a scheme: the bonus, the grade bands with their quota, and the veto."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from itertools import pairwise
from typing import Any

from ipscore.rules.scheme import Bonus, BonusItem, FieldSpec, GradeBand, Grades, Veto
from ipscore.rules.source import Param, RuleChecker, short_number


def parse_bonus(data: Any, fields: Mapping[str, FieldSpec], c: RuleChecker) -> Bonus | None:
    head = c.table(data, "bonus")
    c.unknown_keys(head, {"cap", "items"}, "bonus")
    cap = c.number(head, "cap", "bonus", Param("number", minimum=Fraction(0)))
    raw = head.get("items")
    if not isinstance(raw, list) or not raw:
        c.add("bonus.items", "应至少有一个加分项（[[bonus.items]]）", "rules-missing-key")
        raw = []
    items: list[BonusItem] = []
    for index, spec in enumerate(raw):
        place = f"bonus.items[{index + 1}]"
        spec = c.table(spec, place)
        bid = spec.get("id")
        if isinstance(bid, str) and bid.strip():
            place = f"bonus.items[{bid}]"
        else:
            c.add(f"{place}.id", "缺少加分项编号 id（文本）", "rules-missing-key")
            bid = f"#{index + 1}"
        c.unknown_keys(spec, {"id", "name", "field", "each"}, place)
        name = c.text(spec, "name", place) or bid
        fid = spec.get("field")
        if not isinstance(fid, str):
            c.add(f"{place}.field", "缺少此项（应为字段名）", "rules-missing-key")
        elif fid not in fields or fields[fid].type in ("unit", "reported"):
            c.add(
                f"{place}.field",
                f"引用了未定义的字段 {fid!r}（没有任何表头别名定义它）",
                "rules-unknown-field",
            )
        each = c.number(spec, "each", place, Param("number", minimum=Fraction(0)))
        if isinstance(fid, str) and each is not None:
            items.append(BonusItem(bid, name, fid, each))
    if cap is None:
        return None
    return Bonus(cap, tuple(items))


def parse_grades(data: Any, c: RuleChecker) -> Grades | None:
    head = c.table(data, "grades")
    c.unknown_keys(head, {"bands", "otherwise"}, "grades")
    otherwise = c.text(head, "otherwise", "grades", "不合格") or "不合格"
    raw = head.get("bands")
    if not isinstance(raw, list) or not raw:
        c.add(
            "grades.bands",
            '应为非空数组，如 [{ name = "优秀", at = 90, quota = 0.3 }, '
            '{ name = "良好", at = 80 }]',
            "rules-type",
        )
        return None
    bands: list[GradeBand] = []
    for index, spec in enumerate(raw):
        place = f"grades.bands[{index + 1}]"
        spec = c.table(spec, place)
        c.unknown_keys(spec, {"name", "at", "quota"}, place)
        name = c.text(spec, "name", place)
        at = c.number(spec, "at", place, Param("number", minimum=Fraction(0)))
        quota = c.number(spec, "quota", place, Param("number", None, required=False))
        if quota is not None and not 0 < quota <= 1:
            c.add(f"{place}.quota", f"名额比例应大于 0 且不超过 1，实际为 {quota}", "rules-range")
        if name is not None and at is not None:
            bands.append(GradeBand(name, at, quota))
    for first, second in pairwise(bands):
        if second.at >= first.at:
            c.add(
                "grades.bands",
                f"等次应按分数线从高到低排列（{first.name} {short_number(first.at)} 之后是 "
                f"{second.name} {short_number(second.at)}）",
                "rules-tiers-order",
            )
    names = [b.name for b in bands] + [otherwise]
    if len(set(names)) != len(names):
        c.add("grades.bands", "等次名称重复", "rules-duplicate")
    return Grades(tuple(bands), otherwise)


def parse_veto(
    data: Any, fields: Mapping[str, FieldSpec], grades: Grades | None, c: RuleChecker
) -> Veto | None:
    head = c.table(data, "veto")
    c.unknown_keys(head, {"field", "grade"}, "veto")
    fid = head.get("field")
    default_grade = grades.otherwise if grades else "不合格"
    grade = c.text(head, "grade", "veto", default_grade) or default_grade
    if not isinstance(fid, str):
        c.add("veto.field", "缺少此项（应为“是/否”字段名）", "rules-missing-key")
        return None
    if fid not in fields:
        c.add("veto.field", f"引用了未定义的字段 {fid!r}", "rules-unknown-field")
        return None
    if fields[fid].type != "flag":
        c.add("veto.field", f'字段 {fid!r} 应为 type = "flag"（是/否）', "rules-type")
    return Veto(fid, grade)
