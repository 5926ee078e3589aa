"""`ipscore assess`, `explain`, `rules check/show` and `--compare` through the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from builders_annual import ANNUAL_RULES, ANNUAL_SAMPLE, RULES, rules_copy
from openpyxl import load_workbook
from typer.testing import CliRunner

from ipscore.app.assess import assess_file
from ipscore.cli.common import app
from ipscore.render.annual import annual_json
from ipscore.rules.resolve import resolve_scheme

MAY = Path(__file__).parents[1] / "samples" / "2019-05.xlsx"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str | Path, columns: int = 140):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns)})


def test_assess_prints_the_graded_table(runner: CliRunner) -> None:
    result = run(runner, "assess", ANNUAL_SAMPLE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2019年度区县知识产权工作考核结果" in out
    lines = [line for line in out.splitlines() if "张店区" in line or "桓台县" in line]
    assert "109.50" in lines[0] and "优秀" in lines[0] and "15.00" in lines[0]
    assert "93.92" in lines[1] and "不合格（否决）" in lines[1]
    assert "①发明专利申请量(15)" in out  # the indicator legend of the numbered headers


def test_assess_narrow_terminal_keeps_totals_and_grades(runner: CliRunner) -> None:
    # A terminal (TTY_COMPATIBLE=1 tells Rich so): the table is fitted to its 100 columns.
    result = runner.invoke(
        app,
        ["assess", str(ANNUAL_SAMPLE)],
        env={"COLUMNS": "100", "TTY_COMPATIBLE": "1"},
    )
    assert result.exit_code == 0
    out = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # without the terminal's style codes
    assert "94.88" in out and "良好" in out
    assert "未列出各项得分" in out
    from rich.cells import cell_len

    assert max(cell_len(line) for line in out.splitlines()) <= 100


def test_assess_json_is_the_library_result(runner: CliRunner) -> None:
    result = run(runner, "assess", ANNUAL_SAMPLE, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == annual_json(assess_file(ANNUAL_SAMPLE, resolve_scheme(None, "annual")))
    assert data["year"] == 2019 and data["scheme"] == "2019年区县知识产权工作考核"
    first = data["rows"][0]
    assert set(first) >= {"county", "parts", "base", "bonus", "score", "rank", "grade"}
    assert (first["county"], first["base"], first["bonus"], first["score"]) == (
        "张店区",
        99.5,
        10.0,
        109.5,
    )
    assert [r["rank"] for r in data["rows"]] == sorted(r["rank"] for r in data["rows"])
    assert data["rows"][4]["grade"] == "不合格" and data["rows"][4]["veto"] is True


def test_assess_files_read_back(runner: CliRunner, tmp_path: Path) -> None:
    for suffix in ("csv", "md", "xlsx", "json"):
        target = tmp_path / f"out.{suffix}"
        result = run(runner, "assess", ANNUAL_SAMPLE, "-o", target)
        assert result.exit_code == 0, result.output
        assert target.exists()
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text("utf-8-sig"))))
    assert rows[0][:3] == ["排名", "区县", "发明专利申请量(15)"]
    assert rows[0][-4:] == ["基础分", "加分(≤10)", "总分", "等次"]
    assert rows[1][:2] == ["1", "张店区"] and rows[1][-2:] == ["109.50", "优秀"]
    assert "| 4 | 经济开发区 |" in (tmp_path / "out.md").read_text("utf-8")
    ws = load_workbook(tmp_path / "out.xlsx").active
    assert ws["A1"].value == "2019年度区县知识产权工作考核结果"
    assert ws["A2"].value == "单位：分    评分方案：2019年区县知识产权工作考核"
    assert ws["P3"].value == "总分" and ws.print_title_rows == "$3:$3"
    assert (ws["B4"].value, ws.cell(row=4, column=16).value) == ("张店区", 109.5)
    assert ws["O4"].number_format == '0.00"*"'  # 张店区's bonus was capped: marked, a number


def test_assess_bad_rules_exit_2_with_the_list(runner: CliRunner, tmp_path: Path) -> None:
    path = rules_copy(
        tmp_path,
        lambda t: t.replace("step = 0.5", 'step = "x"').replace(
            "cap = 10\n\n[[bonus", "cap = -1\n\n[[bonus"
        ),
    )
    result = run(runner, "assess", ANNUAL_SAMPLE, "--rules", path)
    assert result.exit_code == 2
    assert "indicators[inv_growth].step" in result.stderr
    assert "bonus.cap" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_assess_with_monthly_rules_or_monthly_file_exits_2(runner: CliRunner) -> None:
    result = run(runner, "assess", ANNUAL_SAMPLE, "--rules", RULES / "monthly-2019.toml")
    assert result.exit_code == 2 and "ipscore rank" in result.stderr
    result = run(runner, "assess", MAY)
    assert result.exit_code == 2 and "找不到" in result.stderr


def _explained_numbers(text: str) -> tuple[list[Decimal], Decimal, Decimal, Decimal]:
    points = [Decimal(m) for m in re.findall(r"^\d+\. .*：(\d+\.\d\d) 分$", text, re.M)]
    base = Decimal(re.search(r"^基础分 = .* = (\d+\.\d\d)$", text, re.M).group(1))  # type: ignore[union-attr]
    total = re.search(r"^总分 = 基础分 (\d+\.\d\d) \+ 加分 (\d+\.\d\d) = (\d+\.\d\d)$", text, re.M)
    assert total is not None
    assert Decimal(total.group(1)) == base
    return points, base, Decimal(total.group(2)), Decimal(total.group(3))


def test_explain_lets_a_reader_recompute_the_total(runner: CliRunner) -> None:
    result = run(runner, "explain", ANNUAL_SAMPLE, "张店")
    assert result.exit_code == 0, result.output
    out = result.stdout
    points, base, bonus, total = _explained_numbers(out)
    assert len(points) == 11 and sum(points) == base == Decimal("99.50")
    assert bonus == Decimal("10.00") and base + bonus == total == Decimal("109.50")
    # Inputs with their cells, the rule with numbers, cap notes.
    assert "发明专利申请量 = 1420［C4］" in out
    assert "15 × min(1420 ÷ 1300, 1) = 15 × min(1.0923, 1) → 15.00" in out
    assert "封顶" in out
    assert "min(6 + 3 + 4, 10) = 10.00，超过上限 10，按上限计" in out
    assert "排名：第 1 名（共 11 个单位）" in out and "等次：优秀" in out


def test_explain_names_floor_veto_quota_and_the_gap(runner: CliRunner) -> None:
    out = run(runner, "explain", ANNUAL_SAMPLE, "博山区").stdout
    assert "max(5 − 1 × 7, 0) = max(-2, 0) → 0.00" in out and "保底" in out
    # Gap to 高青县 (59.94 − 40.23 = 19.71), e.g. PCT 10 − 4 = +6.00.
    assert "与上一名 高青县（第 9 名）相差 19.71 分" in out
    assert "PCT国际专利申请增幅：高青县 +6.00" in out
    out = run(runner, "explain", ANNUAL_SAMPLE, "桓台县").stdout
    assert "一票否决［W9］为“是”" in out and "等次：不合格" in out
    out = run(runner, "explain", ANNUAL_SAMPLE, "经济开发区").stdout
    assert "优秀限排名前 3 名" in out and "等次：良好" in out
    out = run(runner, "explain", ANNUAL_SAMPLE, "高青县").stdout
    assert "基数为 0 而本期大于 0 → 10.00" in out


def test_explain_monthly_file(runner: CliRunner) -> None:
    result = run(runner, "explain", MAY, "张店区")
    assert result.exit_code == 0, result.output
    out = result.stdout
    # 40 × 520/520 = 40; growth 10.64% is 6th → 30 − 5 × 2 = 20; 30 × 520/(1300 × 5/12) = 28.80.
    assert "30 × min(520 ÷ (1300 × 5/12), 1) = 30 × min(0.9600, 1) → 28.80" in out
    assert "总分 = 40.00 + 20.00 + 28.80 = 88.80" in out
    assert "与上一名 高新区（第 1 名）相差 2.12 分" in out


def test_explain_unknown_county_exits_2(runner: CliRunner) -> None:
    result = run(runner, "explain", ANNUAL_SAMPLE, "北京")
    assert result.exit_code == 2 and "北京" in result.stderr and result.stdout == ""


def test_rules_check_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "rules", "check", ANNUAL_RULES)
    assert result.exit_code == 0 and "规则文件无问题" in result.stdout
    broken = rules_copy(tmp_path, lambda t: t.replace('method = "deduction"', 'method = "bogus"'))
    result = run(runner, "rules", "check", broken)
    assert result.exit_code == 2
    assert "indicators[diligence].method" in result.stderr and "bogus" in result.stderr
    result = run(runner, "rules", "check", tmp_path / "none.toml")
    assert result.exit_code == 2 and "不存在" in result.stderr


def test_rules_show(runner: CliRunner) -> None:
    result = run(runner, "rules", "show", ANNUAL_RULES)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "15 × min(发明专利申请量 ÷ 发明专利申请目标, 1)" in out
    assert "每低一个位次减 0.5 分" in out and "加分合计最多 10 分" in out
    assert "优秀 ≥ 90 分且排名 ≤ 30% × 单位数" in out


def test_compare_on_assess(runner: CliRunner, tmp_path: Path) -> None:
    other = rules_copy(
        tmp_path,
        lambda t: t.replace("total_points = 100", "total_points = 110").replace(
            'name = "发明专利授权量"\npoints = 10', 'name = "发明专利授权量"\npoints = 20'
        ),
    )
    result = run(runner, "assess", ANNUAL_SAMPLE, "--compare", other, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["county"]: r for r in json.loads(result.stdout)["rows"]}
    # 高新区: inv_grants 10 × 300/330 = 9.09 → 20 × 300/330 = 18.18: +9.09, 109.09 → 118.18.
    assert rows["高新区"]["score_before"] == 109.09 and rows["高新区"]["score_after"] == 118.18
    assert rows["高新区"]["movers"] == {"发明专利授权量": 9.09}
    # 高青县 59.94 + 1.21 = 61.15 crosses 60: 不合格 → 合格.
    assert (rows["高青县"]["grade_before"], rows["高青县"]["grade_after"]) == ("不合格", "合格")
    table = run(runner, "assess", ANNUAL_SAMPLE, "--compare", other)
    assert table.exit_code == 0 and "发明专利授权量 +9.09" in table.stdout


def test_compare_on_rank(runner: CliRunner, tmp_path: Path) -> None:
    import shutil

    shutil.copy(RULES / "units.toml", tmp_path / "units.toml")
    text = (RULES / "monthly-2019.toml").read_text("utf-8").replace("step = 2\n", "step = 1\n")
    other = tmp_path / "m.toml"
    other.write_text(text, encoding="utf-8")
    result = run(runner, "rank", MAY, "--compare", other, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["county"]: r for r in json.loads(result.stdout)["rows"]}
    # 淄川区: growth 0% is 9th: 30 − 8 × 2 = 14 → 30 − 8 × 1 = 22 (+8); ranks 9 → 6.
    assert rows["淄川区"]["movers"] == {"增幅": 8.0}
    assert (rows["淄川区"]["rank_before"], rows["淄川区"]["rank_after"]) == (9, 6)
    assert rows["淄川区"]["rank_change"] == 3
