"""The one place ipscore writes files: atomic replace, safe append, and their refusals.

Atomic replace: the contents go to a temporary file created beside the target
(``.NAME.XXXXXXXX.tmp``, ``O_CREAT | O_EXCL | O_NOFOLLOW``), are flushed to disk, and the
temporary is renamed onto the target. A reader (or a crash) never sees half a file: the target
keeps its old contents or has the new ones in full. A rename replaces a directory entry and
never writes through a symlink; still, a target that exists and is a symlink, a folder, a device
or a pipe is refused rather than replaced, since it was not ipscore's to replace.

Stale temporaries: the writing process holds an ``flock`` on its temporary from creation to
rename, so a temporary nobody holds is one whose writer died (SIGKILL, power cut). Each write
to ``NAME`` first removes such leftovers of ``NAME`` (:func:`remove_stale_temps`): only names
of the exact temporary pattern, only regular files, opened without following symlinks, and
only while holding their lock, so a live writer's temporary is never touched.

Safe append (the cron log): ``O_APPEND | O_CREAT | O_NOFOLLOW``, so a symlink planted where the
log goes is refused instead of followed; anything but a regular file is refused; one line is one
``write`` (concurrent runs never interleave within a line) and is flushed to disk.

Every failure is an :class:`~ipscore.base.problems.OutputError` with one Chinese sentence naming
the path and what to do (no permission, disk full, read-only, a folder in the way…); no
temporary file is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ipscore.base.problems import OutputError, Problem
from ipscore.base.text import printable_path

TEMP_SUFFIX = ".tmp"
FILE_MODE = 0o644

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as the log must not block the open
_NOCTTY = getattr(os, "O_NOCTTY", 0)


_TEMP_PATTERN = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{8}\.tmp", re.DOTALL)


_UNSAFE_IN_NAMES = str.maketrans({ch: "_" for ch in '/\\:*?"<>|'})


def safe_file_stem(text: str) -> str:
    """``text`` (a unit's name) as part of a file name on Windows and Linux alike: characters
    a file name cannot hold, and any not printable (controls, bidi overrides), become ``_``;
    no leading or trailing space or dot; never empty."""
    name = "".join(ch if ch.isprintable() else "_" for ch in text).translate(_UNSAFE_IN_NAMES)
    return name.strip(" .") or "_"


def temp_name(target: Path) -> Path:
    """A fresh temporary name beside ``target``: ``.NAME.XXXXXXXX.tmp``."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def temp_target(name: str) -> str | None:
    """The ``NAME`` a temporary ``.NAME.XXXXXXXX.tmp`` was written for; None for other names."""
    found = _TEMP_PATTERN.fullmatch(name)
    return found["name"] if found else None


# --------------------------------------------------------------------------------------------
# Messages


def refused(path: Path, why: str) -> OutputError:
    """An output that must not be written (a symlink, a folder, an input file…)."""
    return OutputError([Problem("output-refused", why)])


def failed(path: Path, exc: OSError) -> OutputError:
    """An operating-system failure while writing ``path``, as one Chinese sentence."""
    return OutputError([Problem("output-failed", describe_os_error(path, exc))])


def describe_os_error(path: Path, exc: OSError) -> str:
    """What went wrong writing ``path`` and what to do, in Chinese."""
    shown = printable_path(path)
    folder = printable_path(path.parent if str(path.parent) else Path("."))
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return f"输出目录不可写或文件不允许写入：{shown}；请检查权限或换一个目录"
    if code == errno.EROFS:
        return f"输出目录在只读文件系统上：{folder}；请换一个可写的目录"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"磁盘空间不足，未能写入 {shown}（没有留下不完整的文件）；请腾出空间或换一个目录"
    if code in (errno.ENOENT, errno.ENOTDIR):
        if code == errno.ENOENT and path.parent.is_dir():  # e.g. /proc: no new files there
            return f"无法在目录 {folder} 中创建文件：{shown}；请换一个目录"
        return f"输出目录不存在：{folder}；请先创建该目录或换一个路径"
    if code == errno.EISDIR:
        return f"输出路径是一个目录：{shown}；请给出文件名"
    if code == errno.ELOOP:
        return f"输出路径是符号链接，拒绝写入：{shown}；请删除该链接或换一个文件名"
    if code == errno.ENAMETOOLONG:
        return f"输出文件名过长：{shown}；请换一个短些的名字"
    return f"无法写入 {shown}：{os_reason(exc)}；请检查该路径、权限和磁盘空间，或换一个目录"


_REASONS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许的操作",
    errno.EROFS: "只读文件系统",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENOENT: "不存在",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "是一个目录",
    errno.ELOOP: "符号链接",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EIO: "读写错误（磁盘或网络盘故障）",
    errno.EBUSY: "文件正被占用",
    errno.EMFILE: "打开的文件过多",
    errno.EXDEV: "跨文件系统",
    errno.EEXIST: "已存在同名的文件或目录",
}


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in Chinese when the cause is a common one."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return printable_path(exc.strerror or type(exc).__name__)


def check_target(path: Path) -> None:
    """Refuse a target that exists and is not a regular file (symlink, folder, device, pipe)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise failed(path, exc) from None
    shown = printable_path(path)
    if stat.S_ISLNK(info.st_mode):
        raise refused(path, f"输出路径是符号链接，拒绝写入：{shown}；请删除该链接或换一个文件名")
    if stat.S_ISDIR(info.st_mode):
        raise refused(path, f"输出路径是一个目录：{shown}；请给出文件名")
    if not stat.S_ISREG(info.st_mode):
        raise refused(
            path, f"输出路径不是普通文件（设备、管道或套接字），拒绝写入：{shown}；请换一个文件名"
        )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _sync_folder(folder: Path) -> None:
    """Make a rename durable; best effort (some file systems cannot sync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------
# Atomic replace


class Staged:
    """New contents waiting beside their target: :meth:`commit` renames them into place,
    :meth:`discard` removes them. For a set of files that must appear together (write every
    one staged, then commit them all). Until then the temporary's lock is held (see the module
    notes), so no other run takes it for a leftover."""

    def __init__(self, target: Path, temp: Path, fd: int | None = None) -> None:
        self.target = target
        self.temp = temp
        self._fd = fd

    def _release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def commit(self) -> None:
        try:
            check_target(self.target)
            os.replace(self.temp, self.target)
        except OutputError:
            self.discard()
            raise
        except OSError as exc:
            self.discard()
            raise failed(self.target, exc) from None
        self._release()
        _sync_folder(self.target.parent)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.temp)
        self._release()


def _create_temp(path: Path) -> tuple[Path, int]:
    """A new temporary beside ``path``, created exclusively and locked; (its path, its fd)."""
    import fcntl

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    for _attempt in range(100):
        temp = temp_name(path)
        try:
            fd = os.open(temp, flags, 0o600)
        except FileExistsError:
            continue  # a name taken by chance (or planted): draw another
        except OSError as exc:
            raise failed(path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # Another run may have taken it for a leftover between the open and the lock.
            alive = os.fstat(fd).st_nlink > 0
        except OSError as exc:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise failed(path, exc) from None
        if alive:
            return temp, fd
        os.close(fd)
    raise failed(path, FileExistsError(errno.EEXIST, "临时文件名冲突"))  # pragma: no cover


def stage_bytes(path: Path, data: bytes) -> Staged:
    """Write ``data`` to a new temporary file beside ``path`` and flush it to disk.

    Leftover temporaries of ``path`` from a run that died are removed first.
    """
    path = Path(path)
    check_target(path)
    remove_stale_temps(path.parent, {path.name}.__contains__)
    temp, fd = _create_temp(path)
    try:
        _write_all(fd, data)
        os.fchmod(fd, FILE_MODE)
        os.fsync(fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        os.close(fd)
        if isinstance(exc, OSError):
            raise failed(path, exc) from None
        raise
    return Staged(path, temp, fd)


def remove_stale_temps(folder: Path, owns: Callable[[str], bool]) -> list[Path]:
    """Remove the temporaries in ``folder`` whose writer is gone; returns what was removed.

    A candidate is named ``.NAME.XXXXXXXX.tmp`` with ``owns(NAME)`` true, is a regular file
    (opened with ``O_NOFOLLOW``: a symlink is never followed nor removed), and its lock can be
    taken at once (a live writer holds it). Anything that cannot be checked is left alone.
    """
    import fcntl

    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder if str(folder) else "."))
    except OSError:
        return removed
    flags = os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK | _NOCTTY
    for entry in entries:
        name = temp_target(entry.name)
        if name is None or not owns(name):
            continue
        path = Path(entry.path)
        try:
            fd = os.open(path, flags)
        except OSError:
            continue  # a symlink (ELOOP), gone already, or not ours to read
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its writer is alive
            now = os.lstat(path)
            if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
                continue
            os.unlink(path)
            removed.append(path)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: all or nothing."""
    staged = stage_bytes(path, data)
    try:
        staged.commit()
    except BaseException:
        staged.discard()
        raise


def write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes_atomic(path, text.encode(encoding))


def write_atomic(path: Path, writer: Callable[[BinaryIO], object]) -> None:
    """Call ``writer(stream)`` to produce the contents in memory, then replace ``path``.

    ``writer`` gets a binary stream (``wb.save``, ``frame.write_csv`` and ``doc.save`` all take
    one). Writing in memory first means a library never meets a disk error half-way (no
    half-closed zip archives complaining at exit); the disk sees one complete write.
    """
    buffer = io.BytesIO()
    writer(buffer)
    write_bytes_atomic(path, buffer.getvalue())


# --------------------------------------------------------------------------------------------
# Append and folders


def append_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Append ``text`` to ``path`` in one write, creating it; never through a symlink."""
    path = Path(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _CLOEXEC | _NONBLOCK | _NOCTTY
    try:
        fd = os.open(path, flags, FILE_MODE)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO):  # a symlink / a FIFO nobody reads
            check_target(path)
        raise failed(path, exc) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            check_target(path)  # says what it is
            raise refused(path, f"输出路径不是普通文件，拒绝写入：{printable_path(path)}")
        _write_all(fd, text.encode(encoding))
        os.fsync(fd)
    except OSError as exc:
        raise failed(path, exc) from None
    finally:
        os.close(fd)


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) if needed; an :class:`OutputError` if impossible."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise refused(
            folder, f"输出目录的位置上已有一个文件：{printable_path(folder)}；请换一个目录"
        ) from None
    except OSError as exc:
        raise failed(folder, exc) from None


def remove_if_unchanged(path: Path, sha256: str, limit: int = 256 << 20) -> bool:
    """Remove ``path`` if it is a regular file whose bytes still hash to ``sha256`` (a file
    ipscore wrote and nobody changed since); True if removed, False if it is gone, changed,
    larger than ``limit`` or not a regular file (a symlink is never followed: left alone)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _NOCTTY | _CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symlink in its place: not ours
            return False
        raise failed(path, exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return False
        import hashlib

        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        if digest.hexdigest() != sha256:
            return False
        try:
            os.unlink(path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise failed(path, exc) from None
        _sync_folder(path.parent)
        return True
    finally:
        os.close(fd)
