"""ipscore validate: every planted problem is listed with its cell, and nothing else."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from builders_intake import set_cells
from conftest import MAY_ROWS, REPO, write_month
from typer.testing import CliRunner

from ipscore.app.rank import rank_month
from ipscore.app.validate import validate_file
from ipscore.base.codes import CODES, codes_markdown
from ipscore.cli.common import app
from ipscore.rules.scheme import Scheme

# Layout of conftest.write_month: title row 1, unit line 2, header 3 (A 序号, B 区县, C 本月,
# D 累计, E 去年同期, F 同比增长, G 年度目标, H 完成率), units in rows 4-14 (张店区 … 文昌湖区),
# 合计 in row 15.


def found(report) -> set[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return {(p.code, p.cell) for p in report.problems}


def test_clean_sheet_has_no_problems(tmp_path: Path, scheme: Scheme) -> None:
    report = validate_file(write_month(tmp_path), scheme)
    assert report.problems == []
    assert report.exit_code == 0


def test_warnings_each_with_its_cell(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path)
    ranks = {r.county: r.rank for r in rank_month(path, scheme).rows}
    # 高新区 first: 40×480/520 = 36.92 + growth 4th of 11 → 30−3×2 = 24 + progress 30 = 90.92.
    assert ranks["高新区"] == 1 and ranks["张店区"] == 2
    changes: dict[str, object] = {"I3": "排名"}
    for offset, row in enumerate(MAY_ROWS):
        changes[f"I{4 + offset}"] = ranks[row[0]]
    changes.update(
        {
            "F5": 5.0,  # 淄川区 230 vs 230: growth 0.00, not 5
            "H6": 39.89,  # 博山区 140/360 = 38.888…: 1.00 off
            "H7": 42.86,  # 临淄区 300/700 = 42.857…: within 0.011, fine
            "H8": 0.4222,  # 周村区 190/450 = 42.22 % in a percent-formatted cell, fine
            "C15": 560,  # 合计 of 本月: the units add up to 550
            "G15": "=SUM(G4:G14)",  # written by a program that does not calculate: no value
            "I4": 1,  # 张店区 is 2nd, not 1st
        }
    )
    set_cells(path, changes)
    report = validate_file(path, scheme)
    assert found(report) == {
        ("growth-mismatch", "F5"),
        ("completion-mismatch", "H6"),
        ("total-mismatch", "C15"),
        ("formula-no-value", "G15"),
        ("rank-mismatch", "I4"),
    }
    assert report.exit_code == 1
    by_cell = {p.cell: p for p in report.problems}
    assert by_cell["F5"].county == "淄川区" and by_cell["F5"].header == "同比增长(%)"
    assert "重新计算为 0.00" in by_cell["F5"].message
    assert "合计为 560，各区县之和为 550" in by_cell["C15"].message
    assert "重新计算为第 2 名" in by_cell["I4"].message
    assert "=SUM(G4:G14)" in by_cell["G15"].message


def test_errors_and_warnings_listed_together(tmp_path: Path, scheme: Scheme) -> None:
    path = set_cells(
        write_month(tmp_path),
        {
            "D4": "abc",  # 张店区 累计: text
            "G6": "—",  # 博山区 年度目标: a dash is not zero
            "C7": "=1+1",  # 临淄区 本月: formula with no cached value, never evaluated
            "B9": "张店区",  # 桓台县's row now says 张店区: duplicate, and 桓台县 missing
            "F5": 5.0,  # 淄川区 growth: still checked although the sheet has errors
        },
    )
    report = validate_file(path, scheme)
    assert found(report) == {
        ("value-text", "D4"),
        ("value-blank", "G6"),
        ("value-blank", "C7"),
        ("county-duplicate", "B9"),
        ("county-missing", None),
        ("growth-mismatch", "F5"),
    }
    assert report.exit_code == 2
    assert [p.level for p in report.problems[:5]] == ["error"] * 5  # errors first
    c7 = next(p for p in report.problems if p.cell == "C7")
    assert "=1+1" in c7.message and c7.county == "临淄区"
    assert "桓台县" in next(p for p in report.problems if p.code == "county-missing").message


def april_rows() -> list[tuple[object, ...]]:
    # April = May minus May's month figures; April's own month equal to May's (no jumps);
    # last year's cumulative 10 lower than in May.
    return [(c, m, y - m, last - 10, t) for c, m, y, last, t in MAY_ROWS]


def test_against_last_month(tmp_path: Path, scheme: Scheme) -> None:
    rows = april_rows()
    rows[0] = ("张店区", 100, 400, 460, 1300)  # May: 112 ≠ 520 − 400 = 120
    rows[2] = ("博山区", 30, 150, 140, 360)  # May's cumulative 140 < April's 150
    rows[6] = ("高青县", 5, 62, 54, 200)  # May 18 > 3 × 5
    april = write_month(
        tmp_path, rows, name="2019-04.xlsx", title="2019年1-4月各区县发明专利申请情况统计表"
    )
    may = write_month(tmp_path)
    report = validate_file(may, scheme, prev=april)
    assert found(report) == {
        ("month-apps-mismatch", "C4"),
        ("cumulative-fell", "D6"),
        ("month-jump", "C10"),
    }
    by_cell = {p.cell: p for p in report.problems}
    assert "520 − 上月累计 400" in by_cell["C4"].message and "= 120" in by_cell["C4"].message
    assert "2019-04.xlsx" in by_cell["D6"].message
    assert "3.60 倍" in by_cell["C10"].message  # 18 / 5


def test_previous_table_can_come_from_elsewhere(tmp_path: Path, scheme: Scheme) -> None:
    # The hook for the history store: last month's DataTable passed in directly.
    from ipscore.intake.table import load_table

    rows = april_rows()
    rows[6] = ("高青县", 5, 62, 54, 200)
    april = load_table(
        write_month(
            tmp_path, rows, name="2019-04.xlsx", title="2019年1-4月各区县发明专利申请情况统计表"
        ),
        scheme,
    )
    report = validate_file(write_month(tmp_path), scheme, previous=april)
    assert found(report) == {("month-jump", "C10")}


def test_last_month_from_the_history_store(
    runner: CliRunner, tmp_path: Path, scheme: Scheme, _history_store: Path
) -> None:
    # Without --prev, validate checks against the month the store holds: rank April first.
    rows = april_rows()
    rows[0] = ("张店区", 100, 400, 460, 1300)  # May: 112 ≠ 520 − 400 = 120
    april = write_month(
        tmp_path, rows, name="2019-04.xlsx", title="2019年1-4月各区县发明专利申请情况统计表"
    )
    may = write_month(tmp_path)
    clean = runner.invoke(app, ["validate", str(may), "-f", "json"])
    assert clean.exit_code == 0, clean.output  # nothing stored yet: nothing to compare
    assert not _history_store.exists()  # and validate did not create the store
    assert runner.invoke(app, ["rank", str(april), "-q"]).exit_code == 0
    result = runner.invoke(app, ["validate", str(may), "-f", "json"])
    assert result.exit_code == 1, result.output
    (problem,) = json.loads(result.stdout)
    assert (problem["code"], problem["cell"]) == ("month-apps-mismatch", "C4")
    assert "上月 2019-04.xlsx [历史库]）= 120" in problem["message"]


def test_january_month_equals_cumulative(tmp_path: Path, scheme: Scheme) -> None:
    rows = [(c, y, y, last, t) for c, _, y, last, t in MAY_ROWS]
    rows[1] = ("淄川区", 200, 230, 230, 600)
    path = write_month(
        tmp_path,
        rows,
        name="2019-01.xlsx",
        title="2019年1月各区县发明专利申请情况统计表",
        ytd_header="1月累计",
    )
    assert found(validate_file(path, scheme)) == {("month-apps-mismatch", "C5")}


def test_unreadable_file_is_one_error(tmp_path: Path, scheme: Scheme) -> None:
    path = tmp_path / "2019-05.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    report = validate_file(path, scheme)
    assert [p.code for p in report.problems] == ["file-damaged"]
    assert report.exit_code == 2


# --------------------------------------------------------------------------------------------
# The command


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_cli_json_and_exit_codes(runner: CliRunner, tmp_path: Path, scheme: Scheme) -> None:
    clean = write_month(tmp_path)
    result = runner.invoke(app, ["validate", str(clean), "-f", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []

    warned = set_cells(write_month(tmp_path, name="w-2019-05.xlsx"), {"F5": 5.0})
    result = runner.invoke(app, ["validate", str(warned), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data == validate_file(warned, scheme).as_json()
    assert data == [
        {
            "level": "warning",
            "code": "growth-mismatch",
            "file": str(warned),
            "sheet": "统计表",
            "cell": "F5",
            "field": "reported_growth",
            "county": "淄川区",
            "message": data[0]["message"],
        }
    ]

    broken = set_cells(write_month(tmp_path, name="e-2019-05.xlsx"), {"D4": "abc"})
    result = runner.invoke(app, ["validate", str(broken)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "D4（1-5月累计）" in result.stdout and "abc" in result.stdout
    assert "1 个错误" in result.stdout


def test_cli_lists_codes(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", "--codes"])
    assert result.exit_code == 0
    for code in CODES:
        assert f"`{code}`" in result.stdout


# --------------------------------------------------------------------------------------------
# One list of codes


_CODE = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+$")
# Encodings, and the reason keys of unattributable tally records (ipscore.attribution.REASONS,
# written to the review file), are not problem codes.
_NOT_CODES = {"utf-8", "utf-8-sig", "utf-16", "city-only", "fc-list"}  # fc-list: a program


def codes_in_source() -> set[str]:
    used: set[str] = set()
    for path in (REPO / "ipscore").rglob("*.py"):
        if path.name == "codes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _CODE.match(node.value)
                and node.value not in _NOT_CODES
            ):
                used.add(node.value)
    # The loader builds value-{kind} from NumberError.kind.
    used |= {"value-blank", "value-negative", "value-fraction", "value-text"}
    return used


def test_every_code_is_registered_and_every_registered_code_is_used() -> None:
    used = codes_in_source()
    assert used - set(CODES) == set(), "codes used but not in ipscore/base/codes.py"
    assert set(CODES) - used == set(), "codes in ipscore/base/codes.py that nothing reports"


def test_codes_document_is_current() -> None:
    assert (REPO / "docs" / "codes.md").read_text(encoding="utf-8") == codes_markdown(), (
        "regenerate: python -m ipscore.base.codes > docs/codes.md"
    )


def test_total_checked_in_columns_without_errors(tmp_path: Path, scheme: Scheme) -> None:
    # 临淄区's 累计 is unreadable, so the 累计 合计 cannot be checked; the 本月 合计 can:
    # the units add up to 550, the sheet says 560.
    path = set_cells(write_month(tmp_path), {"D7": "三百", "C15": 560})
    assert found(validate_file(path, scheme)) == {("value-text", "D7"), ("total-mismatch", "C15")}


def test_total_row_own_growth_checked(tmp_path: Path, scheme: Scheme) -> None:
    # The sheet's 合计 同比增长 against its own figures: (2331 − 2112) / 2112 × 100 = 10.369…
    path = set_cells(write_month(tmp_path), {"F15": 10.73})
    assert found(validate_file(path, scheme)) == {("growth-mismatch", "F15")}
