"""The page number of a landscape page, where GB/T 9704-2012 §10 (公文中的横排表格) puts it.

"A4 纸型的表格横排时，页码位置与公文其他页码保持一致，单页码表头在订口一边，双页码表头在切口一边。"

Which way the page turns. An odd page is a recto, bound along its left edge; an even page is
a verso, bound along its right edge, so its left edge is the cut edge (切口). The table head goes
to the binding edge (订口) on an odd page and to the cut edge on an even one: on both, to the
left edge of the upright sheet. Every landscape page is therefore the portrait page turned a
quarter clockwise, its left edge on top, as :data:`~ipscore.render.docx_page.LANDSCAPE`'s
margins say (top 28 mm: the binding margin; right 37 mm: the portrait top; bottom 26 mm; left
35 mm: the portrait foot). A point (x, y) of the upright sheet, in mm from its top-left corner,
lands at

    (X, Y) = (297 − y, x)

on the landscape page, and a line read left to right on the upright sheet reads top to bottom,
each character turned 90° clockwise (its top toward the page's right, toward the text).

Where the number goes. On a portrait page the upper edge of the number's 一字线 lies 7 mm under
the text block, y = 37 + 225 + 7 = 269 mm; the line ends one 4号 character (14 pt, 4.94 mm) in
from the text block's right edge on an odd page (x = 184 − 4.94 = 179.06 mm) and begins one
character in from its left edge on an even page (x = 28 + 4.94 = 32.94 mm). Turned, that is:

- the number stands in the left margin, along the page's left (short) edge, turned 90°
  clockwise and read downward; the dashes' upper edge (now their right edge) at
  X = 297 − 269 = 28 mm, 7 mm left of the text block (whose left edge is at X = 35 mm);
- odd page: the line ends at Y = 179.06 mm, one character above the text block's foot (184 mm),
  near the bottom-left corner (the upright page's bottom right);
- even page: the line begins at Y = 32.94 mm, one character under the text block's top (28 mm),
  near the top-left corner (the upright page's bottom left).

How. Each footer of a landscape section (odd and even) holds one text box and nothing else, so
no number shows at the landscape page's foot: a VML text box (``v:shape`` with ``v:textbox``, the
text box Word has always written and Word, WPS and LibreOffice all read) placed against the page,
as tall as the text block (Y 28–184 mm), its text flowing vertically (``layout-flow:vertical``:
lines run top to bottom, the first along the box's right edge), holding the portrait footer's
own paragraph — the same runs, PAGE field, alignment and one-character indent, so the line's
ends fall where they fall on a portrait page, turned. The box's right edge is the line's top,
placed as the portrait footer places its line (:data:`PAGE_NUMBER_GAP` outside the text block)
and moved :data:`VERTICAL_DASH_SHIFT` toward the text; the box is two lines wide so that nothing
is clipped.

LibreOffice 7.4 sets the line in its vertical writing mode, the digits turned clockwise and the
一字线 across the line. Measured on its PDF (ink at 600 dpi), every mark of the turned number
lies within 0.01 mm of the portrait number's mark turned by the formula above: the dashes' upper
edge 7.06 mm left of the text block (7.07 mm under it on a portrait page), the line ending at
Y = 178.90 mm on odd pages and beginning at Y = 33.19 mm on even ones (the portrait ink's x).
Word's rendering is not measured here. A DrawingML (``wps``) text box is no alternative:
LibreOffice 7.4 put one with vertical text in the wrong place in these footers (26 mm off on
odd pages) and drew one turned by ``a:xfrm rot`` unturned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ipscore.render.docx_page import (
    PAGE_NUMBER_GAP,
    PAGE_NUMBER_PT,
    Page,
    own_footer,
    page_number_paragraph,
    para,
    qn,
)

# In a vertical line LibreOffice sets the 一字线 14 twips (0.24 mm) further from the line's top
# than in a horizontal one (2.71 against 2.47 mm, measured at 600 dpi): the box moves in by as
# much, so that the dashes keep the portrait page's distance from the text block.
VERTICAL_DASH_SHIFT = 14
BOX_LINES = 2  # the box's width in number lines: the one line, and room so it is never clipped

_NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word"'
)


def number_box(page: Page) -> tuple[int, int, int, int]:
    """The text box holding a landscape page's number: left, top, width, height in twips from
    the page's top-left corner (see the module's docstring)."""
    right = page.left - PAGE_NUMBER_GAP + VERTICAL_DASH_SHIFT
    width = BOX_LINES * PAGE_NUMBER_PT * 20
    return right - width, page.top, width, page.text_height


def turned_page_number_footers(section: Any, page: Page, chain: Sequence[str]) -> None:
    """A landscape section's footers: only the number, turned, in the left margin (odd pages
    toward the foot, even pages toward the top)."""
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        body = own_footer(footer)
        holder = para(line=None, grid=False)
        name = f"PageNumber{footer.part.partname.idx}"
        holder.append(_text_box(page_number_paragraph(chain, align), number_box(page), name))
        body.append(holder)


def _pt(twips: int) -> str:
    return f"{twips / 20:g}pt"


def _text_box(paragraph: Any, box: tuple[int, int, int, int], name: str) -> Any:
    """A run holding a VML text box at ``box`` (page-relative, in front of the text), its text
    flowing top to bottom."""
    from docx.oxml.parser import parse_xml

    left, top, width, height = box
    style = ";".join(
        [
            "position:absolute",
            f"margin-left:{_pt(left)}",
            f"margin-top:{_pt(top)}",
            f"width:{_pt(width)}",
            f"height:{_pt(height)}",
            "z-index:1",
            "mso-position-horizontal-relative:page",
            "mso-position-vertical-relative:page",
        ]
    )
    xml = (
        f"<w:r {_NAMESPACES}><w:pict>"
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
        'path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/>'
        "</v:shapetype>"
        f'<v:shape id="{name}" type="#_x0000_t202" style="{style}" filled="f" stroked="f">'
        '<v:textbox style="layout-flow:vertical" inset="0,0,0,0"><w:txbxContent/></v:textbox>'
        '<w10:wrap type="none" anchorx="page" anchory="page"/>'
        "</v:shape></w:pict></w:r>"
    )
    element = parse_xml(xml)
    element.find(f".//{qn('w:txbxContent')}").append(paragraph)
    return element
