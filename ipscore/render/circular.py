"""The circular (通报) as content: every paragraph, the annexed table, and the sign-off.

:class:`Notice` is what a circular says, as text; the renderers (docx, Markdown, xlsx) only lay
it out. :func:`build_notice` writes the monthly circular from a scored month: the citywide
figures, leaders and laggards, growth, 序时进度 (in December: the annual target), rank
movements and the analyst's requirements from rules/notice.toml. The annual results circular
is built by :mod:`ipscore.render.annual_notice` into the same :class:`Notice`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ipscore.base.numbers import fmt
from ipscore.base.problems import InputError, Problem
from ipscore.render.model import ColumnDef, cell_value, display, notice_columns, total_value
from ipscore.render.monthly_text import (
    growth_sentence,
    leaders_sentence,
    movers_sentence,
    overall_paragraph,
    schedule_sentence,
)
from ipscore.render.wording import change_cell, heading_label, ordinal_label
from ipscore.rules.notice import NoticeRules, Wording, fill
from ipscore.rules.units import CITY_WORDS, Words
from ipscore.scoring.score import Ranking, ScoredRow

BEHIND_MARK = "*"  # printed after the completion of a unit behind 序时进度 (not colour alone)


@dataclass(frozen=True)
class Para:
    """A body paragraph: ``body`` (仿宋), ``heading`` (黑体, 一、) or ``item`` (楷体 label,
    then 仿宋 text)."""

    text: str
    style: str = "body"
    label: str = ""


@dataclass(frozen=True)
class Annex:
    """An annexed table, printed on pages of its own after the main text."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]
    widths: tuple[float, ...]  # mm; they sum to the text block's width
    landscape: bool = False
    bold_rows: int = 0  # trailing rows set in bold (合计)
    text_columns: tuple[int, ...] = (1,)  # columns of names (the rest are figures)


@dataclass(frozen=True)
class Chart:
    """One chart of a 附图: its caption (``图1　…``, set under the picture) and its PNG."""

    caption: str
    png: bytes = field(repr=False)
    width_px: int
    height_px: int


@dataclass(frozen=True)
class FigureAnnex:
    """Charts annexed after the tables (附图), on a page of their own; ``font`` names the CJK
    font they were drawn in ("" when none was found)."""

    title: str
    charts: tuple[Chart, ...]
    font: str = ""


@dataclass(frozen=True)
class Notice:
    """Everything a circular says, as text."""

    kind: str  # "monthly" or "annual"
    date: date
    issuer: str
    mark: str
    doc_number: str
    title: str
    addressees: str
    paragraphs: tuple[Para, ...]
    annexes: tuple[Annex, ...]
    cc: str
    printer: str
    note: str
    stamped: bool
    fonts: dict[str, tuple[str, ...]]
    ranking: Ranking | None = None
    source: Any = field(default=None, compare=False)  # the Assessment of an annual circular
    figures: tuple[FigureAnnex, ...] = ()  # after the tables, numbered on from them
    words: Words = CITY_WORDS  # the units file's words (区县/全市, 市/全省)

    @property
    def date_zh(self) -> str:
        """``2019年6月5日``: Arabic numerals, no zero padding."""
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"

    @property
    def attachments(self) -> tuple[str, ...]:
        """The 附件说明 lines: ``附件：名称``, or ``附件：1.名称`` and ``2.名称`` for several
        (the tables first, then the figures)."""
        titles = [a.title for a in self.annexes] + [f.title for f in self.figures]
        if len(titles) == 1:
            return (f"附件：{titles[0]}",)
        return tuple(("附件：" if i == 0 else "") + f"{i + 1}.{t}" for i, t in enumerate(titles))

    def annex_label(self, index: int) -> str:
        """The label of annex ``index`` (the tables, then the figures counted on)."""
        return "附件" if len(self.annexes) + len(self.figures) == 1 else f"附件{index + 1}"

    @property
    def charts(self) -> tuple[Chart, ...]:
        """Every chart of the figures, in order (图1, 图2, …)."""
        return tuple(chart for figure in self.figures for chart in figure.charts)


def doc_number(prefix: str, when: date, number: int) -> str:
    """``X知字〔2020〕3号``: the issuing year in 〔〕, the register's number without padding."""
    return f"{prefix}〔{when.year}〕{number}号"


def notice_title(ranking: Ranking) -> str:
    """``关于2019年1-5月全市发明专利申请情况的通报`` (全省 for a province)."""
    return f"关于{ranking.period.span_zh}{ranking.scheme.units.words.whole}发明专利申请情况的通报"


def table_title(ranking: Ranking) -> str:
    return f"{ranking.period.span_zh}{ranking.scheme.units.words.each}发明专利申请情况排名表"


def check_date(period_year: int, period_month: int | None, when: date, label: str) -> None:
    """A circular cannot be dated before its data period has ended."""
    month = period_month or 12
    first_after = date(period_year + (month == 12), month % 12 + 1, 1)
    if when < first_after:
        raise InputError(
            [
                Problem(
                    "notice-date",
                    f"成文日期 {when.isoformat()} 早于数据截止月份 {label} 结束；"
                    f"应不早于 {first_after.isoformat()}（用 --date YYYY-MM-DD 指定）",
                )
            ]
        )


# --------------------------------------------------------------------------------------------
# The table


def circular_columns(ranking: Ranking) -> list[ColumnDef]:
    """The circular's columns, with full-width brackets as Chinese print has them."""
    return [
        replace(c, title=c.title.replace("(", "（").replace(")", "）"))
        for c in notice_columns(ranking.scheme.units.words)
    ]


def _pct(ranking: Ranking, value: Any) -> str:
    return fmt(value, ranking.scheme.decimals, ranking.scheme.rounding)


def _cell(ranking: Ranking, row: ScoredRow | None, column: ColumnDef, value: Any) -> str:
    if column.kind == "change":
        return "" if row is None else change_cell(value)
    text = display(ranking, value, column)
    if row is not None and column.key == "completion_pct" and ranking.behind_schedule(row):
        text += BEHIND_MARK
    return text


def table_cells(ranking: Ranking) -> tuple[tuple[str, ...], list[tuple[str, ...]], tuple[str, ...]]:
    """The circular's table as display strings: header, unit rows in rank order, 合计."""
    columns = circular_columns(ranking)
    header = tuple(c.title for c in columns)
    rows = [
        tuple(_cell(ranking, row, c, cell_value(ranking, row, c)) for c in columns)
        for row in ranking.rows
    ]
    total = []
    for column in columns:
        value = total_value(ranking, column)
        total.append("" if value is None else _cell(ranking, None, column, value))
    return header, rows, tuple(total)


def table_notes(ranking: Ranking) -> tuple[str, ...]:
    """The lines under the table: points, the 序时进度 mark, what 位次变化 means."""
    parts = "、".join(f"{i.name}{fmt(i.points, 0)}分" for i in ranking.scheme.indicators)
    total = fmt(ranking.scheme.total_points, 0)
    notes = [f"得分满分{total}分（{parts}），评分方案：{ranking.scheme.name}。"]
    unit = ranking.scheme.units.words.unit
    if ranking.schedule_pct is not None:
        if ranking.period.month == 12:
            notes.append(f"完成率后标“{BEHIND_MARK}”的{unit}未完成年度目标。")
        else:
            notes.append(
                f"序时进度为{_pct(ranking, ranking.schedule_pct)}%，"
                f"完成率后标“{BEHIND_MARK}”的{unit}未完成序时进度。"
            )
    if ranking.period.month == 1:
        notes.append("1月为年度首月，位次变化不与上年12月比较，以“—”表示。")
    elif ranking.previous is not None:
        note = f"位次变化与{ranking.previous.span_zh}排名相比：↑为上升，↓为下降，“持平”为位次不变"
        if any(r.rank_change is None for r in ranking.rows):
            note += "；“—”为上月无排名"
        notes.append(note + "。")
    else:
        notes.append("位次变化以“—”表示：没有上月排名可比较。")
    return tuple(f"{i}. {n}" if len(notes) > 1 else n for i, n in enumerate(notes, start=1))


#: 序号, 区县, 本月申请, 累计申请, 去年同期, 同比增长, 年度目标, 完成率, 得分, 排名, 位次变化 (mm)
MONTHLY_WIDTHS = (10.0, 25.0, 12.0, 12.0, 12.0, 19.0, 12.0, 17.0, 13.0, 11.0, 13.0)


def ranking_annex(ranking: Ranking) -> Annex:
    header, rows, total = table_cells(ranking)
    return Annex(
        title=table_title(ranking),
        header=header,
        rows=(*rows, total),
        notes=table_notes(ranking),
        widths=MONTHLY_WIDTHS,
        bold_rows=1,
    )


def requirement_paras(wording: Wording, values: dict[str, str], number: int) -> list[Para]:
    """``三、下一步工作要求`` and its items ``（一）…``."""
    if not wording.requirements:
        return []
    out = [Para(heading_label(number) + fill(wording.requirements_title, values), "heading")]
    for index, item in enumerate(wording.requirements):
        label = ordinal_label(index) + fill(item.heading, values)
        out.append(Para(fill(item.text, values), "item", label))
    return out


def build_notice(
    ranking: Ranking,
    rules: NoticeRules,
    when: date,
    number: int = 1,
    figure: FigureAnnex | None = None,
) -> Notice:
    """The whole monthly circular for a scored month, dated ``when``, register number
    ``number``; ``figure`` (the charts notice.toml asks for) is annexed after the table."""
    period = ranking.period
    check_date(period.year, period.month, when, str(period))
    values = {
        "年": str(period.year),
        "月": str(period.month or ""),
        "期间": period.span_zh,
        "下年": str(period.year + 1),
    }
    wording = rules.wording(period.month)
    each = ranking.scheme.units.words.each
    ranking_text = [leaders_sentence(ranking), growth_sentence(ranking)]
    for sentence in (schedule_sentence(ranking), movers_sentence(ranking)):
        if sentence:
            ranking_text.append(sentence)
    paragraphs = [
        Para(fill(wording.opening, values)),
        Para(heading_label(0) + "总体情况", "heading"),
        Para(overall_paragraph(ranking)),
        Para(heading_label(1) + f"{each}排名情况", "heading"),
        Para("".join(ranking_text[:2])),
        *[Para(text) for text in ranking_text[2:]],
        Para(f"{each}具体情况见附件1、附件2。" if figure else f"{each}具体情况见附件。"),
        *requirement_paras(wording, values, 2),
    ]
    return Notice(
        kind="monthly",
        date=when,
        issuer=rules.issuer,
        mark=rules.mark,
        doc_number=doc_number(rules.doc_prefix, when, number),
        title=notice_title(ranking),
        addressees=rules.addressees,
        paragraphs=tuple(paragraphs),
        annexes=(ranking_annex(ranking),),
        cc=rules.cc,
        printer=rules.printer,
        note=rules.note,
        stamped=rules.stamped,
        fonts=rules.fonts,
        ranking=ranking,
        figures=(figure,) if figure else (),
        words=ranking.scheme.units.words,
    )
