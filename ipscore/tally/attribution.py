"""Attributing patent applications to units by the applicant's address, vectorised in Polars.

The rules (``rules/attribution.toml``) are plain lists of names: the city's markers, the other
cities of the province, and per unit its spellings (from the unit list), its towns and streets
(镇、街道), which spellings are short (张店) or generic (高新区). Every name becomes a literal
pattern of one Aho-Corasick pass (``str.extract_many``, leftmost-longest, so 淄川路 beats 淄川
and 高新技术产业开发区 beats 开发区); nothing from the rule file or the data is ever used as a
regular expression. Each token found maps to a bit in a 64-bit mask (16 bits per kind of
evidence: full name, generic name, town, short name) or to a city; the decision listed at the
top of ``rules/attribution.toml`` is then a chain of integer expressions, with no Python loop
over rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipscore.base.numbers import normalise_text
from ipscore.base.problems import RulesError
from ipscore.rules.source import RuleChecker, default_rule_file, read_toml
from ipscore.rules.units import UnitList, units_named

if TYPE_CHECKING:
    import polars as pl


DEFAULT_ATTRIBUTION = "attribution.toml"
MAX_UNITS = 64  # one bit per unit in a UInt64 mask per kind of evidence
UNIT_KINDS = ("district", "zone")
COLUMN_IDS = ("number", "date", "type", "applicant", "address")
REQUIRED_COLUMNS = ("date", "type", "address")  # type may be replaced by number (its 5th digit)
COLUMN_LABELS = {
    "number": "申请号",
    "date": "申请日",
    "type": "专利类型",
    "applicant": "申请人",
    "address": "申请人地址",
}

# Headers of the common exports, accepted beside the rule file's [columns] so that no column
# mapping is needed: CNIPA's search system (申请（专利权）人, 申请人地址), CNKI's 专利 export
# (地址, 国省代码 beside it), PatSnap/incoPat in Chinese ([标]当前申请(专利权)人地址) and in
# English. Compared after NFKC folding, without spaces and case-insensitively.
COLUMN_PRESETS: dict[str, tuple[str, ...]] = {
    "number": (
        "申请号", "专利申请号", "申请(专利)号", "Application Number", "Application No",
        "Application No.", "Appl. No.", "AppNo", "申请号(Application Number)",
    ),
    "date": ("申请日", "申请日期", "Application Date", "Filing Date", "App. Date", "AD"),
    "type": ("专利类型", "Patent Type", "Type", "Document Type", "专利类别"),
    "applicant": (
        "申请(专利权)人", "申请人", "[标]当前申请(专利权)人", "当前申请(专利权)人",
        "原始申请(专利权)人", "Applicant", "Applicants", "Assignee", "Current Assignee",
        "Original Assignee", "Applicant/Assignee",
    ),
    "address": (
        "申请人地址", "地址", "当前申请(专利权)人地址", "[标]当前申请(专利权)人地址",
        "申请(专利权)人地址", "原始申请(专利权)人地址", "Applicant Address", "Assignee Address",
        "Current Assignee Address", "Original Assignee Address", "Address",
    ),
}  # fmt: skip
TYPE_PRESETS = {
    "invention": ("发明授权", "Invention", "Invention Application", "Invention Grant", "发明公开"),
    "other": ("实用新型", "外观设计", "Utility Model", "Design", "Industrial Design"),
}


def header_key(text: str) -> str:
    """How a header is compared: folded, without spaces, lower case."""
    return normalise_text(text).lower()


def missing_columns(found: Mapping[str, object]) -> list[str]:
    """The required columns a header row lacks: 申请日, 申请人地址 and 专利类型 (or 申请号,
    whose 5th digit gives the type)."""
    missing = [c for c in ("date", "address") if c not in found]
    if "type" not in found and "number" not in found:
        missing.insert(1, "type")
    return missing


# Kinds of evidence, each with a mask of one bit per unit.
EVIDENCE_KINDS = ("name", "generic", "town", "short")
# Endings after which a name is not followed by a road suffix (张店区路 is no road).
_PLACE_ENDINGS = ("区", "县", "市", "镇", "道", "省")

# Why a record could not be attributed: code → what a reviewer reads, a template filled by
# :meth:`AttributionRules.reasons` with the units' word ({unit}: 区县, or a province's 市), the
# names below a unit ({below}: 街道/镇, or a province's 区县), the place ({own}: 本市/本省) and
# what an outside place is ({place}: 城市/省份).
REASONS: dict[str, str] = {
    "blank": "申请人地址为空",
    "zones": "同时写了两个开发区/度假区",
    "conflict": "{unit}与{below}不属于同一单位",
    "districts": "同时写了两个{unit}，{below}不能判定",
    "towns": "{below}分属不同单位",
    "shorts": "同时写了两个{unit}的简称",
    "generic": "写了“高新区/开发区”等通用名称，但没有写明城市",
    "city-only": "只写到{own}，没有{unit}或{below}",
    "nothing": "没有可识别的{unit}、{below}或{place}名称",
}


@dataclass(frozen=True)
class UnitPlace:
    """A unit's spellings and territory, as addresses name them."""

    name: str
    kind: str  # "district" or "zone"
    names: tuple[str, ...]  # strong spellings: 张店区, 文昌湖
    short: tuple[str, ...]  # weak spellings: 张店
    generic: tuple[str, ...]  # spellings every city has: 高新区, 开发区
    towns: tuple[str, ...]  # 镇、街道


@dataclass(frozen=True)
class AttributionRules:
    """The checked attribution rules, with the token table built from them."""

    city: str
    markers: tuple[str, ...]
    units: tuple[UnitPlace, ...]
    other_cities: tuple[tuple[str, tuple[str, ...]], ...]
    columns: Mapping[str, tuple[str, ...]]
    invention_types: tuple[str, ...]
    other_types: tuple[str, ...]
    unit_list: UnitList
    source: Path
    outside_label: str = "外市"
    # spelling → (kind, index): kind is name/generic/town/short (index of the unit), city
    # (0 = this city, 1.. the other cities) or ignore (province names and roads).
    tokens: Mapping[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def province_level(self) -> bool:
        """True when the units are a province's cities (``ipscore init --province``: an
        address outside counts as 外省)."""
        return self.outside_label == "外省"

    def reasons(self) -> dict[str, str]:
        """:data:`REASONS` in this place's words: 只写到本市，没有区县或街道/镇 for a city,
        只写到本省，没有市或区县 for a province."""
        unit = self.unit_list.words.unit
        if self.province_level:
            words = {"unit": unit, "below": "区县", "own": "本省", "place": "省份"}
        else:
            words = {"unit": unit, "below": "街道/镇", "own": "本市", "place": "城市"}
        return {code: text.format(**words) for code, text in REASONS.items()}

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(u.name for u in self.units)

    @property
    def city_names(self) -> tuple[str, ...]:
        """Index 0 is this city; 1.. the other cities, in rule-file order."""
        return (self.city, *(name for name, _ in self.other_cities))

    def bits(self, kind: str) -> int:
        return sum(1 << i for i, u in enumerate(self.units) if u.kind == kind)


def default_attribution_path() -> Path:
    return default_rule_file(DEFAULT_ATTRIBUTION)


# --------------------------------------------------------------------------------------------
# Reading and checking the rule file


def _texts(c: RuleChecker, data: Mapping[str, Any], key: str, place: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        c.add(f"{place}.{key}", "应为非空文本组成的数组", "rules-type")
        return ()
    return tuple(dict.fromkeys(normalise_text(v) for v in value))


def load_attribution(path: Path | str | None = None) -> AttributionRules:
    """Read and check an attribution rule file; raise RulesError listing every problem."""
    path = Path(path) if path is not None else default_attribution_path()
    data = read_toml(path)
    c = RuleChecker(path)
    c.unknown_keys(
        data,
        {
            "units_file",
            "city",
            "columns",
            "patent_types",
            "units",
            "other_cities",
            "other_provinces",
        },
        "",
    )
    unit_list = units_named(data.get("units_file", "units.toml"), "units_file", path, c)

    city = c.table(data.get("city", {}), "city")
    c.unknown_keys(city, {"name", "markers", "road_suffixes", "province", "outside"}, "city")
    outside = c.text(city, "outside", "city", "外市") or "外市"
    city_name = c.text(city, "name", "city") or ""
    markers = _texts(c, city, "markers", "city")
    if not markers:
        c.add("city.markers", "应至少列出一个本市名称（如 “淄博市”）", "rules-missing-key")
    road_suffixes = _texts(c, city, "road_suffixes", "city")
    province = _texts(c, city, "province", "city")

    columns_data = c.table(data.get("columns", {}), "columns")
    c.unknown_keys(columns_data, set(COLUMN_IDS), "columns")
    columns: dict[str, tuple[str, ...]] = {}
    for cid in COLUMN_IDS:
        headers = _texts(c, columns_data, cid, "columns") if cid in columns_data else ()
        columns[cid] = tuple(dict.fromkeys((*headers, *COLUMN_PRESETS[cid])))

    types = c.table(data.get("patent_types", {}), "patent_types")
    c.unknown_keys(types, {"invention", "other"}, "patent_types")
    invention = _texts(c, types, "invention", "patent_types")
    other_types = _texts(c, types, "other", "patent_types")
    folded = {s.lower() for s in (*invention, *other_types)}
    invention += tuple(s for s in TYPE_PRESETS["invention"] if s.lower() not in folded)
    other_types += tuple(s for s in TYPE_PRESETS["other"] if s.lower() not in folded)
    if not invention:
        c.add("patent_types.invention", "应列出发明专利的写法（如 “发明”）", "rules-missing-key")
    for overlap in sorted(set(invention) & set(other_types)):
        c.add("patent_types", f"“{overlap}”同时列在 invention 与 other 中", "rules-duplicate")

    others: list[tuple[str, tuple[str, ...]]] = []
    for key in ("other_cities", "other_provinces"):
        raw_others = data.get(key, [])
        if not isinstance(raw_others, list):
            c.add(key, f"应为 [[{key}]] 表数组", "rules-type")
            raw_others = []
        for index, entry in enumerate(raw_others):
            place = f"{key}[{index + 1}]"
            entry = c.table(entry, place)
            c.unknown_keys(entry, {"name", "markers"}, place)
            name = c.text(entry, "name", place)
            found = _texts(c, entry, "markers", place)
            if name:
                others.append((name, found or (normalise_text(name),)))

    places: list[UnitPlace] = []
    detail = c.table(data.get("units", {}), "units")
    if unit_list is not None:
        if len(unit_list.names) > MAX_UNITS:
            c.add("units", f"最多支持 {MAX_UNITS} 个单位", "rules-range")
        for name in detail:
            if unit_list.resolve(name) != name:
                c.add(f"units.{name}", f"单位表 {unit_list.source} 中没有此单位", "rules-unknown")
        for name in unit_list.names:
            place = f"units.{name}"
            if name not in detail:
                c.add(place, "缺少此单位的归属规则（kind 与 towns）", "rules-missing-key")
                continue
            spec = c.table(detail[name], place)
            c.unknown_keys(spec, {"kind", "short", "generic", "towns"}, place)
            kind = spec.get("kind")
            if kind not in UNIT_KINDS:
                c.add(
                    f"{place}.kind", "应为 district（区县）或 zone（开发区/度假区）", "rules-type"
                )
                kind = "district"
            short = _texts(c, spec, "short", place)
            generic = _texts(c, spec, "generic", place)
            towns = _texts(c, spec, "towns", place)
            spellings = [k for k, v in unit_list.lookup.items() if v == name]
            strong = tuple(s for s in spellings if s not in short and s not in generic)
            places.append(UnitPlace(name, kind, strong, short, generic, towns))

    tokens = _tokens(c, places, markers, others, province, road_suffixes)
    if c.problems or unit_list is None:
        raise RulesError(c.problems)
    return AttributionRules(
        city=city_name,
        markers=markers,
        units=tuple(places),
        other_cities=tuple(others),
        columns=columns,
        invention_types=invention,
        other_types=other_types,
        unit_list=unit_list,
        source=path,
        outside_label=outside,
        tokens=tokens,
    )


def _tokens(
    c: RuleChecker,
    places: list[UnitPlace],
    markers: tuple[str, ...],
    others: list[tuple[str, tuple[str, ...]]],
    province: tuple[str, ...],
    road_suffixes: tuple[str, ...],
) -> dict[str, tuple[str, int]]:
    tokens: dict[str, tuple[str, int]] = {}
    where: dict[str, str] = {}

    def put(token: str, meaning: tuple[str, int], place: str) -> None:
        if token in tokens and tokens[token] != meaning:
            c.add(
                place, f"“{token}”已在 {where[token]} 中出现，不能同时指两个地方", "rules-duplicate"
            )
            return
        tokens[token] = meaning
        where[token] = place

    for index, unit in enumerate(places):
        place = f"units.{unit.name}"
        for kind in ("name", "short", "generic", "town"):
            spellings = {"name": unit.names, "short": unit.short, "generic": unit.generic}.get(
                kind, unit.towns
            )
            for spelling in spellings:
                put(spelling, (kind, index), place + (".towns" if kind == "town" else ""))
    for marker in markers:
        put(marker, ("city", 0), "city.markers")
    for index, (name, found) in enumerate(others, start=1):
        for marker in found:
            put(marker, ("city", index), f"other_cities[{name}]")
    for name in province:
        put(name, ("ignore", 0), "city.province")
    # Roads named after a place are no evidence of it: 淄川路, 张店东路, 济南路.
    named = [*markers, *(m for _, found in others for m in found)]
    for unit in places:
        named += [*unit.names, *unit.short, *unit.generic]
    for name in named:
        if name.endswith(_PLACE_ENDINGS):
            continue
        for suffix in road_suffixes:
            tokens.setdefault(name + suffix, ("ignore", 0))
    return tokens


# --------------------------------------------------------------------------------------------
# The vectorised decision


def attribute(
    frame: pl.LazyFrame, rules: AttributionRules, column: str = "address"
) -> pl.LazyFrame:
    """Add ``unit`` (Enum of unit names, null when not attributed), ``other_city`` (the other
    city's name), ``reason`` (a key of :data:`REASONS`, null when attributed or another city)
    and ``places`` (the names recognised, for reviewers) to ``frame``
    (:func:`ipscore.tally.matching.attribute`)."""
    from ipscore.tally import matching

    return matching.attribute(frame, rules, column)
