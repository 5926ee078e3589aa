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
(:func:`restore_missing`) and removes the temporaries (their writer's lock is gone). Files in
the folder that the store does not record (an older ipscore, another store) are not published:
the cron run records them then, without touching them. Only one publication runs in an output
folder at a time (:func:`ipscore.base.lock.folder_lock`). The unattended monthly run is
:mod:`ipscore.app.inbox`.

The PNGs of a 附图 (``[monthly] figures``), written beside the Markdown that refers to them,
are files of the set like the others: staged, recorded and restored with it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
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
from ipscore.store.history import Publication, Store
from ipscore.store.register import NumberTaken, next_number, register_number

FORMATS = ("docx", "xlsx", "md", "pdf")
DEFAULT_FORMATS = ("docx", "xlsx", "md")
NAME = "发明专利申请情况通报"
LOCK_WAIT = 30.0  # seconds a publication waits for another run in the same folder
_CIRCULAR_NAME = re.compile(r"\d{4}(-\d{2})? .+\.(docx|xlsx|md|pdf|png)", re.DOTALL)


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


def is_circular_name(name: str) -> bool:
    """Whether ``name`` is one ipscore gives a circular (``2019-05 发明专利申请情况通报.docx``)."""
    return _CIRCULAR_NAME.fullmatch(name) is not None


def remove_stale_circular_temps(out: Path) -> list[Path]:
    """Remove temporaries of circulars left in ``out`` by runs that died."""
    return remove_stale_temps(out, is_circular_name)


def folder_key(out: Path) -> str:
    """How the store names an output folder: its absolute path, links resolved."""
    return os.path.realpath(out)


@dataclass
class Published:
    """What one publication did."""

    ranking: Any  # the Ranking, or the Assessment of an annual circular
    notice: Notice
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # already there, left alone
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
                "通报设置要求附完成率图，但本月各区县都没有年度目标：附图略去此图",
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
    if before_writing is not None:
        before_writing()

    def record_all() -> None:
        with store.transaction():
            record(store, ranking, Publication(folder_key(out), contents))
            taken.register(store)

    written = publish_files({p: contents[p.name] for p in todo}, record_all)
    kept = [p for p in targets if p not in todo]
    return Published(ranking, notice, written=written, kept=kept)


def refuse_existing(paths: Iterable[Path], allowed: bool) -> None:
    """An error naming every existing file, unless replacing or keeping them is ``allowed``."""
    existing = [p for p in paths if p.exists()]
    if existing and not allowed:
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


def publish_files(files: dict[Path, bytes], record_all: Callable[[], None]) -> list[Path]:
    """Stage every file, call ``record_all`` (the store transaction), then rename them all into
    place; if staging or recording fails, nothing is renamed and no temporary is left."""
    staged: list[Staged] = []
    try:
        for target, data in files.items():
            ensure_folder(target.parent)
            staged.append(stage_bytes(target, data))
        record_all()
    except BaseException:
        for item in staged:
            item.discard()
        raise
    commit_all(staged)
    return [item.target for item in staged]


def restore_missing(store: Store, out: Path) -> list[Path]:
    """Write again, from the store, every file recorded as published in ``out`` that is not
    there (a run killed before its renames); a name taken by anything else is left alone.
    The caller holds ``out``'s lock."""
    folder = folder_key(out)
    restored: list[Path] = []
    for name in sorted(store.published(folder)):
        target = out / name
        if Path(name).name != name or not is_circular_name(name) or os.path.lexists(target):
            continue
        data = store.published_content(folder, name)
        if data is None:  # pragma: no cover - removed since listed, under our lock: cannot be
            continue
        stage_bytes(target, data).commit()
        restored.append(target)
    return restored


def commit_all(staged: Sequence[Staged]) -> None:
    """Rename every staged file into place; after a failure the rest are discarded.

    A rename fails only when something was planted at the name since it was staged (refused,
    never followed) or the disk fails: the set stays recorded, and the next cron run writes
    the missing files once their names are free (:func:`restore_missing`)."""
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
