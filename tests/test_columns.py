"""A table keeps its columns off a terminal, and says what it leaves out on one.

``ipscore rank x.xlsx > 排名.txt`` used to be cut to 80 columns, dropping 去年同期, 年度目标 and
the points without a word, every line padded with spaces. Off a terminal the table now has
every column at full width and no trailing spaces; on a terminal (Rich's TTY_COMPATIBLE=1 in
these tests) it is fitted to the window and a note names the columns left out and how to see
them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from ipscore.cli import app

MAY = Path(__file__).parents[1] / "samples" / "2019-05.xlsx"
ANNUAL = Path(__file__).parents[1] / "samples" / "2019-annual.xlsx"
HEADERS = [
    "排名",
    "区县",
    "本月",
    "累计",
    "去年同期",
    "同比%",
    "目标",
    "完成率%",
    "总量",
    "增幅",
    "进度",
    "得分",
    "变化",
]


def rank(tmp_path: Path, *extra: str, terminal: bool = False, columns: int = 80):
    env = {"COLUMNS": str(columns), "IPSCORE_DB": str(tmp_path / "h.db")}
    if terminal:
        env["TTY_COMPATIBLE"] = "1"
    return CliRunner().invoke(app, ["rank", str(MAY), *extra], env=env)


def plain(text: str) -> str:
    """Terminal output without its colour and style codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.parametrize("columns", [60, 80, 200])
def test_into_a_file_every_column_whatever_the_window(tmp_path: Path, columns: int) -> None:
    result = rank(tmp_path, columns=columns)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.split()[:1] == ["排名"])
    assert header.split() == HEADERS
    gaoxin = next(line for line in lines if "高新区" in line).split()
    # 去年同期 400, 年度目标 1150 and the three indicators' points are all there (DOMAIN.md).
    assert gaoxin == [
        "1",
        "高新区",
        "114",
        "480",
        "400",
        "20.00",
        "1150",
        "41.74",
        "36.92",
        "24.00",
        "30.00",
        "90.92",
        "—",
    ]
    assert all(line == line.rstrip() for line in lines)
    assert "终端较窄" not in result.stdout


def test_on_a_terminal_fitted_with_a_note_on_what_is_left_out(tmp_path: Path) -> None:
    result = rank(tmp_path, terminal=True, columns=80)
    assert result.exit_code == 0, result.output
    out = plain(result.stdout)
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    header = next(line for line in out.splitlines() if line.split()[:1] == ["排名"]).split()
    assert "去年同期" not in header and "目标" not in header and "得分" in header
    note = next(line for line in out.splitlines() if "终端较窄" in line)
    assert "去年同期、目标" in note and "-f csv" in note and "加宽窗口" in note


def test_on_a_wide_terminal_nothing_is_left_out(tmp_path: Path) -> None:
    out = plain(rank(tmp_path, terminal=True, columns=140).stdout)
    header = next(line for line in out.splitlines() if line.split()[:1] == ["排名"])
    assert header.split() == HEADERS and "终端较窄" not in out


def test_a_very_wide_table_keeps_every_column_with_coded_headers(tmp_path: Path) -> None:
    # The annual table with every indicator named is ~300 columns: a file gets the coded
    # headers (①…⑪) with their legend, never fewer columns.
    result = CliRunner().invoke(app, ["assess", str(ANNUAL)], env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    zhangdian = next(line for line in out.splitlines() if "张店区" in line).split()
    assert len(zhangdian) == 2 + 11 + 4  # rank, unit, 11 indicators, base, bonus, total, grade
    assert "①发明专利申请量(15)" in out and "终端较窄" not in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_txt_output_file_keeps_every_column(tmp_path: Path) -> None:
    out = tmp_path / "排名.txt"
    result = rank(tmp_path, "-o", str(out), columns=60)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert (
        next(line for line in text.splitlines() if line.split()[:1] == ["排名"]).split() == HEADERS
    )
    assert all(line == line.rstrip() for line in text.splitlines())
