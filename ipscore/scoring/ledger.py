"""A unit's ledger: how every point of its score came about.

:func:`ledger` builds, for one unit, every indicator's inputs (with the cells they came from),
the rule with the unit's numbers filled in, whether a cap or floor bit, and the points; then
base, bonus, total, rank, grade and the gap to the unit ranked above. A reader can redo the
sum by hand from it: that is what an analyst shows a county disputing its score.

The worked arithmetic of an indicator is its method's (:meth:`Method.explain`), formatted from
the outcome scoring stored: nothing here recomputes a maximum, a rank or a tie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from ipscore.base.numbers import fmt, plain
from ipscore.base.problems import InputError, Problem
from ipscore.rules.methods import method_for
from ipscore.rules.methods.base import Shown, ratio_text
from ipscore.rules.scheme import Indicator, Scheme
from ipscore.scoring.score import Ranking, ScoredRow

if TYPE_CHECKING:
    from ipscore.base.period import Period
    from ipscore.scoring.annual import Assessment

# --------------------------------------------------------------------------------------------
# The ledger


@dataclass(frozen=True)
class Input:
    """A value the rule used: what it is, its value as shown, the cell it came from."""

    label: str
    value: str
    cell: str | None = None


@dataclass
class Line:
    """One indicator for one unit."""

    id: str
    name: str
    max_points: Fraction
    inputs: list[Input]
    rule: str
    note: str
    points: Decimal


@dataclass
class Gap:
    """The unit ranked above and by how many points it leads on each item."""

    county: str
    rank: int
    score_gap: Decimal
    items: list[tuple[str, Decimal]]  # (indicator or bonus name, above − this), non-zero only
    tie_note: str = ""


@dataclass
class Ledger:
    county: str
    scheme: str
    period: str
    lines: list[Line]
    base: Decimal
    bonus_lines: list[tuple[str, str]] = field(default_factory=list)  # (name, arithmetic)
    bonus: Decimal | None = None
    score: Decimal = Decimal(0)
    rank: int = 0
    units: int = 0
    grade: str = ""
    grade_note: str = ""
    gap: Gap | None = None


def _value_text(value: Fraction | int | None, kind: str = "count") -> str:
    if value is None:
        return "—"
    number = Fraction(value)
    if kind == "flag":
        return "是" if number else "否"
    return plain(number)


def _inputs(scheme: Scheme, row: ScoredRow, name: str) -> list[Input]:
    """The sheet values behind a field or derived figure, with their cells."""
    if name in scheme.derived:
        spec = scheme.derived[name]
        out: list[Input] = []
        for arg in spec.args:
            out.extend(_inputs(scheme, row, arg))
        return out
    spec_type = scheme.fields[name].type if name in scheme.fields else "count"
    return [
        Input(
            scheme.label(name),
            _value_text(row.record.values.get(name), spec_type),
            row.record.cells.get(name),
        )
    ]


def _derived_text(scheme: Scheme, row: ScoredRow, name: str) -> tuple[str, str]:
    """(how the figure is computed with numbers, its value) for a field or derived figure."""
    if name not in scheme.derived:
        return "", _value_text(row.value(name))
    spec = scheme.derived[name]
    a, b = (_value_text(row.record.values.get(arg)) for arg in spec.args)
    value = row.derived.get(name)
    if spec.kind == "growth":
        if value is None:
            return f"({a} − {b}) ÷ {b} × 100", "无法计算（基数为 0）"
        return f"({a} − {b}) ÷ {b} × 100", f"{fmt(value)}%"
    scale = "" if spec.scale == 1 else f" × {plain(spec.scale)}"
    if value is None:
        return f"{a} ÷ {b}{scale}", "无法计算（分母为 0）"
    return f"{a} ÷ {b}{scale}", ratio_text(value)


def _line(scheme: Scheme, row: ScoredRow, ind: Indicator, ranked: tuple[str, ...]) -> Line:
    """One indicator: its inputs, the method's worked arithmetic from the stored outcome."""
    method = method_for(ind.method)
    part = row.parts[ind.id]
    got = fmt(part.points, scheme.decimals, scheme.rounding)
    worked = method.explain(ind, part.outcome, Shown(scheme, got, ranked))
    inputs = [item for name in method.inputs(ind) for item in _inputs(scheme, row, name)]
    how, value = _derived_text(scheme, row, ind.field)
    rule = worked.rule
    if how:
        rule = f"{scheme.label(ind.field)} = {how} = {value}；{rule}"
    return Line(ind.id, ind.name, ind.points, inputs, rule, worked.note, part.points)


def _find(rows: list[ScoredRow], county: str, scheme: Scheme) -> ScoredRow:
    resolved = scheme.units.resolve(county) or county
    row = next((r for r in rows if r.county == resolved), None)
    if row is None:
        raise InputError(
            [
                Problem(
                    "county-unknown",
                    f"表中没有{scheme.units.words.unit}“{county}”"
                    f"（可选：{'、'.join(r.county for r in rows)}）",
                    county=county,
                )
            ]
        )
    return row


def ledger(
    scheme: Scheme,
    rows: list[ScoredRow],
    county: str,
    period: Period,
) -> Ledger:
    """One unit's ledger from scored rows sorted by rank (indicators, total, rank, gap)."""
    row = _find(rows, county, scheme)
    ranked = tuple(r.county for r in rows)
    lines = [_line(scheme, row, ind, ranked) for ind in scheme.indicators]
    base = sum((line.points for line in lines), Decimal(0))
    result = Ledger(
        county=row.county,
        scheme=scheme.name,
        period=period.span_zh if period.month else f"{period.year}年度",
        lines=lines,
        base=base,
        score=row.score,
        rank=row.rank,
        units=len(rows),
    )
    index = rows.index(row)
    if index > 0:
        above = rows[index - 1]
        items = []
        for ind in scheme.indicators:
            diff = above.parts[ind.id].points - row.parts[ind.id].points
            if diff:
                items.append((ind.name, diff))
        gap = Gap(above.county, above.rank, above.score - row.score, items)
        if above.score == row.score:
            tie = scheme.label(scheme.tie_breaker)
            mine, theirs = row.value(scheme.tie_breaker), above.value(scheme.tie_breaker)
            gap.tie_note = (
                f"总分相同，按{tie}比较：{above.county} {_value_text(theirs)}，"
                f"本单位 {_value_text(mine)}"
            )
        result.gap = gap
    return result


def format_ledger(ledger: Ledger, decimals: int = 2) -> str:
    """The ledger as plain text, one indicator per block, ending with the sum."""
    out = [f"{ledger.county} 得分明细（{ledger.period}，{ledger.scheme}）", ""]
    for number, line in enumerate(ledger.lines, start=1):
        out.append(
            f"{number}. {line.name}（满分 {plain(line.max_points)}）：{line.points:.{decimals}f} 分"
        )
        for item in line.inputs:
            cell = f"［{item.cell}］" if item.cell else ""
            out.append(f"   数据：{item.label} = {item.value}{cell}")
        out.append(f"   计算：{line.rule}")
        if line.note:
            out.append(f"   说明：{line.note}")
    points = " + ".join(f"{line.points:.{decimals}f}" for line in ledger.lines)
    out.append("")
    if ledger.bonus is None:
        out.append(f"总分 = {points} = {ledger.score:.{decimals}f}")
    else:
        out.append(f"基础分 = {points} = {ledger.base:.{decimals}f}")
    if ledger.bonus is not None:
        for name, text in ledger.bonus_lines:
            out.append(f"加分：{name} {text}")
        out.append(
            f"总分 = 基础分 {ledger.base:.{decimals}f} + 加分 {ledger.bonus:.{decimals}f}"
            f" = {ledger.score:.{decimals}f}"
        )
    out.append(f"排名：第 {ledger.rank} 名（共 {ledger.units} 个单位）")
    if ledger.grade:
        out.append(
            f"等次：{ledger.grade}" + (f"（{ledger.grade_note}）" if ledger.grade_note else "")
        )
    gap = ledger.gap
    if gap is None:
        out.append("居首位，前面没有其他单位。")
    else:
        out.append(
            f"与上一名 {gap.county}（第 {gap.rank} 名）相差 {gap.score_gap:.{decimals}f} 分"
            "（各项差值 = 对方得分 − 本单位得分）："
        )
        for name, diff in gap.items:
            sign = "+" if diff > 0 else "−"
            out.append(f"   {name}：{gap.county} {sign}{abs(diff):.{decimals}f}")
        if gap.tie_note:
            out.append(f"   {gap.tie_note}")
    return "\n".join(out) + "\n"


def monthly_ledger(ranking: Ranking, county: str) -> Ledger:
    """The ledger of one unit of a monthly ranking."""
    return ledger(ranking.scheme, ranking.rows, county, ranking.period)


def annual_ledger(result: Assessment, county: str) -> Ledger:
    """The ledger of one unit of an annual assessment: indicators, bonus, grade, gap."""
    scheme = result.scheme
    rows = [r.scored for r in result.rows]
    out = ledger(scheme, rows, county, result.period)
    row = result.row(out.county)
    assert row is not None
    if scheme.bonus is not None:
        for item in scheme.bonus.items:
            count = Fraction(row.scored.record.values.get(item.field, 0))
            cell = row.scored.record.cells.get(item.field)
            where = f"［{cell}］" if cell else ""
            out.bonus_lines.append(
                (
                    item.name,
                    f"{plain(item.each)} × {plain(count)}{where} = {plain(item.each * count)}",
                )
            )
        total = " + ".join(plain(v) for v in row.bonus_items.values())
        capped = f"，超过上限 {plain(scheme.bonus.cap)}，按上限计" if row.bonus_capped else ""
        out.bonus_lines.append(
            ("合计", f"min({total}, {plain(scheme.bonus.cap)}) = {row.bonus}{capped}")
        )
        out.bonus = row.bonus
    out.grade = row.grade
    notes = []
    if row.vetoed and scheme.veto is not None:
        cell = row.scored.record.cells.get(scheme.veto.field)
        notes.append(f"一票否决{f'［{cell}］' if cell else ''}为“是”，得分与排名照常列出")
    if row.quota_missed and scheme.grades is not None:
        band = next(b for b in scheme.grades.bands if b.quota is not None)
        assert band.quota is not None
        notes.append(
            f"达到{band.name}分数线 {plain(band.at)}，但{band.name}限排名前 "
            f"{result.quota_count(band.quota)} 名（{plain(band.quota * 100)}% × "
            f"{len(result.rows)} 个单位，向下取整）"
        )
    out.grade_note = "；".join(notes)
    if out.gap is not None:
        above = result.row(out.gap.county)
        assert above is not None
        diff = above.bonus - row.bonus
        if diff:
            out.gap.items.append(("加分", diff))
    return out
