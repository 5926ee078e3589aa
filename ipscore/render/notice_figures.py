"""The monthly circular's 附图: the brief's charts, drawn to the width of the circular's text block.

notice.toml's ``[monthly] figures`` names the charts (``volume``: 累计 vs 去年同期 by unit;
``completion``: 完成率 against the 序时进度 line, in December against the annual target). They
are the charts of ``ipscore brief`` (:mod:`.charts`), readable in black and white, drawn
without their own titles: the circular sets a caption ``图1　…`` under each picture. They share
one annex page after the ranking table (:mod:`.docx_figure` lays it out).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import date

from ipscore.render.brief import build_brief
from ipscore.render.charts import Font, completion_chart, volume_chart
from ipscore.render.circular import Chart, FigureAnnex
from ipscore.rules.units import CITY_WORDS, Words
from ipscore.scoring.score import Ranking

# A chart as wide as the text block (156 mm); two of them, their captions, the annex's label
# and title and the 版记 fit on one portrait page.
FIGURE_MM = (156.0, 66.0)


def figure_title(ranking: Ranking) -> str:
    """``2019年1-6月各区县发明专利申请情况图``: the annex's title, as the 附件说明 lists it."""
    return f"{ranking.period.span_zh}{ranking.scheme.units.words.each}发明专利申请情况图"


def caption(kind: str, year_over: bool, words: Words = CITY_WORDS) -> str:
    if kind == "volume":
        return f"{words.each}累计申请与去年同期（按排名）"
    return f"{words.each}年度目标完成率" + ("" if year_over else "与序时进度")


def _size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels, from its IHDR chunk."""
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def figure_annex(
    ranking: Ranking, kinds: Sequence[str], font: Font | None, when: date
) -> tuple[FigureAnnex | None, tuple[str, ...]]:
    """The 附图 with the charts ``kinds`` names, and the kinds left out because the month has
    nothing to draw for them (完成率 without any 年度目标); None when none is left."""
    brief = build_brief(ranking, when, "")
    year_over = brief.basis == "年度目标"
    drawn: list[tuple[str, bytes]] = []
    left_out: list[str] = []
    for kind in kinds:
        if kind == "completion":
            if all(s.completion is None for s in brief.series):
                left_out.append(kind)
                continue
            png = completion_chart(brief, font, size_mm=FIGURE_MM, titled=False)
        else:
            png = volume_chart(brief, font, size_mm=FIGURE_MM, titled=False)
        drawn.append((caption(kind, year_over, brief.words), png))
    if not drawn:
        return None, tuple(left_out)
    charts = tuple(
        Chart(f"图{index}　{text}", png, *_size(png))
        for index, (text, png) in enumerate(drawn, start=1)
    )
    return FigureAnnex(figure_title(ranking), charts), tuple(left_out)
