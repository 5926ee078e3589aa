"""ipscore.rules.units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipscore.base.numbers import normalise_text
from ipscore.base.problems import RulesError
from ipscore.rules.source import RuleChecker, kind_of, read_toml, shown_path

# --------------------------------------------------------------------------------------------
# The parsed unit list.

#: The longest word a units file may give (县（市、区） is six characters).
MAX_WORD = 8


@dataclass(frozen=True)
class Words:
    """What a bureau calls its units and the whole they make up, as its circulars say them:
    区县 and 全市 for a city ranking its counties, 市 and 全省 for a province ranking its cities."""

    unit: str = "区县"
    whole: str = "全市"

    @property
    def each(self) -> str:
        """``各区县``, ``各市``."""
        return f"各{self.unit}"


CITY_WORDS = Words()


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
    subtotal_suffixes: tuple[str, ...] = ("小计",)
    words: Words = field(default=CITY_WORDS)

    def resolve(self, text: str) -> str | None:
        """The canonical name for a spelling, or None when it names no unit."""
        return self.lookup.get(normalise_text(text))

    def is_total(self, text: str) -> bool:
        return normalise_text(text) in self.total_labels

    def is_subtotal(self, text: str) -> bool:
        """A subtotal row closing a group of units: 区县小计, 功能区小计, 小计."""
        return normalise_text(text).endswith(self.subtotal_suffixes)

    def is_ignored(self, text: str) -> bool:
        return normalise_text(text) in self.ignore_labels

    def is_note(self, text: str) -> bool:
        return normalise_text(text).startswith(self.note_prefixes)


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
    keys = {"name", "total_labels", "subtotal_suffixes", "ignore_labels", "note_prefixes"}
    sub.unknown_keys(city, keys | {"unit_word", "whole_word"}, "city")
    city_name = sub.text(city, "name", "city", "本市") or "本市"
    words = Words(
        _word(sub, city, "unit_word", CITY_WORDS.unit),
        _word(sub, city, "whole_word", CITY_WORDS.whole),
    )

    def labels(key: str, default: list[str]) -> list[str]:
        value = city.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            sub.add(f"city.{key}", "应为文本数组", "rules-type")
            return default
        return value

    totals = labels("total_labels", ["合计", "全市"])
    subtotals = labels("subtotal_suffixes", ["小计"])
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
        source=shown_path(path),
        subtotal_suffixes=tuple(normalise_text(n) for n in subtotals if normalise_text(n)),
        words=words,
    )


def _word(checker: RuleChecker, city: Mapping[str, Any], key: str, default: str) -> str:
    """``unit_word`` / ``whole_word``: short text without spaces or ASCII punctuation; the
    default (today's 区县 / 全市) when absent or refused (the refusal is listed)."""
    value = city.get(key, default)
    example = "区县、市" if key == "unit_word" else "全市、全省"
    if not isinstance(value, str) or not value:
        checker.add(
            f"city.{key}", f"应为非空文本（如 {example}），实际为 {kind_of(value)}", "rules-type"
        )
        return default
    if len(value) > MAX_WORD:
        checker.add(
            f"city.{key}",
            f"“{value[:MAX_WORD]}…”有 {len(value)} 个字，最多 {MAX_WORD} 个（如 {example}）",
            "rules-range",
        )
        return default
    # A word is printed inside sentences, titles and file names: no spaces, and no ASCII
    # punctuation, which means something in Markdown, CSV, a path or a shell.
    refused = [ch for ch in dict.fromkeys(value) if ch.isspace() or _ascii_mark(ch)]
    if refused:
        shown = "、".join("空格" if ch.isspace() else ch for ch in refused)
        checker.add(
            f"city.{key}", f"“{value}”中有{shown}：应为不含空格和英文标点的短词（如 {example}）"
        )
        return default
    return value


def _ascii_mark(ch: str) -> bool:
    return ch.isascii() and not ch.isalnum()
