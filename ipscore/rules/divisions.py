"""The national division list shipped with ipscore, and finding a city or province in it.

``ipscore/rules/data/divisions.tsv.gz`` is built by ``scripts/build_divisions.py`` from the
国家统计局 2023 statistical division codes (county level = GB/T 2260, plus statistical-only
development zones marked ``zone``; towns = 乡、镇、街道). Codes: 2 digits a province, 4 a
prefecture-level division, 6 a county-level one, 9 a town. The four municipalities (北京市 …)
are both a province and a city: their counties are listed under the province's code.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ipscore.base.numbers import normalise_text
from ipscore.base.problems import InputError, Problem

DATA_FILE = Path(__file__).resolve().parent / "data" / "divisions.tsv.gz"
MUNICIPALITIES = ("11", "12", "31", "50")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    short: str
    kind: str  # province, city, county, zone, town

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, self.short) if self.short else (self.name,)


@dataclass
class Divisions:
    """Every division by code, with the source line of the data file."""

    source: str
    by_code: dict[str, Division] = field(default_factory=dict)
    children: dict[str, list[Division]] = field(default_factory=dict)

    def province_of(self, code: str) -> Division:
        return self.by_code[code[:2]]

    def cities(self, province: str) -> list[Division]:
        """The units a province ranks: its prefecture-level cities and the county-level
        divisions it governs directly (济源市, 仙桃市 …), in code order."""
        out = []
        for child in self.children.get(province, []):
            if child.kind == "city":
                out.append(child)
        for child in self.counties_of(province):
            if child.code[2:4] == "90":  # 省直辖县级行政区划
                out.append(child)
        return sorted(out, key=lambda d: d.code)

    def counties_of(self, code: str, *, zones: bool = False) -> list[Division]:
        """County-level divisions under a city (or, for a municipality or a province's direct
        ones, under the province code); statistical zones only when asked."""
        kinds = ("county", "zone") if zones else ("county",)
        if len(code) == 4:
            found = [d for d in self.children.get(code, []) if d.kind in kinds]
        else:
            found = [
                d
                for c in self.children.get(code, [])
                if len(c.code) == 6
                for d in [c]
                if d.kind in kinds
            ]
        return sorted(found, key=lambda d: d.code)

    def towns_of(self, county: str) -> list[Division]:
        return self.children.get(county, [])

    def is_municipality(self, code: str) -> bool:
        return code in MUNICIPALITIES


@lru_cache(maxsize=1)
def load_divisions(path: Path = DATA_FILE) -> Divisions:
    """Read the shipped division list (about 42k lines, 0.1 s)."""
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    lines = text.splitlines()
    divisions = Divisions(source=lines[0].lstrip("# ").strip())
    for line in lines:
        if line.startswith("#") or not line:
            continue
        code, name, short, kind = line.split("\t")
        d = Division(code, name, short, kind)
        divisions.by_code[code] = d
        if kind == "province":
            continue
        if len(code) == 4:
            parent = code[:2]
        elif len(code) == 6:
            parent = code[:4] if code[:4] in divisions.by_code else code[:2]
        else:
            parent = code[:6]
        divisions.children.setdefault(parent, []).append(d)
    return divisions


def _describe(d: Division, divisions: Divisions) -> str:
    if d.kind == "province":
        return f"{d.name}（省级，{d.code}）"
    province = divisions.province_of(d.code).name
    if d.kind == "city":
        return f"{d.name}（{province}，地级，{d.code}）"
    if d.kind == "town":
        county = divisions.by_code.get(d.code[:6])
        return f"{d.name}（乡镇街道，属{province}{county.name if county else ''}，{d.code}）"
    city = divisions.by_code.get(d.code[:4])
    parent = province + (city.name if city and city.kind == "city" else "")
    word = "功能区（不在 GB/T 2260 中）" if d.kind == "zone" else "县级"
    return f"{d.name}（{word}，属{parent}，{d.code}）"


def _matches(text: str, divisions: Divisions, kinds: tuple[str, ...]) -> list[Division]:
    """Divisions of the given kinds named ``text``: by full name, else by short name."""
    key = normalise_text(text)
    pool = [d for d in divisions.by_code.values() if d.kind in kinds]
    exact = [d for d in pool if d.name == key]
    if exact:
        return exact
    return [d for d in pool if d.short and d.short == key]


def _refuse(
    option: str, text: str, why: str, candidates: list[Division], divisions: Divisions
) -> InputError:
    lines = [f"{option} {text}：{why}"]
    if candidates:
        lines.append("候选：" + "；".join(_describe(d, divisions) for d in candidates[:12]))
        if len(candidates) > 12:
            lines[-1] += f"……共 {len(candidates)} 个"
    return InputError([Problem("division-unknown", "。".join(lines))])


def find_city(text: str, divisions: Divisions | None = None) -> Division:
    """The prefecture-level city (or municipality) named ``text``; InputError listing the
    candidates when it names none, several, or a division of another level, or when a short
    name is also a county-level 市 elsewhere (恩施 = 恩施州 or 恩施市)."""
    divisions = divisions or load_divisions()
    key = normalise_text(text)
    found = _matches(text, divisions, ("city",))
    found += [
        d for d in _matches(text, divisions, ("province",)) if divisions.is_municipality(d.code)
    ]
    if len(found) == 1 and found[0].name != key:
        # Named by its short name: a county-level division spoken the same way is a namesake
        # (but not the pseudo-county a city without counties has under its own name: 东莞市).
        city = found[0]
        namesakes = [
            d
            for d in divisions.by_code.values()
            if d.kind == "county"
            and d.name in (key, key + "市", city.short + "市")
            and not (d.name == city.name and d.code.startswith(city.code))
        ]
        if namesakes:
            raise _refuse(
                "--city",
                text,
                f"有同名的县级市；若指地级市请写全称“{city.name}”",
                [city, *namesakes],
                divisions,
            )
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise _refuse("--city", text, "有多个同名的地级市，请写全称", found, divisions)
    others = _matches(text, divisions, ("province", "county", "zone", "town"))
    if others:
        why = "不是地级市（或直辖市）"
        if all(d.kind == "province" for d in others):
            why += "；要给全省各市排名请用 --province"
        stem = key.removesuffix("市")
        others += [d for d in divisions.by_code.values() if d.kind == "city" and d.short == stem]
        raise _refuse("--city", text, why, others, divisions)
    near = [d for d in divisions.by_code.values() if d.kind == "city" and key in d.name]
    raise _refuse("--city", text, "在全国行政区划表中找不到此地级市", near, divisions)


def find_province(text: str, divisions: Divisions | None = None) -> Division:
    """The province (or autonomous region) named ``text``; InputError with candidates."""
    divisions = divisions or load_divisions()
    found = _matches(text, divisions, ("province",))
    if len(found) == 1:
        if divisions.is_municipality(found[0].code):
            raise _refuse(
                "--province", text, f"直辖市的区县请用 --city {found[0].name}", found, divisions
            )
        return found[0]
    others = _matches(text, divisions, ("city", "county", "zone", "town"))
    if others:
        raise _refuse("--province", text, "不是省或自治区", others, divisions)
    near = [
        d for d in divisions.by_code.values() if d.kind == "province" and text.strip() in d.name
    ]
    raise _refuse("--province", text, "在全国行政区划表中找不到此省份", near, divisions)
