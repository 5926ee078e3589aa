"""The collection round: templates with the bureau's figures locked in, one file per unit, and
``ipscore status`` saying who has reported, who is late against notice.toml's deadline and
whose file has errors. Template rows: 张店区 row 4 … 文昌湖区 row 14; C 本月, D 累计, E 去年同期,
G 年度目标."""

from __future__ import annotations

import json
import os
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import MAY_ROWS, RULES_DIR
from openpyxl import load_workbook
from typer.testing import CliRunner

from ipscore.app.merge import merge_files
from ipscore.app.rank import rank_recorded
from ipscore.app.template import make_templates
from ipscore.base.period import Period
from ipscore.cli.common import app
from ipscore.rules.resolve import load_scheme
from ipscore.scoring.collection import Received, collection_state, deadline_of

JUNE = Period(2019, 6)
SAMPLES = Path(__file__).parents[1] / "samples"
UNITS = [row[0] for row in MAY_ROWS]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store holding June 2018: the 2019 June sample recorded as that month."""
    db = tmp_path / "h.db"
    rank_recorded(SAMPLES / "2019-06.xlsx", load_scheme(), db=db, period=Period(2018, 6))
    return db


def test_template_prefills_targets_and_last_year_and_locks_them(tmp_path: Path, store: Path):
    out = tmp_path / "模板.xlsx"
    done = make_templates(load_scheme(), JUNE, out, db=store)
    ws = load_workbook(out)["统计表"]
    # 年度目标 from rules/targets-2019.toml; 去年同期 = the June sample's 累计 (张店区 644).
    assert [ws[f"G{r}"].value for r in (4, 12, 14)] == [1300, 1150, 100]
    assert [ws[f"E{r}"].value for r in (4, 5, 14)] == [644, 275, 49]
    for r in range(4, 15):
        assert ws[f"E{r}"].protection.locked and ws[f"G{r}"].protection.locked
        assert not ws[f"C{r}"].protection.locked and not ws[f"D{r}"].protection.locked
    assert done.notes == [
        "年度目标取自 内置的 targets-2019.toml，已填好并锁定",
        "去年同期累计取自历史库中 2018-06 的累计数，已填好并锁定",
    ]
    notes = [c.value for c in load_workbook(out)["说明"]["A"]]
    assert any("去年同期累计和年度目标已由" in str(v) for v in notes)


def test_without_a_store_or_targets_the_units_fill_them(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    done = make_templates(load_scheme(), Period(2020, 6), out, db=tmp_path / "none.db")
    ws = load_workbook(out)["统计表"]
    assert ws["E4"].value is None and not ws["E4"].protection.locked
    assert ws["G4"].value is None and not ws["G4"].protection.locked
    assert done.notes == [
        "没有 2020 年的年度目标文件，年度目标留给各单位填写（可用 --targets 指定）",
        "历史库中没有 2019-06 的数据，去年同期累计留给各单位填写",
    ]
    assert not (tmp_path / "none.db").exists()  # reading never creates a store


def test_units_without_a_target_fill_their_own(tmp_path: Path) -> None:
    """A targets file still being filled in (a working folder right after init): the units it
    names are filled and locked, the others' 年度目标 cells are open, and the notes say so."""
    import shutil

    shutil.copy(RULES_DIR / "units.toml", tmp_path / "units.toml")
    text = (RULES_DIR / "targets-2019.toml").read_text(encoding="utf-8")
    partial = tmp_path / "targets.toml"
    partial.write_text(
        text.replace('"淄川区" = 600', '# "淄川区" =').replace('"沂源县" = 220', '# "沂源县" ='),
        encoding="utf-8",
    )
    out = tmp_path / "模板.xlsx"
    done = make_templates(load_scheme(), JUNE, out, db=tmp_path / "none.db", targets=partial)
    ws = load_workbook(out)["统计表"]
    # Rows 4… hold the units in order: 张店区 1300 locked, 淄川区 open, 沂源县 (row 11) open.
    assert (ws["G4"].value, ws["G4"].protection.locked) == (1300, True)
    assert (ws["G5"].value, ws["G5"].protection.locked) == (None, False)
    assert (ws["G11"].value, ws["G11"].protection.locked) == (None, False)
    assert done.notes[0] == (
        f"年度目标取自 {partial}，已填好并锁定（其中没有淄川区、沂源县的，由其自行填写）"
    )
    empty = tmp_path / "empty.toml"
    empty.write_text(text.split("[targets]")[0] + "[targets]\n", encoding="utf-8")
    done = make_templates(load_scheme(), JUNE, out, db=tmp_path / "none.db", targets=empty)
    assert done.notes[0] == f"{empty} 中还没有填写年度目标，年度目标留给各单位填写"
    assert load_workbook(out)["统计表"]["G4"].value is None


def test_one_file_per_unit_with_only_its_row_open(tmp_path: Path, store: Path) -> None:
    folder = tmp_path / "模板"
    done = make_templates(load_scheme(), JUNE, folder, per_county=True, db=store)
    assert [p.name for p in done.written] == [f"2019-06-{u}.xlsx" for u in UNITS]
    ws = load_workbook(folder / "2019-06-淄川区.xlsx")["统计表"]
    assert ws["A2"].value == "填报单位（盖章）：淄川区"
    open_cells = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
    assert open_cells == {"C5", "D5"}  # 淄川区's 本月 and 累计; the rest is the bureau's


def fill_unit(template: Path, out: Path, unit: str, month: object, ytd: object) -> Path:
    wb = load_workbook(template)
    ws = wb["统计表"]
    r = 4 + UNITS.index(unit)
    ws[f"C{r}"], ws[f"D{r}"] = month, ytd
    wb.save(out)
    return out


def test_per_county_files_merge_without_duplicates(tmp_path: Path, store: Path) -> None:
    folder = tmp_path / "模板"
    make_templates(load_scheme(), JUNE, folder, per_county=True, db=store)
    first = fill_unit(folder / "2019-06-张店区.xlsx", tmp_path / "a.xlsx", "张店区", 60, 580)
    second = fill_unit(folder / "2019-06-淄川区.xlsx", tmp_path / "b.xlsx", "淄川区", 40, 270)
    # Every file holds every unit's pre-filled 去年同期 and 目标; only the units' own figures
    # make a row a submission.
    merged = merge_files([first, second], load_scheme(), allow_missing=True)
    assert merged.rows == {
        "张店区": {
            "month_apps": 60,
            "ytd_apps": 580,
            "ytd_apps_last_year": 644,
            "annual_target": 1300,
        },
        "淄川区": {
            "month_apps": 40,
            "ytd_apps": 270,
            "ytd_apps_last_year": 275,
            "annual_target": 600,
        },
    }


def test_deadline_is_the_day_of_the_following_month() -> None:
    assert deadline_of(JUNE, 3) == date(2019, 7, 3)
    assert deadline_of(Period(2019, 12), 5) == date(2020, 1, 5)
    assert deadline_of(JUNE, None) is None


def test_states_from_what_was_received() -> None:
    at = datetime(2019, 7, 2, 10, 0)
    got = [
        Received("a.xlsx", JUNE, at, ("张店区",)),
        Received("b.xlsx", JUNE, datetime(2019, 7, 4, 9, 0), ("淄川区",)),
        Received("c.xlsx", JUNE, at, ("博山区",)),
        Received("d.xlsx", JUNE, at, ("博山区",)),
        Received("e.xlsx", Period(2019, 5), at, ("临淄区",)),
    ]
    state = collection_state(JUNE, tuple(UNITS), got, 3, date(2019, 7, 3))
    shown = {u.county: u.state for u in state.units}
    assert shown["张店区"] == "已报送"
    assert shown["淄川区"] == "已报送（逾期）"  # the 4th, after the 3rd
    assert shown["博山区"] == "有错误"  # in two files
    assert shown["临淄区"] == "未报送"  # May's file does not count; the 3rd is not over yet
    assert [o.file for o in state.others] == ["e.xlsx"]
    later = collection_state(JUNE, tuple(UNITS), got, 3, date(2019, 7, 4))
    assert {u.county: u.state for u in later.units}["临淄区"] == "逾期未报"


def _touch(path: Path, when: datetime) -> None:
    stamp = time.mktime(when.timetuple())
    os.utime(path, (stamp, stamp))


def test_status_command_reads_the_inbox(tmp_path: Path, store: Path) -> None:
    folder, inbox = tmp_path / "模板", tmp_path / "收件箱"
    inbox.mkdir()
    make_templates(load_scheme(), JUNE, folder, per_county=True, db=store)
    ok = fill_unit(folder / "2019-06-张店区.xlsx", inbox / "张店区.xlsx", "张店区", 60, 580)
    late = fill_unit(folder / "2019-06-淄川区.xlsx", inbox / "淄川区.xlsx", "淄川区", 40, 270)
    bad = fill_unit(folder / "2019-06-博山区.xlsx", inbox / "博山区.xlsx", "博山区", 20, "abc")
    _touch(ok, datetime(2019, 7, 2, 16, 5))
    _touch(late, datetime(2019, 7, 5, 9, 30))
    _touch(bad, datetime(2019, 7, 3, 11, 0))
    (inbox / "~$张店区.xlsx").write_text("Excel's lock file")
    args = ["status", "--inbox", str(inbox), "--date", "2019-07-04", "-f", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["month"] == "2019-06" and data["deadline"] == "2019-07-03"  # July 4th − 1 month
    states = {u["county"]: u for u in data["units"]}
    assert states["张店区"]["state"] == "已报送"
    assert states["张店区"]["received"] == "2019-07-02T16:05:00"
    assert states["淄川区"]["state"] == "已报送（逾期）"
    assert states["博山区"]["state"] == "有错误"
    assert states["博山区"]["problems"][0]["cell"] == "D6"
    assert states["临淄区"]["state"] == "逾期未报"
    assert data["other_files"] == []
    # A later deadline in notice.toml: 淄川区 was on time, 临淄区 is not late yet.
    wording = tmp_path / "notice.toml"
    text = (RULES_DIR / "notice.toml").read_text(encoding="utf-8")
    wording.write_text(text.replace("deadline_day = 3", "deadline_day = 5"), encoding="utf-8")
    relaxed = CliRunner().invoke(app, [*args, "--notice-rules", str(wording)])
    states = {u["county"]: u["state"] for u in json.loads(relaxed.stdout)["units"]}
    assert states["淄川区"] == "已报送" and states["临淄区"] == "未报送"


def test_status_table_and_refusals(tmp_path: Path) -> None:
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    result = CliRunner().invoke(
        app, ["status", "--inbox", str(inbox), "--month", "2019-06", "--date", "2019-07-01"]
    )
    assert result.exit_code == 0, result.output
    assert "2019年1-6月数据：已报送 0 个，未报送 11 个" in result.stdout
    assert "报送截止：2019年7月3日（含当日）；今天 2019年7月1日，未到截止日" in result.stdout
    missing = CliRunner().invoke(app, ["status", "--inbox", str(tmp_path / "无")])
    assert missing.exit_code == 2 and "收件箱目录不存在" in missing.stderr
    wording = tmp_path / "notice.toml"
    text = (RULES_DIR / "notice.toml").read_text(encoding="utf-8")
    wording.write_text(text.replace("deadline_day = 3", "deadline_day = 40"), encoding="utf-8")
    bad = CliRunner().invoke(app, ["status", "--inbox", str(inbox), "--notice-rules", str(wording)])
    assert bad.exit_code == 2 and "collection.deadline_day" in bad.stderr


def test_template_per_county_on_the_command_line(tmp_path: Path, store: Path) -> None:
    env = {"IPSCORE_DB": str(store)}
    out = tmp_path / "各区县"
    result = CliRunner().invoke(
        app, ["template", "-m", "2019-06", "-o", str(out), "--per-county"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "已生成 11 个报送模板" in result.stderr and len(list(out.glob("*.xlsx"))) == 11
    wrong = CliRunner().invoke(
        app, ["template", "-m", "2019-06", "-o", str(tmp_path / "x.xlsx"), "--per-county"]
    )
    assert wrong.exit_code == 2 and "--per-county 时 -o 应为目录" in wrong.stderr
