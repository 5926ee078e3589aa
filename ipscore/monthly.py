"""The monthly ranking, end to end: load a month's sheet (and last month's), score, rank."""

from __future__ import annotations

from pathlib import Path

from ipscore.loading import DataTable, Period, load_table
from ipscore.problems import InputError, Problem
from ipscore.rules import Scheme
from ipscore.scoring import Ranking, score


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
