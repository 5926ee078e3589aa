"""The month history in a terminal: the stored months (each unit's trend is :mod:`.trend`).

The store keeps the recording time in UTC; it is shown in the machine's local time, the time of
the cron log and of the files beside it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ipscore.render.table import Column, Note, Table, number, text
from ipscore.store.history import MonthInfo


def months_json(months: list[MonthInfo]) -> list[dict[str, Any]]:
    return [
        {
            "month": m.month,
            "scheme": m.scheme,
            "scheme_digest": m.digest,
            "official": m.official,
            "source": m.source,
            "source_sha256": m.sha256,
            "units": m.units,
            "first": m.leader,
            "recorded_by": m.recorded_by,
            "recorded_at": m.recorded_at,
            "recorded_at_local": local_time(m.recorded_at, seconds=True),
            "versions": m.versions,
            "version": m.version,
        }
        for m in months
    ]


def local_time(stamp: str, *, seconds: bool = False) -> str:
    """A stored UTC time (``2019-07-05 00:05:01``) in local time; as stored if unreadable."""
    try:
        moment = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def months_view(months: list[MonthInfo], every_version: bool = False) -> Table:
    """The recorded months as a table for every writer; on a narrow terminal the source file,
    then the recorder and counts, are left out first."""
    title = "历史库中的每一次记录" if every_version else "已记录的月份（每月每个方案的最新一次）"
    columns = [
        Column("月份", width=9),
        Column("方案", width=26, fold=True, min_width=12),
        Column("方案摘要", width=10, drop=2, group="方案摘要"),
        Column("类别", width=6),
        Column("单位数", number=True, width=7, drop=2, group="单位数"),
        Column("第一名", width=10),
        Column("来源文件", width=24, fold=True, drop=1),
        Column("记录人", width=10, drop=2, group="记录人"),
        Column("记录时间", width=17),
    ]
    if not every_version:
        columns.append(Column("记录次数", number=True, width=8, drop=2, group="记录次数"))
    rows = []
    for m in months:
        source = m.source.replace("\\", "/").rsplit("/", 1)[-1]
        cells = [
            text(m.month),
            text(m.scheme),
            text(m.digest[:8] or "—"),
            text("官方" if m.official else "试算"),
            number(m.units),
            text(m.leader),
            text(source),
            text(m.recorded_by or "—"),
            text(local_time(m.recorded_at)),
        ]
        if not every_version:
            cells.append(number(m.versions))
        rows.append(cells)
    return Table(
        title=title,
        columns=columns,
        rows=rows,
        notes=[Note("记录时间为本机当地时间")],
        sheet="历史库",
        data=months_json(months),
    )
