"""Output folders are reached without following symbolic links: the policy and its one walk.

The policy. ipscore writes a file (an output, a circular, the cron log, the folder's lock file,
``init``'s folder) only into a folder it reached without following a symbolic link, except a
link that only root could have made:

- In the working area -- the folder ipscore runs in, and below -- no link is followed: not in a
  relative path (``--out 通报``, ``-o 报表/排名.xlsx``, ``init 工作目录``), nor in the part of
  an absolute path that lies in the current folder.
- Elsewhere (an absolute path), a link is followed only where only root can change it: in a
  folder owned by root that nobody else may write, itself reached through such folders only.
  From the first folder someone else may change (a home folder, a shared folder, ``/tmp``) on,
  no link is followed, the output folder itself included.

A link where none may be is refused (exit status 2) with one sentence naming the path, the link
and where it points, and asking for the real folder instead. Why this line and not another:

- A link can be re-pointed by whoever may write in the folder that holds it. In a working
  folder that is anyone the bureau lets put files there, while the monthly run is root's cron
  job: a ``通报`` (or ``报表/``) swapped for a link to ``/etc`` would have root write there. So
  nothing in the working area is followed, whoever owns it -- as ``init`` (a DIR that is a
  link) and the working folder's ``rules/`` (not used when a link) already did; the rule is the
  same in every working folder, so nobody needs ``ls -l`` to predict it.
- The current folder and the folders above it are not checked: the run stands in its folder (a
  relative path starts from the folder the process holds, not from its name), so re-pointing
  a link above it later does not move the run.
- The system's own links are followed: ``/home -> /data/home`` (and ``/home/x ->
  /data/home/x``), ``/tmp -> /private/tmp`` and ``/var -> /private/var`` on macOS sit in folders
  only root can change, so only root could have made or re-pointed them; refusing them would
  refuse ``-o ~/排名.xlsx`` or ``--out /tmp/通报`` for nothing. Checking only the last folder
  instead would follow a link planted higher up in a shared folder; checking every component
  would refuse the system's links.

Between the check and the write. The walk opens each folder relative to the one before
(``openat`` with ``O_NOFOLLOW | O_DIRECTORY``), makes missing ones the same way (``mkdirat``,
so a link planted as a folder is being made is refused too) and keeps the output folder open
(:class:`Folder`); files are created, renamed and removed by name in that open folder
(``dir_fd``), so a folder swapped for a link after the check cannot send a byte to the link's
target. Before a file is renamed into place the path is walked again and must still lead to the
same folder (:meth:`Folder.confirm`): a swap is refused and reported, not written into a
folder that was moved elsewhere. (POSIX only, as ``flock`` already is.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ipscore.base.oserrors import failed, refused
from ipscore.base.problems import OutputError
from ipscore.base.text import printable_path

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# A folder is held only for the *at calls: O_PATH (Linux) needs no read permission on it.
_HOLD = getattr(os, "O_PATH", os.O_RDONLY) | _DIRECTORY | _CLOEXEC
_STEP = _HOLD | getattr(os, "O_NOFOLLOW", 0)
_READ = os.O_RDONLY | _DIRECTORY | _CLOEXEC


@dataclass(frozen=True)
class _Route:
    """How a folder is reached: ``start`` opened as the system resolves it, then ``names`` one
    by one; ``system``: whether links in root-only folders at the top may be followed (an
    absolute path outside the working area)."""

    start: str
    base: Path  # ``start`` as messages show it
    names: tuple[str, ...]
    system: bool


def _route(folder: Path) -> _Route:
    if not folder.is_absolute():
        return _Route(".", Path(), folder.parts, system=False)
    try:
        here = os.getcwd()
    except OSError:  # the current folder was removed
        here = folder.anchor
    if here != folder.anchor:  # standing in "/" (a service's default) is no working area
        try:
            inside = folder.relative_to(here)
        except ValueError:
            pass
        else:
            return _Route(".", Path(here), inside.parts, system=False)
    return _Route(folder.anchor, Path(folder.anchor), folder.parts[1:], system=True)


def _root_only(fd: int) -> bool:
    """Whether only root can change the folder's entries (owned by root, no group/other write)."""
    info = os.fstat(fd)
    return info.st_uid == 0 and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def link_refused(folder: Path, part: Path, target: str) -> OutputError:
    """The refusal of ``folder`` because ``part`` of its path is a link pointing at ``target``."""
    shown = printable_path(folder)
    where = (
        f"输出目录 {shown}" if part == folder else f"输出目录 {shown} 中的 {printable_path(part)}"
    )
    return refused(
        folder,
        f"{where} 是符号链接，指向 {printable_path(target)}；ipscore 不经符号链接写入"
        "（链接可能被人改指向别处），请改用真实目录的路径",
    )


def _missing(folder: Path) -> OutputError:
    return refused(folder, f"输出目录不存在：{printable_path(folder)}；请先创建该目录或换一个路径")


def _moved(folder: Path) -> OutputError:
    return refused(
        folder,
        f"输出目录 {printable_path(folder)} 在写入过程中被移走或替换，本次未写入；"
        "请检查该目录后重新运行",
    )


def _not_a_folder(fd: int, name: str, part: Path, folder: Path, followed: bool) -> OutputError:
    """Why ``name`` (``part`` of ``folder``'s path) could not be opened as a folder."""
    try:
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except OSError as exc:
        return failed(part, exc)
    if stat.S_ISLNK(info.st_mode) and not followed:
        try:
            target = os.readlink(name, dir_fd=fd)
        except OSError:
            target = "？"
        return link_refused(folder, part, target)
    if stat.S_ISDIR(info.st_mode):  # it changed as we looked: say so rather than guess
        return _moved(folder)
    if part == folder:
        return refused(
            folder, f"输出目录的位置上已有一个文件：{printable_path(folder)}；请换一个目录"
        )
    return refused(
        folder,
        f"输出目录 {printable_path(folder)} 中的 {printable_path(part)} 不是目录；请换一个目录",
    )


def _step(
    fd: int, name: str, part: Path, folder: Path, *, follow: bool, create: bool
) -> int | None:
    """Open ``name`` in the folder ``fd`` as a folder (making it when ``create``); None when it
    is missing. A link is refused unless ``follow``."""
    for attempt in range(2):
        try:
            return os.open(name, _HOLD if follow else _STEP, dir_fd=fd)
        except FileNotFoundError:
            if not create or attempt:
                return None
            try:
                os.mkdir(name, 0o777, dir_fd=fd)
            except FileExistsError:
                pass  # made meanwhile (or a link planted): the next open says what it is
            except OSError as exc:
                raise failed(part, exc) from None
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.ELOOP):
                raise _not_a_folder(fd, name, part, folder, follow) from None
            raise failed(part, exc) from None
    return None  # pragma: no cover - the loop returns or raises


def _walk(route: _Route, folder: Path, *, create: bool) -> int | None:
    """The folder's descriptor, reached by ``route``; None when a folder on the way is missing
    (and not ``create``). Raises the refusal of a link on the way (``folder``: the output
    folder messages name)."""
    try:
        fd = os.open(route.start, _HOLD)
    except OSError as exc:
        raise failed(folder, exc) from None
    try:
        system = route.system and _root_only(fd)
        for index, name in enumerate(route.names):
            part = route.base.joinpath(*route.names[: index + 1])
            found = _step(fd, name, part, folder, follow=system, create=create)
            os.close(fd)
            fd = -1
            if found is None:
                return None
            fd = found
            system = system and _root_only(fd)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise
    return fd


class Folder:
    """An output folder held open after the walk (see the module notes). Make files in it by
    name with ``dir_fd=folder.fd``; :meth:`confirm` before renaming one into place."""

    def __init__(self, path: Path, fd: int, route: _Route, shown: Path) -> None:
        self.path = path
        self.fd = fd
        self._route = route
        self._shown = shown

    def close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def confirm(self) -> None:
        """Refuse when the path no longer leads to this folder: swapped for a link (the
        refusal names it), moved away or replaced by another folder."""
        fd = _walk(self._route, self._shown, create=False)
        if fd is None:
            raise _moved(self._shown)
        try:
            now, held = os.fstat(fd), os.fstat(self.fd)
        finally:
            os.close(fd)
        if (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino):
            raise _moved(self._shown)

    def names(self) -> list[str]:
        """The names in the folder; empty when it cannot be read."""
        try:
            fd = os.open(".", _READ, dir_fd=self.fd)
        except OSError:
            return []
        try:
            return os.listdir(fd)
        except OSError:
            return []
        finally:
            os.close(fd)

    def sync(self) -> None:
        """Make renames in the folder durable; best effort (some file systems cannot)."""
        try:
            fd = os.open(".", _READ, dir_fd=self.fd)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def open_folder(path: Path | str, *, create: bool = False, child: str | None = None) -> Folder:
    """The folder ``path``, reached by the policy (the module notes) and held open; made, with
    the folders leading to it, when ``create``. An :class:`OutputError` for a link on the way,
    a file in a folder's place, a missing folder (not ``create``) or an OS failure.

    ``child``: ``path`` is the folder the output folder ``child`` will be made in (``init
    DIR``'s parent); messages name ``path/child``."""
    path = Path(path)
    route = _route(path)
    shown = path / child if child else path
    fd = _walk(route, shown, create=create)
    if fd is None:
        raise _missing(path)
    return Folder(path, fd, route, shown)


def check_folder(path: Path | str) -> None:
    """Refuse ``path`` now when a link (or a file) stands where the policy wants a folder; a
    missing folder is not refused here (writing makes or refuses it). For the checks before
    any work is done."""
    path = Path(path)
    fd = _walk(_route(path), path, create=False)
    if fd is not None:
        os.close(fd)
