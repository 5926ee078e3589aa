"""The collection round's state: who has reported the month, who is late, whose file has errors.

:func:`collection_state` takes what the inbox holds (one :class:`Received` per file, read by
``ipscore.app.status``), the month, the deadline day and today, and says for every unit of the
unit list where it stands. Nothing here reads files or clocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ipscore.base.period import Period
from ipscore.base.problems import Problem
from ipscore.rules.units import CITY_WORDS, Words


@dataclass(frozen=True)
class Received:
    """One file in the inbox: its month (None: unreadable), when it arrived, the units it
    filled and the problems found (a unit's own problems carry its name)."""

    file: str
    period: Period | None
    when: datetime
    units: tuple[str, ...]
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class UnitState:
    county: str
    reported: bool
    late: bool
    files: tuple[str, ...]
    received: datetime | None
    problems: tuple[Problem, ...]

    @property
    def state(self) -> str:
        """已报送 / 已报送（逾期） / 有错误 / 有错误（逾期） / 未报送 / 逾期未报."""
        if not self.reported:
            return "逾期未报" if self.late else "未报送"
        word = "有错误" if self.errors else "已报送"
        return f"{word}（逾期）" if self.late else word

    @property
    def errors(self) -> bool:
        return any(p.level == "error" for p in self.problems)


@dataclass
class Collection:
    period: Period
    today: date
    deadline: date | None
    units: list[UnitState]
    others: list[Received] = field(default_factory=list)  # other months, unreadable, empty
    words: Words = CITY_WORDS  # what the units are called (区县, 市): the units file's words

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.today > self.deadline


def deadline_of(period: Period, day: int | None) -> date | None:
    """The day month ``period`` is due: ``day`` of the following month (inclusive)."""
    if day is None or period.month is None:
        return None
    following = (
        Period(period.year + 1, 1) if period.month == 12 else Period(period.year, period.month + 1)
    )
    return date(following.year, following.month or 1, day)


def collection_state(
    period: Period,
    names: tuple[str, ...],
    received: list[Received],
    deadline_day: int | None,
    today: date,
    words: Words = CITY_WORDS,
) -> Collection:
    """Every unit's state for ``period`` from the files received."""
    deadline = deadline_of(period, deadline_day)
    mine = [r for r in received if r.period == period and r.units]
    others = [r for r in received if r not in mine]
    states = []
    for name in names:
        files = [r for r in mine if name in r.units]
        problems = [p for r in files for p in r.problems if p.county in (None, name)]
        if len(files) > 1:
            listed = "、".join(r.file for r in files)
            problems.insert(
                0,
                Problem(
                    "merge-duplicate",
                    f"在 {len(files)} 个文件中都有填报：{listed}；汇总前请删去多余的一份",
                    county=name,
                ),
            )
        first = min((r.when for r in files), default=None)
        if first is not None:
            late = deadline is not None and first.date() > deadline
        else:
            late = deadline is not None and today > deadline
        states.append(
            UnitState(
                county=name,
                reported=bool(files),
                late=late,
                files=tuple(r.file for r in files),
                received=first,
                problems=tuple(problems),
            )
        )
    return Collection(period, today, deadline, states, others, words)
