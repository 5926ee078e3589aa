"""The page of a GB/T 9704-2012 公文: geometry, the character grid, fonts and the XML pieces.

All lengths are in twips (1/20 pt). A4; top margin 37 mm, binding (left) margin 28 mm, text
block 156 × 225 mm: 22 lines of 28 characters. The grid is declared the way Word's page setup
writes it (``w:docGrid`` type linesAndChars, a 579-twip line pitch) with the Normal style at
15.5 pt, so the character pitch (15.5 pt) gives floor(156 mm / pitch) = 28 characters per
line. Body text is 仿宋 3号 (16 pt) with its spacing condensed by 0.3 pt, so 28 characters take
439.6 pt of the 442.25 pt line in Word, WPS and LibreOffice alike (LibreOffice ≤ 7.x sets a
16 pt character in two cells of a grid narrower than the character, which a negative
``w:charSpace`` would cause).

Fonts are fallback chains: each run names the first font as its East-Asian font, and the
document's font table gives every font of a chain the next one as ``w:altName`` (Word tries one
alternate name, not a list: [MS-OE376] 2.1.1337), with the GB2312 character set so that a
missing font is replaced by a Chinese face of the same family.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# --------------------------------------------------------------------------------------------
# Geometry (twips)

MM = 1440 / 25.4  # twips per millimetre
LINE = 579  # 225 mm / 22 lines, rounded down: 22 × 579 = 12738 ≤ 12756
LINES = 22
CHARS = 28
BODY_PT = 16.0  # 3号
GRID_HALF_POINTS = 31  # the Normal style: 15.5 pt, the grid's character pitch
KERN = -6  # body character spacing, twips (−0.3 pt)
CHAR = int(BODY_PT * 20) + KERN  # one body character's advance: 314 twips
RED = "FF0000"


@dataclass(frozen=True)
class Page:
    """One section's page: size and margins in twips."""

    width: int
    height: int
    top: int
    bottom: int
    left: int
    right: int

    @property
    def text_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def text_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def _mm(value: float) -> int:
    return round(value * MM)


# Portrait: 37 / 28 mm, the text block 156 × 225 mm (8845 × 12756 twips).
PORTRAIT = Page(11906, 16838, _mm(37), 16838 - _mm(37) - _mm(225), _mm(28), 11906 - _mm(28) - 8845)
# A landscape annex is the portrait page turned a quarter clockwise: the binding edge on top.
LANDSCAPE = Page(16838, 11906, _mm(28), 11906 - _mm(28) - 8845, _mm(35), 16838 - _mm(35) - 12756)

PAGE_NUMBER_PT = 14  # 4号
# The page number's line is placed so that the dashes' upper edge is 7 mm under the text block
# (the dash sits 136 twips under the top of the 14 pt line, measured on the rendered page).
PAGE_NUMBER_GAP = _mm(7) - 136


def footer_distance(page: Page) -> int:
    """w:footer: from the bottom edge of the paper to the bottom of the page-number line."""
    return page.bottom - PAGE_NUMBER_GAP - PAGE_NUMBER_PT * 20


# --------------------------------------------------------------------------------------------
# XML


def qn(tag: str) -> str:
    from docx.oxml.ns import qn as _qn

    return _qn(tag)


def el(tag: str, attrs: dict[str, Any] | None = None, *children: Any) -> Any:
    """An OOXML element ``w:tag`` with ``w:`` attributes and children (None skipped)."""
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for key, value in (attrs or {}).items():
        element.set(qn(key if ":" in key else f"w:{key}"), str(value))
    for child in children:
        if child is not None:
            element.append(child)
    return element


def fonts_el(chain: Sequence[str], latin: str | None) -> Any:
    """w:rFonts: the chain's first font for Chinese, ``latin`` (or the same) for digits."""
    first = chain[0]
    other = latin or first
    return el(
        "w:rFonts",
        {"ascii": other, "hAnsi": other, "eastAsia": first, "cs": other, "hint": "eastAsia"},
    )


def run(
    text: str,
    chain: Sequence[str],
    size: float,
    *,
    latin: str | None = None,
    bold: bool = False,
    color: str | None = None,
    kern: int = 0,
) -> Any:
    """A run of text; ``\\n`` becomes a line break and ``\\t`` a tab."""
    half = round(size * 2)
    props = el(
        "w:rPr",
        None,
        fonts_el(chain, latin),
        el("w:b") if bold else None,
        el("w:bCs") if bold else None,
        el("w:color", {"val": color}) if color else None,
        el("w:spacing", {"val": kern}) if kern else None,
        el("w:sz", {"val": half}),
        el("w:szCs", {"val": half}),
    )
    r = el("w:r", None, props)
    for index, line in enumerate(text.split("\n")):
        if index:
            r.append(el("w:br"))
        for part_index, part in enumerate(line.split("\t")):
            if part_index:
                r.append(el("w:tab"))
            if part:
                t = el("w:t", {"xml:space": "preserve"})
                t.text = part
                r.append(t)
    return r


def para(
    runs: Iterable[Any] = (),
    *,
    align: str = "both",
    line: int | None = LINE,
    before: int = 0,
    first: int = 0,
    left: int = 0,
    right: int = 0,
    keep_next: bool = False,
    page_break: bool = False,
    grid: bool = True,
    border: Any = None,
    tabs: Sequence[tuple[str, int]] = (),
    frame: Any = None,
) -> Any:
    """A paragraph: exact line height ``line`` (None = single), indents in twips.

    ``first`` < 0 is a hanging indent. ``grid=False`` takes the paragraph off the document
    grid (its lines keep their exact height instead of snapping to grid lines).
    """
    spacing: dict[str, Any] = {"before": before, "after": 0}
    if line is not None:
        spacing.update({"line": line, "lineRule": "exact"})
    else:
        spacing.update({"line": 240, "lineRule": "auto"})
    indent: dict[str, Any] = {"left": left, "right": right}
    if first >= 0:
        indent["firstLine"] = first
    else:
        indent["hanging"] = -first
    props = el(
        "w:pPr",
        None,
        el("w:keepNext") if keep_next else None,
        el("w:pageBreakBefore") if page_break else None,
        frame,
        el("w:widowControl", {"val": 0}),
        border,
        el("w:tabs", None, *[el("w:tab", {"val": v, "pos": p}) for v, p in tabs]) if tabs else None,
        None if grid else el("w:snapToGrid", {"val": 0}),
        el("w:spacing", spacing),
        el("w:ind", indent),
        el("w:jc", {"val": align}),
    )
    return el("w:p", None, props, *runs)


def bottom_border(size_eighths: int, color: str, space_pt: int) -> Any:
    """w:pBdr with a bottom rule ``space_pt`` under the paragraph's last line."""
    rule = el("w:bottom", {"val": "single", "sz": size_eighths, "space": space_pt, "color": color})
    return el("w:pBdr", None, rule)


def page_break() -> Any:
    return el("w:p", None, el("w:r", None, el("w:br", {"type": "page"})))


# --------------------------------------------------------------------------------------------
# Document set-up: styles, settings, font table, sections, footers


def setup(doc: Any, fonts: dict[str, tuple[str, ...]]) -> None:
    """Normal style on the grid, no theme fonts, odd/even footers, Chinese typography."""
    styles = doc.styles.element
    for rfonts in styles.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
    defaults = styles.find(qn("w:docDefaults"))
    for rpr in (
        [defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))] if defaults is not None else []
    ):
        _style_rpr(rpr, fonts["body"])
    normal = doc.styles["Normal"].element
    _style_rpr(normal.get_or_add_rPr(), fonts["body"])
    settings = doc.settings.element
    for tag in ("w:evenAndOddHeaders", "w:characterSpacingControl"):
        for old in settings.findall(qn(tag)):
            settings.remove(old)
    doc.settings.odd_and_even_pages_header_footer = True
    control = el("w:characterSpacingControl", {"val": "doNotCompress"})
    anchor = settings.find(qn("w:compat"))
    if anchor is not None:
        anchor.addprevious(control)
    else:
        settings.append(control)
    font_table(doc, fonts)


def _style_rpr(rpr: Any, body: Sequence[str]) -> None:
    for tag in ("w:rFonts", "w:sz", "w:szCs", "w:lang"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    rpr.insert(0, fonts_el(body, "Times New Roman"))
    rpr.append(el("w:sz", {"val": GRID_HALF_POINTS}))
    rpr.append(el("w:szCs", {"val": GRID_HALF_POINTS}))
    rpr.append(el("w:lang", {"val": "en-US", "eastAsia": "zh-CN", "bidi": "ar-SA"}))


# The family Word matches a missing font by: 仿宋 and 黑体 are fixed-pitch "modern" faces,
# 宋体 and 小标宋 "roman" ones.
_FAMILY = {"title": "roman", "body": "modern", "heading": "modern", "subheading": "modern"}


def font_table(doc: Any, fonts: dict[str, tuple[str, ...]]) -> None:
    """One w:font per name of every chain, each naming the next name as its w:altName."""
    from lxml import etree

    part = next(
        rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")
    )
    root = etree.fromstring(part.blob)
    seen = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for role, chain in fonts.items():
        for index, name in enumerate(chain):
            if name in seen:
                continue
            seen.add(name)
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            if index + 1 < len(chain):
                etree.SubElement(font, qn("w:altName")).set(qn("w:val"), chain[index + 1])
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), _FAMILY.get(role, "auto"))
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def shape_section(section: Any, page: Page, *, grid: bool) -> None:
    """Page size, margins, footer distance and (on the main text) the 22 × 28 grid."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Twips

    section.orientation = WD_ORIENT.LANDSCAPE if page.landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Twips(page.width), Twips(page.height)
    section.top_margin, section.bottom_margin = Twips(page.top), Twips(page.bottom)
    section.left_margin, section.right_margin = Twips(page.left), Twips(page.right)
    section.header_distance = Twips(min(page.top // 2, 851))
    section.footer_distance = Twips(footer_distance(page))
    section.gutter = Twips(0)
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    if grid:
        sect.append(el("w:docGrid", {"type": "linesAndChars", "linePitch": LINE, "charSpace": 0}))
    else:
        sect.append(el("w:docGrid", {"linePitch": LINE}))


def page_number_footers(section: Any, chain: Sequence[str]) -> None:
    """``— 1 —`` in 宋体 4号: odd pages right, even pages left, one character in (GB/T 7.5)."""
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        body = own_footer(footer)
        body.append(page_number_paragraph(chain, align))


def own_footer(footer: Any) -> Any:
    """The footer's own (unlinked) body, emptied."""
    footer.is_linked_to_previous = False
    body = footer._element
    for old in list(body):
        body.remove(old)
    return body


def page_number_paragraph(chain: Sequence[str], align: str) -> Any:
    """The paragraph ``— N —``, a PAGE field between 一字线, one 4号 character in from the side
    it is aligned to."""
    indent = PAGE_NUMBER_PT * 20
    runs = [run("— ", chain, PAGE_NUMBER_PT, latin=chain[0])]
    runs += _page_field(chain)
    runs.append(run(" —", chain, PAGE_NUMBER_PT, latin=chain[0]))
    return para(
        runs,
        align=align,
        line=PAGE_NUMBER_PT * 20,
        right=indent if align == "right" else 0,
        left=indent if align == "left" else 0,
        grid=False,
    )


def _page_field(chain: Sequence[str]) -> list[Any]:
    def char(kind: str) -> Any:
        r = run("", chain, PAGE_NUMBER_PT, latin=chain[0])
        r.append(el("w:fldChar", {"fldCharType": kind}))
        return r

    instr = run("", chain, PAGE_NUMBER_PT, latin=chain[0])
    text = el("w:instrText", {"xml:space": "preserve"})
    text.text = " PAGE "
    instr.append(text)
    return [
        char("begin"),
        instr,
        char("separate"),
        run("1", chain, PAGE_NUMBER_PT, latin=chain[0]),
        char("end"),
    ]


def blank_footers(section: Any) -> None:
    """No page number on these pages (a blank page and the 版记 page after it)."""
    for footer in (section.footer, section.even_page_footer):
        own_footer(footer).append(para(line=None, grid=False))
