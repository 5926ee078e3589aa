"""Terminal columns of text, and breaking Chinese text into lines.

A CJK character takes two terminal columns, so text measured in characters comes out twice as
wide as planned. :func:`width_of` counts columns; :func:`wrap` breaks text where Chinese allows
(between characters, at spaces, never before closing or after opening punctuation) and keeps an
ASCII word (an option, a file name) whole unless it is wider than the line.
"""

from __future__ import annotations

import re
import unicodedata


def width_of(text: str) -> int:
    """Terminal columns of ``text``: 2 for a wide (CJK) character, 0 for a combining mark."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


# Punctuation that may not start a line (closing) or end one (opening): 行首/行尾禁则.
_CLOSING = frozenset("，。、；：！？）」』》】〕…%,.;:!?)]}>")
_OPENING = frozenset("（「『《【〔([{<")
_TOKENS = re.compile(r"\s+|[\x21-\x7e]+|.", re.S)


def _units(text: str) -> list[str]:
    """``text`` cut where a line may break: spaces (as ``" "``), ASCII runs, single characters,
    with closing punctuation glued to what precedes it and opening punctuation to what follows."""
    units: list[str] = []
    glue = False
    for token in _TOKENS.findall(text):
        if token.isspace():
            units.append(" ")
            glue = False
            continue
        if units and units[-1] != " " and (glue or token[0] in _CLOSING):
            units[-1] += token
        else:
            units.append(token)
        glue = token[-1] in _OPENING
    return units


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """``text`` broken into lines of at most ``width`` columns (CJK counted twice), the first
    starting with ``first`` and the others with ``rest``; no line ends in a space."""
    lines: list[str] = []
    line, used, empty, space = first, width_of(first), True, False
    for unit in _units(text):
        if unit == " ":
            space = not empty
            continue
        size = width_of(unit) + (1 if space else 0)
        if not empty and used + size > width:
            lines.append(line)
            line, used, empty, space = rest, width_of(rest), True, False
            size = width_of(unit)
        while empty and used + size > width and len(unit) > 1:
            # One unit wider than the line (a long path): cut it where the line ends.
            cut = 1
            while cut < len(unit) and used + width_of(unit[: cut + 1]) <= width:
                cut += 1
            lines.append(line + unit[:cut])
            unit = unit[cut:]
            line, used = rest, width_of(rest)
            size = width_of(unit)
        line += (" " if space else "") + unit
        used += size
        empty, space = False, False
    lines.append(line)
    return [item.rstrip() for item in lines]


def paragraphs(text: str) -> list[str]:
    """A docstring's paragraphs, each made one line: lines join with a space between ASCII
    words and with nothing between Chinese characters; a line ending in 。 stays a line."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        joined = ""
        for raw in block.splitlines():
            line = raw.strip()
            if not joined:
                joined = line
            elif joined.endswith("。"):
                out.append(joined)
                joined = line
            elif width_of(joined[-1]) == 2 or width_of(line[:1]) == 2:
                joined += line
            else:
                joined += " " + line
        out.append(joined)
        out.append("")
    return out[:-1]
