"""ipscore.rules.source."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ipscore.base.problems import Problem, RulesError
from ipscore.base.text import printable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

MAX_RULE_FILE_BYTES = 1_000_000
# The largest magnitude a number in a rule file may have (points, targets, thresholds, scales):
# far beyond any real parameter, and small enough that every sum and message stays exact.
MAX_RULE_NUMBER = 10**12


# --------------------------------------------------------------------------------------------
# Locating rule files.


def rules_dir() -> Path:
    """Where the bundled rule files are: inside an installed wheel, or at the top of a clone."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_rules"
    if packaged.is_dir():
        return packaged
    return package.parent / "rules"


# A working folder (``ipscore init``) keeps its own copies of the rule files in ``rules/``; run
# inside one, a command without --rules reads those, so the bureau's edits (its name in
# notice.toml, next year's targets) apply without a path on every command.
WORKING_RULES = Path("rules")


def default_rule_file(name: str) -> Path:
    """The rule file ``name`` a command uses by default: ``./rules/NAME`` when run inside a
    working folder that has it (a regular file, not a link), else the bundled one."""
    bundled = rules_dir() / name
    local = WORKING_RULES / name
    if local.is_file() and not local.is_symlink() and local.resolve() != bundled.resolve():
        return local
    return bundled  # also in a source checkout, whose rules/ is the bundled folder


def builtin_rule(name: str) -> Path | None:
    """A built-in rule file by name: ``monthly``, ``annual``, or a file name in the bundled rules
    (``units``, ``notice.toml``, ``targets-2019``); None when ``name`` names none (or is a path)."""
    aliases = {"monthly": "monthly-2019.toml", "annual": "annual-2019.toml"}
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        return None
    folder = rules_dir()
    for candidate in (aliases.get(name), name, f"{name}.toml"):
        if candidate and (folder / candidate).is_file() and candidate.endswith(".toml"):
            return folder / candidate
    return None


def builtin_rules() -> list[Path]:
    """Every bundled rule file, by name."""
    return sorted(rules_dir().glob("*.toml"))


def shown_path(path: Path | str) -> str:
    """A rule file as messages name it: as the user typed it, or for a bundled file
    ``内置的 monthly-2019.toml`` — never a path into the installed package."""
    path = Path(path)
    if path.is_absolute():
        try:
            if path.resolve().parent == rules_dir().resolve():
                return f"内置的 {path.name}"
        except OSError:
            pass
    return str(path)


# --------------------------------------------------------------------------------------------
# Reading TOML safely.


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file as data (see :func:`_read_toml`), refusing text that holds control
    characters: a rule file's names reach terminals, logs and circulars."""
    data = _read_toml(path)
    hidden = list(_controls(data, ""))
    if hidden:
        raise RulesError(
            [
                Problem(
                    "rules-syntax",
                    "文本中有控制字符或双向文字控制符（如 ESC、换行、U+202E），规则文件中不允许",
                    file=str(path),
                    field=place,
                )
                for place in hidden
            ]
        )
    return data


def _controls(value: Any, place: str) -> Iterator[str]:
    """The places of every text in ``value`` that holds a character shown as an escape."""
    if isinstance(value, str):
        if printable(value, None) != value:
            yield place or "（顶层）"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _controls(key, place)
            yield from _controls(item, f"{place}.{key}" if place else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _controls(item, f"{place}[{index + 1}]")


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file as data, refusing oversized or malformed files with a RulesError."""
    shown = shown_path(path)
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
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"at line (\d+), column (\d+)", str(exc))
        place = f"（第 {where.group(1)} 行第 {where.group(2)} 列）" if where else ""
        raise RulesError(
            [Problem("rules-syntax", f"TOML 语法错误{place}：请检查该处的写法", file=shown)]
        ) from None
    except ValueError:
        # tomllib reads an integer with int(), which refuses more than 4300 digits: name the
        # line and the key, since no rule place exists before the file is parsed.
        limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300
        digits = re.search(rf"\d{{{limit},}}", text)
        told = ""
        if digits is not None:
            line_start = text.rfind("\n", 0, digits.start()) + 1
            key = re.search(r"([\w.\"'-]+)\s*=\s*[-+]?$", text[line_start : digits.start()])
            line = text.count("\n", 0, digits.start()) + 1
            told = f"第 {line} 行" + (f" {key.group(1)[:40]}" if key else "")
            told += f"：数字有 {digits.end() - digits.start()} 位，"
        raise RulesError(
            [
                Problem(
                    "rules-range",
                    f"{told}数值过大，无法读取（绝对值应不超过 10^12）",
                    file=shown,
                )
            ]
        ) from None
    except RecursionError:
        raise RulesError([Problem("rules-syntax", "TOML 嵌套层数过深", file=shown)]) from None
    return data


# --------------------------------------------------------------------------------------------
# Checking: every problem is collected with its place.


@dataclass(frozen=True)
class Param:
    """A rule parameter: its kind, its default (None = required) and its minimum."""

    kind: str  # "field", "number", "target", "bool", "tiers"
    default: Any = None
    required: bool = True
    minimum: Fraction | None = None


class RuleChecker:
    """Collects the problems of a rule file, each with its place; shared by every rule reader."""

    def __init__(self, path: Path) -> None:
        self.file = shown_path(path)
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
        if isinstance(value, float) and not math.isfinite(value):
            self.add(f"{place}.{key}", f"应为有限的数字，实际为 {value}", "rules-type")
            return None
        if not is_rule_number(value):
            self.add(
                f"{place}.{key}",
                f"数值过大：{number_text(value)}（绝对值应不超过 10^12）",
                "rules-range",
            )
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


def is_rule_number(value: Any) -> bool:
    """Whether a TOML value is a number a rule may use: finite, |x| ≤ 10^12, not a bool."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return abs(value) <= MAX_RULE_NUMBER


def number_text(value: int | float) -> str:
    """A number for a message, short even when it has thousands of digits."""
    if isinstance(value, int) and abs(value) >= 10**15:
        digits = len(str(abs(value))) if value.bit_length() < 14000 else None
        return f"一个 {digits} 位的整数" if digits else "一个位数极多的整数"
    if isinstance(value, float) and abs(value) >= 1e15:
        return f"{value:g}"
    return str(value)


def kind_of(value: Any) -> str:
    """How a TOML value is named in a message: 文本 'x', 整数 3, 数组, 表."""
    names = {str: "文本", bool: "布尔值", int: "整数", float: "数字", list: "数组", dict: "表"}
    for typ, name in names.items():
        if type(value) is typ:
            return f"{name} {value!r}" if typ in (str, int, float, bool) else name
    return type(value).__name__


def short_number(number: Fraction) -> str:
    return str(number.numerator) if number.denominator == 1 else f"{float(number):g}"
