"""Binary Excel workbooks (.xlsb): records walked, not trusted.

An .xlsb part is a sequence of records (a type and a length, each a variable-length number).
The walk refuses a record longer than what is left of its part (a reader allocates the length
before it reads), keeps each sheet's declared dimension (BrtWsDim), and places every cell
record (BrtCellRk … BrtFmlaBool) in the row its last BrtRowHdr named, at the column it names.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from ipscore.base.bounds.limits import Measure, column_letters, refuse
from ipscore.base.bounds.ooxml import Index, lookup
from ipscore.base.bounds.xmlscan import attribute, local, member_chunks, parse_member

MAX_RECORD = 4 * 1024 * 1024
_CELLS = frozenset(range(0x0002, 0x000B))  # BrtCellRk … BrtFmlaBool (BrtCellBlank excluded)
_ROW, _DIMENSION, _BUNDLE_SHEET = 0x0000, 0x0094, 0x009C


def records(
    measure: Measure, handle: BinaryIO, info: zipfile.ZipInfo
) -> Iterator[tuple[int, bytes]]:
    """(type, data) of every record of a part, reading it as a stream."""
    buffer = bytearray()
    position = 0
    chunks = member_chunks(measure.path, handle, info)
    finished = False

    def need(count: int) -> bool:
        nonlocal finished, position
        while len(buffer) - position < count and not finished:
            try:
                chunk = next(chunks)
            except StopIteration:
                finished = True
                break
            del buffer[:position]
            position = 0
            buffer.extend(chunk)
        return len(buffer) - position >= count

    while need(1):
        typ = buffer[position]
        position += 1
        if typ & 0x80:
            if not need(1):
                break
            typ = (typ & 0x7F) | ((buffer[position] & 0x7F) << 7)
            position += 1
        length = 0
        for shift in (0, 7, 14, 21):
            if not need(1):
                return
            byte = buffer[position]
            position += 1
            length |= (byte & 0x7F) << shift
            if not byte & 0x80:
                break
        if length > MAX_RECORD or not need(length):
            raise refuse(
                measure.path,
                "file-damaged",
                f"文件已损坏：{info.filename} 中的记录长度 {length} 字节超出其所在部分",
            )
        yield typ, bytes(buffer[position : position + length])
        position += length


def scan_sheet(measure: Measure, handle: BinaryIO, sheet: str, info: zipfile.ZipInfo) -> None:
    row = max_row = max_col = values = 0
    limits = measure.limits
    for typ, data in records(measure, handle, info):
        if typ in _CELLS and len(data) >= 4:
            col = struct.unpack_from("<I", data)[0] + 1
            values += 1
            max_row = max(max_row, row)
            if col > max_col:
                max_col = col
            if max_row > limits.max_rows or max_col > limits.max_cols:
                cell = f"{column_letters(col)}{row}"
                measure.sheet(sheet, max_row, max_col, values, cell=cell)
        elif typ == _ROW and len(data) >= 4:
            row = struct.unpack_from("<I", data)[0] + 1
        elif typ == _DIMENSION and len(data) >= 16:
            first_row, last_row, first_col, last_col = struct.unpack_from("<4I", data)
            text = f"第 {first_row + 1}–{last_row + 1} 行、第 {first_col + 1}–{last_col + 1} 列"
            rows, cols = max(first_row, last_row) + 1, max(first_col, last_col) + 1
            measure.declared(sheet, rows, cols, text)
    measure.sheet(sheet, max_row, max_col, values)


def walk(measure: Measure, handle: BinaryIO, info: zipfile.ZipInfo) -> None:
    """Walk a part's records only to check their lengths."""
    for _ in records(measure, handle, info):
        pass


def plan(
    measure: Measure, handle: BinaryIO, index: Index, done: set[int]
) -> list[tuple[str, zipfile.ZipInfo]]:
    """(sheet name, member) of every sheet an .xlsb workbook names."""
    targets: dict[str, list[str]] = {}
    for info in lookup(index, "xl/_rels/workbook.bin.rels"):
        done.add(id(info))

        def start(name: str, attrs: list[str]) -> None:
            if local(name) == "Relationship":
                rid, target = attribute(attrs, "Id"), attribute(attrs, "Target")
                if rid is not None and target is not None:
                    targets.setdefault(rid, []).append(target)

        parse_member(measure.path, handle, info, start)
    sheets: list[tuple[str, zipfile.ZipInfo]] = []
    for info in lookup(index, "xl/workbook.bin"):
        done.add(id(info))
        for typ, data in records(measure, handle, info):
            if typ != _BUNDLE_SHEET or len(data) < 12:
                continue
            size = struct.unpack_from("<I", data, 8)[0]
            if size == 0xFFFFFFFF or 12 + 2 * size > len(data):
                continue
            rid = data[12 : 12 + 2 * size].decode("utf_16_le", "replace")
            rest = data[12 + 2 * size :]
            name = _wide_string(rest) or rid
            for target in targets.get(rid, []):
                for part in (f"xl/{target}", target.lstrip("/")):
                    sheets.extend((name, member) for member in lookup(index, part))
    return sheets


def _wide_string(data: bytes) -> str:
    if len(data) < 4:
        return ""
    size = struct.unpack_from("<I", data)[0]
    if 4 + 2 * size > len(data):
        return ""
    return data[4 : 4 + 2 * size].decode("utf_16_le", "replace")
