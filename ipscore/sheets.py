"""Reading a spreadsheet file into grids of cells, keeping every cell's real position.

Workbooks (.xlsx, .xlsm, .xls, .ods, .xlsb) are read by calamine, which never evaluates a
formula: a formula cell yields the value the saving program cached, or nothing. CSV files are
read by Polars as text. A grid is addressed from A1, so messages can name the cell a person sees.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from ipscore.problems import InputError, Problem

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
TEXT_SUFFIXES = (".csv",)
SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
    return _read_workbook(path, shown)


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
    import polars as pl

    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise _bad(path, "file-encoding", "无法识别文本编码（应为 UTF-8 或 GB18030/GBK）")
    try:
        frame = pl.read_csv(
            io.StringIO(text),
            has_header=False,
            infer_schema=False,
            truncate_ragged_lines=True,
            missing_utf8_is_empty_string=False,
        )
    except pl.exceptions.NoDataError:
        raise _bad(path, "file-empty", "文件没有任何内容") from None
    except Exception as exc:
        raise _bad(path, "file-damaged", f"无法按 CSV 读取（{_short(exc)}）") from None
    rows = [[v if v is None or v.strip() else None for v in row] for row in frame.rows()]
    return Grid(str(path), path.stem, rows)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
