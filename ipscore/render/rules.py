"""A rule file as a readable table (``ipscore rules show``): indicators, points, methods in
words, then the bonus, grades, veto, rounding and tie-breaker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipscore.base.numbers import plain
from ipscore.rules.methods import method_for
from ipscore.rules.scheme import Scheme

if TYPE_CHECKING:
    from rich.console import Console


_ROUNDING = {"half_up": "四舍五入", "half_even": "四舍六入五成双（GB/T 8170）"}


def scheme_lines(scheme: Scheme) -> list[str]:
    """Everything besides the indicator table, one sentence per line."""
    kind = "年度考核" if scheme.kind == "annual" else "月度排名"
    year = f"{scheme.year}年，" if scheme.year else ""
    lines = [
        f"方案：{scheme.name}（{year}{kind}，指标合计 {plain(scheme.total_points)} 分）",
        f"舍入：每项得分{_ROUNDING[scheme.rounding]}保留 {scheme.decimals} 位小数，"
        "总分为各项舍入后得分之和",
        f"并列：总分相同时按{scheme.label(scheme.tie_breaker)}从高到低；仍相同则并列",
    ]
    if scheme.bonus is not None:
        items = "；".join(
            f"{item.name}（{scheme.label(item.field)}）每项 {plain(item.each)} 分"
            for item in scheme.bonus.items
        )
        lines.append(f"加分：{items}；加分合计最多 {plain(scheme.bonus.cap)} 分")
    if scheme.grades is not None:
        bands = []
        for band in scheme.grades.bands:
            text = f"{band.name} ≥ {plain(band.at)} 分"
            if band.quota is not None:
                text += f"且排名 ≤ {plain(band.quota * 100)}% × 单位数（向下取整）"
            bands.append(text)
        lines.append("等次：" + "；".join(bands) + f"；其余为{scheme.grades.otherwise}")
    if scheme.veto is not None:
        lines.append(
            f"一票否决：{scheme.label(scheme.veto.field)}为“是”时等次为{scheme.veto.grade}，"
            "得分与排名照常列出"
        )
    return lines


def print_scheme(scheme: Scheme, console: Console) -> None:
    from rich import box
    from rich.table import Table

    table = Table(
        title=scheme.name,
        caption="\n".join(scheme_lines(scheme)),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
    )
    table.add_column("序号", justify="right", no_wrap=True)
    table.add_column("指标", no_wrap=True)
    table.add_column("编号", no_wrap=True)
    table.add_column("分值", justify="right", no_wrap=True)
    table.add_column("计分方法", overflow="fold")
    for number, ind in enumerate(scheme.indicators, start=1):
        words = method_for(ind.method).describe(ind, scheme)
        table.add_row(str(number), ind.name, ind.id, plain(ind.points), words)
    table.add_row("", "合计", "", plain(scheme.total_points), "", style="bold")
    console.print(table)
