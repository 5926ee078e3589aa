"""CSV files: bytes, records and columns counted while reading, before anything big is built.

The text is read in pieces from the opened file (never past the byte limit, whatever the size
on disk claims), decoded incrementally and cut into lines of bounded length; the csv module
gets one line at a time, so one record (a line, or lines joined inside quotes) never holds more
than ``max_record_chars`` characters. Rows, columns and rows × columns are counted as records
arrive, and the first one beyond a limit ends the reading.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from ipscore.base.bounds.limits import Limits, refuse, size_text
from ipscore.base.bounds.opening import InputFile

CHUNK = 1 << 20


def chunks(file: InputFile, limits: Limits) -> Iterator[bytes]:
    """The file's bytes in pieces; refuses it once more than ``max_text_bytes`` have come
    (counted as read: a file still growing cannot slip past its size on disk)."""
    seen = 0
    with file.open() as handle:
        while piece := handle.read(CHUNK):
            seen += len(piece)
            if seen > limits.max_text_bytes:
                raise refuse(
                    file.path,
                    "file-too-large",
                    f"文件超过上限 {size_text(limits.max_text_bytes)}，未读取",
                )
            yield piece


class _Stream(io.RawIOBase):
    """The bounded chunks as a binary stream, for a TextIOWrapper."""

    def __init__(self, source: Iterator[bytes]) -> None:
        self.source = source
        self.rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self.rest:
            self.rest = next(self.source, b"")
        size = min(len(buffer), len(self.rest))
        buffer[:size] = self.rest[:size]
        self.rest = self.rest[size:]
        return size


def records(
    file: InputFile,
    limits: Limits,
    *,
    encoding: str,
    delimiter: str,
    first: int | None = None,
) -> Iterator[list[str]]:
    """The CSV records of ``file`` (at most ``first`` of them), within ``limits``."""
    path = file.path
    text = io.TextIOWrapper(
        io.BufferedReader(_Stream(chunks(file, limits))), encoding=encoding, newline=""
    )
    held = 0  # characters read since the last whole record

    def lines() -> Iterator[str]:
        nonlocal held
        while True:
            line = text.readline(limits.max_record_chars + 1)
            if not line:
                return
            held += len(line)
            if held > limits.max_record_chars:
                raise refuse(
                    path,
                    "file-too-large",
                    f"第 {count + 1} 行（一条记录）超过 {limits.max_record_chars} 个字符；"
                    "不像是正常的表格，未读取",
                )
            yield line

    count = width = 0
    try:
        for row in csv.reader(lines(), delimiter=delimiter):
            held = 0
            count += 1
            if len(row) > limits.max_cols:
                raise refuse(
                    path,
                    "file-too-large",
                    f"第 {count} 行有 {len(row)} 列，超过上限 {limits.max_cols} 列；"
                    "请检查分隔符，或删除多余的列后另存",
                )
            if count > limits.max_rows:
                raise refuse(
                    path, "file-too-large", f"超过 {limits.max_rows} 行；不像是正常的表格，未读取"
                )
            width = max(width, len(row))
            if count * width > limits.max_cells:
                raise refuse(
                    path,
                    "file-too-large",
                    f"数据区域达 {count} 行 × {width} 列，超过上限 {limits.max_cells} 个单元格",
                )
            yield row
            if first is not None and count >= first:
                return
    except csv.Error as exc:
        raise refuse(path, "file-damaged", f"无法按 CSV 读取（第 {count + 1} 行：{exc}）") from None
    except UnicodeDecodeError:
        raise refuse(
            path, "file-encoding", "无法识别文本编码（应为 UTF-8 或 GB18030/GBK）"
        ) from None


def decodes(file: InputFile, limits: Limits, encoding: str, keep: int) -> tuple[bool, str, bool]:
    """(whether the whole file decodes as ``encoding``, its first ``keep`` characters, and
    whether it holds anything but white space)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    head: list[str] = []
    kept = 0
    visible = False
    try:
        for piece in chunks(file, limits):
            text = decoder.decode(piece)
            if kept < keep:
                head.append(text[: keep - kept])
                kept += len(head[-1])
            visible = visible or bool(text.strip())
        text = decoder.decode(b"", final=True)
        visible = visible or bool(text.strip())
        if kept < keep:
            head.append(text[: keep - kept])
    except UnicodeDecodeError:
        return False, "", False
    return True, "".join(head), visible
