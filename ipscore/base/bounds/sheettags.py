"""The tags of a large sheet body, found and checked with NumPy (for :mod:`sheetbody`).

Every ``<`` of a piece is found and its tag classified by the three bytes after it
(:func:`tag_marks`, run ahead by the thread that unpacks). Tags of no literal form are checked
by strict expressions: a cell's or row's attribute list after its reference, and any other tag;
:class:`Checked` keeps those already checked, so that every later one is compared with them
byte for byte, in bulk. Whatever is not in the strict form raises :class:`NotCanonical`.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

LT, GT, QUOTE = 60, 62, 34
# Tag classes by their first three bytes after "<" (see _classes). From END_C on, the tags
# the order is checked by (</c>, </row>, a cell, a row); the last four are what the full parse
# places by: a cell, a row, a value (v or is).
BAD, PLAIN, END2, OTHER, END_C, END_ROW, CELL, ROW, V, IS = range(10)
U64 = np.dtype("<u8")
U32 = np.dtype("<u4")
MASKS = np.frombuffer(b"".join(b"\xff" * k + bytes(8 - k) for k in range(9)), U64)
_ZEROS = np.uint64(0x3030303030303030)
_HIGH = np.uint64(0x8080808080808080)
_NINES = np.uint64(0x7676767676767676)
_WORDS = 16  # an attribute list after a reference: at most 128 bytes (LibreOffice's rows)
_PRIMES = (np.arange(_WORDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C16)) | np.uint64(1)
_WS = rb"[ \t\r\n]"
_NAME = rb"[A-Za-z_][A-Za-z0-9_.\-]*(?::[A-Za-z_][A-Za-z0-9_.\-]*)?"
_ATTR = rb"%s+(%s)%s*=%s*\"[^\"<>&]*\"" % (_WS, _NAME, _WS, _WS)
_ATTR_NAME = re.compile(_ATTR)
_SHAPE = re.compile(rb"(?:%s)*%s*/?>" % (_ATTR, _WS))  # what follows a cell or row reference
_TAG = re.compile(rb"<(/?)(%s)((?:%s)*)%s*(/?)>" % (_NAME, _ATTR, _WS))
# Local names the full parse gives a meaning to: never let one pass as "any other tag".
_MEANINGFUL = {b"c", b"row", b"v", b"is", b"dimension", b"sheetData"}


class NotCanonical(Exception):
    """The body holds something only the full parse may judge."""


@cache
def _classes() -> np.ndarray:
    """The class of a tag by the 24-bit number of its first three bytes after ``<``."""
    table = np.zeros((256, 256, 256), np.uint8)  # [third][second][first]; BAD by default
    letters = [*range(65, 91), *range(97, 123), 95]
    name_chars = [*letters, *range(48, 58), 45, 46, 58]
    slash, c, v, i = ord("/"), ord("c"), ord("v"), ord("i")
    table[:, :, letters] = OTHER  # a start tag of some other name, checked one by one
    table[:, :, slash] = BAD
    table[np.ix_(letters, letters, [slash])] = END2  # </ab…: letters, then > (checked after)
    table[np.ix_([GT], letters, [slash])] = PLAIN  # </c> </v> </t> </f>
    for delimiter in b" \t\r\n/>":  # <c and <v in a form not taken here
        table[:, delimiter, [c, v]] = BAD
    table[:, ord("s"), i] = BAD  # <is … in a form not taken here
    table[name_chars, ord("s"), i] = OTHER  # <isX…
    table[GT, ord("s"), i] = IS
    table[ord("r"), ord(" "), c] = CELL  # <c r
    table[:, GT, v] = V
    table[:, GT, [ord("t"), ord("f")]] = PLAIN  # <t> <f>, text follows
    table[ord("w"), ord("o"), ord("r")] = ROW  # <row (the fourth byte: a space)
    table[GT, c, slash] = END_C  # </c>
    table[ord("o"), ord("r"), slash] = END_ROW  # </ro…: </row> (or a tag the order refuses)
    return table.reshape(-1)


Array = np.ndarray
# Where each "<" of a piece is, the four bytes after it, and its class.
Tags = tuple[Array, Array, Array]


def tag_marks(piece: bytes, begin: int = 0) -> Tags | None:
    """Where the tags of a piece are, the four bytes after each "<" and their class (found ahead
    by the thread that unpacks, for all but the last bytes; kept to that: the thread is the
    slower of the two); None when tags are so dense that only the scan itself may look (it
    refuses such a piece, within its memory)."""
    marks = np.frombuffer(piece, np.uint8)[begin:] == LT
    if np.count_nonzero(marks) * 3 > len(marks) + 24:
        return None
    lt = np.flatnonzero(marks) + begin
    lt = lt[: np.searchsorted(lt, len(piece) - 8)]  # the four bytes after it are inside
    if not lt.size:  # also a piece of a few bytes, too short for a view of its words
        return lt, np.zeros(0, np.uint32), np.zeros(0, np.uint8)
    code = words(piece, U32)[lt + 1]
    return lt, code, _classes()[code & 0xFFFFFF]


def words(data: bytes, dtype: np.dtype) -> np.ndarray:
    """Overlapping little-endian words: item i is read from byte offset i."""
    return np.ndarray((len(data) - dtype.itemsize + 1,), dtype, data, 0, (1,))


class Checked:
    """The attribute lists and other tags of a body checked so far, for comparing in bulk."""

    def __init__(self) -> None:
        self.shapes: set[bytes] = set()  # attribute lists checked
        self.tags: set[bytes] = set()  # other tags checked
        # The checked lists by their key (sorted), with their length and words, for bulk checks.
        self.known = np.array([np.uint64(0xFFFFFFFFFFFFFFFF)], np.uint64)  # a key none takes
        self.known_lengths = np.array([-1], np.int64)
        self.known_parts = np.zeros((_WORDS, 1), np.uint64)
        # One checked list for each length up to 16 bytes: its first eight bytes (and mask) and
        # its last eight (and mask: none below eight bytes). Until one is kept, the first eight
        # bytes expected are 1, which no bytes masked by the zero mask can be.
        self.by_length = np.zeros((4, 17), np.uint64)
        self.by_length[0] = 1

    def lists(self, data: bytes, begin: np.ndarray, stop: np.ndarray) -> None:
        """Every attribute list after a reference is one already checked, byte for byte."""
        if not begin.size:
            return
        length = stop - begin
        if int(length.max()) <= 16 and int(length.min()) >= 1:  # the common case, in bulk
            view = words(data, U64)
            known = self.by_length
            head = view[begin] & known[1][length]
            tail = view[stop - 8] & known[3][length]
            if ((head == known[0][length]) & (tail == known[2][length])).all():
                return
        count = -(-int(length.max()) // 8)
        if count > _WORDS:
            raise NotCanonical("a long attribute list")
        view = words(data, U64)
        parts = []
        key = length.astype(np.uint64)
        for w in range(count):
            part = view[begin + 8 * w] & MASKS[np.clip(length - 8 * w, 0, 8)]
            parts.append(part)
            key ^= part * _PRIMES[w]
        same = self._known(key, length, parts)
        if same.all():
            return
        unknown = np.flatnonzero(~same)
        _, first = np.unique(key[unknown], return_index=True)
        for index in unknown[first].tolist():  # each new list once
            text = data[begin[index] : stop[index]]
            if text not in self.shapes:
                check_shape(text)
                self.shapes.add(text)
                self._learn(text, int(key[index]))
        same = self._known(key[unknown], length[unknown], [part[unknown] for part in parts])
        for index in unknown[~same].tolist():  # a key shared by two lists: each alone
            text = data[begin[index] : stop[index]]
            if text not in self.shapes:
                check_shape(text)
                self.shapes.add(text)

    def _known(self, key: np.ndarray, length: np.ndarray, parts: list[np.ndarray]) -> np.ndarray:
        """Which lists are, byte for byte, one already checked."""
        known = self.known
        at = np.minimum(np.searchsorted(known, key), known.size - 1)
        same = (known[at] == key) & (self.known_lengths[at] == length)
        for w, part in enumerate(parts):
            same &= self.known_parts[w][at] == part
        return same

    def _learn(self, text: bytes, key: int) -> None:
        """Keep a checked attribute list for comparing later ones in bulk."""
        size = len(text)
        if size <= 16 and self.by_length[0][size] == 1:  # the first list of its length
            padded = np.frombuffer(text + bytes(8), U64, 1)[0]
            self.by_length[0][size], self.by_length[1][size] = padded, MASKS[min(size, 8)]
            if size >= 8:
                self.by_length[2][size] = np.frombuffer(text[-8:], U64)[0]
                self.by_length[3][size] = np.uint64(0xFFFFFFFFFFFFFFFF)
        if key in self.known.tolist() or self.known.size >= 4096:
            return  # a key shared by two lists: the second is checked each time it is met
        padded = np.frombuffer(text + bytes(8 * _WORDS - len(text)), U64)
        at = int(np.searchsorted(self.known, key))
        self.known = np.insert(self.known, at, np.uint64(key))
        self.known_lengths = np.insert(self.known_lengths, at, len(text))
        self.known_parts = np.insert(self.known_parts, at, padded, axis=1)

    def others(self, data: bytes, seg: np.ndarray, nxt: np.ndarray, other: np.ndarray) -> None:
        """Tags of no literal form: each must be a plain tag that counts for nothing."""
        found = np.flatnonzero(other)
        if found.size * 4 > seg.size + 64:
            raise NotCanonical("many tags of other kinds")
        for begin, stop in zip(seg[found].tolist(), nxt[found].tolist(), strict=True):
            close = data.find(b">", begin, stop)
            if close > 0 and data[begin : close + 1] in self.tags:
                continue  # checked before: a strict tag has no > inside, so it ends there
            match = _TAG.match(data, begin, stop)
            if match is None:
                raise NotCanonical("a tag the strict form does not take")
            if match.group(2).rpartition(b":")[2] in _MEANINGFUL:
                raise NotCanonical("a cell, row or value in another spelling")
            if match.group(3):
                check_shape(match.group(3) + b">")
            self.tags.add(match.group(0))


def long_ends(data: bytes, at: np.ndarray) -> None:
    """End tags of three letters or more (``</is>``, ``</rPr>``): letters, then ``>``."""
    name = np.ndarray((len(data) - 11, 12), np.uint8, data, 0, (1, 1))[at + 2]
    folded = name | 0x20
    letter = ((folded >= 97) & (folded <= 122)) | (name == 95)
    first_other = letter.argmin(axis=1)
    if not (name[np.arange(at.size), first_other] == GT).all():
        raise NotCanonical("an end tag of another form")


def number(data: bytes, begin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The number of 1 to 7 digits at each ``begin``, closed by a quote; and its width."""
    word = words(data, U64)[begin]
    digits = word ^ _ZEROS  # a digit becomes 0..9
    other = (digits | (digits + _NINES)) & _HIGH  # bit 7 of each byte that is no digit
    lowest = other & (~other + np.uint64(1))
    if not lowest.all():
        raise NotCanonical("a reference of eight digits or more")
    width = (np.frexp(lowest.astype(np.float64))[1] - 8) // 8  # lowest is 2 ** (8 * width + 7)
    closing = (word >> (width * 8).astype(np.uint64)) & np.uint64(0xFF)
    if not ((width >= 1) & (closing == QUOTE)).all():
        raise NotCanonical("a reference without digits or its closing quote")
    value = (digits & MASKS[width]) << ((8 - width) * 8).astype(np.uint64)
    value = (value * np.uint64(10) + (value >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    value = (value * np.uint64(100) + (value >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    value = (value * np.uint64(10000) + (value >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    if not value.all():
        raise NotCanonical("row 0")
    return value.astype(np.int64), width


def check_shape(text: bytes) -> None:
    """An attribute list (up to the tag's ``>``) in strict form, naming no ``r`` and none twice."""
    if _SHAPE.fullmatch(text) is None:
        raise NotCanonical("an attribute list the strict form does not take")
    names = [name.rpartition(b":")[2] for name in _ATTR_NAME.findall(text)]
    if b"r" in names or len(set(names)) != len(names):
        raise NotCanonical("a second r, or an attribute named twice")
