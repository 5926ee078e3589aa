"""The analyst's day, the rest: explain as JSON and Markdown, history in local time, trend by
year (readable at 80 columns, never across a year boundary, a workbook with a line chart),
and the built-in rule files by name."""

from __future__ import annotations

import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from conftest import MAY_ROWS
from openpyxl import load_workbook
from typer.testing import CliRunner

from ipscore.cli import app
from ipscore.render.history import local_time

SAMPLES = Path(__file__).parents[1] / "samples"
MAY = SAMPLES / "2019-05.xlsx"


def invoke(*args: object, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "120", **(env or {})})


# --------------------------------------------------------------------------------------------
# explain


def test_explain_json_is_the_ledger() -> None:
    result = invoke("explain", MAY, "张店", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # 张店区, May: 总量 40 × 520/520 = 40; 增幅 10.64% is 6th → 30 − 5 × 2 = 20;
    # 进度 30 × min(520 / (1300 × 5/12), 1) = 28.80; 88.80, 2nd, 2.12 behind 高新区 (90.92).
    assert [(i["id"], i["points"]) for i in data["indicators"]] == [
        ("volume", 40.0),
        ("growth", 20.0),
        ("progress", 28.8),
    ]
    assert data["indicators"][0]["inputs"] == [
        {"label": "累计发明专利申请量", "value": "520", "cell": "D4"}
    ]
    assert (data["score"], data["rank"], data["units"]) == (88.8, 2, 11)
    assert data["gap"]["county"] == "高新区" and data["gap"]["score_gap"] == 2.12
    assert data["bonus"] is None and data["grade"] is None


def test_explain_markdown_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "张店.md"
    result = invoke("explain", MAY, "张店", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 张店区 得分明细（2019年1-5月，2019年发明专利申请月度排名）")
    assert "## 3. 进度（满分 30）：28.80 分" in text
    assert "- 总分 = 40.00 + 20.00 + 28.80 = **88.80**" in text
    assert "| 增幅 | +4.00 |" in text  # 高新区 24.00 − 张店区 20.00
    clash = invoke("explain", MAY, "张店", "-f", "json", "-o", tmp_path / "x.md")
    assert clash.exit_code == 2 and "--format json 与 -o 的扩展名 .md 不一致" in clash.stderr
    wrong = invoke("explain", MAY, "张店", "-o", tmp_path / "x.pdf")
    assert wrong.exit_code == 2 and "-o 应为 .txt 或 .json 或 .md 文件" in wrong.stderr


# --------------------------------------------------------------------------------------------
# history


@pytest.fixture
def china_time(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "CST-8")  # a POSIX zone string: no time zone database needed
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_history_times_are_local(china_time: None, tmp_path: Path) -> None:
    assert local_time("2019-07-05 00:05:01") == "2019-07-05 08:05"
    assert local_time("2019-07-04T23:30:00") == "2019-07-05 07:30"
    assert local_time("not a time") == "not a time"
    db = tmp_path / "h.db"
    assert invoke("rank", MAY, "--db", db).exit_code == 0
    listing = invoke("history", "--db", db, "-f", "json")
    (month,) = json.loads(listing.stdout)
    assert month["month"] == "2019-05" and month["scheme"] == "2019年发明专利申请月度排名"
    assert month["recorded_at_local"] == local_time(month["recorded_at"], seconds=True)
    table = invoke("history", "--db", db)
    assert "记录时间" in table.stdout and "UTC" not in table.stdout
    assert local_time(month["recorded_at"]) in table.stdout


# --------------------------------------------------------------------------------------------
# trend


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """December 2018 (the December sample as that month), then the twelve months of 2019."""
    db = tmp_path_factory.mktemp("trend") / "h.db"
    runner = CliRunner()
    first = ["rank", str(SAMPLES / "2019-12.xlsx"), "--month", "2018-12", "--db", str(db)]
    assert runner.invoke(app, first).exit_code == 0
    for month in range(1, 13):
        args = ["rank", str(SAMPLES / f"2019-{month:02d}.xlsx"), "--db", str(db)]
        assert runner.invoke(app, args).exit_code == 0
    return db


def test_trend_never_crosses_a_year(store: Path) -> None:
    data = json.loads(invoke("trend", "--db", store, "-f", "json").stdout)
    assert data["year"] == 2019 and data["other_years"] == [2018]
    assert data["months"] == [f"2019-{m:02d}" for m in range(1, 13)]
    units = {u["county"]: u["ranks"] for u in data["units"]}
    # January is never compared with December, even though its stored rank change was.
    assert all(ranks[0]["rank_change"] is None for ranks in units.values())
    lin = units["临淄区"]
    assert [r["rank"] for r in lin] == [6, 8, 6, 4, 3, 3, 3, 3, 4, 4, 6, 6]
    assert [r["rank_change"] for r in lin][:5] == [None, -2, 2, 2, 1]
    assert lin[4]["ytd_apps"] == 300 and lin[4]["score"] == 69.08  # May, as ipscore rank says
    december = json.loads(invoke("trend", "--db", store, "--year", "2018", "-f", "json").stdout)
    assert december["months"] == ["2018-12"] and december["other_years"] == [2019]
    missing = invoke("trend", "--db", store, "--year", "2017")
    assert (
        missing.exit_code == 2 and "历史库中没有 2017 年的排名（有：2018、2019）" in missing.stderr
    )


def test_trend_at_80_columns_keeps_names_whole(store: Path) -> None:
    result = invoke("trend", "--db", store, env={"COLUMNS": "80", "TTY_COMPATIBLE": "1"})
    out = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    from rich.cells import cell_len

    assert max(cell_len(line) for line in out.splitlines()) <= 80
    units = {row[0] for row in MAY_ROWS}
    names = [
        line.split()[0] for line in out.splitlines() if line.split()[:1] in ([u] for u in units)
    ]
    assert sorted(names) == sorted(units)  # every name whole, none cut to 高…
    row = next(line for line in out.splitlines() if line.startswith(" 临淄区")).split()
    assert row == ["临淄区", "6", "8↓", "6↑", "4↑", "3↑", "3", "3", "3", "4↓", "4", "6↓", "6"]
    assert "终端较窄，未列出走势" in out  # twelve months and whole names first
    assert "…" not in out


def test_trend_of_one_county(store: Path) -> None:
    result = invoke("trend", "--db", store, "--county", "临淄")
    rows = [line for line in result.stdout.splitlines() if "区" in line and "月" not in line]
    assert [line.split()[0] for line in rows] == ["临淄区"]


def test_trend_workbook_with_a_reversed_line_chart(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "走势.xlsx"
    result = invoke("trend", "--db", store, "-o", out)
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["走势图", "排名", "得分", "累计申请"]
    ranks, scores, counts = wb["排名"], wb["得分"], wb["累计申请"]
    assert [c.value for c in ranks[3]] == ["区县", *(f"{m}月" for m in range(1, 13))]
    row = next(r for r in ranks.iter_rows(min_row=4, values_only=True) if r[0] == "临淄区")
    assert row == ("临淄区", 6, 8, 6, 4, 3, 3, 3, 3, 4, 4, 6, 6)
    row = next(r for r in counts.iter_rows(min_row=4, values_only=True) if r[0] == "临淄区")
    assert row[5] == 300  # May's 累计
    row = next(r for r in scores.iter_rows(min_row=4, values_only=True) if r[0] == "临淄区")
    assert row[5] == 69.08
    with zipfile.ZipFile(out) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        chart = archive.read(charts[0]).decode("utf-8")
    assert len(charts) == 1 and "lineChart" in chart
    assert 'orientation val="maxMin"' in chart  # rank 1 on top
    assert chart.count("<ser>") == 11


# --------------------------------------------------------------------------------------------
# rules by name


def test_rules_show_and_check_by_name() -> None:
    shown = invoke("rules", "show", "monthly")
    assert shown.exit_code == 0 and "2019年发明专利申请月度排名" in shown.stdout
    units = invoke("rules", "show", "units")
    assert units.exit_code == 0 and 'name = "张店区"' in units.stdout
    checked = invoke("rules", "check", "annual")
    assert checked.exit_code == 0 and "2019年区县知识产权工作考核（年度考核）" in checked.stdout
    unknown = invoke("rules", "show", "nosuch")
    assert unknown.exit_code == 2
    assert "找不到规则文件“nosuch”（内置规则可按名称给出：monthly、annual" in unknown.stderr


def test_rules_export_then_check(tmp_path: Path) -> None:
    folder = tmp_path / "我的规则"
    result = invoke("rules", "export", folder)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "annual-2019.toml",
        "attribution.toml",
        "monthly-2019.toml",
        "notice.toml",
        "targets-2019.toml",
        "units.toml",
    ]
    assert invoke("rules", "check", folder / "monthly-2019.toml").exit_code == 0
    (folder / "units.toml").write_text("# mine\n", encoding="utf-8")
    again = invoke("rules", "export", folder)
    assert "已存在，未覆盖（加 --force 覆盖）" in again.stderr
    assert (folder / "units.toml").read_text(encoding="utf-8") == "# mine\n"


def test_messages_name_builtin_files_by_name(tmp_path: Path) -> None:
    from conftest import replace_row, write_month

    path = write_month(tmp_path, replace_row(MAY_ROWS, "张店区", county="张店新区"))
    result = invoke("rank", path, "--db", tmp_path / "h.db")
    assert result.exit_code == 2
    assert "其他写法请在单位表 内置的 units.toml 中添加别名" in result.stderr
    assert "_rules" not in result.stderr and str(Path(__file__).parents[1]) not in result.stderr
