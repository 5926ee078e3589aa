"""Turning a :class:`~ipscore.scoring.score.Ranking` into a table.

:func:`monthly_columns` is the one definition of the monthly table's columns, shared by every
format and the circular; :func:`ranking_view` is the ranking as a :class:`Table` for the
writers; :func:`monthly_json` is the machine contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ipscore.base.numbers import fmt, round_to
from ipscore.render.table import BLANK, Cell, Column, Note, Table, Tone, number, text
from ipscore.rules.units import CITY_WORDS, Words
from ipscore.scoring.score import Ranking, ScoredRow


@dataclass(frozen=True)
class ColumnDef:
    key: str
    title: str
    kind: str  # "int", "pct", "points", "text", "rank", "change"


def monthly_columns(ranking: Ranking) -> list[ColumnDef]:
    """排名, 区县, the figures, one column per indicator, 得分, 位次变化."""
    columns = [
        ColumnDef("rank", "排名", "rank"),
        ColumnDef("county", ranking.scheme.units.words.unit, "text"),
        ColumnDef("month_apps", "本月申请", "int"),
        ColumnDef("ytd_apps", "累计申请", "int"),
        ColumnDef("ytd_apps_last_year", "去年同期", "int"),
        ColumnDef("growth_pct", "同比增长(%)", "pct"),
        ColumnDef("annual_target", "年度目标", "int"),
        ColumnDef("completion_pct", "完成率(%)", "pct"),
    ]
    for indicator in ranking.scheme.indicators:
        points = (
            fmt(indicator.points, 0) if indicator.points.denominator == 1 else fmt(indicator.points)
        )
        columns.append(ColumnDef(f"part:{indicator.id}", f"{indicator.name}({points})", "points"))
    columns.append(ColumnDef("score", "得分", "points"))
    columns.append(ColumnDef("rank_change", "位次变化", "change"))
    return columns


def notice_columns(words: Words = CITY_WORDS) -> list[ColumnDef]:
    """The circular's table: 序号, 区县 (the units' word), the figures, 得分, 排名, 位次变化
    (DOMAIN.md)."""
    return [
        ColumnDef("seq", "序号", "rank"),
        ColumnDef("county", words.unit, "text"),
        ColumnDef("month_apps", "本月申请", "int"),
        ColumnDef("ytd_apps", "累计申请", "int"),
        ColumnDef("ytd_apps_last_year", "去年同期", "int"),
        ColumnDef("growth_pct", "同比增长(%)", "pct"),
        ColumnDef("annual_target", "年度目标", "int"),
        ColumnDef("completion_pct", "完成率(%)", "pct"),
        ColumnDef("score", "得分", "points"),
        ColumnDef("rank", "排名", "rank"),
        ColumnDef("rank_change", "位次变化", "change"),
    ]


def cell_value(ranking: Ranking, row: ScoredRow, column: ColumnDef) -> Any:
    """The raw value of a column for a row: int, Fraction, Decimal, str or None."""
    if column.key == "rank":
        return row.rank
    if column.key == "seq":
        return ranking.rows.index(row) + 1
    if column.key == "county":
        return row.county
    if column.key == "score":
        return row.score
    if column.key == "rank_change":
        return row.rank_change
    if column.key.startswith("part:"):
        return row.parts[column.key[5:]].points
    return row.value(column.key)


def total_value(ranking: Ranking, column: ColumnDef) -> Any:
    """The 合计 row's value for a column (None where a total makes no sense)."""
    if column.key == "county":
        return "合计"
    if column.key in ranking.totals:
        return _as_int(ranking.totals[column.key])
    if column.key in ranking.total_derived:
        return ranking.total_derived[column.key]
    return None


def change_text(change: int | None) -> str:
    """位次变化 as a person reads it: ↑2, ↓1, or — (unchanged or no previous month)."""
    if not change:
        return "—"
    return f"↑{change}" if change > 0 else f"↓{-change}"


def display(ranking: Ranking, value: Any, column: ColumnDef) -> str:
    """A value as shown in a table: 2 decimals, — when undefined."""
    scheme = ranking.scheme
    if column.kind == "change":
        return change_text(value)
    if value is None:
        return "—"
    if column.kind in ("pct", "points"):
        return fmt(value, scheme.decimals, scheme.rounding)
    return str(value)


def _as_int(value: Fraction) -> int | Fraction:
    return int(value) if value.denominator == 1 else value


def _count(value: Fraction | int | None) -> int | float | None:
    """A count or amount from the sheet: an int when whole."""
    if value is None:
        return None
    return int(value) if Fraction(value).denominator == 1 else float(value)


def _number(value: Fraction | Decimal | int | None, ranking: Ranking) -> float | None:
    """A percentage or points, rounded as the scheme says, always a JSON number with decimals."""
    if value is None:
        return None
    return float(round_to(value, ranking.scheme.decimals, ranking.scheme.rounding))


_JSON_COUNTS = ("month_apps", "ytd_apps", "ytd_apps_last_year", "annual_target")
_JSON_PERCENTS = ("growth_pct", "completion_pct")


def _figures(
    ranking: Ranking,
    values: Mapping[str, Fraction | int],
    derived: Mapping[str, Fraction | None],
) -> dict[str, Any]:
    """The counts and percentages a row and the total share, in contract order."""
    figures: dict[str, Any] = {key: _count(values.get(key)) for key in _JSON_COUNTS}
    figures.update({key: _number(derived.get(key), ranking) for key in _JSON_PERCENTS})
    return figures


def monthly_json(ranking: Ranking) -> dict[str, Any]:
    """The machine contract: month, scheme, rows sorted by rank, citywide total."""
    schedule = _number(ranking.schedule_pct, ranking)
    rows = [
        {
            "county": row.county,
            **_figures(ranking, row.record.values, row.derived),
            "schedule_pct": schedule,
            "parts": {pid: _number(p.points, ranking) for pid, p in row.parts.items()},
            "score": _number(row.score, ranking),
            "rank": row.rank,
            "rank_change": row.rank_change,
        }
        for row in ranking.rows
    ]
    return {
        "month": str(ranking.period),
        "scheme": ranking.scheme.name,
        "rows": rows,
        "total": _figures(ranking, ranking.totals, ranking.total_derived),
    }


def monthly_title(ranking: Ranking) -> str:
    """``2019年1-5月各区县发明专利申请排名`` (各市 for a province)."""
    return f"{ranking.period.span_zh}{ranking.scheme.units.words.each}发明专利申请排名"


def monthly_notes(ranking: Ranking) -> list[str]:
    """The lines under a table: scheme, 序时进度, the marker legend, rank-change basis."""
    lines = [f"评分方案：{ranking.scheme.name}"]
    if ranking.schedule_pct is not None:
        unit = ranking.scheme.units.words.unit
        lines.append(f"序时进度 {fmt(ranking.schedule_pct)}%；完成率后标“*”的{unit}未完成序时进度")
    if ranking.previous is not None:
        lines.append(
            f"位次变化与 {ranking.previous.span_zh} 排名相比"
            "（↑ 上升，↓ 下降，持平 不变；— 上月无此单位）"
        )
    else:
        lines.append("位次变化：无上月数据（可用 --prev 指定上月文件）")
    return lines


# Terminal headers, short so the whole table fits a 100-column terminal.
_SHORT = {
    "month_apps": "本月",
    "ytd_apps": "累计",
    "ytd_apps_last_year": "去年同期",
    "growth_pct": "同比%",
    "annual_target": "目标",
    "completion_pct": "完成率%",
    "rank_change": "变化",
}
# Left out on a terminal too narrow for the full table: the secondary figures, then the points.
_DROP = {"ytd_apps_last_year": 1, "annual_target": 1}
_WIDTHS = {"text": 13, "int": 10, "pct": 11, "points": 9, "rank": 6, "change": 9}


def _column(column: ColumnDef) -> Column:
    part = column.key.startswith("part:")
    return Column(
        column.title,
        number=column.kind != "text",
        short=column.title.split("(")[0] if part else _SHORT.get(column.key, column.title),
        drop=2 if part else _DROP.get(column.key, 0),
        group="各项得分" if part else _SHORT.get(column.key),
        strong=column.key in ("score", "county"),
        min_width=10 if column.key == "county" else None,
        width=_WIDTHS[column.kind],
        align="center" if column.kind in ("text", "rank", "change") else None,
    )


def _cell(ranking: Ranking, column: ColumnDef, value: Any, behind: bool, marker: str) -> Cell:
    scheme = ranking.scheme
    if column.kind == "text":
        return text(value)
    if column.kind == "change":
        tone: Tone = "" if not value else ("good" if value > 0 else "bad")
        return number(value, 0, style="change", tone=tone)
    if column.kind in ("pct", "points"):
        return number(
            value,
            scheme.decimals,
            scheme.rounding,
            mark=marker if behind else "",
            tone="bad" if behind else "",
        )
    return number(value)


def ranking_view(
    ranking: Ranking,
    *,
    columns: list[ColumnDef] | None = None,
    title: str | None = None,
    notes: list[str] | None = None,
    sheet: str = "排名",
    marker: str = "*",
) -> Table:
    """The ranking as a table (the columns, title and notes of ``rank`` by default).

    A unit behind 序时进度 has its completion marked with ``marker`` and coloured.
    """
    columns = columns if columns is not None else monthly_columns(ranking)
    rows = [
        [
            _cell(
                ranking,
                c,
                cell_value(ranking, row, c),
                c.key == "completion_pct" and ranking.behind_schedule(row),
                marker,
            )
            for c in columns
        ]
        for row in ranking.rows
    ]
    total = []
    for column in columns:
        value = total_value(ranking, column)
        total.append(BLANK if value is None else _cell(ranking, column, value, False, ""))
    if notes is None:
        lines = [Note(n) for n in monthly_notes(ranking)]
        parts = [c.title for c in columns if c.key.startswith("part:")]
        lines.insert(1, Note("得分 = " + " + ".join(parts), screen=True))
    else:
        lines = [Note(n) for n in notes]
    return Table(
        title=title if title is not None else monthly_title(ranking),
        columns=[_column(c) for c in columns],
        rows=rows,
        total=total,
        notes=lines,
        subtitle=f"单位：件、%、分    评分方案：{ranking.scheme.name}",
        sheet=sheet,
        frozen=2,
        data=monthly_json(ranking),
    )
