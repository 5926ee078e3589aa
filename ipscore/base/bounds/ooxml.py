"""Excel workbooks (.xlsx, .xlsm): the sheet parts the workbook names, and what each holds.

The sheets are found the way the readers find them: ``_rels/.rels`` names the workbook part,
its relationships (``xl/_rels/workbook.xml.rels``) name each sheet's part, wherever it is stored
(names compared without regard to case). Each sheet part is parsed as a stream of elements,
start and end tags: the ``dimension`` a reader reserves memory by, and every ``row`` and ``c``
(cell) with its reference (quoted either way, spaced, prefixed or not — the parser reads the
structure), placed by the rule of :mod:`places`: the farthest place any reader may give a
value, however its tags nest or close. A large part (8 MB and more, a list) is parsed by expat
up to ``<sheetData>`` and after ``</sheetData>``, and its body is measured by :mod:`sheetbody`
with NumPy, which takes only the plain form (rows and cells in their places, each with its
``r``) where the rule is the cell's own reference, and leaves anything else to the full parse.
A large shared-strings part is counted by its bytes.
"""

from __future__ import annotations

import contextlib
import posixpath
import zipfile
from pathlib import Path
from typing import BinaryIO

from ipscore.base.bounds.limits import Measure, refuse
from ipscore.base.bounds.places import finish, sheet_handler
from ipscore.base.bounds.xmlscan import (
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
    start, end, state = sheet_handler(measure, sheet, info.filename)
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
    parser.EndElementHandler = end
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
    finish(measure, sheet, state())


def scan_sheet_full(measure: Measure, handle: BinaryIO, sheet: str, info: zipfile.ZipInfo) -> None:
    """Measure a worksheet part by the full expat parse."""
    start, end, state = sheet_handler(measure, sheet, info.filename)
    parse_member(measure.path, handle, info, start, end=end)
    finish(measure, sheet, state())


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
