"""ipscore robust as a terminal table, plain text and JSON, with a sentence a reader can follow.

The per-unit table shows the official rank, the median over the runs, the 5–95% interval as
figures and as a small bar (one cell per rank: ━ inside the interval, ● the official rank), and
the shares of runs whose rank (and, for annual data, grade) differ from the official result.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ipscore.base.numbers import round_to
from ipscore.scoring.robust import IndicatorResult, Robustness, UnitResult

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

BAR_WIDTH = 22  # at most this many cells; more units share a cell


# --------------------------------------------------------------------------------------------
# Words and figures


def percent(count: int, runs: int) -> str:
    """A share of runs as a person writes it: 95.1%, 100%, 0%."""
    text = f"{round_to(Fraction(count * 100, runs), 1)}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def weight_pct(value: Fraction | None) -> str:
    return "—" if value is None else f"{round_to(value * 100, 2)}%"


def spread_pct(spread: Fraction) -> str:
    text = f"{round_to(spread * 100, 4).normalize():f}"
    return f"±{text}%"


def interval_text(unit: UnitResult) -> str:
    if unit.rank_low == unit.rank_high:
        return str(unit.rank_low)
    return f"{unit.rank_low}–{unit.rank_high}"


def places_zh(low: int, high: int) -> str:
    return f"第{low}名" if low == high else f"第{low}至第{high}名"


def interval_bar(unit: UnitResult, size: int, width: int = BAR_WIDTH) -> str:
    """One cell per rank (or per group of ranks when there are more than ``width`` units)."""
    cells = min(size, width)

    def cell(rank: int) -> int:
        return (rank - 1) * cells // size

    low, high, nominal = cell(unit.rank_low), cell(unit.rank_high), cell(unit.nominal_rank)
    marks = ["━" if low <= i <= high else "·" for i in range(cells)]
    marks[nominal] = "●"
    return "".join(marks)


def title(result: Robustness) -> str:
    kind = "考核" if result.annual else "排名"
    return (
        f"{result.table.period.span_zh}{result.scheme.units.words.each}{kind}稳健性"
        f"（权重{spread_pct(result.spread)}，{result.runs}次模拟）"
    )


def summary(result: Robustness) -> list[str]:
    """What the figures mean, in sentences for someone who has never heard of Monte Carlo."""
    runs, units = result.runs, result.units
    total = result.scheme.total_points
    lines = [
        f"怎么读：把各项指标的分值各自随机上下浮动至多{spread_pct(result.spread)[1:]}"
        f"（再按比例调整，总分仍为{round_to(total, 2).normalize():f}分），其余规则一概不变，"
        f"重新评分{runs}次。“5–95%区间”是去掉最好和最差各5%的模拟后名次的范围，"
        "区间越窄、变动比例越低，名次越不取决于权重的设定。"
    ]
    moving = sorted(
        (u for u in units if u.rank_changes),
        key=lambda u: (-u.rank_changes, u.nominal_rank),
    )
    steady = [u.county for u in units if not u.rank_changes]
    if moving:
        u = moving[0]
        sentence = (
            f"在权重{spread_pct(result.spread)}变动的{runs}次模拟中，{u.county}有"
            f"{percent(u.in_interval, runs)}的情况排在{places_zh(u.rank_low, u.rank_high)}，"
            f"有{percent(u.rank_changes, runs)}的情况名次与正式排名（第{u.nominal_rank}名）不同"
        )
        if steady:
            sentence += f"；{'、'.join(steady)}在每次模拟中都保持正式名次"
        lines.append(sentence + "。")
    else:
        lines.append(f"在{runs}次模拟中，所有单位都保持正式名次：这次排名不取决于权重的细微设定。")
    if result.annual:
        graded = sorted(
            (u for u in units if u.grade_changes),
            key=lambda u: (-(u.grade_changes or 0), u.nominal_rank),
        )
        if graded:
            said = "，".join(
                f"{u.county}有{percent(u.grade_changes or 0, runs)}的模拟等次与正式结果"
                f"（{u.nominal_grade}）不同"
                for u in graded[:3]
            )
            lines.append(f"等次：{said}。")
        else:
            lines.append("等次：每次模拟中各单位的等次都与正式结果相同。")
    lines.extend(_weight_sentences(result))
    return lines


def _weight_sentences(result: Robustness) -> list[str]:
    shares = [i for i in result.indicators if i.effective_weight is not None]
    lines = []
    if shares:
        top = max(shares, key=lambda i: i.effective_weight or 0)
        nominal = f"名义上占{weight_pct(top.nominal_weight)}，" if top.nominal_weight else ""
        lines.append(
            "有效权重是各项对各单位总分高低差异的实际贡献（合计100%）："
            f"{top.name}{nominal}实际贡献了{weight_pct(top.effective_weight)}的差异。"
        )
    if result.sobol_n is not None:
        if any(i.sobol is not None for i in result.indicators):
            lines.append(
                f"Sobol指数（基础样本N={result.sobol_n}，共{result.sobol_evaluations}次评分，"
                "输出为各单位名次变动之和）：一阶指数是单独变动该项权重所能解释的名次变动份额，"
                "总效应指数还计入它与其他权重的共同作用；±为95%置信区间的半宽。"
            )
        else:
            lines.append("Sobol指数：没有任何一次抽样改变名次（或变动幅度为0），指数无定义。")
    return lines


# --------------------------------------------------------------------------------------------
# JSON


def _p(count: int | None, runs: int) -> float | None:
    return None if count is None else count / runs


def _f(value: Fraction | Decimal | None) -> float | None:
    return None if value is None else float(value)


def _indicator_json(ind: IndicatorResult) -> dict[str, Any]:
    s = ind.sobol
    return {
        "id": ind.id,
        "name": ind.name,
        "points": _f(ind.points),
        "nominal_weight": _f(ind.nominal_weight),
        "effective_weight": _f(ind.effective_weight),
        "sobol_first": s.first if s else None,
        "sobol_first_conf": s.first_conf if s else None,
        "sobol_total": s.total if s else None,
        "sobol_total_conf": s.total_conf if s else None,
    }


def robust_json(result: Robustness) -> dict[str, Any]:
    """The machine contract: rows in official rank order, indicators in scheme order."""
    runs = result.runs
    return {
        "period": str(result.table.period),
        "scheme": result.scheme.name,
        "kind": result.scheme.kind,
        "runs": runs,
        "seed": result.seed,
        "spread": float(result.spread),
        "rows": [
            {
                "county": u.county,
                "score": float(u.score),
                "nominal_rank": u.nominal_rank,
                "median_rank": u.median_rank,
                "rank_low": u.rank_low,
                "rank_high": u.rank_high,
                "p_rank_change": u.rank_changes / runs,
                "nominal_grade": u.nominal_grade,
                "p_grade_change": _p(u.grade_changes, runs),
            }
            for u in result.units
        ],
        "indicators": [_indicator_json(i) for i in result.indicators],
        "sobol": None
        if result.sobol_n is None
        else {
            "n": result.sobol_n,
            "evaluations": result.sobol_evaluations,
            "output": "sum_abs_rank_shift",
        },
    }


def to_json(result: Robustness) -> str:
    return json.dumps(robust_json(result), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------------------------
# Terminal


def units_table(result: Robustness, bar: bool = True) -> Table:
    """The per-unit table; without ``bar`` when the terminal is too narrow for it."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title(result), box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    for name, justify in (
        ("排名", "right"),
        (result.scheme.units.words.unit, "left"),
        ("得分", "right"),
        ("中位", "right"),
        ("5–95%区间", "right"),
        ("", "left"),
        ("名次变动", "right"),
    ):
        if name or bar:
            table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    if result.annual:
        table.add_column("等次", no_wrap=True)
        table.add_column("等次变动", justify="right", no_wrap=True)
    size = len(result.units)
    for u in result.units:
        cells: list[Any] = [
            str(u.nominal_rank),
            u.county,
            f"{u.score}",
            str(u.median_rank),
            interval_text(u),
            *([Text(interval_bar(u, size), style="cyan")] if bar else []),
            percent(u.rank_changes, result.runs),
        ]
        if result.annual:
            cells += [u.nominal_grade or "", percent(u.grade_changes or 0, result.runs)]
        table.add_row(*cells)
    return table


def indicators_table(result: Robustness) -> Table:
    from rich import box
    from rich.table import Table

    sobol = any(i.sobol is not None for i in result.indicators)
    table = Table(title="各项指标的权重", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    table.add_column("指标", no_wrap=True)
    for name in (
        "分值",
        "名义权重",
        "有效权重",
        *(("Sobol 一阶", "Sobol 总效应") if sobol else ()),
    ):
        table.add_column(name, justify="right", no_wrap=True)
    for ind in result.indicators:
        points = "—" if ind.points is None else f"{round_to(ind.points, 2).normalize():f}"
        cells = [ind.name, points, weight_pct(ind.nominal_weight), weight_pct(ind.effective_weight)]
        if sobol:
            s = ind.sobol
            cells += (
                [f"{s.first:.3f} ± {s.first_conf:.3f}", f"{s.total:.3f} ± {s.total_conf:.3f}"]
                if s
                else ["—", "—"]
            )
        table.add_row(*cells)
    return table


def print_robust(result: Robustness, console: Console) -> None:
    from ipscore.render.terminal import natural_width

    table = units_table(result)
    if natural_width(table) > console.width:
        table = units_table(result, bar=False)
    console.print(table)
    console.print(indicators_table(result))
    for line in summary(result):
        console.print(line, highlight=False, markup=False)


def robust_text(result: Robustness, width: int = 100) -> str:
    """The tables and the sentences as plain text (for ``--format table -o FILE``)."""
    import io

    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    print_robust(result, console)
    return console.export_text()
