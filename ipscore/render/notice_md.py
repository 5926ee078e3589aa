"""The circular as Markdown: the same text, annexes and 版记 as the docx, for mail and the web."""

from __future__ import annotations

from ipscore.render.circular import Annex, Notice


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


def notice_markdown(notice: Notice) -> str:
    """The circular in Markdown; every text from data or settings is escaped, never markup."""
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
    lines += ["---", ""]
    if notice.cc:
        lines += [f"抄送：{e(notice.cc)}  "]
    lines += [f"{e(notice.printer)}　{notice.date_zh}印发", ""]
    return "\n".join(lines)
