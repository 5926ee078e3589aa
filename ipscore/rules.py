"""Rule files: the unit list and the scoring schemes, read from TOML as plain data.

A rule file is never executed: it is parsed by a TOML parser, every key is checked against the
vocabulary below, and every problem is reported at once with its place (``indicators[growth].step``)
so an analyst can fix a copy in one pass. :func:`load_scheme` raises :class:`RulesError` with that
list; :func:`check_scheme_file` returns it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

from ipscore.numbers import Rounding, normalise_text
from ipscore.problems import Problem, RulesError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

MAX_RULE_FILE_BYTES = 1_000_000
DEFAULT_MONTHLY = "monthly-2019.toml"
DEFAULT_ANNUAL = "annual-2019.toml"

FIELD_TYPES = ("unit", "count", "number", "flag", "reported")
SCHEME_KINDS = ("monthly", "annual")
ROUNDING_MODES: tuple[Rounding, ...] = ("half_up", "half_even")
# What a monthly scheme must declare: the JSON contract and the circular name these ids.
MONTHLY_FIELDS = ("county", "month_apps", "ytd_apps", "ytd_apps_last_year", "annual_target")
MONTHLY_DERIVED = ("growth_pct", "completion_pct")


# --------------------------------------------------------------------------------------------
# The vocabulary of methods: each parameter's kind and default (None = required).


@dataclass(frozen=True)
class Param:
    kind: str  # "field", "number", "target", "bool", "tiers"
    default: Any = None
    required: bool = True
    minimum: Fraction | None = None


METHODS: dict[str, dict[str, Param]] = {
    "ratio_to_max": {"field": Param("field")},
    "target_ratio": {
        "field": Param("field"),
        "target": Param("target"),
        "schedule": Param("bool", False, required=False),
        "cap": Param("number", Fraction(1), required=False, minimum=Fraction(0)),
    },
    "rank_points": {
        "field": Param("field"),
        "step": Param("number", minimum=Fraction(0)),
        "floor": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
    },
    "tiers": {
        "field": Param("field"),
        "tiers": Param("tiers"),
        "below": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
        "undefined_positive": Param("number", None, required=False, minimum=Fraction(0)),
        "zero": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
    },
    "per_item": {
        "field": Param("field"),
        "each": Param("number", minimum=Fraction(0)),
        "cap": Param("number", None, required=False, minimum=Fraction(0)),
    },
    "deduction": {
        "field": Param("field"),
        "each": Param("number", minimum=Fraction(0)),
        "floor": Param("number", Fraction(0), required=False, minimum=Fraction(0)),
    },
}

METHOD_NAMES_ZH = {
    "ratio_to_max": "与最大值之比",
    "target_ratio": "目标完成比例",
    "rank_points": "按位次计分",
    "tiers": "分档计分",
    "per_item": "按项计分",
    "deduction": "扣分",
}


# --------------------------------------------------------------------------------------------
# The parsed scheme.


@dataclass(frozen=True)
class UnitList:
    """The assessed units in canonical order and every spelling that names them."""

    city: str
    names: tuple[str, ...]
    lookup: Mapping[str, str]
    total_labels: frozenset[str]
    ignore_labels: frozenset[str]
    note_prefixes: tuple[str, ...]
    source: str = "units.toml"

    def resolve(self, text: str) -> str | None:
        """The canonical name for a spelling, or None when it names no unit."""
        return self.lookup.get(normalise_text(text))

    def is_total(self, text: str) -> bool:
        return normalise_text(text) in self.total_labels

    def is_ignored(self, text: str) -> bool:
        return normalise_text(text) in self.ignore_labels

    def is_note(self, text: str) -> bool:
        return normalise_text(text).startswith(self.note_prefixes)


@dataclass(frozen=True)
class FieldSpec:
    """A column the data sheet may or must have."""

    id: str
    label: str
    type: str
    aliases: tuple[str, ...]
    required: bool = True
    positive: bool = False
    not_below: str | None = None
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Derived:
    """A figure computed from fields: growth(c, b) or ratio(a, b) × scale."""

    id: str
    label: str
    kind: str  # "growth" or "ratio"
    args: tuple[str, str]
    scale: Fraction = Fraction(1)


@dataclass(frozen=True)
class Indicator:
    """One scored item: its points, its method and the method's parameters."""

    id: str
    name: str
    points: Fraction
    method: str
    field: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class BonusItem:
    """One kind of bonus: ``each`` points per unit of ``field`` (e.g. 3 per national honour)."""

    id: str
    name: str
    field: str
    each: Fraction


@dataclass(frozen=True)
class Bonus:
    """加分: the items and the cap on their sum."""

    cap: Fraction
    items: tuple[BonusItem, ...]


@dataclass(frozen=True)
class GradeBand:
    """A grade reached at ``at`` points; ``quota`` limits it to rank ≤ floor(quota × units)."""

    name: str
    at: Fraction
    quota: Fraction | None = None


@dataclass(frozen=True)
class Grades:
    """Grade bands from the highest down, and the grade below them all."""

    bands: tuple[GradeBand, ...]
    otherwise: str


@dataclass(frozen=True)
class Veto:
    """一票否决: when the flag ``field`` is 是, the grade is ``grade`` whatever the score."""

    field: str
    grade: str


@dataclass(frozen=True)
class Scheme:
    """A whole scoring scheme, checked and ready to apply."""

    name: str
    kind: str
    year: int | None
    total_points: Fraction
    rounding: Rounding
    decimals: int
    tie_breaker: str
    fields: Mapping[str, FieldSpec]
    derived: Mapping[str, Derived]
    indicators: tuple[Indicator, ...]
    units: UnitList
    source: Path
    warnings: tuple[Problem, ...] = field(default=())
    bonus: Bonus | None = None
    grades: Grades | None = None
    veto: Veto | None = None

    @property
    def data_fields(self) -> list[FieldSpec]:
        """The fields read from the sheet and used by scoring (not the reported ones)."""
        return [f for f in self.fields.values() if f.type not in ("unit", "reported")]


# --------------------------------------------------------------------------------------------
# Locating rule files.


def rules_dir() -> Path:
    """Where the bundled rule files are: inside an installed wheel, or at the top of a clone."""
    packaged = Path(__file__).resolve().parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def default_scheme_path(kind: str = "monthly") -> Path:
    """The reference scheme of a kind (the 2019 monthly ranking by default)."""
    names = {"monthly": DEFAULT_MONTHLY, "annual": DEFAULT_ANNUAL}
    return rules_dir() / names[kind]


# --------------------------------------------------------------------------------------------
# Reading TOML safely.


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file as data, refusing oversized or malformed files with a RulesError."""
    shown = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise RulesError([Problem("rules-missing", "规则文件不存在", file=shown)]) from None
    except OSError as exc:
        raise RulesError(
            [Problem("rules-unreadable", f"无法读取规则文件（{exc.strerror}）", file=shown)]
        ) from None
    if not path.is_file():
        raise RulesError([Problem("rules-unreadable", "不是文件", file=shown)])
    if size > MAX_RULE_FILE_BYTES:
        raise RulesError(
            [
                Problem(
                    "rules-too-large",
                    f"规则文件过大（{size} 字节，上限 {MAX_RULE_FILE_BYTES} 字节）",
                    file=shown,
                )
            ]
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulesError(
            [Problem("rules-encoding", "规则文件应为 UTF-8 编码的 TOML", file=shown)]
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"at line (\d+), column (\d+)", str(exc))
        place = f"（第 {where.group(1)} 行第 {where.group(2)} 列）" if where else ""
        raise RulesError(
            [Problem("rules-syntax", f"TOML 语法错误{place}：{exc}", file=shown)]
        ) from None
    except RecursionError:
        raise RulesError([Problem("rules-syntax", "TOML 嵌套层数过深", file=shown)]) from None


# --------------------------------------------------------------------------------------------
# Checking: every problem is collected with its place.


class RuleChecker:
    """Collects the problems of a rule file, each with its place; shared by every rule reader."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)
        self.problems: list[Problem] = []

    def add(self, place: str, message: str, code: str = "rules-invalid") -> None:
        self.problems.append(Problem(code, message, file=self.file, field=place))

    def table(self, data: Any, place: str) -> dict[str, Any]:
        if isinstance(data, dict):
            return data
        self.add(place, f"应为表（table），实际为 {kind_of(data)}")
        return {}

    def text(
        self, data: Mapping[str, Any], key: str, place: str, default: str | None = None
    ) -> str | None:
        value = data.get(key, default)
        if value is None:
            self.add(f"{place}.{key}", "缺少此项（应为文本）", "rules-missing-key")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(f"{place}.{key}", f"应为非空文本，实际为 {kind_of(value)}", "rules-type")
            return None
        return value

    def number(
        self, data: Mapping[str, Any], key: str, place: str, param: Param | None = None
    ) -> Fraction | None:
        default = param.default if param else None
        if key not in data:
            if param is not None and not param.required:
                return default
            self.add(f"{place}.{key}", "缺少此项（应为数字）", "rules-missing-key")
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(f"{place}.{key}", f"应为数字，实际为 {kind_of(value)}", "rules-type")
            return None
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            self.add(f"{place}.{key}", "应为有限的数字", "rules-type")
            return None
        number = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
        minimum = param.minimum if param else None
        if minimum is not None and number < minimum:
            self.add(f"{place}.{key}", f"不能小于 {minimum}，实际为 {value}", "rules-range")
        return number

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], place: str) -> None:
        for key in data:
            if key not in allowed:
                self.add(f"{place}.{key}", "未知的设置项（拼写错误？）", "rules-unknown-key")


def kind_of(value: Any) -> str:
    """How a TOML value is named in a message: 文本 'x', 整数 3, 数组, 表."""
    names = {str: "文本", bool: "布尔值", int: "整数", float: "数字", list: "数组", dict: "表"}
    for typ, name in names.items():
        if type(value) is typ:
            return f"{name} {value!r}" if typ in (str, int, float, bool) else name
    return type(value).__name__


def units_named(value: Any, place: str, rule_file: Path, checker: RuleChecker) -> UnitList | None:
    """The unit list a rule file names at ``place`` (a path relative to the rule file)."""
    if not isinstance(value, str):
        checker.add(place, "应为单位表文件的路径（文本）", "rules-type")
        return None
    units_path = Path(value)
    if not units_path.is_absolute():
        units_path = rule_file.parent / units_path
    return load_units(units_path, checker)


def load_units(path: Path, checker: RuleChecker) -> UnitList | None:
    try:
        data = read_toml(path)
    except RulesError as exc:
        checker.problems.extend(exc.problems)
        return None
    sub = RuleChecker(path)
    sub.unknown_keys(data, {"city", "units"}, "units.toml")
    city = sub.table(data.get("city", {}), "city")
    sub.unknown_keys(city, {"name", "total_labels", "ignore_labels", "note_prefixes"}, "city")
    city_name = sub.text(city, "name", "city", "本市") or "本市"

    def labels(key: str, default: list[str]) -> list[str]:
        value = city.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            sub.add(f"city.{key}", "应为文本数组", "rules-type")
            return default
        return value

    totals = labels("total_labels", ["合计", "全市"])
    ignored = labels("ignore_labels", ["其他"])
    notes = labels("note_prefixes", ["注"])

    units = data.get("units")
    if not isinstance(units, list) or not units:
        sub.add("units", "应至少列出一个单位（[[units]]）", "rules-missing-key")
        units = []
    names: list[str] = []
    lookup: dict[str, str] = {}
    for index, entry in enumerate(units):
        place = f"units[{index + 1}]"
        entry = sub.table(entry, place)
        sub.unknown_keys(entry, {"name", "aliases"}, place)
        name = sub.text(entry, "name", place)
        if name is None:
            continue
        place = f"units[{name}]"
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            sub.add(f"{place}.aliases", "应为文本数组", "rules-type")
            aliases = []
        names.append(name)
        for spelling in [name, *aliases]:
            key = normalise_text(spelling)
            if key in lookup and lookup[key] != name:
                sub.add(
                    f"{place}.aliases",
                    f"“{spelling}”同时是“{lookup[key]}”的名称或别名",
                    "rules-duplicate",
                )
            lookup[key] = name
    if len(set(names)) != len(names):
        sub.add("units", "单位名称重复", "rules-duplicate")
    checker.problems.extend(sub.problems)
    return UnitList(
        city=city_name,
        names=tuple(names),
        lookup=lookup,
        total_labels=frozenset(normalise_text(t) for t in totals),
        ignore_labels=frozenset(normalise_text(t) for t in ignored),
        note_prefixes=tuple(normalise_text(n) for n in notes),
        source=str(path),
    )


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


def _parse_tiers(value: Any, place: str, c: RuleChecker) -> tuple[tuple[Fraction, Fraction], ...]:
    if not isinstance(value, list) or not value:
        c.add(
            place,
            "应为非空数组，如 [{ at = 10, points = 10 }, { at = 0, points = 7 }]",
            "rules-type",
        )
        return ()
    tiers: list[tuple[Fraction, Fraction]] = []
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
                place, f"分档应按门槛从高到低排列且不重叠（{a1} 之后是 {a2}）", "rules-tiers-order"
            )
    return tuple(tiers)


def _parse_indicator(index: int, spec: Any, known: set[str], c: RuleChecker) -> Indicator | None:
    place = f"indicators[{index + 1}]"
    spec = c.table(spec, place)
    iid = spec.get("id")
    if isinstance(iid, str) and iid.strip():
        place = f"indicators[{iid}]"
    else:
        c.add(f"{place}.id", "缺少指标编号 id（文本）", "rules-missing-key")
        iid = f"#{index + 1}"
    method = spec.get("method")
    if method not in METHODS:
        shown = "缺少 method" if method is None else f"未知的计分方法 {method!r}"
        c.add(f"{place}.method", f"{shown}（可用：{'、'.join(METHODS)}）", "rules-unknown-method")
        c.unknown_keys(
            spec,
            {"id", "name", "points", "method", *{p for m in METHODS.values() for p in m}},
            place,
        )
        return None
    params_spec = METHODS[method]
    c.unknown_keys(spec, {"id", "name", "points", "method", *params_spec}, place)
    name = c.text(spec, "name", place) or iid
    points = c.number(spec, "points", place, Param("number", minimum=Fraction(0)))
    params: dict[str, Any] = {}
    for key, param in params_spec.items():
        ppl = f"{place}.{key}"
        if param.kind == "field":
            value = spec.get(key)
            if not isinstance(value, str):
                c.add(
                    ppl,
                    "缺少此项（应为字段名）" if value is None else "应为字段名",
                    "rules-missing-key",
                )
            elif value not in known:
                c.add(
                    ppl,
                    f"引用了未定义的字段 {value!r}（没有任何表头别名定义它）",
                    "rules-unknown-field",
                )
            params[key] = value
        elif param.kind == "number":
            params[key] = c.number(spec, key, place, param)
        elif param.kind == "bool":
            value = spec.get(key, param.default)
            if not isinstance(value, bool):
                c.add(ppl, f"应为 true 或 false，实际为 {kind_of(value)}", "rules-type")
                value = param.default
            params[key] = value
        elif param.kind == "target":
            value = spec.get(key)
            if isinstance(value, str):
                if value not in known:
                    c.add(ppl, f"引用了未定义的字段 {value!r}", "rules-unknown-field")
                params[key] = value
            elif value is None:
                c.add(ppl, "缺少此项（应为目标字段名或数字）", "rules-missing-key")
                params[key] = None
            else:
                number = c.number(spec, key, place, Param("number"))
                if number is not None and number <= 0:
                    c.add(ppl, "目标值应大于 0", "rules-range")
                params[key] = number
        elif param.kind == "tiers":
            params[key] = _parse_tiers(spec.get(key), ppl, c)
    floor = params.get("floor")
    if method == "rank_points" and points is not None and floor is not None and floor > points:
        c.add(f"{place}.floor", f"保底分 {params['floor']} 高于满分 {points}", "rules-range")
    cap = params.get("cap")
    if method == "per_item" and points is not None and cap is not None and cap > points:
        c.add(f"{place}.cap", f"上限 {_plain(cap)} 高于满分 {_plain(points)}", "rules-range")
    if method == "deduction" and points is not None and floor is not None and floor > points:
        c.add(f"{place}.floor", f"保底分 {_plain(floor)} 高于满分 {_plain(points)}", "rules-range")
    if method == "tiers" and points is not None:
        for at, tier_points in params.get("tiers", ()):
            if tier_points > points:
                c.add(
                    f"{place}.tiers",
                    f"门槛 {at} 的分值 {tier_points} 高于满分 {points}",
                    "rules-range",
                )
    if None in (points,) or any(v is None for k, v in params.items() if params_spec[k].required):
        return None
    return Indicator(iid, name, points or Fraction(0), method, params["field"], params)


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
    if (
        total is not None
        and raw_points
        and all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in raw_points)
    ):
        summed = sum((Fraction(str(p)) for p in raw_points), Fraction(0))
        if summed != total:
            c.add(
                "scheme.total_points",
                f"各指标分值之和为 {_plain(summed)}，与方案总分 {_plain(total)} 不符",
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

    bonus = _parse_bonus(data["bonus"], fields, c) if "bonus" in data else None
    grades = _parse_grades(data["grades"], c) if "grades" in data else None
    veto = _parse_veto(data["veto"], fields, grades, c) if "veto" in data else None

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


def _parse_bonus(data: Any, fields: Mapping[str, FieldSpec], c: RuleChecker) -> Bonus | None:
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


def _parse_grades(data: Any, c: RuleChecker) -> Grades | None:
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
                f"等次应按分数线从高到低排列（{first.name} {_plain(first.at)} 之后是 "
                f"{second.name} {_plain(second.at)}）",
                "rules-tiers-order",
            )
    names = [b.name for b in bands] + [otherwise]
    if len(set(names)) != len(names):
        c.add("grades.bands", "等次名称重复", "rules-duplicate")
    return Grades(tuple(bands), otherwise)


def _parse_veto(
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


def _plain(number: Fraction) -> str:
    return str(number.numerator) if number.denominator == 1 else f"{float(number):g}"


def check_scheme_file(path: Path) -> list[Problem]:
    """Every problem of a rule file, or an empty list when it is usable."""
    try:
        data = read_toml(path)
    except RulesError as exc:
        return exc.problems
    return parse_scheme(data, path)[1]


def load_scheme(path: Path | str | None = None) -> Scheme:
    """Read and check a rule file (the reference monthly scheme when ``path`` is None)."""
    if path is None:
        env = os.environ.get("IPSCORE_RULES")
        path = Path(env) if env else default_scheme_path()
    path = Path(path)
    scheme, problems = parse_scheme(read_toml(path), path)
    if scheme is None:
        raise RulesError(problems)
    return scheme
