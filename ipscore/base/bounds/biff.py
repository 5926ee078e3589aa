"""Excel 97–2003 workbooks (.xls): the compound file, then the BIFF records of each sheet.

An .xls file is a compound file (CFB: sectors chained by a FAT) holding a ``Workbook`` stream of
BIFF records. The container is checked the way a reader would walk it, before it does: the
header's counts, the DIFAT, FAT, directory and stream chains (no cycle, nothing beyond the end
of the file: a reader would loop or allocate without end). Then the stream's records are
walked: each sheet's DIMENSIONS record (readers reserve memory by it) and every cell record's
row and column (readers build the rectangle they span).
"""

from __future__ import annotations

import os
import struct
import sys
from array import array

from ipscore.base.bounds.limits import Measure, column_letters, refuse
from ipscore.base.bounds.opening import InputFile

_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENDOFCHAIN = 0xFFFFFFFE
_REGULAR = 0xFFFFFFFA  # ids at or above this are markers, not sectors
_DIFSECT = 0xFFFFFFFC
_STREAM_NAMES = ("Workbook", "Book", "WORKBOOK", "BOOK")
_CELL_RECORDS = frozenset({0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006})
_MULRK, _DIMENSIONS, _BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x00BD, 0x0200, 0x0809, 0x000A, 0x85, 0x2F
_WINDOW = 1 << 16


class _Stream:
    """A stream stored in blocks scattered over the file, read through a small window."""

    def __init__(self, fd: int, blocks: list[int], block: int, length: int) -> None:
        self.fd = fd
        self.blocks = blocks
        self.block = block
        self.length = min(length, len(blocks) * block)
        self.start = 0
        self.data = b""

    def read(self, offset: int, size: int) -> bytes:
        if self.start <= offset and offset + size <= self.start + len(self.data):
            return self.data[offset - self.start : offset - self.start + size]
        end = min(self.length, offset + max(size, _WINDOW))
        pieces = []
        at = offset
        while at < end:
            index, within = divmod(at, self.block)
            take = min(self.block - within, end - at)
            pieces.append(os.pread(self.fd, take, self.blocks[index] + within))
            at += take
        self.start, self.data = offset, b"".join(pieces)
        return self.data[:size]


class _Container:
    """The compound file's structure, checked as it is read."""

    def __init__(self, file: InputFile) -> None:
        self.file = file
        self.path = file.path
        header = file.head(512)
        if len(header) < 512 or header[:8] != _SIGNATURE:
            raise self.damaged("不是有效的 Excel 97–2003 文件")
        shift, mini_shift = struct.unpack_from("<HH", header, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise self.damaged("扇区大小无效")
        self.size = 1 << shift
        self.count = max(file.size // self.size - 1, 0)  # whole sectors after the header
        fat_len, self.dir_start = struct.unpack_from("<II", header, 44)
        self.mini_start, mini_len, difat_start, difat_len = struct.unpack_from("<IIII", header, 60)
        odd = struct.unpack_from("<I", header, 62)[0]  # a reader reserves by these bytes too
        if max(fat_len, mini_len, difat_len) > self.count + 1 or odd > 1 << 24:
            raise self.damaged("文件头中的扇区数超出文件大小")
        self.mini_len = mini_len
        difat = list(struct.unpack_from("<109I", header, 76))
        seen: set[int] = set()
        sector = difat_start
        while sector < _REGULAR:
            if sector in seen:
                raise self.damaged("DIFAT 扇区链循环")
            seen.add(sector)
            entries = struct.unpack(f"<{self.size // 4}I", self.sector(sector))
            difat.extend(entries[:-1])
            sector = entries[-1]
        fat_sectors = [s for s in difat if s < _DIFSECT]
        needed = (self.count + 1) // (self.size // 4) + 2
        if len(fat_sectors) > needed + 8:
            raise self.damaged(f"FAT 列出 {len(fat_sectors)} 个扇区，远多于文件所需")
        self.fat = array("I")
        for sector in fat_sectors:
            self.fat.frombytes(self.sector(sector))
        if sys.byteorder != "little":
            self.fat.byteswap()

    def damaged(self, why: str) -> Exception:
        return refuse(self.path, "file-damaged", f"文件已损坏，无法作为工作簿打开（{why}）")

    def sector(self, sector: int) -> bytes:
        if sector >= self.count:
            raise self.damaged(f"扇区 {sector} 超出文件末尾")
        return os.pread(self.file.fd, self.size, (sector + 1) * self.size)

    def chain(
        self, start: int, length: int | None, fat: array | None = None, limit: int = 0
    ) -> list[int]:
        """The sectors of a chain (until its end or ``length`` bytes); no cycle, none beyond."""
        table = self.fat if fat is None else fat
        unit = self.size if fat is None else 64
        bound = self.count if fat is None else limit
        ids: list[int] = []
        visited = bytearray(len(table))
        sector = start
        while sector != _ENDOFCHAIN:
            if sector >= len(table) or sector >= bound:
                raise self.damaged(f"扇区链指向不存在的扇区 {sector}")
            if visited[sector]:
                raise self.damaged("扇区链循环")
            visited[sector] = 1
            ids.append(sector)
            if length is not None and len(ids) * unit >= length:
                break
            sector = table[sector]
        return ids

    def streams(self) -> list[tuple[str, _Stream]]:
        """The workbook stream(s) a reader may take, in the order it looks for them."""
        directory = self.chain(self.dir_start, None)
        entries = []
        for sector in directory:
            data = self.sector(sector)
            for at in range(0, self.size, 128):
                entry = data[at : at + 128]
                name = entry[:64].decode("utf_16_le", "replace").split("\0", 1)[0]
                start = struct.unpack_from("<I", entry, 116)[0]
                if self.size == 512:
                    length = struct.unpack_from("<I", entry, 120)[0]
                else:
                    length = struct.unpack_from("<Q", entry, 120)[0]
                entries.append((name, start, length))
        if not entries:
            raise self.damaged("目录为空")
        root_start, root_length = entries[0][1], entries[0][2]
        mini_fat: array | None = None
        root_blocks: list[int] = []
        if self.mini_len > 0:
            root_blocks = self.chain(root_start, root_length)
            mini_fat = array("I")
            for sector in self.chain(self.mini_start, self.mini_len * self.size):
                mini_fat.frombytes(self.sector(sector))
            if sys.byteorder != "little":
                mini_fat.byteswap()
        found = []
        for wanted in _STREAM_NAMES:
            for name, start, length in entries[1:]:
                if name != wanted:
                    continue
                if length > self.file.size:
                    raise self.damaged(f"流 {name} 声明的长度超出文件大小")
                if length < 4096:
                    if mini_fat is None:
                        continue
                    ministream = min(root_length, len(root_blocks) * self.size)
                    ids = self.chain(start, length, mini_fat, ministream // 64)
                    blocks = [
                        (root_blocks[(i * 64) // self.size] + 1) * self.size + (i * 64) % self.size
                        for i in ids
                    ]
                    found.append((name, _Stream(self.file.fd, blocks, 64, length)))
                else:
                    ids = self.chain(start, length)
                    blocks = [(i + 1) * self.size for i in ids]
                    found.append((name, _Stream(self.file.fd, blocks, self.size, length)))
                break
        return found


def _records(stream: _Stream, offset: int):  # type: ignore[no-untyped-def]
    """(type, data) of each record from ``offset`` until the stream ends."""
    while offset + 4 <= stream.length:
        typ, size = struct.unpack("<HH", stream.read(offset, 4))
        if offset + 4 + size > stream.length:
            return
        yield typ, stream.read(offset + 4, size)
        offset += 4 + size


def _sheet_name(data: bytes) -> str:
    if len(data) < 8:
        return "?"
    count, flags = data[6], data[7]
    if flags & 1:
        return data[8 : 8 + 2 * count].decode("utf_16_le", "replace")
    return data[8 : 8 + count].decode("latin_1")


def check_ole(file: InputFile, measure: Measure) -> None:
    container = _Container(file)
    for _name, stream in container.streams():
        sheets: list[tuple[int, str]] = []
        for typ, data in _records(stream, 0):
            if typ == _BOUNDSHEET and len(data) >= 6:
                sheets.append((struct.unpack_from("<I", data)[0], _sheet_name(data)))
            elif typ == _FILEPASS:
                return  # encrypted: readers stop here
            elif typ == _EOF:
                break
        for position, name in sheets:
            if position > stream.length:
                raise container.damaged(f"工作表“{name}”的位置超出文件")
            _check_sheet(measure, stream, position, name)


def _check_sheet(measure: Measure, stream: _Stream, position: int, name: str) -> None:
    limits = measure.limits
    max_row = max_col = values = 0
    depth, seen_bof = 0, False
    for typ, data in _records(stream, position):
        if depth:
            depth += 1 if typ == _BOF else -1 if typ == _EOF else 0
            continue
        if typ == _BOF:
            if seen_bof:
                depth = 1
            seen_bof = True
        elif typ == _EOF:
            break
        elif typ in _CELL_RECORDS and len(data) >= 4:
            row, col = struct.unpack_from("<HH", data)
            values += 1
            max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
        elif typ == _MULRK and len(data) >= 6:
            row, first = struct.unpack_from("<HH", data)
            col = struct.unpack_from("<H", data, len(data) - 2)[0]
            values += max(col - first + 1, 1)
            max_row, max_col = max(max_row, row + 1), max(max_col, col + 1, first + 1)
        elif typ == _DIMENSIONS:
            _dimensions(measure, name, data)
        else:
            continue
        if max_row > limits.max_rows or max_col > limits.max_cols:
            cell = f"{column_letters(col + 1)}{row + 1}"
            measure.sheet(name, max_row, max_col, values, cell=cell)
    measure.sheet(name, max_row, max_col, values)


def _dimensions(measure: Measure, name: str, data: bytes) -> None:
    """A DIMENSIONS record as a reader takes it (it reserves rows × columns cells)."""
    if len(data) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<4H", data)
    elif len(data) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", data)
    else:
        return
    if first_col > 0xFF or last_col < first_col:
        first_col = 0
    if last_row >= 1 and last_col >= 1:
        end_row, end_col = last_row - 1, last_col - 1
    else:
        end_row, end_col = first_row, first_col
    reserved_rows = (end_row - first_row + 1) & 0xFFFFFFFF
    reserved_cols = (end_col - first_col + 1) & 0xFFFFFFFF
    corner = f"{column_letters(first_col + 1)}{first_row + 1}"
    text = f"{corner}:{column_letters(end_col + 1)}{end_row + 1}"
    measure.declared(name, max(end_row + 1, reserved_rows), max(end_col + 1, reserved_cols), text)
