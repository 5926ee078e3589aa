"""Rule files for any city or province, generated from the national division list.

``ipscore init DIR --city 潍坊市`` writes ``units.toml`` (the city's county-level divisions in code
order, their short names as aliases), ``attribution.toml`` (per unit its 乡镇街道, the city's
names, the province's other cities with their counties, the other provinces with their cities)
and a targets template. ``--province 山东省`` does the same one level up: the units are the
province's cities (and the county-level divisions it governs directly), their evidence the names
of their counties. A name that two places of the same standing share (城关镇 in two counties, 市中区
in three cities) is left out of both: it cannot decide. Functional zones (高新区, 经济开发区) are
not in GB/T 2260; the statistical list's zones of the city are written as commented blocks the
analyst can switch on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ipscore.rules.divisions import Division, Divisions

ROAD_SUFFIXES = (
    "路", "东路", "西路", "南路", "北路", "中路", "大道", "大街", "街", "巷",
    "东街", "西街", "南街", "北街",
)  # fmt: skip
# What the whole is called, by the ending of the place's name (全市 when none fits).
WHOLE_WORDS = (
    ("自治区", "全区"),
    ("省", "全省"),
    ("自治州", "全州"),
    ("地区", "全地区"),
    ("盟", "全盟"),
)
# A province's units by the ending of their names, in the order the word joins them: 盟市,
# 地州市, 州市, 市县 (a kind no unit has is left out; 市 alone is 市).
PROVINCE_UNIT_KINDS = (("地区", "地"), ("盟", "盟"), ("州", "州"), ("市", "市"), ("县", "县"))
IGNORE_LABELS = ("其他", "其它", "市直", "市直单位")
NOTE_PREFIXES = ("注", "备注", "说明", "数据来源", "填表人", "填报人", "审核人", "制表")
COLUMNS = {
    "number": ["申请号", "专利申请号", "申请号/专利号", "申请(专利)号"],
    "date": ["申请日", "申请日期", "申请时间"],
    "type": ["专利类型", "类型", "申请类型", "专利种类"],
    "applicant": ["申请人", "申请人名称", "申请(专利权)人", "第一申请人"],
    "address": ["申请人地址", "地址", "第一申请人地址", "申请人通讯地址", "通讯地址"],
}
PATENT_TYPES = {
    "invention": ["发明", "发明专利", "发明申请", "发明专利申请"],
    "other": ["实用新型", "实用新型专利", "外观设计", "外观设计专利", "外观"],
}
MIN_OTHER_SHORT = 3  # another province's city by its short name only when that is 3+ characters


@dataclass
class Unit:
    name: str
    code: str
    short: list[str] = field(default_factory=list)
    towns: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """Everything the three files say, after names shared by two places were taken out."""

    level: str  # "city" or "province"
    place: Division
    province: Division
    units: list[Unit]
    markers: list[str]
    province_names: list[str]
    other_cities: list[tuple[str, list[str]]]
    other_provinces: list[tuple[str, list[str]]]
    zones: list[tuple[Division, list[str]]]
    dropped: list[str]
    source: str
    unit_word: str = "区县"  # what the circulars call a unit (区县; 市, 盟市, 州市… in a province)
    whole_word: str = "全市"  # and the whole (全市, 全省, 全区…)

    @property
    def total_labels(self) -> tuple[str, ...]:
        """The total row's labels: 合计, 全市, 总计, 全市合计, 全市总计 (全省… for a province)."""
        whole = self.whole_word
        return ("合计", whole, "总计", f"{whole}合计", f"{whole}总计")


def whole_word(place: Division) -> str:
    """全市; 全省 for a province, 全区 for an autonomous region, 全州, 全地区, 全盟."""
    return next((w for end, w in WHOLE_WORDS if place.name.endswith(end)), "全市")


def province_unit_word(units: list[Unit]) -> str:
    """市 when every unit is a 市; else the kinds present joined: 盟市, 地市, 州市, 地州市, 市县."""
    kinds = [w for end, w in PROVINCE_UNIT_KINDS if any(u.name.endswith(end) for u in units)]
    return "".join(kinds) if kinds and kinds != ["市"] else "市"


def _q(items: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _wrapped(key: str, items: list[str], indent: str = "") -> str:
    """``key = [...]`` wrapped at about 96 columns (a Chinese character is two)."""
    if len(items) <= 6:
        return f"{indent}{key} = {_q(items)}"
    lines, line = [f"{indent}{key} = ["], indent + "    "
    for item in items:
        piece = json.dumps(item, ensure_ascii=False) + ", "
        if _width(line + piece) > 96 and line.strip():
            lines.append(line.rstrip())
            line = indent + "    "
        line += piece
    lines.append(line.rstrip())
    lines.append(f"{indent}]")
    return "\n".join(lines)


class _Claims:
    """Who each name points to; a name two owners of one rank share is dropped from both."""

    def __init__(self) -> None:
        self.owner: dict[str, tuple[int, str]] = {}
        self.shared: set[str] = set()

    def claim(self, rank: int, owner: str, names: list[str]) -> None:
        for name in names:
            if not name or name in self.shared:
                continue
            held = self.owner.get(name)
            if held is None:
                self.owner[name] = (rank, owner)
            elif held[0] == rank and held[1] != owner:
                self.shared.add(name)

    def keep(self, rank: int, owner: str, names: list[str]) -> list[str]:
        return list(
            dict.fromkeys(
                n for n in names if n not in self.shared and self.owner.get(n) == (rank, owner)
            )
        )


def plan_city(divisions: Divisions, city: Division) -> Plan:
    province = divisions.province_of(city.code)
    counties = divisions.counties_of(city.code)
    unit_word = "区县"
    if len(counties) == 1 and counties[0].name == city.name:
        # A city without counties (东莞市, 中山市): its towns are the units.
        units = [Unit(t.name, t.code) for t in divisions.towns_of(counties[0].code)]
        unit_word = "镇街"
    else:
        units = [
            Unit(
                c.name,
                c.code,
                [c.short] if c.short else [],
                [t.name for t in divisions.towns_of(c.code)],
            )
            for c in counties
        ]
    others = [c for c in divisions.cities(province.code) if c.code != city.code]
    if divisions.is_municipality(city.code):
        others = []
    other_cities = []
    for other in others:
        names = list(other.spellings)
        if other.kind == "city":
            names += [c.name for c in divisions.counties_of(other.code)]
        other_cities.append((other.name, names))
    zones = []
    if len(city.code) == 4:
        zones = [
            (z, [t.name for t in divisions.towns_of(z.code)])
            for z in divisions.counties_of(city.code, zones=True)
            if z.kind == "zone"
        ]
    plan = _settle(
        "city", divisions, city, province, units, list(city.spellings),
        [] if divisions.is_municipality(city.code) else list(province.spellings),
        other_cities, zones,
    )  # fmt: skip
    plan.unit_word, plan.whole_word = unit_word, whole_word(city)
    return plan


def plan_province(divisions: Divisions, province: Division) -> Plan:
    units = []
    for city in divisions.cities(province.code):
        counties = divisions.counties_of(city.code) if city.kind == "city" else []
        shorts = [city.short] if city.short else []
        shorts += [c.short for c in counties if c.short]
        units.append(Unit(city.name, city.code, shorts, [c.name for c in counties]))
    plan = _settle(
        "province", divisions, province, province, units, list(province.spellings), [], [], []
    )
    plan.unit_word, plan.whole_word = province_unit_word(units), whole_word(province)
    return plan


def _other_provinces(divisions: Divisions, province: Division) -> list[tuple[str, list[str]]]:
    out = []
    for p in sorted(
        (d for d in divisions.by_code.values() if d.kind == "province"), key=lambda d: d.code
    ):
        if p.code == province.code:
            continue
        names = list(p.spellings)
        for city in divisions.cities(p.code):
            names.append(city.name)
            if city.short and len(city.short) >= MIN_OTHER_SHORT:
                names.append(city.short)
        out.append((p.name, names))
    return out  # fmt: skip


def _settle(
    level: str,
    divisions: Divisions,
    place: Division,
    province: Division,
    units: list[Unit],
    markers: list[str],
    province_names: list[str],
    other_cities: list[tuple[str, list[str]]],
    zones: list[tuple[Division, list[str]]],
) -> Plan:
    other_provinces = _other_provinces(divisions, province)
    claims = _Claims()
    # Ranks: the units' names, their short names, their towns, this place's names, the
    # province's names, the province's other cities, the other provinces.
    for unit in units:
        claims.claim(0, unit.name, [unit.name])
    for unit in units:
        claims.claim(1, unit.name, unit.short)
    for unit in units:
        claims.claim(2, unit.name, unit.towns)
    claims.claim(3, "city", markers)
    claims.claim(4, "province", province_names)
    for name, names in other_cities:
        claims.claim(5, name, names)
    for name, names in other_provinces:
        claims.claim(6, name, names)
    for unit in units:
        unit.short = claims.keep(1, unit.name, unit.short)
        unit.towns = claims.keep(2, unit.name, unit.towns)
    return Plan(
        level=level,
        place=place,
        province=province,
        units=units,
        markers=claims.keep(3, "city", markers),
        province_names=claims.keep(4, "province", province_names),
        other_cities=[(n, claims.keep(5, n, names)) for n, names in other_cities],
        other_provinces=[(n, claims.keep(6, n, names)) for n, names in other_provinces],
        zones=zones,
        dropped=sorted(claims.shared),
        source=divisions.source,
    )


# --------------------------------------------------------------------------------------------
# The files


def _header(plan: Plan, what: str) -> list[str]:
    option = "--city" if plan.level == "city" else "--province"
    return [
        f"# {plan.place.name}{what}（由 ipscore init {option} {plan.place.name} 生成）",
        f"# 行政区划来源：{plan.source}",
        "# 可以直接修改：名称、别名、顺序都是数据；改后用 ipscore rules check 检查。",
        "",
    ]


def units_toml(plan: Plan) -> str:
    level = "各县级单位" if plan.level == "city" else "各市"
    lines = _header(plan, f"参加排名的{level}及其别名")
    lines += [
        "[city]",
        f"name = {json.dumps(plan.place.name, ensure_ascii=False)}",
        f"# 通报、排名表、统计表对单位和全体的称呼（如“各{plan.unit_word}排名情况”"
        f"“{plan.whole_word}累计申请”）",
        f"unit_word = {json.dumps(plan.unit_word, ensure_ascii=False)}",
        f"whole_word = {json.dumps(plan.whole_word, ensure_ascii=False)}",
        _wrapped("total_labels", list(plan.total_labels)),
        _wrapped("ignore_labels", list(IGNORE_LABELS)),
        _wrapped("note_prefixes", list(NOTE_PREFIXES)),
        "",
    ]
    for unit in plan.units:
        lines.append(f"[[units]]  # {unit.code}")
        lines.append(f"name = {json.dumps(unit.name, ensure_ascii=False)}")
        aliases = unit.short[:1] if plan.level == "city" else [s for s in unit.short[:1]]
        if aliases:
            lines.append(f"aliases = {_q(aliases)}")
        lines.append("")
    lines += [
        "# 功能区（高新区、经济开发区、度假区等）不是 GB/T 2260 行政区划，上面没有列出。",
        "# 本市把功能区单独排名时，在这里加一个 [[units]]（name 与 aliases），",
        '# 再在 attribution.toml 中加 [units."名称"]，kind = "zone"，写明它托管的镇、街道',
        '# （towns）和通用叫法（generic，如 "高新区"）。ipscore 自带的淄博示例',
        "# （ipscore init 不加 --city 时复制的规则：高新区、经济开发区、文昌湖区）就是这样写的。",
    ]
    if plan.zones:
        lines.append("# 国家统计局统计用区划代码中本市的功能区（去掉行首的 # 即可启用）：")
        for zone, _ in plan.zones:
            name = json.dumps(zone.name, ensure_ascii=False)
            lines += ["#", f"# [[units]]  # {zone.code}", f"# name = {name}"]
    return "\n".join(lines) + "\n"


def attribution_toml(plan: Plan) -> str:
    outside = "外市" if plan.level == "city" else "外省"
    lines = _header(plan, "专利申请明细的归属规则（ipscore tally）")
    lines += [
        "# 判定顺序与淄博示例（ipscore 自带的 rules/attribution.toml）相同：",
        f"# 地址中第一个地名是外地 → {outside}；写了功能区 → 该功能区；写了县级全称 → 该单位",
        "# （与所写镇街不一致则无法归属）；只写镇、街道 → 镇街所属单位；只写简称 → 该单位；",
        "# 其余无法归属，写入核对文件。",
    ]
    if plan.dropped:
        lines.append("# 以下名称同时属于两个地方，不能据以判定，已从各处去掉：")
        lines += _comment_wrapped("、".join(plan.dropped))
    lines += [
        "",
        'units_file = "units.toml"',
        "",
        "[city]",
        f"name = {json.dumps(plan.place.name, ensure_ascii=False)}",
        f"markers = {_q(plan.markers)}",
    ]
    if plan.province_names:
        lines.append(f"province = {_q(plan.province_names)}")
    if plan.level == "province":
        lines.append(f'outside = "{outside}"')
    lines += [_wrapped("road_suffixes", list(ROAD_SUFFIXES)), "", "[columns]"]
    lines += [f"{k} = {_q(v)}" for k, v in COLUMNS.items()]
    lines += ["", "[patent_types]"]
    lines += [f"{k} = {_q(v)}" for k, v in PATENT_TYPES.items()]
    for unit in plan.units:
        lines += ["", f'[units."{unit.name}"]', 'kind = "district"']
        if unit.short:
            lines.append(f"short = {_q(unit.short)}")
        if unit.towns:
            lines.append(_wrapped("towns", unit.towns))
    for zone, towns in plan.zones:
        lines += ["", f"# 功能区（启用前先在 units.toml 中加入）：{zone.name}"]
        lines += [f'# [units."{zone.name}"]', '# kind = "zone"']
        if towns:
            lines += ["# " + line for line in _wrapped("towns", towns).splitlines()]
    if plan.other_cities:
        lines += ["", f"# 省内其他城市：地址中第一个地名是它们时计入{outside}，不归任何单位。"]
    for name, names in plan.other_cities:
        lines += ["", "[[other_cities]]", f"name = {json.dumps(name, ensure_ascii=False)}"]
        lines.append(_wrapped("markers", names))
    lines += ["", "# 其他省份（名称及其地级市）：全国明细中外省的申请计入外省，不进核对文件。"]
    for name, names in plan.other_provinces:
        lines += ["", "[[other_provinces]]", f"name = {json.dumps(name, ensure_ascii=False)}"]
        lines.append(_wrapped("markers", names))
    return "\n".join(lines) + "\n"


def _comment_wrapped(text: str, width: int = 46) -> list[str]:
    return ["# " + text[i : i + width] for i in range(0, len(text), width)]


def targets_toml(plan: Plan, year: int) -> str:
    lines = _header(plan, f"{year}年各单位发明专利申请年度目标（件）")
    lines += [
        "# 去掉每行行首的 # 并填上数字。未填的单位：ipscore tally 写出的统计表中年度目标留空并给出",
        "# 警告，ipscore rank 会指出哪些单元格要填。",
        "",
        f"year = {year}",
        'units = "units.toml"',
        "",
        "[targets]",
    ]
    lines += [f"# {json.dumps(u.name, ensure_ascii=False)} = " for u in plan.units]
    return "\n".join(lines) + "\n"
