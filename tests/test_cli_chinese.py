"""Every help page and usage error speaks Chinese: no word of Typer's or Click's own English.

The help of every command (found by walking the command tree, so a new command is checked
without being listed here) and a set of usage errors are rendered; the English words left in
them may only be option names, command names, choice values, file names and a few technical
names (TOML, SQLite, cron).
"""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from ipscore.base.width import width_of, wrap
from ipscore.cli import app

TYPER_WORDS = (
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Show this message",
    "Error",
    "Missing",
    "Invalid value",
    "No such",
    "Try '",
    "required",
    "default",
    "Value error",
    "is not one of",
    "Got unexpected",
    "Did you mean",
    "<str>",
    "<path>",
    "<int",
    "list[",
)
TECHNICAL = {
    *("ipscore", "IPSCORE_DB", "IPSCORE_RULES", "SQLite", "TOML", "YYYY", "MM", "DD", "cron"),
    *("LibreOffice", "Word", "Sobol", "SALib"),
}
FILE_NAME = re.compile(
    r"\S*\.(?:xlsx|xlsm|xls|ods|csv|md|toml|db|parquet|log|json|txt|docx|pdf|png)\b"
)
WORD = re.compile(r"(?<![-\w.])[A-Za-z][A-Za-z_]+")


def _commands() -> list[list[str]]:
    def walk(command: object, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, sub in getattr(command, "commands", {}).items():
            found.extend(walk(sub, [*path, name]))
        return found

    return walk(typer.main.get_command(app), [])


def _allowed() -> set[str]:
    from ipscore.rules.source import builtin_rules

    allowed = set(TECHNICAL)
    root = typer.main.get_command(app)
    for path in _commands():
        allowed.update(path)
        command = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        # Choice values (table, json, csv, text …) are values a user types, not words.
        for param in command.params:
            for choice in param.type_descriptor.choices or ():
                allowed.add(str(getattr(choice, "value", choice)))
    # The formats named in help, and the built-in rule files' names (rules show monthly).
    allowed.update({"xlsx", "docx", "pdf", "png", "monthly", "annual"})
    allowed.update(part for p in builtin_rules() for part in p.stem.split("-"))
    return allowed


def english_words(text: str) -> set[str]:
    """ASCII words in ``text`` that are not option names, file names or allowed names."""
    return set(WORD.findall(FILE_NAME.sub("", text))) - _allowed()


def invoke(*args: str, columns: int = 80) -> object:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p) or "ipscore")
def test_every_help_is_chinese(path: list[str]) -> None:
    for flag in ("--help", "-h"):
        result = invoke(*path, flag)
        assert result.exit_code == 0, result.output
        text = result.stdout
        assert text.startswith(f"用法：ipscore {' '.join(path)}".replace("  ", " "))
        assert "选项：" in text and "显示本帮助并退出。" in text
        for word in TYPER_WORDS:
            assert word not in text, (word, text)
        assert english_words(text) == set(), text


@pytest.mark.parametrize("columns", [80, 100, 140])
def test_help_fits_the_terminal(columns: int) -> None:
    for path in _commands():
        text = invoke(*path, "-h", columns=columns).stdout
        widest = max(width_of(line) for line in text.splitlines())
        assert widest <= min(columns, 100), (path, widest)
        assert all(line == line.rstrip() for line in text.splitlines())


USAGE_ERRORS = [
    (["rank"], "错误：缺少参数 文件"),
    (["rank", "x.xlsx", "--bogus"], "错误：没有这个选项：--bogus"),
    (
        ["rank", "x.xlsx", "--prevv", "y"],
        "错误：没有这个选项：--prevv（是不是要用 --prev、--compare？）",
    ),
    (
        ["rank", "x.xlsx", "-f", "pdf"],
        "错误：--format：应为 table、json、csv、md、xlsx 之一，实际为 'pdf'",
    ),
    (["assess", "x.xlsx", "--year", "3"], "错误：--year：应为整数（1990–2100），实际为 '3'"),
    (["assess", "x.xlsx", "--year", "abc"], "错误：--year：应为整数（1990–2100），实际为 'abc'"),
    (["rank", "x.xlsx", "-o"], "错误：选项 -o 后面缺少值（文件）"),
    (["rank", "x.xlsx", "--allow-missing=1"], "错误：选项 --allow-missing 不带值"),
    (["rank", "a.xlsx", "b.xlsx"], "错误：多余的参数：b.xlsx"),
    (["rnak"], "错误：没有这个命令：rnak（是不是要用 rank？）"),
    (["rules", "chek", "x"], "错误：没有这个命令：chek（是不是要用 check？）"),
    (["--debug"], "错误：请给出一个命令"),
    (["template", "-o", "x.xlsx"], "错误：缺少必填选项 --month 年-月"),
    (
        ["rank", "x.xlsx", "--month", "5月"],
        "错误：--month：应为 YYYY-MM（如 2019-05，年份 1990–2100），实际为 '5月'",
    ),
]


@pytest.mark.parametrize(
    ("args", "first"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS]
)
def test_usage_errors_are_chinese(args: list[str], first: str, tmp_path: object) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(first), result.stderr
    assert lines[1].startswith("用法：ipscore")
    assert lines[2].startswith("查看帮助：ipscore") and lines[2].endswith(" -h")
    for word in TYPER_WORDS:
        assert word not in result.stderr, (word, result.stderr)
    typed = set(WORD.findall(" ".join(args)))
    assert english_words(result.stderr) <= typed, result.stderr
    assert result.stdout == ""


def test_format_is_case_insensitive(tmp_path: object) -> None:
    from tests.conftest import SAMPLES_DIR as SAMPLES

    result = CliRunner().invoke(
        app, ["rank", str(SAMPLES / "2019-05.xlsx"), "-f", "JSON", "--db", f"{tmp_path}/h.db"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith("{")


def test_no_arguments_shows_the_help() -> None:
    result = invoke()
    assert result.exit_code == 2
    assert result.output.startswith("用法：ipscore [选项] 命令 [参数]...")


def test_wrap_keeps_punctuation_and_words() -> None:
    text = "数据月份 YYYY-MM；默认从表格标题或文件名（2019-05.xlsx）识别。"
    lines = wrap(text, 20)
    assert all(width_of(line) <= 20 for line in lines), lines
    assert not any(line[0] in "，。；：）" for line in lines)
    assert not any(line.endswith("（") for line in lines)
    assert "2019-05.xlsx）" in "".join(lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_width_counts_chinese_twice() -> None:
    assert width_of("张店区") == 6 and width_of("ab") == 2 and width_of("第1名") == 5
