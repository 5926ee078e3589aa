"""The circular as a Word document laid out after GB/T 9704-2012 (党政机关公文格式).

A4; top margin 37 mm, binding (left) margin 28 mm, text block 156 × 225 mm, 22 lines; title in
方正小标宋简体 22 pt, body in 仿宋_GB2312 16 pt, headings in 黑体 / 楷体_GB2312, a two-character
first-line indent, page numbers ``— 1 —`` in 宋体 4号 (14 pt). Chinese fonts are set as each
run's East-Asian font (``w:eastAsia``), which is what Word and WPS use for Chinese text.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from ipscore.render.circular import Notice, requirement_label
from ipscore.render.reproducible import normalise_zip

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TITLE_PT = 22
BODY_PT = 16
TABLE_PT = 10.5  # 五号
PAGE_PT = 14  # 4号
LINE_PT = 28.9  # 225 mm / 22 lines, a hair under so 22 lines fit
RED = "FF0000"
# 序号, 区县, 本月申请, 累计申请, 去年同期, 同比增长(%), 年度目标, 完成率(%), 得分, 排名, 位次变化
COLUMN_MM = (9, 22, 13, 13, 13, 17, 13, 15, 14, 12, 15)  # sums to the 156 mm text width


def _set_font(
    run: Any, name: str, size: float, *, bold: bool = False, color: str | None = None
) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    # Digits and Latin letters in Times New Roman beside the Chinese fonts, as is usual.
    run.font.name = LATIN_FONT if name in (BODY_FONT, HEADING_FONT, SUBHEADING_FONT) else name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _format(
    paragraph: Any, *, indent: bool = True, align: str = "justify", line: float = LINE_PT
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(2 * BODY_PT) if indent else Pt(0)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
    }[align]


def _paragraph(
    doc: Any, text: str = "", font: str = BODY_FONT, size: float = BODY_PT, **kw: Any
) -> Any:
    bold = kw.pop("bold", False)
    color = kw.pop("color", None)
    paragraph = doc.add_paragraph()
    _format(paragraph, **kw)
    if text:
        _set_font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _defaults(doc: Any) -> None:
    """Normal style and document defaults in 仿宋_GB2312 16 pt, without theme fonts."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    # The template's defaults name theme fonts, which would win over w:eastAsia in Word.
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)


def _page(doc: Any) -> None:
    from docx.shared import Mm

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(297 - 37 - 225)
    section.left_margin, section.right_margin = Mm(28), Mm(210 - 28 - 156)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(28 - 7 - 5)  # the number sits 7 mm under the text block


def _page_number(doc: Any) -> None:
    """``— 1 —`` in 宋体 4号, the number a PAGE field; odd pages right, even pages left, each
    one character in from the edge of the text block (GB/T 9704 7.5)."""
    from docx.shared import Pt

    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        _format(paragraph, indent=False, align=align, line=PAGE_PT * 1.2)
        if align == "right":
            paragraph.paragraph_format.right_indent = Pt(PAGE_PT)
        else:
            paragraph.paragraph_format.left_indent = Pt(PAGE_PT)
        _page_field(paragraph)


def _page_field(paragraph: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(text: str = "") -> Any:
        r = paragraph.add_run(text)
        _set_font(r, PAGE_FONT, PAGE_PT)
        return r

    def field_char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run()._element.append(element)

    run("— ")
    field_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run()._element.append(instr)
    field_char("separate")
    run("1")
    field_char("end")
    run(" —")


def _red_rule(paragraph: Any) -> None:
    """The red separator line under the masthead, as a paragraph bottom border."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "4"), ("color", RED)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _title_lines(title: str) -> list[str]:
    """Break a long title between the period and the subject (a trapezoid, words kept whole)."""
    if len(title) <= 18 or "全市" not in title:
        return [title]
    head, _, tail = title.partition("全市")
    return [head + "全市", tail]


def _table(doc: Any, notice: Notice) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    rows = [notice.header, *notice.rows, notice.total]
    table = doc.add_table(rows=len(rows), cols=len(notice.header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for index, width in enumerate(COLUMN_MM):
        table.columns[index].width = Mm(width)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "45")  # twentieths of a point: about 0.8 mm
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)
    for r, values in enumerate(rows):
        row = table.rows[r]
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
        if r == 0:  # repeat the header on every page
            marker = OxmlElement("w:tblHeader")
            marker.set(qn("w:val"), "true")
            properties.append(marker)
        for c, text in enumerate(values):
            cell = row.cells[c]
            cell.width = Mm(COLUMN_MM[c])
            paragraph = cell.paragraphs[0]
            _format(paragraph, indent=False, align="center", line=TABLE_PT * 1.5)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            header = r == 0 or r == len(rows) - 1
            font = HEADING_FONT if header else BODY_FONT
            first, *rest = _header_lines(text) if r == 0 else [text]
            run = paragraph.add_run(first)
            _set_font(run, font, TABLE_PT)
            for line in rest:
                run.add_break()
                run.add_text(line)


def _header_lines(text: str) -> list[str]:
    """A column title in two balanced lines: 本月/申请, 同比增长/(%)."""
    if "(" in text:
        head, _, tail = text.partition("(")
        return [head, "(" + tail]
    if len(text) == 4:
        return [text[:2], text[2:]]
    return [text]


def docx_bytes(notice: Notice) -> bytes:
    """The circular as .docx bytes, identical for identical inputs and date."""
    from docx import Document

    doc = Document()
    _defaults(doc)
    _page(doc)

    # 版头: the issuing office in red, the 文号, a red rule.
    _paragraph(doc, notice.issuer, TITLE_FONT, 36, indent=False, align="center", line=60, color=RED)
    _paragraph(doc, indent=False, align="center")
    _paragraph(doc, notice.doc_number, indent=False, align="center")
    _red_rule(doc.paragraphs[-1])
    _paragraph(doc, indent=False)

    title = _paragraph(doc, indent=False, align="center", line=35)
    first, *rest = _title_lines(notice.title)
    run = title.add_run(first)
    _set_font(run, TITLE_FONT, TITLE_PT)
    for line in rest:
        run.add_break()
        run.add_text(line)
    _paragraph(doc, indent=False)

    _paragraph(doc, notice.addressees, indent=False)
    _paragraph(doc, notice.opening)
    for section in notice.sections:
        _paragraph(doc, section.heading, HEADING_FONT).paragraph_format.keep_with_next = True
        for text in section.paragraphs:
            _paragraph(doc, text)

    caption = _paragraph(doc, notice.table_title, HEADING_FONT, indent=False, align="center")
    caption.paragraph_format.keep_with_next = True
    _table(doc, notice)
    _paragraph(doc, notice.table_note, BODY_FONT, 12, indent=False, line=20)

    heading = _paragraph(doc, notice.requirements_heading, HEADING_FONT)
    heading.paragraph_format.keep_with_next = True
    for index, requirement in enumerate(notice.requirements):
        paragraph = _paragraph(doc)
        label = requirement_label(index) + requirement.heading
        _set_font(paragraph.add_run(label), SUBHEADING_FONT, BODY_PT)
        _set_font(paragraph.add_run(requirement.text), BODY_FONT, BODY_PT)

    _paragraph(doc, indent=False)
    _paragraph(doc, indent=False)
    # 成文日期 right-aligned, four characters in from the right; the issuer centred above it.
    date_text = notice.date_zh
    date_width = _width(date_text)
    issuer_indent = 4 + max((date_width - _width(notice.issuer)) / 2, 0)
    _right(_paragraph(doc, notice.issuer, indent=False, align="right"), issuer_indent)
    _right(_paragraph(doc, date_text, indent=False, align="right"), 4)
    _page_number(doc)

    when = datetime(notice.date.year, notice.date.month, notice.date.day)
    props = doc.core_properties
    props.title = notice.title
    props.author = notice.issuer
    props.last_modified_by = notice.issuer
    props.subject = notice.doc_number
    props.created = when
    props.modified = when
    props.last_printed = when
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalise_zip(buffer.getvalue(), when)


def _width(text: str) -> float:
    """Width in Chinese characters: ASCII digits and letters count half."""
    return sum(0.5 if ord(ch) < 128 else 1 for ch in text)


def _right(paragraph: Any, chars: float) -> None:
    from docx.shared import Pt

    paragraph.paragraph_format.right_indent = Pt(chars * BODY_PT)
