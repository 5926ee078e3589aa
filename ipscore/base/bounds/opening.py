"""Opening an input file: a regular file only, never through a symlink, never waiting.

The file is opened once (``O_NOFOLLOW | O_NONBLOCK``) and checked with ``fstat``: a FIFO, a
device such as ``/dev/zero``, a directory, a socket or a symlink is refused before a byte is
read, so nothing hangs and nothing reads forever. Every later reader (the bounds check, calamine,
fastexcel, Polars) reads that same opened file (through ``/proc/self/fd`` where there is one),
so the file cannot be swapped for another between the check and the read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from ipscore.base.bounds.limits import refuse

_PROC_FD = Path("/proc/self/fd")


class InputFile:
    """A checked, opened regular file; use as a context manager (the descriptor is closed)."""

    def __init__(self, path: Path, fd: int, info: os.stat_result) -> None:
        self.path = path
        self.fd = fd
        self.size = info.st_size
        self._identity = (info.st_dev, info.st_ino)

    @property
    def reader_path(self) -> str:
        """A path naming exactly this opened file, for readers that want a path."""
        if _PROC_FD.is_dir():
            return str(_PROC_FD / str(self.fd))
        return str(self.path)

    def open(self) -> BinaryIO:
        """A new binary stream over the file (own offset), checked to be the same file."""
        handle = open(self.reader_path, "rb")  # noqa: SIM115 - returned to the caller
        info = os.fstat(handle.fileno())
        if (info.st_dev, info.st_ino) != self._identity:
            handle.close()
            raise refuse(self.path, "file-unreadable", "读取期间文件被替换；请等文件复制完成后再试")
        return handle

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes (fewer for a shorter file)."""
        return os.pread(self.fd, size, 0)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> InputFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def open_input(path: Path | str, what: str = "表格文件") -> InputFile:
    """Open ``path`` for reading if it is a regular file; raise InputError (exit 2) otherwise.

    ``what`` names the kind of file expected in the messages (表格文件, 申请明细文件).
    """
    path = Path(path)
    if not hasattr(os, "O_NOFOLLOW") and path.is_symlink():  # no O_NOFOLLOW: look first
        raise refuse(
            path,
            "file-not-regular",
            f"这是符号链接；为安全起见不跟随链接读取，请给出实际{what}的路径",
        )
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise refuse(path, "file-missing", "文件不存在") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise refuse(
                path,
                "file-not-regular",
                f"这是符号链接；为安全起见不跟随链接读取，请给出实际{what}的路径",
            ) from None
        if exc.errno == errno.EISDIR:
            raise refuse(path, "file-not-regular", f"这是一个目录，不是{what}") from None
        raise refuse(path, "file-unreadable", f"无法读取文件（{exc.strerror}）") from None
    try:
        info = os.fstat(fd)
        mode = info.st_mode
        kind = None
        if stat.S_ISDIR(mode):
            kind = "一个目录"
        elif stat.S_ISFIFO(mode):
            kind = "命名管道（FIFO）"
        elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            kind = "设备文件"
        elif stat.S_ISSOCK(mode):
            kind = "套接字"
        elif not stat.S_ISREG(mode):
            kind = "特殊文件"
        if kind is not None:
            raise refuse(
                path,
                "file-not-regular",
                f"这是{kind}，不是普通文件；只读取普通的{what}（以免等待或读取不止）",
            )
    except BaseException:
        os.close(fd)
        raise
    return InputFile(path, fd, info)
