"""Reading a spreadsheet file into grids of cells, keeping every cell's real position.

Workbooks (.xlsx, .xlsm, .xls, .ods, .xlsb) are read by calamine, which never evaluates a
formula: a formula cell yields the value the saving program cached, or nothing. CSV files are
read as text by the standard csv module (UTF-8 with or without BOM, or GB18030/GBK, detected).
A grid is addressed from A1, so messages can name the cell a person sees.

The file is opened once as a regular file (never a FIFO, device, directory or symlink) and
measured from its parsed structure before calamine touches it (:mod:`ipscore.base.bounds`,
limits :data:`~ipscore.base.bounds.SHEET`): a file beyond the bounds is refused with one clear
problem, and calamine then reads that same opened file.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from ipscore.base.bounds import (
    OLE_MAGIC,
    SHEET,
    ZIP_MAGIC,
    InputFile,
    check_file,
    open_input,
    refuse,
)
from ipscore.base.bounds import text as csv_text
from ipscore.base.problems import InputError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
TEXT_SUFFIXES = (".csv",)
SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES


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
    return refuse(path, code, message)


def read_grids(path: Path | str) -> list[Grid]:
    """Every sheet of a spreadsheet file, or an InputError saying why it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    with open_input(path) as file:
        if file.size == 0:
            raise _bad(path, "file-empty", "文件为空（0 字节）")
        if suffix in TEXT_SUFFIXES:
            return [_read_csv(file)]
        if suffix not in WORKBOOK_SUFFIXES:
            kinds = "、".join(SUFFIXES)
            raise _bad(path, "file-not-spreadsheet", f"不是可识别的表格文件（应为 {kinds}）")
        head = file.head(8)
        if not (head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC)):
            raise _bad(
                path, "file-not-spreadsheet", f"扩展名是 {suffix}，但内容不是 Excel/ODS 工作簿"
            )
        check_file(file, SHEET)
        return _read_workbook(file)


def _read_workbook(file: InputFile) -> list[Grid]:
    import python_calamine as calamine

    path, shown = file.path, str(file.path)
    try:
        book = calamine.CalamineWorkbook.from_path(file.reader_path)
    except Exception as exc:  # calamine raises several types for damaged files
        raise _bad(
            path, "file-damaged", f"文件已损坏或无法作为工作簿打开（{_short(exc)}）"
        ) from None
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise _bad(path, "file-damaged", f"文件已损坏，读取程序无法解析（{_short(exc)}）") from None
    grids: list[Grid] = []
    try:
        visibility = {m.name: str(m.visible).endswith("Visible") for m in book.sheets_metadata}
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            raw = sheet.to_python(skip_empty_area=False)
            rows: list[list[object]] = [[None if v == "" else v for v in row] for row in raw]
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
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise _bad(path, "file-damaged", f"读取工作表时出错，文件已损坏（{_short(exc)}）") from None
    return grids


def _is_panic(exc: BaseException) -> bool:
    """A Rust panic inside a reader (pyo3 raises it as a BaseException): a damaged file."""
    return type(exc).__name__ == "PanicException"


def _read_csv(file: InputFile) -> Grid:
    path = file.path
    encoding, head, visible = _csv_encoding(file)
    if encoding is None:
        raise _bad(path, "file-encoding", "无法识别文本编码（应为 UTF-8 或 GB18030/GBK）")
    if not visible:
        raise _bad(path, "file-empty", "文件没有任何内容")
    # The csv module, not a typed frame reader: a title line and ragged lines (fewer or more
    # fields than the header) are normal in these files, and every value stays text.
    records = csv_text.records(file, SHEET, encoding=encoding, delimiter=_delimiter(head))
    rows: list[list[object]] = [[v if v.strip() else None for v in row] for row in records]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return Grid(str(path), path.stem, rows)


_HEAD_CHARS = 65536


def _csv_encoding(file: InputFile) -> tuple[str | None, str, bool]:
    """(encoding, the first characters, whether there is any text): as :func:`decode_text`
    decides, reading the file as a stream (a few passes, never whole)."""
    start = file.head(4)
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if start.startswith(bom):
            ok, head, visible = csv_text.decodes(file, SHEET, encoding, _HEAD_CHARS)
            return (encoding if ok else None), head, visible
    readings = []
    for encoding in ("utf-8", "gb18030"):
        ok, head, visible = csv_text.decodes(file, SHEET, encoding, _HEAD_CHARS)
        if ok:
            readings.append((encoding, head, visible))
    if not readings:
        return None, "", False
    if len(readings) == 2 and _plausibility(readings[1][1]) > _plausibility(readings[0][1]):
        return readings[1]
    return readings[0]


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


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
