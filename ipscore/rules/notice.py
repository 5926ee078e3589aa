"""ipscore.rules.notice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ipscore.base.problems import RulesError
from ipscore.rules.source import RuleChecker, read_toml, rules_dir

DEFAULT_NOTICE = "notice.toml"
PLACEHOLDERS = ("年", "月", "期间", "号")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NOTICE_KEYS = {
    "issuer",
    "doc_number",
    "number_offset",
    "addressees",
    "opening",
    "requirements_title",
}


@dataclass(frozen=True)
class Requirement:
    heading: str
    text: str


@dataclass(frozen=True)
class NoticeRules:
    """The wording of a city's circular."""

    issuer: str
    doc_number: str
    number_offset: int
    addressees: str
    opening: str
    requirements_title: str
    requirements: tuple[Requirement, ...]
    source: str


def default_notice_path() -> Path:
    return rules_dir() / DEFAULT_NOTICE


def fill(template: str, values: dict[str, str]) -> str:
    """Replace ``{年}``-style placeholders; only known names, never Python formatting."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _check_placeholders(c: RuleChecker, text: str | None, place: str) -> None:
    if text is None:
        return
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            known = "、".join("{" + p + "}" for p in PLACEHOLDERS)
            c.add(place, f"未知的占位符 {{{name}}}（可用：{known}）", "rules-placeholder")


def load_notice_rules(path: Path | str | None = None) -> NoticeRules:
    """Read and check a notice wording file (rules/notice.toml when ``path`` is None)."""
    path = Path(path) if path is not None else default_notice_path()
    data = read_toml(path)
    c = RuleChecker(path)
    c.unknown_keys(data, {"notice", "requirements", "collection"}, "notice.toml")
    notice = c.table(data.get("notice"), "notice") if "notice" in data else {}
    if "notice" not in data:
        c.add("notice", "缺少 [notice] 表", "rules-missing-key")
    c.unknown_keys(notice, _NOTICE_KEYS, "notice")
    texts = {}
    for key in ("issuer", "doc_number", "addressees", "opening"):
        texts[key] = c.text(notice, key, "notice")
        _check_placeholders(c, texts[key], f"notice.{key}")
    if texts["doc_number"] is not None and "{号}" not in texts["doc_number"]:
        c.add("notice.doc_number", "文号应含序号占位符 {号}（如 X知字〔{年}〕{号}号）")
    title = c.text(notice, "requirements_title", "notice", "下一步工作要求")
    offset = notice.get("number_offset", 0)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        c.add("notice.number_offset", f"应为不小于 0 的整数，实际为 {offset!r}", "rules-type")
        offset = 0

    requirements: list[Requirement] = []
    entries = data.get("requirements", [])
    if not isinstance(entries, list):
        c.add("requirements", "应为表数组（[[requirements]]）", "rules-type")
        entries = []
    if len(entries) > len(CHINESE_NUMBERS):
        c.add(
            "requirements", f"最多 {len(CHINESE_NUMBERS)} 项，实际 {len(entries)} 项", "rules-range"
        )
    for index, entry in enumerate(entries, start=1):
        place = f"requirements[{index}]"
        entry = c.table(entry, place)
        c.unknown_keys(entry, {"heading", "text"}, place)
        heading = c.text(entry, "heading", place)
        text = c.text(entry, "text", place)
        _check_placeholders(c, heading, f"{place}.heading")
        _check_placeholders(c, text, f"{place}.text")
        if heading is not None and text is not None:
            requirements.append(Requirement(heading.strip(), text.strip()))
    if c.problems:
        raise RulesError(c.problems)
    return NoticeRules(
        issuer=str(texts["issuer"]).strip(),
        doc_number=str(texts["doc_number"]).strip(),
        number_offset=offset,
        addressees=str(texts["addressees"]).strip(),
        opening=str(texts["opening"]).strip(),
        requirements_title=str(title).strip(),
        requirements=tuple(requirements),
        source=str(path),
    )


CHINESE_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class CollectionRules:
    """The collection round's settings (``[collection]`` of notice.toml)."""

    deadline_day: int | None  # units report month M by this day of month M+1; None: not set
    source: str


def load_collection_rules(path: Path | str | None = None) -> CollectionRules:
    """Read ``[collection]`` of a notice wording file (rules/notice.toml when ``path`` is None);
    a file without it sets no deadline."""
    path = Path(path) if path is not None else default_notice_path()
    data = read_toml(path)
    c = RuleChecker(path)
    table = c.table(data.get("collection", {}), "collection")
    c.unknown_keys(table, {"deadline_day"}, "collection")
    day = table.get("deadline_day")
    if day is not None and (
        isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 28
    ):
        c.add(
            "collection.deadline_day",
            f"应为 1 到 28 之间的整数（次月几日），实际为 {day!r}",
            "rules-range",
        )
    if c.problems:
        raise RulesError(c.problems)
    return CollectionRules(day, str(path))
