"""The one place ipscore writes files: atomic replace, safe append, and their refusals.

Atomic replace: the contents go to a temporary file created beside the target
(``.NAME.XXXXXXXX.tmp``, ``O_CREAT | O_EXCL | O_NOFOLLOW``), are flushed to disk, and the
temporary is renamed onto the target. A reader (or a crash) never sees half a file: the target
keeps its old contents or has the new ones in full. A rename replaces a directory entry and
never writes through a symlink; still, a target that exists and is a symlink, a folder, a device
or a pipe is refused rather than replaced, since it was not ipscore's to replace.

Folders: a file is written only into a folder reached without following a symbolic link, and
by name in that folder held open, so the folder cannot be swapped for a link between the check
and the write; the policy (which components are checked, and why) is
:mod:`ipscore.base.folders`.

Stale temporaries: the writing process holds an ``flock`` on its temporary from creation to
rename, so a temporary nobody holds is one whose writer died (SIGKILL, power cut). Each write
to ``NAME`` first removes such leftovers of ``NAME`` (:func:`remove_stale_temps`): only names
of the exact temporary pattern, only regular files, opened without following symlinks, and
only while holding their lock, so a live writer's temporary is never touched.

Safe append (the cron log): ``O_APPEND | O_CREAT | O_NOFOLLOW``, so a symlink planted where the
log goes is refused instead of followed; anything but a regular file is refused; one line is one
``write`` (concurrent runs never interleave within a line) and is flushed to disk.

Every failure is an :class:`~ipscore.base.problems.OutputError` with one Chinese sentence naming
the path and what to do (no permission, disk full, read-only, a folder in the way…; see
:mod:`ipscore.base.oserrors`); no temporary file is left behind.
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

from ipscore.base.folders import Folder, open_folder
from ipscore.base.oserrors import failed, refused
from ipscore.base.problems import OutputError
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


def check_target(path: Path, folder: Folder | None = None) -> None:
    """Refuse a target that exists and is not a regular file (symlink, folder, device, pipe);
    looked up by name in ``folder`` when given (the folder ``path`` is being written into)."""
    try:
        if folder is None:
            info = os.lstat(path)
        else:
            info = os.stat(path.name, dir_fd=folder.fd, follow_symlinks=False)
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


# --------------------------------------------------------------------------------------------
# Atomic replace


class Staged:
    """New contents waiting beside their target: :meth:`commit` renames them into place,
    :meth:`discard` removes them. For a set of files that must appear together (write every
    one staged, then commit them all). Until then the temporary's lock is held (see the module
    notes), so no other run takes it for a leftover, and so is the target's folder
    (:class:`~ipscore.base.folders.Folder`): the temporary is renamed in the folder it was
    written in, and only while the target's path still leads there."""

    def __init__(self, target: Path, temp: Path, fd: int | None, folder: Folder) -> None:
        self.target = target
        self.temp = temp
        self._fd = fd
        self._folder = folder

    def _release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        self._folder.close()

    def confirm(self) -> None:
        """Refuse (an :class:`OutputError`) when the target's path no longer leads to the folder
        the temporary was written in; for a set, before it is recorded as published."""
        self._folder.confirm()

    def commit(self) -> None:
        folder = self._folder
        if folder.fd < 0:
            raise ValueError("already committed or discarded")
        try:
            folder.confirm()
            check_target(self.target, folder)
            os.replace(self.temp.name, self.target.name, src_dir_fd=folder.fd, dst_dir_fd=folder.fd)
        except OutputError:
            self.discard()
            raise
        except OSError as exc:
            self.discard()
            raise failed(self.target, exc) from None
        folder.sync()
        self._release()

    def discard(self) -> None:
        if self._folder.fd >= 0:
            with contextlib.suppress(OSError):
                os.unlink(self.temp.name, dir_fd=self._folder.fd)
        self._release()


def _create_temp(folder: Folder, path: Path) -> tuple[Path, int]:
    """A new temporary for ``path`` in ``folder``, created exclusively and locked; (its path,
    its fd)."""
    import fcntl

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    for _attempt in range(100):
        temp = temp_name(path)
        try:
            fd = os.open(temp.name, flags, 0o600, dir_fd=folder.fd)
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
                os.unlink(temp.name, dir_fd=folder.fd)
            raise failed(path, exc) from None
        if alive:
            return temp, fd
        os.close(fd)
    raise failed(path, FileExistsError(errno.EEXIST, "临时文件名冲突"))  # pragma: no cover


def stage_bytes(path: Path, data: bytes) -> Staged:
    """Write ``data`` to a new temporary file beside ``path`` and flush it to disk.

    ``path``'s folder must exist and is reached without following links (see
    :mod:`ipscore.base.folders`). Leftover temporaries of ``path`` from a run that died are
    removed first.
    """
    path = Path(path)
    folder = open_folder(path.parent)
    try:
        check_target(path, folder)
        _remove_stale(folder, {path.name}.__contains__)
        temp, fd = _create_temp(folder, path)
    except BaseException:
        folder.close()
        raise
    try:
        _write_all(fd, data)
        os.fchmod(fd, FILE_MODE)
        os.fsync(fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp.name, dir_fd=folder.fd)
        os.close(fd)
        folder.close()
        if isinstance(exc, OSError):
            raise failed(path, exc) from None
        raise
    return Staged(path, temp, fd, folder)


def remove_stale_temps(folder: Path, owns: Callable[[str], bool]) -> list[Path]:
    """Remove the temporaries in ``folder`` whose writer is gone; returns what was removed.

    A candidate is named ``.NAME.XXXXXXXX.tmp`` with ``owns(NAME)`` true, is a regular file
    (opened with ``O_NOFOLLOW``: a symlink is never followed nor removed), and its lock can be
    taken at once (a live writer holds it). Anything that cannot be checked is left alone. The
    folder is reached as every output folder is (a link on the way is refused).
    """
    with open_folder(folder) as held:
        return _remove_stale(held, owns)


def _remove_stale(folder: Folder, owns: Callable[[str], bool]) -> list[Path]:
    import fcntl

    removed: list[Path] = []
    flags = os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK | _NOCTTY
    for entry in folder.names():
        name = temp_target(entry)
        if name is None or not owns(name):
            continue
        try:
            fd = os.open(entry, flags, dir_fd=folder.fd)
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
            now = os.stat(entry, dir_fd=folder.fd, follow_symlinks=False)
            if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
                continue
            os.unlink(entry, dir_fd=folder.fd)
            removed.append(folder.path / entry)
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
    """Append ``text`` to ``path`` in one write, creating it; never through a symlink (neither
    the file nor, see :mod:`ipscore.base.folders`, its folder)."""
    path = Path(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _CLOEXEC | _NONBLOCK | _NOCTTY
    with open_folder(path.parent) as folder:
        try:
            fd = os.open(path.name, flags, FILE_MODE, dir_fd=folder.fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENXIO):  # a symlink / a FIFO nobody reads
                check_target(path, folder)
            raise failed(path, exc) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                check_target(path, folder)  # says what it is
                raise refused(path, f"输出路径不是普通文件，拒绝写入：{printable_path(path)}")
            _write_all(fd, text.encode(encoding))
            os.fsync(fd)
        except OSError as exc:
            raise failed(path, exc) from None
        finally:
            os.close(fd)


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` (and the folders leading to it) if needed, never through a link (see
    :mod:`ipscore.base.folders`); an :class:`OutputError` if impossible or refused."""
    open_folder(folder, create=True).close()


def remove_if_unchanged(path: Path, sha256: str, limit: int = 256 << 20) -> bool:
    """Remove ``path`` if it is a regular file whose bytes still hash to ``sha256`` (a file
    ipscore wrote and nobody changed since); True if removed, False if it is gone, changed,
    larger than ``limit`` or not a regular file (a symlink is never followed: left alone).
    The folder is reached as every output folder is (a link on the way is refused), and the
    file is opened and removed by name in it."""
    path = Path(path)
    flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _NOCTTY | _CLOEXEC
    with open_folder(path.parent) as folder:
        try:
            fd = os.open(path.name, flags, dir_fd=folder.fd)
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
            now = os.stat(path.name, dir_fd=folder.fd, follow_symlinks=False)
            if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
                return False  # replaced since it was read: not the file that was checked
            try:
                os.unlink(path.name, dir_fd=folder.fd)
            except FileNotFoundError:
                return False
            except OSError as exc:
                raise failed(path, exc) from None
            folder.sync()
            return True
        finally:
            os.close(fd)
