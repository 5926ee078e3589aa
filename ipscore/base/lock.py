"""One run at a time per output folder: an ``flock`` on a lock file inside the folder.

The lock file (``.ipscore-notice.lock``) is opened with ``O_NOFOLLOW`` and must be a regular
file: a symlink or anything else planted in its place is refused, never followed; the folder is
reached and held as every output folder is (:mod:`ipscore.base.folders`: a link on the way is
refused), and the lock file is opened and removed by name in it. The lock is
the ``flock`` on the open file, so it goes away with the process that holds it, however that
process ends (a killed run never leaves the folder locked). On release the holder removes the
file while still holding the lock; a waiting run that then gets the lock on the removed file
notices (its inode is no longer the one at the path) and opens the file afresh, so two runs
never both believe they hold the lock.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from ipscore.base.files import check_target
from ipscore.base.folders import Folder, open_folder
from ipscore.base.oserrors import failed, refused
from ipscore.base.problems import OutputError, Problem
from ipscore.base.text import printable_path

LOCK_NAME = ".ipscore-notice.lock"
POLL_SECONDS = 0.1

_FLAGS = (
    os.O_RDWR
    | os.O_CREAT
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
)


class FolderBusy(OutputError):
    """Another run holds the folder's lock and did not let go within the wait."""

    def __init__(self, folder: Path, waited: float) -> None:
        super().__init__(
            [
                Problem(
                    "folder-busy",
                    f"另一个 ipscore 进程正在写入目录 {printable_path(folder)}"
                    f"（已等待 {waited:g} 秒）；本次未做任何改动，请稍后再运行",
                )
            ]
        )
        self.folder = folder


def _open_locked(folder: Folder, path: Path, deadline: float) -> int | None:
    """The lock file's descriptor, locked; None when the deadline passed first."""
    import fcntl

    while True:
        try:
            fd = os.open(path.name, _FLAGS, 0o644, dir_fd=folder.fd)
        except OSError as exc:
            check_target(path, folder)  # a symlink, a folder, a pipe: says which
            raise failed(path, exc) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise refused(path, f"锁文件不是普通文件，拒绝使用：{printable_path(path)}")
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        os.close(fd)
                        return None
                    time.sleep(POLL_SECONDS)
            held = os.fstat(fd)
            try:
                current = os.stat(path.name, dir_fd=folder.fd, follow_symlinks=False)
            except FileNotFoundError:
                current = None
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise
        if current is not None and (current.st_dev, current.st_ino) == (
            held.st_dev,
            held.st_ino,
        ):
            return fd
        os.close(fd)  # the holder removed it as we waited: lock the file now at the path


@contextlib.contextmanager
def folder_lock(folder: Path, *, wait: float = 0.0, name: str = LOCK_NAME) -> Iterator[None]:
    """Hold ``folder``'s lock for the ``with`` block; :class:`FolderBusy` after ``wait``
    seconds if another run holds it. The folder must exist."""
    path = Path(folder) / name
    with open_folder(folder) as held:
        fd = _open_locked(held, path, time.monotonic() + wait)
        if fd is None:
            raise FolderBusy(Path(folder), wait)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=held.fd)
            os.close(fd)
