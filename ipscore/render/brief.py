"""The one-page brief for the bureau's leaders (局领导): what it says, as text and numbers.

:func:`build_brief` turns a monthly :class:`~ipscore.scoring.score.Ranking` into a
:class:`Brief`: the month's key figures (全市累计, 同比, 完成率 against 序时进度), the top three and
the last three, the biggest movers since last month, the units behind 序时进度, and the series
the two charts draw. Every figure is rounded as ``ipscore rank`` shows it; the renderers
(:mod:`.charts`, :mod:`.brief_docx`) only lay the brief out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from ipscore.base.numbers import fmt, round_to
from ipscore.rules.units import CITY_WORDS, Words
from ipscore.scoring.score import Ranking, ScoredRow


@dataclass(frozen=True)
class Figure:
    """One key figure: a label, the number as shown, and a line under it."""

    label: str
    value: str
    note: str


@dataclass(frozen=True)
class Standing:
    """A unit in a list of the brief: rank, name, score and a remark (``↑3``, ``41.74%``)."""

    rank: int
    county: str
    score: str
    remark: str = ""


@dataclass(frozen=True)
class Series:
    """One unit in the charts: 累计, 去年同期 and 完成率 (None when undefined)."""

    county: str
    ytd: int
    last_year: int
    completion: float | None
    behind: bool


@dataclass(frozen=True)
class Brief:
    title: str
    subtitle: str
    figures: tuple[Figure, ...]
    top: tuple[Standing, ...]
    bottom: tuple[Standing, ...]
    movers: tuple[str, ...]  # sentences: who rose most, who fell most (or why there are none)
    behind: tuple[Standing, ...]
    progress_heading: str  # 二、序时进度 (December: 二、年度目标完成情况)
    behind_text: str
    series: tuple[Series, ...]
    schedule: float | None  # 序时进度 in percent
    schedule_label: str  # 序时进度 41.67% (December: 年度目标 100%)
    footnote: str
    basis: str = "序时进度"  # what 完成率 is measured against (December: 年度目标)
    words: Words = CITY_WORDS  # what the units are called (区县/全市, 市/全省)


def _pct(ranking: Ranking, value: Any) -> str:
    return fmt(value, ranking.scheme.decimals, ranking.scheme.rounding)


def _count(value: Any) -> str:
    return "—" if value is None else str(int(value))


def _points(ranking: Ranking, row: ScoredRow) -> str:
    return f"{_pct(ranking, row.score)}分"


def _gap_words(ranking: Ranking, completion: Fraction | None, year_over: bool) -> str:
    """``超过序时进度 1.20 个百分点`` / ``落后 0.63 个百分点`` / ``与序时进度持平``."""
    schedule = ranking.schedule_pct
    if completion is None or schedule is None:
        return ""
    basis = "年度目标" if year_over else "序时进度"
    # The gap a reader computes from the two printed figures (DOMAIN: a percentage-point gap in
    # the text is the difference of the printed figures).
    shown = round_to(completion, ranking.scheme.decimals, ranking.scheme.rounding)
    schedule_shown = round_to(schedule, ranking.scheme.decimals, ranking.scheme.rounding)
    gap = shown - schedule_shown
    if gap == 0:
        return f"与{basis}持平"
    word = "超过" if gap > 0 else "落后"
    return f"{word}{basis} {_pct(ranking, abs(gap))} 个百分点"


def key_figures(ranking: Ranking) -> tuple[Figure, ...]:
    """全市累计 (全省 for a province), 同比增长, 年度目标完成率, 序时进度 (December: 年度目标)."""
    totals, derived = ranking.totals, ranking.total_derived
    period = ranking.period
    month = period.month or 12
    year_over = month == 12
    growth = derived.get("growth_pct")
    completion = derived.get("completion_pct")
    figures = [
        Figure(
            f"{ranking.scheme.units.words.whole}累计申请",
            f"{_count(totals.get('ytd_apps'))} 件",
            f"其中{month}月 {_count(totals.get('month_apps'))} 件",
        ),
        Figure(
            "同比增长",
            "—" if growth is None else f"{_pct(ranking, growth)}%",
            f"去年同期 {_count(totals.get('ytd_apps_last_year'))} 件",
        ),
        Figure(
            "年度目标完成率",
            "—" if completion is None else f"{_pct(ranking, completion)}%",
            f"年度目标 {_count(totals.get('annual_target'))} 件",
        ),
    ]
    schedule = ranking.schedule_pct
    if schedule is not None:
        figures.append(
            Figure(
                "年度目标" if year_over else "序时进度",
                f"{_pct(ranking, schedule)}%",
                _gap_words(ranking, completion, year_over) or f"{month}/12",
            )
        )
    return tuple(figures)


def _standing(ranking: Ranking, row: ScoredRow, remark: str = "") -> Standing:
    return Standing(row.rank, row.county, _points(ranking, row), remark)


def _movers(ranking: Ranking) -> tuple[str, ...]:
    if ranking.previous is None:
        return (f"无上月（{ranking.period.previous()}）排名数据，本期不列位次变化",)
    changes = [(r, r.rank_change) for r in ranking.rows if r.rank_change is not None]
    rise = max((c for _, c in changes if c > 0), default=0)
    fall = min((c for _, c in changes if c < 0), default=0)
    lines = []
    for word, change in (("上升", rise), ("下降", fall)):
        moved = [r for r, c in changes if change and c == change]
        if len(moved) == 1:
            row = moved[0]
            place = f"第{row.rank + change}→{row.rank}名"
            lines.append(f"{word}最多：{row.county}，{place}（{word} {abs(change)} 位）")
        elif moved:
            names = "、".join(r.county for r in moved[:3])
            more = f"等 {len(moved)} 个单位" if len(moved) > 3 else ""
            lines.append(f"{word}最多（{abs(change)} 位）：{names}{more}")
    if not lines:
        each = ranking.scheme.units.words.each
        lines.append(f"与{ranking.previous.span_zh}相比，{each}位次均无变化")
    return tuple(lines)


def build_brief(ranking: Ranking, when: date, source: str) -> Brief:
    """The brief of a month's ranking, dated ``when``; ``source`` names the data file."""
    rows = ranking.rows
    period = ranking.period
    month = period.month or 12
    year_over = month == 12
    schedule = ranking.schedule_pct
    top = tuple(_standing(ranking, r) for r in rows if r.rank <= 3)
    last = rows[-3:] if len(rows) > 3 else []
    bottom = tuple(_standing(ranking, r) for r in last if r.rank > 3)
    behind_rows = [r for r in rows if ranking.behind_schedule(r)]
    behind = tuple(
        _standing(ranking, r, f"完成 {_pct(ranking, r.derived.get('completion_pct'))}%")
        for r in behind_rows
    )
    basis = "年度目标" if year_over else "序时进度"
    words = ranking.scheme.units.words
    if schedule is None:
        behind_text = ""
    elif not behind_rows:
        behind_text = f"{words.each}均已完成{basis}"
    else:
        behind_text = (
            f"{len(behind_rows)} 个{words.unit}未完成{basis}（{_pct(ranking, schedule)}%）"
        )
    series = tuple(
        Series(
            county=r.county,
            ytd=int(r.record.values.get("ytd_apps", 0)),
            last_year=int(r.record.values.get("ytd_apps_last_year", 0)),
            completion=(
                None
                if r.derived.get("completion_pct") is None
                else float(
                    round_to(
                        r.derived["completion_pct"],  # type: ignore[arg-type]
                        ranking.scheme.decimals,
                        ranking.scheme.rounding,
                    )
                )
            ),
            behind=ranking.behind_schedule(r),
        )
        for r in rows
    )
    schedule_shown = (
        None
        if schedule is None
        else float(round_to(schedule, ranking.scheme.decimals, ranking.scheme.rounding))
    )
    return Brief(
        title=f"{period.span_zh}{words.whole}发明专利申请情况简报",
        subtitle=(f"{when.year}年{when.month}月{when.day}日　评分方案：{ranking.scheme.name}"),
        figures=key_figures(ranking),
        top=top,
        bottom=bottom,
        movers=_movers(ranking),
        behind=behind,
        progress_heading="二、年度目标完成情况" if year_over else "二、序时进度",
        behind_text=behind_text,
        series=series,
        schedule=schedule_shown,
        schedule_label=("" if schedule is None else f"{basis} {_pct(ranking, schedule)}%"),
        footnote=(
            f"数据来源：{source}。完成率 = 累计申请 ÷ 年度目标；序时进度 = 月份 ÷ 12；"
            f"得分与排名按《{ranking.scheme.name}》计算。"
        ),
        basis=basis,
        words=words,
    )
