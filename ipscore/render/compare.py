"""ipscore.render.compare."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass
from ipscore.scoring.compare import Comparison


def _signed(value: Decimal) -> str:
    if not value:
        return "0.00"
    return f"+{value:.2f}" if value > 0 else f"−{abs(value):.2f}"


def _rank_change(change: int) -> str:
    if not change:
        return "—"
    return f"↑{change}" if change > 0 else f"↓{-change}"


def comparison_json(result: Comparison) -> dict[str, Any]:
    return {
        "before": {"scheme": result.scheme_before, "rules": result.source_before},
        "after": {"scheme": result.scheme_after, "rules": result.source_after},
        "rows": [
            {
                "county": r.county,
                "score_before": float(r.before.score),
                "rank_before": r.before.rank,
                "score_after": float(r.after.score),
                "rank_after": r.after.rank,
                "score_change": float(r.score_change),
                "rank_change": r.rank_change,
                **(
                    {"grade_before": r.before.grade, "grade_after": r.after.grade}
                    if r.before.grade or r.after.grade
                    else {}
                ),
                "movers": {name: float(diff) for name, diff in r.movers},
            }
            for r in result.rows
        ],
    }


def comparison_lines(result: Comparison) -> tuple[list[str], list[list[str]]]:
    """Header and body cells, shared by the terminal table and the plain-text output."""
    graded = any(r.before.grade or r.after.grade for r in result.rows)
    header = ["区县", "原得分", "原排名", "新得分", "新排名", "分差", "位次"]
    if graded:
        header[3:3] = ["原等次"]
        header[6:6] = ["新等次"]
    header.append("变动来源")
    body = []
    for r in result.rows:
        cells = [
            r.county,
            f"{r.before.score:.2f}",
            str(r.before.rank),
            f"{r.after.score:.2f}",
            str(r.after.rank),
            _signed(r.score_change),
            _rank_change(r.rank_change),
        ]
        if graded:
            cells[3:3] = [r.before.grade]
            cells[6:6] = [r.after.grade]
        cells.append("；".join(f"{n} {_signed(d)}" for n, d in r.movers) or "—")
        body.append(cells)
    return header, body


def print_comparison(result: Comparison, console: Any) -> None:
    from rich import box
    from rich.table import Table

    header, body = comparison_lines(result)
    table = Table(
        title="规则对比（同一数据，两个规则文件）",
        caption=f"原：{result.scheme_before}（{result.source_before}）\n"
        f"新：{result.scheme_after}（{result.source_after}）\n"
        "分差 = 新得分 − 原得分；位次：↑ 上升，↓ 下降；"
        "变动来源：各项新得分 − 原得分，按影响大小排列",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        collapse_padding=True,
    )
    for title in header:
        last = title == "变动来源"
        table.add_column(
            title,
            justify="left" if title in ("区县", "原等次", "新等次") or last else "right",
            no_wrap=not last,
            overflow="fold",
            min_width=20 if last else None,
        )
    for cells in body:
        table.add_row(*cells)
    console.print(table)
