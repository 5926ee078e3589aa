"""The circular's 附图 in Word: an annex page of charts after the tables.

The page is laid out like a table annex (label in 黑体 top left, the title in 小标宋 on the
third line), then each chart as an inline picture as wide as the text block with its caption
``图1　…`` (黑体 4号) centred under it. Every piece has a known height — a picture's line is
"at least" the picture plus a little, so neither Word nor LibreOffice clips or grows it — so
the page plan knows where the page ends and whether the 版记 fits at its foot.
"""

from __future__ import annotations

import io
from typing import Any

from ipscore.render.circular import Chart, FigureAnnex
from ipscore.render.docx_annex import AnnexLayout, annex_heading, heading_height
from ipscore.render.docx_page import LINE, Page, para, qn, run

CAPTION_PT = 14.0  # 4号
PICTURE_PAD = 120  # twips of the picture's line above the picture (6 pt)
CHART_GAP = LINE // 2  # between one chart's caption and the next picture


def picture_height(chart: Chart, page: Page) -> int:
    """The picture's height in twips when it is as wide as the text block."""
    return round(page.text_width * chart.height_px / chart.width_px)


def _blocks(figure: FigureAnnex, page: Page) -> list[int]:
    """Each chart's height with its caption (and the gap before the next), in twips."""
    out = []
    for index, chart in enumerate(figure.charts):
        gap = CHART_GAP if index + 1 < len(figure.charts) else 0
        out.append(picture_height(chart, page) + PICTURE_PAD + LINE + gap)
    return out


def figure_layout(figure: FigureAnnex, page: Page) -> AnnexLayout:
    """Pages the 附图 takes (a chart is never split from its caption) and the twips used on
    the last one."""
    used, pages = heading_height(figure.title, page), 1
    for height in _blocks(figure, page):
        if used + height > page.text_height and used:
            pages += 1
            used = 0
        used += height
    return AnnexLayout(pages, used)


def _picture(part: Any, chart: Chart, page: Page, fonts: dict[str, tuple[str, ...]]) -> Any:
    """A centred paragraph holding the chart as an inline picture, the text block's width."""
    from docx.shared import Twips

    height = picture_height(chart, page)
    inline = part.new_pic_inline(io.BytesIO(chart.png), Twips(page.text_width), Twips(height))
    inline.docPr.set("descr", chart.caption)  # the alternative text
    holder = run("", fonts["body"], 1)
    holder.add_drawing(inline)
    p = para([holder], align="center", line=height + PICTURE_PAD, keep_next=True, grid=False)
    p.find(qn("w:pPr")).find(qn("w:spacing")).set(qn("w:lineRule"), "atLeast")
    return p


def figure_elements(
    label: str, figure: FigureAnnex, page: Page, fonts: dict[str, tuple[str, ...]], part: Any
) -> list[Any]:
    """附件 label and title, then each chart and its caption; ``part`` is the document part
    the pictures are stored in."""
    out = annex_heading(label, figure.title, page, fonts)
    for index, chart in enumerate(figure.charts):
        out.append(_picture(part, chart, page, fonts))
        caption = run(chart.caption, fonts["heading"], CAPTION_PT, latin=fonts["heading"][0])
        out.append(para([caption], align="center", grid=False))
        if index + 1 < len(figure.charts):
            out.append(para(line=CHART_GAP, grid=False))
    return out
