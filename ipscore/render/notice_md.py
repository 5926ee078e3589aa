"""The circular as Markdown: the same text, annexes and 版记 as the docx, for mail and the web.

A 附图's charts are pictures: the Markdown refers to PNG files written beside it (``images``,
one name per chart), or, when there are none, says where the charts are.
"""

from __future__ import annotations

from collections.abc import Sequence

from ipscore.render.circular import Annex, FigureAnnex, Notice


def _escape(text: str) -> str:
    """Text as Markdown shows it: * and _ (the 序时进度 mark) are not emphasis."""
    for ch in "\\*_`[]<>":
        text = text.replace(ch, "\\" + ch)
    return text


def _cell(text: str) -> str:
    return _escape(text).replace("|", "\\|").replace("\n", " ")


def _annex(label: str, annex: Annex) -> list[str]:
    lines = [f"**{label}**", "", f"### {_escape(annex.title)}", ""]
    align = ["---" if i in annex.text_columns else "---:" for i in range(len(annex.header))]
    lines.append("| " + " | ".join(_cell(h) for h in annex.header) + " |")
    lines.append("| " + " | ".join(align) + " |")
    for cells in annex.rows:
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    if annex.notes:
        notes = [_escape(n) for n in annex.notes]
        lines += ["注：  ", *[f"{n}  " for n in notes[:-1]], notes[-1], ""]
    return lines


def _figure(label: str, figure: FigureAnnex, images: Sequence[str]) -> list[str]:
    lines = [f"**{label}**", "", f"### {_escape(figure.title)}", ""]
    for index, chart in enumerate(figure.charts):
        caption = _escape(chart.caption)
        if index < len(images):
            # <…> keeps a file name with spaces one link target (CommonMark).
            target = images[index].replace("<", "%3C").replace(">", "%3E")
            lines += [f"![{caption}](<{target}>)", ""]
        lines += [caption, ""]
    if not images:
        lines += ["（图见本通报的 Word、PDF 版本。）", ""]
    return lines


def notice_markdown(notice: Notice, images: Sequence[str] = ()) -> str:
    """The circular in Markdown; every text from data or settings is escaped, never markup.
    ``images`` names the PNG file of each chart of the 附图, in order."""
    e = _escape
    lines = [
        f"**{e(notice.mark)}**",
        "",
        e(notice.doc_number),
        "",
        f"# {e(notice.title)}",
        "",
        e(notice.addressees),
        "",
    ]
    for para in notice.paragraphs:
        if para.style == "heading":
            lines += [f"## {e(para.text)}", ""]
        elif para.style == "item":
            lines += [f"**{e(para.label)}**{e(para.text)}", ""]
        else:
            lines += [e(para.text), ""]
    lines += ["  \n".join(e(line) for line in notice.attachments), ""]
    lines += [f"{e(notice.issuer)}  ", notice.date_zh, ""]
    if notice.note:
        lines += [e(notice.note), ""]
    for index, annex in enumerate(notice.annexes):
        lines += ["---", "", *_annex(notice.annex_label(index), annex)]
    taken = 0
    for index, figure in enumerate(notice.figures, start=len(notice.annexes)):
        names = images[taken : taken + len(figure.charts)]
        taken += len(figure.charts)
        lines += ["---", "", *_figure(notice.annex_label(index), figure, names)]
    lines += ["---", ""]
    if notice.cc:
        lines += [f"抄送：{e(notice.cc)}  "]
    lines += [f"{e(notice.printer)}　{notice.date_zh}印发", ""]
    return "\n".join(lines)
