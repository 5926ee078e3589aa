"""Opening the history store safely: which files are refused, and what a failure says.

Before SQLite sees a path, the path must be a regular file (or not exist yet, in an existing
folder); a symbolic link, a device such as ``/dev/null``, a FIFO or a folder is refused, and so
is a link planted as its ``-wal``/``-shm``/``-journal`` companion. An existing file is read
first and only written once it is known to be ipscore's: an SQLite file of another program is
refused without being switched to WAL or given tables, a damaged one is refused with the result
of ``PRAGMA quick_check``. Readers open the file read-only (``mode=ro``), so ``history`` works
in a read-only folder. Every failure is a :class:`StoreError` (exit status 2) whose sentence
names the path and says what to do.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ipscore.base.folders import check_folder
from ipscore.base.problems import IpscoreError, Problem
from ipscore.store.schema import Foreign, classify, create, migrate_v1, migrate_v2

T = TypeVar("T")
BUSY_TIMEOUT_MS = 30_000
COMPANIONS = ("-wal", "-shm", "-journal")


class StoreError(IpscoreError):
    """The history store cannot be used: refused (foreign, damaged, not a regular file) or the
    environment's fault (permissions, read-only, disk full, locked too long)."""

    def __init__(self, path: Path | str, message: str, code: str = "store-unavailable") -> None:
        self.path = str(path)
        self.message = message
        super().__init__([Problem(code, message, file=self.path)])


def refused(path: Path | str, message: str) -> StoreError:
    return StoreError(path, message, "store-refused")


def failure(path: Path | str, exc: BaseException, doing: str) -> StoreError:
    """A StoreError for an OSError or sqlite3.Error met while ``doing`` (读取, 写入…)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    seconds = f"{BUSY_TIMEOUT_MS / 1000:g}"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return StoreError(
            path,
            f"历史库被其他进程占用超过 {seconds} 秒，{doing}未完成；"
            "请稍后重试，或检查是否有卡住的 ipscore 进程",
        )
    if name.startswith("SQLITE_FULL") or code == errno.ENOSPC or "disk is full" in text:
        return StoreError(path, f"磁盘已满，历史库{doing}失败；请清理磁盘空间后重试")
    if (
        name.startswith(("SQLITE_READONLY", "SQLITE_PERM"))
        or code in (errno.EACCES, errno.EPERM, errno.EROFS)
        or "readonly" in text
    ):
        return StoreError(
            path,
            f"没有权限{doing}历史库（文件或所在目录只读）；"
            "请检查该文件和所在目录的权限，或用 --db 指定可写的位置",
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return refused(path, _damaged(exc))
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return StoreError(path, "无法打开历史库；请检查所在目录存在且可写，或用 --db 指定其他位置")
    if name.startswith("SQLITE_IOERR") or "i/o error" in text:
        return StoreError(path, f"历史库{doing}时发生磁盘读写错误；请检查磁盘后重试")
    reason = getattr(exc, "strerror", None) or str(exc)
    return StoreError(path, f"历史库{doing}失败（{reason}）；请检查该文件后重试")


def _damaged(exc: BaseException) -> str:
    if "not a database" in str(exc).lower():
        return "不是 SQLite 数据库文件，不是 ipscore 的历史库；未写入。请用 --db 指定历史库文件"
    return (
        f"历史库已损坏（PRAGMA quick_check：{exc}）；未写入任何内容。"
        "请从备份恢复，或把它移走后重新记录"
    )


def retry(call: Callable[[], T]) -> T:
    """Run ``call``, retrying while the store is locked, up to the busy timeout.

    SQLite waits on its own for most locks, but a few (switching a new file to WAL, an upgrade
    from a read lock that would deadlock) report "database is locked" at once; those are
    retried here after a short pause. The transaction in ``call`` was rolled back or never
    began, so running it again is safe.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return call()
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if ("locked" not in message and "busy" not in message) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def check_path(path: Path, *, creating: bool = True) -> os.stat_result | None:
    """The file's lstat when it is a regular file; None when it does not exist yet (in an
    existing folder, when ``creating``); a refusal for anything else."""
    for companion in COMPANIONS:
        info = _lstat(Path(f"{path}{companion}"), path)
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise refused(
                path,
                f"旁边的 {path.name}{companion} 不是普通文件（符号链接等）；"
                "为安全起见不打开。请删除它，或用 --db 指定其他位置",
            )
    info = _lstat(path, path)
    if info is None:
        if creating and not path.parent.is_dir():
            raise StoreError(path, "历史库所在的目录不存在；请先创建该目录，或用 --db 指定其他位置")
        return None
    if stat.S_ISLNK(info.st_mode):
        raise refused(
            path,
            "是符号链接；ipscore 不经由链接打开历史库。请用 --db 指向实际文件",
        )
    if not stat.S_ISREG(info.st_mode):
        raise refused(
            path,
            f"不是普通文件（{_file_kind(info.st_mode)}）；请用 --db 指定一个普通文件作为历史库",
        )
    return info


def _lstat(target: Path, shown: Path) -> os.stat_result | None:
    try:
        return os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise failure(shown, exc, "打开") from None


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "是目录"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "是设备"
    if stat.S_ISFIFO(mode):
        return "是管道"
    if stat.S_ISSOCK(mode):
        return "是套接字"
    return "特殊文件"


def _uri(path: Path, mode: str) -> str:
    absolute = str(path.absolute())
    if os.name == "nt":
        from urllib.request import pathname2url

        return f"file:{pathname2url(absolute)}?{mode}"
    # What pathname2url does on POSIX, without importing urllib.request (and with it http.client,
    # email and ssl: 15 ms on every command that opens the store).
    return f"file:{urllib.parse.quote(absolute)}?{mode}"


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    conn = sqlite3.connect(
        _uri(path, mode), uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _verify(conn: sqlite3.Connection, path: Path) -> str:
    """quick_check, then what the file is; refusals for damaged and foreign files."""
    if conn.in_transaction:
        return _check(conn, path)
    # One read transaction: every pragma and the table list see the same committed state.
    conn.execute("BEGIN")
    try:
        return _check(conn, path)
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def _check(conn: sqlite3.Connection, path: Path) -> str:
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.OperationalError:
        raise  # locked, read-only, cannot open: the environment's, not the file's
    except sqlite3.DatabaseError as exc:
        raise refused(path, _damaged(exc)) from None
    if rows != ["ok"]:
        lines = [
            line.strip()
            for row in rows
            for line in str(row).splitlines()
            if line.strip() and not line.startswith("***")
        ]
        shown = "；".join(lines[:3]) + ("…" if len(lines) > 3 else "")
        raise refused(
            path,
            f"历史库已损坏（PRAGMA quick_check：{shown}）；未写入任何内容。"
            "请从备份恢复，或把它移走后重新记录",
        )
    try:
        return classify(conn)
    except Foreign as exc:
        raise refused(
            path, f"{exc}，不是 ipscore 的历史库；未改动。请用 --db 指定 ipscore 的历史库"
        ) from None


def _same_file(path: Path, before: os.stat_result | None) -> None:
    """The path still names the regular file that was checked (no link swapped in)."""
    after = check_path(path)
    if after is None or (
        before is not None and (before.st_dev, before.st_ino) != (after.st_dev, after.st_ino)
    ):
        raise refused(path, "打开期间被替换；为安全起见未使用。请重试")


def open_for_write(path: Path) -> sqlite3.Connection:
    """A connection to an ipscore store at ``path``: created, or upgraded from an older schema,
    when needed; anything else refused before a byte is written. Its folder is checked as
    every output folder is (:mod:`ipscore.base.folders`: no link in the working area)."""
    check_folder(path.parent)
    before = check_path(path)
    conn = None
    try:
        conn = _connect(path, "mode=rwc")
        state = _verify(conn, path)
        _same_file(path, before)
        if state != "ours":
            # WAL is a property of the file: set once, by whichever process makes it ipscore's.
            retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
            retry(lambda: _upgrade(conn, path))
        else:
            # Take and release the write lock now: a read-only or locked store is reported
            # before the caller does anything it would have to record (a circular published).
            retry(lambda: _probe_write(conn))
        _same_file(path, before)
        return conn
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, sqlite3.Error | OSError):
            raise failure(path, exc, "打开") from None
        raise


def _probe_write(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("COMMIT")


def _upgrade(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        state = _verify(conn, path)  # again, under the write lock: another run may have done it
        upgrade(conn, state)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def upgrade(conn: sqlite3.Connection, state: str) -> None:
    """Bring a store in ``state`` (see :func:`~ipscore.store.schema.classify`) to the current
    schema, inside the caller's transaction."""
    if state == "new":
        create(conn)
    elif state == "v1":
        migrate_v1(conn)
    elif state == "v2":
        migrate_v2(conn)


def open_for_read(path: Path) -> sqlite3.Connection:
    """A read-only view of the store: the file opened with ``mode=ro`` (never created, never
    changed); an empty store when there is none yet; an older schema upgraded in memory."""
    before = check_path(path, creating=False)
    if before is None or before.st_size == 0:
        return _empty()
    conn = None
    try:
        try:
            conn = _connect(path, "mode=ro")
            state = _verify(conn, path)
        except sqlite3.OperationalError as exc:
            # In a read-only folder SQLite cannot make the WAL index for a plain read-only
            # open. With no -wal file nobody can be writing there: read the file as it is.
            if conn is not None:
                conn.close()
            wal = Path(f"{path}-wal")
            busy = any(word in str(exc) for word in ("locked", "busy"))
            if busy or (wal.exists() and wal.stat().st_size > 0):
                raise
            conn = _connect(path, "mode=ro&immutable=1")
            state = _verify(conn, path)
        _same_file(path, before)
        if state == "new":
            conn.close()
            return _empty()
        if state != "ours":  # an older schema, upgraded in memory
            memory = sqlite3.connect(":memory:", isolation_level=None)
            conn.backup(memory)
            conn.close()
            memory.execute("BEGIN")
            upgrade(memory, state)
            memory.execute("COMMIT")
            return memory
        return conn
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, sqlite3.Error | OSError):
            raise failure(path, exc, "读取") from None
        raise


def _empty() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("BEGIN")
    create(conn)
    conn.execute("COMMIT")
    return conn
