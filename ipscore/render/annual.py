"""The annual assessment as a table.

:func:`annual_columns` is the one definition of the table's columns (排名, 区县, one column per
indicator, 基础分, 加分, 总分, 等次); :func:`assessment_view` is the assessment as a
:class:`~ipscore.render.table.Table` for every writer; :func:`annual_json` is the machine
contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ipscore.render.table import Cell, Column, Note, Table, Tone, number, text

if TYPE_CHECKING:
    from ipscore.scoring.annual import AnnualRow, Assessment


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class AnnualColumn:
    key: str
    title: str
    kind: str  # "rank", "text", "points"


def _points_text(value: Any) -> str:
    from ipscore.base.numbers import plain

    return plain(value)


def annual_columns(result: Assessment) -> list[AnnualColumn]:
    unit = result.scheme.units.words.unit
    columns = [AnnualColumn("rank", "排名", "rank"), AnnualColumn("county", unit, "text")]
    for ind in result.scheme.indicators:
        columns.append(
            AnnualColumn(f"part:{ind.id}", f"{ind.name}({_points_text(ind.points)})", "points")
        )
    columns.append(AnnualColumn("base", "基础分", "points"))
    if result.scheme.bonus is not None:
        columns.append(
            AnnualColumn("bonus", f"加分(≤{_points_text(result.scheme.bonus.cap)})", "points")
        )
    columns.append(AnnualColumn("score", "总分", "points"))
    if result.scheme.grades is not None:
        columns.append(AnnualColumn("grade", "等次", "text"))
    return columns


def annual_value(row: AnnualRow, column: AnnualColumn) -> Any:
    if column.key.startswith("part:"):
        return row.parts[column.key[5:]].points
    if column.key == "grade":
        return row.grade + ("（否决）" if row.vetoed else "")
    return getattr(row, column.key)


def annual_title(result: Assessment) -> str:
    return f"{result.year}年度{result.scheme.units.words.unit}知识产权工作考核结果"


def annual_notes(result: Assessment) -> list[str]:
    scheme = result.scheme
    lines = [f"评分方案：{scheme.name}", "总分 = 基础分（各项得分之和）+ 加分"]
    if scheme.grades is not None:
        bands = []
        for band in scheme.grades.bands:
            text = f"{band.name} ≥ {_points_text(band.at)}"
            if band.quota is not None:
                text += f" 且排名前 {result.quota_count(band.quota)} 名"
            bands.append(text)
        lines.append("等次：" + "；".join(bands) + f"；其余为{scheme.grades.otherwise}")
    if scheme.veto is not None and any(r.vetoed for r in result.rows):
        names = "、".join(r.county for r in result.rows if r.vetoed)
        lines.append(f"一票否决：{names}（等次为{scheme.veto.grade}，得分与排名照常列出）")
    return lines


def _number(value: Decimal, result: Assessment) -> float:
    from ipscore.base.numbers import round_to

    return float(round_to(value, result.scheme.decimals, result.scheme.rounding))


def annual_json(result: Assessment) -> dict[str, Any]:
    """The machine contract: year, scheme, rows sorted by rank, points rounded to 2 places."""
    return {
        "year": result.year,
        "scheme": result.scheme.name,
        "rows": [
            {
                "county": row.county,
                "parts": {pid: _number(p.points, result) for pid, p in row.parts.items()},
                "base": _number(row.base, result),
                "bonus": _number(row.bonus, result),
                "score": _number(row.score, result),
                "rank": row.rank,
                "grade": row.grade,
                "veto": row.vetoed,
            }
            for row in result.rows
        ],
    }


def _column(column: AnnualColumn, code: str | None) -> Column:
    part = column.key.startswith("part:")
    return Column(
        column.title,
        number=column.kind != "text",
        short=column.title.split("(")[0] if part else ("加分" if column.key == "bonus" else None),
        code=code,
        drop=1 if part else 0,
        group="各项得分" if part else None,
        strong=column.key in ("score", "county"),
        width=6 if column.kind == "rank" else (15 if column.key == "grade" else 12),
        align="center" if column.kind == "rank" else None,
    )


def _cell(result: Assessment, row: AnnualRow, column: AnnualColumn) -> Cell:
    scheme = result.scheme
    value = annual_value(row, column)
    if column.key == "grade":
        return text(value, tone=_GRADE_TONES.get(row.grade, ""))
    if column.kind == "text":
        return text(value)
    if column.kind == "rank":
        return number(value)
    capped = column.key == "bonus" and row.bonus_capped
    return number(value, scheme.decimals, scheme.rounding, mark="*" if capped else "")


_GRADE_TONES: dict[str, Tone] = {"优秀": "good", "不合格": "bad"}


def assessment_view(result: Assessment) -> Table:
    """The assessment as a table; indicator headers get ①… codes for a narrow terminal."""
    columns = annual_columns(result)
    codes = iter(_CIRCLED)
    notes = [Note(n) for n in annual_notes(result)]
    if any(r.bonus_capped for r in result.rows):
        notes.append(Note("加分后标 * 者超过加分上限，按上限计"))
    return Table(
        title=annual_title(result),
        columns=[
            _column(c, next(codes, None) if c.key.startswith("part:") else None) for c in columns
        ],
        rows=[[_cell(result, row, c) for c in columns] for row in result.rows],
        notes=notes,
        subtitle=f"单位：分    评分方案：{result.scheme.name}",
        sheet="考核结果",
        frozen=2,
        data=annual_json(result),
    )
