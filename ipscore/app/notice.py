"""Publishing the monthly circular: one month's file set and its history entry, together.

What "published" means: a month is published in a folder when the history store records it
and every file of its set is in the folder under its final name. The files only ever appear
after the store has the month, so a circular is never out without its history entry:

1. score the month and render every requested format in memory;
2. write each file to a temporary name beside its target (``.NAME.XXXXXXXX.tmp``, see
   :mod:`ipscore.base.files`) — a full disk or a refusal here leaves nothing;
3. record the month in the history store (one transaction) — a store that cannot be written
   leaves nothing: the temporaries are removed;
4. rename the temporaries into place.

A run killed between 3 and 4 leaves temporaries that the next write of those names removes
(their writer's lock is gone). Only one publication runs in an output folder at a time
(:func:`ipscore.base.lock.folder_lock`). The unattended monthly run is :mod:`ipscore.app.inbox`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ipscore.app.rank import fill_rank_change, rank_month, record
from ipscore.base.files import Staged, ensure_folder, remove_stale_temps, stage_bytes
from ipscore.base.lock import folder_lock
from ipscore.base.period import Period
from ipscore.base.problems import InputError, Problem
from ipscore.render.circular import Notice, build_notice
from ipscore.rules.notice import NoticeRules
from ipscore.rules.scheme import Scheme
from ipscore.scoring.score import Ranking
from ipscore.store.history import Store

FORMATS = ("docx", "xlsx", "md")
NAME = "发明专利申请情况通报"
LOCK_WAIT = 30.0  # seconds a publication waits for another run in the same folder
_CIRCULAR_NAME = re.compile(r"\d{4}(-\d{2})? .+\.(docx|xlsx|md)", re.DOTALL)


def parse_formats(text: str) -> tuple[str, ...]:
    """``docx,xlsx,md`` → the formats in that order; ValueError naming an unknown one."""
    chosen = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ValueError(f"未知的格式：{'、'.join(unknown) or text!r}（可选：docx、xlsx、md）")
    return tuple(dict.fromkeys(chosen))


def circular_paths(out: Path, period: Period, formats: Sequence[str]) -> dict[str, Path]:
    """``DIR/2019-05 发明专利申请情况通报.docx`` and its siblings."""
    return {fmt: out / f"{period} {NAME}.{fmt}" for fmt in formats}


def render(notice: Notice, fmt: str) -> bytes:
    if fmt == "docx":
        from ipscore.render.docx import docx_bytes

        return docx_bytes(notice)
    if fmt == "xlsx":
        from ipscore.render.xlsx import notice_xlsx_bytes

        return notice_xlsx_bytes(notice)
    from ipscore.render.notice_md import notice_markdown

    return notice_markdown(notice).encode("utf-8")


def is_circular_name(name: str) -> bool:
    """Whether ``name`` is one ipscore gives a circular (``2019-05 发明专利申请情况通报.docx``)."""
    return _CIRCULAR_NAME.fullmatch(name) is not None


def remove_stale_circular_temps(out: Path) -> list[Path]:
    """Remove temporaries of circulars left in ``out`` by runs that died."""
    return remove_stale_temps(out, is_circular_name)


@dataclass
class Published:
    """What one publication did."""

    ranking: Ranking
    notice: Notice
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # already there, left alone


def publish(
    path: Path | str,
    out: Path,
    scheme: Scheme,
    rules: NoticeRules,
    when: date,
    *,
    lock_wait: float | None = None,
    **options: Any,
) -> Published:
    """Write a month's circular set to ``out`` and record the month in the history store,
    holding ``out``'s lock (see :func:`publish_locked` for the options)."""
    ensure_folder(out)
    with folder_lock(out, wait=LOCK_WAIT if lock_wait is None else lock_wait):
        remove_stale_circular_temps(out)
        return publish_locked(path, out, scheme, rules, when, **options)


def publish_locked(
    path: Path | str,
    out: Path,
    scheme: Scheme,
    rules: NoticeRules,
    when: date,
    *,
    formats: Sequence[str] = FORMATS,
    prev: Path | str | None = None,
    prev_fallback: Path | None = None,
    db: Path | str | None = None,
    force: bool = False,
    missing_only: bool = False,
    before_writing: Callable[[], None] | None = None,
    **options: Any,
) -> Published:
    """:func:`publish` for a caller that holds ``out``'s lock.

    rank_change comes from ``prev`` when given, else from the stored previous month, else from
    ``prev_fallback`` (the inbox's file for last month; if that file cannot be read the
    circular shows — with a warning). Existing files are an error unless ``force`` (overwrite)
    or ``missing_only`` (keep them, write the others). ``before_writing`` is called once the
    month is scored and rendered, before anything is written: it may raise to stop the
    publication (the inbox run checks there that its file did not change while being read).
    """
    ranking = rank_month(path, scheme, prev=prev, **options)
    with Store(db) as store:
        if prev is None and not fill_rank_change(ranking, store):
            ranking = _with_fallback(ranking, path, scheme, prev_fallback, options)
        notice = build_notice(ranking, rules, when)
        paths = circular_paths(out, ranking.period, formats)
        existing = [p for p in paths.values() if p.exists()]
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
        # Render everything before writing anything: a failure leaves no partial set.
        todo = {fmt: p for fmt, p in paths.items() if force or not p.exists()}
        contents = {fmt: render(notice, fmt) for fmt in todo}
        if before_writing is not None:
            before_writing()
        result = Published(
            ranking, notice, kept=[p for p in paths.values() if p not in todo.values()]
        )
        staged: list[Staged] = []
        try:
            for fmt, target in todo.items():
                staged.append(stage_bytes(target, contents[fmt]))
            record(store, ranking)
        except BaseException:
            for item in staged:
                item.discard()
            raise
    commit_all(staged)
    result.written.extend(item.target for item in staged)
    return result


def commit_all(staged: Sequence[Staged]) -> None:
    """Rename every staged file into place; after a failure the rest are discarded."""
    for number, item in enumerate(staged):
        try:
            item.commit()
        except BaseException:
            for rest in staged[number + 1 :]:
                rest.discard()
            raise


def _with_fallback(
    ranking: Ranking,
    path: Path | str,
    scheme: Scheme,
    fallback: Path | None,
    options: dict[str, Any],
) -> Ranking:
    """The ranking with rank_change from last month's file, or a warning why there is none."""
    previous = ranking.period.previous()
    if fallback is not None:
        try:
            return rank_month(path, scheme, prev=fallback, **options)
        except InputError as exc:
            reason = exc.problems[0].line().removeprefix("错误：") if exc.problems else ""
            ranking.warnings.append(
                Problem(
                    "prev-unreadable",
                    f"上月（{previous}）的统计表 {fallback.name} 无法读取，位次变化为 —：{reason}",
                    level="warning",
                )
            )
            return ranking
    ranking.warnings.append(
        Problem(
            "no-previous-month",
            f"历史库中没有上月（{previous}）的排名，位次变化为 —（可用 --prev 指定上月统计表）",
            level="warning",
        )
    )
    return ranking
