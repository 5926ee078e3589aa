"""The settings of a city's circulars (rules/notice.toml), read as data and checked whole.

``[notice]`` holds what every circular shares: the issuer, its red masthead (发文机关标志), the
agency code of its 文号 (机关代字; the year in 〔〕 is the issuing year and the number comes from
the office's register, never from the data), the addressees, 抄送, 印发机关, 附注 and whether the
circular is stamped. ``[fonts]`` names each role's font as a fallback chain. ``[monthly]`` is the
wording of the monthly circular, with ``[monthly.january]`` and ``[monthly.december]``
overriding it for the first and last month of the year (``figures`` there names the charts
the monthly circular carries as 附图, none by default); ``[annual]`` is the wording of the
annual results circular. Templates are filled with ``{年}``-style placeholders only: nothing in
the file is ever evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipscore.base.problems import RulesError
from ipscore.rules.source import RuleChecker, default_rule_file, kind_of, read_toml

DEFAULT_NOTICE = "notice.toml"
PLACEHOLDERS = ("年", "月", "期间", "下年")
CHINESE_NUMBERS = "一二三四五六七八九十"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# Each role's font, first choice first. The fonts GB/T 9704 names (仿宋_GB2312, 方正小标宋简体,
# 楷体_GB2312) are not on a default Windows or WPS install; the next names in the chain are.
DEFAULT_FONTS: dict[str, tuple[str, ...]] = {
    "title": ("方正小标宋简体", "华文中宋", "宋体"),
    "body": ("仿宋_GB2312", "仿宋", "FangSong"),
    "heading": ("黑体", "SimHei"),
    "subheading": ("楷体_GB2312", "楷体", "KaiTi"),
    "page": ("宋体", "SimSun"),
}
FONT_ROLES = {
    "title": "标题与版头（小标宋）",
    "body": "正文（仿宋）",
    "heading": "一级标题（黑体）",
    "subheading": "二级标题（楷体）",
    "page": "页码（宋体）",
}
VARIANTS = ("january", "december")
# The charts a monthly circular can carry as 附图 (``[monthly] figures``), as their captions say.
FIGURES = {
    "volume": "各区县累计申请与去年同期",
    "completion": "各区县年度目标完成率与序时进度",
}

_NOTICE_KEYS = {
    "issuer",
    "mark",
    "doc_prefix",
    "addressees",
    "cc",
    "printer",
    "note",
    "stamped",
}
_MOVED = {
    "doc_number": '文号改由 doc_prefix（机关代字，如 "X知字"）给出：〔〕内为成文日期的年份，'
    "序号用 --number 指定或从历史库的登记中顺延",
    "number_offset": "文号序号不再按数据月份推算：用 --number 指定，或从历史库的登记中顺延",
    "opening": "开头语已移至 [monthly] 表",
    "requirements_title": "已移至 [monthly] 表",
}
_WORDING_KEYS = {"opening", "requirements_title", "requirements"}
_MONTHLY_KEYS = _WORDING_KEYS | {"figures"}


@dataclass(frozen=True)
class Requirement:
    heading: str
    text: str


@dataclass(frozen=True)
class Wording:
    """The analyst-editable parts of one circular's text."""

    opening: str
    requirements_title: str
    requirements: tuple[Requirement, ...]
    figures: tuple[str, ...] = ()  # the charts carried as 附图 (keys of FIGURES), in order


@dataclass(frozen=True)
class NoticeRules:
    """Everything a city sets about its circulars."""

    issuer: str
    mark: str
    doc_prefix: str
    addressees: str
    cc: str
    printer: str
    note: str
    stamped: bool
    fonts: dict[str, tuple[str, ...]]
    monthly: dict[str, Wording]  # "month" (ordinary), "january", "december"
    annual: Wording
    source: str = ""

    def wording(self, month: int | None) -> Wording:
        """The monthly wording for data month ``month`` (January and December have their own)."""
        if month == 1:
            return self.monthly["january"]
        if month == 12:
            return self.monthly["december"]
        return self.monthly["month"]


def default_notice_path() -> Path:
    return default_rule_file(DEFAULT_NOTICE)


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


def _optional_text(c: RuleChecker, data: dict[str, Any], key: str, place: str) -> str:
    """A text that may be empty (抄送, 附注): "" when absent or blank."""
    value = data.get(key, "")
    if not isinstance(value, str):
        c.add(f"{place}.{key}", f"应为文本，实际为 {kind_of(value)}", "rules-type")
        return ""
    _check_placeholders(c, value, f"{place}.{key}")
    return value.strip()


def _fonts(c: RuleChecker, data: Any) -> dict[str, tuple[str, ...]]:
    fonts = dict(DEFAULT_FONTS)
    table = c.table(data, "fonts")
    c.unknown_keys(table, set(DEFAULT_FONTS), "fonts")
    for role, chain in table.items():
        if role not in DEFAULT_FONTS:
            continue
        names = chain if isinstance(chain, list) else None
        if not names or not all(isinstance(n, str) and n.strip() for n in names):
            c.add(
                f"fonts.{role}",
                '应为字体名称的数组（首选在前，如 ["仿宋_GB2312", "仿宋"]），'
                f"实际为 {kind_of(chain)}",
                "rules-type",
            )
            continue
        bad = [n for n in names if any(ch in n for ch in ',;<>&"') or len(n) > 31]
        if bad:
            c.add(
                f"fonts.{role}",
                f"字体名称不能含逗号、分号或尖括号，且不超过 31 个字符：{bad[0]!r}",
                "rules-invalid",
            )
            continue
        fonts[role] = tuple(n.strip() for n in names)
    return fonts


def _requirements(c: RuleChecker, entries: Any, place: str) -> tuple[Requirement, ...]:
    if not isinstance(entries, list):
        c.add(place, "应为表数组（[[…requirements]]）", "rules-type")
        return ()
    if len(entries) > len(CHINESE_NUMBERS):
        c.add(place, f"最多 {len(CHINESE_NUMBERS)} 项，实际 {len(entries)} 项", "rules-range")
    out: list[Requirement] = []
    for index, entry in enumerate(entries, start=1):
        where = f"{place}[{index}]"
        entry = c.table(entry, where)
        c.unknown_keys(entry, {"heading", "text"}, where)
        heading = c.text(entry, "heading", where)
        text = c.text(entry, "text", where)
        _check_placeholders(c, heading, f"{where}.heading")
        _check_placeholders(c, text, f"{where}.text")
        if heading is not None and text is not None:
            out.append(Requirement(heading.strip(), text.strip()))
    return tuple(out)


DEFAULT_OPENINGS = {
    "monthly": "现将{期间}全市发明专利申请情况通报如下：",
    "annual": "现将{年}年度区县知识产权工作考核结果通报如下：",
}


def _figures(
    c: RuleChecker, data: dict[str, Any], place: str, base: Wording | None
) -> tuple[str, ...]:
    """``figures = ["volume", "completion"]``: known charts, each once; [] for none."""
    if "figures" not in data:
        return base.figures if base else ()
    value = data["figures"]
    known = "、".join(f'"{k}"（{v}）' for k, v in FIGURES.items())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        c.add(
            f"{place}.figures",
            f"应为图表名称的数组（可选：{known}），实际为 {kind_of(value)}",
            "rules-type",
        )
        return ()
    unknown = [v for v in value if v not in FIGURES]
    if unknown:
        c.add(f"{place}.figures", f"未知的图表 {unknown[0]!r}（可选：{known}）", "rules-invalid")
        return ()
    if len(set(value)) != len(value):
        c.add(f"{place}.figures", "同一图表只能列一次", "rules-invalid")
        return ()
    return tuple(value)


def _wording(
    c: RuleChecker, data: dict[str, Any], place: str, base: Wording | None, title: str
) -> Wording:
    """One wording table; keys it leaves out come from ``base`` (the ordinary month), or
    the plain default opening."""
    if base is None or "opening" in data:
        opening = c.text(data, "opening", place, DEFAULT_OPENINGS.get(place))
        _check_placeholders(c, opening, f"{place}.opening")
    else:
        opening = base.opening
    heading = c.text(data, "requirements_title", place, base.requirements_title if base else title)
    _check_placeholders(c, heading, f"{place}.requirements_title")
    if "requirements" in data:
        requirements = _requirements(c, data["requirements"], f"{place}.requirements")
    else:
        requirements = base.requirements if base else ()
    figures = _figures(c, data, place, base) if place.startswith("monthly") else ()
    return Wording(str(opening or "").strip(), str(heading or "").strip(), requirements, figures)


def load_notice_rules(path: Path | str | None = None) -> NoticeRules:
    """Read and check a circular settings file (rules/notice.toml when ``path`` is None)."""
    path = Path(path) if path is not None else default_notice_path()
    data = read_toml(path)
    c = RuleChecker(path)
    keys = {"notice", "fonts", "monthly", "annual", "requirements", "collection"}
    c.unknown_keys(data, keys, "notice.toml")
    if "requirements" in data:
        c.add("requirements", "[[requirements]] 已改为 [[monthly.requirements]]", "rules-invalid")
    notice = c.table(data.get("notice"), "notice") if "notice" in data else {}
    if "notice" not in data:
        c.add("notice", "缺少 [notice] 表", "rules-missing-key")
    for key, why in _MOVED.items():
        if key in notice:
            c.add(f"notice.{key}", why, "rules-unknown-key")
    c.unknown_keys({k: v for k, v in notice.items() if k not in _MOVED}, _NOTICE_KEYS, "notice")
    texts = {}
    for key in ("issuer", "doc_prefix", "addressees", "printer"):
        texts[key] = c.text(notice, key, "notice")
        _check_placeholders(c, texts[key], f"notice.{key}")
    prefix = texts["doc_prefix"] or ""
    if any(ch in prefix for ch in "〔〕[]（）()") or re.search(r"\d", prefix):
        c.add("notice.doc_prefix", "只写机关代字（如 X知字），年份和序号由程序按规范加上")
    mark = _optional_text(c, notice, "mark", "notice") or f"{texts['issuer'] or ''}文件"
    cc = _optional_text(c, notice, "cc", "notice")
    note = _optional_text(c, notice, "note", "notice")
    stamped = notice.get("stamped", False)
    if not isinstance(stamped, bool):
        c.add("notice.stamped", f"应为 true 或 false，实际为 {kind_of(stamped)}", "rules-type")
        stamped = False
    fonts = _fonts(c, data["fonts"]) if "fonts" in data else dict(DEFAULT_FONTS)

    monthly_data = c.table(data.get("monthly", {}), "monthly")
    c.unknown_keys(monthly_data, _MONTHLY_KEYS | set(VARIANTS), "monthly")
    ordinary = _wording(c, monthly_data, "monthly", None, "下一步工作要求")
    monthly = {"month": ordinary}
    for variant in VARIANTS:
        table = c.table(monthly_data.get(variant, {}), f"monthly.{variant}")
        c.unknown_keys(table, _MONTHLY_KEYS, f"monthly.{variant}")
        monthly[variant] = _wording(c, table, f"monthly.{variant}", ordinary, "")
    annual_data = c.table(data.get("annual", {}), "annual")
    c.unknown_keys(annual_data, _WORDING_KEYS, "annual")
    annual = _wording(c, annual_data, "annual", None, "有关要求")
    if c.problems:
        raise RulesError(c.problems)
    return NoticeRules(
        issuer=str(texts["issuer"]).strip(),
        mark=mark,
        doc_prefix=prefix.strip(),
        addressees=str(texts["addressees"]).strip(),
        cc=cc,
        printer=str(texts["printer"]).strip(),
        note=note,
        stamped=stamped,
        fonts=fonts,
        monthly=monthly,
        annual=annual,
        source=str(path),
    )


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
