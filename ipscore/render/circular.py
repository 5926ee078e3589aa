"""The monthly circular (通报): its city wording from rules/notice.toml, and its content.

:func:`load_notice_rules` reads the analyst-editable wording (issuer, 文号, addressees, opening,
requirements) as data and lists every problem with its place. :func:`build_notice` turns a
:class:`~ipscore.scoring.Ranking` into a :class:`Notice`: every sentence and table cell, with
figures rounded exactly as ``ipscore rank`` shows them. The renderers (docx, xlsx, Markdown)
only lay the Notice out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ipscore.base.numbers import fmt, round_to
from ipscore.base.problems import InputError, Problem
from ipscore.render.model import cell_value, display, notice_columns, total_value
from ipscore.rules.notice import CHINESE_NUMBERS, NoticeRules, Requirement, fill
from ipscore.scoring.score import Ranking, ScoredRow, order_key

# --------------------------------------------------------------------------------------------
# The circular's content


@dataclass(frozen=True)
class Section:
    heading: str  # 一、总体情况
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    """Everything a circular says, as text; the renderers only lay it out."""

    ranking: Ranking
    date: date
    issuer: str
    doc_number: str
    title: str
    addressees: str
    opening: str
    sections: tuple[Section, ...]  # 一、总体情况 and 二、排名情况
    table_title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...]
    table_note: str
    requirements_heading: str  # 三、下一步工作要求
    requirements: tuple[Requirement, ...]

    @property
    def date_zh(self) -> str:
        """``2019年6月5日``: Arabic numerals, no zero padding."""
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"


def notice_title(ranking: Ranking) -> str:
    """``关于2019年1-5月全市发明专利申请情况的通报``."""
    return f"关于{ranking.period.span_zh}全市发明专利申请情况的通报"


def _pct(ranking: Ranking, value: Any) -> str:
    return fmt(value, ranking.scheme.decimals, ranking.scheme.rounding)


def _count(value: Any) -> str:
    return str(int(value)) if value is not None else "—"


def _names(rows: list[ScoredRow]) -> str:
    return "、".join(r.county for r in rows)


def _group(rows: list[ScoredRow]) -> str:
    """``A、B等2个区县``, or just ``A`` for one."""
    return rows[0].county if len(rows) == 1 else f"{_names(rows)}等{len(rows)}个区县"


def _growth_phrase(ranking: Ranking, value: Any) -> str:
    if value is None:
        return "去年同期为零"
    rounded = round_to(value, ranking.scheme.decimals, ranking.scheme.rounding)
    if rounded == 0:
        return "与去年同期持平"
    word = "增长" if rounded > 0 else "下降"
    return f"同比{word}{_pct(ranking, abs(value))}%"


def overall_paragraph(ranking: Ranking) -> str:
    """Citywide ytd, growth, completion against 序时进度 (ahead/behind in percentage points)."""
    totals, derived = ranking.totals, ranking.total_derived
    period = ranking.period
    text = f"{period.span_zh}，全市累计申请发明专利{_count(totals.get('ytd_apps'))}件"
    if period.month and period.month > 1 and "month_apps" in totals:
        text += f"（其中{period.month}月份{_count(totals['month_apps'])}件）"
    text += f"，去年同期{_count(totals.get('ytd_apps_last_year'))}件，"
    text += _growth_phrase(ranking, derived.get("growth_pct")) + "。"
    completion = derived.get("completion_pct")
    schedule = ranking.schedule_pct
    if completion is not None:
        text += (
            f"全市年度目标{_count(totals.get('annual_target'))}件，"
            f"已完成{_pct(ranking, completion)}%"
        )
        if schedule is not None:
            gap = completion - schedule
            rounded = round_to(abs(gap), ranking.scheme.decimals, ranking.scheme.rounding)
            basis = f"序时进度（{_pct(ranking, schedule)}%）"
            if rounded == 0:
                text += f"，与{basis}基本持平"
            else:
                word = "超过" if gap > 0 else "落后"
                text += f"，{word}{basis}{_pct(ranking, abs(gap))}个百分点"
        text += "。"
    return text


def ranking_paragraphs(ranking: Ranking) -> tuple[str, ...]:
    """Top three, fastest growth, units that met and missed 序时进度, rank movements."""
    rows = ranking.rows
    parts = "、".join(f"{i.name}{fmt(i.points, 0)}分" for i in ranking.scheme.indicators)
    top = [r for r in rows if r.rank <= 3]
    scores = "、".join(f"{r.county}（{_pct(ranking, r.score)}分）" for r in top)
    text = f"按照{ranking.scheme.name}办法（{parts}），各区县得分排名前三位的是：{scores}。"
    growth_id = "growth_pct"
    keys = {r.county: order_key(ranking.scheme, r, growth_id) for r in rows}
    best = max(keys.values(), default=(0, 0))
    fastest = [r for r in rows if keys[r.county] == best]
    if best[0] == 2:
        text += f"{_names(fastest)}去年同期为零、今年实现突破，增幅位列第一。"
    elif best[0] == 1:
        phrase = _growth_phrase(ranking, fastest[0].derived.get(growth_id))
        if len(fastest) > 1:
            phrase = phrase.replace("同比", "同比均", 1)
        text += f"同比增速最快的是{_names(fastest)}（{phrase}）。"
    if ranking.schedule_pct is not None:
        met = [
            r
            for r in rows
            if r.derived.get("completion_pct") is not None and not ranking.behind_schedule(r)
        ]
        missed = [r for r in rows if ranking.behind_schedule(r)]
        if not missed:
            text += "各区县均完成序时进度。"
        elif not met:
            text += "各区县均未完成序时进度。"
        else:
            text += f"{_group(met)}完成序时进度；{_group(missed)}未完成序时进度，需加快进度。"
    paragraphs = [text]
    if ranking.previous is not None:
        up = [r for r in rows if r.rank_change and r.rank_change > 0]
        down = [r for r in rows if r.rank_change and r.rank_change < 0]
        moves = []
        if up:
            moves.append(
                "位次上升的有" + "、".join(f"{r.county}（上升{r.rank_change}位）" for r in up)
            )
        if down:
            moves.append(
                "位次下降的有" + "、".join(f"{r.county}（下降{-r.rank_change}位）" for r in down)
            )
        if moves:
            paragraphs.append(f"与{ranking.previous.span_zh}相比，" + "；".join(moves) + "。")
        else:
            paragraphs.append(f"与{ranking.previous.span_zh}相比，各区县位次均无变化。")
    paragraphs.append("各区县具体情况见下表。")
    return tuple(paragraphs)


def table_cells(ranking: Ranking) -> tuple[tuple[str, ...], list[tuple[str, ...]], tuple[str, ...]]:
    """The circular's table as display strings: header, unit rows in rank order, 合计."""
    columns = notice_columns()
    header = tuple(c.title for c in columns)
    rows = [
        tuple(display(ranking, cell_value(ranking, row, c), c) for c in columns)
        for row in ranking.rows
    ]
    total = []
    for column in columns:
        value = total_value(ranking, column)
        total.append("" if value is None else display(ranking, value, column))
    return header, rows, tuple(total)


def check_date(ranking: Ranking, when: date) -> None:
    """A circular cannot be dated before its data month has ended."""
    period = ranking.period
    month = period.month or 12
    first_after = date(period.year + (month == 12), month % 12 + 1, 1)
    if when < first_after:
        raise InputError(
            [
                Problem(
                    "notice-date",
                    f"成文日期 {when.isoformat()} 早于数据截止月份 {period} 结束；"
                    f"应不早于 {first_after.isoformat()}（用 --date YYYY-MM-DD 指定）",
                )
            ]
        )


def build_notice(ranking: Ranking, rules: NoticeRules, when: date) -> Notice:
    """The whole circular for a scored month, dated ``when``."""
    check_date(ranking, when)
    period = ranking.period
    values = {
        "年": str(period.year),
        "月": str(period.month or ""),
        "期间": period.span_zh,
        "号": str((period.month or 0) + rules.number_offset),
    }
    header, rows, total = table_cells(ranking)
    schedule = ranking.schedule_pct
    parts = "、".join(f"{i.name}{fmt(i.points, 0)}分" for i in ranking.scheme.indicators)
    note = f"注：得分满分{fmt(ranking.scheme.total_points, 0)}分（{parts}）"
    if schedule is not None:
        note += f"；序时进度为{_pct(ranking, schedule)}%"
    if ranking.previous is not None:
        note += f"；位次变化与{ranking.previous.span_zh}排名相比，↑为上升，↓为下降"
    note += "。"
    sections = (
        Section("一、总体情况", (overall_paragraph(ranking),)),
        Section("二、各区县排名情况", ranking_paragraphs(ranking)),
    )
    return Notice(
        ranking=ranking,
        date=when,
        issuer=fill(rules.issuer, values),
        doc_number=fill(rules.doc_number, values),
        title=notice_title(ranking),
        addressees=fill(rules.addressees, values),
        opening=fill(rules.opening, values),
        sections=sections,
        table_title=f"{period.span_zh}各区县发明专利申请情况排名表",
        header=header,
        rows=tuple(rows),
        total=total,
        table_note=note,
        requirements_heading=f"三、{fill(rules.requirements_title, values)}",
        requirements=tuple(
            Requirement(fill(r.heading, values), fill(r.text, values)) for r in rules.requirements
        ),
    )


def requirement_label(index: int) -> str:
    """（一）, （二）, … for the index-th requirement (0-based)."""
    return f"（{CHINESE_NUMBERS[index]}）"
