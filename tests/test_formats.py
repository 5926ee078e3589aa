"""The same May table in every format gives the same ranking, and validates clean.

xlsx and xlsm are built here with openpyxl, CSV in UTF-8 (with and without BOM) and GB18030;
.xls and .ods cannot be written without LibreOffice, so tests/fixtures/ holds the loose table
saved once by LibreOffice (see tests/fixtures/make_fixtures.py), with an .xlsx saved by it too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders_intake import FIXTURES, LOOSE_ROWS, loose_workbook, month_csv
from conftest import write_month

from ipscore.app.rank import rank_month
from ipscore.app.validate import validate_file
from ipscore.rules.scheme import Scheme


def standings(path: Path, scheme: Scheme) -> list[tuple[str, str, int]]:
    return [(r.county, str(r.score), r.rank) for r in rank_month(path, scheme).rows]


@pytest.fixture
def reference(tmp_path: Path, scheme: Scheme) -> list[tuple[str, str, int]]:
    ranking = standings(write_month(tmp_path / "", name="ref-2019-05.xlsx"), scheme)
    # By hand (DOMAIN.md monthly scheme, May): growth ranks 高青县/文昌湖区 25% (1st, tied),
    # 经济开发区 24.59% (3rd), 桓台县/高新区 20% (4th), 张店区 10.64% (6th).
    # 高新区: 40×480/520 = 36.92 + (30 − 3×2) = 24 + 30 (480 ≥ 1150×5/12) = 90.92.
    # 张店区: 40 + (30 − 5×2) = 20 + 30×520/(1300×5/12) = 28.80 → 88.80.
    assert ranking[:2] == [("高新区", "90.92", 1), ("张店区", "88.80", 2)]
    return ranking


def _xlsx(tmp: Path) -> Path:
    return loose_workbook(tmp / "2019-05.xlsx")


def _xlsm(tmp: Path) -> Path:
    return shutil.copy(loose_workbook(tmp / "x.xlsx"), tmp / "2019-05.xlsm")


def _csv(encoding: str):  # type: ignore[no-untyped-def]
    def build(tmp: Path) -> Path:
        path = tmp / "2019-05.csv"
        path.write_bytes(month_csv(LOOSE_ROWS).encode(encoding))
        return path

    return build


def _fixture(suffix: str):  # type: ignore[no-untyped-def]
    def build(tmp: Path) -> Path:
        return shutil.copy(FIXTURES / f"may-loose-lo{suffix}", tmp / f"2019-05{suffix}")

    return build


BUILDERS = {
    "xlsx": _xlsx,
    "xlsm": _xlsm,
    "csv-utf8": _csv("utf-8"),
    "csv-utf8-bom": _csv("utf-8-sig"),
    "csv-gb18030": _csv("gb18030"),
    "csv-gbk": _csv("gbk"),
    "xls-libreoffice": _fixture(".xls"),
    "ods-libreoffice": _fixture(".ods"),
    "xlsx-libreoffice": _fixture(".xlsx"),
}


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_same_ranking_in_every_format(
    tmp_path: Path, scheme: Scheme, reference: list[tuple[str, str, int]], kind: str
) -> None:
    path = BUILDERS[kind](tmp_path)
    assert standings(path, scheme) == reference
    report = validate_file(path, scheme)
    assert report.problems == [], [p.line() for p in report.problems]


def test_fixtures_are_what_they_claim(scheme: Scheme) -> None:
    # The LibreOffice files really are old-Excel (OLE) and ODF zip files.
    assert (FIXTURES / "may-loose-lo.xls").read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    ods = (FIXTURES / "may-loose-lo.ods").read_bytes()
    assert ods[:2] == b"PK" and b"application/vnd.oasis.opendocument.spreadsheet" in ods[:100]
