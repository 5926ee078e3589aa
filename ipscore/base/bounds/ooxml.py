"""Excel workbooks (.xlsx, .xlsm): the sheet parts the workbook names, and what each holds.

The sheets are found the way the readers find them: ``_rels/.rels`` names the workbook part,
its relationships (``xl/_rels/workbook.xml.rels``) name each sheet's part, wherever it is stored
(names compared without regard to case). Each sheet part is parsed as a stream of elements:
the ``dimension`` a reader reserves memory by, and every ``row`` and ``c`` (cell) with its
reference (quoted either way, spaced, prefixed or not — the parser reads the structure), or its
position counted on from the previous one when it has none.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from ipscore.base.bounds.limits import Measure, column_letters, refuse
from ipscore.base.bounds.xmlscan import attribute, local, parse_member

Index = dict[str, list[zipfile.ZipInfo]]
MAX_PARTS = 10_000  # sheets or relationships named by one part


def lookup(index: Index, part: str) -> list[zipfile.ZipInfo]:
    """Members a reader may take for ``part``: names compared without case, / or \\."""
    found: list[zipfile.ZipInfo] = []
    for key in {part.lower(), part.replace("\\", "/").lower(), posixpath.normpath(part).lower()}:
        for info in index.get(key, []):
            if info not in found:
                found.append(info)
    return found


def _collect(
    path: Path, handle: BinaryIO, info: zipfile.ZipInfo, element: str, keys: tuple[str, ...]
) -> list[tuple[str | None, ...]]:
    """The ``keys`` attributes of every ``element`` in a small XML part."""
    rows: list[tuple[str | None, ...]] = []

    def start(name: str, attrs: list[str]) -> None:
        if local(name) == element:
            if len(rows) >= MAX_PARTS:
                raise refuse(
                    path, "file-too-large", f"其中 {info.filename} 列出的项目超过 {MAX_PARTS} 个"
                )
            rows.append(tuple(attribute(attrs, key) for key in keys))

    parse_member(path, handle, info, start)
    return rows


def plan(
    path: Path, handle: BinaryIO, index: Index, done: set[int]
) -> tuple[list[tuple[str, zipfile.ZipInfo]], list[zipfile.ZipInfo]]:
    """(sheet name, member) of every sheet part, and the shared-strings parts."""
    folders = ["xl/"]
    for info in lookup(index, "_rels/.rels"):
        done.add(id(info))
        for typ, target in _collect(path, handle, info, "Relationship", ("Type", "Target")):
            if typ and target and typ.endswith("/relationships/officeDocument"):
                folder = target[: target.rfind("/") + 1] if "/" in target else ""
                folders.append(folder.removeprefix("/"))
    sheets: list[tuple[str, zipfile.ZipInfo]] = []
    shared: list[zipfile.ZipInfo] = []
    for folder in dict.fromkeys(folders):
        targets: dict[str, list[str]] = {}
        for info in lookup(index, f"{folder}_rels/workbook.xml.rels"):
            done.add(id(info))
            for rid, target in _collect(path, handle, info, "Relationship", ("Id", "Target")):
                if rid is not None and target is not None:
                    targets.setdefault(rid, []).append(target)
        for info in lookup(index, f"{folder}workbook.xml"):
            done.add(id(info))
            for name, rid in _collect(path, handle, info, "sheet", ("name", "id")):
                for target in targets.get(rid or "", []):
                    part = target[1:] if target.startswith("/") else folder + target
                    sheets.extend((name or part, member) for member in lookup(index, part))
        shared.extend(lookup(index, f"{folder}sharedStrings.xml"))
    return sheets, shared


def parse_reference(ref: str) -> tuple[int, int] | None:
    """``B7`` → (7, 2): 1-based row and column; None when it is no cell reference."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    if not letters or not digits or len(letters) > 7 or len(digits) > 12:
        return None
    if not (letters.isascii() and letters.isalpha()):
        return None
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    row = int(digits)
    return (row, col) if row > 0 else None


class SheetScan:
    """Follows a worksheet part the way a reader places cells, keeping the farthest one.

    Only start tags are seen (an end-tag handler is set just while a cell's content is
    unknown): a cell holds a value when an element opens inside it. Rows without ``r`` follow
    the previous row; cells without ``r`` follow the previous cell of their row.
    """

    def __init__(self, measure: Measure, sheet: str, part: str) -> None:
        self.measure = measure
        self.sheet = sheet
        self.part = part
        self.parser: Any = None
        self.row = 0  # 1-based number of the current row (0 before the first)
        self.col = 0  # 1-based column of the previous cell in this row
        self.pending: tuple[int, int] | None = None
        self.max_row = 0
        self.max_col = 0
        self.values = 0
        self.kinds: dict[str, int] = {"c": 1, "row": 2, "dimension": 3}
        limits = measure.limits
        self.row_limit = limits.max_rows
        self.col_limit = limits.max_cols
        self.value_limit = limits.max_cells - measure.values

    def setup(self, parser: Any) -> None:
        self.parser = parser

    def _kind(self, name: str) -> int:
        kind = {"c": 1, "row": 2, "dimension": 3}.get(local(name), 0)
        if len(self.kinds) < 64:
            self.kinds[name] = kind
        return kind

    def _value(self, row: int, col: int) -> None:
        self.values += 1
        if row > self.max_row or col > self.max_col:
            self.max_row = max(self.max_row, row)
            self.max_col = max(self.max_col, col)
            if row > self.row_limit or col > self.col_limit:
                cell = f"{column_letters(col)}{row}"
                self.measure.sheet(self.sheet, self.max_row, self.max_col, cell=cell)
        if self.values > self.value_limit:
            self.measure.add_values(self.values, self.sheet)

    def start(self, name: str, attrs: list[str]) -> None:
        kind = self.kinds.get(name)
        if kind is None:
            kind = self._kind(name)
        pending = self.pending
        if pending is not None:
            self.pending = None
            self.parser.EndElementHandler = None
            self._value(*pending)  # an element opened inside the cell: it holds a value
        if kind == 1:
            ref = attrs[1] if attrs and attrs[0] == "r" else attribute(attrs, "r")
            found = None if ref is None else parse_reference(ref)
            if found is not None:
                position = found
            elif ref is None:
                position = (max(self.row, 1), self.col + 1)
            else:
                raise refuse(
                    self.measure.path,
                    "file-damaged",
                    f"文件已损坏：{self.part} 中的单元格引用“{ref[:20]}”无效",
                    sheet=self.sheet,
                )
            self.col = position[1]
            self.pending = position
            self.parser.EndElementHandler = self.end
        elif kind == 2:
            ref = attribute(attrs, "r")
            if ref is None:
                self.row += 1
            elif ref.isascii() and ref.isdigit() and 0 < len(ref) <= 12:
                self.row = int(ref)
            else:
                raise refuse(
                    self.measure.path,
                    "file-damaged",
                    f"文件已损坏：{self.part} 中的行号“{ref[:20]}”无效",
                    sheet=self.sheet,
                )
            self.col = 0
        elif kind == 3:
            self._dimension(attribute(attrs, "ref"))

    def end(self, name: str) -> None:
        """The cell closed before anything opened inside it: it holds no value."""
        self.pending = None
        self.parser.EndElementHandler = None

    def _dimension(self, text: str | None) -> None:
        if text is None:
            return
        corners = [parse_reference(part) for part in text.split(":")]
        if not 1 <= len(corners) <= 2 or None in corners:
            raise refuse(
                self.measure.path,
                "file-damaged",
                f"文件已损坏：{self.part} 声明的数据范围“{text[:40]}”无效",
                sheet=self.sheet,
            )
        rows = max(c[0] for c in corners if c)
        cols = max(c[1] for c in corners if c)
        self.measure.declared(self.sheet, rows, cols, text[:40])

    def finish(self) -> None:
        self.measure.sheet(self.sheet, self.max_row, self.max_col, self.values)


def scan_sheet(measure: Measure, handle: BinaryIO, sheet: str, info: zipfile.ZipInfo) -> None:
    scan = SheetScan(measure, sheet, info.filename)
    parse_member(measure.path, handle, info, scan.start, setup=scan.setup)
    scan.finish()


def scan_shared_strings(measure: Measure, handle: BinaryIO, info: zipfile.ZipInfo) -> None:
    """The shared strings: the count a reader reserves by, and the strings themselves."""
    budget = measure.limits.max_cells
    seen = [0, False]

    def start(name: str, attrs: list[str]) -> None:
        what = local(name)
        if what == "si":
            seen[0] += 1
            if seen[0] > budget:
                raise _too_many(measure, info, seen[0])
        elif what == "sst" and not seen[1]:
            seen[1] = True
            for key in ("uniqueCount", "count"):
                value = attribute(attrs, key)
                if value is not None and value.strip().isdigit() and int(value) > budget:
                    raise _too_many(measure, info, int(value))

    parse_member(measure.path, handle, info, start)


def _too_many(measure: Measure, info: zipfile.ZipInfo, count: int) -> Exception:
    return refuse(
        measure.path,
        "file-too-large",
        f"其中 {info.filename} 声明或含有 {count} 个共享字符串，超过上限 "
        f"{measure.limits.max_cells} 个；未读取",
    )
