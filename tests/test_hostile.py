"""Hostile files are refused before they are loaded, with one clear problem each."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import write_month
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from ipscore.app.validate import validate_file
from ipscore.base.problems import InputError
from ipscore.cli.common import app
from ipscore.intake.grids import read_grids
from ipscore.rules.scheme import Scheme


def rewrite_member(path: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    """Copy a zip with one member's bytes changed by ``change``."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            target.writestr(info.filename, change(data) if info.filename == name else data)
    return path


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
