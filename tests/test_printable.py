"""Text from input reaches messages, the log and the terminal printable and bounded.

Control characters (ESC, OSC, BEL, NUL, CR, LF, DEL, C1), line separators and bidi overrides
are shown as escapes; a long value is cut with …; a file path is escaped but never cut.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import MAY_ROWS, SAMPLES_DIR, write_month
from typer.testing import CliRunner

from ipscore.base.numbers import NumberError, parse_count, shown
from ipscore.base.problems import Problem
from ipscore.base.text import MESSAGE_LIMIT, VALUE_LIMIT, printable
from ipscore.cli.common import app

MAY = SAMPLES_DIR / "2019-05.xlsx"
RAW = "\x1b\x07\x00\r\n\x7f\x9b\u202e\u2028"  # what must never come out raw


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def assert_clean(text: str) -> None:
    """No control character except the line ends between lines."""
    for line in text.splitlines():
        bad = [ch for ch in line if ch in RAW or ch in "\x1b\x07\x00\x7f"]
        assert not bad, (line, bad)


# --------------------------------------------------------------------------------------------
# printable()


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("\x1b[2J红", "\\x1b[2J红"),  # clear screen
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),  # OSC: set the window title, BEL
        ("a\x00b", "a\\x00b"),
        ("line\r\nforged", "line\\r\\nforged"),
        ("tab\there", "tab\\there"),
        ("del\x7f", "del\\x7f"),
        ("c1\x9b31m", "c1\\x9b31m"),  # the one-byte CSI
        ("abc\u202etxt.exe", "abc\\u202etxt.exe"),  # right-to-left override
        ("x\u2028y\u2029z", "x\\u2028y\\u2029z"),
        ("bad\udcffbyte", "bad\\xffbyte"),  # an undecodable byte of a file name
        ("张店区 （1-5月累计）", "张店区 （1-5月累计）"),
        ("👩‍💻\u00ad", "👩‍💻\u00ad"),  # ZWJ and the soft hyphen are harmless
    ],
)
def test_control_characters_become_escapes(raw: str, escaped: str) -> None:
    assert printable(raw, None) == escaped
    assert printable(escaped, None) == escaped  # twice changes nothing


def test_long_values_are_cut_with_an_ellipsis() -> None:
    value = "9" * 32 * 1024
    cut = printable(value)
    assert cut == "9" * VALUE_LIMIT + "…"
    assert printable(cut) == cut
    assert printable(value, None) == value  # paths are never cut
    # An escape is never split by the cut.
    assert printable("a" * 58 + "\x1b") == "a" * 58 + "…"
    assert printable(12345) == "12345"


def test_shown_and_number_errors_are_printable_and_bounded() -> None:
    assert shown(" \x1b[31m12\x1b[0m ") == "\\x1b[31m12\\x1b[0m"
    assert shown(12.0) == "12"
    with pytest.raises(NumberError) as caught:
        parse_count("\x1b]0;x\x07" + "8" * 32768)
    assert caught.value.shown.endswith("…") and len(caught.value.shown) == VALUE_LIMIT + 1
    assert "\x1b" not in caught.value.shown


def test_a_problem_is_printable_when_it_is_made() -> None:
    path = "/收件箱/2019-05\n伪造.xlsx"
    problem = Problem(
        "value-text",
        "无法识别\x1b[2J" + "x" * 5000,
        file=path,
        sheet="统计\x07表",
        cell="D7",
        header="1-5月\n累计",
    )
    assert problem.file == "/收件箱/2019-05\\n伪造.xlsx"  # whole, escaped
    assert problem.sheet == "统计\\x07表" and problem.header == "1-5月\\n累计"
    assert len(problem.message) == MESSAGE_LIMIT + 1 and problem.message.endswith("…")
    line = problem.line()
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line
    assert line.startswith("错误：/收件箱/2019-05\\n伪造.xlsx [统计\\x07表] D7（1-5月\\n累计）：")


# --------------------------------------------------------------------------------------------
# From a hostile sheet to the terminal


def csv_month(path: Path, cells: dict[tuple[int, int], str]) -> Path:
    """May as a CSV file, with some cells replaced (row index in MAY_ROWS, column 0-4)."""
    lines = ["2019年1-5月各区县发明专利申请情况统计表"]
    lines.append("序号,区县,本月发明专利申请量,1-5月累计,去年同期累计,年度目标")
    for index, row in enumerate(MAY_ROWS):
        values = [str(v) for v in row]
        for (r, c), text in cells.items():
            if r == index:
                values[c] = '"' + text.replace('"', '""') + '"'
        lines.append(f"{index + 1}," + ",".join(values))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_a_32kb_cell_is_cut_and_its_escapes_shown(tmp_path: Path) -> None:
    hostile = "\x1b]0;pwned\x07\x1b[2J" + "9" * 32 * 1024
    path = csv_month(tmp_path / "2019-05.csv", {(3, 2): hostile})
    result = invoke("rank", path)
    assert result.exit_code == 2, result.output
    (line,) = [x for x in result.stderr.splitlines() if "D" in x and "…" in x]
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in line
    assert len(line) < 200 and "…”" in line  # the value is cut inside its quotes
    assert_clean(result.stderr)
    assert "9" * 100 not in result.output


def test_a_32kb_xlsx_cell_is_cut(tmp_path: Path) -> None:
    rows = [list(r) for r in MAY_ROWS]
    rows[3][2] = "三" * 32000  # openpyxl's cell limit is 32767 characters
    path = write_month(tmp_path, [tuple(r) for r in rows])
    result = invoke("rank", path)
    assert result.exit_code == 2
    (line,) = [x for x in result.stderr.splitlines() if "D7" in x]
    assert len(line) < 200 and "…" in line


def test_control_characters_in_a_county_name_never_reach_the_terminal(tmp_path: Path) -> None:
    path = csv_month(tmp_path / "2019-05.csv", {(0, 0): "张店区\x1b[8m\r\n合计"})
    result = invoke("rank", path, "-f", "json")
    assert result.exit_code == 2
    assert "\\x1b[8m" in result.stderr
    assert_clean(result.stderr)


# --------------------------------------------------------------------------------------------
# The cron log


def cron(inbox: Path, out: Path):
    return invoke("notice", "--inbox", inbox, "--out", out, "--date", "2019-07-05", "--settle", "0")


def test_newline_and_esc_in_an_inbox_file_name_cannot_forge_log_lines(tmp_path: Path) -> None:
    inbox, out = tmp_path / "收件箱", tmp_path / "通报"
    inbox.mkdir()
    forged = "2019-05 统计\n2019-07-05 09:00:00  成功 2019-06 伪造\x1b[2J\x07.xlsx"
    shutil.copy(MAY, inbox / forged)
    first = cron(inbox, out)
    assert first.exit_code == 0, first.output
    assert cron(inbox, out).exit_code == 0  # nothing left to do: one more line
    # A bad file whose name carries control characters: the error line is escaped too.
    (inbox / "2019-06 坏\r\x1b[31m.xlsx").write_bytes(b"not a workbook")
    bad = cron(inbox, out)
    assert bad.exit_code == 2
    assert_clean(bad.stderr)

    data = (out / "ipscore-notice.log").read_bytes()
    for byte in (b"\x1b", b"\x07", b"\r", b"\x00"):
        assert byte not in data
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 3, lines  # one line per run
    assert "成功 2019-05" in lines[0] and "2019-05 统计\\n2019-07-05" in lines[0]
    assert "\\x1b[2J\\x07.xlsx" in lines[0]
    assert "无待处理月份" in lines[1]
    assert lines[2].count("2019-06 坏\\r\\x1b[31m.xlsx") >= 1
