"""The month's statistics table (what ``ipscore rank`` reads) as a table: from ``tally``'s counts
and from ``merge``'s combined submissions alike.

序号 区县 本月发明专利申请量 1-M月累计 去年同期累计 同比增长(%) 年度目标 完成率(%), one row per
unit, 合计, and notes that start with a note word (注/说明) so that a loader skips them.
Percentages are exact and rounded 四舍五入 to 2 places; a percentage with no base is ``—``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ipscore.base.numbers import growth, percent
from ipscore.base.period import Period
from ipscore.render.table import BLANK, Cell, Column, Note, Table, number, text
from ipscore.rules.units import CITY_WORDS, Words

# The input fields in column order; 同比增长 and 完成率 follow from them.
INPUT_FIELDS = ("month_apps", "ytd_apps", "ytd_apps_last_year", "annual_target")
SHEET = "统计表"


def title(period: Period, words: Words = CITY_WORDS) -> str:
    """``2019年1-6月各区县发明专利申请情况统计表`` (各市 for a province)."""
    return f"{period.span_zh}{words.each}发明专利申请情况统计表"


def headers(period: Period, words: Words = CITY_WORDS) -> list[str]:
    """The table's headers; the unit column is headed by the units' word (区县, 市), which the
    header matcher takes as an alias of the unit column, so the table reads back."""
    ytd = f"{period.month}月累计" if period.month == 1 else f"1-{period.month}月累计"
    return [
        "序号",
        words.unit,
        "本月发明专利申请量",
        ytd,
        "去年同期累计",
        "同比增长(%)",
        "年度目标",
        "完成率(%)",
    ]


_WIDTHS = (6, 13, 12, 12, 12, 11, 11, 11)


def _cells(serial: int | None, unit: str, values: Mapping[str, int | None]) -> list[Cell]:
    month, ytd, last, target = (values.get(f) for f in INPUT_FIELDS)
    rate = growth(ytd, last) if ytd is not None and last is not None else None
    done = percent(ytd, target) if ytd is not None and target is not None else None
    return [
        BLANK if serial is None else number(serial),
        text(unit),
        number(month),
        number(ytd),
        number(last),
        number(rate, 2),
        number(target),
        number(done, 2),
    ]


def _sum(values: list[int | None]) -> int | None:
    """A column's 合计; blank when a unit's figure is blank (a target not filled in yet)."""
    return None if any(v is None for v in values) else sum(int(v or 0) for v in values)


def statistics_view(
    period: Period,
    rows: Sequence[tuple[str, Mapping[str, int | None]]],
    notes: list[str],
    words: Words = CITY_WORDS,
) -> Table:
    """The table of ``rows`` (unit, its input fields) in the order given, with 合计."""
    columns = [
        Column(h, number=i != 1, width=w, align="center" if i < 2 else None)
        for i, (h, w) in enumerate(zip(headers(period, words), _WIDTHS, strict=True))
    ]
    sums = {f: _sum([v.get(f, 0) for _, v in rows]) for f in INPUT_FIELDS}
    return Table(
        title=title(period, words),
        columns=columns,
        rows=[_cells(i, unit, values) for i, (unit, values) in enumerate(rows, start=1)],
        total=_cells(None, "合计", sums),
        notes=[Note(n) for n in notes],
        subtitle="单位：件",
        sheet=SHEET,
        frozen=2,
        note_prefix=("注：", "说明："),
    )


MERGED_NOTE = (
    "本月发明专利申请量为当月新增；累计为1月至本月合计；数据来源于省知识产权局专利统计月报。"
)


def merged_view(
    period: Period,
    rows: Mapping[str, Mapping[str, int]],
    units: Sequence[str],
    words: Words = CITY_WORDS,
) -> Table:
    """``merge``'s table: the units in ``rows``, in canonical order (``units``)."""
    ordered = [(name, rows[name]) for name in units if name in rows]
    return statistics_view(period, ordered, [MERGED_NOTE], words)


def write_merged(
    path: Path,
    period: Period,
    rows: Mapping[str, Mapping[str, int]],
    units: Sequence[str],
    words: Words = CITY_WORDS,
) -> None:
    """Write ``merge``'s table atomically, in the format its name says (xlsx, csv or md)."""
    from ipscore.render.output import format_of, write

    write(merged_view(period, rows, units, words), format_of(path), path)
