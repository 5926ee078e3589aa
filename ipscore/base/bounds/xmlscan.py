"""Reading zip members and their XML safely: sizes as declared, no DTD, no entities.

A member is unpacked here, not by :mod:`zipfile`, so that a member that unpacks to more than its
declared size is caught (zipfile silently stops at the declared size; the Rust readers do not);
ISA-L's inflate does it where installed, and :func:`ahead` can do it in a thread ahead of the
caller. Its XML is parsed by expat as it streams, with defusedxml's refusals in place (a DTD, an
entity declaration or an external reference raises), so no part is ever held whole in memory.
"""

from __future__ import annotations

import contextlib
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from queue import Empty, Queue
from typing import Any, BinaryIO
from xml.parsers import expat

from defusedxml.common import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.common import ExternalReferenceForbidden as ExternalForbidden

from ipscore.base.bounds.limits import refuse

CHUNK = 1 << 20
Handler = Callable[[str, list[str]], None]
# Control characters are not allowed in XML 1.0, but some exporters write them into cell text
# (the readers take them). They are read as spaces here, so such a file is measured, not refused
# as damaged: a space can only add a separator, never hide a tag or an attribute.
_CONTROLS = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
_AS_SPACES = bytes.maketrans(_CONTROLS, b" " * len(_CONTROLS))


class StopParsing(Exception):
    """Raised by a handler that has seen enough of a part."""


def local(name: str) -> str:
    """An element or attribute name without its namespace prefix."""
    return name.rpartition(":")[2]


def attribute(attrs: list[str], wanted: str) -> str | None:
    """The value of the attribute whose local name is ``wanted`` (ordered_attributes form)."""
    for index in range(0, len(attrs), 2):
        key = attrs[index]
        if key == wanted or key.endswith(":" + wanted):
            return attrs[index + 1]
    return None


def _no_doctype(name: str, sysid: Any, pubid: Any, internal: Any) -> None:
    raise DTDForbidden(name, sysid, pubid)


def _no_entity(name: str, _pe: Any, value: Any, base: Any, sysid: Any, pubid: Any, nt: Any) -> None:
    raise EntitiesForbidden(name, value, base, sysid, pubid, nt)


def _no_unparsed(name: str, base: Any, sysid: Any, pubid: Any, notation: Any) -> None:
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation)


def _no_external(context: Any, base: Any, sysid: Any, pubid: Any) -> int:
    raise ExternalForbidden(context, base, sysid, pubid)


def safe_parser() -> Any:
    """An expat parser that refuses a DTD, entity declarations and external references."""
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.EntityDeclHandler = _no_entity
    parser.UnparsedEntityDeclHandler = _no_unparsed
    parser.ExternalEntityRefHandler = _no_external
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _inflater() -> Any:
    """ISA-L's inflate where installed (same interface as zlib, 2-3 times faster), else zlib."""
    try:
        from isal import isal_zlib
    except ImportError:  # pragma: no cover - isal is a dependency; a platform may lack it
        return zlib
    return isal_zlib


def member_chunks(
    path: Path, handle: BinaryIO, info: zipfile.ZipInfo, size: int = CHUNK
) -> Iterator[bytes]:
    """The unpacked bytes of a zip member in pieces of at most ``size`` bytes (1 MB).

    Refuses an encrypted member, an unknown compression method, and a member that unpacks to
    more than the size its directory entry declares.
    """
    name = info.filename
    if info.flag_bits & 0x1:
        raise refuse(path, "file-damaged", f"其中 {name} 已加密；请去掉密码后另存")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise refuse(
            path, "file-damaged", f"其中 {name} 使用了不支持的压缩方式（{info.compress_type}）"
        )
    try:
        handle.seek(info.header_offset)
        header = handle.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise refuse(path, "file-damaged", f"文件已损坏：找不到 {name} 的数据")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        handle.seek(info.header_offset + 30 + name_len + extra_len)
    except (OSError, ValueError, OverflowError):
        raise refuse(path, "file-damaged", f"文件已损坏：找不到 {name} 的数据") from None
    left = info.compress_size
    inflater = _inflater()
    deflated = info.compress_type == zipfile.ZIP_DEFLATED
    inflate = inflater.decompressobj(-15) if deflated else None
    produced = 0
    while left > 0:
        raw = handle.read(min(size if inflate is None else CHUNK // 4, left))
        if not raw:
            raise refuse(path, "file-damaged", f"文件已损坏：{name} 的数据不完整")
        left -= len(raw)
        while raw:
            if inflate is None:
                piece, raw = raw, b""
            else:
                try:
                    piece = inflate.decompress(raw, size)
                except (zlib.error, inflater.error):
                    raise refuse(path, "file-damaged", f"文件已损坏：{name} 无法解压") from None
                raw = inflate.unconsumed_tail
            produced += len(piece)
            if produced > info.file_size:
                raise refuse(
                    path,
                    "file-hostile",
                    f"其中 {name} 解压后超过目录中声明的大小（{info.file_size} 字节）；"
                    "正常的工作簿不会这样，未读取",
                )
            if piece:
                yield piece
        if inflate is not None and inflate.eof:
            break
    if inflate is not None and not inflate.eof:
        piece = inflate.flush()  # what zlib still holds (at most its window)
        if produced + len(piece) > info.file_size:
            raise refuse(path, "file-hostile", f"其中 {name} 解压后超过目录中声明的大小")
        if piece:
            yield piece


def ahead(
    chunks: Iterator[bytes], prepare: Callable[[bytes], Any], depth: int = 2
) -> Generator[tuple[bytes, Any], None, None]:
    """Each piece with ``prepare(piece)``, both done ahead by a thread (unpacking releases the
    GIL, and so does most of what NumPy does) while the caller scans the pieces before. Leaving
    early stops the thread before returning: the file handle is the caller's again."""
    queue: Queue[Any] = Queue(depth)
    stop = threading.Event()
    end = object()

    def produce() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                queue.put((chunk, prepare(chunk)))
            queue.put(end)
        except BaseException as exc:  # handed to the caller, raised there
            queue.put(exc)
        finally:
            chunks.close()  # type: ignore[attr-defined]

    thread = threading.Thread(target=produce, name="unpack", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a producer blocked on a full queue finish
            with contextlib.suppress(Empty):
                queue.get(timeout=0.01)
        thread.join()


def parse_member(
    path: Path,
    handle: BinaryIO,
    info: zipfile.ZipInfo,
    start: Handler | None,
    *,
    end: Callable[[str], None] | None = None,
    setup: Callable[[Any], None] | None = None,
) -> None:
    """Stream a member through a safe expat parser with the given element handlers.

    A handler may raise :class:`StopParsing` when it has seen enough; the rest of the member is
    still unpacked (its size is still checked). With ``start`` None only the prolog is parsed:
    enough to refuse a DTD anywhere a parser would read one.
    """
    parser = safe_parser()
    parser.StartElementHandler = start if start is not None else _stop
    if end is not None:
        parser.EndElementHandler = end
    if setup is not None:
        setup(parser)
    parsing = True
    table: bytes | None = None  # set from the first bytes: never for UTF-16 (zero bytes)
    first = True
    with xml_refusals(path, info):
        for chunk in member_chunks(path, handle, info):
            if first:
                first = False
                table = spaces_for(chunk)
            if parsing:
                try:
                    parser.Parse(chunk if table is None else chunk.translate(table), False)
                except StopParsing:
                    parsing = False
        if parsing:
            with contextlib.suppress(StopParsing):
                parser.Parse(b"", True)


def spaces_for(first: bytes) -> bytes | None:
    """The table reading control characters as spaces, from a part's first bytes (not UTF-16)."""
    utf16 = first[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in first[:4]
    return None if utf16 else _AS_SPACES


@contextlib.contextmanager
def xml_refusals(path: Path, info: zipfile.ZipInfo) -> Iterator[None]:
    """Turn what expat and defusedxml raise about a part into the file's refusal."""
    try:
        yield
    except DefusedXmlException:
        raise refuse(
            path,
            "file-hostile",
            f"其中 {info.filename} 含有 DTD/实体声明，正常的工作簿不会有；未读取",
        ) from None
    except expat.ExpatError as exc:
        raise refuse(
            path,
            "file-damaged",
            f"文件已损坏：{info.filename} 不是有效的 XML（第 {exc.lineno} 行：{_reason(exc)}）",
        ) from None
    except (LookupError, UnicodeError, ValueError) as exc:  # e.g. an unknown encoding declared
        raise refuse(
            path, "file-damaged", f"文件已损坏：{info.filename} 不是有效的 XML（{exc}）"[:200]
        ) from None


def _stop(name: str, attrs: list[str]) -> None:
    raise StopParsing


def _reason(exc: expat.ExpatError) -> str:
    return expat.ErrorString(exc.code) if exc.code else str(exc)


def drain(path: Path, handle: BinaryIO, info: zipfile.ZipInfo) -> None:
    """Unpack a member only to check that it holds no more than it declares."""
    for _ in member_chunks(path, handle, info):
        pass
