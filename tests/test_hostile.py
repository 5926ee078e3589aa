"""Hostile files are refused before they are loaded, with one clear problem each.

Every hostile file here is refused in a child process whose peak memory is measured; ``rank``
and ``validate`` agree on each of them (validate reports an error exactly when rank refuses);
the application lists of ``tally`` and the numbers of rule files have the same clear ends.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from builders_hostile import (
    FAR,
    SMALL_CELLS,
    dimensions,
    month_xls,
    number,
    rewrite_member,
    sheet_xml,
    write_ods,
    write_xls,
    write_xlsb,
    write_xlsx,
)
from builders_intake import month_csv, set_cells
from conftest import MAY_ROWS, RULES_DIR, SAMPLES_DIR, run_child, write_month
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from ipscore.app.validate import validate_file
from ipscore.base.problems import InputError
from ipscore.cli.common import app
from ipscore.intake.grids import read_grids
from ipscore.rules.scheme import Scheme


def test_zip_bomb_is_refused_from_the_central_directory(tmp_path: Path) -> None:
    # 4 MB of zeros compress about 1000:1; a real statistics sheet is a few KB.
    path = tmp_path / "2019-05.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (4 * 1024 * 1024))
    assert path.stat().st_size < 20_000
    with pytest.raises(InputError) as caught:
        read_grids(path)
    (problem,) = caught.value.problems
    assert problem.code == "file-too-large"
    assert "xl/worksheets/sheet1.xml" in problem.message and "压缩比" in problem.message


def test_absurd_sheet_area_is_refused(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = "区县"
    wb.active["B150000"] = 1  # one cell far down: a reader would build a 150000-row grid
    path = tmp_path / "far.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_grids(path)
    (problem,) = caught.value.problems
    assert problem.code == "file-too-large" and "150000 行" in problem.message


def test_entity_expansion_bomb_is_refused(tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
    )

    def plant(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[-1].replace(b"<v>112</v>", b"<v>&lol3;</v>", 1)
        assert b"&lol3;" in body
        return bomb + body.lstrip()

    path = rewrite_member(write_month(tmp_path), "xl/worksheets/sheet1.xml", plant)
    with pytest.raises(InputError) as caught:
        read_grids(path)
    assert [p.code for p in caught.value.problems] == ["file-hostile"]
    # openpyxl's own read path has defusedxml in place as well: it refuses the entities.
    with pytest.raises(Exception, match=r"(?i)entit"):
        load_workbook(path)
    result = CliRunner().invoke(app, ["rank", str(path)])
    assert result.exit_code == 2 and "DTD/实体声明" in result.stderr


def test_formula_from_input_is_never_evaluated(tmp_path: Path, scheme: Scheme) -> None:
    # A cell holding a formula with no stored result reads as blank, never as 1+1 = 2.
    from builders_intake import set_cells

    path = set_cells(write_month(tmp_path), {"C4": "=1+1"})
    report = validate_file(path, scheme)
    assert [(p.code, p.cell) for p in report.problems] == [("value-blank", "C4")]


def test_ods_repeated_cells_beyond_bounds_are_refused(tmp_path: Path) -> None:
    # One ODS cell "1" repeated 16000 columns × 1000000 rows: a few hundred bytes on disk,
    # sixteen billion cells for a reader. (LibreOffice's own empty repeated rows, as in the
    # fixtures, are fine: test_formats reads them.)
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>'
        '<office:spreadsheet><table:table table:name="S">'
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="16000" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "2019-05.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    with pytest.raises(InputError) as caught:
        read_grids(path)
    (problem,) = caught.value.problems
    assert problem.code == "file-too-large" and "1000000 行 × 16000 列" in problem.message


def test_indicator_names_from_rules_stay_text_in_xlsx_and_csv(
    tmp_path: Path, scheme: Scheme
) -> None:
    # An analyst's rule file names an indicator "=1+1": the header written is text.
    from conftest import RULES_DIR

    from ipscore.app.rank import rank_month
    from ipscore.render.model import ranking_view
    from ipscore.render.text import to_csv
    from ipscore.render.xlsx import write_xlsx
    from ipscore.rules.resolve import load_scheme

    rules = (RULES_DIR / "monthly-2019.toml").read_text(encoding="utf-8")
    (tmp_path / "units.toml").write_text(
        (RULES_DIR / "units.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "m.toml").write_text(rules.replace('name = "总量"', 'name = "=1+1"'), "utf-8")
    ranking = ranking_view(rank_month(write_month(tmp_path), load_scheme(tmp_path / "m.toml")))
    assert to_csv(ranking).splitlines()[0].split(",")[8] == "'=1+1(40)"
    out = tmp_path / "out.xlsx"
    write_xlsx(ranking, out)
    header = load_workbook(out)["排名"]["I3"]
    assert header.value == "=1+1(40)" and header.data_type == "s"


# --------------------------------------------------------------------------------------------
# Every hostile file: refused within 200 MB, and rank and validate agree


def _with_rows(changes: dict[int, tuple[int, object]]) -> list[tuple[object, ...]]:
    rows = [list(r) for r in MAY_ROWS]
    for index, (col, value) in changes.items():
        rows[index][col] = value
    return [tuple(r) for r in rows]


def hostile_files(directory: Path) -> dict[str, tuple[Path, str]]:
    """name → (file, the problem code that refuses it). Each is a few KB at most."""
    d = directory
    ods_rows = (
        '<table:table-row table:number-rows-repeated="20000">'
        '<table:table-cell office:value-type="float" office:value="1" '
        'table:number-columns-repeated="1000"/></table:table-row>'
    )
    fifo = d / "fifo-2019-05.xlsx"
    os.mkfifo(fifo)
    link = d / "link-2019-05.xlsx"
    link.symlink_to(SAMPLES_DIR / "2019-05.xlsx")
    duplicate = write_month(d, name="dup-2019-05.xlsx")
    set_cells(duplicate, {"I3": "1-5月累计", "I4": 1})  # a second 1-5月累计 column
    csv_inf = d / "inf-2019-05.csv"
    csv_inf.write_text(month_csv(_with_rows({3: (2, "inf")})), encoding="utf-8")
    return {
        "quoted": (
            write_xlsx(d / "q-2019-05.xlsx", sheet_xml(SMALL_CELLS + FAR)),
            "file-too-large",
        ),
        "spaced": (
            write_xlsx(
                d / "s-2019-05.xlsx",
                sheet_xml(
                    SMALL_CELLS + '<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row>'
                ),
            ),
            "file-too-large",
        ),
        "renamed": (
            write_xlsx(
                d / "r-2019-05.xlsx",
                sheet_xml(SMALL_CELLS + FAR),
                part="data/x.xml",
                target="/data/x.xml",
            ),
            "file-too-large",
        ),
        "dimension": (
            write_xlsx(d / "d-2019-05.xlsx", sheet_xml(SMALL_CELLS, dimension="A1:XFD1048576")),
            "file-too-large",
        ),
        "area": (
            write_xlsx(
                d / "a-2019-05.xlsx",
                sheet_xml(SMALL_CELLS + '<row r="300000"><c r="GR300000"><v>1</v></c></row>'),
            ),
            "file-too-large",
        ),
        "ods": (write_ods(d / "o-2019-05.ods", ods_rows), "file-too-large"),
        "xls-dimension": (
            write_xls(d / "x-2019-05.xls", [dimensions(0, 1_000_000, 0, 256), number(0, 0, 1.0)]),
            "file-too-large",
        ),
        "xls-far": (
            write_xls(d / "f-2019-05.xls", [number(0, 0, 1.0), number(65535, 255, 2.0)]),
            "file-too-large",
        ),
        "xlsb": (
            write_xlsb(d / "b-2019-05.xlsb", [(0, 0, 1.0), (1_000_000, 16000, 2.0)], (0, 1, 0, 1)),
            "file-too-large",
        ),
        "fifo": (fifo, "file-not-regular"),
        "device": (Path("/dev/zero"), "file-not-regular"),
        "symlink": (link, "file-not-regular"),
        "count-2^63": (
            set_cells(write_month(d, name="big-2019-05.xlsx"), {"D4": 2**63}),
            "value-too-large",
        ),
        "count-1e300": (
            set_cells(write_month(d, name="e300-2019-05.xlsx"), {"C5": 1e300}),
            "value-too-large",
        ),
        "infinite-xls": (
            month_xls(d / "inf-2019-05.xls", _with_rows({2: (2, float("inf"))})),
            "value-text",
        ),
        "infinite-csv": (csv_inf, "value-text"),
        "duplicate-header": (duplicate, "header-duplicate"),
    }


_CHILD = """
import sys
from pathlib import Path
from ipscore.base.problems import InputError
from ipscore.intake.grids import read_grids
from ipscore.tally.attribution import load_attribution
from ipscore.tally.records import open_records
rules = load_attribution()
for name in sys.argv[1:]:
    for reader in (read_grids, lambda p: open_records(p, rules).close()):
        try:
            reader(Path(name))
            print("read", name, flush=True)
        except InputError as exc:
            print(exc.problems[0].code, name, flush=True)
"""


def test_every_hostile_file_is_refused_within_200_mb(tmp_path: Path) -> None:
    # One child reads each file as a statistics sheet and as an application list; its peak
    # memory (its own high-water mark, see run_child) covers every refusal. Without the
    # bounds the first files abort the child (SIGABRT) and the others take 1–3 GB.
    files = {
        name: (path, code)
        for name, (path, code) in hostile_files(tmp_path).items()
        if code.startswith("file-")
    }
    status, out, err, peak_mb = run_child(_CHILD, *(str(p) for p, _ in files.values()))
    assert status == 0, err[-2000:]
    results = [line.split(" ", 1) for line in out.splitlines()]
    expected = [(code, str(path)) for path, code in files.values() for _ in (0, 1)]
    assert [(code, name) for code, name in results] == expected
    assert peak_mb < 200, f"peak {peak_mb:.0f} MB"


def test_rank_and_validate_agree_on_every_hostile_file(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "history.db"
    files = hostile_files(tmp_path)
    files["good"] = (write_month(tmp_path, name="good-2019-05.xlsx"), "")
    for name, (path, code) in files.items():
        rank = runner.invoke(app, ["rank", str(path), "--db", str(db)])
        check = runner.invoke(app, ["validate", str(path), "-f", "json"])
        assert rank.exit_code in (0, 2), (name, rank.output)
        assert (rank.exit_code == 2) == (check.exit_code == 2), (name, rank.output, check.output)
        assert "Traceback" not in rank.output + check.output and "内部错误" not in rank.output
        errors = {p["code"] for p in json.loads(check.stdout) if p["level"] == "error"}
        assert bool(errors) == (check.exit_code == 2), (name, check.stdout)
        if code:
            assert rank.exit_code == 2 and code in errors, (name, errors)
            first = rank.stderr.strip().splitlines()[0]
            assert first.startswith("错误：") and (path.name in first or str(path) in first)


def test_duplicate_header_names_both_cells(tmp_path: Path, scheme: Scheme) -> None:
    # Two columns both headed 1-5月累计: the first used to win silently.
    path = set_cells(write_month(tmp_path), {"I3": "1-5月累计", "I4": 999})
    report = validate_file(path, scheme)
    (problem,) = [p for p in report.problems if p.level == "error"]
    assert (problem.code, problem.cell) == ("header-duplicate", "D3")
    assert "D3（1-5月累计）与 I3（1-5月累计）都是“累计发明专利申请量”列" in problem.message
    # Columns the loader never trusts (同比增长, 排名 …) may repeat.
    path = set_cells(write_month(tmp_path, name="ok.xlsx"), {"I3": "同比增长(%)"})
    assert not [p for p in validate_file(path, scheme).problems if p.level == "error"]


def test_numbers_beyond_the_bound_name_their_cell(tmp_path: Path, scheme: Scheme) -> None:
    # 10^12 is the largest figure a cell may hold (D5 and C5 read); beyond it, an error.
    changes = {"D4": 2**63, "C5": 10**12, "D5": 10**12, "D6": 10**12 + 1}
    report = validate_file(set_cells(write_month(tmp_path), changes), scheme)
    errors = [(p.code, p.cell) for p in report.problems if p.level == "error"]
    assert errors == [("value-too-large", "D4"), ("value-too-large", "D6")]
    message = next(p.message for p in report.problems if p.cell == "D4")
    assert "9.22337e+18" in message and "1000000000000" in message


# --------------------------------------------------------------------------------------------
# tally: a refused list is exit 2 with its file named


def test_a_hostile_application_list_is_refused_naming_it(tmp_path: Path) -> None:
    commas = tmp_path / "commas.csv"
    commas.write_bytes(b"\xe7\x94\xb3\xe8\xaf\xb7\xe5\x8f\xb7" + b"," * 2_000_000)
    fifo = tmp_path / "list.csv"
    os.mkfifo(fifo)
    cases = {
        write_xlsx(tmp_path / "far.xlsx", sheet_xml(SMALL_CELLS + FAR)): "16384 列",
        write_xls(tmp_path / "dim.xls", [dimensions(0, 1_048_577, 0, 256)]): "声明的数据范围",
        commas: "超过 1000000 个字符",
        fifo: "命名管道",
    }
    for path, expected in cases.items():
        out = tmp_path / "out.xlsx"
        result = CliRunner().invoke(app, ["tally", str(path), "--month", "2019-05", "-o", str(out)])
        assert result.exit_code == 2, (path, result.output)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"错误：{path}") and expected in line, line
        assert not out.exists()


# --------------------------------------------------------------------------------------------
# Numbers in rule files


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("inf", "indicators[volume].points：应为有限的数字，实际为 inf"),
        ("nan", "indicators[volume].points：应为有限的数字，实际为 nan"),
        ("-inf", "indicators[volume].points：应为有限的数字，实际为 -inf"),
        ("1e300", "indicators[volume].points：数值过大：1e+300（绝对值应不超过 10^12）"),
        ("9" * 4000, "indicators[volume].points：数值过大：一个 4000 位的整数"),
        ("9" * 5000, "第 96 行 points：数字有 5000 位，数值过大"),
    ],
)
def test_rule_numbers_beyond_the_bound_are_errors_with_their_place(
    tmp_path: Path, value: str, expected: str
) -> None:
    import re

    (tmp_path / "units.toml").write_text(
        (RULES_DIR / "units.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    text = (RULES_DIR / "monthly-2019.toml").read_text(encoding="utf-8")
    assert text.splitlines()[95].startswith("points = ")  # the first indicator's points
    rules = tmp_path / "m.toml"
    rules.write_text(re.sub(r"\npoints = \d+", f"\npoints = {value}", text, count=1), "utf-8")
    result = CliRunner().invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 2, result.output
    assert expected in result.output and "内部错误" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("错误")]) == 1
