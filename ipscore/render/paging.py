"""Where the circular's pages break, worked out before Word or LibreOffice lays it out.

GB/T 9704 puts the 版记 on the last even page, and a page left blank before it carries no
number: to place the 版记 the writer must know on which page the text ends. On the 22 × 28
grid every body line is one grid line and a line holds 28 characters, so the lines of a
paragraph can be counted: Chinese characters are one character wide, Latin letters and digits
(Times New Roman) about half, a word of digits is never split, closing punctuation never
starts a line (，。、 hang in the margin instead, as Word's "allow punctuation to extend past
margin" and LibreOffice's hanging punctuation do) and opening punctuation never ends one.

Where a Chinese character meets a Latin letter or digit both programs add a little space (the
"adjust space between Asian and Latin text" default): a quarter em in Word, 3.5 pt at 3号 in
LibreOffice (measured), so the line count can be worked out for each.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ipscore.render.docx_page import KERN, LINES

# Times New Roman advance widths in 1/1000 em (the characters a circular uses).
_LATIN = {
    **dict.fromkeys("0123456789", 500),
    ".": 250,
    ",": 250,
    "%": 833,
    "-": 333,
    " ": 250,
    "(": 333,
    ")": 333,
    "/": 278,
    ":": 278,
    "X": 722,
    "x": 500,
}
HANGING = set("，。、；：？！,.")
NO_START = set("，。、；：？！）》」』】〕”’…—·%,.;:?!)]}") | HANGING
NO_END = set("（《「『【〔“‘([{")


def char_width(ch: str, size: float = 16.0, kern: int = KERN) -> int:
    """A character's advance in twips at ``size`` points with ``kern`` twips of spacing."""
    if ord(ch) < 128:
        return round(_LATIN.get(ch, 556) * size * 20 / 1000) + kern
    wide = unicodedata.east_asian_width(ch) in ("W", "F", "A")
    return round(size * 20) + kern if wide else round(size * 10) + kern


WORD = 0.25  # em added where a Chinese character meets a Latin letter or digit
LIBREOFFICE = 0.21875  # 3.5 pt at 16 pt, measured on LibreOffice 7.4's output


def _ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def gap(left: str, right: str, size: float, autospace: float) -> int:
    """The space added between two adjacent characters (Chinese next to a letter or digit)."""
    if (_ideograph(left) and _alnum(right)) or (_alnum(left) and _ideograph(right)):
        return round(autospace * size * 20)
    return 0


def text_width(
    text: str, size: float = 16.0, kern: int = KERN, autospace: float = LIBREOFFICE
) -> int:
    width = sum(char_width(ch, size, kern) for ch in text)
    return width + sum(gap(a, b, size, autospace) for a, b in pairwise(text))


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: a run of Latin letters, digits and their signs, or one character."""
    out: list[str] = []
    for ch in text:
        latin = ord(ch) < 128 and ch != " "
        if latin and out and all(ord(c) < 128 and c != " " for c in out[-1]):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap(
    text: str,
    width: int,
    first: int = 0,
    left: int = 0,
    size: float = 16.0,
    right: int = 0,
    kern: int = KERN,
    autospace: float = LIBREOFFICE,
) -> list[str]:
    """The lines ``text`` takes in a column ``width`` twips wide (indents in twips; ``first``
    is relative to ``left`` and negative for a hanging indent)."""
    if not text:
        return [""]
    lines: list[list[str]] = [[]]
    used = left + first
    room = width - right
    for token in _tokens(text):
        w = text_width(token, size, kern, autospace)
        if lines[-1]:
            w += gap(lines[-1][-1][-1], token[0], size, autospace)
        if used + w <= room or not lines[-1]:
            lines[-1].append(token)
            used += w
            continue
        if token in HANGING:
            lines[-1].append(token)  # hangs past the margin
            lines.append([])
            used = left
            continue
        carry: list[str] = [token]
        while carry[0][0] in NO_START and len(lines[-1]) > 1:
            carry.insert(0, lines[-1].pop())  # a closing mark takes the character before it
        while len(lines[-1]) > 1 and lines[-1][-1][-1] in NO_END:
            carry.insert(0, lines[-1].pop())  # an opening mark goes down with what follows
        lines.append(carry)
        used = left + text_width("".join(carry), size, kern, autospace)
    return ["".join(line) for line in lines]


def count_lines(
    text: str,
    width: int,
    first: int = 0,
    left: int = 0,
    size: float = 16.0,
    right: int = 0,
    kern: int = KERN,
    autospace: float = LIBREOFFICE,
) -> int:
    return len(wrap(text, width, first, left, size, right, kern, autospace))


@dataclass(frozen=True)
class Block:
    """A paragraph on the grid: its line count and whether it keeps with the next one."""

    lines: int
    keep_next: bool = False


def layout(blocks: Sequence[Block], first_page_lines: int, page_lines: int = LINES) -> list[int]:
    """Lines on each page when ``blocks`` flow from the top of page one (which has room for
    ``first_page_lines``). A page breaks between any two lines except where a kept paragraph's
    last line meets the next paragraph: there the break moves up to the last free boundary."""
    tied: list[bool] = []  # tied[i]: line i must share a page with line i + 1
    for block in blocks:
        for index in range(block.lines):
            tied.append(block.keep_next and index == block.lines - 1)
    pages: list[int] = []
    start, room = 0, first_page_lines
    total = len(tied)
    while start < total:
        end = min(start + room, total)
        if end < total:
            cut = end
            while cut > start + 1 and tied[cut - 1]:
                cut -= 1
            if cut > start + 1 or not tied[start]:
                end = cut
        pages.append(end - start)
        start, room = end, page_lines
    return pages or [0]
