"""Publishing the monthly circular: one month's file set and its history entry, together.

What "published" means: the history store records the month's ranking together with the
circular files published from it in an output folder — their names and their bytes — in one
transaction (:class:`ipscore.store.history.Publication`). That record is the truth; the files
in the folder are its rendering. A publication goes:

1. score the month (rank_change from ``prev`` or the stored previous month; none in January,
   the first month of a new count), take its 文号 from the register (or ``number``), and
   render every requested format in memory;
2. write each file to a temporary name beside its target (``.NAME.XXXXXXXX.tmp``, see
   :mod:`ipscore.base.files`) — a full disk or a refusal here leaves nothing;
3. record the ranking, the files and the 文号 in the store (one transaction) — a store that
   cannot be written leaves nothing: the temporaries are removed;
4. rename the temporaries into place.

So a circular is never out without its history entry. A run killed between 3 and 4 leaves a
recorded publication with files missing: the next cron run writes them again from the store
(:func:`ipscore.app.fileset.restore_missing`) and removes the temporaries (their writer's lock
is gone). Files in the folder that the store does not record (an older ipscore, another store)
are not published: the cron run records them then, without touching them. Only one publication
runs in an output folder at a time (:func:`ipscore.base.lock.folder_lock`). The unattended
monthly run is :mod:`ipscore.app.inbox`; the file-set mechanics are in :mod:`ipscore.app.fileset`.
With ``--force`` the new set replaces the month's set in the folder: a file of the earlier set
that the new one lacks is withdrawn (removed if unchanged since published, before the record,
so a run killed in between leaves the earlier set recorded and restorable).

The PNGs of a 附图 (``[monthly] figures``), written beside the Markdown that refers to them,
are files of the set like the others: staged, recorded and restored with it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ipscore.app.fileset import (
    earlier_files,
    folder_key,
    publish_files,
    refuse_existing,
    remove_stale_circular_temps,
)
from ipscore.app.rank import fill_rank_change, rank_month, record
from ipscore.base.files import ensure_folder, remove_if_unchanged
from ipscore.base.lock import folder_lock
from ipscore.base.period import Period
from ipscore.base.problems import InputError, Problem
from ipscore.render.circular import Notice, build_notice
from ipscore.rules.notice import NoticeRules
from ipscore.rules.scheme import Scheme
from ipscore.scoring.score import Ranking
from ipscore.store.history import Publication, Store
from ipscore.store.register import NumberTaken, next_number, register_number

FORMATS = ("docx", "xlsx", "md", "pdf")
DEFAULT_FORMATS = ("docx", "xlsx", "md")
NAME = "发明专利申请情况通报"
LOCK_WAIT = 30.0  # seconds a publication waits for another run in the same folder


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


def image_paths(md: Path, notice: Notice) -> list[Path]:
    """The PNG of each chart of the 附图, written beside the Markdown that refers to them:
    ``2019-06 发明专利申请情况通报 图1.png``."""
    return [md.with_name(f"{md.stem} 图{i}.png") for i in range(1, len(notice.charts) + 1)]


def render(notice: Notice, fmt: str, images: Sequence[str] = ()) -> bytes:
    """One file of the set; ``images`` names the 附图's PNG files the Markdown refers to."""
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

    return notice_markdown(notice, images).encode("utf-8")


@dataclass
class Published:
    """What one publication did."""

    ranking: Any  # the Ranking, or the Assessment of an annual circular
    notice: Notice
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # already there, left alone
    removed: list[Path] = field(default_factory=list)  # of the earlier set, no longer published
    left: list[Path] = field(default_factory=list)  # of the earlier set, changed since: kept
    chart_font: Any = None  # the charts.Font the 附图 was drawn in; None: no 附图, or no font


def monthly_notice(
    ranking: Ranking, rules: NoticeRules, when: date, number: int
) -> tuple[Notice, Any]:
    """The monthly circular with the 附图 notice.toml asks for (``[monthly] figures``), drawn
    in a CJK font found on the machine, and that font (None when there is no 附图 or no font;
    the ranking's warnings then say why)."""
    kinds = rules.wording(ranking.period.month).figures
    if not kinds:
        return build_notice(ranking, rules, when, number), None
    from ipscore.render.charts import find_cjk_font
    from ipscore.render.notice_figures import figure_annex

    font = find_cjk_font()
    if font is None:
        ranking.warnings.append(
            Problem(
                "font-missing",
                "本机没有找到中文字体，通报附图中的中文会显示为方框；请安装中文字体"
                "（Linux：fonts-noto-cjk；Windows 自带微软雅黑、黑体）",
                level="warning",
            )
        )
    figure, left_out = figure_annex(ranking, kinds, font, when)
    if left_out:
        ranking.warnings.append(
            Problem(
                "notice-figure-skipped",
                f"通报设置要求附完成率图，但本月{ranking.scheme.units.words.each}都没有年度目标："
                "附图略去此图",
                level="warning",
            )
        )
    return build_notice(ranking, rules, when, number, figure), font


def check_pages(notice: Notice, formats: Sequence[str], warnings: list[Problem]) -> None:
    """Warn when Word and LibreOffice may break the circular's pages differently."""
    if "docx" in formats or "pdf" in formats:
        from ipscore.render.docx import page_warning

        message = page_warning(notice)
        if message:
            warnings.append(Problem("notice-pages", message, level="warning"))


@dataclass(frozen=True)
class DocNumber:
    """The 文号 a circular takes: registered with the publication, in the same transaction."""

    prefix: str
    year: int
    number: int
    subject: str

    def register(self, store: Store) -> None:
        try:
            register_number(store, self.prefix, self.year, self.number, self.subject)
        except NumberTaken as exc:
            taken = DocNumber(self.prefix, self.year, exc.number, exc.subject)
            raise _number_taken(taken) from None


def take_number(
    store: Store, rules: NoticeRules, when: date, subject: str, wanted: int | None
) -> DocNumber:
    """The circular's 文号: ``wanted``, else its own earlier one, else the next free."""
    try:
        number = next_number(store, rules.doc_prefix, when.year, subject, wanted)
    except NumberTaken as exc:
        taken = DocNumber(rules.doc_prefix, when.year, exc.number, exc.subject)
        raise _number_taken(taken) from None
    return DocNumber(rules.doc_prefix, when.year, number, subject)


def _number_taken(taken: DocNumber) -> InputError:
    return InputError(
        [
            Problem(
                "notice-number-taken",
                f"文号 {taken.prefix}〔{taken.year}〕{taken.number}号 已登记给 {taken.subject}；"
                "请用 --number 另选序号（不指定则自动顺延）",
            )
        ]
    )


def publish(
    path: Path | str,
    out: Path,
    scheme: Scheme,
    rules: NoticeRules,
    when: date,
    *,
    formats: Sequence[str] = DEFAULT_FORMATS,
    prev: Path | str | None = None,
    db: Path | str | None = None,
    force: bool = False,
    number: int | None = None,
    lock_wait: float | None = None,
    **options: Any,
) -> Published:
    """Publish a month's circular set in ``out`` (``ipscore notice FILE``).

    rank_change comes from ``prev`` when given, else from the stored previous month. Existing
    files are an error unless ``force``. The data, the store and the wording are checked
    before the output folder is created; the folder's lock is held while writing.
    """
    if "pdf" in formats:
        from ipscore.render.pdf import require_soffice

        require_soffice()  # before anything is scored or written
    with Store(db) as store:
        ranking = score_month(path, scheme, store, prev=prev, **options)
        taken = take_number(store, rules, when, f"{ranking.period} 月度通报", number)
        notice, font = monthly_notice(ranking, rules, when, taken.number)
        check_pages(notice, formats, ranking.warnings)
        ensure_folder(out)
        with folder_lock(out, wait=LOCK_WAIT if lock_wait is None else lock_wait):
            remove_stale_circular_temps(out)
            done = write_set(store, out, ranking, notice, taken, formats, force=force)
    done.chart_font = font
    return done


def score_month(
    path: Path | str,
    scheme: Scheme,
    store: Store,
    *,
    prev: Path | str | None = None,
    prev_fallback: Path | None = None,
    **options: Any,
) -> Ranking:
    """Score a month; rank_change from ``prev``, else the stored previous month under the same
    scheme, else ``prev_fallback`` (the inbox's file for last month; if that file cannot be
    read the circular shows — with a warning), else none (with a warning). January has none:
    it starts a new count."""
    ranking = rank_month(path, scheme, prev=prev, **options)
    if ranking.period.month == 1:
        ranking.previous = None
        for row in ranking.rows:
            row.rank_change = None
        ranking.warnings = [w for w in ranking.warnings if w.code != "prev-gap"]
    elif prev is None and not fill_rank_change(ranking, store):
        ranking = _with_fallback(ranking, path, scheme, prev_fallback, options)
    return ranking


def write_set(
    store: Store,
    out: Path,
    ranking: Ranking,
    notice: Notice,
    taken: DocNumber,
    formats: Sequence[str],
    *,
    force: bool = False,
    missing_only: bool = False,
    before_writing: Callable[[], None] | None = None,
) -> Published:
    """Render, stage, record, rename (see the module notes); the caller holds ``out``'s lock.

    Existing files are an error unless ``force`` (replace them) or ``missing_only`` (keep them
    as they are; the store records the set as rendered). ``before_writing`` is called once
    everything is rendered, before anything is written; it may raise to stop the publication.
    """
    paths = circular_paths(out, ranking.period, formats)
    images = image_paths(paths["md"], notice) if "md" in paths else []
    targets = [*paths.values(), *images]
    refuse_existing(targets, force or missing_only)
    # Render everything before writing anything: a failure leaves no partial set.
    names = [p.name for p in images]
    contents = {paths[fmt].name: render(notice, fmt, names) for fmt in paths}
    if images:  # the PNGs go with the Markdown that refers to them
        contents.update({p.name: c.png for p, c in zip(images, notice.charts, strict=True)})
    todo = [p for p in targets if force or not p.exists()]
    # --force replaces the month's set: a file of the earlier set that this one lacks (a PDF
    # when only docx is asked now) is no longer published, and goes if nobody changed it.
    dropped = earlier_files(store, out, ranking.period, contents) if force else {}
    removed: list[Path] = []
    if before_writing is not None:
        before_writing()

    def record_all() -> None:
        # Removed before the record: a run killed in between leaves the earlier set recorded,
        # and the next cron run writes the removed file again (restore_missing).
        removed.extend(p for p, digest in dropped.items() if remove_if_unchanged(p, digest))
        with store.transaction():
            record(store, ranking, Publication(folder_key(out), contents, whole_month=force))
            taken.register(store)

    written = publish_files({p: contents[p.name] for p in todo}, record_all)
    kept = [p for p in targets if p not in todo]
    left = [p for p in dropped if p not in removed and os.path.lexists(p)]
    ranking.warnings.extend(
        Problem(
            "notice-earlier-changed",
            "上次生成的本月通报中有此文件，这次不再生成；它在生成后被改动过，未删除（已不属于本月通报）",
            file=str(p),
            level="warning",
        )
        for p in left
    )
    return Published(ranking, notice, written=written, kept=kept, removed=removed, left=left)


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
