"""How much a file may hold before any reader builds it, and how a refusal is worded.

Two sets of limits: :data:`SHEET` for a statistics sheet (read whole into a grid of cells, so
kept small: a real one is a few KB) and :data:`LIST` for an application list (read as columns
by Polars/fastexcel; a province's list runs to a million rows). Every number a reader would
allocate by is bounded: the file's bytes, the bytes its zip members unpack to (and their
compression ratio), the rows, the columns and the cells of every sheet together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ipscore.base.problems import InputError, Problem

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on what one input file may hold."""

    max_file_bytes: int
    max_unpacked_bytes: int  # all zip members together
    max_ratio: int  # compression ratio of a member larger than ratio_min_bytes
    ratio_min_bytes: int
    max_rows: int  # of any sheet
    max_cols: int  # of any sheet
    # Rows × columns of every sheet together, counted from A1 (readers build the whole area
    # as a rectangle, empty cells included). calamine keeps 32 bytes per cell, and a Python
    # grid 8 more plus the values: 1 000 000 cells stay far below 200 MB.
    max_cells: int
    max_record_chars: int  # one CSV record (a line, or lines joined inside quotes)
    max_text_bytes: int  # a CSV file (read as text into Python strings)
    # Beyond ``sparse_cells``, the area may be at most ``max_spread`` times the cells the file
    # really writes (0: no such rule). A real list is dense; a few far-apart cells, or one
    # cell repeated a million times (ODS), would make a reader build a huge area from a tiny file.
    sparse_cells: int = 0
    max_spread: int = 0


SHEET = Limits(
    max_file_bytes=200 * MB,
    max_unpacked_bytes=200 * MB,
    max_ratio=100,
    ratio_min_bytes=1 * MB,
    max_rows=100_000,
    max_cols=200,
    max_cells=1_000_000,
    max_record_chars=1_000_000,
    # A real statistics CSV is a few KB; 20 MB of text stays far below 200 MB as Python strings.
    max_text_bytes=20 * MB,
)

# Application lists: Excel's own row limit, and a cell budget of about a million rows of
# 25 columns (fastexcel builds every column of a sheet before choosing the used ones). A CSV
# or Parquet list is read by Polars column by column, only the used columns: its rows are
# bounded by its bytes.
LIST = Limits(
    max_file_bytes=4096 * MB,
    max_unpacked_bytes=4096 * MB,
    max_ratio=100,
    ratio_min_bytes=1 * MB,
    max_rows=1_048_576,
    max_cols=1000,
    max_cells=25_000_000,
    max_record_chars=1_000_000,
    max_text_bytes=4096 * MB,
    sparse_cells=1_000_000,
    max_spread=16,
)


def refuse(
    path: Path | str,
    code: str,
    message: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
) -> InputError:
    """The InputError for one refused file (one problem, one line)."""
    return InputError([Problem(code, message, file=str(path), sheet=sheet, cell=cell)])


def size_text(size: int) -> str:
    """A byte count as a person reads it: 512 字节, 3.2 MB, 1.5 GB."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * MB:
        return f"{size / MB:.1f} MB" if size < 10 * MB else f"{size / MB:.0f} MB"
    return f"{size / MB / 1024:.1f} GB"


def column_letters(col: int) -> str:
    """1 → A, 26 → Z, 27 → AA (1-based)."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def too_large(
    path: Path | str,
    limits: Limits,
    rows: int,
    cols: int,
    *,
    sheet: str | None,
    cell: str | None = None,
) -> InputError | None:
    """The refusal for a sheet of ``rows`` × ``cols`` beyond the row or column limit, or None.

    ``cell`` names the cell found beyond the limit, when the refusal comes from one.
    """
    if rows <= limits.max_rows and cols <= limits.max_cols:
        return None
    return refuse(
        path,
        "file-too-large",
        f"数据区域达 {rows} 行 × {cols} 列，超过上限"
        f"（{limits.max_rows} 行 × {limits.max_cols} 列）；请删除多余的行和列后另存",
        sheet=sheet,
        cell=cell,
    )


@dataclass
class Measure:
    """What the bounds check found: each sheet's extent, and all sheets' cells together.

    Extents are counted from A1 (1-based last row and column holding a value), because the
    readers build the whole rectangle from A1, empty cells included.
    """

    path: Path
    limits: Limits
    sheets: list[tuple[str | None, int, int]] = field(default_factory=list)
    cells: int = 0  # rows × columns, all sheets
    values: int = 0  # cells the file writes with a value (records in .xls/.xlsb), all sheets

    def sheet(
        self, name: str | None, rows: int, cols: int, values: int = 0, cell: str | None = None
    ) -> None:
        """Record one sheet's extent; raise InputError when it or the total is beyond bounds.

        ``cell`` names the cell that made the extent (for the message), when known.
        """
        error = too_large(self.path, self.limits, rows, cols, sheet=name, cell=cell)
        if error is not None:
            raise error
        self.sheets.append((name, rows, cols))
        self.cells += rows * cols
        self.values += values
        self.check_cells(name)

    def add_values(self, count: int, name: str | None) -> None:
        self.values += count
        self.check_cells(name)

    def check_cells(self, name: str | None) -> None:
        budget = self.limits.max_cells
        if self.cells > budget:
            scope = "数据区域" if len(self.sheets) <= 1 else "各工作表的数据区域合计"
            raise refuse(
                self.path,
                "file-too-large",
                f"{scope}为 {self.cells} 个单元格（行数 × 列数，从 A1 算起），"
                f"超过上限 {budget} 个；请删除多余的行、列或工作表后另存",
                sheet=name if len(self.sheets) <= 1 else None,
            )
        if self.values > budget:
            raise refuse(
                self.path,
                "file-too-large",
                f"含有 {self.values} 个有内容的单元格，超过上限 {budget} 个；"
                "不像是正常的表格，未读取",
                sheet=name,
            )

    def check_density(self) -> None:
        """Refuse a large area that the file fills only sparsely (see Limits.max_spread)."""
        limits = self.limits
        if not limits.max_spread or self.cells <= limits.sparse_cells:
            return
        if self.cells > limits.max_spread * self.values:
            raise refuse(
                self.path,
                "file-too-large",
                f"数据区域为 {self.cells} 个单元格（行数 × 列数，从 A1 算起），文件中却只写有 "
                f"{self.values} 个有内容的单元格；这样稀疏的区域会让读取程序占用大量内存，"
                "不像是正常的表格，未读取",
            )

    def declared(self, name: str | None, rows: int, cols: int, text: str) -> None:
        """Check an extent the file declares (a dimension record), which readers allocate by."""
        limits = self.limits
        if rows <= limits.max_rows and cols <= limits.max_cols and rows * cols <= limits.max_cells:
            return
        raise refuse(
            self.path,
            "file-too-large",
            f"声明的数据范围 {text}（{rows} 行 × {cols} 列）超过上限"
            f"（{limits.max_rows} 行 × {limits.max_cols} 列，共 {limits.max_cells} 个单元格）；"
            "未读取；请用 Excel 或 WPS 另存后再试",
            sheet=name,
        )
