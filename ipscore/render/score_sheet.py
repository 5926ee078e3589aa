"""A unit's one-page score sheet (得分明细) for a review (复核): ``explain`` on paper.

Every indicator with the figures it used (and the cells they came from), the rule with the
unit's numbers filled in, the points; then base, bonus, total, rank, grade and the gap to the
unit ranked above. A county that disputes its grade can redo every sum by hand from it.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from ipscore.base.numbers import plain
from ipscore.render.docx_page import el, para, qn, run, setup
from ipscore.render.reproducible import normalise_zip
from ipscore.scoring.ledger import Ledger

SIZE = 9.0  # 小五: eleven indicators with their working on one A4 page
WIDTHS_MM = (10.0, 30.0, 52.0, 74.0, 14.0)  # 序号, 指标, 数据, 计算, 得分 (180 mm)
LATIN = "Times New Roman"


def _cell(
    text: str,
    width: int,
    fonts: dict[str, tuple[str, ...]],
    *,
    bold: bool = False,
    align: str = "left",
) -> Any:
    chain = fonts["heading"] if bold else fonts["body"]
    runs = [run(text, chain, SIZE, latin=LATIN)] if text else []
    props = el(
        "w:tcPr", None, el("w:tcW", {"w": width, "type": "dxa"}), el("w:vAlign", {"val": "center"})
    )
    return el("w:tc", None, props, para(runs, align=align, line=round(SIZE * 24), grid=False))


def _table(rows: list[list[str]], fonts: dict[str, tuple[str, ...]]) -> Any:
    widths = [round(w * 1440 / 25.4) for w in WIDTHS_MM]
    sides = [
        el(f"w:{s}", {"val": "single", "sz": 4, "space": 0, "color": "000000"})
        for s in ("top", "left", "bottom", "right", "insideH", "insideV")
    ]
    props = el(
        "w:tblPr",
        None,
        el("w:tblW", {"w": sum(widths), "type": "dxa"}),
        el("w:jc", {"val": "center"}),
        el("w:tblBorders", None, *sides),
        el("w:tblLayout", {"type": "fixed"}),
        el(
            "w:tblCellMar",
            None,
            el("w:left", {"w": 57, "type": "dxa"}),
            el("w:right", {"w": 57, "type": "dxa"}),
        ),
    )
    table = el(
        "w:tbl", None, props, el("w:tblGrid", None, *[el("w:gridCol", {"w": w}) for w in widths])
    )
    for index, cells in enumerate(rows):
        tr = el("w:tr", None, el("w:trPr", None, el("w:cantSplit")))
        for column, (text, width) in enumerate(zip(cells, widths, strict=True)):
            align = "center" if column in (0, 4) or index == 0 else "left"
            tr.append(_cell(text, width, fonts, bold=index == 0, align=align))
        table.append(tr)
    return table


def score_sheet_docx(
    ledger: Ledger, fonts: dict[str, tuple[str, ...]], when: date, issuer: str, decimals: int = 2
) -> bytes:
    """One unit's score sheet as .docx bytes (A4 portrait, one page)."""
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    setup(doc, fonts)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(18)
    section.left_margin = section.right_margin = Mm(15)
    final = doc.element.body.find(qn("w:sectPr"))

    def add(element: Any) -> None:
        final.addprevious(element)

    title = f"{ledger.county}{ledger.period}考核得分明细"
    add(
        para(
            [run(title, fonts["title"], 18, latin=fonts["title"][0])],
            align="center",
            line=520,
            grid=False,
        )
    )
    summary = f"评分方案：{ledger.scheme}　排名：第{ledger.rank}名（共{ledger.units}个单位）"
    if ledger.grade:
        summary += f"　等次：{ledger.grade}" + (
            f"（{ledger.grade_note}）" if ledger.grade_note else ""
        )
    add(para([run(summary, fonts["body"], 10.5, latin=LATIN)], align="left", line=300, grid=False))
    rows = [["序号", "指标（满分）", "数据（单元格）", "计算", "得分"]]
    for number, line in enumerate(ledger.lines, start=1):
        data = "\n".join(
            f"{i.label} = {i.value}" + (f"［{i.cell}］" if i.cell else "") for i in line.inputs
        )
        rule = line.rule + (f"\n说明：{line.note}" if line.note else "")
        rows.append(
            [
                str(number),
                f"{line.name}（{plain(line.max_points)}）",
                data,
                rule,
                f"{line.points:.{decimals}f}",
            ]
        )
    points = " + ".join(f"{line.points:.{decimals}f}" for line in ledger.lines)
    if ledger.bonus is None:
        rows.append(["", "总分", "", points, f"{ledger.score:.{decimals}f}"])
    else:
        rows.append(["", "基础分", "", points, f"{ledger.base:.{decimals}f}"])
        bonus = "\n".join(f"{name}：{text}" for name, text in ledger.bonus_lines)
        rows.append(["", "加分", "", bonus, f"{ledger.bonus:.{decimals}f}"])
        total = f"基础分 {ledger.base:.{decimals}f} + 加分 {ledger.bonus:.{decimals}f}"
        rows.append(["", "总分", "", total, f"{ledger.score:.{decimals}f}"])
    add(_table(rows, fonts))
    gap = ledger.gap
    if gap is None:
        tail = "居首位，前面没有其他单位。"
    else:
        items = "，".join(
            f"{name}{'+' if diff > 0 else '−'}{abs(diff):.{decimals}f}" for name, diff in gap.items
        )
        tail = (
            f"与上一名{gap.county}（第{gap.rank}名）相差{gap.score_gap:.{decimals}f}分"
            + (f"（对方得分 − 本单位得分：{items}）" if items else "")
            + (f"；{gap.tie_note}" if gap.tie_note else "")
            + "。"
        )
    add(
        para(
            [run(tail, fonts["body"], 10.5, latin=LATIN)],
            align="left",
            line=300,
            before=120,
            grid=False,
        )
    )
    note = f"{issuer}　{when.year}年{when.month}月{when.day}日　（供复核使用）"
    add(
        para(
            [run(note, fonts["body"], 10.5, latin=LATIN)],
            align="right",
            line=300,
            before=120,
            grid=False,
        )
    )
    stamp = datetime(when.year, when.month, when.day)
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = issuer
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalise_zip(buffer.getvalue(), stamp)
