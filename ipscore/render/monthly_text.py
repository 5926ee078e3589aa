"""The monthly circular's sentences, written as a 办公室 writes them.

The citywide figures against 序时进度 (in December: against the annual target), the top three
and the last three with ties named as ties, the fastest growth and every unit whose figure
fell, who met 序时进度, and the rank movements grouped by size. Every number is the number the
table prints, and a gap in percentage points is the difference of two printed figures.
"""

from __future__ import annotations

from typing import Any

from ipscore.base.numbers import fmt
from ipscore.render.wording import counted, grouped_moves, names, points_gap, printed, ranked_names
from ipscore.scoring.score import Ranking, order_key

# --------------------------------------------------------------------------------------------
# Figures as the table prints them


def _pct(ranking: Ranking, value: Any) -> str:
    return fmt(value, ranking.scheme.decimals, ranking.scheme.rounding)


def _printed(ranking: Ranking, value: Any) -> Any:
    return printed(value, ranking.scheme.decimals, ranking.scheme.rounding)


def _count(value: Any) -> str:
    return str(int(value)) if value is not None else "—"


def _growth(ranking: Ranking, value: Any) -> str:
    """``同比增长10.37%``, ``同比下降2.29%``, ``与去年同期持平`` (as printed)."""
    if value is None:
        return "去年同期为零"
    rounded = _printed(ranking, value)
    if rounded == 0:
        return "与去年同期持平"
    word = "增长" if rounded > 0 else "下降"
    return f"同比{word}{_pct(ranking, abs(value))}%"


def _gap_words(ranking: Ranking, completion: Any, basis: Any, label: str) -> str:
    """``超过序时进度（41.67%）0.63个百分点`` from the printed figures."""
    gap = points_gap(completion, basis, ranking.scheme.decimals, ranking.scheme.rounding)
    if gap == 0:
        return f"与{label}（{_pct(ranking, basis)}%）持平"
    word = "超过" if gap > 0 else "落后"
    return f"{word}{label}（{_pct(ranking, basis)}%）{_pct(ranking, abs(gap))}个百分点"


# --------------------------------------------------------------------------------------------
# The monthly text


def overall_paragraph(ranking: Ranking) -> str:
    """Citywide ytd, growth, and completion against 序时进度 (in December: the annual target)."""
    totals, derived = ranking.totals, ranking.total_derived
    whole = ranking.scheme.units.words.whole
    month = ranking.period.month or 12
    year = ranking.period.year
    ytd = _count(totals.get("ytd_apps"))
    if month == 1:
        text = f"{year}年1月，{whole}申请发明专利{ytd}件"
    elif month == 12:
        text = f"{year}年，{whole}累计申请发明专利{ytd}件"
    else:
        text = f"{ranking.period.span_zh}，{whole}累计申请发明专利{ytd}件"
    if month > 1 and "month_apps" in totals:
        text += f"（其中{month}月份{_count(totals['month_apps'])}件）"
    text += f"，去年同期{_count(totals.get('ytd_apps_last_year'))}件，"
    text += _growth(ranking, derived.get("growth_pct")) + "。"
    completion = derived.get("completion_pct")
    if completion is None:
        return text
    target = _count(totals.get("annual_target"))
    if month == 12:
        done = _printed(ranking, completion)
        text += f"{whole}年度目标{target}件，完成率{_pct(ranking, completion)}%，"
        if done > 100:
            text += "超额完成年度目标。"
        elif done == 100:
            text += "完成年度目标。"
        else:
            short = int(totals.get("annual_target", 0)) - int(totals.get("ytd_apps", 0))
            text += f"未完成年度目标，尚差{short}件。"
        return text
    text += f"{whole}年度目标{target}件，已完成{_pct(ranking, completion)}%"
    if ranking.schedule_pct is not None:
        text += "，" + _gap_words(ranking, completion, ranking.schedule_pct, "序时进度")
    return text + "。"


def _score(ranking: Ranking) -> Any:
    return lambda r: _pct(ranking, r.score)


def leaders_sentence(ranking: Ranking) -> str:
    """The top three and the last three, ties named as ties."""
    rows = ranking.rows
    parts = "、".join(f"{i.name}{fmt(i.points, 0)}分" for i in ranking.scheme.indicators)
    total = fmt(ranking.scheme.total_points, 0)
    top = [r for r in rows if r.rank <= 3]
    named = ranked_names(top, lambda r: r.rank, lambda r: r.county, _score(ranking))
    text = f"按照月度排名评分办法（{parts}，满分{total}分），得分居前三位的是{named}"
    if len(rows) > len(top):
        cutoff = rows[max(len(rows) - 3, 0)].rank
        bottom = [r for r in rows if r.rank >= cutoff and r not in top]
        if bottom:
            low = ranked_names(bottom, lambda r: r.rank, lambda r: r.county, _score(ranking))
            text += f"；居后三位的是{low}"
    return text + "。"


def growth_sentence(ranking: Ranking) -> str:
    """The fastest growth, and the units whose figure fell (or stood still)."""
    rows = ranking.rows
    words = ranking.scheme.units.words
    key = {r.county: order_key(ranking.scheme, r, "growth_pct") for r in rows}
    best = max(key.values(), default=(0, 0))
    fastest = [r for r in rows if key[r.county] == best]
    text = ""
    if best[0] == 2:
        text = f"{names([r.county for r in fastest])}去年同期为零、今年实现突破，增幅居首。"
    elif best[0] == 1:
        value = _printed(ranking, fastest[0].derived.get("growth_pct"))
        if value > 0:
            amount = _pct(ranking, value)
            who = names([r.county for r in fastest])
            if len(fastest) > 1:
                text = f"同比增速并列最快的是{who}（均增长{amount}%）。"
            else:
                text = f"同比增速最快的是{who}（增长{amount}%）。"
    growth = {r.county: g for r in rows if (g := r.derived.get("growth_pct")) is not None}
    fell = sorted(
        (r for r in rows if r.county in growth and _printed(ranking, growth[r.county]) < 0),
        key=lambda r: growth[r.county],
    )
    flat = [r for r in rows if r.county in growth and _printed(ranking, growth[r.county]) == 0]
    still = names([r.county for r in flat])
    if fell:
        each = "、".join(f"{r.county}（下降{_pct(ranking, -growth[r.county])}%）" for r in fell)
        text += f"同比下降的有{each}" + (f"；{still}与去年同期持平" if flat else "") + "。"
    elif flat:
        text += f"除{still}与去年同期持平外，其余{words.unit}均实现同比增长。"
    elif rows:
        text += f"{words.each}均实现同比增长。"
    return text


def schedule_sentence(ranking: Ranking) -> str:
    """Who met 序时进度 and who did not; in December, who met the annual target."""
    rows = ranking.rows
    if ranking.schedule_pct is None:
        return ""
    words = ranking.scheme.units.words
    known = [r for r in rows if r.derived.get("completion_pct") is not None]
    missed = [r for r in known if ranking.behind_schedule(r)]
    met = [r for r in known if not ranking.behind_schedule(r)]
    if ranking.period.month == 12:
        over = [r for r in met if _printed(ranking, r.derived["completion_pct"]) > 100]
        exact = [r for r in met if r not in over]
        parts = []
        if over:
            parts.append(f"超额完成年度目标的有{counted([r.county for r in over], words.unit)}")
        if exact:
            parts.append(f"完成年度目标的有{counted([r.county for r in exact], words.unit)}")
        if missed:
            parts.append(f"未完成年度目标的有{counted([r.county for r in missed], words.unit)}")
        if not missed and known:
            parts.append(f"{words.each}均完成年度目标")
        return "；".join(parts) + "。" if parts else ""
    if not missed:
        return f"{words.each}均完成序时进度。"
    if not met:
        return f"{words.each}均未完成序时进度。"
    return (
        f"{counted([r.county for r in met], words.unit)}完成序时进度；"
        f"{counted([r.county for r in missed], words.unit)}未完成序时进度。"
    )


def movers_sentence(ranking: Ranking) -> str:
    """Rank movements against last month, grouped by size (各上升1位)."""
    if ranking.previous is None:
        return ""
    rows = ranking.rows
    up = [(r.county, r.rank_change) for r in rows if r.rank_change and r.rank_change > 0]
    down = [(r.county, -r.rank_change) for r in rows if r.rank_change and r.rank_change < 0]
    basis = f"与{ranking.previous.span_zh}相比，"
    words = ranking.scheme.units.words
    if not up and not down:
        return basis + f"{words.each}位次均无变化。"
    parts = []
    if up:
        parts.append(grouped_moves(up, "上升"))  # type: ignore[arg-type]
    if down:
        parts.append(grouped_moves(down, "下降"))  # type: ignore[arg-type]
    text = basis + "；".join(parts)
    steady = [r for r in rows if r.rank_change == 0]
    if steady:
        text += f"；其余{words.unit}位次不变"
    return text + "。"
