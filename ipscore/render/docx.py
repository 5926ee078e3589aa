"""The circular as a Word document laid out after GB/T 9704-2012 (党政机关公文格式).

The order is the standard's: 版头 (the red 发文机关标志 with its top edge 35 mm under the text
block, the 文号 two lines below it, the red separator 4 mm under the 文号), 主体 (the title two
lines under the separator, 主送, the body, 附件说明 one line below the body, 发文机关署名 and
成文日期 in the unstamped layout or, when set, the stamped one, 附注), each 附件 on pages of its
own (landscape where the table needs the width), the 附图 when notice.toml asks for it (the
charts on a page of their own, :mod:`.docx_figure`), and the 版记 at the foot of the last even
page. Page numbers ``— 1 —`` sit 7 mm under the text block, odd pages right and even pages
left; on a landscape page they stand in the left margin, turned, where the portrait page has
them once the sheet is turned back (:mod:`.docx_turned`); a page left blank before the 版记 and
the 版记 page after it carry none.
"""

from __future__ import annotations

import io
from copy import deepcopy
from datetime import datetime
from typing import Any

from ipscore.render.circular import Notice
from ipscore.render.docx_annex import (
    SLACK,
    annex_elements,
    annex_layout,
    imprint_height,
    imprint_table,
)
from ipscore.render.docx_figure import figure_elements, figure_layout
from ipscore.render.docx_page import (
    CHAR,
    KERN,
    LANDSCAPE,
    LINE,
    LINES,
    PORTRAIT,
    RED,
    Page,
    blank_footers,
    bottom_border,
    page_number_footers,
    para,
    qn,
    run,
    setup,
    shape_section,
)
from ipscore.render.docx_turned import turned_page_number_footers
from ipscore.render.paging import LIBREOFFICE, WORD, Block, count_lines, layout, text_width
from ipscore.render.reproducible import normalise_zip
from ipscore.rules.units import CITY_WORDS, Words

LATIN = "Times New Roman"
TITLE_PT = 22.0  # 2号
BODY_PT = 16.0  # 3号
INDENT = 2 * CHAR  # 左空二字
MARK_TOP = 1984  # 35 mm: from the text block's top edge to the masthead's top edge
# The masthead's ink begins 0.14 em under the top of its exact 1.2 em line (measured on the
# rendered page: a 48 pt masthead's top edge then lies 35.0 mm under the text block).
MARK_LINE = 1.2
MARK_INK = 0.14
RULE_SPACE = 7  # pt between the 文号 line and the red separator (4 mm under the characters)
RULE_SIZE = 12  # eighths of a point: a 1.5 pt red line


def mark_size(mark: str, width: int = PORTRAIT.text_width) -> float:
    """The masthead's size: as large as fits in 95% of the text width, at most 48 pt."""
    units = text_width(mark, 1.0, 0) / 20
    return float(min(48, int(width * 0.95 / 20 / units)))


def title_lines(
    title: str,
    size: float = TITLE_PT,
    width: int = PORTRAIT.text_width,
    words: Words = CITY_WORDS,
) -> list[str]:
    """The title on one line, or broken between words into a balanced trapezoid (after 全市,
    年度, 区县, 工作 or 情况; the units file's words in place of 全市 and 区县)."""
    if text_width(title, size, 0) <= width:
        return [title]
    best: tuple[float, list[str]] | None = None
    for marker in (words.whole, "年度", words.unit, "工作", "情况"):
        at = title.find(marker)
        if at <= 0:
            continue
        head, tail = title[: at + len(marker)], title[at + len(marker) :]
        if not tail or max(text_width(head, size, 0), text_width(tail, size, 0)) > width:
            continue
        score = abs(text_width(head, size, 0) - text_width(tail, size, 0)) + (
            0.5 if len(head) > len(tail) else 0
        )
        if best is None or score < best[0]:
            best = (score, [head, tail])
    return best[1] if best else [title]


class _Writer:
    """Appends paragraphs and tables before the document's final section properties."""

    def __init__(self, doc: Any, notice: Notice) -> None:
        self.doc = doc
        self.fonts = notice.fonts
        self.final = doc.element.body.find(qn("w:sectPr"))

    def add(self, element: Any) -> Any:
        self.final.addprevious(element)
        return element

    def text(self, text: str, role: str = "body", size: float = BODY_PT, **kw: Any) -> Any:
        chain = self.fonts[role]
        latin = LATIN if role == "body" else chain[0]
        return run(text, chain, size, latin=latin, kern=KERN if size == BODY_PT else 0, **kw)


def _masthead(w: _Writer, notice: Notice) -> int:
    """版头 and title; returns how many grid lines they take."""
    size = mark_size(notice.mark)
    height = round(size * 20 * MARK_LINE)
    spacer = MARK_TOP - round(size * 20 * MARK_INK)
    w.add(para(line=spacer, grid=False))
    mark = w.text(notice.mark, "title", size, color=RED)
    w.add(para([mark], align="center", line=height, grid=False))
    w.add(para(grid=False))
    w.add(para(grid=False))
    number = para(
        [w.text(notice.doc_number)],
        align="center",
        grid=False,
        border=bottom_border(RULE_SIZE, RED, RULE_SPACE),
    )
    w.add(number)
    lines = title_lines(notice.title, words=notice.words)
    used = spacer + height + 3 * LINE + (RULE_SPACE * 20 + RULE_SIZE * 20 // 8)
    used += len(lines) * LINE + LINE  # the title, and 标题下空一行
    # 标题 编排于分隔线下空二行: the two lines give or take half a line, so that the 主送 line
    # falls on a grid line in Word and LibreOffice alike.
    rows = round((used + 2 * LINE) / LINE)
    gap = rows * LINE - used - 20
    w.add(para(line=gap // 2, grid=False))
    w.add(para(line=gap - gap // 2, grid=False))
    for line in lines:
        w.add(para([w.text(line, "title", TITLE_PT)], align="center", grid=False))
    w.add(para(grid=False))
    return rows


Spec = tuple[str, int, int, bool]  # a grid paragraph's text, first-line and left indent, keep


def blocks(specs: list[Spec], autospace: float = LIBREOFFICE) -> list[Block]:
    """The grid paragraphs' line counts with the given Asian–Latin spacing."""
    width = PORTRAIT.text_width
    return [
        Block(count_lines(text, width, first, left, autospace=autospace), keep)
        for text, first, left, keep in specs
    ]


def _body(w: _Writer, notice: Notice) -> tuple[list[Spec], Any]:
    """主送, the body paragraphs, 附件说明, 署名, 日期, 附注; what the page count needs."""
    specs: list[Spec] = []

    def add(p: Any, text: str = "", first: int = 0, left: int = 0, keep: bool = False) -> Any:
        w.add(p)
        specs.append((text, first, left, keep))
        return p

    add(para([w.text(notice.addressees)], align="left"), notice.addressees)
    paragraphs = notice.paragraphs
    for index, item in enumerate(paragraphs):
        last = index == len(paragraphs) - 1
        if item.style == "heading":
            runs = [w.text(item.text, "heading")]
        elif item.style == "item":
            runs = [w.text(item.label, "subheading"), w.text(item.text)]
        else:
            runs = [w.text(item.text)]
        text = item.label + item.text
        keep = item.style == "heading" or last
        add(para(runs, first=INDENT, keep_next=keep), text, INDENT, keep=keep)

    add(para(keep_next=True), keep=True)  # 正文下空一行
    head = 3 * CHAR  # 附件： — later lines align with the first character of the name
    for index, line in enumerate(notice.attachments):
        first, left = (-head, INDENT + head) if index == 0 else (0, INDENT + head)
        element = para([w.text(line)], align="left", first=first, left=left, keep_next=True)
        add(element, line, first, left, keep=True)
    for _ in range(2 if notice.stamped else 1):
        add(para(keep_next=True), keep=True)
    issuer_w, date_w = text_width(notice.issuer), text_width(notice.date_zh)
    if notice.stamped:  # 成文日期右空四字, 署名以成文日期为准居中
        date_right = 4 * CHAR
        issuer_right = max(date_right + (date_w - issuer_w) // 2, 0)
    else:  # 署名右空二字, 日期首字比署名首字右移二字
        date_right = max(issuer_w - date_w, 2 * CHAR)
        issuer_right = date_right + date_w + 2 * CHAR - issuer_w
    add(para([w.text(notice.issuer)], align="right", right=issuer_right, keep_next=True), keep=True)
    note = bool(notice.note)
    date_p = para([w.text(notice.date_zh)], align="right", right=date_right, keep_next=note)
    last = add(date_p, keep=note)
    if notice.note:
        last = add(para([w.text(notice.note)], align="left", first=INDENT), notice.note, INDENT)
    return specs, last


def _section(doc: Any, paragraph: Any, page: Page, grid: bool) -> Any:
    """End a section at ``paragraph`` (its pPr carries the section's properties)."""
    from docx.section import Section

    final = doc.element.body.find(qn("w:sectPr"))
    sect = deepcopy(final)
    for tag in ("w:headerReference", "w:footerReference"):
        for ref in sect.findall(qn(tag)):
            sect.remove(ref)
    paragraph.find(qn("w:pPr")).append(sect)
    section = Section(sect, doc.part)
    shape_section(section, page, grid=grid)
    return section


def _imprint(w: _Writer, notice: Notice, room: int, new_page: bool) -> None:
    """The 版记 with its last rule on the bottom edge of the text block (``room`` twips free)."""
    height = imprint_height(notice.cc, PORTRAIT)
    spacer = room - height - SLACK
    w.add(para(line=max(spacer, 20), page_break=new_page, grid=False))
    w.add(imprint_table(notice.cc, notice.printer, notice.date_zh, PORTRAIT, notice.fonts))
    tail = para([run("", notice.fonts["body"], 1)], line=20, grid=False)
    w.add(tail)


def build_document(notice: Notice) -> tuple[Any, dict[str, int]]:
    """The python-docx Document and its page plan (pages of text, annexes, 版记 page)."""
    from docx import Document

    doc = Document()
    setup(doc, notice.fonts)
    w = _Writer(doc, notice)
    head = _masthead(w, notice)
    specs, main_end = _body(w, notice)
    main_pages = len(layout(blocks(specs), LINES - head))
    # Word sets a little more space between Chinese and digits than LibreOffice: when the
    # text ends so near a page's foot that the two would break differently, the plan says so.
    word_pages = len(layout(blocks(specs, WORD), LINES - head))

    page_no = main_pages
    annex_ends: list[tuple[Any, Page]] = []
    last_used, last_page = 0, PORTRAIT
    for index, annex in enumerate(notice.annexes):
        page = LANDSCAPE if annex.landscape else PORTRAIT
        elements = annex_elements(notice.annex_label(index), annex, page, notice.fonts)
        for element in elements:
            w.add(element)
        fits = annex_layout(annex, page)
        page_no += fits.pages
        last_used, last_page = fits.last_used, page
        annex_ends.append((elements[-1], page))
    for index, figure in enumerate(notice.figures, start=len(notice.annexes)):
        elements = figure_elements(
            notice.annex_label(index), figure, PORTRAIT, notice.fonts, doc.part
        )
        for element in elements:
            w.add(element)
        fits = figure_layout(figure, PORTRAIT)
        page_no += fits.pages
        last_used, last_page = fits.last_used, PORTRAIT
        annex_ends.append((elements[-1], PORTRAIT))

    height = imprint_height(notice.cc, PORTRAIT)
    blank = False
    if (
        not last_page.landscape
        and page_no % 2 == 0
        and last_used + height + SLACK <= last_page.text_height
    ):
        placement = "same"
        _imprint(w, notice, last_page.text_height - last_used, new_page=False)
    elif page_no % 2 == 1:
        placement = "next"
        page_no += 1
    else:
        placement = "blank"
        blank = True
        page_no += 2

    # Sections: the main text on the grid, each annex, and a last portrait one for the 版记.
    main = _section(doc, main_end, PORTRAIT, grid=True)
    page_number_footers(main, notice.fonts["page"])
    ends = list(annex_ends)
    if placement == "same" and ends:
        ends.pop()  # the last annex is the final section
        final_page = last_page
    elif placement == "next" and ends and not last_page.landscape:
        ends.pop()  # the 版记 page follows in the annex's own section
        _imprint(w, notice, PORTRAIT.text_height, new_page=True)
        final_page = PORTRAIT
    else:
        final_page = PORTRAIT
        if blank:
            w.add(para(grid=False))
        _imprint(w, notice, PORTRAIT.text_height, new_page=blank)
    for paragraph, page in ends:
        _section(doc, paragraph, page, grid=False)
    from docx.section import Section

    final = Section(w.final, doc.part)
    annexed = bool(notice.annexes or notice.figures)
    shape_section(final, final_page, grid=not annexed)
    if blank:
        blank_footers(final)
    elif not annexed:
        page_number_footers(final, notice.fonts["page"])
    _number_turned_pages(doc, notice.fonts["page"])
    plan = {
        "main_pages": main_pages,
        "word_main_pages": word_pages,
        "pages": page_no,
        "blank": int(blank),
    }
    return doc, plan


def _number_turned_pages(doc: Any, chain: tuple[str, ...]) -> None:
    """Landscape sections carry their number turned, in the left margin; a portrait section
    after one gets the portrait footers of its own (a linked one would inherit the turned)."""
    after_landscape = False
    for section in doc.sections:
        landscape = section.page_width > section.page_height
        if landscape:
            turned_page_number_footers(section, LANDSCAPE, chain)
        elif after_landscape and section.footer.is_linked_to_previous:
            page_number_footers(section, chain)
        after_landscape = landscape


def page_warning(notice: Notice) -> str | None:
    """A warning when Word may end the text on another page than LibreOffice (so the 版记,
    placed for LibreOffice's pages, would not sit on the last even page in Word)."""
    _, plan = build_document(notice)
    if plan["main_pages"] == plan["word_main_pages"]:
        return None
    return (
        f"正文末页接近页面底部：LibreOffice 排为 {plan['main_pages']} 页，Word 可能排为 "
        f"{plan['word_main_pages']} 页；用 Word/WPS 打印前请核对版记是否在偶数页（可调整下一步"
        "工作要求的文字）"
    )


def docx_bytes(notice: Notice) -> bytes:
    """The circular as .docx bytes, identical for identical inputs and date."""
    doc, _ = build_document(notice)
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
