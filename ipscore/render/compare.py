"""A what-if comparison (the same data under two rule files) as a table and as JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ipscore.base.numbers import round_to
from ipscore.render.table import Cell, Column, Note, Table, Tone, number, text
from ipscore.scoring.compare import CompareRow, Comparison

_DECIMALS = 2


def _signed(value: Decimal) -> str:
    shown = f"{round_to(abs(value), _DECIMALS):.{_DECIMALS}f}"
    if not value:
        return shown
    return ("+" if value > 0 else "−") + shown


def _graded(result: Comparison) -> bool:
    return any(r.before.grade or r.after.grade for r in result.rows)


def grade_change(row: CompareRow) -> str:
    """``合格→良好`` when the grade moved, else empty."""
    if row.before.grade == row.after.grade:
        return ""
    return f"{row.before.grade or '—'}→{row.after.grade or '—'}"


def comparison_json(result: Comparison) -> dict[str, Any]:
    def points(value: Decimal) -> float:
        return float(round_to(value, _DECIMALS))

    return {
        "before": {"scheme": result.scheme_before, "rules": result.source_before},
        "after": {"scheme": result.scheme_after, "rules": result.source_after},
        "rows": [
            {
                "county": r.county,
                "score_before": points(r.before.score),
                "rank_before": r.before.rank,
                "score_after": points(r.after.score),
                "rank_after": r.after.rank,
                "score_change": points(r.score_change),
                "rank_change": r.rank_change,
                **(
                    {
                        "grade_before": r.before.grade,
                        "grade_after": r.after.grade,
                        "grade_changed": r.before.grade != r.after.grade,
                    }
                    if _graded(result)
                    else {}
                ),
                "movers": {name: points(diff) for name, diff in r.movers},
            }
            for r in result.rows
        ],
    }


def _tone(value: Decimal | int) -> Tone:
    return "" if not value else ("good" if value > 0 else "bad")


def comparison_view(result: Comparison) -> Table:
    """区县, score and rank (and grade) under each file, the differences, and what moved them."""
    graded = _graded(result)
    columns = [Column(result.words.unit, strong=True, width=13, align="center")]
    columns += [Column("原得分", number=True), Column("原排名", number=True, align="center")]
    if graded:
        columns.append(Column("原等次", width=10, align="center"))
    columns += [Column("新得分", number=True), Column("新排名", number=True, align="center")]
    if graded:
        columns.append(Column("新等次", width=10, align="center"))
    columns += [Column("分差", number=True), Column("位次", number=True, align="center")]
    if graded:
        columns.append(Column("等次变化", width=14, align="center"))
    columns.append(Column("变动来源", fold=True, min_width=20, width=40))
    rows = []
    for r in result.rows:
        cells: list[Cell] = [
            text(r.county),
            number(r.before.score, _DECIMALS),
            number(r.before.rank),
        ]
        if graded:
            cells.append(text(r.before.grade))
        cells += [number(r.after.score, _DECIMALS), number(r.after.rank)]
        if graded:
            cells.append(text(r.after.grade))
        cells += [
            number(r.score_change, _DECIMALS, style="signed", tone=_tone(r.score_change)),
            number(r.rank_change, 0, style="change", tone=_tone(r.rank_change)),
        ]
        if graded:
            cells.append(text(grade_change(r), tone="bad" if grade_change(r) else ""))
        cells.append(text("；".join(f"{n} {_signed(d)}" for n, d in r.movers) or "—"))
        rows.append(cells)
    notes = [
        f"原：{result.scheme_before}（{result.source_before}）",
        f"新：{result.scheme_after}（{result.source_after}）",
        "分差 = 新得分 − 原得分；位次：↑ 上升，↓ 下降；"
        "变动来源：各项新得分 − 原得分，按影响大小排列",
    ]
    if graded:
        changed = sum(1 for r in result.rows if grade_change(r))
        notes.append(f"等次变化的单位：{changed} 个")
    return Table(
        title="规则对比（同一数据，两个规则文件）",
        columns=columns,
        rows=rows,
        notes=[Note(n) for n in notes],
        subtitle="单位：分",
        sheet="规则对比",
        frozen=1,
        data=comparison_json(result),
    )
