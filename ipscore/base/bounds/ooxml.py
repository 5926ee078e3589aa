"""Excel workbooks (.xlsx, .xlsm): the sheet parts the workbook names, and what each holds.

The sheets are found the way the readers find them: ``_rels/.rels`` names the workbook part,
its relationships (``xl/_rels/workbook.xml.rels``) name each sheet's part, wherever it is stored
(names compared without regard to case). Each sheet part is parsed as a stream of elements:
the ``dimension`` a reader reserves memory by, and every ``row`` and ``c`` (cell) with its
reference (quoted either way, spaced, prefixed or not — the parser reads the structure), or its
position counted on from the previous one when it has none. A large part (8 MB and more, a
list) is parsed by expat up to ``<sheetData>`` and after ``</sheetData>``, and its body is
measured by :mod:`sheetbody` with NumPy by the same rule, unless that scan finds something only
the full parse may judge. A large shared-strings part is counted by its bytes.
"""

from __future__ import annotations

import contextlib
import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ipscore.base.bounds.limits import Measure, column_letters, refuse
from ipscore.base.bounds.xmlscan import (
    Handler,
    StopParsing,
    ahead,
    attribute,
    local,
    member_chunks,
    parse_member,
    safe_parser,
    spaces_for,
    xml_refusals,
)

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
_COLUMNS: dict[str, int] = {}


def _column_numbers() -> dict[str, int]:
    """Column numbers of the references Excel writes (A … XFD, upper case): a lookup, not a
    loop. Built on first use, not at import: every command imports this module, few read xlsx."""
    if not _COLUMNS:
        for first in ["", *map(chr, range(65, 91))]:
            for second in ["", *map(chr, range(65, 91))]:
                for third in map(chr, range(65, 91)):
                    letters = first + second + third
                    if (first and not second) or letters in _COLUMNS:
                        continue
                    number = 0
                    for ch in letters:
                        number = number * 26 + ord(ch) - 64
                    _COLUMNS[letters] = number
    return _COLUMNS


def parse_reference(ref: str) -> tuple[int, int] | None:
    """``B7`` → (7, 2): 1-based row and column; None when it is no cell reference.

    Letters in either case, as readers accept them; nothing else (no ``$``, no spaces).
    """
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters) :]
    col = _column_numbers().get(letters)
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


@dataclass
class SheetState:
    """Where the reading of a sheet part stands: what the full parse and the fast one share."""

    row: int = 0  # the current row (1-based), for cells without a reference
    col: int = 0  # the previous cell's column in it
    pending: tuple[int, int] | None = None  # a cell whose value is not seen yet
    max_row: int = 0  # of the cells holding a value
    max_col: int = 0
    values: int = 0


FAST_BYTES = 8 * 1024 * 1024  # sheet parts from this size (unpacked) go to the fast scan first
PIECE = 4 * 1024 * 1024  # bytes unpacked at a time for it


def scan_sheet(
    measure: Measure,
    handle: BinaryIO,
    sheet: str,
    info: zipfile.ZipInfo,
    *,
    fast: bool | None = None,
) -> None:
    """Follow a worksheet part the way a reader places cells, keeping the farthest one.

    A large part (a list) is measured by :mod:`sheetbody` when its body is in a form that scan
    can judge exactly; otherwise, and for every small part, by the full parse below.
    """
    if fast if fast is not None else info.file_size >= FAST_BYTES:
        from ipscore.base.bounds.sheetbody import NotCanonical

        try:
            scan_sheet_fast(measure, handle, sheet, info)
            return
        except NotCanonical:
            pass
    scan_sheet_full(measure, handle, sheet, info)


def scan_sheet_fast(measure: Measure, handle: BinaryIO, sheet: str, info: zipfile.ZipInfo) -> None:
    """Measure a worksheet part: expat up to ``<sheetData>`` and after it, NumPy in between.

    Raises :class:`sheetbody.NotCanonical` (before anything is recorded) when only the full
    parse may judge the part; a DTD, an entity or broken XML around the body is refused as by
    the full parse.
    """
    from ipscore.base.bounds.sheetbody import BodyScan, NotCanonical, tag_marks

    path, limits = measure.path, measure.limits
    start, state = sheet_handler(measure, sheet, info.filename)
    parser = safe_parser()
    found: list[int] = []  # where expat saw <sheetData> begin
    declared: list[str | None] = [None]

    def head(name: str, attrs: list[str]) -> None:
        if name == "sheetData" and not found:
            found.append(parser.CurrentByteIndex)
        start(name, attrs)

    def declaration(version: str, encoding: str | None, standalone: int) -> None:
        declared[0] = encoding

    parser.StartElementHandler = head
    parser.XmlDeclHandler = declaration
    body: BodyScan | None = None
    expat_only = False  # past the body, or no body this scan can take: the rest goes to expat
    fed = 0  # bytes given to expat before the body
    last = b""  # the end of the previous piece, for a <sheetData> cut in two
    table = None
    pieces = ahead(member_chunks(path, handle, info, PIECE), tag_marks)
    with xml_refusals(path, info), contextlib.closing(pieces):  # the unpacking thread stops
        for index, (piece, tags) in enumerate(pieces):
            if index == 0:
                table = spaces_for(piece)
                if table is None:
                    raise NotCanonical("UTF-16")
            if body is not None and not expat_only:
                tail = body.feed(piece, tags)
                if tail is not None:
                    expat_only = True
                    state(body.state)
                    parser.Parse(tail.translate(table), False)
                continue
            if expat_only:
                parser.Parse(piece.translate(table), False)
                continue
            at = (last + piece).find(b"<sheetData>") - len(last)
            if at < -len(last):  # not in this piece
                parser.Parse(piece.translate(table), False)
                fed += len(piece)
                last = piece[-10:]
                continue
            parser.Parse(piece[: at + 11].translate(table), False)
            if found != [fed + at] or (declared[0] or "utf-8").lower() != "utf-8":
                expat_only = True  # not the element expat saw, or not UTF-8: expat goes on
                parser.Parse(piece[at + 11 :].translate(table), False)
                continue
            body = BodyScan(state(), limits.max_rows, limits.max_cols,
                            limits.max_cells - measure.values)  # fmt: skip
            tail = body.feed(piece[at + 11 :])
            if tail is not None:
                expat_only = True
                state(body.state)
                parser.Parse(tail.translate(table), False)
        if body is not None and not expat_only:
            tail = body.finish()
            state(body.state)
            parser.Parse(tail.translate(table), False)
        parser.Parse(b"", True)
    final = state()
    measure.sheet(sheet, final.max_row, final.max_col, final.values)


def scan_sheet_full(measure: Measure, handle: BinaryIO, sheet: str, info: zipfile.ZipInfo) -> None:
    """Measure a worksheet part by the full expat parse."""
    start, state = sheet_handler(measure, sheet, info.filename)
    parse_member(measure.path, handle, info, start)
    final = state()
    measure.sheet(sheet, final.max_row, final.max_col, final.values)


def sheet_handler(
    measure: Measure, sheet: str, part: str
) -> tuple[Handler, Callable[..., SheetState]]:
    """The start-element handler of a worksheet part, and a function that reads its state
    (or, given a state, puts it in place: the fast scan continues from it and hands it back).

    Only start tags are seen, for speed (the handler runs once per element of what may be a
    million-row list). A cell holds a value when a ``v`` or ``is`` element opens after it and
    before the next cell or row: readers take a value from no other child (a stray ``v`` after
    an empty cell is counted too, which can only over-count). Rows without ``r`` follow the
    previous row; cells without ``r`` follow the previous cell of their row.
    """
    path = measure.path
    limits = measure.limits
    row_limit, col_limit = limits.max_rows, limits.max_cols
    value_limit = limits.max_cells - measure.values
    kinds = dict(_KINDS)
    columns = _column_numbers()
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

    def state(new: SheetState | None = None) -> SheetState:
        nonlocal row, col, pending, max_row, max_col, values
        if new is not None:
            row, col, pending = new.row, new.col, new.pending
            max_row, max_col, values = new.max_row, new.max_col, new.values
        return SheetState(row, col, pending, max_row, max_col, values)

    return start, state


def scan_shared_strings(measure: Measure, handle: BinaryIO, info: zipfile.ZipInfo) -> None:
    """The shared strings: the count a reader reserves by, and the strings themselves."""
    if info.file_size >= FAST_BYTES and _few_strings(measure, handle, info):
        return
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


def _few_strings(measure: Measure, handle: BinaryIO, info: zipfile.ZipInfo) -> bool:
    """A large strings part within the budget, by the bytes of its start tags: expat reads the
    prolog and the root ``sst`` (its counts), then every ``<si`` and ``:si`` is counted, in a
    comment too, so a reader can see no more strings than that. False when only the full parse
    may say (not UTF-8, or more than the budget: it counts exactly and names the number)."""
    budget = measure.limits.max_cells
    parser = safe_parser()
    declared: list[str | None] = [None]
    root: list[str] = []

    def first(name: str, attrs: list[str]) -> None:
        root.append(local(name))
        if root[0] == "sst":
            for key in ("uniqueCount", "count"):
                value = attribute(attrs, key)
                if value is not None and value.strip().isdigit() and int(value) > budget:
                    raise _too_many(measure, info, int(value))
        raise StopParsing

    def declaration(version: str, encoding: str | None, standalone: int) -> None:
        declared[0] = encoding

    parser.StartElementHandler = first
    parser.XmlDeclHandler = declaration
    count, last, table = 0, b"", None
    with xml_refusals(measure.path, info):
        for chunk in member_chunks(measure.path, handle, info):
            if table is None:
                table = spaces_for(chunk)
                if table is None:  # UTF-16
                    return False
            if not root:
                with contextlib.suppress(StopParsing):
                    parser.Parse(chunk.translate(table), False)
                if root and (root[0] != "sst" or (declared[0] or "utf-8").lower() != "utf-8"):
                    return False
            seam = last + chunk[:2]  # a tag cut between two pieces
            count += chunk.count(b"<si") + chunk.count(b":si") + seam.count(b"<si")
            count += seam.count(b":si")
            last = chunk[-2:]
            if count > budget:
                return False
    return bool(root)


def _too_many(measure: Measure, info: zipfile.ZipInfo, count: int) -> Exception:
    return refuse(
        measure.path,
        "file-too-large",
        f"其中 {info.filename} 声明或含有 {count} 个共享字符串，超过上限 "
        f"{measure.limits.max_cells} 个；未读取",
    )
