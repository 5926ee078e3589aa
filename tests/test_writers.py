"""Every table ipscore writes keeps hostile text inert, in every format.

Unit names come from the rule files (units.toml), applicants and addresses from application
lists, county labels from the sheets: text like ``=HYPERLINK(…)``, ``+1``, ``[/x]`` or an ESC
sequence goes through rank, assess, compare, validate, the tally review list and merge, and is
read back as the literal text: CSV with the csv module (guarded with ``'``), xlsx with openpyxl
(a string cell, never a formula), Markdown (the right number of columns, no heading or list
injected), the terminal (printed as written, control characters escaped), JSON (exact).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import MAY_ROWS, RULES_DIR, SAMPLES_DIR
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from ipscore.base.text import printable
from ipscore.cli.common import app
from ipscore.render.table import Cell, formula_safe, markdown_safe, shown, visible

MAY = SAMPLES_DIR / "2019-05.xlsx"
ANNUAL = SAMPLES_DIR / "2019-annual.xlsx"
# A unit's new name → the unit it replaces (its old name stays an alias, so the samples read).
HOSTILE = {
    '=HYPERLINK("http://x","y")': "张店区",
    "+1": "淄川区",
    "-2": "博山区",
    "@SUM(A1)": "临淄区",
    "\tx": "周村区",
    "a|b\n# h": "桓台县",
    "[/x]": "高青县",
    "\x1b[31mred": "沂源县",
    "＝1+1": "高新区",
}
# Rule files refuse control characters (tab, newline, ESC) in any text, so the names a rules
# copy can carry are the printable ones; cells (validate, tally) still bring the rest.
RULE_HOSTILE = {k: v for k, v in HOSTILE.items() if k.isprintable()}
FORMULA = re.compile(r"^[=+\-@\t\r\n＝＋－＠]")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def toml_string(text: str) -> str:
    # JSON's escapes (\", \\, \n, \t, \u001b) are TOML basic-string escapes too.
    return json.dumps(text, ensure_ascii=False)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A copy of the rule files whose units carry the hostile names."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    units = (folder / "units.toml").read_text(encoding="utf-8")
    for name, old in RULE_HOSTILE.items():
        units = units.replace(
            f'name = "{old}"\naliases = [', f'name = {toml_string(name)}\naliases = ["{old}", '
        )
    (folder / "units.toml").write_text(units, encoding="utf-8")
    monthly = (folder / "monthly-2019.toml").read_text(encoding="utf-8")
    (folder / "monthly-2019.toml").write_text(
        monthly.replace('name = "总量"', 'name = "[bold]总量"'), encoding="utf-8"
    )
    return folder


def invoke(*args: object, columns: int = 200):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns)})


# --------------------------------------------------------------------------------------------
# Reading each format back


def check_csv(path: Path, expected: list[str]) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert len({len(row) for row in rows}) == 1  # one column per field on every line
    for cell in cells:
        assert not FORMULA.match(cell) or NUMBER.match(cell), f"formula-like CSV cell {cell!r}"
    for text in expected:
        assert formula_safe(text) in cells, f"{text!r} not in {path.name}"


def check_xlsx(path: Path, expected: list[str]) -> None:
    ws = load_workbook(path).active
    values = []
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                values.append(cell.value)
    for text in expected:
        literal = text.replace("\x1b", "\\x1b")  # XML cannot hold ESC: shown as its escape
        assert literal in values, f"{literal!r} not a cell of {path.name}"


def check_markdown(text: str, expected: list[str]) -> None:
    lines = text.splitlines()
    assert lines[0].startswith("# ") and not any(line.startswith("#") for line in lines[1:])
    assert "\x1b" not in text
    table = [line for line in lines if line.startswith("|")]
    widths = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
    assert len(widths) == 1, f"rows of different widths: {widths}"
    for line in lines:
        assert not re.match(r"^\s*([-+*>]|\d+[.)])\s*#", line)  # no heading inside a list item
    for name in expected:
        assert markdown_safe(name) in text


def check_terminal(text: str, expected: list[str]) -> None:
    assert "\x1b" not in text and "\x07" not in text
    for name in expected:
        assert visible(name).strip() in text, f"{visible(name)!r} not shown"


def check_files(run: list[object], folder: Path, expected: list[str], formats: str) -> None:
    for fmt in formats.split():
        out = folder / f"out.{fmt}"
        result = invoke(*run, "-o", out)
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output and "内部错误" not in result.output
        assert out.exists(), result.output
        if fmt == "csv":
            check_csv(out, expected)
        elif fmt == "xlsx":
            check_xlsx(out, expected)
        elif fmt == "md":
            check_markdown(out.read_text(encoding="utf-8"), expected)
        elif fmt == "json":
            data = out.read_text(encoding="utf-8")
            assert all(json.dumps(t, ensure_ascii=False) in data for t in expected)
    shown_ = invoke(*run)
    assert "Traceback" not in shown_.output and "内部错误" not in shown_.output
    check_terminal(shown_.stdout, expected)


# --------------------------------------------------------------------------------------------
# Through every command


def test_rank_keeps_hostile_unit_names_inert(tmp_path: Path, rules: Path) -> None:
    run = ["rank", MAY, "--rules", rules / "monthly-2019.toml", "--db", tmp_path / "h.db"]
    check_files(run, tmp_path, list(RULE_HOSTILE), "csv xlsx md json")
    table = invoke(*run, columns=200).stdout
    assert "[bold]总量" in table  # an indicator name with markup, shown as written


def test_assess_keeps_hostile_unit_names_inert(tmp_path: Path, rules: Path) -> None:
    run = ["assess", ANNUAL, "--rules", rules / "annual-2019.toml"]
    check_files(run, tmp_path, list(RULE_HOSTILE), "csv xlsx md json")


def test_compare_writes_every_format_and_flags_grade_changes(tmp_path: Path, rules: Path) -> None:
    annual = rules / "annual-2019.toml"
    other = rules / "annual-other.toml"
    text = annual.read_text(encoding="utf-8")
    # 高青县 (59.94) passes 合格 at 55 instead of 60.
    other.write_text(text.replace("at = 60", "at = 55"), encoding="utf-8")
    assert text != other.read_text(encoding="utf-8")
    run = ["assess", ANNUAL, "--rules", annual, "--compare", other]
    check_files(run, tmp_path, list(RULE_HOSTILE), "csv xlsx md json")
    rows = {r["county"]: r for r in json.loads((tmp_path / "out.json").read_text())["rows"]}
    assert rows["[/x]"]["grade_changed"] is True  # 高青县 under its hostile name
    assert (rows["[/x]"]["grade_before"], rows["[/x]"]["grade_after"]) == ("不合格", "合格")
    assert rows["-2"]["grade_changed"] is False
    lines = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text("utf-8-sig"))))
    header = lines[0]
    flagged = {row[0]: row[header.index("等次变化")] for row in lines[1:]}
    assert flagged["[/x]"] == "不合格→合格" and flagged["'-2"] == ""
    ws = load_workbook(tmp_path / "out.xlsx").active
    assert ws["A1"].value == "规则对比（同一数据，两个规则文件）" and ws["A3"].value == "区县"


def test_rank_compare_numbers_stay_numbers(tmp_path: Path, rules: Path) -> None:
    monthly = rules / "monthly-2019.toml"
    other = rules / "monthly-other.toml"
    text = monthly.read_text(encoding="utf-8")
    other.write_text(
        text.replace("total_points = 100", "total_points = 110").replace(
            "points = 40", "points = 50"
        ),
        encoding="utf-8",
    )
    run = ["rank", MAY, "--rules", monthly, "--compare", other, "--db", tmp_path / "h.db"]
    check_files(run, tmp_path, list(RULE_HOSTILE), "csv xlsx md json")
    ws = load_workbook(tmp_path / "out.xlsx").active
    header = [c.value for c in ws[3]]
    change, moved = header.index("分差") + 1, header.index("位次") + 1
    # 高新区 (＝1+1): 90.92 → 100.15 (总量 36.92 × 50/40 = 46.15): +9.23, rank unchanged.
    row = next(r for r in range(4, 15) if ws.cell(r, 1).value == "＝1+1")
    assert ws.cell(row, change).value == 9.23 and ws.cell(row, moved).value == 0
    assert ws.cell(row, change).number_format.startswith('"+"0.00')


def test_validate_report_keeps_cell_text_inert(tmp_path: Path) -> None:
    # County labels typed into a sheet: every one unknown, each named in the report.
    labels = [name for name in HOSTILE if name.strip() == name and "\n" not in name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["2019年1-5月各区县发明专利申请情况统计表"])
    writer.writerow(["序号", "区县", "本月申请量", "1-5月累计", "上年同期", "年度目标"])
    for serial, row in enumerate(MAY_ROWS, start=1):
        writer.writerow([serial, *row])
    for label in labels:
        writer.writerow(["", label, 1, 2, 3, 4])
    sheet = tmp_path / "2019-05.csv"
    sheet.write_text(buffer.getvalue(), encoding="utf-8")
    run = ["validate", sheet, "--db", tmp_path / "h.db"]
    # A problem quotes a cell printably (ESC as \x1b) already; the writers keep that text inert.
    quoted = [printable(label) for label in labels]
    check_files(run, tmp_path, quoted, "csv xlsx md json")
    problems = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert {p["county"] for p in problems if p["code"] == "county-unknown"} == set(quoted)
    assert invoke(*run).exit_code == 2


def test_tally_review_list_keeps_applicants_and_addresses_inert(tmp_path: Path) -> None:
    records = tmp_path / "明细.csv"
    hostile = [name for name in HOSTILE if name.strip() == name]
    with records.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["申请号", "申请日", "专利类型", "申请人", "申请人地址"])
        writer.writerow(["CN2019000001", "2019-05-06", "发明", "甲公司", "淄博市张店区车站街道"])
        writer.writerow(["CN2018000001", "2018-05-06", "发明", "乙公司", "淄博市张店区车站街道"])
        for i, text in enumerate(hostile, start=2):
            writer.writerow([f"CN2019{i:06d}", "2019-05-07", "发明", text, text])
    for fmt in ("csv", "xlsx", "md"):
        review = tmp_path / f"review.{fmt}"
        out = tmp_path / f"table-{fmt}.xlsx"
        result = invoke("tally", records, "--month", "2019-05", "-o", out, "--review", review)
        assert result.exit_code == 0, result.output
        check_terminal(result.stdout, [])
        if fmt == "csv":
            check_csv(review, hostile)
            lines = list(csv.DictReader(review.open(encoding="utf-8-sig")))
            assert {r["申请人"] for r in lines} == {formula_safe(t) for t in hostile}
            assert all(NUMBER.match(r["行号"]) for r in lines)
        elif fmt == "xlsx":
            check_xlsx(review, hostile)
        else:
            check_markdown(review.read_text(encoding="utf-8"), hostile)
    # The default review file sits beside the table.
    assert invoke("tally", records, "--month", "2019-05", "-o", tmp_path / "t.xlsx").exit_code == 0
    check_csv(tmp_path / "t.无法归属.csv", hostile)
    refused = invoke("tally", records, "-m", "2019-05", "-o", out, "--review", tmp_path / "r.pdf")
    assert refused.exit_code == 2 and not (tmp_path / "r.pdf").exists()


def _submission(path: Path, units: list[str]) -> Path:
    """A unit's filled sheet, the units written by their old names (aliases now)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["2019年1-5月各区县发明专利申请情况统计表"])
    ws.append(["序号", "区县", "本月发明专利申请量", "1-5月累计", "去年同期累计", "年度目标"])
    for serial, (county, month, ytd, last, target) in enumerate(MAY_ROWS, start=1):
        if county in units:
            ws.append([serial, county, month, ytd, last, target])
    wb.save(path)
    return path


def test_merge_writes_hostile_unit_names_as_text(tmp_path: Path, rules: Path) -> None:
    names = [row[0] for row in MAY_ROWS]
    first = _submission(tmp_path / "a.xlsx", names[:5])
    rest = _submission(tmp_path / "b.xlsx", names[5:])
    expected = [name for name in RULE_HOSTILE if "\x1b" not in name]
    for fmt in ("xlsx", "csv", "md"):
        out = tmp_path / f"merged.{fmt}"
        result = invoke("merge", first, rest, "-o", out, "--rules", rules / "monthly-2019.toml")
        assert result.exit_code == 0, result.output
        if fmt == "xlsx":
            check_xlsx(out, list(RULE_HOSTILE))
            ws = load_workbook(out).active
            assert ws["A3"].value == "序号" and ws["D15"].value == 2331
        elif fmt == "csv":
            check_csv(out, expected)
        else:
            check_markdown(out.read_text(encoding="utf-8"), expected)
    # The units in canonical order, each name as itself (ESC, which XML cannot hold, escaped).
    ws = load_workbook(tmp_path / "merged.xlsx").active
    renamed = {old: new for new, old in RULE_HOSTILE.items()}
    names = [ws.cell(r, 2).value for r in range(4, 4 + len(MAY_ROWS))]
    assert names == [renamed.get(row[0], row[0]) for row in MAY_ROWS]


# --------------------------------------------------------------------------------------------
# The guards themselves


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("＝1", "'＝1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠x", "'＠x"),
        ("张店区", "张店区"),
        ("a=b", "a=b"),
    ],
)
def test_formula_guard(text: str, guarded: str) -> None:
    assert formula_safe(text) == guarded


def test_markdown_guard() -> None:
    assert markdown_safe("a|b\n# h") == "a\\|b # h"
    assert markdown_safe("# h") == "\\# h"
    assert markdown_safe("- item") == "\\- item"
    assert markdown_safe("1. item") == "1\\. item"
    assert markdown_safe("a\\|b") == "a\\\\\\|b"
    assert markdown_safe("\x1b[31mred") == "\\\\x1b[31mred"  # renders as \x1b[31mred


def test_visible_escapes_control_characters() -> None:
    assert visible("\x1b]0;title\x07\x00") == "\\x1b]0;title\\x07\\x00"
    assert visible("a\u202eb") == "a\\u202eb"
    assert visible("a\nb") == "a b" and visible("a\nb", newlines=True) == "a\nb"


def test_number_cells_read_as_a_person_writes_them() -> None:
    from decimal import Decimal

    assert shown(Cell(Decimal("-1.50"), True, 2, "signed")) == "−1.50"
    assert shown(Cell(Decimal("0.00"), True, 2, "signed")) == "0.00"
    assert shown(Cell(3, True, 0, "change")) == "↑3"
    assert shown(Cell(-2, True, 0, "change")) == "↓2"
    assert shown(Cell(None, True, 0, "change")) == "—"
    assert shown(Cell(None, True, 2)) == "—"
    assert shown(Cell(Decimal("40.00"), True, 2, mark="*")) == "40.00*"


def test_a_rules_copy_with_control_characters_in_a_name_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    units = (folder / "units.toml").read_text(encoding="utf-8")
    units = units.replace('name = "沂源县"', f"name = {toml_string(chr(27) + '[31mred')}")
    (folder / "units.toml").write_text(units, encoding="utf-8")
    result = invoke("rank", MAY, "--rules", folder / "monthly-2019.toml", "--db", tmp_path / "h")
    assert result.exit_code == 2
    assert "units[8].name：文本中有控制字符" in result.stderr
    assert "\x1b" not in result.stderr
