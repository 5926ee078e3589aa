"""A unit's ledger (``ipscore explain``) as JSON and as Markdown; the plain text is
:func:`ipscore.scoring.ledger.format_ledger`.

The JSON is the machine contract: every indicator with its inputs (label, value as shown, cell),
its arithmetic with the numbers put in, its points; the base, bonus, total, rank, grade and the
gap to the unit above. In Markdown every text from an input or a rule file goes through
:func:`~ipscore.render.table.markdown_safe`, so a unit or indicator name stays text.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from ipscore.base.numbers import plain
from ipscore.render.table import markdown_safe
from ipscore.scoring.ledger import Ledger, format_ledger

FORMATS = {"text": ".txt", "json": ".json", "md": ".md"}


def _number(value: Decimal | Fraction | None) -> float | None:
    return None if value is None else float(value)


def ledger_json(ledger: Ledger) -> dict[str, Any]:
    gap = ledger.gap
    return {
        "county": ledger.county,
        "scheme": ledger.scheme,
        "period": ledger.period,
        "indicators": [
            {
                "id": line.id,
                "name": line.name,
                "max_points": _number(line.max_points),
                "points": _number(line.points),
                "inputs": [
                    {"label": i.label, "value": i.value, "cell": i.cell} for i in line.inputs
                ],
                "rule": line.rule,
                "note": line.note or None,
            }
            for line in ledger.lines
        ],
        "base": _number(ledger.base),
        "bonus": _number(ledger.bonus),
        "bonus_lines": [{"name": n, "arithmetic": a} for n, a in ledger.bonus_lines],
        "score": _number(ledger.score),
        "rank": ledger.rank,
        "units": ledger.units,
        "grade": ledger.grade or None,
        "grade_note": ledger.grade_note or None,
        "gap": None
        if gap is None
        else {
            "county": gap.county,
            "rank": gap.rank,
            "score_gap": _number(gap.score_gap),
            "items": [{"name": n, "difference": _number(d)} for n, d in gap.items],
            "tie_note": gap.tie_note or None,
        },
    }


def ledger_markdown(ledger: Ledger, decimals: int = 2) -> str:
    """The ledger as a Markdown document: a heading, a section per indicator, the sums."""
    md = markdown_safe

    def pts(value: Decimal) -> str:
        return f"{value:.{decimals}f}"

    out = [f"# {md(ledger.county)} 得分明细（{md(ledger.period)}，{md(ledger.scheme)}）", ""]
    for number, line in enumerate(ledger.lines, start=1):
        out.append(
            f"## {number}. {md(line.name)}（满分 {plain(line.max_points)}）：{pts(line.points)} 分"
        )
        out.append("")
        for item in line.inputs:
            cell = f"［{md(item.cell)}］" if item.cell else ""
            out.append(f"- 数据：{md(item.label)} = {md(item.value)}{cell}")
        out.append(f"- 计算：{md(line.rule)}")
        if line.note:
            out.append(f"- 说明：{md(line.note)}")
        out.append("")
    out.append("## 合计")
    out.append("")
    points = " + ".join(pts(line.points) for line in ledger.lines)
    if ledger.bonus is None:
        out.append(f"- 总分 = {points} = **{pts(ledger.score)}**")
    else:
        out.append(f"- 基础分 = {points} = {pts(ledger.base)}")
        for name, arithmetic in ledger.bonus_lines:
            out.append(f"- 加分：{md(name)} {md(arithmetic)}")
        out.append(
            f"- 总分 = 基础分 {pts(ledger.base)} + 加分 {pts(ledger.bonus)} = "
            f"**{pts(ledger.score)}**"
        )
    out.append(f"- 排名：第 {ledger.rank} 名（共 {ledger.units} 个单位）")
    if ledger.grade:
        note = f"（{md(ledger.grade_note)}）" if ledger.grade_note else ""
        out.append(f"- 等次：{md(ledger.grade)}{note}")
    gap = ledger.gap
    out.append("")
    if gap is None:
        out.append("居首位，前面没有其他单位。")
    else:
        out.append(
            f"与上一名 {md(gap.county)}（第 {gap.rank} 名）相差 {pts(gap.score_gap)} 分"
            "（各项差值 = 对方得分 − 本单位得分）："
        )
        out.append("")
        out.append("| 项目 | 差值 |")
        out.append("| --- | ---: |")
        for name, diff in gap.items:
            sign = "+" if diff > 0 else "−"
            out.append(f"| {md(name)} | {sign}{abs(diff):.{decimals}f} |")
        if gap.tie_note:
            out.append("")
            out.append(md(gap.tie_note))
    return "\n".join(out) + "\n"


def ledger_text(ledger: Ledger, fmt: str, decimals: int = 2) -> str:
    """The ledger as ``text`` (what the terminal shows), ``json`` or ``md``."""
    if fmt == "json":
        import json

        return json.dumps(ledger_json(ledger), ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return ledger_markdown(ledger, decimals)
    return format_ledger(ledger, decimals)
