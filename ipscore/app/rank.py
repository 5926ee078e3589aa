"""The monthly ranking, end to end: load a month's sheet (and last month's), score, rank, and
record it in the history store under its scheme."""

from __future__ import annotations

import getpass
import hashlib
import os
from pathlib import Path
from typing import Any

from ipscore.base.period import Period
from ipscore.base.problems import InputError, Problem
from ipscore.intake.model import DataTable
from ipscore.intake.table import load_table
from ipscore.rules.identity import scheme_id
from ipscore.rules.resolve import is_official
from ipscore.rules.scheme import Scheme
from ipscore.scoring.score import Ranking, score
from ipscore.store.history import Provenance, Publication, Store, StoreError


def fill_rank_change(ranking: Ranking, store: Store) -> bool:
    """Fill rank_change from the stored previous month; True when that month was stored."""
    previous = ranking.period.previous()
    # Only the previous month under the same scheme: a changed rule would show as movement.
    ranks = store.ranks(previous, scheme_id(ranking.scheme))
    if ranks is None:
        return False
    for row in ranking.rows:
        if row.county in ranks:
            row.rank_change = ranks[row.county] - row.rank
    ranking.previous = previous
    return True


def provenance(ranking: Ranking) -> Provenance:
    """The scheme identity, whether it is the official scheme, the file, its sha256, and who."""
    source = Path(ranking.table.file)
    return Provenance(
        scheme=scheme_id(ranking.scheme),
        official=is_official(ranking.scheme),
        source=str(source.absolute()),
        sha256=file_sha256(source),
        user=_user(),
    )


def record(store: Store, ranking: Ranking, publication: Publication | None = None) -> int:
    """Record a ranking as a new version of its month under its scheme (with the circular files
    published from it, in the same transaction, when given)."""
    return store.record(ranking, provenance(ranking), publication)


def file_sha256(path: Path) -> str:
    """The file's sha256 in hex; '' when it cannot be read again."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else ""


def rank_recorded(
    path: Path | str,
    scheme: Scheme,
    *,
    db: Path | str | None = None,
    prev: Path | str | None = None,
    strict: bool = False,
    **options: Any,
) -> Ranking:
    """Rank a month, take rank_change from the stored previous month under the same scheme when
    no ``prev`` file is given, and record the month in the store.

    With ``strict`` a store failure raises :class:`StoreError`; otherwise it becomes a warning
    and the ranking is returned all the same (``rank`` must not fail for want of a history).
    """
    ranking = rank_month(path, scheme, prev=prev, **options)
    try:
        with Store(db) as store:
            if prev is None:
                fill_rank_change(ranking, store)
            record(store, ranking)
    except StoreError as exc:
        if strict:
            raise
        ranking.warnings.append(
            Problem(
                "history-unavailable",
                f"{exc.message}；本次结果未记入历史",
                level="warning",
                file=exc.path,
            )
        )
    return ranking


def load_previous(path: Path, scheme: Scheme, current: Period, *, allow_missing: bool) -> DataTable:
    """Last month's table; its month comes from its own title or name, else current − 1."""
    try:
        table = load_table(path, scheme, allow_missing=allow_missing)
    except InputError as exc:
        if [p.code for p in exc.problems] != ["month-unknown"]:
            raise
        table = load_table(path, scheme, period=current.previous(), allow_missing=allow_missing)
    if table.period >= current:
        raise InputError(
            [
                Problem(
                    "prev-not-earlier",
                    f"--prev 文件的月份是 {table.period}，不早于本月 {current}；应为上月的统计表",
                    file=table.file,
                    sheet=table.sheet,
                )
            ]
        )
    if table.period != current.previous():
        table.warnings.append(
            Problem(
                "prev-gap",
                f"--prev 文件是 {table.period} 的数据，不是上月（{current.previous()}）；"
                "位次变化与该月相比",
                level="warning",
                file=table.file,
                sheet=table.sheet,
            )
        )
    return table


def rank_month(
    path: Path | str,
    scheme: Scheme,
    *,
    sheet: str | None = None,
    period: Period | None = None,
    allow_missing: bool = False,
    prev: Path | str | None = None,
) -> Ranking:
    """Score a month's statistics sheet; with ``prev`` (last month's file) fill rank_change."""
    table = load_table(path, scheme, sheet=sheet, period=period, allow_missing=allow_missing)
    previous = None
    warnings: list[Problem] = []
    if prev is not None:
        prev_table = load_previous(Path(prev), scheme, table.period, allow_missing=True)
        previous = score(prev_table, scheme)
        warnings = [w for w in prev_table.warnings if w.code != "scheme-year"]
    ranking = score(table, scheme, previous)
    ranking.warnings.extend(warnings)
    return ranking
