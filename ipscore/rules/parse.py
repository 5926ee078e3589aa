"""ipscore.rules.parse."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from ipscore.base.problems import Problem, RulesError
from ipscore.rules.grading import parse_bonus, parse_grades, parse_veto
from ipscore.rules.methods import method_for, method_names
from ipscore.rules.scheme import (
    FIELD_TYPES,
    MONTHLY_DERIVED,
    MONTHLY_FIELDS,
    ROUNDING_MODES,
    SCHEME_KINDS,
    Derived,
    FieldSpec,
    Indicator,
    Scheme,
)
from ipscore.rules.source import (
    Param,
    RuleChecker,
    is_rule_number,
    kind_of,
    read_toml,
    short_number,
)
from ipscore.rules.units import units_named


def _parse_fields(data: Any, c: RuleChecker) -> dict[str, FieldSpec]:
    fields: dict[str, FieldSpec] = {}
    for fid, spec in c.table(data, "fields").items():
        place = f"fields.{fid}"
        spec = c.table(spec, place)
        c.unknown_keys(
            spec,
            {"label", "type", "aliases", "required", "positive", "not_below", "excludes"},
            place,
        )
        label = c.text(spec, "label", place, fid) or fid
        ftype = spec.get("type", "count")
        if ftype not in FIELD_TYPES:
            c.add(
                f"{place}.type",
                f"未知的字段类型 {ftype!r}（可用：{'、'.join(FIELD_TYPES)}）",
                "rules-type",
            )
            ftype = "count"
        aliases = spec.get("aliases", [])
        if not isinstance(aliases, list) or not all(
            isinstance(a, str) and a.strip() for a in aliases
        ):
            c.add(f"{place}.aliases", "应为非空文本数组", "rules-type")
            aliases = []
        if not aliases:
            c.add(f"{place}.aliases", "没有任何表头写法，无法在表格中找到此列", "rules-no-alias")
        flags: dict[str, bool] = {}
        for key, default in (("required", ftype not in ("reported",)), ("positive", False)):
            value = spec.get(key, default)
            if not isinstance(value, bool):
                c.add(
                    f"{place}.{key}", f"应为 true 或 false，实际为 {kind_of(value)}", "rules-type"
                )
                value = default
            flags[key] = value
        excludes = spec.get("excludes", [])
        if not isinstance(excludes, list) or not all(isinstance(e, str) and e for e in excludes):
            c.add(f"{place}.excludes", "应为非空文本数组", "rules-type")
            excludes = []
        not_below = spec.get("not_below")
        if not_below is not None and not isinstance(not_below, str):
            c.add(f"{place}.not_below", "应为字段名", "rules-type")
            not_below = None
        fields[fid] = FieldSpec(
            id=fid,
            label=label,
            type=ftype,
            aliases=tuple(aliases),
            required=flags["required"],
            positive=flags["positive"],
            not_below=not_below,
            excludes=tuple(excludes),
        )
    for spec in fields.values():
        if spec.not_below is not None and spec.not_below not in fields:
            c.add(
                f"fields.{spec.id}.not_below",
                f"引用了未定义的字段 {spec.not_below!r}",
                "rules-unknown-field",
            )
    return fields


def _parse_derived(
    data: Any, fields: Mapping[str, FieldSpec], c: RuleChecker
) -> dict[str, Derived]:
    derived: dict[str, Derived] = {}
    for did, spec in c.table(data, "derived").items():
        place = f"derived.{did}"
        spec = c.table(spec, place)
        c.unknown_keys(spec, {"label", "growth", "ratio", "scale"}, place)
        if did in fields:
            c.add(place, "与字段同名", "rules-duplicate")
        kinds = [k for k in ("growth", "ratio") if k in spec]
        if len(kinds) != 1:
            c.add(
                place,
                "应且只应写 growth = [现值, 基数] 或 ratio = [分子, 分母] 之一",
                "rules-missing-key",
            )
            continue
        kind = kinds[0]
        args = spec[kind]
        if not (
            isinstance(args, list) and len(args) == 2 and all(isinstance(a, str) for a in args)
        ):
            c.add(f"{place}.{kind}", "应为两个字段名组成的数组", "rules-type")
            continue
        for arg in args:
            if arg not in fields:
                c.add(f"{place}.{kind}", f"引用了未定义的字段 {arg!r}", "rules-unknown-field")
        scale = c.number(spec, "scale", place, Param("number", Fraction(1), required=False))
        if kind == "growth" and "scale" in spec:
            c.add(f"{place}.scale", "growth 总是百分数，不需要 scale", "rules-unknown-key")
        label = c.text(spec, "label", place, did) or did
        derived[did] = Derived(did, label, kind, (args[0], args[1]), scale or Fraction(1))
    return derived


def _parse_indicator(index: int, spec: Any, known: set[str], c: RuleChecker) -> Indicator | None:
    place = f"indicators[{index + 1}]"
    spec = c.table(spec, place)
    iid = spec.get("id")
    if isinstance(iid, str) and iid.strip():
        place = f"indicators[{iid}]"
    else:
        c.add(f"{place}.id", "缺少指标编号 id（文本）", "rules-missing-key")
        iid = f"#{index + 1}"
    name = spec.get("method")
    if not isinstance(name, str) or name not in method_names():
        shown = "缺少 method" if name is None else f"未知的计分方法 {name!r}"
        c.add(
            f"{place}.method",
            f"{shown}（可用：{'、'.join(method_names())}）",
            "rules-unknown-method",
        )
        every = {key for n in method_names() for key in method_for(n).params}
        c.unknown_keys(spec, {"id", "name", "points", "method", *every}, place)
        return None
    method = method_for(name)
    c.unknown_keys(spec, {"id", "name", "points", "method", *method.params}, place)
    title = c.text(spec, "name", place) or iid
    points = c.number(spec, "points", place, Param("number", minimum=Fraction(0)))
    params = method.read(spec, place, known, c)
    if points is None:
        return None
    method.cross_check(params, points, place, c)
    if any(params[key] is None for key, param in method.params.items() if param.required):
        return None
    return Indicator(iid, title, points, name, params["field"], params)


def parse_scheme(data: Mapping[str, Any], path: Path) -> tuple[Scheme | None, list[Problem]]:
    """Check a parsed rule file; return the scheme (None when unusable) and every problem."""
    c = RuleChecker(path)
    c.unknown_keys(
        data, {"scheme", "fields", "derived", "indicators", "bonus", "grades", "veto"}, ""
    )
    head = c.table(data.get("scheme"), "scheme") if "scheme" in data else {}
    if "scheme" not in data:
        c.add(
            "scheme",
            "缺少 [scheme] 表（名称、类型、总分、舍入、并列规则、单位表）",
            "rules-missing-key",
        )
    c.unknown_keys(
        head,
        {"name", "kind", "year", "total_points", "rounding", "decimals", "tie_breaker", "units"},
        "scheme",
    )
    name = c.text(head, "name", "scheme") or path.stem
    kind = head.get("kind", "monthly")
    if kind not in SCHEME_KINDS:
        c.add("scheme.kind", f"应为 {' 或 '.join(SCHEME_KINDS)}，实际为 {kind!r}", "rules-type")
    year = head.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        c.add("scheme.year", f"应为整数年份，实际为 {kind_of(year)}", "rules-type")
        year = None
    total = c.number(head, "total_points", "scheme", Param("number", minimum=Fraction(0)))
    rounding = head.get("rounding", "half_up")
    if rounding not in ROUNDING_MODES:
        c.add(
            "scheme.rounding",
            f"应为 half_up（四舍五入）或 half_even（四舍六入五成双），实际为 {rounding!r}",
            "rules-type",
        )
        rounding = "half_up"
    decimals = head.get("decimals", 2)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        c.add("scheme.decimals", f"应为 0 到 6 的整数，实际为 {kind_of(decimals)}", "rules-type")
        decimals = 2

    units = units_named(head.get("units", "units.toml"), "scheme.units", path, c)

    fields = _parse_fields(data.get("fields", {}), c)
    unit_fields = [f for f in fields.values() if f.type == "unit"]
    if len(unit_fields) != 1:
        c.add("fields", '应有且只有一个 type = "unit" 的字段（单位名称列）', "rules-missing-key")
    derived = _parse_derived(data.get("derived", {}), fields, c)
    known = {fid for fid, f in fields.items() if f.type not in ("unit", "reported")} | set(derived)

    tie = head.get("tie_breaker")
    if not isinstance(tie, str):
        c.add("scheme.tie_breaker", '缺少并列时的比较字段（如 "ytd_apps"）', "rules-missing-key")
    elif tie not in known:
        c.add("scheme.tie_breaker", f"引用了未定义的字段 {tie!r}", "rules-unknown-field")

    raw_indicators = data.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        c.add("indicators", "应至少有一个指标（[[indicators]]）", "rules-missing-key")
        raw_indicators = []
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for index, spec in enumerate(raw_indicators):
        indicator = _parse_indicator(index, spec, known, c)
        if indicator is None:
            continue
        if indicator.id in seen:
            c.add(f"indicators[{indicator.id}].id", "指标编号重复", "rules-duplicate")
        seen.add(indicator.id)
        indicators.append(indicator)

    # The points sum is checked even when some indicator has other problems, as long as every
    # indicator states its points as a number (the total excludes any bonus).
    raw_points = [spec.get("points") if isinstance(spec, dict) else None for spec in raw_indicators]
    if total is not None and raw_points and all(is_rule_number(p) for p in raw_points):
        summed = sum((Fraction(str(p)) for p in raw_points), Fraction(0))
        if summed != total:
            c.add(
                "scheme.total_points",
                f"各指标分值之和为 {short_number(summed)}，与方案总分 {short_number(total)} 不符",
                "rules-points-sum",
            )

    if kind == "monthly":
        for key in ("bonus", "grades", "veto"):
            if key in data:
                c.add(key, '只有年度方案（kind = "annual"）才能设置加分、等次或一票否决')
        for fid in MONTHLY_FIELDS:
            if fid not in fields:
                c.add(f"fields.{fid}", "月度方案必须定义此字段", "rules-missing-key")
        for did in MONTHLY_DERIVED:
            if did not in derived:
                c.add(f"derived.{did}", "月度方案必须定义此派生指标", "rules-missing-key")

    bonus = parse_bonus(data["bonus"], fields, c) if "bonus" in data else None
    grades = parse_grades(data["grades"], c) if "grades" in data else None
    veto = parse_veto(data["veto"], fields, grades, c) if "veto" in data else None

    if c.problems or units is None or total is None or not isinstance(tie, str):
        return None, c.problems
    scheme = Scheme(
        name=name,
        kind=kind,
        year=year,
        total_points=total,
        rounding=rounding,
        decimals=decimals,
        tie_breaker=tie,
        fields=fields,
        derived=derived,
        indicators=tuple(indicators),
        units=units,
        source=path,
        bonus=bonus,
        grades=grades,
        veto=veto,
    )
    return scheme, []


def check_scheme_file(path: Path) -> list[Problem]:
    """Every problem of a rule file, or an empty list when it is usable."""
    try:
        data = read_toml(path)
    except RulesError as exc:
        return exc.problems
    return parse_scheme(data, path)[1]
