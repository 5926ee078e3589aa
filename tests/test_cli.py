"""The ``ipscore rank`` command through Typer's CliRunner and as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MAY_ROWS, SAMPLES_DIR, write_month
from openpyxl import load_workbook
from typer.testing import CliRunner

from ipscore.app.rank import rank_month
from ipscore.cli.common import app
from ipscore.render.model import monthly_json
from ipscore.rules.resolve import load_scheme

MAY = SAMPLES_DIR / "2019-05.xlsx"
APRIL = SAMPLES_DIR / "2019-04.xlsx"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str | Path):
    return runner.invoke(app, ["rank", *map(str, args)], env={"COLUMNS": "140"})


def test_table_lists_every_unit_in_rank_order(runner: CliRunner) -> None:
    result = run(runner, MAY)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2019年1-5月各区县发明专利申请排名" in out
    # Worked by hand in test_scoring: 高新区 90.92 first, 张店区 88.80 second, 博山区 48.77 last.
    positions = [out.index(name) for name in ("高新区", "张店区", "临淄区", "沂源县", "博山区")]
    assert positions == sorted(positions)
    assert "90.92" in out and "88.80" in out and "48.77" in out
    # 张店区 is behind 序时进度 (40.00% < 41.67%): its completion is marked.
    assert "40.00*" in out
    assert "序时进度 41.67%" in out


def test_json_equals_the_library_result(runner: CliRunner) -> None:
    result = run(runner, MAY, "--prev", APRIL, "-f", "json")
    assert result.exit_code == 0, result.output
    scheme = load_scheme()
    expected = monthly_json(rank_month(MAY, scheme, prev=APRIL))
    assert json.loads(result.stdout) == expected
    data = json.loads(result.stdout)
    assert data["month"] == "2019-05"
    assert data["scheme"] == "2019年发明专利申请月度排名"
    assert [r["rank"] for r in data["rows"]] == sorted(r["rank"] for r in data["rows"])
    top = data["rows"][0]
    assert top["county"] == "高新区"
    assert top["parts"] == {"volume": 36.92, "growth": 24.0, "progress": 30.0}
    assert top["score"] == 90.92
    assert data["total"]["ytd_apps"] == 2331
    assert data["total"]["growth_pct"] == 10.37  # (2331 − 2112) / 2112 × 100 = 10.369…
    assert set(top) == {
        "county",
        "month_apps",
        "ytd_apps",
        "ytd_apps_last_year",
        "annual_target",
        "growth_pct",
        "completion_pct",
        "schedule_pct",
        "parts",
        "score",
        "rank",
        "rank_change",
    }


def test_rank_change_from_prev(runner: CliRunner, tmp_path: Path) -> None:
    april = json.loads(run(runner, APRIL, "-f", "json").stdout)
    may = json.loads(run(runner, MAY, "--prev", APRIL, "-f", "json").stdout)
    before = {r["county"]: r["rank"] for r in april["rows"]}
    for row in may["rows"]:
        assert row["rank_change"] == before[row["county"]] - row["rank"]
    assert any(r["rank_change"] for r in may["rows"])  # the sample does move
    # April is now in this test's history store; an empty store has no previous month.
    empty = tmp_path / "empty.db"
    without = json.loads(run(runner, MAY, "-f", "json", "--db", empty).stdout)
    assert all(r["rank_change"] is None for r in without["rows"])


def test_prev_must_be_earlier(runner: CliRunner) -> None:
    result = run(runner, APRIL, "--prev", MAY)
    assert result.exit_code == 2
    assert "不早于本月" in result.stderr


def test_csv_and_markdown_files(runner: CliRunner, tmp_path: Path) -> None:
    out_csv = tmp_path / "rank.csv"
    assert run(runner, MAY, "-o", out_csv).exit_code == 0
    text = out_csv.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["排名", "区县", "本月申请"]
    assert rows[1][:2] == ["1", "高新区"]
    assert rows[1][rows[0].index("得分")] == "90.92"
    assert len(rows) == 12  # header + 11 units
    out_md = tmp_path / "rank.md"
    assert run(runner, MAY, "-f", "md", "-o", out_md).exit_code == 0
    md = out_md.read_text(encoding="utf-8")
    assert md.startswith("# 2019年1-5月各区县发明专利申请排名")
    assert (
        "| 1 | 高新区 | 114 | 480 | 400 | 20.00 | 1150 | 41.74 | 36.92 | 24.00 | 30.00 | 90.92 |"
        in md
    )
    assert "| 合计 |" in md


def test_xlsx_output_reads_back(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "排名.xlsx"
    result = run(runner, MAY, "--prev", APRIL, "-o", out)
    assert result.exit_code == 0, result.output
    ws = load_workbook(out).active
    assert ws["A1"].value == "2019年1-5月各区县发明专利申请排名"
    header = [c.value for c in ws[3]]
    assert header[:2] == ["排名", "区县"] and header[-2:] == ["得分", "位次变化"]
    assert [ws.cell(4, 2).value, ws.cell(4, header.index("得分") + 1).value] == ["高新区", 90.92]
    assert ws.cell(15, 2).value == "合计"
    assert ws.cell(15, 4).value == 2331
    assert ws.freeze_panes == "C4"
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed into place


def test_xlsx_needs_an_output_path(runner: CliRunner) -> None:
    result = run(runner, MAY, "-f", "xlsx")
    assert result.exit_code == 2
    assert "-o" in result.output


def test_month_option_must_be_a_month(runner: CliRunner) -> None:
    result = run(runner, MAY, "--month", "2019-13")
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output


def test_month_option_overrides_title_with_a_warning(runner: CliRunner) -> None:
    result = run(runner, MAY, "--month", "2019-06", "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["month"] == "2019-06"
    assert "警告" in result.stderr and "--month 2019-06" in result.stderr
    quiet = run(runner, MAY, "--month", "2019-06", "-f", "json", "-q")
    assert quiet.stderr == ""


BAD_INPUTS = [
    # (id, (row index, tuple index: 0 label 1 month 2 ytd 3 last year 4 target, value),
    #  the cell the message must name, what it must say)
    ("text", (4, 2, "abc"), "D8", "不是数字"),
    ("blank", (4, 2, None), "D8", "为空"),
    ("dash", (4, 2, "—"), "D8", "为空"),
    ("negative", (2, 1, -3), "C6", "不能为负数"),
    ("below-month", (2, 2, 10), "D6", "累计数不应小于当月数"),
    ("target-zero", (0, 4, 0), "G4", "应大于 0"),
    ("unknown-unit", (1, 0, "淄博新区"), "B5", "未知的区县"),
    ("duplicate-unit", (1, 0, "张店"), "B5", "重复出现"),
]


@pytest.mark.parametrize(
    ("label", "change", "cell", "text"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_cell_exits_2_naming_the_cell_and_writes_nothing(
    runner: CliRunner, tmp_path: Path, label: str, change: tuple, cell: str, text: str
) -> None:
    rows = [list(r) for r in MAY_ROWS]
    index, column, value = change
    rows[index][column] = value
    path = write_month(tmp_path, [tuple(r) for r in rows])
    out = tmp_path / "out.json"
    result = run(runner, path, "-o", out)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    problem_lines = [line for line in lines if line.startswith("错误")]
    assert problem_lines, result.stderr
    first = problem_lines[0]
    assert "2019-05.xlsx" in first and "[统计表]" in first and cell in first and text in first
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_unit_and_allow_missing(runner: CliRunner, tmp_path: Path) -> None:
    path = write_month(tmp_path, MAY_ROWS[:-1])
    result = run(runner, path, "-f", "json")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "缺少区县：文昌湖区" in result.stderr and "--allow-missing" in result.stderr
    allowed = run(runner, path, "-f", "json", "--allow-missing")
    assert allowed.exit_code == 0
    assert len(json.loads(allowed.stdout)["rows"]) == 10
    assert "文昌湖区" in allowed.stderr  # the warning says who was left out


def test_missing_column(runner: CliRunner, tmp_path: Path) -> None:
    header = [
        "序号",
        "区县",
        "本月发明专利申请量",
        "1-5月累计",
        "去年同期累计",
        "同比增长(%)",
        "备注",
        "完成率(%)",
    ]
    path = write_month(tmp_path, header=header)
    result = run(runner, path)
    assert result.exit_code == 2
    assert "找不到“年度目标”列" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "不是可识别的表格文件"),
        ("fake.xlsx", b"just some text, not a workbook", "内容不是 Excel/ODS 工作簿"),
        ("empty.xlsx", b"", "文件为空"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 100, "已损坏"),
    ],
)
def test_files_that_are_not_workbooks(
    runner: CliRunner, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run(runner, path)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert name in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, tmp_path / "nope.xlsx")
    assert result.exit_code == 2
    assert "文件不存在" in result.stderr


def test_broken_rules_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    rules = tmp_path / "bad.toml"
    rules.write_text('[scheme]\nname = "x"\ntotal_points = "一百"\n', encoding="utf-8")
    result = run(runner, MAY, "--rules", rules)
    assert result.exit_code == 2
    assert "scheme.total_points" in result.stderr and "应为数字" in result.stderr
    assert "Traceback" not in result.output


def test_subprocess_from_another_directory(tmp_path: Path) -> None:
    """The console entry point finds its default rules whatever the working directory."""
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("IPSCORE_RULES", None)
    done = subprocess.run(
        [sys.executable, "-m", "ipscore", "rank", str(MAY), "-f", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"]["ytd_apps"] == 2331
    bad = subprocess.run(
        [sys.executable, "-m", "ipscore", "rank", "missing.xlsx"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("错误：missing.xlsx：文件不存在")
    assert "Traceback" not in bad.stderr


def test_rank_change_says_unchanged_apart_from_no_data(tmp_path: Path) -> None:
    # June against May (DOMAIN.md samples): 高新区 stays 1st, 经济开发区 rises from 8th to 4th.
    result = CliRunner().invoke(
        app,
        [
            "rank",
            str(SAMPLES_DIR / "2019-06.xlsx"),
            "--prev",
            str(SAMPLES_DIR / "2019-05.xlsx"),
            "-f",
            "md",
            "--db",
            str(tmp_path / "h.db"),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    rows = {
        line.split("|")[2].strip(): line for line in lines if line.split("|")[1].strip().isdigit()
    }
    assert rows["高新区"].rstrip(" |").endswith("持平")
    assert rows["经济开发区"].rstrip(" |").endswith("↑4")
    assert "持平 不变；— 上月无此单位" in result.stdout
