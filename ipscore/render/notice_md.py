"""The circular as Markdown: the same text and table as the docx, for mail and the web."""

from __future__ import annotations

from ipscore.render.circular import Notice, requirement_label
from ipscore.render.model import notice_columns


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def notice_markdown(notice: Notice) -> str:
    lines = [
        f"**{notice.issuer}**",
        "",
        notice.doc_number,
        "",
        f"# {notice.title}",
        "",
        notice.addressees,
        "",
        notice.opening,
        "",
    ]
    for section in notice.sections:
        lines += [f"## {section.heading}", ""]
        for text in section.paragraphs:
            lines += [text, ""]
    align = ["---" if c.kind == "text" else "---:" for c in notice_columns()]
    lines += [f"**{notice.table_title}**", ""]
    lines.append("| " + " | ".join(_cell(h) for h in notice.header) + " |")
    lines.append("| " + " | ".join(align) + " |")
    for cells in [*notice.rows, notice.total]:
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", notice.table_note, "", f"## {notice.requirements_heading}", ""]
    for index, requirement in enumerate(notice.requirements):
        lines += [f"{requirement_label(index)}**{requirement.heading}**{requirement.text}", ""]
    lines += [f"{notice.issuer}  ", notice.date_zh, ""]
    return "\n".join(lines)
