"""ipscore.loading: finding the table in a real-looking sheet and reporting bad cells by name."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    MAY_ROWS,
    RULES_DIR,
    SAMPLES_DIR,
    UNITS,
    default_header,
    replace_row,
    write_month,
)
from openpyxl import Workbook

from ipscore.base.period import Period, period_from_filename, period_from_text
from ipscore.base.problems import InputError, Problem
from ipscore.intake.model import DataTable
from ipscore.intake.table import load_table
from ipscore.rules.resolve import load_scheme
from ipscore.rules.scheme import Scheme


def load_error(path: Path, scheme: Scheme, **options: Any) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_table(path, scheme, **options)
    return caught.value.problems


def the_problem(path: Path, scheme: Scheme, **options: Any) -> Problem:
    problems = load_error(path, scheme, **options)
    assert len(problems) == 1, [p.line() for p in problems]
    return problems[0]


def ytd_by_unit(table: DataTable) -> dict[str, Any]:
    return {r.county: r.values["ytd_apps"] for r in table.records}


# --------------------------------------------------------------------------------------------
# The bundled sample


def test_may_sample_loads(scheme: Scheme) -> None:
    table = load_table(SAMPLES_DIR / "2019-05.xlsx", scheme)
    assert str(table.period) == "2019-05"
    assert table.period == Period(2019, 5)
    assert table.sheet == "统计表"
    assert [r.county for r in table.records] == list(UNITS)
    zhangdian = table.record("张店区")
    assert zhangdian is not None
    assert zhangdian.values == {
        "month_apps": 112,
        "ytd_apps": 520,
        "ytd_apps_last_year": 470,
        "annual_target": 1300,
    }
    assert zhangdian.cells["ytd_apps"] == "D4"  # header on row 3, first unit on row 4
    assert ytd_by_unit(table) == {row[0]: row[2] for row in MAY_ROWS}
    assert table.total is not None and table.total.values["ytd_apps"] == 2331
    assert table.columns["ytd_apps"].header == "1-5月累计"
    assert table.columns["ytd_apps"].cell == "D3"
    assert table.warnings == []


@pytest.mark.parametrize("month", range(1, 13))
def test_every_sample_month_is_read_from_its_title(scheme: Scheme, month: int) -> None:
    table = load_table(SAMPLES_DIR / f"2019-{month:02d}.xlsx", scheme)
    assert table.period == Period(2019, month)
    assert len(table.records) == 11


# --------------------------------------------------------------------------------------------
# Layouts


def test_builder_sheet_loads_like_the_sample(tmp_path: Path, scheme: Scheme) -> None:
    table = load_table(write_month(tmp_path), scheme)
    assert table.period == Period(2019, 5)
    assert ytd_by_unit(table) == {row[0]: row[2] for row in MAY_ROWS}
    assert table.title.startswith("2019年1-5月各区县发明专利申请情况统计表")
    assert table.total is not None and table.total.values["ytd_apps"] == 2331


def test_sheet_starting_at_c3_names_the_real_cells(tmp_path: Path, scheme: Scheme) -> None:
    # Title on row 3, 单位 line on row 4, header on row 5 from column C: 区县 is D, 累计 is F;
    # 临淄区 is the 4th unit, so its row is 5 + 4 = 9.
    path = write_month(
        tmp_path, replace_row(MAY_ROWS, "临淄区", ytd_apps="abc"), start_col=3, start_row=3
    )
    problem = the_problem(path, scheme)
    assert (problem.code, problem.cell, problem.header) == ("value-text", "F9", "1-5月累计")
    assert problem.county == "临淄区"
    good = load_table(
        write_month(tmp_path, name="2019-05-ok.xlsx", start_col=3, start_row=3), scheme
    )
    assert good.record("张店区").cells == {  # type: ignore[union-attr]
        "month_apps": "E6",
        "ytd_apps": "F6",
        "ytd_apps_last_year": "G6",
        "annual_target": "I6",
    }


def test_two_row_merged_header(tmp_path: Path, scheme: Scheme) -> None:
    # 发明专利申请量 merged over 本月 | 累计 | 去年同期; 序号, 区县, ... merged over both rows.
    path = write_month(tmp_path, two_row_header=True)
    table = load_table(path, scheme)
    assert ytd_by_unit(table) == {row[0]: row[2] for row in MAY_ROWS}
    assert table.record("高新区").values["ytd_apps_last_year"] == 400  # type: ignore[union-attr]
    assert table.columns["month_apps"].header == "发明专利申请量 本月"
    # Headers on rows 3-4, so 临淄区 (4th unit) is on row 8.
    bad = write_month(
        tmp_path, replace_row(MAY_ROWS, "临淄区", ytd_apps="—"), name="b.xlsx", two_row_header=True
    )
    problem = the_problem(bad, scheme, period=Period(2019, 5))
    assert (problem.code, problem.cell, problem.header) == (
        "value-blank",
        "D8",
        "发明专利申请量 累计",
    )


@pytest.mark.parametrize(
    ("ytd_header", "last_header"),
    [
        ("1-5月累计申请量", "上年同期累计申请量"),
        ("累计", "上年同期"),
        ("本年累计", "去年同期累计"),
    ],
)
def test_header_variants(tmp_path: Path, scheme: Scheme, ytd_header: str, last_header: str) -> None:
    header = default_header()
    header[3], header[4] = ytd_header, last_header
    table = load_table(write_month(tmp_path, header=header), scheme)
    assert (table.columns["ytd_apps"].cell, table.columns["ytd_apps_last_year"].cell) == (
        "D3",
        "E3",
    )
    assert table.record("张店区").values["ytd_apps_last_year"] == 470  # type: ignore[union-attr]


def test_last_year_header_containing_the_ytd_alias(tmp_path: Path, scheme: Scheme) -> None:
    header = default_header()
    header[3], header[4] = "累计发明专利申请量", "去年同期累计发明专利申请量"
    table = load_table(write_month(tmp_path, header=header), scheme)
    assert table.columns["ytd_apps_last_year"].cell == "E3"


def test_headers_naming_this_year_and_last_year(tmp_path: Path, scheme: Scheme) -> None:
    # A 2019 sheet whose cumulative columns carry their years: 2018年… is last year's column.
    header = default_header()
    header[3], header[4] = "2019年1-5月累计", "2018年1-5月累计"
    table = load_table(write_month(tmp_path, header=header), scheme)
    assert table.columns["ytd_apps"].cell == "D3"
    assert table.columns["ytd_apps_last_year"].cell == "E3"
    assert table.record("张店区").values["ytd_apps_last_year"] == 470  # type: ignore[union-attr]


def test_blank_target_does_not_suggest_zero(tmp_path: Path, scheme: Scheme) -> None:
    rows = replace_row(MAY_ROWS, "张店区", annual_target=None)
    with pytest.raises(InputError) as caught:
        load_table(write_month(tmp_path, rows), scheme)
    (problem,) = caught.value.problems
    assert (problem.code, problem.cell) == ("value-blank", "G4")
    assert "应为正整数" in problem.message and "填 0" not in problem.message


def test_header_found_without_title_rows(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, title=None, unit_line=False)
    table = load_table(path, scheme)  # month from the file name 2019-05.xlsx
    assert table.period == Period(2019, 5)
    assert table.record("文昌湖区").cells["ytd_apps"] == "D12"  # type: ignore[union-attr]


def test_aliases_and_spaced_names_normalise(tmp_path: Path, scheme: Scheme) -> None:
    labels = {
        "张店区": "张店",
        "淄川区": "淄 川 区",
        "博山区": "博山区 ",
        "高新区": "高新技术产业开发区",
        "经济开发区": "经开区",
        "文昌湖区": "文昌湖省级旅游度假区",
    }
    rows = [(labels.get(r[0], r[0]), *r[1:]) for r in MAY_ROWS]
    table = load_table(write_month(tmp_path, rows), scheme)
    assert [r.county for r in table.records] == list(UNITS)
    assert table.record("高新区").label == "高新技术产业开发区"  # type: ignore[union-attr]
    assert table.record("高新区").values["ytd_apps"] == 480  # type: ignore[union-attr]
    assert table.record("淄川区").values["ytd_apps"] == 230  # type: ignore[union-attr]


def test_shuffled_rows_come_back_in_canonical_order(tmp_path: Path, scheme: Scheme) -> None:
    rows = list(reversed(MAY_ROWS))
    table = load_table(write_month(tmp_path, rows), scheme)
    assert [r.county for r in table.records] == list(UNITS)
    assert table.record("张店区").row == 14  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "layout",
    [
        {"total_first": True},
        {"total_first": True, "total_label": "全 市"},
        {"total_label": "全市"},
        {"before_total": [("其他", 3, 9, 8, 10)]},
        {"before_total": [("备注：高新区含托管镇", None, None, None, None)]},
        {"total": False, "footnote": False},
    ],
    ids=["total-first", "quan-shi-first", "quan-shi-last", "qita-row", "note-row", "bare"],
)
def test_total_other_and_note_rows_are_left_out(
    tmp_path: Path, scheme: Scheme, layout: dict[str, Any]
) -> None:
    table = load_table(write_month(tmp_path, **layout), scheme)
    assert [r.county for r in table.records] == list(UNITS)
    assert sum(ytd_by_unit(table).values()) == 2331
    if layout.get("total", True):
        assert table.total is not None and table.total.values["ytd_apps"] == 2331
    else:
        assert table.total is None


def test_blank_rows_are_skipped(tmp_path: Path, scheme: Scheme) -> None:
    blank = (None, None, None, None, None)
    rows = [*MAY_ROWS[:3], blank, blank, *MAY_ROWS[3:]]
    table = load_table(write_month(tmp_path, rows), scheme)
    assert len(table.records) == 11
    # Two blank rows after 博山区 (row 6): 临淄区 lands on row 9.
    assert table.record("临淄区").cells["ytd_apps"] == "D9"  # type: ignore[union-attr]


def test_text_numbers_are_accepted(tmp_path: Path, scheme: Scheme) -> None:
    rows = replace_row(
        MAY_ROWS,
        "张店区",
        month_apps="112件",
        ytd_apps="５２０",
        ytd_apps_last_year=" 470 ",
        annual_target="1,300",
    )
    rows = replace_row(rows, "淄川区", ytd_apps="230.0", annual_target=600.0)
    table = load_table(write_month(tmp_path, rows), scheme)
    assert table.record("张店区").values == {  # type: ignore[union-attr]
        "month_apps": 112,
        "ytd_apps": 520,
        "ytd_apps_last_year": 470,
        "annual_target": 1300,
    }
    assert table.record("淄川区").values["ytd_apps"] == 230  # type: ignore[union-attr]
    assert table.record("张店区").raw["ytd_apps"] == "５２０"  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------------
# The period


def test_period_parsers() -> None:
    assert period_from_text("2019年1-5月各区县发明专利申请情况统计表") == Period(2019, 5)
    assert period_from_text("2019年1月各区县发明专利申请情况统计表") == Period(2019, 1)
    assert period_from_text("２０１９年１－１２月") == Period(2019, 12)
    assert period_from_text("2019年度考核") == Period(2019, None)
    assert period_from_text("各区县统计表") is None
    assert period_from_filename(Path("2019-05.xlsx")) == Period(2019, 5)
    assert period_from_filename(Path("2019年5月.xlsx")) == Period(2019, 5)
    assert period_from_filename(Path("统计_201905.xlsx")) == Period(2019, 5)
    assert period_from_filename(Path("统计表.xlsx")) is None
    assert Period.parse("2019-05") == Period(2019, 5)
    assert Period(2019, 5).span_zh == "2019年1-5月"
    assert Period(2019, 1).span_zh == "2019年1月"
    assert Period(2019, 1).previous() == Period(2018, 12)
    with pytest.raises(ValueError):
        Period.parse("2019-13")


@pytest.mark.parametrize("name", ["2019-05.xlsx", "2019年5月.xlsx"])
def test_month_from_file_name_when_title_has_none(
    tmp_path: Path, scheme: Scheme, name: str
) -> None:
    # Neither title nor header says a month ("累计" instead of "1-5月累计").
    path = write_month(
        tmp_path, name=name, title="各区县发明专利申请情况统计表", header=default_header("累计")
    )
    assert load_table(path, scheme).period == Period(2019, 5)


def test_month_from_title_beats_a_month_less_file_name(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, name="统计表.xlsx", title="2019年1-7月各区县发明专利申请情况")
    table = load_table(path, scheme)
    assert table.period == Period(2019, 7)
    assert table.warnings == []


def test_year_from_file_name_when_title_has_month_only(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, title="1-5月各区县发明专利申请情况统计表")
    assert load_table(path, scheme).period == Period(2019, 5)


def test_explicit_period_wins_with_a_warning(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, name="统计表.xlsx")  # title says 2019年1-5月
    table = load_table(path, scheme, period=Period(2019, 6))
    assert table.period == Period(2019, 6)
    assert [w.code for w in table.warnings] == ["month-override"]
    warning = table.warnings[0]
    assert warning.level == "warning"
    assert "表格标题显示为2019年5月" in warning.message and "2019-06" in warning.message
    assert warning.line().startswith("警告：")


def test_explicit_period_agreeing_with_title_gives_no_warning(
    tmp_path: Path, scheme: Scheme
) -> None:
    table = load_table(write_month(tmp_path), scheme, period=Period(2019, 5))
    assert table.period == Period(2019, 5)
    assert table.warnings == []


def test_title_and_file_name_disagree(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, name="2019-04.xlsx")  # title says 1-5月
    problem = the_problem(path, scheme)
    assert problem.code == "month-conflict"
    assert "表格标题为2019年5月" in problem.message and "文件名为2019年4月" in problem.message
    # An explicit month settles it.
    assert load_table(path, scheme, period=Period(2019, 4)).period == Period(2019, 4)


def test_no_month_anywhere(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(
        tmp_path,
        name="统计表.xlsx",
        title="各区县发明专利申请情况统计表",
        header=default_header("累计"),
    )
    problem = the_problem(path, scheme)
    assert problem.code == "month-unknown"
    assert "月份" in problem.message and "--month" in problem.message


def test_no_year_anywhere(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, name="统计表.xlsx", title="1-5月各区县发明专利申请情况统计表")
    problem = the_problem(path, scheme)
    assert problem.code == "month-unknown"
    assert "年份" in problem.message


def test_other_year_than_the_scheme_warns(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(
        tmp_path, name="2020-05.xlsx", title="2020年1-5月各区县发明专利申请情况统计表"
    )
    table = load_table(path, scheme)
    assert table.period == Period(2020, 5)
    assert [w.code for w in table.warnings] == ["scheme-year"]
    assert "数据为 2020 年" in table.warnings[0].message


# --------------------------------------------------------------------------------------------
# Several sheets


def test_data_sheet_behind_a_shuoming_sheet(tmp_path: Path, scheme: Scheme) -> None:
    notes = [["说明"], ["本表统计各区县发明专利申请量"], ["区县", "按行政区划"]]
    path = write_month(tmp_path, extra_sheets=[("说明", notes)])
    table = load_table(path, scheme)
    assert table.sheet == "统计表"
    assert len(table.records) == 11


def test_two_matching_sheets_are_ambiguous(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, copies=["副本"])
    problem = the_problem(path, scheme)
    assert problem.code == "sheet-ambiguous"
    assert "统计表" in problem.message and "副本" in problem.message
    assert load_table(path, scheme, sheet="副本").sheet == "副本"
    assert load_table(path, scheme, sheet="统计表").sheet == "统计表"
    assert load_table(path, scheme, sheet="2").sheet == "副本"  # by position, 1-based


def test_unknown_sheet_name(tmp_path: Path, scheme: Scheme) -> None:
    problem = the_problem(write_month(tmp_path), scheme, sheet="六月")
    assert problem.code == "sheet-missing"
    assert "六月" in problem.message and "统计表" in problem.message


# --------------------------------------------------------------------------------------------
# Bad input: each problem names its code, cell and header


@pytest.mark.parametrize(
    ("value", "code", "says"),
    [
        ("abc", "value-text", "不是数字：“abc”"),
        (None, "value-blank", "为空"),
        ("—", "value-blank", "为空"),
        ("-", "value-blank", "为空"),
        ("-5", "value-negative", "不能为负数，实际为“-5”"),
        (-5, "value-negative", "不能为负数，实际为“-5”"),
        (12.5, "value-fraction", "应为整数，实际为“12.5”"),
        ("12.5", "value-fraction", "应为整数，实际为“12.5”"),
    ],
)
def test_bad_value_names_cell_and_header(
    tmp_path: Path, scheme: Scheme, value: object, code: str, says: str
) -> None:
    # 临淄区 is the 4th unit: row 3 + 4 = 7; 1-5月累计 is column D.
    path = write_month(tmp_path, replace_row(MAY_ROWS, "临淄区", ytd_apps=value))
    problem = the_problem(path, scheme)
    assert (problem.code, problem.cell, problem.header) == (code, "D7", "1-5月累计")
    assert (problem.field, problem.county, problem.sheet) == ("ytd_apps", "临淄区", "统计表")
    assert says in problem.message
    line = problem.line()
    assert line.startswith("错误：")
    for part in ("2019-05.xlsx", "[统计表]", "D7（1-5月累计）", says):
        assert part in line


def test_cumulative_below_month(tmp_path: Path, scheme: Scheme) -> None:
    # 临淄区: 本月 301 > 累计 300.
    path = write_month(tmp_path, replace_row(MAY_ROWS, "临淄区", month_apps=301))
    problem = the_problem(path, scheme)
    assert (problem.code, problem.cell, problem.header) == (
        "cumulative-below-month",
        "D7",
        "1-5月累计",
    )
    assert "C7=301" in problem.message


def test_target_zero(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, replace_row(MAY_ROWS, "临淄区", annual_target=0))
    problem = the_problem(path, scheme)
    assert (problem.code, problem.cell, problem.header) == ("value-not-positive", "G7", "年度目标")
    assert "应大于 0" in problem.message


def test_every_bad_cell_is_listed(tmp_path: Path, scheme: Scheme) -> None:
    rows = replace_row(MAY_ROWS, "张店区", annual_target=None)
    rows = replace_row(rows, "临淄区", ytd_apps="abc")
    rows = replace_row(rows, "文昌湖区", ytd_apps_last_year="-3")
    problems = load_error(write_month(tmp_path, rows), scheme)
    assert [(p.code, p.cell) for p in problems] == [
        ("value-blank", "G4"),
        ("value-text", "D7"),
        ("value-negative", "E14"),
    ]


def test_bad_total_row_is_not_an_error(tmp_path: Path, scheme: Scheme) -> None:
    # The 合计 row is left out of the ranking; a dash there stops nothing.
    path = write_month(tmp_path, replace_row(MAY_ROWS, "张店区", ytd_apps="—"))
    problems = load_error(path, scheme)
    assert [(p.code, p.cell) for p in problems] == [("value-blank", "D4")]


def test_missing_column(tmp_path: Path, scheme: Scheme) -> None:
    header = default_header()
    header[6] = "计划数"  # 年度目标 under a name no alias knows
    problem = the_problem(write_month(tmp_path, header=header), scheme)
    assert (problem.code, problem.field) == ("column-missing", "annual_target")
    assert "找不到“年度目标”列" in problem.message
    assert "全年目标任务" in problem.message  # lists accepted headers


def test_unknown_unit(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, replace_row(MAY_ROWS, "临淄区", county="临淄新区"))
    problems = load_error(path, scheme)
    codes = {p.code: p for p in problems}
    assert set(codes) == {"county-unknown", "county-missing"}
    unknown = codes["county-unknown"]
    assert (unknown.cell, unknown.header, unknown.county) == ("B7", "区县", "临淄新区")
    assert "未知的区县“临淄新区”" in unknown.message
    assert "缺少区县：临淄区" in codes["county-missing"].message


def test_duplicate_unit(tmp_path: Path, scheme: Scheme) -> None:
    # A second 张店 row (alias) after the 11 units: row 4 + 11 = 15.
    rows = [*MAY_ROWS, ("张店", 1, 2, 3, 4)]
    problem = the_problem(write_month(tmp_path, rows), scheme)
    assert (problem.code, problem.cell, problem.header) == ("county-duplicate", "B15", "区县")
    assert "第 4 行与第 15 行" in problem.message


def test_missing_unit(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, MAY_ROWS[:-1])  # no 文昌湖区
    problem = the_problem(path, scheme)
    assert problem.code == "county-missing"
    assert "文昌湖区" in problem.message
    table = load_table(path, scheme, allow_missing=True)
    assert [r.county for r in table.records] == list(UNITS[:-1])
    assert [w.code for w in table.warnings] == ["county-absent"]
    assert "文昌湖区" in table.warnings[0].message


def test_header_without_units(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, [], total=False, footnote=False)
    assert [p.code for p in load_error(path, scheme, allow_missing=True)] == ["no-data"]


def test_data_row_without_unit_name(tmp_path: Path, scheme: Scheme) -> None:
    path = write_month(tmp_path, [*MAY_ROWS, (None, 1, 2, 3, 4)])
    problem = the_problem(path, scheme)
    assert (problem.code, problem.cell) == ("county-blank", "B15")


# --------------------------------------------------------------------------------------------
# Files that are not usable workbooks


def test_text_file(tmp_path: Path, scheme: Scheme) -> None:
    path = tmp_path / "2019-05.txt"
    path.write_text("区县,累计\n张店区,520\n", encoding="utf-8")
    problem = the_problem(path, scheme)
    assert problem.code == "file-not-spreadsheet"
    assert problem.file == str(path)


def test_text_file_renamed_xlsx(tmp_path: Path, scheme: Scheme) -> None:
    path = tmp_path / "2019-05.xlsx"
    path.write_text("区县,累计\n张店区,520\n", encoding="utf-8")
    problem = the_problem(path, scheme)
    assert problem.code == "file-not-spreadsheet"
    assert "内容不是 Excel/ODS 工作簿" in problem.message


def test_zero_byte_xlsx(tmp_path: Path, scheme: Scheme) -> None:
    path = tmp_path / "2019-05.xlsx"
    path.write_bytes(b"")
    assert the_problem(path, scheme).code == "file-empty"


def test_truncated_xlsx(tmp_path: Path, scheme: Scheme) -> None:
    good = write_month(tmp_path, name="good.xlsx").read_bytes()
    path = tmp_path / "2019-05.xlsx"
    path.write_bytes(good[: len(good) // 2])  # still starts with the zip magic PK\x03\x04
    problem = the_problem(path, scheme)
    assert problem.code == "file-damaged"
    assert problem.file == str(path)


def test_missing_file(tmp_path: Path, scheme: Scheme) -> None:
    assert the_problem(tmp_path / "nope.xlsx", scheme).code == "file-missing"


def test_empty_workbook_sheet(tmp_path: Path, scheme: Scheme) -> None:
    path = tmp_path / "2019-05.xlsx"
    wb = Workbook()
    wb.active.title = "空表"
    wb.save(path)
    problem = the_problem(path, scheme)
    assert (problem.code, problem.sheet) == ("sheet-empty", "空表")


def test_sheet_without_a_header(tmp_path: Path, scheme: Scheme) -> None:
    path = tmp_path / "2019-05.xlsx"
    wb = Workbook()
    wb.active.title = "随便"
    wb.active.append(["一些", "无关", "内容"])
    wb.save(path)
    assert the_problem(path, scheme).code == "header-missing"


# --------------------------------------------------------------------------------------------
# Field types other than counts (the annual scheme's 一票否决 column)

FLAG_SCHEME = """
[scheme]
name = "测试年度方案"
kind = "annual"
year = 2019
total_points = 10
tie_breaker = "certified"
units = "units.toml"

[fields.county]
label = "区县"
type = "unit"
aliases = ["区县"]

[fields.certified]
label = "贯标认证企业数"
aliases = ["贯标认证企业数"]

[fields.veto]
label = "一票否决"
type = "flag"
aliases = ["一票否决"]

[[indicators]]
id = "certified"
name = "贯标认证"
points = 10
method = "per_item"
field = "certified"
each = 2
cap = 10
"""


def annual_workbook(tmp_path: Path, veto_type: str, veto: dict[str, object]) -> tuple[Scheme, Path]:
    """A small annual scheme and its data sheet (title 2019年度…, no month anywhere)."""
    shutil.copy(RULES_DIR / "units.toml", tmp_path / "units.toml")
    text = FLAG_SCHEME.replace('type = "flag"', f'type = "{veto_type}"')
    (tmp_path / "annual.toml").write_text(text, encoding="utf-8")
    scheme = load_scheme(tmp_path / "annual.toml")
    path = tmp_path / "2019年度考核数据.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["2019年度区县工作考核数据表"])
    ws.append(["区县", "贯标认证企业数", "一票否决（是/否）"])
    for index, unit in enumerate(UNITS):
        ws.append([unit, index, veto[unit]])
    wb.save(path)
    return scheme, path


def test_flag_field_reads_yes_no(tmp_path: Path) -> None:
    veto = {unit: "是" if unit == "博山区" else "否" for unit in UNITS}
    scheme, path = annual_workbook(tmp_path, "flag", veto)
    table = load_table(path, scheme, period=Period(2019))
    # 博山区 is the 3rd unit: 贯标认证企业数 = index 2.
    assert table.record("博山区").values["certified"] == 2  # type: ignore[union-attr]


def test_annual_table_period_is_the_year(tmp_path: Path) -> None:
    scheme, path = annual_workbook(tmp_path, "number", dict.fromkeys(UNITS, 0))
    assert load_table(path, scheme, period=Period(2019)).period == Period(2019)  # precondition
    assert load_table(path, scheme).period == Period(2019)
