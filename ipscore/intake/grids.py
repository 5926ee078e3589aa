"""Reading a spreadsheet file into grids of cells, keeping every cell's real position.

Workbooks (.xlsx, .xlsm, .xls, .ods, .xlsb) are read by calamine, which never evaluates a
formula: a formula cell yields the value the saving program cached, or nothing. CSV files are
read as text by the standard csv module (UTF-8 with or without BOM, or GB18030/GBK, detected).
A grid is addressed from A1, so messages can name the cell a person sees.

Before a workbook is opened its zip central directory is checked (see :func:`check_bounds`):
a file that would unpack beyond sane bounds, carries XML entity declarations or spans an absurd
sheet area is refused before any reader touches it.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ipscore.base.problems import InputError, Problem

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
TEXT_SUFFIXES = (".csv",)
SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Sane bounds for a statistics workbook (real ones are a few KB to a few MB).
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # compression ratio, checked on members larger than RATIO_MIN_BYTES
RATIO_MIN_BYTES = 1024 * 1024
MAX_ROWS = 100_000
MAX_COLS = 200


@dataclass
class Grid:
    """One sheet: ``rows[r][c]`` is the cell at row r+1, column c+1 (None when empty)."""

    file: str
    sheet: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    visible: bool = True

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def merged_origin(self, row: int, col: int) -> tuple[int, int] | None:
        """The top-left cell of the merged range holding (row, col), if any."""
        for r0, c0, r1, c1 in self.merged:
            if r0 <= row <= r1 and c0 <= col <= c1:
                return r0, c0
        return None


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """The A1-style name of a 0-based (row, col)."""
    return f"{column_letter(col)}{row + 1}"


def _bad(path: Path, code: str, message: str) -> InputError:
    return InputError([Problem(code, message, file=str(path))])


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of a spreadsheet file, or an InputError saying why it cannot be read."""
    shown = str(path)
    if not path.exists():
        raise _bad(path, "file-missing", "文件不存在")
    if path.is_dir():
        raise _bad(path, "file-not-spreadsheet", "这是一个目录，不是表格文件")
    suffix = path.suffix.lower()
    try:
        head = path.open("rb").read(8)
    except OSError as exc:
        raise _bad(path, "file-unreadable", f"无法读取文件（{exc.strerror}）") from None
    if not head:
        raise _bad(path, "file-empty", "文件为空（0 字节）")
    if suffix in TEXT_SUFFIXES:
        return [_read_csv(path)]
    if suffix not in WORKBOOK_SUFFIXES:
        kinds = "、".join(SUFFIXES)
        raise _bad(path, "file-not-spreadsheet", f"不是可识别的表格文件（应为 {kinds}）")
    if not (head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC)):
        raise _bad(path, "file-not-spreadsheet", f"扩展名是 {suffix}，但内容不是 Excel/ODS 工作簿")
    check_bounds(path)
    return _read_workbook(path, shown)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def check_bounds(path: Path) -> None:
    """Refuse a file beyond sane bounds before any reader opens it (zip bombs, entity bombs).

    Reads only the zip central directory, the first bytes of each XML member and the cell
    references of each worksheet; nothing is unpacked whole and nothing is evaluated.
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _bad(path, "file-too-large", f"文件大小 {_mb(size)}，超过上限 {_mb(MAX_FILE_BYTES)}")
    if path.open("rb").read(4) != _ZIP_MAGIC:
        return  # an OLE (.xls) file: its size is its content
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_UNPACKED_BYTES:
                raise _bad(
                    path,
                    "file-too-large",
                    f"解压后共 {_mb(total)}，超过上限 {_mb(MAX_UNPACKED_BYTES)}；"
                    "不像是统计表（可能是压缩炸弹），未读取",
                )
            for member in members:
                packed = max(member.compress_size, 1)
                if member.file_size > RATIO_MIN_BYTES and member.file_size / packed > MAX_RATIO:
                    raise _bad(
                        path,
                        "file-too-large",
                        f"其中 {member.filename} 压缩比为 {member.file_size // packed}:1"
                        f"（上限 {MAX_RATIO}:1，解压后 {_mb(member.file_size)}）；"
                        "不像是统计表（可能是压缩炸弹），未读取",
                    )
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")):
                    _check_xml_member(path, archive, member)
                if member.filename == "content.xml":
                    _check_ods_area(path, archive.read(member))
    except zipfile.BadZipFile as exc:
        raise _bad(
            path, "file-damaged", f"文件已损坏，无法作为工作簿打开（{_short(exc)}）"
        ) from None


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})(\d{1,7})\"")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b")


def _check_xml_member(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    is_sheet = member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
    max_row = max_col = rows = 0
    tail = b""
    with archive.open(member) as stream:
        first = True
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            if first:
                if _DTD.search(data[:4096]):
                    raise _bad(
                        path,
                        "file-hostile",
                        f"其中 {member.filename} 含有 DTD/实体声明，正常的工作簿不会有；未读取",
                    )
                first = False
            if not is_sheet:
                break
            for match in _CELL_REF.finditer(data):
                max_col = max(max_col, _column_number(match.group(1)))
                max_row = max(max_row, int(match.group(2)))
            rows += len(_ROW_TAG.findall(chunk))
            # Keep the end of the chunk so a tag cut in two is seen whole next time; a tag seen
            # twice this way does not change a maximum.
            tail = data[-256:]
    max_row = max(max_row, rows)
    if max_row > MAX_ROWS or max_col > MAX_COLS:
        raise _bad(
            path,
            "file-too-large",
            f"工作表 {member.filename} 的数据区域达 {max_row} 行 × {max_col} 列，"
            f"超过上限（{MAX_ROWS} 行 × {MAX_COLS} 列）；请删除多余的行和列后另存",
        )


_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(/?)>", re.S)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/?)>", re.S)
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_COLS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')


def _check_ods_area(path: Path, content: bytes) -> None:
    """The rows × columns an ODS sheet really fills, counting repeated rows and cells.

    ODS compresses a block of equal cells into one element with a repeat count; LibreOffice
    writes the empty rest of a sheet that way (harmless: empty cells are never built), but a
    repeated cell with content makes a reader build every copy.
    """
    max_row = max_col = 0
    for table in re.split(rb"<table:table[\s>]", content)[1:]:
        rows = 0
        starts = list(_ODS_ROW.finditer(table))
        for index, row in enumerate(starts):
            repeat = _ROWS_REPEATED.search(row.group(1))
            count = int(repeat.group(1)) if repeat else 1
            rows += count
            if row.group(2):  # <table:table-row/>: empty
                continue
            end = starts[index + 1].start() if index + 1 < len(starts) else len(table)
            col = width = 0
            for cell in _ODS_CELL.finditer(table, row.end(), end):
                repeat = _COLS_REPEATED.search(cell.group(1))
                col += int(repeat.group(1)) if repeat else 1
                if not cell.group(2):  # a cell with content
                    width = col
            if width:
                max_row, max_col = max(max_row, rows), max(max_col, width)
    if max_row > MAX_ROWS or max_col > MAX_COLS:
        raise _bad(
            path,
            "file-too-large",
            f"工作表的数据区域达 {max_row} 行 × {max_col} 列，"
            f"超过上限（{MAX_ROWS} 行 × {MAX_COLS} 列）；请删除多余的行和列后另存",
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def _read_workbook(path: Path, shown: str) -> list[Grid]:
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for damaged files
        raise _bad(
            path, "file-damaged", f"文件已损坏或无法作为工作簿打开（{_short(exc)}）"
        ) from None
    grids: list[Grid] = []
    try:
        visibility = {m.name: str(m.visible).endswith("Visible") for m in book.sheets_metadata}
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            raw = sheet.to_python(skip_empty_area=False)
            rows = [[None if v == "" else v for v in row] for row in raw]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            grids.append(Grid(shown, name, rows, merged, visibility.get(name, True)))
    except InputError:
        raise
    except Exception as exc:
        raise _bad(
            path, "file-damaged", f"读取工作表时出错，文件可能已损坏（{_short(exc)}）"
        ) from None
    return grids


def _read_csv(path: Path) -> Grid:
    import csv

    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _bad(path, "file-too-large", f"文件大小 {_mb(size)}，超过上限 {_mb(MAX_FILE_BYTES)}")
    text = decode_text(path.read_bytes())
    if text is None:
        raise _bad(path, "file-encoding", "无法识别文本编码（应为 UTF-8 或 GB18030/GBK）")
    if not text.strip():
        raise _bad(path, "file-empty", "文件没有任何内容")
    try:
        # The csv module, not a typed frame reader: a title line and ragged lines (fewer or more
        # fields than the header) are normal in these files, and every value stays text.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        raw = list(reader)
    except csv.Error as exc:
        raise _bad(path, "file-damaged", f"无法按 CSV 读取（{_short(exc)}）") from None
    rows: list[list[object]] = [[v if v.strip() else None for v in row] for row in raw]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return Grid(str(path), path.stem, rows)


def decode_text(data: bytes) -> str | None:
    """The text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030/GBK.

    When the bytes are valid both as UTF-8 and as GB18030 (always the case for plain ASCII, and
    possible for short Chinese texts), the reading with more common Chinese characters wins;
    a tie goes to UTF-8.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    readings = []
    for encoding in ("utf-8", "gb18030"):
        try:
            readings.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    if not readings:
        return None
    if len(readings) == 2 and _plausibility(readings[1]) > _plausibility(readings[0]):
        return readings[1]
    return readings[0]


def _plausibility(text: str) -> int:
    """Common characters (ASCII, GB2312 hanzi and punctuation) minus uncommon ones."""
    score = 0
    for ch in text[:20000]:
        if ch.isascii():
            continue
        try:
            ch.encode("gb2312")
            score += 1
        except UnicodeEncodeError:
            score -= 2
    return score


def _delimiter(text: str) -> str:
    """Comma unless the first lines clearly use tabs or semicolons instead."""
    head = "\n".join(text.splitlines()[:30])
    counts = {d: head.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
