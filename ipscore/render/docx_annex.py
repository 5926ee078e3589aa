"""The circular's tables: an annex (附件) on pages of its own, and the 版记 at the foot of the
last even page. Every row and line has an exact height, so the writer knows how much of a page
each takes and can put the 版记's last rule on the text block's bottom edge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ipscore.render.circular import Annex
from ipscore.render.docx_page import LINE, MM, Page, el, para, run
from ipscore.render.paging import count_lines, text_width

TABLE_PT = 12.0  # 小四 for a portrait table
WIDE_TABLE_PT = 9.0  # 小五 for the landscape one with many columns
NOTE_PT = 12.0
CELL_MARGIN = 28  # twips each side (0.5 mm)
IMPRINT_PT = 14  # 4号
SLACK = 80  # twips left between the 版记's last rule and the text block's bottom edge


def header_lines(text: str) -> str:
    """A column title in balanced lines: 本月/申请, 同比增长/（%）."""
    if "\n" in text:
        return text
    for bracket in ("（", "("):
        if bracket in text and not text.startswith(bracket):
            head, _, tail = text.partition(bracket)
            return f"{head}\n{bracket}{tail}"
    if len(text) == 4:
        return f"{text[:2]}\n{text[2:]}"
    return text


def _lines(text: str, width_mm: float, size: float) -> int:
    inner = round(width_mm * MM) - 2 * CELL_MARGIN
    return sum(count_lines(part, inner, size=size, kern=0) for part in text.split("\n"))


def _line_twips(size: float) -> int:
    return round(size * 20 * 1.25)


@dataclass(frozen=True)
class AnnexLayout:
    """An annex's pages: how many, and the twips used on the last one."""

    pages: int
    last_used: int


def annex_rows(annex: Annex, size: float) -> tuple[int, list[int]]:
    """The header row's height and each body row's height, in twips."""
    line = _line_twips(size)
    pad = 2 * 40
    head = max(
        _lines(header_lines(h), w, size) for h, w in zip(annex.header, annex.widths, strict=True)
    )
    heights = []
    for cells in annex.rows:
        most = max(_lines(c, w, size) for c, w in zip(cells, annex.widths, strict=True))
        heights.append(most * line + pad)
    return head * line + pad, heights


def title_size(title: str, page: Page) -> float:
    """2号 when the title fits one line with room to spare (its digits may come from a wider
    substitute font), else 小二 (18 pt)."""
    return 22.0 if text_width(title, 22.0, 0) <= page.text_width * 0.9 else 18.0


def _note_lines(annex: Annex, page: Page) -> int:
    hang = round(NOTE_PT * 20) * 2  # the width of 注：
    return sum(
        count_lines(
            ("注：" if i == 0 else "") + n,
            page.text_width,
            left=hang,
            first=-hang if i == 0 else 0,
            size=NOTE_PT,
            kern=0,
        )
        for i, n in enumerate(annex.notes)
    )


def annex_layout(annex: Annex, page: Page) -> AnnexLayout:
    """Pages the annex takes (its header row repeats on each page; no row is split)."""
    size = WIDE_TABLE_PT if page.landscape else TABLE_PT
    head, rows = annex_rows(annex, size)
    used = heading_height(annex.title, page) + head
    pages = 1
    for height in rows:
        if used + height > page.text_height:
            pages += 1
            used = head
        used += height
    note = _line_twips(NOTE_PT) * _note_lines(annex, page) + 120
    if used + note > page.text_height:
        pages += 1
        used = 0
    return AnnexLayout(pages, used + note)


def heading_height(title: str, page: Page) -> int:
    """Twips an annex's label, blank line, title and the half line under it take."""
    lines = count_lines(title, page.text_width, size=title_size(title, page), kern=0)
    return LINE * (2 + lines) + LINE // 2


def annex_heading(
    label: str, title: str, page: Page, fonts: dict[str, tuple[str, ...]]
) -> list[Any]:
    """附件 label (黑体 3号, top left), a blank line, the title (小标宋) on the third line, and
    half a line under it."""
    return [
        para(
            [run(label, fonts["heading"], 16, latin=fonts["heading"][0])], align="left", grid=False
        ),
        para(grid=False),
        para(
            [run(title, fonts["title"], title_size(title, page), latin=fonts["title"][0])],
            align="center",
            grid=False,
        ),
        para(line=LINE // 2, grid=False),
    ]


def annex_elements(
    label: str, annex: Annex, page: Page, fonts: dict[str, tuple[str, ...]]
) -> list[Any]:
    """The annex's heading (label, title), the table, its notes."""
    size = WIDE_TABLE_PT if page.landscape else TABLE_PT
    out = [*annex_heading(label, annex.title, page, fonts), _table(annex, size, fonts)]
    hang = round(NOTE_PT * 20) * 2  # later lines align after 注：
    for index, note in enumerate(annex.notes):
        text = ("注：" if index == 0 else "") + note
        out.append(
            para(
                [run(text, fonts["body"], NOTE_PT, latin="Times New Roman")],
                line=_line_twips(NOTE_PT),
                before=120 if index == 0 else 0,
                left=hang,
                first=-hang if index == 0 else 0,
                grid=False,
                align="left",
            )
        )
    if not annex.notes:
        out.append(para(line=LINE // 2, grid=False))  # a section can only end on a paragraph
    return out


def _borders(top: int, inside: int, bottom: int, vertical: int) -> Any:
    def side(tag: str, size: int) -> Any:
        if not size:
            return el(tag, {"val": "nil"})
        return el(tag, {"val": "single", "sz": size, "space": 0, "color": "000000"})

    return el(
        "w:tblBorders",
        None,
        side("w:top", top),
        side("w:left", vertical),
        side("w:bottom", bottom),
        side("w:right", vertical),
        side("w:insideH", inside),
        side("w:insideV", vertical),
    )


def _tbl(widths: Sequence[int], borders: Any, margin: int, center: bool = True) -> Any:
    props = el(
        "w:tblPr",
        None,
        el("w:tblW", {"w": sum(widths), "type": "dxa"}),
        el("w:jc", {"val": "center"}) if center else None,
        borders,
        el("w:tblLayout", {"type": "fixed"}),
        el(
            "w:tblCellMar",
            None,
            el("w:left", {"w": margin, "type": "dxa"}),
            el("w:right", {"w": margin, "type": "dxa"}),
        ),
        el("w:tblLook", {"val": "0000", "firstRow": 0, "lastRow": 0, "noHBand": 1, "noVBand": 1}),
    )
    grid = el("w:tblGrid", None, *[el("w:gridCol", {"w": w}) for w in widths])
    return el("w:tbl", None, props, grid)


def _row(height: int, header: bool = False) -> Any:
    props = el(
        "w:trPr",
        None,
        el("w:cantSplit"),
        el("w:trHeight", {"val": height, "hRule": "exact"}),
        el("w:tblHeader") if header else None,
    )
    return el("w:tr", None, props)


def _cell(width: int, paragraphs: Sequence[Any]) -> Any:
    props = el(
        "w:tcPr", None, el("w:tcW", {"w": width, "type": "dxa"}), el("w:vAlign", {"val": "center"})
    )
    return el("w:tc", None, props, *paragraphs)


def _table(annex: Annex, size: float, fonts: dict[str, tuple[str, ...]]) -> Any:
    widths = [round(w * MM) for w in annex.widths]
    head, heights = annex_rows(annex, size)
    line = _line_twips(size)
    table = _tbl(widths, _borders(4, 4, 4, 4), CELL_MARGIN)
    header = _row(head, header=True)
    for text, width in zip(annex.header, widths, strict=True):
        chain = fonts["heading"]
        runs = [run(header_lines(text), chain, size, latin=chain[0])]
        header.append(_cell(width, [para(runs, align="center", line=line, grid=False)]))
    table.append(header)
    bold_from = len(annex.rows) - annex.bold_rows
    for index, (cells, height) in enumerate(zip(annex.rows, heights, strict=True)):
        row = _row(height)
        for text, width in zip(cells, widths, strict=True):
            chain = fonts["heading"] if index >= bold_from else fonts["body"]
            runs = [run(text, chain, size, latin="Times New Roman")] if text else []
            row.append(_cell(width, [para(runs, align="center", line=line, grid=False)]))
        table.append(row)
    return table


# --------------------------------------------------------------------------------------------
# 版记


def imprint_height(cc: str, page: Page) -> int:
    return LINE * (1 + imprint_cc_lines(cc, page))


def imprint_cc_lines(cc: str, page: Page) -> int:
    if not cc:
        return 0
    one = IMPRINT_PT * 20
    text = f"抄送：{cc}"
    return count_lines(
        text, page.text_width, left=4 * one, first=-3 * one, right=one, size=IMPRINT_PT, kern=0
    )


def imprint_table(
    cc: str, printer: str, date_zh: str, page: Page, fonts: dict[str, tuple[str, ...]]
) -> Any:
    """抄送 and 印发机关/印发日期 between rules: 0.35 mm first and last, 0.25 mm between."""
    width = page.text_width
    one = IMPRINT_PT * 20  # one 4号 character
    chain = fonts["body"]
    # sz in eighths of a point: 8 = 1 pt ≈ 0.35 mm, 6 = 0.75 pt ≈ 0.25 mm.
    table = _tbl([width], _borders(8, 6, 8, 0), 0)
    if cc:
        row = _row(LINE * imprint_cc_lines(cc, page))
        text = [run(f"抄送：{cc}", chain, IMPRINT_PT, latin="Times New Roman")]
        row.append(
            _cell(
                width,
                [para(text, align="left", left=4 * one, first=-3 * one, right=one, grid=False)],
            )
        )
        table.append(row)
    row = _row(LINE)
    text = [run(f"{printer}\t{date_zh}印发", chain, IMPRINT_PT, latin="Times New Roman")]
    row.append(
        _cell(
            width,
            [
                para(
                    text,
                    align="left",
                    left=one,
                    right=one,
                    tabs=[("right", width - one)],
                    grid=False,
                )
            ],
        )
    )
    table.append(row)
    return table
