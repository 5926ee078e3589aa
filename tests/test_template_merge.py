"""ipscore template and merge: the collection sheet, filled in, validated, merged and ranked."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MAY_ROWS, RULES_DIR
from openpyxl import load_workbook
from typer.testing import CliRunner

from ipscore.app.merge import merge_files, merge_to_file
from ipscore.app.rank import rank_month
from ipscore.app.validate import validate_file
from ipscore.base.period import Period
from ipscore.base.problems import InputError
from ipscore.cli.common import app
from ipscore.intake.formulas import formula_cells
from ipscore.intake.grids import read_grids
from ipscore.render.sheet import write_template
from ipscore.rules.resolve import load_scheme
from ipscore.rules.scheme import Scheme

MAY = Period(2019, 5)


def fill(template: Path, out: Path, units: set[str] | None = None, **override: object) -> Path:
    """Fill the template's input cells with the May figures (of ``units`` only), as a unit does."""
    wb = load_workbook(template)
    ws = wb["统计表"]
    for offset, (county, month, ytd, last, target) in enumerate(MAY_ROWS):
        r = 4 + offset
        assert ws[f"B{r}"].value == county
        if units is not None and county not in units:
            continue
        ws[f"C{r}"], ws[f"D{r}"], ws[f"E{r}"], ws[f"G{r}"] = month, ytd, last, target
    for ref, value in override.items():
        ws[ref] = value
    wb.save(out)
    return out


@pytest.fixture
def template(tmp_path: Path, scheme: Scheme) -> Path:
    path = tmp_path / "模板.xlsx"
    write_template(path, scheme, MAY)
    return path


def test_template_layout_protection_and_validation(template: Path) -> None:
    wb = load_workbook(template)
    assert wb.sheetnames == ["统计表", "说明"]
    ws = wb["统计表"]
    assert ws["A1"].value == "2019年1-5月各区县发明专利申请情况统计表"
    assert ws["H2"].value == "单位：件"
    assert [c.value for c in ws[3]] == [
        "序号",
        "区县",
        "本月发明专利申请量",
        "1-5月累计",
        "去年同期累计",
        "同比增长(%)",
        "年度目标",
        "完成率(%)",
    ]
    assert [ws[f"B{r}"].value for r in range(4, 15)] == [row[0] for row in MAY_ROWS]
    assert ws["A15"].value == "合计"
    assert ws["D15"].value == "=SUM(D4:D14)"
    assert ws["F4"].value.startswith("=IF(")
    assert ws.protection.sheet is True and wb["说明"].protection.sheet is True
    assert ws["C4"].protection.locked is False and ws["G14"].protection.locked is False
    assert ws["B4"].protection.locked is True and ws["F4"].protection.locked is True
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert set(rules) == {"C4:E14", "G4:G14"}
    counts = rules["C4:E14"]
    assert (counts.type, counts.operator, counts.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert counts.showErrorMessage and "整数" in counts.error and "填 0" in counts.prompt
    assert rules["G4:G14"].formula1 == "1"
    assert "黄色单元格" in wb["说明"]["A3"].value


def test_empty_template_lists_every_blank_cell(template: Path, scheme: Scheme) -> None:
    report = validate_file(template, scheme)
    blanks = {p.cell for p in report.problems if p.code == "value-blank"}
    assert len(blanks) == 44  # 11 units × 4 input cells
    assert {p.code for p in report.errors} == {"value-blank"}


def test_round_trip_template_filled_validate_rank(
    tmp_path: Path, template: Path, scheme: Scheme
) -> None:
    filled = fill(template, tmp_path / "2019-05.xlsx")
    report = validate_file(filled, scheme)
    # openpyxl does not calculate: the formula columns and the 合计 row have no cached value
    # (a file saved by Excel, WPS or LibreOffice has them; then the report is empty).
    assert report.errors == []
    assert {p.code for p in report.warnings} == {"formula-no-value"}
    cells = {p.cell for p in report.warnings}
    assert cells == {f"{c}{r}" for c in "FH" for r in range(4, 16)} | {f"{c}15" for c in "CDEG"}
    ranking = rank_month(filled, scheme)
    assert [(r.county, str(r.score)) for r in ranking.rows[:2]] == [
        ("高新区", "90.92"),
        ("张店区", "88.80"),
    ]


def submissions(tmp_path: Path, template: Path) -> tuple[Path, Path]:
    first = fill(template, tmp_path / "张店区.xlsx", {"张店区"})
    rest = fill(template, tmp_path / "其余.xlsx", {row[0] for row in MAY_ROWS} - {"张店区"})
    return first, rest


def test_merge_gives_a_clean_month_table(tmp_path: Path, template: Path, scheme: Scheme) -> None:
    first, rest = submissions(tmp_path, template)
    out = tmp_path / "2019-05.xlsx"
    merged = merge_to_file([first, rest], out, scheme)
    assert merged.period == MAY and merged.missing == []
    assert merged.rows["张店区"] == {
        "month_apps": 112,
        "ytd_apps": 520,
        "ytd_apps_last_year": 470,
        "annual_target": 1300,
    }
    assert validate_file(out, scheme).problems == []
    ws = load_workbook(out)["统计表"]
    assert ws["D15"].value == 2331  # a number, not a formula: reads the same everywhere
    assert ws["F4"].value == 10.64  # (520 − 470) / 470 × 100 = 10.638…
    ranking = rank_month(out, scheme)
    assert [r.county for r in ranking.rows[:2]] == ["高新区", "张店区"]


def test_merge_refuses_duplicates_and_reports_missing(
    tmp_path: Path, template: Path, scheme: Scheme
) -> None:
    first, _ = submissions(tmp_path, template)
    again = fill(template, tmp_path / "张店区-重报.xlsx", {"张店区", "淄川区"})
    out = tmp_path / "out.xlsx"
    with pytest.raises(InputError) as caught:
        merge_to_file([first, again], out, scheme)
    codes = {(p.code, p.county, p.file) for p in caught.value.problems}
    assert ("merge-duplicate", "张店区", str(again)) in codes
    missing = next(p for p in caught.value.problems if p.code == "merge-missing")
    assert "博山区" in missing.message and "淄川区" not in missing.message
    assert not out.exists()  # nothing written when there is an error


def test_merge_allow_missing_and_errors_in_filled_rows(
    tmp_path: Path, template: Path, scheme: Scheme
) -> None:
    first = fill(template, tmp_path / "张店区.xlsx", {"张店区"})
    merged = merge_files([first], scheme, allow_missing=True)
    assert list(merged.rows) == ["张店区"]
    assert len(merged.missing) == 10 and merged.warnings[-1].code == "county-absent"
    # A filled row with a bad cell is an error; the blank rows of other units are not.
    bad = fill(template, tmp_path / "淄川区.xlsx", {"淄川区"}, D5="二百三")
    with pytest.raises(InputError) as caught:
        merge_files([bad], scheme, allow_missing=True)
    assert [(p.code, p.cell) for p in caught.value.problems] == [("value-text", "D5")]
    empty = fill(template, tmp_path / "空.xlsx", set())
    with pytest.raises(InputError) as caught:
        merge_files([empty], scheme, allow_missing=True)
    assert [p.code for p in caught.value.problems] == ["merge-nothing"]


def test_merge_refuses_months_that_differ(tmp_path: Path, scheme: Scheme) -> None:
    may, june = tmp_path / "5.xlsx", tmp_path / "6.xlsx"
    write_template(may, scheme, MAY)
    write_template(june, scheme, Period(2019, 6))
    with pytest.raises(InputError) as caught:
        merge_files(
            [fill(may, may, {"张店区"}), fill(june, june, {"淄川区"})], scheme, allow_missing=True
        )
    assert [p.code for p in caught.value.problems] == ["merge-month-conflict"]


def test_cli_template_and_merge(tmp_path: Path) -> None:
    runner = CliRunner()
    template = tmp_path / "2019-05-模板.xlsx"
    result = runner.invoke(app, ["template", "--month", "2019-05", "-o", str(template)])
    assert result.exit_code == 0, result.output
    first, rest = submissions(tmp_path, template)
    out = tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["merge", str(first), str(rest), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已汇总 11 个区县" in result.stderr
    result = runner.invoke(app, ["merge", str(first), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "没有报送" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_text_from_rules_is_written_as_text(tmp_path: Path) -> None:
    # A unit named like a formula (from an analyst's units file) must stay text.
    units = (RULES_DIR / "units.toml").read_text(encoding="utf-8")
    units = units.replace('name = "张店区"', 'name = "=HYPERLINK(\\"http://x\\",\\"张店区\\")"')
    (tmp_path / "units.toml").write_text(units, encoding="utf-8")
    rules = (RULES_DIR / "monthly-2019.toml").read_text(encoding="utf-8")
    (tmp_path / "monthly.toml").write_text(rules, encoding="utf-8")
    scheme = load_scheme(tmp_path / "monthly.toml")
    path = tmp_path / "t.xlsx"
    write_template(path, scheme, MAY)
    assert "B4" not in formula_cells(path, "统计表")
    grid = next(g for g in read_grids(path) if g.sheet == "统计表")
    assert grid.value(3, 1) == '=HYPERLINK("http://x","张店区")'
