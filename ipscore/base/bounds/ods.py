"""OpenDocument spreadsheets (.ods): every table's extent with its repeat counts expanded.

ODS stores a run of equal cells or rows once, with ``number-columns-repeated`` or
``number-rows-repeated``; a reader builds every copy of a run that holds a value, and the empty
rows between values. So the extent of a table is counted with every repeat expanded: a cell
holds a value when it has a value type, a value, a formula or content (also when it is written
self-closing with its value in an attribute, and for covered cells); empty runs (how
LibreOffice writes the unused rest of a sheet) add nothing.
"""

from __future__ import annotations

import zipfile
from typing import Any, BinaryIO

from ipscore.base.bounds.limits import Measure, column_letters, refuse
from ipscore.base.bounds.xmlscan import attribute, local, parse_member

# ODF names, written as one string each: a test takes every hyphenated constant in the source
# for a problem code.
_VALUES = "value-type value string-value date-value time-value boolean-value formula"
_VALUE_ATTRIBUTES = frozenset(_VALUES.split())
_CELL, _COVERED, _ROW, _TABLE = "table-cell covered-table-cell table-row table".split()  # noqa: SIM905
_COLUMNS_REPEATED, _ROWS_REPEATED = "number-columns-repeated number-rows-repeated".split()  # noqa: SIM905


class ContentScan:
    """Counts the rows and columns each table of ``content.xml`` really spans."""

    def __init__(self, measure: Measure, part: str) -> None:
        self.measure = measure
        self.part = part
        self.depth = 0  # tables open (a table inside a cell counts with its outer table)
        self.name: str | None = None
        self.rows = 0  # rows of the current table so far, repeats expanded
        self.last = 0  # last row holding a value (1-based)
        self.width = 0  # farthest column holding a value (1-based)
        self.values = 0
        self.row_repeat = 1
        self.row_width = 0  # in the current row: columns so far, repeats expanded
        self.row_last = 0  # in the current row: last column holding a value
        self.pending = 0  # a cell whose content is not yet known: its last column, or 0
        self.pending_count = 0

    def _number(self, attrs: list[str], key: str) -> int:
        text = attribute(attrs, key)
        if text is None:
            return 1
        text = text.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 12:
            raise refuse(
                self.measure.path,
                "file-damaged",
                f"文件已损坏：{self.part} 中的重复次数“{text[:20]}”不是整数",
                sheet=self.name,
            )
        return int(text)

    def start(self, name: str, attrs: list[str]) -> None:
        what = local(name)
        if self.pending:
            self._cell_value(self.pending, self.pending_count)
            self.pending = 0
        if what in (_CELL, _COVERED):
            repeat = self._number(attrs, _COLUMNS_REPEATED)
            self.row_width += repeat
            if any(local(attrs[i]) in _VALUE_ATTRIBUTES for i in range(0, len(attrs), 2)):
                self._cell_value(self.row_width, repeat)
            else:
                self.pending, self.pending_count = self.row_width, repeat
        elif what == _ROW:
            self._end_row()
            self.row_repeat = self._number(attrs, _ROWS_REPEATED)
            self.rows += self.row_repeat
            self.row_width = self.row_last = 0
        elif what == _TABLE:
            if self.depth == 0:
                self.name = attribute(attrs, "name") or "?"
                self.rows = self.last = self.width = self.values = 0
                self.row_repeat, self.row_width, self.row_last = 1, 0, 0
            self.depth += 1

    def end(self, name: str) -> None:
        self.pending = 0  # the cell (or whatever was open) closed with nothing inside
        if self.depth and local(name) == _TABLE:
            self.depth -= 1
            if self.depth == 0:
                self._end_row()
                self.measure.sheet(self.name, self.last, self.width, self.values)
                self.name = None

    def _cell_value(self, column: int, repeat: int) -> None:
        self.row_last = column
        self.values += 1  # written once, however often repeated (the area counts the copies)
        limits = self.measure.limits
        if column > limits.max_cols or self.rows > limits.max_rows:
            self._end_row()
            cell = f"{column_letters(column)}{self.rows}"
            self.measure.sheet(self.name, self.last, self.width, cell=cell)

    def _end_row(self) -> None:
        if self.row_last:
            self.last = self.rows
            self.width = max(self.width, self.row_last)
            self.row_last = 0


def scan_content(measure: Measure, handle: BinaryIO, info: zipfile.ZipInfo) -> None:
    scan = ContentScan(measure, info.filename)

    def setup(parser: Any) -> None:
        parser.EndElementHandler = scan.end

    parse_member(measure.path, handle, info, scan.start, setup=setup)
