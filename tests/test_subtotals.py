"""Subtotal rows as counties send them: 区县小计 and 功能区小计 close their groups of units.

They are read like the 合计 row — left out of the ranking, never an 未知的区县 — and ``validate``
checks each against the units above it. Layout (conftest.fill_month_sheet): header in row 3,
张店区 … 沂源县 in rows 4-11, 区县小计 in row 12, 高新区 … 文昌湖区 in rows 13-15, 功能区小计 in
row 16, 合计 in row 17; column D is 累计.
"""

from __future__ import annotations

from pathlib import Path

from builders_intake import set_cells
from conftest import MAY_ROWS, write_month
from typer.testing import CliRunner

from ipscore.app.rank import rank_month
from ipscore.app.validate import validate_file
from ipscore.cli.common import app
from ipscore.intake.table import load_table
from ipscore.rules.resolve import load_scheme

# Districts: 本月 112+54+33+79+45+42+18+23 = 406, 累计 1735, 去年同期 1619, 目标 4250;
# zones: 114+20+10 = 144, 480+76+40 = 596, 400+61+32 = 493, 1150+180+100 = 1430.
DISTRICTS = ("区县小计", 406, 1735, 1619, 4250)
ZONES = ("功能区小计", 144, 596, 493, 1430)
TOTAL = ("合计", 550, 2331, 2112, 5680)


def with_subtotals(folder: Path) -> Path:
    rows = [*MAY_ROWS[:8], DISTRICTS, *MAY_ROWS[8:], ZONES]
    return write_month(folder, rows, total=False, before_total=[TOTAL])


def test_subtotals_are_left_out_of_the_ranking(tmp_path: Path) -> None:
    scheme = load_scheme()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain = rank_month(write_month(tmp_path / "a"), scheme)
    grouped = rank_month(with_subtotals(tmp_path / "b"), scheme)
    assert [(r.county, r.rank, r.score) for r in grouped.rows] == [
        (r.county, r.rank, r.score) for r in plain.rows
    ]
    assert grouped.totals["ytd_apps"] == 2331  # the units' own sum, subtotals not counted


def test_subtotals_know_their_groups(tmp_path: Path) -> None:
    table = load_table(with_subtotals(tmp_path), load_scheme())
    assert [(s.record.county, s.record.row, s.members) for s in table.subtotals] == [
        (
            "区县小计",
            12,
            ("张店区", "淄川区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县"),
        ),
        ("功能区小计", 16, ("高新区", "经济开发区", "文昌湖区")),
    ]
    assert table.total is not None and table.total.row == 17


def test_validate_checks_each_subtotal(tmp_path: Path) -> None:
    scheme = load_scheme()
    path = with_subtotals(tmp_path)
    assert validate_file(path, scheme).problems == []
    set_cells(path, {"D12": 1730, "C16": 150})
    problems = validate_file(path, scheme).problems
    assert [(p.code, p.cell, p.level) for p in problems] == [
        ("subtotal-mismatch", "D12", "warning"),
        ("subtotal-mismatch", "C16", "warning"),
    ]
    assert problems[0].message.startswith("区县小计为 1730，其上方各区县（张店区、淄川区")
    assert problems[0].message.endswith("之和为 1735（相差 5）")
    assert "高新区、经济开发区、文昌湖区）之和为 144（相差 6）" in problems[1].message


def test_a_subtotal_written_in_the_serial_column(tmp_path: Path) -> None:
    path = set_cells(with_subtotals(tmp_path), {"A16": "小计", "B16": None})
    table = load_table(path, load_scheme())
    assert [s.record.county for s in table.subtotals] == ["区县小计", "小计"]


def test_rank_and_validate_on_the_command_line(tmp_path: Path) -> None:
    path = with_subtotals(tmp_path)
    env = {"IPSCORE_DB": str(tmp_path / "h.db"), "COLUMNS": "160"}
    ranked = CliRunner().invoke(app, ["rank", str(path), "-f", "csv"], env=env)
    assert ranked.exit_code == 0, ranked.output
    assert "未知的区县" not in ranked.output and "小计" not in ranked.stdout
    checked = CliRunner().invoke(app, ["validate", str(path)], env=env)
    assert checked.exit_code == 0, checked.output
