"""ipscore init: the division list, generated rules for any city or province, the working folder."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ipscore.base.period import Period
from ipscore.cli.common import app
from ipscore.intake.table import load_table
from ipscore.rules.divisions import find_city, find_province, load_divisions
from ipscore.rules.resolve import load_scheme
from ipscore.rules.targets import load_targets
from ipscore.tally.attribution import attribute, load_attribution
from ipscore.tally.count import tally

WEIFANG = (
    "潍城区", "寒亭区", "坊子区", "奎文区", "临朐县", "昌乐县", "青州市", "诸城市", "寿光市",
    "安丘市", "高密市", "昌邑市",
)  # fmt: skip
SHANDONG = (
    "济南市", "青岛市", "淄博市", "枣庄市", "东营市", "烟台市", "潍坊市", "济宁市", "泰安市",
    "威海市", "日照市", "临沂市", "德州市", "聊城市", "滨州市", "菏泽市",
)  # fmt: skip
MAY = Period(2019, 5)


def invoke(*args: str, cwd: Path | None = None):
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def weifang(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("init") / "潍坊"
    result = invoke("init", str(folder), "--city", "潍坊", "--year", "2019")
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def shandong(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("init") / "山东"
    result = invoke("init", str(folder), "--province", "山东省", "--year", "2019")
    assert result.exit_code == 0, result.output
    return folder


# --------------------------------------------------------------------------------------------
# The division list


def test_the_division_list_knows_cities_provinces_and_their_counties() -> None:
    divisions = load_divisions()
    weifang = find_city("潍坊市", divisions)
    assert weifang.code == "3707"
    assert tuple(c.name for c in divisions.counties_of("3707")) == WEIFANG
    assert find_city("潍坊", divisions) == weifang
    assert find_city("北京", divisions).code == "11"  # a municipality is a city too
    assert len(divisions.counties_of("11")) == 16
    shandong = find_province("山东", divisions)
    assert tuple(c.name for c in divisions.cities(shandong.code)) == SHANDONG
    # 湖北: 12 cities, 恩施州 and four county-level divisions the province governs directly.
    assert len(divisions.cities(find_province("湖北省", divisions).code)) == 17
    towns = [t.name for t in divisions.towns_of("370303")]
    assert "车站街道" in towns and "房镇镇" in towns


@pytest.mark.parametrize(
    ("option", "name", "expected"),
    [
        ("--city", "青州", "不是地级市（或直辖市）。候选：青州市（县级，属山东省潍坊市，370781）"),
        ("--city", "恩施", "有同名的县级市；若指地级市请写全称“恩施土家族苗族自治州”"),
        ("--city", "山东", "要给全省各市排名请用 --province"),
        ("--city", "张家", "候选：张家口市（河北省，地级，1307）；张家界市（湖南省，地级，4308）"),
        ("--city", "火星市", "在全国行政区划表中找不到此地级市"),
        ("--province", "潍坊市", "不是省或自治区"),
        ("--province", "北京", "直辖市的区县请用 --city 北京市"),
    ],
)
def test_a_bad_or_ambiguous_name_is_exit_2_with_candidates(
    tmp_path, option, name, expected
) -> None:
    result = invoke("init", str(tmp_path / "x"), option, name)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("错误：")
    assert expected in result.stderr
    assert not (tmp_path / "x").exists()  # nothing written


# --------------------------------------------------------------------------------------------
# The working folder


def test_init_writes_a_folder_whose_rules_load(weifang) -> None:
    names = sorted(p.name for p in (weifang / "rules").iterdir())
    assert names == [
        "annual-2019.toml", "attribution.toml", "monthly-2019.toml", "notice.toml",
        "targets-2019.toml", "units.toml",
    ]  # fmt: skip
    for sub in ("收件箱", "通报"):
        assert (weifang / sub).is_dir()
    assert (weifang / "ipscore.db").is_file()
    readme = (weifang / "README.txt").read_text(encoding="utf-8")
    assert "潍城区、寒亭区" in readme and "18 个月" in readme and "schtasks" in readme
    rules = load_attribution(weifang / "rules" / "attribution.toml")
    assert rules.unit_names == WEIFANG
    assert load_scheme(weifang / "rules" / "monthly-2019.toml").units.names == WEIFANG
    units = (weifang / "rules" / "units.toml").read_text(encoding="utf-8")
    assert "潍坊滨海经济技术开发区" in units  # the statistical zone, offered commented out
    notice = (weifang / "rules" / "notice.toml").read_text(encoding="utf-8")
    assert 'issuer = "潍坊市知识产权局"' in notice
    # The template has no target yet: tally leaves them blank, anything strict says which.
    targets = load_targets(
        None, 2019, rules.unit_list, allow_blank=True, folder=rules.source.parent
    )
    assert targets.missing == WEIFANG
    assert "12 个单位的目标" in targets.warnings()[0].message


def test_init_prints_the_cron_line_and_the_schtasks_command(tmp_path) -> None:
    result = invoke("init", str(tmp_path / "局"))
    assert result.exit_code == 0, result.output
    assert "5 8 5 * * cd" in result.stdout and "ipscore notice --inbox 收件箱" in result.stdout
    assert 'schtasks /Create /TN "ipscore 月度通报" /SC MONTHLY /D 5' in result.stdout
    # Without --city: the bundled 淄博 example, unchanged.
    copied = (tmp_path / "局" / "rules" / "attribution.toml").read_text(encoding="utf-8")
    bundled = Path(__file__).parents[1] / "rules" / "attribution.toml"
    assert copied == bundled.read_text(encoding="utf-8")


def test_init_refuses_a_non_empty_folder_and_links(tmp_path) -> None:
    folder = tmp_path / "局"
    assert invoke("init", str(folder)).exit_code == 0
    (folder / "收件箱" / "2019-05.xlsx").write_bytes(b"kept")
    again = invoke("init", str(folder), "--city", "潍坊市")
    assert again.exit_code == 2 and "目录不是空的" in again.stderr
    assert "淄博" in (folder / "rules" / "attribution.toml").read_text(encoding="utf-8")
    forced = invoke("init", str(folder), "--city", "潍坊市", "--force")
    assert forced.exit_code == 0, forced.output
    assert "潍坊" in (folder / "rules" / "attribution.toml").read_text(encoding="utf-8")
    assert (folder / "收件箱" / "2019-05.xlsx").read_bytes() == b"kept"
    link = tmp_path / "链接"
    link.symlink_to(folder, target_is_directory=True)
    refused = invoke("init", str(link), "--force")
    assert refused.exit_code == 2 and "符号链接" in refused.stderr
    (folder / "rules" / "units.toml").unlink()
    (folder / "rules" / "units.toml").symlink_to(tmp_path / "elsewhere.toml")
    refused = invoke("init", str(folder), "--force")
    assert refused.exit_code == 2 and "符号链接" in refused.stderr
    assert not (tmp_path / "elsewhere.toml").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def _one_error(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), result.stderr
    assert "Traceback" not in result.output and "内部错误" not in result.output
    return lines[0]


def test_init_refusals_name_dir_and_say_what_is_wrong(tmp_path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    full = tmp_path / "full"
    full.mkdir()
    (full / "x.txt").write_text("x", encoding="utf-8")
    cases = {
        str(tmp_path / "missing" / "局"): f"上级目录不存在：{tmp_path / 'missing'}",
        str(a_file): "已存在且不是目录",
        str(a_file / "局"): f"上级路径不是目录：{a_file}",
        str(full): "目录不是空的",
    }
    for folder, said in cases.items():
        line = _one_error(invoke("init", folder))
        assert line.startswith(f"错误：{folder}：") and said in line, line
    assert a_file.read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in full.iterdir()) == ["x.txt"]
    assert not [p for p in tmp_path.rglob(".*init-*")]  # no staging left


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_dir_that_cannot_be_made_is_named_not_the_staging_folder() -> None:
    line = _one_error(invoke("init", "/proc/ipscore-test"))
    assert line.startswith("错误：/proc/ipscore-test：无法在 /proc 中建立目录"), line
    assert ".init-" not in line


def test_init_in_an_empty_folder_one_stands_in_keeps_that_folder(tmp_path) -> None:
    folder = tmp_path / "局"
    folder.mkdir()
    inode = folder.stat().st_ino
    result = invoke("init", ".", cwd=folder)
    assert result.exit_code == 0, result.output
    assert folder.stat().st_ino == inode  # filled in place: a shell standing in it still is
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["README.txt", "ipscore.db", "rules", "收件箱", "通报"]
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_init_refuses_a_link_on_the_way_in_the_working_area(tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "链接").symlink_to(elsewhere, target_is_directory=True)
    line = _one_error(invoke("init", "链接/局", cwd=tmp_path / "work"))
    assert f"中的 {tmp_path / 'work' / '链接'} 是符号链接，指向 {elsewhere}" in line, line
    assert list(elsewhere.iterdir()) == []


# --------------------------------------------------------------------------------------------
# Tally with the generated rules

# (申请日, 申请人地址, expected unit or outcome)
WEIFANG_LIST = [
    ("2019-05-10", "山东省潍坊市奎文区东关街道胜利东街1号", "奎文区"),
    ("2019-05-11", "潍坊市青州市王府街道2号", "青州市"),
    ("2019-03-12", "山东省寿光市圣城街道3号", "寿光市"),  # no city named
    ("2019-02-13", "潍坊临朐五井镇4号", "临朐县"),  # short names only
    ("2019-05-14", "潍坊市寒亭区济南路5号", "寒亭区"),  # a road named after another city
    ("2018-04-15", "山东省诸城市密州街道6号", "诸城市"),
    ("2018-05-16", "山东省潍坊市高密市朝阳街道7号", "高密市"),
    ("2019-05-17", "青岛市市北区潍坊路8号", "青岛市"),  # another city of the province
    ("2019-04-18", "北京市海淀区中关村9号", "北京市"),  # another province
    ("2019-01-19", "广东省深圳市南山区10号", "广东省"),
    ("2019-05-20", "潍坊市坊子区潍州路街道11号", "conflict"),  # 潍州路街道 is in 奎文区
    ("2019-05-21", "山东省潍坊市12号", "city-only"),
]


def test_tally_counts_a_weifang_list_by_the_generated_rules(weifang, tmp_path) -> None:
    rules = load_attribution(weifang / "rules" / "attribution.toml")
    addresses = pl.DataFrame({"address": [a for _, a, _ in WEIFANG_LIST]}).lazy()
    got = attribute(addresses, rules).collect()
    outcomes = [u or o or r for u, o, r in got.select("unit", "other_city", "reason").iter_rows()]
    assert outcomes == [e for _, _, e in WEIFANG_LIST]

    path = tmp_path / "明细.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["申请日", "专利类型", "申请人地址"])
        writer.writerows((day, "发明", address) for day, address, _ in WEIFANG_LIST)
    out = tmp_path / "2019-05.xlsx"
    result = invoke("tally", str(path), "--month", "2019-05", "-o", str(out), cwd=weifang)
    assert result.exit_code == 0, result.output
    assert "12 个单位的目标" in result.stderr  # the template is not filled in yet
    table = load_workbook(out).active
    rows = {r[1]: r[2:] for r in table.iter_rows(min_row=4, max_row=16, values_only=True)}
    assert rows["奎文区"][:4] == (1, 1, 0, "—")
    assert rows["奎文区"][4] in (None, "—") and rows["奎文区"][5] in (None, "—")  # blank target
    assert rows["青州市"][:3] == (1, 1, 0)
    assert rows["诸城市"][:3] == (0, 0, 1)
    assert rows["合计"][:3] == (3, 5, 2)  # May: 奎文 青州 寒亭; ytd + 寿光 临朐
    # rank reads the table and says which cells to fill.
    rank = invoke("rank", str(out), "--rules", "rules/monthly-2019.toml", cwd=weifang)
    assert rank.exit_code == 2
    assert "年度目标" in rank.stderr and "G4" in rank.stderr


def test_province_level_units_are_the_cities(shandong) -> None:
    rules = load_attribution(shandong / "rules" / "attribution.toml")
    assert rules.unit_names == SHANDONG
    assert rules.outside_label == "外省"
    frame = pl.DataFrame(
        {
            "address": [
                "山东省青州市王府街道1号",  # a county-level city → its city
                "济南市历下区2号",
                "潍坊奎文区3号",
                "河北省石家庄市4号",
                "山东省5号",
            ]
        }
    ).lazy()
    got = attribute(frame, rules).collect()
    assert got["unit"].to_list() == ["潍坊市", "济南市", "潍坊市", None, None]
    assert got["other_city"].to_list() == [None, None, None, "河北省", None]
    assert got["reason"].to_list()[-1] == "city-only"


def test_tally_with_province_rules_and_no_targets(shandong, tmp_path) -> None:
    rules = load_attribution(shandong / "rules" / "attribution.toml")
    path = tmp_path / "list.csv"
    path.write_text(
        "申请日,专利类型,申请人地址\n2019-05-02,发明,山东省潍坊市寿光市\n"
        "2018-03-02,发明,青岛市黄岛区\n2019-05-03,发明,河北省保定市\n",
        encoding="utf-8",
    )
    targets = load_targets(None, 2019, rules.unit_list, allow_blank=True, folder=tmp_path)
    result = tally(path, MAY, rules, targets)
    counts = {r.unit: (r.month, r.ytd, r.last_year, r.target) for r in result.rows}
    assert counts["潍坊市"] == (1, 1, 0, None)
    assert counts["青岛市"] == (0, 0, 1, None)
    assert result.other_cities == {"河北省": (1, 0)}
    assert result.totals.target is None


def test_units_table_of_a_tallied_month_reads_back(weifang, tmp_path) -> None:
    # A filled template: every unit gets a target; the table then ranks.
    text = (weifang / "rules" / "targets-2019.toml").read_text(encoding="utf-8")
    filled = "\n".join(
        line.removeprefix("# ") + "100" if line.startswith('# "') else line
        for line in text.splitlines()
    )
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    for p in (weifang / "rules").iterdir():
        (rules_dir / p.name).write_bytes(p.read_bytes())
    (rules_dir / "targets-2019.toml").write_text(filled, encoding="utf-8")
    path = tmp_path / "明细.csv"
    path.write_text(
        "申请日,专利类型,申请人地址\n2019-05-02,发明,潍坊市潍城区\n2018-05-02,发明,潍城区\n",
        encoding="utf-8",
    )
    out = tmp_path / "2019-05.xlsx"
    result = invoke("tally", str(path), "--month", "2019-05", "-o", str(out), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "年度目标" not in result.stderr
    table = load_table(out, load_scheme(rules_dir / "monthly-2019.toml"))
    assert table.record("潍城区").values["annual_target"] == 100
    assert table.record("潍城区").values["ytd_apps_last_year"] == 1


def test_every_weifang_unit_counts_exactly(weifang, tmp_path) -> None:
    # Per unit: its full name with a street, one of its towns alone, and its short name after
    # the city (2019-05, 2019-02, 2018-04): each unit counts (1, 3, 1).
    rules = load_attribution(weifang / "rules" / "attribution.toml")
    rows = []
    for place in rules.units:
        town = place.towns[0]
        rows += [
            ("2019-05-08", "发明", f"山东省潍坊市{place.name}{town}人民路1号"),
            ("2019-02-08", "发明", f"{town}幸福街2号"),
            ("2019-03-08", "发明", f"潍坊{place.short[0]}建设路3号"),
            ("2018-04-08", "发明", f"山东省潍坊市{place.name}4号"),
            ("2019-05-09", "实用新型", f"山东省潍坊市{place.name}5号"),
        ]
    path = tmp_path / "每个单位.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["申请日", "专利类型", "申请人地址"])
        writer.writerows(rows)
    targets = load_targets(None, 2019, rules.unit_list, allow_blank=True, folder=tmp_path)
    result = tally(path, MAY, rules, targets)
    assert {r.unit: (r.month, r.ytd, r.last_year) for r in result.rows} == {
        name: (1, 3, 1) for name in WEIFANG
    }
    assert result.unattributed_counts == (0, 0)
