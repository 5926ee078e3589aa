"""The circular's docx measured from its XML: the GB/T 9704 page, grid, order, fonts, 版记, footers.

GB/T 9704-2012: A4, top margin 37 mm, binding margin 28 mm, text block 156 × 225 mm holding
22 lines of 28 characters; 发文机关标志 35 mm under the text block's top; page numbers 7 mm under
it, odd pages right and even pages left, one character in; 版记 on the last even page with its
last rule on the text block's bottom edge; no page number on a blank page or the 版记 page
after it. Lengths in the XML are twips (1/20 pt; 1 mm = 56.69 twips).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLES_DIR
from docx.oxml.ns import qn

from ipscore.app.assess import assess_file
from ipscore.app.rank import rank_month
from ipscore.render.annual_notice import build_annual_notice
from ipscore.render.circular import Notice, build_notice
from ipscore.render.docx import build_document
from ipscore.render.docx_annex import SLACK, annex_layout, imprint_height
from ipscore.render.docx_page import PORTRAIT
from ipscore.render.paging import count_lines, text_width, wrap
from ipscore.rules.notice import Requirement, Wording, load_notice_rules
from ipscore.rules.resolve import default_scheme

MM = 1440 / 25.4
CC = "市科技局，市市场监管局。"


def june(**changes: object) -> Notice:
    ranking = rank_month(
        SAMPLES_DIR / "2019-06.xlsx", default_scheme("monthly"), prev=SAMPLES_DIR / "2019-05.xlsx"
    )
    rules = replace(load_notice_rules(), **changes)  # type: ignore[arg-type]
    return build_notice(ranking, rules, date(2019, 7, 5), 3)


def w(element: object, tag: str, attr: str) -> str | None:
    found = element.find(qn(tag))  # type: ignore[attr-defined]
    return None if found is None else found.get(qn(attr))


def text(element: object) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))  # type: ignore[attr-defined]


def ppr(p: object, tag: str, attr: str) -> str | None:
    props = p.find(qn("w:pPr"))  # type: ignore[attr-defined]
    return None if props is None else w(props, tag, attr)


def body_children(doc: object) -> list[object]:
    return list(doc.element.body)  # type: ignore[attr-defined]


def sections(doc: object) -> list[object]:
    return list(doc.element.body.iter(qn("w:sectPr")))  # type: ignore[attr-defined]


def test_page_and_grid_are_the_standards() -> None:
    doc, _ = build_document(june())
    main = sections(doc)[0]
    size, margins = main.find(qn("w:pgSz")), main.find(qn("w:pgMar"))
    width, height = int(size.get(qn("w:w"))), int(size.get(qn("w:h")))
    top, bottom = int(margins.get(qn("w:top"))), int(margins.get(qn("w:bottom")))
    left, right = int(margins.get(qn("w:left"))), int(margins.get(qn("w:right")))
    assert (round(width / MM), round(height / MM)) == (210, 297)
    assert (round(top / MM, 1), round(left / MM, 1)) == (37.0, 28.0)
    text_w, text_h = width - left - right, height - top - bottom
    assert (round(text_w / MM, 1), round(text_h / MM, 1)) == (156.0, 225.0)

    grid = main.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch = int(grid.get(qn("w:linePitch")))
    assert text_h // pitch == 22  # 22 lines on a page: 22 × 579 = 12738 ≤ 12756
    # Character pitch = the Normal style's size + charSpace: 15.5 pt + 0 → 28 characters.
    normal = doc.styles["Normal"].element.rPr
    grid_pt = int(w(normal, "w:sz", "w:val")) / 2 + int(grid.get(qn("w:charSpace"))) / 4096
    assert text_w // (grid_pt * 20) == 28

    # A body character is 16 pt condensed by 0.3 pt: 28 fill a line, a 29th does not fit.
    run = next(p for p in doc.paragraphs if p.text.startswith("2019年1-6月，全市")).runs[0]
    advance = int(w(run._element.rPr, "w:sz", "w:val")) * 10 + int(
        w(run._element.rPr, "w:spacing", "w:val")
    )
    assert advance == 314 and 28 * advance <= text_w < 29 * advance


def test_a_line_of_exactly_28_characters_does_not_wrap() -> None:
    addressees = load_notice_rules().addressees
    assert len(addressees) == 28
    assert wrap(addressees, 8845) == [addressees]
    # Two characters more do wrap, the closing mark never alone at a line's start.
    assert count_lines(addressees[:-1] + "等单位：", 8845) == 2
    assert wrap("甲" * 27 + "乙）", 8845)[1] == "乙）"


def test_masthead_number_rule_and_title_placed_as_the_standard_places_them() -> None:
    doc, _ = build_document(june())
    children = body_children(doc)
    heights = [int(ppr(p, "w:spacing", "w:line")) for p in children[:10]]
    spacer, mark = children[0], children[1]
    assert text(spacer) == "" and text(mark) == "XX市知识产权局文件"
    run = mark.find(qn("w:r"))
    assert w(run.find(qn("w:rPr")), "w:color", "w:val") == "FF0000"
    assert ppr(mark, "w:jc", "w:val") == "center"
    size_pt = int(w(run.find(qn("w:rPr")), "w:sz", "w:val")) / 2
    # The masthead's ink begins 0.14 em into its line (measured in LibreOffice's PDF): its
    # top edge then lies 35 mm under the text block.
    assert round((heights[0] + size_pt * 20 * 0.14) / MM, 1) == 35.0
    # 文号 two lines under the masthead, the red separator under the 文号 (a bottom border).
    assert [text(p) for p in children[2:5]] == ["", "", "X知字〔2019〕3号"]
    rule = children[4].find(qn("w:pPr")).find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (rule.get(qn("w:color")), rule.get(qn("w:sz"))) == ("FF0000", "12")
    # The title two lines (give or take half) under the separator, then one blank line, and
    # the 主送 line starts on a grid line: everything above it is a whole number of lines.
    assert [text(p) for p in children[7:9]] == ["关于2019年1-6月全市", "发明专利申请情况的通报"]
    assert heights[5] + heights[6] + 20 == pytest.approx(2 * 579, abs=579 // 2 + 20)
    assert text(children[10]).startswith("各区县知识产权局")
    above = sum(heights[:10]) + 7 * 20 + 12 * 20 // 8  # the border's space and width
    assert (above + 20) % 579 == 0


def test_element_order_and_sections() -> None:
    doc, plan = build_document(june())
    kinds = {qn("w:p"): "p", qn("w:tbl"): "tbl"}
    children = [c for c in body_children(doc) if c.tag in kinds]
    texts = [t for t in (text(c) if c.tag == qn("w:p") else "<table>" for c in children) if t]
    order = [
        "X知字〔2019〕3号",
        "关于2019年1-6月全市",
        "各区县知识产权局，高新区、经济开发区、文昌湖区有关部门：",
        "一、总体情况",
        "三、下一步工作要求",
        "附件：2019年1-6月各区县发明专利申请情况排名表",
        "XX市知识产权局",
        "2019年7月5日",
        "（此件公开发布）",
        "附件",
        "2019年1-6月各区县发明专利申请情况排名表",
    ]
    positions = [texts.index(t) for t in order]
    assert positions == sorted(positions)
    assert texts[-1] == "<table>"  # the 版记, after everything
    # Two sections: the main text on the grid (ending at 附注), the annex without the grid.
    main, annex = sections(doc)
    holder = main.getparent().getparent()
    assert text(holder) == "（此件公开发布）"
    assert annex.find(qn("w:docGrid")).get(qn("w:type")) is None
    # Three pages of text, the annex and the 版记 on page 4 (checked against LibreOffice).
    assert plan["main_pages"] == plan["word_main_pages"] == 3 and plan["pages"] == 4


def test_sign_off_unstamped_and_stamped() -> None:
    for stamped in (False, True):
        notice = june(stamped=stamped)
        doc, _ = build_document(notice)
        paras = body_children(doc)
        at = next(i for i, p in enumerate(paras) if text(p) == "XX市知识产权局")
        issuer, day = paras[at], paras[at + 1]
        assert text(day) == "2019年7月5日"
        issuer_right = int(ppr(issuer, "w:ind", "w:right"))
        day_right = int(ppr(day, "w:ind", "w:right"))
        issuer_w, day_w = text_width("XX市知识产权局"), text_width("2019年7月5日")
        blanks = 0
        while text(paras[at - 1 - blanks]) == "":
            blanks += 1
        if stamped:
            # 成文日期右空四字; 署名 centred on the date; room for the seal above.
            assert day_right == 4 * 314
            assert issuer_right + issuer_w // 2 == pytest.approx(day_right + day_w // 2, abs=1)
            assert blanks == 2
        else:
            # 署名右空二字 and the date's first character two characters right of the
            # 署名's — or, the date being the longer, the date 右空二字 and the 署名 moved in.
            issuer_start = 8845 - issuer_right - issuer_w
            day_start = 8845 - day_right - day_w
            assert day_start - issuer_start == 2 * 314
            assert min(issuer_right, day_right) == 2 * 314
            assert blanks == 1
        assert text(paras[at + 2]) == "（此件公开发布）"
        assert int(ppr(paras[at + 2], "w:ind", "w:firstLine")) == 2 * 314  # 居左空二字


def test_fonts_are_fallback_chains_word_and_wps_can_follow() -> None:
    doc, _ = build_document(june())
    title = next(p for p in doc.paragraphs if p.text == "关于2019年1-6月全市")
    fonts = title.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert fonts.get(qn("w:hint")) == "eastAsia"  # “ ” — take the Chinese font, full width
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    from lxml import etree

    root = etree.fromstring(part.blob)
    table = {
        f.get(qn("w:name")): (w(f, "w:altName", "w:val"), w(f, "w:charset", "w:val"))
        for f in root.findall(qn("w:font"))
    }
    # Each name's next in the chain as its one alternate (Word reads a single altName).
    assert table["仿宋_GB2312"] == ("仿宋", "86")
    assert table["仿宋"] == ("FangSong", "86")
    assert table["方正小标宋简体"] == ("华文中宋", "86") and table["华文中宋"] == ("宋体", "86")
    assert table["楷体_GB2312"] == ("楷体", "86") and table["黑体"] == ("SimHei", "86")
    # The chain is the city's: notice.toml's [fonts] reaches the runs and the table.
    custom = june(fonts={**load_notice_rules().fonts, "body": ("方正仿宋_GBK", "仿宋")})
    doc, _ = build_document(custom)
    body = next(p for p in doc.paragraphs if p.text.startswith("2019年1-6月，全市"))
    assert body.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正仿宋_GBK"


def test_page_numbers_odd_right_even_left_seven_mm_under_the_text() -> None:
    doc, _ = build_document(june())
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.text == "— 1 —" and "PAGE" in odd._p.xml and "PAGE" in even._p.xml
    assert (odd.alignment, even.alignment) == (2, 0)  # right, left
    assert int(ppr(odd._p, "w:ind", "w:right")) == 280 == int(ppr(even._p, "w:ind", "w:left"))
    line = int(ppr(odd._p, "w:spacing", "w:line"))
    assert {r.font.size.pt for r in odd.runs} == {14}  # 4号
    assert {r._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in odd.runs} == {"宋体"}
    footer_top = section.page_height - section.footer_distance - line * 635
    text_bottom = section.page_height - section.bottom_margin
    # The dashes sit 136 twips (2.4 mm) into the 14 pt line: their top 7 mm under the text.
    assert round((footer_top - text_bottom) / 635 / MM + 136 / MM, 1) == 7.0


def test_imprint_on_the_foot_of_the_last_even_page() -> None:
    doc, plan = build_document(june())
    *_, spacer, imprint, tail, _sect = body_children(doc)
    assert int(ppr(tail, "w:spacing", "w:line")) == 20  # a 1 pt paragraph ends the document
    assert imprint.tag == qn("w:tbl")
    rows = imprint.findall(qn("w:tr"))
    assert [text(r) for r in rows] == [
        "抄送：市科技局，市市场监管局。",
        "XX市知识产权局办公室2019年7月5日印发",
    ]
    borders = imprint.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    sizes = {
        side: borders.find(qn(f"w:{side}")).get(qn("w:sz")) for side in ("top", "insideH", "bottom")
    }
    assert sizes == {"top": "8", "insideH": "6", "bottom": "8"}  # 0.35 / 0.25 / 0.35 mm
    assert borders.find(qn("w:left")).get(qn("w:val")) == "nil"
    # 抄送 左右各空一字, later lines under the first name; 印发机关 left, 印发日期 right.
    cc = rows[0].find(qn("w:tc")).find(qn("w:p"))
    assert (int(ppr(cc, "w:ind", "w:left")), int(ppr(cc, "w:ind", "w:hanging"))) == (
        4 * 280,
        3 * 280,
    )
    issued = rows[1].find(qn("w:tc")).find(qn("w:p"))
    assert issued.find(qn("w:r")).find(qn("w:tab")) is not None
    assert w(issued.find(qn("w:pPr")).find(qn("w:tabs")), "w:tab", "w:val") == "right"
    # Page 4 is even and holds the annex: the 版记 goes to its foot, pushed down by a spacer.
    assert plan["pages"] % 2 == 0
    room = PORTRAIT.text_height - annex_layout(june().annexes[0], PORTRAIT).last_used
    assert text(spacer) == ""
    assert int(ppr(spacer, "w:spacing", "w:line")) == room - imprint_height(CC, PORTRAIT) - SLACK
    assert imprint_height(CC, PORTRAIT) == 2 * 579  # 抄送 and 印发, one line each


def test_blank_page_before_the_imprint_has_no_number() -> None:
    result = assess_file(SAMPLES_DIR / "2019-annual.xlsx", default_scheme("annual"))
    rules = load_notice_rules()
    long = "获得优秀等次的区县要再接再厉，其他区县要对照考核指标查找差距，制定整改措施。"
    items = tuple(Requirement(f"要求{i}。", long) for i in range(4))
    wording = Wording(rules.annual.opening, "有关要求", items)
    notice = build_annual_notice(result, replace(rules, annual=wording), date(2020, 1, 15), 1)
    doc, plan = build_document(notice)
    # Three pages of text, the landscape annex on page 4 (even): a blank page 5, the 版记 on 6.
    assert (plan["main_pages"], plan["pages"], plan["blank"]) == (3, 6, 1)
    main, annex, last = doc.sections
    assert annex.orientation == 1 and annex.page_width > annex.page_height  # landscape
    assert "PAGE" in main.footer._element.xml
    for footer in (last.footer, last.even_page_footer):
        assert not footer.is_linked_to_previous and "PAGE" not in footer._element.xml
    assert (last.page_width, last.page_height) == (main.page_width, main.page_height)


def test_same_circular_same_plan(tmp_path: Path) -> None:
    first, second = build_document(june())[1], build_document(june())[1]
    assert first == second
