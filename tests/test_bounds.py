"""The hostile-file bounds, format by format, on files built here byte by byte.

Each hostile file has an honest twin from the same builder that calamine reads, so a refusal
is the bound's doing; the measure is checked against hand-counted extents (rows × columns
from A1). Refusals are one problem, exit-2 InputErrors naming the file, sheet and cell.
"""

from __future__ import annotations

import dataclasses
import os
import struct
import warnings
import zipfile
from pathlib import Path

import pytest
from builders_hostile import (
    FAR,
    MAIN,
    PLACED,
    SMALL_CELLS,
    dimensions,
    number,
    sheet_xml,
    write_ods,
    write_xls,
    write_xlsb,
    write_xlsx,
)
from conftest import SAMPLES_DIR

import ipscore.intake.grids as grids
from ipscore.base.bounds import LIST, SHEET, check_file, open_input
from ipscore.base.bounds import text as csv_text
from ipscore.base.problems import InputError, Problem
from ipscore.intake.grids import read_grids

FIXTURES = Path(__file__).parent / "fixtures"


def refusal(path: Path) -> Problem:
    with pytest.raises(InputError) as caught:
        read_grids(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path)
    return problem


def measured(path: Path, limits=SHEET) -> list[tuple[str | None, int, int]]:  # type: ignore[no-untyped-def]
    with open_input(path) as file:
        return check_file(file, limits).sheets


# --------------------------------------------------------------------------------------------
# xlsx: the parsed structure, whatever the spelling


def test_an_honest_minimal_workbook_is_measured_and_read(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ok.xlsx", sheet_xml(SMALL_CELLS))
    assert measured(path) == [("统计表", 1, 2)]
    assert read_grids(path)[0].rows == [["区县", 1]]


@pytest.mark.parametrize(
    "cells",
    [
        FAR,  # single quotes
        '<row r = "1048576"><c r = "XFD1048576" ><v>1</v></c></row>',  # spaces around =
        '<row r="1048576"><c\n\tt="n"\n\tr="XFD1048576"><v>1</v></c></row>',  # r not first
        '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',  # lower case, as readers take it
        '<row r="1048576"><c r="&#88;FD1048576"><v>1</v></c></row>',  # a character reference
    ],
)
def test_a_far_cell_is_found_however_its_reference_is_written(tmp_path: Path, cells: str) -> None:
    path = write_xlsx(tmp_path / "far.xlsx", sheet_xml(SMALL_CELLS + cells))
    problem = refusal(path)
    assert (problem.code, problem.sheet, problem.cell) == ("file-too-large", "统计表", "XFD1048576")
    assert "1048576 行 × 16384 列" in problem.message and "100000 行 × 200 列" in problem.message


def test_a_namespace_prefix_does_not_hide_cells(tmp_path: Path) -> None:
    cells = '<x:row r="300000"><x:c r="B300000"><x:v>1</x:v></x:c></x:row>'
    path = write_xlsx(tmp_path / "x.xlsx", sheet_xml(cells, prefix="x", dimension=None))
    assert (refusal(path).cell, refusal(path).code) == ("B300000", "file-too-large")


def test_cells_and_rows_without_references_are_counted_on(tmp_path: Path) -> None:
    # 250 cells in one row, none with r: column IP; 3 rows without r after row 5: row 8.
    wide = "<row>" + "<c><v>1</v></c>" * 250 + "</row>"
    problem = refusal(write_xlsx(tmp_path / "wide.xlsx", sheet_xml(wide, dimension=None)))
    assert problem.cell == "GS1"  # the 201st column: the first beyond the limit
    rows = '<row r="5"><c><v>1</v></c></row>' + "<row><c/><c><v>2</v></c></row>" * 3
    assert measured(write_xlsx(tmp_path / "rows.xlsx", sheet_xml(rows, dimension=None))) == [
        ("统计表", 8, 2)
    ]


def test_empty_styled_cells_do_not_count_but_values_do(tmp_path: Path) -> None:
    # Readers build only cells holding a value (v or is): styled empty cells far out are fine.
    cells = SMALL_CELLS + '<row r="90000"><c r="GR90000" s="1"/><c r="C90000" s="2"></c></row>'
    assert measured(write_xlsx(tmp_path / "styled.xlsx", sheet_xml(cells))) == [("统计表", 1, 2)]
    formula = '<row r="5"><c r="D5"><f>SUM(A1:B1)</f><v>3</v></c></row>'
    assert measured(write_xlsx(tmp_path / "f.xlsx", sheet_xml(formula))) == [("统计表", 5, 4)]


# --------------------------------------------------------------------------------------------
# xlsx: nested and self-closing tags, counted where any reader may place the value

TIGHT = dataclasses.replace(SHEET, max_rows=50, max_cols=20)


def reader_extents(path: Path) -> dict[str, tuple[int, int]]:
    """Where the installed readers put the farthest value (rows, columns from A1); a reader
    that refuses the file is left out."""
    import python_calamine
    from openpyxl import load_workbook

    found: dict[str, tuple[int, int]] = {}
    try:
        end = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).end
        found["calamine"] = (end[0] + 1, end[1] + 1) if end else (0, 0)
    except Exception:  # calamine refuses some of these forms, each in its own way
        pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(path, read_only=True)
        far = (0, 0)
        for row in book.worksheets[0].iter_rows():
            for cell in row:
                if getattr(cell, "value", None) is not None:
                    far = (max(far[0], cell.row), max(far[1], cell.column))
        book.close()
    found["openpyxl"] = far
    return found


def test_nested_and_self_closing_tags_are_counted_where_a_reader_may_place_the_value(
    tmp_path: Path,
) -> None:
    calamine_read = 0
    for index, (name, (cells, extent, far_cell)) in enumerate(PLACED.items()):
        path = write_xlsx(tmp_path / f"placed{index}.xlsx", sheet_xml(cells, dimension=None))
        assert measured(path) == [("统计表", *extent)], name
        # No reader puts the value farther than the bounds count it.
        for reader, (rows, cols) in reader_extents(path).items():
            assert rows <= extent[0] and cols <= extent[1], (name, reader, (rows, cols))
        calamine_read += "calamine" in reader_extents(path)
        # Beyond the limits: refused, naming the cell, with the usual message.
        with pytest.raises(InputError) as caught, open_input(path) as file:
            check_file(file, TIGHT)
        (problem,) = caught.value.problems
        assert (problem.code, problem.sheet, problem.cell) == ("file-too-large", "统计表", far_cell)
        assert "超过上限（50 行 × 20 列）" in problem.message, (name, problem.message)
    assert calamine_read >= 8  # the cross-check is not vacuous: calamine read most of them


@pytest.mark.parametrize(
    ("cells", "far", "size"),
    [
        # The gap found before: the value at XFD1048576 was counted at A1.
        ('<row r="1048576"><c r="XFD1048576"><c r="A1"/><v>1</v></c></row>', "XFD1048576",
         "1048576 行 × 16384 列"),
        ('<row r="2"><c r="XFD2"><f><c r="A1"/></f><v>1</v></c></row>', "XFD2", "2 行 × 16384 列"),
        ('<row r="5"><c r="XFD5"><row r="1048576"/><v>1</v></c></row>', "XFD5",
         "5 行 × 16384 列"),
        ('<row r="2"><c r="XFD2"/><c><v>1</v></c></row>', "XFE2", "2 行 × 16385 列"),
        ('<row r="1048576"/><row><c><v>1</v></c></row>', "A1048577", "1048577 行 × 2 列"),
        ('<row r="1048576"/><c><v>1</v></c>', "A1048577", "1048577 行 × 2 列"),
        ('<c r="XFD1"/><row r="2"><c><v>1</v></c></row>', "XFE2", "2 行 × 16385 列"),
        ('<row r="3"><c xmlns:x="urn:x" x:r="A3" r="XFD3"><v>1</v></c></row>', "XFD3",
         "3 行 × 16384 列"),
    ],
)  # fmt: skip
def test_far_values_in_those_forms_are_refused_for_sheets_and_lists(
    tmp_path: Path, cells: str, far: str, size: str
) -> None:
    path = write_xlsx(tmp_path / "far.xlsx", sheet_xml(SMALL_CELLS + cells, dimension=None))
    for limits in (SHEET, LIST):
        with pytest.raises(InputError) as caught, open_input(path) as file:
            check_file(file, limits)
        (problem,) = caught.value.problems
        assert (problem.code, problem.sheet, problem.cell) == ("file-too-large", "统计表", far)
        assert f"数据区域达 {size}，超过上限" in problem.message
    assert refusal(path).cell == far  # and so by rank, validate and the rest


def test_an_empty_row_counts_only_against_the_row_limit(tmp_path: Path) -> None:
    # Empty rows, formatted or self-closing, add nothing to the extent (as before)...
    empty = '<row r="90" ht="20" customHeight="1"/><row r="91"></row>'
    assert measured(write_xlsx(tmp_path / "e.xlsx", sheet_xml(SMALL_CELLS + empty))) == [
        ("统计表", 1, 2)
    ]
    # ...but a row beyond the row limit is refused, empty or not: openpyxl walks every row up
    # to it (a list may go to Excel's last row).
    path = write_xlsx(tmp_path / "far.xlsx", sheet_xml(SMALL_CELLS + '<row r="1048576"/>'))
    problem = refusal(path)
    assert (problem.code, problem.cell) == ("file-too-large", "A1048576")
    assert "数据区域达 1048576 行 × 2 列，超过上限（100000 行 × 200 列）" in problem.message
    assert measured(path, LIST) == [("统计表", 1, 2)]
    deep = write_xlsx(tmp_path / "deep.xlsx", sheet_xml(SMALL_CELLS + '<row r="999999999999"/>'))
    assert refusal(deep).cell == "A999999999999"


def test_a_sheet_stored_under_another_path_is_found_through_the_relationships(
    tmp_path: Path,
) -> None:
    sheet = sheet_xml(SMALL_CELLS + FAR)
    for part, target in (
        ("data/hidden.xml", "/data/hidden.xml"),
        ("XL/Sheets/S1.XML", "sheets/s1.xml"),
    ):
        path = write_xlsx(tmp_path / "moved.xlsx", sheet, part=part, target=target)
        assert refusal(path).cell == "XFD1048576"
    # A part the workbook does not name is not a sheet, whatever its folder.
    stray = {"xl/worksheets/sheet9.xml": sheet_xml(FAR)}
    path = write_xlsx(tmp_path / "stray.xlsx", sheet_xml(SMALL_CELLS), extra=stray)
    assert measured(path) == [("统计表", 1, 2)]


def test_a_dimension_beyond_the_bounds_is_refused_however_quoted(tmp_path: Path) -> None:
    sheet = sheet_xml(SMALL_CELLS, dimension="A1:XFD1048576").replace(
        '"A1:XFD1048576"', "'A1:XFD1048576'"
    )
    problem = refusal(write_xlsx(tmp_path / "dim.xlsx", sheet))
    assert problem.code == "file-too-large" and "声明的数据范围 A1:XFD1048576" in problem.message


def test_the_area_counts_rows_times_columns_across_sheets(tmp_path: Path) -> None:
    # 6000 rows × 200 columns = 1 200 000 cells: within each limit, beyond the cell budget.
    cells = SMALL_CELLS + '<row r="6000"><c r="GR6000"><v>1</v></c></row>'
    problem = refusal(write_xlsx(tmp_path / "area.xlsx", sheet_xml(cells)))
    assert "1200000 个单元格" in problem.message and "1000000" in problem.message
    # 300 000 × 200 (the 2.9 GB example) is refused by its rows already.
    cells = SMALL_CELLS + '<row r="300000"><c r="GR300000"><v>1</v></c></row>'
    assert refusal(write_xlsx(tmp_path / "tall.xlsx", sheet_xml(cells))).cell == "GR300000"


def test_a_shared_strings_count_that_would_be_reserved_is_bounded(tmp_path: Path) -> None:
    sst = (
        f'<?xml version="1.0"?><sst xmlns="{MAIN}" uniqueCount="1000000000000">'
        "<si><t>x</t></si></sst>"
    )
    path = write_xlsx(
        tmp_path / "sst.xlsx", sheet_xml(SMALL_CELLS), extra={"xl/sharedStrings.xml": sst}
    )
    problem = refusal(path)
    assert problem.code == "file-too-large" and "共享字符串" in problem.message


def test_a_member_that_unpacks_beyond_its_declared_size_is_refused(tmp_path: Path) -> None:
    # The central directory and local header say 2 000 bytes; the data inflates to 2 MB.
    path = write_xlsx(tmp_path / "lie.xlsx", sheet_xml(SMALL_CELLS + "<row/>" * 300_000))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    real = struct.pack("<I", info.file_size)
    assert data.count(real) == 2  # local header and central directory
    path.write_bytes(bytes(data).replace(real, struct.pack("<I", 2000)))
    problem = refusal(path)
    assert problem.code == "file-hostile" and "超过目录中声明的大小" in problem.message


def test_a_dtd_after_a_long_comment_is_still_refused(tmp_path: Path) -> None:
    # The old check looked at the first 4 KB of each part only.
    prolog = '<?xml version="1.0"?><!--' + "x" * 10_000 + '--><!DOCTYPE w [<!ENTITY a "b">]>'
    path = write_xlsx(tmp_path / "dtd.xlsx", prolog + sheet_xml(SMALL_CELLS).split("?>", 1)[1])
    assert refusal(path).code == "file-hostile"


def test_a_zip_directory_listing_too_many_members_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(10_001):
            archive.writestr(f"m{index}", b"")
    assert "10001 个成员" in refusal(path).message


# --------------------------------------------------------------------------------------------
# ods: repeat counts of every kind


def test_ods_self_closing_repeated_value_cells_are_counted(tmp_path: Path) -> None:
    # 1.8 KB on disk; a reader built 20 000 × 1 000 = 20 million cells (2 GB).
    rows = (
        '<table:table-row table:number-rows-repeated="20000">'
        '<table:table-cell office:value-type="float" office:value="1" '
        'table:number-columns-repeated="1000"/></table:table-row>'
    )
    path = write_ods(tmp_path / "rep.ods", rows)
    assert path.stat().st_size < 2000
    problem = refusal(path)
    assert (problem.code, problem.sheet, problem.cell) == ("file-too-large", "统计表", "ALL20000")


def test_ods_empty_rows_between_values_covered_cells_and_empty_runs(tmp_path: Path) -> None:
    value = '<table:table-cell office:value-type="float" office:value="1"/>'
    rows = (
        f"<table:table-row>{value}</table:table-row>"
        '<table:table-row table:number-rows-repeated="99"><table:table-cell/></table:table-row>'
        f'<table:table-row><table:covered-table-cell table:number-columns-repeated="4"/>'
        '<table:covered-table-cell table:number-columns-repeated="3" office:value-type="string">'
        "<text:p>x</text:p></table:covered-table-cell>"
        '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    # Row 1 has a value; 99 empty rows; row 101 has content in columns 5–7; the rest is empty.
    assert measured(write_ods(tmp_path / "mix.ods", rows)) == [("统计表", 101, 7)]
    assert [len(r) for r in read_grids(tmp_path / "mix.ods")[0].rows][-1] == 7


def test_libreoffice_files_pass_and_read_as_before() -> None:
    for name in ("may-loose-lo.ods", "may-loose-lo.xls", "may-loose-lo.xlsx"):
        sheets = measured(FIXTURES / name)
        assert sheets and all(rows < 50 and cols < 20 for _, rows, cols in sheets), sheets
    for sample in sorted(SAMPLES_DIR.glob("*.xlsx")):
        assert measured(sample)


# --------------------------------------------------------------------------------------------
# xls: the compound file and its BIFF records


def test_an_honest_minimal_xls_is_measured_and_read(tmp_path: Path) -> None:
    path = write_xls(
        tmp_path / "ok.xls", [dimensions(0, 2, 0, 2), number(0, 0, 1.0), number(1, 1, 2.0)]
    )
    assert measured(path) == [("Sheet1", 2, 2)]
    assert read_grids(path)[0].rows == [[1.0, None], [None, 2.0]]


def test_xls_dimensions_claiming_a_million_rows_are_refused(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "dim.xls", [dimensions(0, 1_000_000, 0, 256), number(0, 0, 1.0)])
    assert path.stat().st_size < 7000
    problem = refusal(path)
    assert problem.code == "file-too-large" and "A1:IV1000000" in problem.message
    # An inverted range, which a reader would turn into four billion rows.
    path = write_xls(tmp_path / "inv.xls", [dimensions(10, 5, 0, 2), number(0, 0, 1.0)])
    assert "4294967291 行" in refusal(path).message


def test_a_far_xls_cell_is_refused(tmp_path: Path) -> None:
    # A 6 KB file: a reader built 65 536 × 256 cells (1.2 GB).
    path = write_xls(
        tmp_path / "far.xls", [dimensions(0, 1, 0, 1), number(0, 0, 1.0), number(65535, 255, 2.0)]
    )
    assert refusal(path).cell == "IV65536"


def test_a_compound_file_whose_chains_loop_is_refused(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "loop.xls", [dimensions(0, 1, 0, 1), number(0, 0, 1.0)])
    data = bytearray(path.read_bytes())
    # FAT entry of the directory sector (sector 1) points back to itself.
    struct.pack_into("<I", data, 512 + 4, 1)
    path.write_bytes(bytes(data))
    problem = refusal(path)
    assert problem.code == "file-damaged" and "循环" in problem.message


# --------------------------------------------------------------------------------------------
# xlsb: records


def test_xlsb_records_are_walked(tmp_path: Path) -> None:
    ok = write_xlsb(tmp_path / "ok.xlsb", [(0, 0, 1.0), (1, 1, 2.0)], (0, 1, 0, 1))
    assert measured(ok) == [("Sheet1", 2, 2)]
    assert read_grids(ok)[0].rows == [[1.0, None], [None, 2.0]]
    far = write_xlsb(tmp_path / "far.xlsb", [(0, 0, 1.0), (1_000_000, 16000, 2.0)], (0, 1, 0, 1))
    assert refusal(far).cell == "WQK1000001"
    dim = write_xlsb(tmp_path / "dim.xlsb", [(0, 0, 1.0)], (0, 1_048_575, 0, 16383))
    assert "声明的数据范围" in refusal(dim).message


# --------------------------------------------------------------------------------------------
# CSV: bytes, records and columns counted while reading


def small(monkeypatch: pytest.MonkeyPatch, **limits: int) -> None:
    monkeypatch.setattr(grids, "SHEET", dataclasses.replace(SHEET, **limits))


def test_csv_of_150_mb_of_commas_is_refused_after_reading_little(tmp_path: Path) -> None:
    path = tmp_path / "2019-05.csv"
    with path.open("wb") as handle:
        handle.truncate(0)
        block = b"," * (1 << 20)
        for _ in range(150):
            handle.write(block)
    problem = refusal(path)
    assert problem.code == "file-too-large" and "文件超过上限 20 MB" in problem.message
    # Read as an application list (4 GB allowed), the first record ends it after 1 MB.
    with open_input(path) as file:
        rows = csv_text.records(file, LIST, encoding="latin_1", delimiter=",")
        with pytest.raises(InputError, match="超过 1000000 个字符"):
            next(rows)


def test_csv_bounds_on_bytes_rows_columns_and_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "2019-05.csv"
    path.write_text("区县," + ",".join(["1"] * 300) + "\n", encoding="utf-8")
    assert "第 1 行有 301 列" in refusal(path).message
    path.write_text("区县,1\n" * 500, encoding="utf-8")
    small(monkeypatch, max_rows=400)
    assert "超过 400 行" in refusal(path).message
    small(monkeypatch, max_cells=900)
    assert "451 行 × 2 列" in refusal(path).message
    small(monkeypatch, max_text_bytes=1000)
    assert "文件超过上限 1000 字节" in refusal(path).message
    small(monkeypatch, max_record_chars=50)
    path.write_text('区县,"' + "长" * 60 + '"\n', encoding="utf-8")
    assert "第 1 行（一条记录）超过 50 个字符" in refusal(path).message


def test_csv_reading_is_unchanged_for_real_files(tmp_path: Path) -> None:
    path = tmp_path / "2019-05.csv"
    path.write_bytes('标题\r\n区县,累计\r\n张店区,"1,234"\r\n\r\n'.encode("gb18030"))
    assert read_grids(path)[0].rows == [["标题"], ["区县", "累计"], ["张店区", "1,234"]]


# --------------------------------------------------------------------------------------------
# Only regular files


@pytest.mark.parametrize("kind", ["fifo", "device", "directory", "symlink"])
def test_only_a_regular_file_is_read(tmp_path: Path, kind: str) -> None:
    sample = SAMPLES_DIR / "2019-05.xlsx"
    if kind == "fifo":
        path = tmp_path / "2019-05.xlsx"
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    elif kind == "directory":
        path = tmp_path / "2019-05.xlsx"
        path.mkdir()
    else:
        path = tmp_path / "2019-05.xlsx"
        path.symlink_to(sample)
    problem = refusal(path)
    assert problem.code == "file-not-regular"
    expected = {
        "fifo": "命名管道",
        "device": "设备文件",
        "directory": "目录",
        "symlink": "符号链接",
    }
    assert expected[kind] in problem.message


def test_lists_have_their_own_limits() -> None:
    assert LIST.max_rows == 1_048_576 and LIST.max_cells > SHEET.max_cells


def test_control_characters_in_cell_text_are_measured_not_refused(tmp_path: Path) -> None:
    # Not allowed in XML, written by some exporters all the same; the readers take them.
    cells = '<row r="1"><c r="A1" t="inlineStr"><is><t>区县\x0b张店\x01</t></is></c></row>'
    path = write_xlsx(tmp_path / "ctl.xlsx", sheet_xml(cells))
    assert measured(path) == [("统计表", 1, 1)]
    assert read_grids(path)[0].rows == [["区县\x0b张店\x01"]]
