"""The brief as one A4 page of Word: key figures, standings, movers, 序时进度, two charts.

A4 portrait, 18 mm side margins and 14 mm top and bottom; the title in 黑体 18 pt, text in 宋体
10.5 pt (Chinese fonts set as each run's East-Asian font, as Word and WPS read them). The charts
are PNG images 174 mm wide, so the page reads the same in Word, WPS and LibreOffice, and the
PDF and PNG made from it by LibreOffice (:mod:`.office`) show exactly this page.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from ipscore.render.brief import Brief, Standing
from ipscore.render.reproducible import normalise_zip

HEADING = "黑体"
BODY = "宋体"
# The fonts' stand-ins, first choice first (Windows / WPS, then the free CJK families): what
# LibreOffice looks for when it makes the PDF on a machine without 黑体 or 宋体.
FONTS = {
    "heading": (HEADING, "SimHei", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC"),
    "body": (BODY, "SimSun", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
}
LATIN = "Arial"
GREY = "595959"
SHADE = "EDEDED"
TEXT_MM = 174


def _font(
    run: Any, name: str, size: float, *, bold: bool = False, color: str | None = None
) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _spacing(paragraph: Any, *, before: float = 0, after: float = 0, line: float = 1.15) -> None:
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = line


def _text(
    container: Any,
    text: str,
    *,
    font: str = BODY,
    size: float = 10.5,
    bold: bool = False,
    color: str | None = None,
    align: str = "left",
    before: float = 0,
    after: float = 0,
    paragraph: Any = None,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    if paragraph is None:
        paragraph = container.add_paragraph()
    paragraph.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
    }[align]
    _spacing(paragraph, before=before, after=after)
    if text:
        _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(doc: Any, rows: int, widths_mm: list[float]) -> Any:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm

    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return table


def _heading(doc: Any, text: str) -> None:
    paragraph = _text(doc, text, font=HEADING, size=11.5, bold=True, before=7, after=2)
    paragraph.paragraph_format.keep_with_next = True


def _figures(doc: Any, brief: Brief) -> None:
    width = TEXT_MM / len(brief.figures)
    table = _table(doc, 1, [width] * len(brief.figures))
    for cell, figure in zip(table.rows[0].cells, brief.figures, strict=True):
        _shade(cell, SHADE)
        _text(
            cell,
            figure.label,
            size=9,
            color=GREY,
            align="center",
            before=2,
            paragraph=cell.paragraphs[0],
        )
        _text(cell, figure.value, font=HEADING, size=17, bold=True, align="center")
        _text(cell, figure.note, size=8.5, align="center", after=2)


def _standing_lines(cell: Any, title: str, rows: tuple[Standing, ...], empty: str) -> None:
    _text(cell, title, font=HEADING, size=10, bold=True, before=1, paragraph=cell.paragraphs[0])
    if not rows:
        _text(cell, empty, size=9.5)
    for row in rows:
        paragraph = _text(cell, f"第{row.rank}名　", size=9.5, color=GREY)
        _font(paragraph.add_run(row.county), BODY, 9.5, bold=True)
        _font(paragraph.add_run(f"　{row.score}"), BODY, 9.5)


def _standings(doc: Any, brief: Brief) -> None:
    table = _table(doc, 1, [42, 42, TEXT_MM - 84])
    first, last, moves = table.rows[0].cells
    _standing_lines(first, "前三名", brief.top, "—")
    _standing_lines(last, "后三名", brief.bottom, "（参评单位不足四个）")
    _text(
        moves,
        "位次变化（与上月比）",
        font=HEADING,
        size=10,
        bold=True,
        before=1,
        paragraph=moves.paragraphs[0],
    )
    for line in brief.movers:
        _text(moves, line, size=9.5, after=1)


def _schedule(doc: Any, brief: Brief) -> None:
    if not brief.behind_text:
        return
    paragraph = _text(doc, brief.behind_text + ("：" if brief.behind else "。"), size=10.5)
    # Each unit's rate while the list is short; a long list (early in the year every unit may
    # be behind) gives the names alone, the chart below shows the rates.
    if len(brief.behind) <= 5:
        names = "、".join(f"{row.county}（{row.remark}）" for row in brief.behind)
    else:
        names = "、".join(row.county for row in brief.behind)
    if names:
        _font(paragraph.add_run(names + "。"), BODY, 10.5, bold=True)


def _picture(doc: Any, png: bytes) -> None:
    from docx.shared import Mm

    paragraph = _text(doc, "", align="center", before=3)
    paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(TEXT_MM))


def brief_docx(brief: Brief, charts: list[bytes], when: date) -> bytes:
    """The brief as .docx bytes (one A4 page), identical for identical inputs and date."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY)
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm((210 - TEXT_MM) / 2)
    section.top_margin = section.bottom_margin = Mm(14)

    _text(doc, brief.title, font=HEADING, size=18, bold=True, align="center", after=2)
    _text(doc, brief.subtitle, size=9, color=GREY, align="center", after=6)
    _figures(doc, brief)
    _heading(doc, "一、排名与位次变化")
    _standings(doc, brief)
    _heading(doc, brief.progress_heading)
    _schedule(doc, brief)
    _heading(doc, "三、图表")
    for png in charts:
        _picture(doc, png)
    _text(doc, brief.footnote, size=8, color=GREY, before=4)

    stamp = datetime(when.year, when.month, when.day)
    props = doc.core_properties
    props.title = brief.title
    props.author = props.last_modified_by = "ipscore"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalise_zip(buffer.getvalue(), stamp)
