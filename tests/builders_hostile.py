"""Hostile workbooks built by hand, byte by byte: no office program involved.

Minimal .xlsx and .ods packages (zipfile), a minimal Excel 97 .xls (a compound file holding a
BIFF8 Workbook stream) and a minimal .xlsb, each as small as a real attack would be. The
honest variants of the same builders are read by calamine, so a refusal is the bound's doing.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_xml(cells: str, *, dimension: str | None = "A1:B2", prefix: str = "") -> str:
    """A worksheet part holding ``cells`` (row and c elements) in sheetData."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns{":" + prefix if prefix else ""}="{MAIN}"'
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}>{dim}'
        f"<{p}sheetData>{cells}</{p}sheetData></{p}worksheet>"
    )


# A cell at the far corner of a sheet, its reference in single quotes.
FAR = "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"
SMALL_CELLS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>区县</t></is></c><c r="B1"><v>1</v></c></row>'
)


# Cells that nesting or self-closing tags put elsewhere than a plain reading would: each form
# (sheetData's content), the extent the bounds measure for it (rows × columns from A1, by the
# rule of ipscore.base.bounds.places, worked out by hand) and the cell they name beyond 50 rows
# × 20 columns (TIGHT). Small, so that the readers themselves can read them (test_bounds).
PLACED: dict[str, tuple[str, tuple[int, int], str]] = {
    # The value is the outer cell's for a reader that skips the self-closing one.
    "a self-closing cell in a cell": (
        '<row r="60"><c r="AD60"><c r="A1"/><v>1</v></c></row>',
        (60, 30),
        "AD60",
    ),
    # calamine skips a formula's content, nested cells and all: the value is AD60's.
    "a cell in a formula": (
        '<row r="60"><c r="AD60"><f><c r="A1"/></f><v>1</v></c></row>',
        (60, 30),
        "AD60",
    ),
    "a cell with a value in a cell": (
        '<row r="60"><c r="AD60"><c r="A1"><v>1</v></c></c></row>',
        (60, 30),
        "AD60",
    ),
    "a self-closing row in a cell": (
        '<row r="5"><c r="AD5"><row r="1"/><v>1</v></c></row>',
        (5, 30),
        "AD5",
    ),
    "a row without r in a formula": (
        '<row r="5"><c r="AD5"><f><row/></f><v>1</v></c></row>',
        (5, 30),
        "AD5",
    ),
    # The next cell without r follows T1, self-closing or not: U1.
    "a self-closing cell, then one without r": (
        '<row r="1"><c r="T1"/><c><v>1</v></c></row>',
        (1, 21),
        "U1",
    ),
    # calamine counts one on at every </row>: a self-closing row 50 puts the next row at 51.
    "a self-closing row, then a row without r": (
        '<row r="50"/><row><c><v>1</v></c></row>',
        (51, 1),
        "A51",
    ),
    "a self-closing row, then a cell outside rows": (
        '<row r="50"/><c><v>1</v></c>',
        (51, 1),
        "A51",
    ),
    "cells and rows without r after far ones": (
        '<row r="50"><c r="T50"><v>1</v></c><c><v>2</v></c></row><row><c/><c><v>3</v></c></row>',
        (51, 21),
        "U50",
    ),
    # No </row> came between: calamine's column goes on from T1 in row 2.
    "a cell outside rows, then a row": (
        '<c r="T1"/><row r="2"><c><v>1</v></c></row>',
        (2, 21),
        "U2",
    ),
    "a prefixed r before the plain one": (
        '<row r="1"><c xmlns:x="urn:x" x:r="A1" r="AD1"><v>1</v></c></row>',
        (1, 30),
        "AD1",
    ),
    "a prefixed r after the plain one": (
        '<row r="1"><c xmlns:x="urn:x" r="A1" x:r="AD1"><v>1</v></c></row>',
        (1, 30),
        "AD1",
    ),
    # openpyxl takes every element in a row for a cell.
    "another element in a row": ('<row r="1"><x r="AD1"><v>1</v></x></row>', (1, 30), "AD1"),
    # openpyxl numbers a row without r when it ends: after row 50, nested in it, it is 51.
    "a row nested in a row without r": (
        '<row><c><v>1</v></c><row r="50"/></row>',
        (51, 1),
        "A51",
    ),
}


def write_xlsx(
    path: Path,
    sheet: str,
    *,
    part: str = "xl/worksheets/sheet1.xml",
    target: str | None = None,
    extra: dict[str, str | bytes] | None = None,
) -> Path:
    """A one-sheet workbook whose sheet part is ``part`` (named by the workbook's rels)."""
    target = target if target is not None else part.removeprefix("xl/")
    members: dict[str, str | bytes] = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{OFFICE_RELS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
            f'xmlns:r="{OFFICE_RELS}"><sheets><sheet name="统计表" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{OFFICE_RELS}/worksheet" Target="{target}"/>'
            "</Relationships>"
        ),
        part: sheet,
    }
    members.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def rewrite_member(path: Path, name: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite a zip in place with one member's bytes changed by ``change``."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            target.writestr(info.filename, change(data) if info.filename == name else data)
    return path


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def write_ods(path: Path, rows: str, *, name: str = "统计表") -> Path:
    """An .ods whose only table holds ``rows`` (table-row elements)."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}>'
        f'<office:body><office:spreadsheet><table:table table:name="{name}">{rows}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


# --------------------------------------------------------------------------------------------
# Excel 97 (.xls): BIFF8 records in a compound file


def record(typ: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def number(row: int, col: int, value: float) -> bytes:
    return record(0x0203, struct.pack("<HHHd", row, col, 0, value))


def dimensions(first_row: int, last_row: int, first_col: int, last_col: int) -> bytes:
    """A BIFF8 DIMENSIONS record (last_row and last_col are one past the last)."""
    return record(0x0200, struct.pack("<IIHHH", first_row, last_row, first_col, last_col, 0))


def biff_workbook(sheet_records: Sequence[bytes], name: str = "Sheet1") -> bytes:
    """A Workbook stream: globals (BOF, BoundSheet, padding, EOF), then one sheet."""
    bof_globals = record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 1997, 0, 6))
    bof_sheet = record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 1997, 0, 6))
    encoded = name.encode("latin-1")
    padding = record(0x00AA, bytes(4200))  # keeps the stream out of the mini stream
    boundsheet_size = 4 + 6 + 2 + len(encoded)
    sheet_at = len(bof_globals) + boundsheet_size + len(padding) + 4
    boundsheet = record(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, len(encoded), 0) + encoded)
    stream = bof_globals + boundsheet + padding + record(0x000A)
    assert len(stream) == sheet_at
    return stream + bof_sheet + b"".join(sheet_records) + record(0x000A)


def compound_file(stream: bytes, stream_name: str = "Workbook") -> bytes:
    """A version-3 compound file (512-byte sectors) holding one stream."""
    size = 512
    sectors = -(-len(stream) // size)
    fat = [0xFFFFFFFD, 0xFFFFFFFE]  # sector 0: the FAT; sector 1: the directory
    fat += [2 + i + 1 for i in range(sectors - 1)] + [0xFFFFFFFE]
    assert len(fat) <= 128
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 76, *difat)

    def entry(name: str, kind: int, child: int, start: int, length: int) -> bytes:
        data = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        data[: len(encoded)] = encoded
        struct.pack_into("<HBB", data, 64, len(encoded), kind, 1)
        struct.pack_into("<III", data, 68, 0xFFFFFFFF, 0xFFFFFFFF, child)
        struct.pack_into("<II", data, 116, start, length)
        return bytes(data)

    directory = (
        entry("Root Entry", 5, 1, 0xFFFFFFFE, 0)
        + entry(stream_name, 2, 0xFFFFFFFF, 2, len(stream))
        + entry("", 0, 0xFFFFFFFF, 0, 0) * 2
    )
    body = stream + bytes(sectors * size - len(stream))
    return bytes(header) + struct.pack("<128I", *fat) + directory + body


def write_xls(path: Path, sheet_records: Sequence[bytes]) -> Path:
    path.write_bytes(compound_file(biff_workbook(sheet_records)))
    return path


# --------------------------------------------------------------------------------------------
# Excel binary (.xlsb)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def brt(typ: int, data: bytes = b"") -> bytes:
    head = bytes([typ]) if typ < 0x80 else bytes([(typ & 0x7F) | 0x80, typ >> 7])
    return head + _varint(len(data)) + data


def write_xlsb(path: Path, cells: Sequence[tuple[int, int, float]], dim: tuple[int, ...]) -> Path:
    """An .xlsb with one sheet: BrtWsDim ``dim`` (rows and columns, 0-based) and real cells."""
    wide = "rId1".encode("utf-16-le")
    name = "Sheet1".encode("utf-16-le")
    bundle = struct.pack("<III", 0, 1, 4) + wide + struct.pack("<I", 6) + name
    workbook = brt(0x83) + brt(0x8F) + brt(0x9C, bundle) + brt(0x90) + brt(0x84)
    rows = b""
    for row, col, value in cells:
        rows += brt(0x00, struct.pack("<I", row) + bytes(21))
        rows += brt(0x05, struct.pack("<IId", col, 0, value))
    sheet = (
        brt(0x81) + brt(0x94, struct.pack("<4I", *dim)) + brt(0x91) + rows + brt(0x92) + brt(0x82)
    )
    rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{OFFICE_RELS}/worksheet" '
        'Target="worksheets/sheet1.bin"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{OFFICE_RELS}/officeDocument" '
            'Target="xl/workbook.bin"/></Relationships>',
        )
        archive.writestr("xl/workbook.bin", workbook)
        archive.writestr("xl/_rels/workbook.bin.rels", rels)
        archive.writestr("xl/worksheets/sheet1.bin", sheet)
    return path


def label(row: int, col: int, text: str) -> bytes:
    """A BIFF8 LABEL record (the text as UTF-16)."""
    encoded = text.encode("utf-16-le")
    return record(0x0204, struct.pack("<HHHHB", row, col, 0, len(text), 1) + encoded)


def month_xls(path: Path, rows: Sequence[tuple[object, ...]]) -> Path:
    """The May table as an Excel 97 file: title, header, one row per unit, 合计."""
    cells: list[bytes] = [dimensions(0, len(rows) + 3, 0, 6)]
    cells.append(label(0, 0, "2019年1-5月各区县发明专利申请情况统计表"))
    for col, text in enumerate(["序号", "区县", "本月申请量", "1-5月累计", "上年同期", "年度目标"]):
        cells.append(label(1, col, text))
    for index, row in enumerate(rows, start=2):
        cells.append(number(index, 0, index - 1))
        for col, value in enumerate(row, start=1):
            if isinstance(value, str):
                cells.append(label(index, col, value))
            else:
                cells.append(number(index, col, float(value)))  # type: ignore[arg-type]
    return write_xls(path, cells)
