"""Publishing the monthly circular: one month's file set, and the unattended inbox run.

:func:`publish` scores a month (rank_change from ``prev`` or the stored previous month; none in
January, the first month of a new count), takes the circular's 文号 from the register (or
``number``), renders every requested format in memory, writes each file atomically (never over
an existing circular unless ``force``) and then records the month and the number in the store.

:func:`run_inbox` is what cron calls: the earliest month file in the inbox that has no circular
yet in the output directory is published (a backlog catches up one month per run), and one line
is appended to the log file in the output directory, whatever happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ipscore.app.rank import fill_rank_change, rank_month, record
from ipscore.base.files import write_bytes_atomic
from ipscore.base.period import Period, period_from_filename
from ipscore.base.problems import InputError, IpscoreError, Problem
from ipscore.intake.table import load_table
from ipscore.render.circular import Notice, build_notice
from ipscore.rules.identity import scheme_id
from ipscore.rules.notice import NoticeRules
from ipscore.rules.scheme import Scheme
from ipscore.scoring.score import Ranking
from ipscore.store.history import Store
from ipscore.store.register import NumberTaken, next_number, register_number

FORMATS = ("docx", "xlsx", "md", "pdf")
DEFAULT_FORMATS = ("docx", "xlsx", "md")
LOG_NAME = "ipscore-notice.log"
INBOX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
NAME = "发明专利申请情况通报"


def parse_formats(text: str) -> tuple[str, ...]:
    """``docx,xlsx,md,pdf`` → the formats in that order; ValueError naming an unknown one."""
    chosen = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ValueError(f"未知的格式：{'、'.join(unknown) or text!r}（可选：docx、xlsx、md、pdf）")
    return tuple(dict.fromkeys(chosen))


def circular_paths(out: Path, period: Period, formats: Sequence[str]) -> dict[str, Path]:
    """``DIR/2019-05 发明专利申请情况通报.docx`` and its siblings."""
    return {fmt: out / f"{period} {NAME}.{fmt}" for fmt in formats}


def render(notice: Notice, fmt: str) -> bytes:
    if fmt in ("docx", "pdf"):
        from ipscore.render.docx import docx_bytes

        data = docx_bytes(notice)
        if fmt == "pdf":
            from ipscore.render.pdf import to_pdf

            return to_pdf({"通报.docx": data}, notice.fonts)["通报.docx"]
        return data
    if fmt == "xlsx":
        if notice.kind == "annual":
            from ipscore.render.annual_notice import annual_notice_xlsx_bytes

            return annual_notice_xlsx_bytes(notice)
        from ipscore.render.xlsx import notice_xlsx_bytes

        return notice_xlsx_bytes(notice)
    from ipscore.render.notice_md import notice_markdown

    return notice_markdown(notice).encode("utf-8")


@dataclass
class Published:
    """What one publication did."""

    ranking: Any  # the Ranking, or the Assessment of an annual circular
    notice: Notice
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # already there, left alone


def check_pages(notice: Notice, formats: Sequence[str], warnings: list[Problem]) -> None:
    """Warn when Word and LibreOffice may break the circular's pages differently."""
    if "docx" in formats or "pdf" in formats:
        from ipscore.render.docx import page_warning

        message = page_warning(notice)
        if message:
            warnings.append(Problem("notice-pages", message, level="warning"))


def take_number(
    store: Store, rules: NoticeRules, when: date, subject: str, wanted: int | None
) -> int:
    """The circular's 文号 number: ``wanted``, else its own earlier one, else the next free."""
    try:
        return next_number(store, rules.doc_prefix, when.year, subject, wanted)
    except NumberTaken as exc:
        raise InputError(
            [
                Problem(
                    "notice-number-taken",
                    f"文号 {rules.doc_prefix}〔{when.year}〕{exc.number}号 已登记给 {exc.subject}；"
                    "请用 --number 另选序号（不指定则自动顺延）",
                )
            ]
        ) from None


def write_set(
    targets: dict[str, Path],
    render_one: Any,
    out: Path,
    *,
    force: bool,
    missing_only: bool,
    extra: dict[Path, bytes] | None = None,
) -> tuple[list[Path], list[Path]]:
    """Render every file first (a failure leaves nothing half-written), then write each
    atomically. Existing files are an error unless ``force`` or ``missing_only``."""
    existing = [p for p in targets.values() if p.exists()]
    if existing and not force and not missing_only:
        raise InputError(
            [
                Problem(
                    "notice-exists",
                    "通报文件已存在，未覆盖（确需重新生成请加 --force）",
                    file=str(p),
                )
                for p in existing
            ]
        )
    todo = {fmt: p for fmt, p in targets.items() if force or not p.exists()}
    contents = {p: render_one(fmt) for fmt, p in todo.items()}
    for path, data in (extra or {}).items():
        if force or not path.exists():
            contents[path] = data
    written = []
    for target, data in contents.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, data)
        written.append(target)
    kept = [p for p in targets.values() if p not in todo.values()]
    return written, kept


def _first_month(ranking: Ranking) -> None:
    """January starts a new count: nothing to compare with, and nothing to warn about."""
    ranking.previous = None
    for row in ranking.rows:
        row.rank_change = None
    ranking.warnings = [w for w in ranking.warnings if w.code != "prev-gap"]


def publish(
    path: Path | str,
    out: Path,
    scheme: Scheme,
    rules: NoticeRules,
    when: date,
    *,
    formats: Sequence[str] = DEFAULT_FORMATS,
    prev: Path | str | None = None,
    prev_fallback: Path | None = None,
    db: Path | str | None = None,
    force: bool = False,
    missing_only: bool = False,
    number: int | None = None,
    **options: Any,
) -> Published:
    """Write a month's circular set to ``out`` and record the month in the history store.

    rank_change comes from ``prev`` when given, else from the stored previous month, else from
    ``prev_fallback`` (the inbox's file for last month); January has none. Existing files are
    an error unless ``force`` (overwrite) or ``missing_only`` (keep them, write the others).
    """
    if "pdf" in formats:
        from ipscore.render.pdf import require_soffice

        require_soffice()  # before anything is scored or written
    ranking = rank_month(path, scheme, prev=prev, **options)
    january = ranking.period.month == 1
    with Store(db) as store:
        if january:
            _first_month(ranking)
        elif prev is None and not fill_rank_change(ranking, store):
            if prev_fallback is not None:
                ranking = rank_month(path, scheme, prev=prev_fallback, **options)
            else:
                previous = ranking.period.previous()
                ranking.warnings.append(
                    Problem(
                        "no-previous-month",
                        f"历史库中没有上月（{previous}）的排名，位次变化为 —"
                        "（可用 --prev 指定上月统计表）",
                        level="warning",
                    )
                )
        subject = f"{ranking.period} 月度通报"
        taken = take_number(store, rules, when, subject, number)
        notice = build_notice(ranking, rules, when, taken)
        check_pages(notice, formats, ranking.warnings)
        paths = circular_paths(out, ranking.period, formats)
        written, kept = write_set(
            paths, lambda fmt: render(notice, fmt), out, force=force, missing_only=missing_only
        )
        record(store, ranking)
        register_number(store, rules.doc_prefix, when.year, taken, subject)
    return Published(ranking, notice, written, kept)


# --------------------------------------------------------------------------------------------
# The unattended monthly run


@dataclass
class InboxRun:
    """The outcome of one cron run: exit status, the log line, and what was published."""

    status: int
    line: str
    published: Published | None = None


def inbox_months(inbox: Path, scheme: Scheme) -> dict[Period, Path]:
    """Every month file in the inbox by its month (from the name, else from the sheet)."""
    if not inbox.is_dir():
        raise InputError([Problem("inbox-missing", "收件箱目录不存在", file=str(inbox))])
    found: dict[Period, list[Path]] = {}
    for entry in sorted(inbox.iterdir()):
        name = entry.name
        if not entry.is_file() or name.startswith((".", "~$")):
            continue
        if entry.suffix.lower() not in INBOX_SUFFIXES:
            continue
        period = period_from_filename(entry) or load_table(entry, scheme, allow_missing=True).period
        found.setdefault(period, []).append(entry)
    doubles = {p: files for p, files in found.items() if len(files) > 1}
    if doubles:
        raise InputError(
            [
                Problem(
                    "inbox-duplicate",
                    f"收件箱中 {period} 有多个文件：{'、'.join(f.name for f in files)}；"
                    "请只保留一个（更正的数据替换原文件即可）",
                    file=str(inbox),
                )
                for period, files in sorted(doubles.items())
            ]
        )
    return {period: files[0] for period, files in sorted(found.items())}


def _stamp() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def append_log(out: Path, line: str) -> None:
    """Append one time-stamped line to the output directory's log file.

    The line is made printable (a newline or ESC in an inbox file name is shown as ``\\n``,
    ``\\x1b``), so one run is one line and nothing in it reaches a terminal raw; the log is
    never opened through a symlink (see :func:`ipscore.base.files.append_text`).
    """
    from ipscore.base.files import append_text, ensure_folder
    from ipscore.base.text import printable

    ensure_folder(out)
    # One write of one line in append mode: concurrent runs never interleave within a line.
    append_text(out / LOG_NAME, f"{_stamp()}  {printable(line, None)}\n")


def problems_text(problems: Sequence[Problem]) -> str:
    """Problems on one log line."""
    return "；".join(p.line().removeprefix("错误：") for p in problems)


def run_inbox(
    inbox: Path,
    out: Path,
    scheme: Scheme,
    rules: NoticeRules,
    when: date,
    *,
    formats: Sequence[str] = DEFAULT_FORMATS,
    db: Path | str | None = None,
) -> InboxRun:
    """Publish the earliest inbox month that is not done in ``out``.

    A month is done when its circular set is complete and the history store holds it under
    ``scheme``. A month whose circular is complete but was never recorded (a run stopped
    between the two, or another store) is recorded now, without touching its files, and the
    run goes on to the next month. Returns status 0 (done, or nothing to do) or 2 (bad input or
    an unusable store); the log line is already appended. Anything unexpected is logged and
    re-raised (the CLI makes it status 1).
    """
    source: Path | None = None
    period: Period | None = None
    caught_up: list[str] = []
    try:
        months = inbox_months(inbox, scheme)
        with Store(db, readonly=True) as store:
            recorded = {p for p in months if store.has(p, scheme_id(scheme))}
        for candidate, file in months.items():
            complete = all(p.exists() for p in circular_paths(out, candidate, formats).values())
            if complete and candidate in recorded:
                continue
            period, source = candidate, file
            if not complete:
                break
            publish(
                file,
                out,
                scheme,
                rules,
                when,
                formats=formats,
                prev_fallback=months.get(candidate.previous()),
                db=db,
                missing_only=True,
            )
            caught_up.append(str(candidate))
            period = source = None
        done = f"补记历史 {'、'.join(caught_up)}（通报已存在，未改动）；" if caught_up else ""
        if source is None or period is None:
            line = done + f"无待处理月份（收件箱 {len(months)} 个文件均已生成通报）"
            append_log(out, line)
            return InboxRun(0, line)
        result = publish(
            source,
            out,
            scheme,
            rules,
            when,
            formats=formats,
            prev_fallback=months.get(period.previous()),
            db=db,
            missing_only=True,
        )
        names = "、".join(p.name for p in result.written)
        if period.month == 1:
            change = "1月不比较位次"
        elif result.ranking.previous is not None:
            change = "含位次变化"
        else:
            change = "无上月数据，无位次变化"
        count = len(result.written)
        line = done + (
            f"成功 {period} 来源 {source.name}，写入 {count} 个文件（{change}）：{names}"
        )
        warnings = [w for w in result.ranking.warnings if w.code != "no-previous-month"]
        if warnings:
            line += "；" + "；".join(w.line() for w in warnings)
        append_log(out, line)
        return InboxRun(0, line, result)
    except IpscoreError as exc:
        where = f"{period} 来源 {source.name}：" if source is not None and period else ""
        line = "错误 " + where + problems_text(exc.problems)
        if caught_up:
            line = f"补记历史 {'、'.join(caught_up)}；" + line
        append_log(out, line)
        return InboxRun(2, line)
    except Exception as exc:
        append_log(out, f"内部错误 {type(exc).__name__}: {exc}")
        raise
