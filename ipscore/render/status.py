"""The collection round as a table: every unit, its state, when its file came and what is wrong."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ipscore.render.table import Column, Note, Table, Tone, number, text
from ipscore.scoring.collection import Collection, UnitState

_TONES: dict[str, Tone] = {"已报送": "good", "未报送": "", "逾期未报": "bad"}


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _problems(unit: UnitState) -> str:
    if not unit.problems:
        return ""
    first = unit.problems[0]
    # The file is in its own column: the place is the cell (and its header) alone.
    where = (first.cell or "") + (f"（{first.header}）" if first.header else "")
    shown = f"{where}：{first.message}" if where else first.message
    more = (
        f"（另有 {len(unit.problems) - 1} 条，见 ipscore validate）"
        if len(unit.problems) > 1
        else ""
    )
    return shown + more


def summary(collection: Collection) -> list[str]:
    """The notes under the table: the deadline, the counts, the files that count for nothing."""
    units = collection.units
    reported = [u for u in units if u.reported]
    missing = len(units) - len(reported)
    lines = [
        f"{collection.period.span_zh}数据：已报送 {len(reported)} 个，未报送 {missing} 个，"
        f"有错误 {sum(u.errors for u in units)} 个，逾期 {sum(u.late for u in units)} 个"
    ]
    if collection.deadline is None:
        lines.append("通报文字设置中没有报送截止日（[collection] deadline_day），不判断逾期")
    else:
        state = "已过截止日" if collection.overdue else "未到截止日"
        due, today = _day(collection.deadline), _day(collection.today)
        lines.append(f"报送截止：{due}（含当日）；今天 {today}，{state}")
    for other in collection.others:
        if other.period is None:
            reason = other.problems[0].message if other.problems else "无法读取"
            lines.append(f"无法读取：{other.file}：{reason}")
        elif other.period != collection.period:
            lines.append(f"其他月份（{other.period}）的文件，未计入：{other.file}")
        else:
            lines.append(f"没有填报任何{collection.words.unit}：{other.file}")
    return lines


def status_view(collection: Collection) -> Table:
    columns = [
        Column("序号", number=True, width=6, align="center"),
        Column(collection.words.unit, width=12),
        Column("状态", width=14),
        Column("收到时间", short="收到", width=17),
        Column("文件", width=28, fold=True, drop=1),
        Column("问题", width=60, fold=True, min_width=24),
    ]
    rows = []
    for index, unit in enumerate(collection.units, start=1):
        state = unit.state
        tone: Tone = "bad" if unit.errors else _TONES.get(state, "warn")
        rows.append(
            [
                number(index),
                text(unit.county),
                text(state, tone=tone),
                text(_when(unit.received)),
                text("、".join(unit.files)),
                text(_problems(unit)),
            ]
        )
    return Table(
        title=f"{collection.period.span_zh}数据报送情况",
        columns=columns,
        rows=rows,
        notes=[Note(line) for line in summary(collection)],
        sheet="报送情况",
        frozen=2,
        data=status_json(collection),
    )


def status_json(collection: Collection) -> dict[str, Any]:
    return {
        "month": str(collection.period),
        "today": collection.today.isoformat(),
        "deadline": collection.deadline.isoformat() if collection.deadline else None,
        "units": [
            {
                "county": u.county,
                "state": u.state,
                "reported": u.reported,
                "late": u.late,
                "errors": u.errors,
                "received": u.received.isoformat(timespec="seconds") if u.received else None,
                "files": list(u.files),
                "problems": [p.as_dict() for p in u.problems],
            }
            for u in collection.units
        ],
        "other_files": [
            {
                "file": o.file,
                "month": str(o.period) if o.period else None,
                "problems": [p.as_dict() for p in o.problems],
            }
            for o in collection.others
        ],
    }
