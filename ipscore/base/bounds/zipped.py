"""Zip-based workbooks (.xlsx, .xlsm, .xlsb, .ods): the archive, then each part that matters.

First the end of the central directory (how many members, how big the directory: zipfile
builds an object per member), then each member's declared size and compression ratio, then
every member is unpacked as a stream (never whole) and checked: the sheet parts named by the
workbook are measured (see :mod:`ooxml`, :mod:`ods`, :mod:`xlsb`), the other XML parts are
parsed up to their root element (a DTD anywhere is refused), and the rest are unpacked only to
check they hold no more than they declare. A file that is both an .xlsx and an .ods (or .xlsb)
is measured as each, since a reader may take it as either.
"""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

from ipscore.base.bounds import ods, ooxml, xlsb
from ipscore.base.bounds.limits import Measure, refuse, size_text
from ipscore.base.bounds.opening import InputFile
from ipscore.base.bounds.xmlscan import drain, parse_member

MAX_MEMBERS = 10_000
MAX_DIRECTORY_BYTES = 4 * 1024 * 1024
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"


def _damaged(path: Path, why: str) -> Exception:
    return refuse(path, "file-damaged", f"文件已损坏，无法作为工作簿打开（{why}）")


def check_directory(file: InputFile) -> None:
    """Refuse a zip whose central directory lists too many members or is too big."""
    tail_size = min(file.size, 22 + 65535 + 20)
    tail = _read_at(file, file.size - tail_size, tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise _damaged(file.path, "找不到 zip 目录")
    entries, directory_size = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        locator = at - 20
        if locator >= 0 and tail[locator : locator + 4] == _EOCD64_LOCATOR:
            offset = struct.unpack_from("<Q", tail, locator + 8)[0]
            record = _read_at(file, offset, 56) if offset < file.size else b""
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                entries, directory_size = struct.unpack_from("<QQ", record, 32)
    if entries > MAX_MEMBERS or directory_size > MAX_DIRECTORY_BYTES:
        raise refuse(
            file.path,
            "file-too-large",
            f"zip 目录列出 {entries} 个成员（{size_text(directory_size)}），超过上限 "
            f"{MAX_MEMBERS} 个；不像是工作簿，未读取",
        )


def _read_at(file: InputFile, offset: int, size: int) -> bytes:
    return os.pread(file.fd, size, offset)


def check_zip(file: InputFile, measure: Measure) -> None:
    check_directory(file)
    path, limits = file.path, measure.limits
    with file.open() as handle:
        try:
            archive = zipfile.ZipFile(handle)
        except Exception as exc:  # zipfile raises several kinds for a damaged directory
            raise _damaged(path, str(exc)[:120] or type(exc).__name__) from None
        with archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise refuse(path, "file-too-large", f"zip 中有 {len(members)} 个成员，超过上限")
            total = sum(m.file_size for m in members)
            if total > limits.max_unpacked_bytes:
                raise refuse(
                    path,
                    "file-too-large",
                    f"解压后共 {size_text(total)}，"
                    f"超过上限 {size_text(limits.max_unpacked_bytes)}；"
                    "不像是正常的表格（可能是压缩炸弹），未读取",
                )
            for member in members:
                packed = max(member.compress_size, 1)
                ratio = member.file_size / packed
                if member.file_size > limits.ratio_min_bytes and ratio > limits.max_ratio:
                    raise refuse(
                        path,
                        "file-too-large",
                        f"其中 {member.filename} 压缩比为 {member.file_size // packed}:1"
                        f"（上限 {limits.max_ratio}:1，解压后 {size_text(member.file_size)}）；"
                        "不像是正常的表格（可能是压缩炸弹），未读取",
                    )
            _check_members(measure, handle, members)


def _check_members(measure: Measure, handle: BinaryIO, members: list[zipfile.ZipInfo]) -> None:
    path = measure.path
    index: ooxml.Index = {}
    for info in members:
        index.setdefault(info.filename.replace("\\", "/").lower(), []).append(info)
    done: set[int] = set()
    sheets, shared = ooxml.plan(path, handle, index, done)
    binary_sheets = xlsb.plan(measure, handle, index, done)
    jobs: dict[int, list[tuple[str, str]]] = {}
    for name, info in sheets:
        jobs.setdefault(id(info), []).append(("xlsx", name))
    for name, info in binary_sheets:
        jobs.setdefault(id(info), []).append(("xlsb", name))
    for info in shared:
        jobs.setdefault(id(info), []).append(("sst", ""))
    for info in index.get("content.xml", []):
        jobs.setdefault(id(info), []).append(("ods", ""))
    if ooxml.lookup(index, "xl/workbook.bin"):  # the other record parts a reader takes
        for part in ("xl/styles.bin", "xl/sharedStrings.bin"):
            for info in ooxml.lookup(index, part):
                jobs.setdefault(id(info), []).append(("records", ""))
    for info in members:
        work = jobs.get(id(info))
        if work:
            for kind, name in work:
                if kind == "xlsx":
                    ooxml.scan_sheet(measure, handle, name, info)
                elif kind == "xlsb":
                    xlsb.scan_sheet(measure, handle, name, info)
                elif kind == "sst":
                    ooxml.scan_shared_strings(measure, handle, info)
                elif kind == "records":
                    xlsb.walk(measure, handle, info)
                else:
                    ods.scan_content(measure, handle, info)
        elif id(info) in done:
            continue
        elif info.filename.lower().endswith((".xml", ".rels", ".vml")):
            parse_member(path, handle, info, None)  # the prolog: no DTD, no entities
        else:
            drain(path, handle, info)
