"""The unattended monthly run (cron): publish the next month from the inbox, log every step.

One run, holding the output folder's lock (a second run waits a little, then logs that
another run is active and ends with status 0):

1. completes what a killed run left: removes its temporaries, and writes again from the
   history store every circular file the store records as published in the folder that is
   missing (:func:`ipscore.app.fileset.restore_missing`);
2. looks at every month file in the inbox. A file is taken only once it has settled — its
   size, inode, modification and change times the same for ``settle`` seconds (a minute by
   default) and again after it was read; a file still being copied is logged
   "正在写入，下次处理";
3. goes through the months not yet published — published means the store records every
   requested file of the month in this folder (see :mod:`ipscore.app.notice`) — earliest
   first. A month whose file cannot be read, dated or scored (or that has two files) is
   logged and skipped, and the next month is tried. A month whose files are all in the folder
   already but not recorded (an older ipscore, another store) is recorded, its files left
   untouched, and the run goes on. The first month that writes files ends the run (a backlog
   catches up one month per run). A month whose file is still being written stops the run
   there, so the months after it keep their rank change from it.

Every log line names the month and the file. The status is 0 when nothing went wrong (a
file still being written is not wrong), 2 when a month file was bad (even if a later month
was published), 1 for a bug.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ipscore.app.fileset import folder_key, remove_stale_circular_temps, restore_missing
from ipscore.app.notice import (
    DEFAULT_FORMATS,
    Published,
    check_pages,
    circular_paths,
    monthly_notice,
    score_month,
    take_number,
    write_set,
)
from ipscore.base.files import append_text, ensure_folder
from ipscore.base.lock import FolderBusy, folder_lock
from ipscore.base.period import Period, period_from_filename
from ipscore.base.problems import InputError, IpscoreError, OutputError, Problem
from ipscore.base.text import printable
from ipscore.intake.grids import SUFFIXES
from ipscore.intake.table import load_table
from ipscore.rules.notice import NoticeRules
from ipscore.rules.scheme import Scheme
from ipscore.store.history import PublishedFile, Store, StoreError

LOG_NAME = "ipscore-notice.log"
INBOX_SUFFIXES = SUFFIXES  # whatever a statistics sheet may be
SETTLE_SECONDS = 60.0
LOCK_WAIT = 10.0
WAITING = "正在写入，下次处理"


@dataclass
class InboxRun:
    """The outcome of one cron run: exit status, the log lines, and what was published."""

    status: int
    lines: list[str] = field(default_factory=list)
    published: Published | None = None


class Unsettled(Exception):
    """An inbox file changed while it was being read."""


class _Logged(Exception):
    """An environment failure met while publishing a month, already logged with the month."""

    def __init__(self, error: IpscoreError) -> None:
        super().__init__(str(error))
        self.error = error


def _stamp() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def append_log(out: Path, line: str) -> None:
    """Append one time-stamped line to the output directory's log file.

    The line is made printable (a newline or ESC in an inbox file name is shown as ``\\n``,
    ``\\x1b``), so one entry is one line and nothing in it reaches a terminal raw; the log is
    never opened through a symlink (see :func:`ipscore.base.files.append_text`).
    """
    ensure_folder(out)
    # One write of one line in append mode: concurrent runs never interleave within a line.
    append_text(out / LOG_NAME, f"{_stamp()}  {printable(line, None)}\n")


def problems_text(problems: Sequence[Problem]) -> str:
    """Problems on one log line."""
    return "；".join(p.line().removeprefix("错误：") for p in problems)


# --------------------------------------------------------------------------------------------
# The inbox


def fingerprint(path: Path) -> tuple[int, int, int, int]:
    """What must not change while a file settles and is read: size, inode, mtime, ctime."""
    info = os.stat(path)
    return (info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)


def settled(path: Path, settle: float, now: float | None = None) -> bool:
    """Whether ``path`` has not changed for ``settle`` seconds.

    The change time counts as well as the modification time: a copy that keeps the original's
    mtime (``cp -p``, an unpacked archive) still sets the ctime when it finishes. A
    modification time in the future (another machine's clock) is not trusted.
    """
    info = os.stat(path)
    now = time.time() if now is None else now
    changed = info.st_ctime if info.st_mtime > now else max(info.st_mtime, info.st_ctime)
    return now - changed >= settle


@dataclass
class Inbox:
    """The month files found in the inbox, and what the scan had to say about the others."""

    months: dict[Period, Path] = field(default_factory=dict)
    stamps: dict[Path, tuple[int, int, int, int]] = field(default_factory=dict)
    waiting: dict[Path, Period | None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def where(period: Period | None, file: Path | Sequence[Path]) -> str:
    """``2019-05 来源 2019-05.xlsx``: the month and the file(s) a log line is about."""
    files = [file] if isinstance(file, Path) else list(file)
    month = str(period) if period is not None else "月份未知"
    return f"{month} 来源 {'、'.join(f.name for f in files)}"


def scan_inbox(inbox: Path, scheme: Scheme, settle: float) -> Inbox:
    """Every settled month file in the inbox by its month (from the name, else the sheet)."""
    if not inbox.is_dir():
        raise InputError([Problem("inbox-missing", "收件箱目录不存在", file=str(inbox))])
    found = Inbox()
    by_month: dict[Period, list[Path]] = {}
    for entry in sorted(inbox.iterdir()):
        name = entry.name
        if name.startswith((".", "~$")) or entry.suffix.lower() not in INBOX_SUFFIXES:
            continue
        named = period_from_filename(entry)
        named = named if named is not None and named.month else None
        try:
            if not entry.is_file():
                continue
            stamp = fingerprint(entry)
            if not settled(entry, settle):
                found.waiting[entry] = named
                continue
            period = named or load_table(entry, scheme, allow_missing=True).period
        except IpscoreError as exc:
            found.errors.append(f"错误 {where(named, entry)}：{problems_text(exc.problems)}")
            continue
        except OSError as exc:
            found.errors.append(f"错误 {where(named, entry)}：无法读取（{exc.strerror}）")
            continue
        found.stamps[entry] = stamp
        by_month.setdefault(period, []).append(entry)
    for period, files in sorted(by_month.items()):
        if len(files) == 1:
            found.months[period] = files[0]
            continue
        found.errors.append(
            f"错误 {where(period, files)}：收件箱中 {period} 有多个文件，本月跳过；"
            "请只保留一个（更正的数据替换原文件即可）"
        )
    return found


# --------------------------------------------------------------------------------------------
# The run


def run_inbox(
    inbox: Path,
    out: Path,
    scheme: Scheme,
    rules: NoticeRules,
    when: date,
    *,
    formats: Sequence[str] = DEFAULT_FORMATS,
    db: Path | str | None = None,
    settle: float = SETTLE_SECONDS,
    lock_wait: float | None = None,
) -> InboxRun:
    """Publish the earliest inbox month not yet published in ``out`` (see the module notes).

    The log lines are already appended when this returns. An environment failure (the output
    folder or the store cannot be written) is logged and re-raised; so is a bug outside a
    month's publication (a bug while publishing one month is logged, that month skipped, and
    the status is 1).
    """
    cron = _Cron(inbox, out, scheme, rules, when, tuple(formats), db, settle)
    lock_wait = LOCK_WAIT if lock_wait is None else lock_wait
    try:
        if "pdf" in formats:
            from ipscore.render.pdf import require_soffice

            require_soffice()  # before anything is scored or written
        ensure_folder(out)
        with folder_lock(out, wait=lock_wait), Store(db) as store:
            cron.run(store)
    except FolderBusy:
        cron.log(
            f"跳过：另一个 ipscore 进程正在处理此输出目录（等待 {lock_wait:g} 秒仍未结束），"
            "本次未做改动"
        )
    except _Logged as logged:
        raise logged.error from None
    except (OutputError, StoreError) as exc:
        cron.log(f"失败 {problems_text(exc.problems)}", 2)
        raise
    except IpscoreError as exc:  # the inbox itself is missing
        cron.log("错误 " + problems_text(exc.problems), 2)
    except Exception as exc:
        cron.log(f"内部错误 {type(exc).__name__}: {exc}", 1)
        raise
    return cron.outcome


@dataclass
class _Cron:
    inbox: Path
    out: Path
    scheme: Scheme
    rules: NoticeRules
    when: date
    formats: tuple[str, ...]
    db: Path | str | None
    settle: float
    outcome: InboxRun = field(default_factory=lambda: InboxRun(0))

    def log(self, line: str, status: int = 0) -> None:
        append_log(self.out, line)
        self.outcome.lines.append(line)
        if status == 1 or (status == 2 and self.outcome.status == 0):
            self.outcome.status = status

    def run(self, store: Store) -> None:
        for path in remove_stale_circular_temps(self.out):
            self.log(f"清理 上次中断留下的临时文件 {path.name}")
        for path in restore_missing(store, self.out):
            month = path.name.split(" ", 1)[0]
            self.log(f"补齐 {month} 文件 {path.name}：上次运行中断，按历史库重新写入")
        published = store.published(folder_key(self.out))
        found = scan_inbox(self.inbox, self.scheme, self.settle)
        for line in found.errors:
            self.log(line, 2)
        pending = [(p, f) for p, f in found.months.items() if not self.done(p, published)]
        for file, period in found.waiting.items():
            if period is None:
                self.log(f"等待 {where(None, file)}：{WAITING}")
            elif not self.done(period, published):
                pending.append((period, file))
        pending.sort(key=lambda item: item[0])
        for period, source in pending:
            if source in found.waiting:
                self.log(f"等待 {where(period, source)}：{WAITING}（以后的月份也等下次）")
                return
            if self.publish(store, period, source, found):
                return
        if not pending and not found.waiting and not found.errors:
            self.log(f"无待处理月份（收件箱 {len(found.months)} 个文件均已生成通报）")

    def done(self, period: Period, published: dict[str, PublishedFile]) -> bool:
        """Whether the store records every requested file of the month in this folder."""
        paths = circular_paths(self.out, period, self.formats).values()
        return all(p.name in published for p in paths)

    def publish(self, store: Store, period: Period, source: Path, found: Inbox) -> bool:
        """Try one month; True when the run ends here (files written, or the file is still
        being written), False to go on with the next month."""
        stamp = found.stamps[source]

        def unchanged() -> None:
            try:
                now = fingerprint(source)
            except OSError:  # moved away or deleted while it was read: not settled either
                raise Unsettled from None
            if now != stamp:
                raise Unsettled

        try:
            ranking = score_month(
                source, self.scheme, store, prev_fallback=found.months.get(period.previous())
            )
            taken = take_number(store, self.rules, self.when, f"{period} 月度通报", None)
            notice, _ = monthly_notice(ranking, self.rules, self.when, taken.number)
            check_pages(notice, self.formats, ranking.warnings)
            result = write_set(
                store,
                self.out,
                ranking,
                notice,
                taken,
                self.formats,
                missing_only=True,
                before_writing=unchanged,
            )
        except Unsettled:
            self.log(f"等待 {where(period, source)}：{WAITING}（读取时文件在变化）")
            return True
        except (OutputError, StoreError) as exc:
            # The environment, not the month: every later month would fail the same way.
            self.log(f"失败 {where(period, source)}：{problems_text(exc.problems)}", 2)
            raise _Logged(exc) from None
        except OSError:
            raise
        except IpscoreError as exc:
            self.log(f"错误 {where(period, source)}：{problems_text(exc.problems)}；本月跳过", 2)
            return False
        except Exception as exc:
            text = f"{type(exc).__name__}: {exc}"
            self.log(f"内部错误 {where(period, source)}：{text}；本月跳过", 1)
            return False
        if not result.written:
            names = "、".join(p.name for p in result.kept)
            self.log(f"补记 {where(period, source)}：通报已存在（未改动），已记入历史库：{names}")
            return False
        self.log(success_line(period, source, result))
        self.outcome.published = result
        return True


def success_line(period: Period, source: Path, result: Published) -> str:
    """The log line of a published month."""
    names = "、".join(p.name for p in result.written)
    if period.month == 1:
        change = "1月不比较位次"
    elif result.ranking.previous is not None:
        change = "含位次变化"
    else:
        change = "无上月数据，无位次变化"
    count = len(result.written)
    line = f"成功 {where(period, source)}，写入 {count} 个文件（{change}）：{names}"
    if result.kept:
        line += f"；保留已有的 {'、'.join(p.name for p in result.kept)}（未改动）"
    warnings = [w for w in result.ranking.warnings if w.code != "no-previous-month"]
    if warnings:
        line += "；" + "；".join(w.line() for w in warnings)
    return line
