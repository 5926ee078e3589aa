"""ipscore tally: attribution of tricky addresses, hand-counted windows, formats, bad input."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from conftest import RULES_DIR, SAMPLES_DIR
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from ipscore.app.rank import rank_month
from ipscore.base.period import Period
from ipscore.base.problems import InputError, RulesError
from ipscore.cli.common import app
from ipscore.intake.table import load_table
from ipscore.rules.resolve import load_scheme
from ipscore.rules.targets import load_targets
from ipscore.tally.attribution import attribute, load_attribution
from ipscore.tally.count import tally

HEADER = ("申请号", "申请日", "专利类型", "申请人", "申请人地址")
MAY = Period(2019, 5)


@pytest.fixture(scope="module")
def rules():
    return load_attribution()


@pytest.fixture(scope="module")
def targets(rules):
    return load_targets(None, 2019, rules.unit_list)


def outcome(rules, address: str | None) -> tuple[str | None, str | None, str | None]:
    frame = attribute(
        pl.DataFrame({"address": [address]}, schema={"address": pl.String}).lazy(), rules
    )
    row = frame.collect().row(0, named=True)
    return row["unit"], row["other_city"], row["reason"]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        # A full address: district and one of its streets.
        ("山东省淄博市张店区车站街道华光路1号", ("张店区", None, None)),
        # Aliases from units.toml: the short name, a zone's long name, 文昌湖.
        ("淄博张店共青团西路98号", ("张店区", None, None)),
        ("淄博高新技术产业开发区柳泉路125号", ("高新区", None, None)),
        ("淄博市文昌湖省级旅游度假区萌水镇", ("文昌湖区", None, None)),
        ("淄博经开区傅家镇", ("经济开发区", None, None)),
        # A town or street only (镇、街道), with or without the city.
        ("山东省淄博市马桥镇工业园", ("桓台县", None, None)),
        ("般阳路街道松龄东路3号", ("淄川区", None, None)),
        # Other cities: counted apart, even with a 高新区 of their own or a 淄博路.
        ("山东省济南市高新区舜华路2000号", (None, "济南市", None)),
        ("青岛市市北区淄博路16号", (None, "青岛市", None)),
        ("莱芜市钢城区", (None, "济南市", None)),
        # 山东营… is the province followed by 营, not 东营.
        ("山东营创科技大厦淄博市博山区", ("博山区", None, None)),
        # Development zones win over the host district they are carved out of.
        ("山东省淄博市张店区高新区柳泉路", ("高新区", None, None)),
        ("淄博市张店区四宝山街道", ("高新区", None, None)),
        ("淄博市张店区南定镇", ("经济开发区", None, None)),
        ("淄博市高新区经济开发区", (None, None, "zones")),
        # Two counties named: a road named after another unit is no evidence.
        ("淄博市张店区淄川路3号", ("张店区", None, None)),
        ("淄博市临淄区张店东路8号", ("临淄区", None, None)),
        # Two full district names: the one whose street is named, else unattributable.
        ("淄博市张店区淄川区般阳路街道", ("淄川区", None, None)),
        ("淄博市张店区淄川区", (None, None, "districts")),
        # A district with another unit's street: unattributable, for review.
        ("淄博市张店区般阳路街道", (None, None, "conflict")),
        ("淄博淄川博山", (None, None, "shorts")),
        # Blank, city only, a generic zone with no city, nothing recognisable.
        ("", (None, None, "blank")),
        ("   ", (None, None, "blank")),
        (None, (None, None, "blank")),
        ("山东省淄博市柳泉路", (None, None, "city-only")),
        ("淄博市淄川路1号", (None, None, "city-only")),
        ("高新区柳泉路", (None, None, "generic")),
        ("北京市海淀区中关村", (None, None, "nothing")),
        # Full-width characters and spaces are folded first.
        ("淄博市　张店区 和平街道", ("张店区", None, None)),
    ],
)
def test_attribution_of_tricky_addresses(rules, address, expected) -> None:
    assert outcome(rules, address) == expected


# --------------------------------------------------------------------------------------------
# A small list counted by hand (month 2019-05).

# (申请日, 专利类型, 申请人地址, what it counts for)
HAND_LIST = [
    ("2019-05-10", "发明", "淄博市张店区车站街道华光路1号", "张店区 month+ytd"),
    ("2019-05-31", "发明", "淄博张店共青团路2号", "张店区 month+ytd (last day of May)"),
    ("2019-01-01", "发明", "淄博市张店区淄川路3号", "张店区 ytd"),
    ("2019-06-01", "发明", "淄博市张店区人民路4号", "nothing: after May"),
    ("2019-05-15", "实用新型", "淄博市张店区人民路5号", "nothing: not an invention"),
    ("2018-05-31", "发明", "淄博市张店区人民路6号", "张店区 last year (last day of May)"),
    ("2018-01-01", "发明", "淄博市张店区人民路7号", "张店区 last year"),
    ("2018-06-01", "发明", "淄博市张店区人民路8号", "nothing: after last May"),
    ("2019-05-02", "发明", "淄博市般阳路街道9号", "淄川区 month+ytd (street only)"),
    ("2019-03-03", "发明", "淄博市张店区高新区柳泉路10号", "高新区 ytd"),
    ("2018-02-02", "发明专利", "淄博高新技术产业开发区11号", "高新区 last year"),
    ("2019-05-05", "发明", "山东省济南市高新区舜华路12号", "济南市 (other city) ytd"),
    ("2019-04-04", "发明", "山东省淄博市13号", "unattributable ytd"),
    ("2019-05-06", "发明", "", "unattributable ytd (blank)"),
    ("2019-05-07", "外观设计", "淄博市桓台县马桥镇15号", "nothing: a design"),
    ("2018-05-01", "发明", "淄博经济开发区傅家镇16号", "经济开发区 last year"),
    ("2019-02-28", "发明", "淄博市周村区文昌湖省级旅游度假区17号", "文昌湖区 ytd"),
    ("2019-05-20", "发明", "淄博市张店区般阳路街道18号", "unattributable ytd (conflict)"),
]
# Worked by hand from the list above: (month, ytd, last year).
HAND_COUNTS = {
    "张店区": (2, 3, 2),  # month: rows 1, 2; ytd: 1, 2, 3; last year: 6, 7
    "淄川区": (1, 1, 0),  # row 9
    "博山区": (0, 0, 0),
    "临淄区": (0, 0, 0),
    "周村区": (0, 0, 0),
    "桓台县": (0, 0, 0),  # row 15 is a design
    "高青县": (0, 0, 0),
    "沂源县": (0, 0, 0),
    "高新区": (0, 1, 1),  # ytd: row 10; last year: row 11
    "经济开发区": (0, 0, 1),  # row 16
    "文昌湖区": (0, 1, 0),  # row 17
}
# 合计: month 2 + 1 = 3; ytd 3 + 1 + 1 + 1 = 6; last year 2 + 1 + 1 = 4.


def hand_rows() -> list[tuple[str, ...]]:
    return [
        (f"CN2019{i:06d}", day, kind, f"申请人{i}", address)
        for i, (day, kind, address, _) in enumerate(HAND_LIST, start=1)
    ]


def write_xlsx(path: Path, rows: list[tuple], *, title: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "明细"
    if title:
        ws.append([title])
    ws.append(list(HEADER))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[tuple], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def write_parquet(path: Path, rows: list[tuple]) -> Path:
    frame = pl.DataFrame(rows, schema=list(HEADER), orient="row")
    frame.with_columns(pl.col("申请日").str.to_date()).write_parquet(path)
    return path


def counts(result) -> dict[str, tuple[int, int, int]]:
    return {r.unit: (r.month, r.ytd, r.last_year) for r in result.rows}


@pytest.mark.parametrize("writer", [write_xlsx, write_csv, write_parquet])
def test_hand_counted_list_in_every_format(tmp_path, rules, targets, writer) -> None:
    suffix = {write_xlsx: ".xlsx", write_csv: ".csv", write_parquet: ".parquet"}[writer]
    path = writer(tmp_path / f"明细{suffix}", hand_rows())
    result = tally(path, MAY, rules, targets)
    assert counts(result) == HAND_COUNTS
    total = result.totals
    assert (total.month, total.ytd, total.last_year, total.target) == (3, 6, 4, 5680)
    assert result.other_cities == {"济南市": (1, 0)}
    assert result.unattributed_counts == (3, 0)
    # Records 13, 14 and 18: sheet and CSV rows 14, 15, 19 (under the header); Parquet has no
    # rows, so its records are numbered from 1.
    rows = [13, 14, 18] if suffix == ".parquet" else [14, 15, 19]
    assert sorted(result.unattributed["行号"].to_list()) == rows


def test_title_rows_above_the_header_and_gb18030_csv(tmp_path, rules, targets) -> None:
    titled = write_xlsx(tmp_path / "titled.xlsx", hand_rows(), title="2019年专利申请明细")
    assert counts(tally(titled, MAY, rules, targets)) == HAND_COUNTS
    gbk = write_csv(tmp_path / "gbk.csv", hand_rows(), encoding="gb18030")
    assert counts(tally(gbk, MAY, rules, targets)) == HAND_COUNTS


def test_date_cells_and_dates_typed_as_text_or_numbers(tmp_path, rules, targets) -> None:
    at = "淄博市张店区"
    rows = [
        ("CN1", dt.datetime(2019, 5, 10), "发明", "甲", at),  # a date cell
        ("CN2", dt.date(2019, 5, 31), "发明", "甲", at),
        ("CN3", 20190512, "发明", "甲", at),  # a number typed as yyyymmdd
        ("CN4", "2019年4月13日", "发明", "甲", at),
        ("CN5", dt.datetime(2018, 5, 31, 14, 30), "发明", "甲", at),  # with a time of day
        ("CN6", dt.datetime(2019, 6, 1), "发明", "甲", at),
    ]
    result = tally(write_xlsx(tmp_path / "dates.xlsx", rows), MAY, rules, targets)
    # May: CN1, CN2, CN3; ytd adds CN4; last year CN5; CN6 is June.
    assert counts(result)["张店区"] == (3, 4, 1)


def test_a_repeated_application_number_counts_once(tmp_path, rules, targets) -> None:
    rows = hand_rows()
    # Row 1 (张店区, May) listed again for a co-applicant in 淄川区: still one 张店区 application.
    repeat = (rows[0][0], rows[0][1], "发明", "合作申请人", "淄博市淄川区松龄路街道")
    path = write_csv(tmp_path / "明细.csv", [*rows, repeat])
    result = tally(path, MAY, rules, targets)
    assert counts(result) == HAND_COUNTS
    assert [w.code for w in result.warnings] == ["number-repeated"]
    assert "第 20 行 CN2019000001" in result.warnings[0].message


def test_last_year_from_a_second_list(tmp_path, rules, targets) -> None:
    this_year = [r for r in hand_rows() if r[1].startswith("2019")]
    last_year = [r for r in hand_rows() if r[1].startswith("2018")]
    # The 2018 rows in the main list are ignored when --last-year is given.
    main = write_csv(tmp_path / "2019.csv", [*this_year, last_year[0]])
    last = write_csv(tmp_path / "2018.csv", last_year)
    result = tally(main, MAY, rules, targets, last_year=last)
    assert counts(result) == HAND_COUNTS
    assert len(result.files) == 2


def test_a_list_without_last_year_asks_for_it(tmp_path, rules, targets) -> None:
    this_year = [r for r in hand_rows() if r[1].startswith("2019")]
    path = write_csv(tmp_path / "2019.csv", this_year)
    with pytest.raises(InputError) as caught:
        tally(path, MAY, rules, targets)
    assert caught.value.problems[0].code == "no-last-year"
    assert "--last-year" in caught.value.problems[0].message


# --------------------------------------------------------------------------------------------
# The command: the table, the review file, read back by the ranking loader.


def test_cli_writes_a_table_that_rank_reads(tmp_path) -> None:
    records = write_xlsx(tmp_path / "明细.xlsx", hand_rows())
    out = tmp_path / "2019-05.xlsx"
    result = CliRunner().invoke(
        app, ["tally", str(records), "--month", "2019-05", "-o", str(out)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "济南市 1" in result.stdout
    assert "无法归属（未计入）：2019年 3 件" in result.stdout
    assert "3 条发明专利申请无法归属" in result.stderr

    # The sheet looks like the bureau's: title, unit line, header, 11 units, 合计, notes.
    ws = load_workbook(out).active
    assert ws["A1"].value == "2019年1-5月各区县发明专利申请情况统计表"
    assert ws["A2"].value == "单位：件"
    assert [c.value for c in ws[3]] == [
        "序号", "区县", "本月发明专利申请量", "1-5月累计", "去年同期累计", "同比增长(%)",
        "年度目标", "完成率(%)",
    ]  # fmt: skip
    assert [ws.cell(r, 2).value for r in range(4, 16)][-1] == "合计"
    # 张店区: 3 vs 2 last year → growth 50.00; 3 / 1300 = 0.2307… → 0.23.
    assert [c.value for c in ws[4]] == [1, "张店区", 2, 3, 2, 50.0, 1300, 0.23]
    assert [c.value for c in ws[15]][2:5] == [3, 6, 4]
    assert ws["A16"].value.startswith("注：")

    # The ranking loader reads it as it is.
    table = load_table(out, load_scheme())
    assert table.period == MAY
    loaded = {
        r.county: (r.values["month_apps"], r.values["ytd_apps"], r.values["ytd_apps_last_year"])
        for r in table.records
    }
    assert loaded == HAND_COUNTS
    assert table.record("高新区").values["annual_target"] == 1150
    ranking = rank_month(out, load_scheme())
    assert ranking.rows[0].county == "张店区"  # the most cumulative applications
    rank = CliRunner().invoke(app, ["rank", str(out)])
    assert rank.exit_code == 0, rank.output

    # The review file lists the unattributable records with their reasons.
    review = tmp_path / "2019-05.无法归属.csv"
    lines = list(csv.DictReader(review.open(encoding="utf-8-sig")))
    assert [(r["行号"], r["原因"]) for r in lines] == [
        ("14", "只写到本市，没有区县或街道/镇"),
        ("15", "申请人地址为空"),
        ("19", "区县与街道/镇不属于同一单位"),
    ]
    assert lines[2]["申请人地址"] == "淄博市张店区般阳路街道18号"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [("CN1", "2019-13-01", "发明", "甲", "淄博市张店区")],
            "有 1 行的“申请日”为空或不是日期（第 2 行“2019-13-01”）",
        ),
        (
            [("CN1", "", "发明", "甲", "淄博市张店区")],
            "有 1 行的“申请日”为空或不是日期（第 2 行（空））",
        ),
        (
            [("CN1", "2019-05-01", "发名", "甲", "淄博市张店区")],
            "有 1 行的“专利类型”为空或无法识别（第 2 行“发名”）",
        ),
    ],
)
def test_bad_values_exit_2_naming_the_row(tmp_path, rows, expected) -> None:
    path = write_csv(tmp_path / "bad.csv", rows)
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(app, ["tally", str(path), "--month", "2019-05", "-o", str(out)])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert result.stderr.startswith("错误：")
    assert not out.exists()  # no partial output


def test_missing_columns_and_files_that_are_not_tables(tmp_path) -> None:
    no_address = tmp_path / "cols.csv"
    no_address.write_text("申请号,申请日,专利类型\nCN1,2019-05-01,发明\n", encoding="utf-8")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    fake_parquet = tmp_path / "fake.parquet"
    fake_parquet.write_bytes(b"PAR1 but no more")
    header_only = write_csv(tmp_path / "header.csv", [])
    cases = [
        (header_only, "表头下方没有任何记录"),
        (no_address, "找不到“申请人地址”"),
        (fake, "内容不是 Excel/ODS 工作簿"),
        (fake_parquet, "无法按 Parquet 读取"),
        (tmp_path / "absent.csv", "文件不存在"),
    ]
    for path, expected in cases:
        result = CliRunner().invoke(
            app, ["tally", str(path), "--month", "2019-05", "-o", str(tmp_path / "o.xlsx")]
        )
        assert result.exit_code == 2, (path, result.output)
        assert expected in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


# --------------------------------------------------------------------------------------------
# Rule files


def test_attribution_rules_report_every_problem_with_its_place(tmp_path) -> None:
    text = (RULES_DIR / "attribution.toml").read_text(encoding="utf-8")
    text = text.replace('units_file = "units.toml"', f'units_file = "{RULES_DIR / "units.toml"}"')
    # 车站街道 also under 淄川区, and a kind that does not exist.
    text = text.replace('"般阳路街道",', '"般阳路街道", "车站街道",')
    text = text.replace('kind = "zone"\ntowns = ["萌水镇"', 'kind = "park"\ntowns = ["萌水镇"')
    path = tmp_path / "attribution.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_attribution(path)
    places = {p.field for p in caught.value.problems}
    assert "units.淄川区.towns" in places
    assert "units.文昌湖区.kind" in places


def test_targets_must_cover_every_unit_for_the_year(tmp_path, rules) -> None:
    path = tmp_path / "targets.toml"
    path.write_text('year = 2020\n[targets]\n"张店" = 1300\n"淄川区" = 0\n', encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_targets(path, 2019, rules.unit_list)
    messages = [p.line() for p in caught.value.problems]
    assert any("这是 2020 年的目标" in m for m in messages)
    assert any("targets.淄川区" in m and "正整数" in m for m in messages)
    assert any("targets.博山区" in m and "缺少" in m for m in messages)
    with pytest.raises(RulesError, match="没有 2031 年的年度目标文件"):
        load_targets(None, 2031, rules.unit_list)


# --------------------------------------------------------------------------------------------
# Start-up: the help and the ranking of an xlsx do not load the data-frame libraries.


def test_help_and_rank_do_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from ipscore.cli import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "result = CliRunner().invoke(app, ['tally', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        f"result = CliRunner().invoke(app, ['rank', {str(SAMPLES_DIR / '2019-05.xlsx')!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = ('polars', 'openpyxl', 'fastexcel', 'pandas', 'numpy', 'SALib')\n"
        "loaded = sorted(m for m in heavy if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
