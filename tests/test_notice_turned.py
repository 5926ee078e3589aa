"""A landscape annex page's number, where GB/T 9704-2012 §10 puts it, measured from the XML.

"A4 纸型的表格横排时，页码位置与公文其他页码保持一致，单页码表头在订口一边，双页码表头在切口一边":
odd pages are bound on the left, even pages on the right, so on both the table head faces the
upright sheet's left edge, and the landscape page is the portrait page turned a quarter
clockwise. Its left edge is the portrait foot: a point (x, y) of the upright sheet lies at
(X, Y) = (297 − y, x) mm on the landscape page. The portrait number's dashes have their upper
edge at y = 262 + 7 = 269 mm and its line ends at x = 184 − 4.94 mm (odd) or begins at
x = 28 + 4.94 mm (even); turned, the number stands in the left margin, read downward, the
dashes' upper edge at X = 28 mm (7 mm left of the text block, which begins at X = 35 mm), the
line ending one character above the text block's foot (Y = 184 mm) on odd pages and beginning
one character under its top (Y = 28 mm) on even pages. Lengths in the XML are twips or points.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from conftest import SAMPLES_DIR
from docx.oxml.ns import qn
from lxml import etree

from ipscore.app.assess import assess_file
from ipscore.app.rank import rank_month
from ipscore.render.annual_notice import build_annual_notice
from ipscore.render.circular import Notice, build_notice
from ipscore.render.docx import build_document
from ipscore.rules.notice import Requirement, Wording, load_notice_rules
from ipscore.rules.resolve import default_scheme

MM = 1440 / 25.4  # twips per mm
V = "{urn:schemas-microsoft-com:vml}"
# The dashes' upper edge lies 136 twips under the top of the 14 pt line in a horizontal line
# (as the portrait footer test has it) and 150 in a vertical one (measured in LibreOffice's PDF).
DASH_IN_VERTICAL_LINE = 150


def annual(requirements: int = 0, rows: int = 1) -> Notice:
    """The 2019 annual circular; more requirements push its landscape annex to an even page,
    ``rows`` repeats the annex table's rows (a landscape annex of several pages)."""
    result = assess_file(SAMPLES_DIR / "2019-annual.xlsx", default_scheme("annual"))
    rules = load_notice_rules()
    if requirements:
        long = "获得优秀等次的区县要再接再厉，其他区县要对照考核指标查找差距，制定整改措施。"
        items = tuple(Requirement(f"要求{i}。", long) for i in range(requirements))
        rules = replace(rules, annual=Wording(rules.annual.opening, "有关要求", items))
    notice = build_annual_notice(result, rules, date(2020, 1, 15), 1)
    annex = notice.annexes[0]
    return replace(notice, annexes=(replace(annex, rows=annex.rows * rows),))


def landscape_sections(doc: Any) -> list[Any]:
    return [s for s in doc.sections if s.page_width > s.page_height]


def style(shape: Any) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in shape.get("style").split(";"))
    return {key: value for key, value in pairs}


def points(value: str) -> float:
    assert value.endswith("pt")
    return float(value[:-2])


def outside_text_box(footer: Any) -> str:
    """The footer's text that is not inside a text box."""
    box = qn("w:txbxContent")
    return "".join(
        t.text or ""
        for t in footer._element.iter(qn("w:t"))
        if not any(a.tag == box for a in t.iterancestors())
    )


def xml(element: Any) -> bytes:
    return etree.tostring(element)


def test_the_landscape_annex_numbers_its_page_turned_in_the_left_margin() -> None:
    doc, plan = build_document(annual())
    assert plan["main_pages"] == 2  # the annex is page 3: odd
    main = doc.sections[0]
    (section,) = landscape_sections(doc)
    left_margin_mm = section.left_margin / 635 / MM
    assert round(left_margin_mm, 1) == 35.0  # the portrait foot's margin, turned
    for footer, portrait, align in (
        (section.footer, main.footer, "right"),
        (section.even_page_footer, main.even_page_footer, "left"),
    ):
        assert not footer.is_linked_to_previous
        # Nothing at the landscape page's foot: the only text is in the turned box.
        assert outside_text_box(footer) == ""
        (shape,) = footer._element.iter(f"{V}shape")
        (textbox,) = shape.iter(f"{V}textbox")
        assert textbox.get("style") == "layout-flow:vertical"  # lines run top to bottom
        assert textbox.get("inset") == "0,0,0,0"
        place = style(shape)
        assert place["position"] == "absolute"
        assert place["mso-position-horizontal-relative"] == "page"
        assert place["mso-position-vertical-relative"] == "page"
        left, top = points(place["margin-left"]) * 20, points(place["margin-top"]) * 20
        width, height = points(place["width"]) * 20, points(place["height"]) * 20
        # Along the text block's height (Y 28–184 mm), as the portrait line spans its width.
        assert (round(top / MM, 1), round((top + height) / MM, 1)) == (28.0, 184.0)
        # The box's right edge is the line's top; the dashes' upper edge 7 mm left of the text.
        dash = left + width - DASH_IN_VERTICAL_LINE
        assert round(dash / MM, 1) == 28.0
        assert round(left_margin_mm - dash / MM, 1) == 7.0
        assert width == 2 * 280  # room for the 14 pt line: never clipped
        # The portrait footer's own paragraph: — PAGE —, 宋体 4号, one character in from the
        # foot (right, odd) or the top (left, even) of the turned line.
        (paragraph,) = textbox.iter(qn("w:p"))
        assert xml(paragraph) == xml(portrait.paragraphs[0]._p)
        assert paragraph.find(qn("w:pPr")).find(qn("w:jc")).get(qn("w:val")) == align
        indent = paragraph.find(qn("w:pPr")).find(qn("w:ind"))
        assert int(indent.get(qn(f"w:{align}"))) == 280
        assert "".join(t.text for t in paragraph.iter(qn("w:t"))) == "— 1 —"
        assert [i.text for i in paragraph.iter(qn("w:instrText"))] == [" PAGE "]
        fonts = {r.get(qn("w:eastAsia")) for r in paragraph.iter(qn("w:rFonts"))}
        sizes = {s.get(qn("w:val")) for s in paragraph.iter(qn("w:sz"))}
        assert (fonts, sizes) == ({"宋体"}, {"28"})


def test_portrait_pages_keep_their_numbers_at_the_foot() -> None:
    doc, plan = build_document(annual())
    main, landscape, imprint = doc.sections  # text, the annex (p. 3), the 版记 page (p. 4)
    assert landscape.page_width > landscape.page_height
    assert plan["pages"] == 4 and not plan["blank"]
    for section in (main, imprint):
        for footer in (section.footer, section.even_page_footer):
            assert not list(footer._element.iter(f"{V}shape"))
    # The 版记 page has footers of its own (a linked one would inherit the turned number),
    # the very ones the text pages have.
    assert not imprint.footer.is_linked_to_previous
    assert xml(imprint.footer._element) == xml(main.footer._element)
    assert xml(imprint.even_page_footer._element) == xml(main.even_page_footer._element)
    assert main.footer.paragraphs[0].text == "— 1 —"


def test_a_circular_without_a_landscape_page_is_as_before() -> None:
    ranking = rank_month(
        SAMPLES_DIR / "2019-06.xlsx", default_scheme("monthly"), prev=SAMPLES_DIR / "2019-05.xlsx"
    )
    doc, _ = build_document(build_notice(ranking, load_notice_rules(), date(2019, 7, 5), 3))
    assert not landscape_sections(doc)
    main, *rest = doc.sections
    assert rest and all(s.footer.is_linked_to_previous for s in rest)
    assert not list(main.footer._element.iter(f"{V}shape"))
    assert not list(main.even_page_footer._element.iter(f"{V}shape"))


def test_numbers_run_on_through_landscape_pages_odd_and_even() -> None:
    # Three landscape pages in one section (pages 3, 4, 5): both footers turned; the 版记 page 6.
    doc, plan = build_document(annual(rows=5))
    assert (plan["main_pages"], plan["pages"]) == (2, 6)
    (section,) = landscape_sections(doc)
    for footer in (section.footer, section.even_page_footer):
        assert len(list(footer._element.iter(f"{V}shape"))) == 1
    # The annex on page 4 (even), then a blank page and the 版记 page without numbers.
    doc, plan = build_document(annual(requirements=4))
    assert (plan["main_pages"], plan["pages"], plan["blank"]) == (3, 6, 1)
    (section,) = landscape_sections(doc)
    (shape,) = section.even_page_footer._element.iter(f"{V}shape")
    (paragraph,) = shape.iter(qn("w:p"))
    assert paragraph.find(qn("w:pPr")).find(qn("w:jc")).get(qn("w:val")) == "left"
    last = doc.sections[-1]
    assert "PAGE" not in last.footer._element.xml + last.even_page_footer._element.xml
    # No section restarts the count: the pages are numbered 1, 2, 3 … throughout.
    for document in (doc, build_document(annual())[0], build_document(annual(rows=5))[0]):
        for sect in document.element.body.iter(qn("w:sectPr")):
            number = sect.find(qn("w:pgNumType"))
            assert number is None or number.get(qn("w:start")) is None
