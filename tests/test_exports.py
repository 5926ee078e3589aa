"""Real export lists: the type from the application number, export presets, several files, HTML."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipscore.base.period import Period
from ipscore.base.problems import InputError
from ipscore.cli.common import app
from ipscore.rules.targets import load_targets
from ipscore.tally.attribution import load_attribution
from ipscore.tally.count import tally

MAY = Period(2019, 5)


def number(year: int, kind: int, serial: int) -> str:
    """A valid CN application number, the check digit computed here by hand's rule."""
    digits = [int(c) for c in f"{year}{kind}{serial:07d}"]
    rest = (
        sum(d * w for d, w in zip(digits, [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], strict=True)) % 11
    )
    return f"CN{year}{kind}{serial:07d}.{'X' if rest == 10 else rest}"


@pytest.fixture(scope="module")
def rules():
    return load_attribution()


@pytest.fixture(scope="module")
def targets(rules):
    return load_targets(None, 2019, rules.unit_list)


def write(path: Path, header: list[str], rows: list[tuple]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def counts(result) -> dict[str, tuple[int, int, int]]:
    return {r.unit: (r.month, r.ytd, r.last_year) for r in result.rows if r.ytd or r.last_year}


def test_the_check_digit_rule_matches_a_published_number() -> None:
    # CN201310729260.8 is a published application (2013, invention, serial 0729260).
    assert number(2013, 1, 729260) == "CN201310729260.8"


def test_a_cnki_list_without_a_type_column_counts_by_the_number(tmp_path, rules, targets) -> None:
    # CNKI's 专利 export: 申请号, 申请日, 申请人, 地址, 国省代码; no 专利类型.
    rows = [
        (number(2019, 1, 1), "2019-05-06", "甲", "山东省淄博市张店区车站街道", "37"),  # invention
        (number(2019, 8, 2), "2019-04-06", "乙", "淄博市张店区和平街道", "37"),  # PCT invention
        (number(2019, 2, 3), "2019-05-07", "丙", "淄博市张店区", "37"),  # utility model
        (number(2019, 3, 4), "2019-05-08", "丁", "淄博市张店区", "37"),  # design
        ("201810123456", "2018-03-01", "戊", "淄博市临淄区", "37"),  # no check digit: as written
        (number(2018, 1, 5).replace("CN", "ZL "), "2018-02-01", "己", "淄博市临淄区", "37"),
    ]
    path = write(tmp_path / "cnki.csv", ["申请号", "申请日", "申请人", "地址", "国省代码"], rows)
    result = tally(path, MAY, rules, targets)
    assert counts(result) == {"张店区": (1, 2, 0), "临淄区": (0, 0, 2)}


def test_a_bad_check_digit_is_exit_2_naming_the_row(tmp_path) -> None:
    good = number(2019, 1, 11)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10 if good[-1] != "X" else 0)
    rows = [
        (good, "2019-05-01", "淄博市张店区"),
        (bad, "2019-05-02", "淄博市张店区"),
        ("CN2019100012", "2019-05-03", "淄博市张店区"),  # 10 digits
    ]
    path = write(tmp_path / "bad.csv", ["申请号", "申请日", "申请人地址"], rows)
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(app, ["tally", str(path), "--month", "2019-05", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert f"有 2 行的“申请号”为空、格式不对或校验位不符（第 3 行“{bad}”，第 4 行" in result.stderr
    assert "CN + 12 位数字 + 校验位" in result.stderr
    assert not out.exists()


def test_english_headers_of_incopat_and_patsnap_need_no_mapping(tmp_path, rules, targets) -> None:
    header = ["Publication Number", "Application Number", "Application Date", "Patent Type",
              "Current Assignee", "Current Assignee Address"]  # fmt: skip
    rows = [
        ("CN1", "CN1", "2019-05-02", "Invention Application", "A", "淄博市博山区城东街道"),
        ("CN2", "CN2", "2019-05-03", "invention grant", "B", "淄博市博山区"),
        ("CN3", "CN3", "2019-05-04", "Utility Model", "C", "淄博市博山区"),
        ("CN4", "CN4", "2018-05-04", "发明授权", "D", "淄博市博山区"),
    ]
    result = tally(write(tmp_path / "en.csv", header, rows), MAY, rules, targets)
    assert counts(result) == {"博山区": (2, 2, 1)}


def test_an_xls_that_is_really_html_is_named_as_such(tmp_path) -> None:
    fake = tmp_path / "检索结果.xls"
    fake.write_text(
        "\ufeff<html><head><meta charset='utf-8'></head><body><table><tr><td>申请号</td></tr>"
        "</table></body></html>",
        encoding="utf-8",
    )
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(app, ["tally", str(fake), "--month", "2019-05", "-o", str(out)])
    assert result.exit_code == 2
    assert "内容却是网页（HTML）表格" in result.stderr and "另存为 .xlsx" in result.stderr


def test_several_files_or_a_folder_count_each_application_once(tmp_path, rules, targets) -> None:
    folder = tmp_path / "历年"
    folder.mkdir()
    header = ["申请号", "申请日", "专利类型", "申请人地址"]
    write(folder / "2018.csv", header, [("CN-A", "2018-04-01", "发明", "淄博市周村区")])
    write(
        folder / "2019.csv",
        header,
        [
            ("CN-B", "2019-05-01", "发明", "淄博市周村区"),
            ("CN-A", "2018-04-01", "发明", "淄博市周村区"),  # in both exports
        ],
    )
    (folder / "~$2019.csv").write_text("lock file", encoding="utf-8")
    (folder / "说明.txt").write_text("not a list", encoding="utf-8")
    result = tally(folder, MAY, rules, targets)
    assert counts(result) == {"周村区": (1, 1, 1)}
    assert any("在前面的文件中已出现" in w.message for w in result.warnings)
    both = tally([folder / "2018.csv", folder / "2019.csv"], MAY, rules, targets)
    assert counts(both) == counts(result)
    # One file of the folder alone has no 2019 records: only the whole set is checked.
    with pytest.raises(InputError, match="没有 2019年1-5月 的发明专利申请记录"):
        tally(folder / "2018.csv", MAY, rules, targets)
    empty = tmp_path / "空"
    empty.mkdir()
    with pytest.raises(InputError, match="目录中没有申请明细文件"):
        tally(empty, MAY, rules, targets)
