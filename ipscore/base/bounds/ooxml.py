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
from typing import BinaryIO

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


_DIGITS = "0123456789"
# Column numbers of the references Excel writes (A … XFD, upper case): a lookup, not a loop.
_COLUMNS: dict[str, int] = {}
for _first in ["", *map(chr, range(65, 91))]:
    for _second in ["", *map(chr, range(65, 91))]:
        for _third in map(chr, range(65, 91)):
            _letters = _first + _second + _third
            if (_first and not _second) or _letters in _COLUMNS:
                continue
            _number = 0
            for _ch in _letters:
                _number = _number * 26 + ord(_ch) - 64
            _COLUMNS[_letters] = _number


def parse_reference(ref: str) -> tuple[int, int] | None:
    """``B7`` → (7, 2): 1-based row and column; None when it is no cell reference.

    Letters in either case, as readers accept them; nothing else (no ``$``, no spaces).
    """
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters) :]
    col = _COLUMNS.get(letters)
    if col is None:
        if not letters or len(letters) > 7 or not (letters.isascii() and letters.isalpha()):
            return None
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
    if not digits or len(digits) > 12:
        return None
    row = int(digits)
    return (row, col) if row > 0 else None


_CELL, _ROW, _DIMENSION, _VALUE = 1, 2, 3, 4
_KINDS = {"c": _CELL, "row": _ROW, "dimension": _DIMENSION, "v": _VALUE, "is": _VALUE}


def scan_sheet(measure: Measure, handle: BinaryIO, sheet: str, info: zipfile.ZipInfo) -> None:
    """Follow a worksheet part the way a reader places cells, keeping the farthest one.

    Only start tags are seen, for speed (the handler runs once per element of what may be a
    million-row list). A cell holds a value when a ``v`` or ``is`` element opens after it and
    before the next cell or row: readers take a value from no other child (a stray ``v`` after
    an empty cell is counted too, which can only over-count). Rows without ``r`` follow the
    previous row; cells without ``r`` follow the previous cell of their row.
    """
    path, part = measure.path, info.filename
    limits = measure.limits
    row_limit, col_limit = limits.max_rows, limits.max_cols
    value_limit = limits.max_cells - measure.values
    kinds = dict(_KINDS)
    columns = _COLUMNS
    row = col = 0  # the current row; the previous cell's column in it (1-based)
    pending: tuple[int, int] | None = None  # a cell whose value is not yet seen
    max_row = max_col = values = 0

    def damaged(what: str, text: str) -> Exception:
        return refuse(
            path, "file-damaged", f"文件已损坏：{part} 中的{what}“{text[:40]}”无效", sheet=sheet
        )

    def start(name: str, attrs: list[str]) -> None:
        nonlocal row, col, pending, max_row, max_col, values
        kind = kinds.get(name)
        if kind is None:
            kind = _KINDS.get(local(name), 0)
            if len(kinds) < 256:
                kinds[name] = kind
        if not kind:
            return
        if kind == _VALUE:
            if pending is not None:
                values += 1
                r, c = pending
                pending = None
                if r > max_row or c > max_col:
                    max_row, max_col = max(max_row, r), max(max_col, c)
                    if r > row_limit or c > col_limit:
                        far = f"{column_letters(c)}{r}"
                        measure.sheet(sheet, max_row, max_col, cell=far)
                if values > value_limit:
                    measure.add_values(values, sheet)
            return
        pending = None
        if kind == _CELL:
            ref = attrs[1] if attrs and attrs[0] == "r" else attribute(attrs, "r")
            if ref is None:
                pending = (row or 1, col + 1)
                col += 1
                return
            letters = ref.rstrip(_DIGITS)
            number = columns.get(letters)
            digits = ref[len(letters) :]
            if number is None or not digits or len(digits) > 12:
                found = parse_reference(ref)
                if found is None:
                    raise damaged("单元格引用", ref)
                pending = found
                col = found[1]
                return
            col = number
            pending = (int(digits), number)
            if pending[0] == 0:
                raise damaged("单元格引用", ref)
        elif kind == _ROW:
            ref = attrs[1] if attrs and attrs[0] == "r" else attribute(attrs, "r")
            if ref is None:
                row += 1
            elif ref.isascii() and ref.isdigit() and 0 < len(ref) <= 12:
                row = int(ref)
            else:
                raise damaged("行号", ref)
            col = 0
        else:
            text = attribute(attrs, "ref")
            if text is not None:
                corners = [parse_reference(corner) for corner in text.split(":")]
                if not 1 <= len(corners) <= 2 or None in corners:
                    raise damaged("数据范围", text)
                rows = max(c[0] for c in corners if c)
                cols = max(c[1] for c in corners if c)
                measure.declared(sheet, rows, cols, text[:40])

    parse_member(path, handle, info, start)
    measure.sheet(sheet, max_row, max_col, values)


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
