"""The cells of a large worksheet part, measured with NumPy instead of one callback per element.

A million-row list has some 50 million tags; expat calls back into Python for each of them and
takes half a minute. Here the body of ``sheetData`` is tokenised with array operations: every
``<`` is found, every tag is classified by its first bytes and checked to be exactly what expat
and the readers take it for, and the figures of :func:`ooxml.scan_sheet` are computed from the
same elements by the same rule (see :class:`SheetState`):

- a literal tag: ``<v>``, ``<is>``, ``<t>``, ``<f>`` (text may follow) or an end tag ``</name>``;
- a cell ``<c r="B7" …>`` or a row ``<row r="7" …>``: the reference is parsed here, and the rest
  of the tag must be an attribute list already checked, by a strict expression, to name no
  other ``r`` and nothing twice (a real sheet has a handful of distinct lists, each checked
  once; every tag is compared with its list byte for byte);
- any other tag (rich text, a formula with attributes) is checked by a strict expression, and
  may not be a cell, row, value, dimension or ``sheetData`` under another spelling.

So no quoting, spacing, prefix, character reference or ``<`` inside a value can make a reader
see another tag than the one counted here. Anything else (a comment, CDATA, a processing
instruction, a cell or row without ``r``, whitespace between tags, a cell beyond the limits …)
raises :class:`NotCanonical`, and the part is measured again by the full expat parse, which
gives the same figures or the exact refusal, only slower. The head and the tail of the part
around the body are always parsed by expat (see :func:`ooxml.scan_sheet_fast`).
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from ipscore.base.bounds.ooxml import SheetState

_WINDOW = 1 << 17  # tags scanned at a time
_STITCH = 8192  # bytes of a piece scanned with the end of the one before
_SPARE = 160  # bytes kept after the last tag scanned, so every look-ahead stays inside
_MAX_CARRY = 8 * 1024 * 1024  # text without a tag in it
_LT, _GT, _QUOTE = 60, 62, 34
# Tag classes by their first three bytes after "<" (see _classes).
# The last four are what the full parse sees: a cell, a row, a value (v or is).
_BAD, _PLAIN, _END2, _OTHER, _CELL, _ROW, _V, _IS = range(8)
_U64 = np.dtype("<u8")
_U32 = np.dtype("<u4")
_R_IS = int.from_bytes(b'r="', "little")
_END_SH = int.from_bytes(b"/sh", "little")
_END_ROW = np.uint64(int.from_bytes(b"/row>", "little"))
_ZEROS = np.uint64(0x3030303030303030)
_HIGH = np.uint64(0x8080808080808080)
_NINES = np.uint64(0x7676767676767676)
_MASKS = np.frombuffer(b"".join(b"\xff" * k + bytes(8 - k) for k in range(9)), _U64)
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
    table = np.zeros((256, 256, 256), np.uint8)  # [third][second][first]; _BAD by default
    letters = [*range(65, 91), *range(97, 123), 95]
    name_chars = [*letters, *range(48, 58), 45, 46, 58]
    slash, c, v, i = ord("/"), ord("c"), ord("v"), ord("i")
    table[:, :, letters] = _OTHER  # a start tag of some other name, checked one by one
    table[:, :, slash] = _BAD
    table[np.ix_(letters, letters, [slash])] = _END2  # </ab…: letters, then > (checked after)
    table[np.ix_([_GT], letters, [slash])] = _PLAIN  # </c> </v> </t> </f>
    for delimiter in b" \t\r\n/>":  # <c and <v in a form not taken here
        table[:, delimiter, [c, v]] = _BAD
    table[:, ord("s"), i] = _BAD  # <is … in a form not taken here
    table[name_chars, ord("s"), i] = _OTHER  # <isX…
    table[_GT, ord("s"), i] = _IS
    table[ord("r"), ord(" "), c] = _CELL  # <c r
    table[:, _GT, v] = _V
    table[:, _GT, [ord("t"), ord("f")]] = _PLAIN  # <t> <f>, text follows
    table[ord("w"), ord("o"), ord("r")] = _ROW  # <row (the fourth byte: a space)
    return table.reshape(-1)


Array = np.ndarray
# Where each "<" of a piece is, the four bytes after it, and its class.
Tags = tuple[Array, Array, Array]


def tag_marks(piece: bytes, begin: int = 0) -> Tags | None:
    """Where the tags of a piece are, the four bytes after each "<" and their class (found ahead
    by the thread that unpacks, for all but the last bytes); None when tags are so dense that
    only the scan itself may look (it refuses such a piece, within its memory)."""
    marks = np.frombuffer(piece, np.uint8)[begin:] == _LT
    if np.count_nonzero(marks) * 3 > len(marks) + 24:
        return None
    lt = np.flatnonzero(marks) + begin
    lt = lt[: np.searchsorted(lt, len(piece) - 8)]  # the four bytes after it are inside
    code = _words(piece, _U32)[lt + 1]
    return lt, code, _classes()[code & 0xFFFFFF]


def _words(data: bytes, dtype: np.dtype) -> np.ndarray:
    """Overlapping little-endian words: item i is read from byte offset i."""
    return np.ndarray((len(data) - dtype.itemsize + 1,), dtype, data, 0, (1,))


class BodyScan:
    """Measures the body of ``sheetData`` piece by piece, continuing from ``state``."""

    def __init__(self, state: SheetState, row_limit: int, col_limit: int, value_limit: int):
        self.state = state
        self.limits = (row_limit, col_limit, value_limit)
        self.carry = b""
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
        # The last row's reference as its cells repeat it: digits and closing quote, and width.
        self.row_digits = (np.uint64(0), 0)

    def feed(self, piece: bytes, tags: Tags | None = None) -> bytes | None:
        """Scan the next piece; return what follows the body (from ``</sheetData>``) once found.

        ``tags``: the piece's tags, when found ahead (see :func:`tag_marks`).
        """
        carry, self.carry = self.carry, b""
        if not carry:
            return self._scan(piece, 0, tags)
        # The tag cut at the end of the last piece: scanned with the start of this one, so that
        # the piece itself is never copied.
        joined = carry + piece[:_STITCH]
        tail = self._scan(joined, 0)
        if tail is not None:
            return tail + piece[_STITCH:]
        if len(piece) <= _STITCH:
            return None
        begin = len(joined) - len(self.carry) - len(carry)  # where the new carry is in piece
        if begin < 0:  # no tag far enough into the piece: take it whole
            joined, self.carry = self.carry + piece[_STITCH:], b""
            return self._scan(joined, 0)
        self.carry = b""
        return self._scan(piece, begin, tags)

    def _scan(self, data: bytes, begin: int, tags: Tags | None = None) -> bytes | None:
        """Scan ``data`` from ``begin`` (a "<"), keeping what is too near its end for later."""
        if tags is None:
            tags = tag_marks(data, begin)
            if tags is None:
                raise NotCanonical("tags too dense")
        else:
            skip = int(np.searchsorted(tags[0], begin))
            tags = (tags[0][skip:], tags[1][skip:], tags[2][skip:])
        lt, code, cls = tags
        # Tags that start and end (at the next "<") far enough from the end for every look-ahead.
        count = int(np.searchsorted(lt, len(data) - _SPARE)) - 1
        if count < 1:
            if len(data) - begin > _MAX_CARRY:
                raise NotCanonical("text without tags")
            self.carry = data[begin:]
            return None
        lt = lt[: count + 1].astype(np.int32)  # a piece is far below 2 GB
        for first in range(0, count, _WINDOW):  # a window's bytes stay in the cache
            window = lt[first : first + _WINDOW + 1]
            seg, nxt = window[:-1], window[1:]
            part = slice(first, first + seg.size)
            stop = self._body_end(data, seg, code[part])
            if stop is not None:
                if stop:
                    self._piece(data, seg[:stop], nxt[:stop], code[part][:stop], cls[part][:stop])
                return data[window[stop] :]
            self._piece(data, seg, nxt, code[part], cls[part])
        self.carry = data[lt[-1] :]
        return None

    def finish(self) -> bytes:
        """What follows the body, once the part has ended; refuse a part that ends inside it."""
        tail = self.feed(bytes(_SPARE)) if self.carry else None
        if tail is None:
            raise NotCanonical("no end of sheetData")
        return tail[:-_SPARE]

    # ----------------------------------------------------------------------------------------

    def _body_end(self, data: bytes, seg: np.ndarray, code: np.ndarray) -> int | None:
        """The index of the segment ``</sheetData>``, the end of the body, if among ``seg``."""
        maybe = np.flatnonzero((code & 0xFFFFFF) == _END_SH)
        for index in maybe.tolist():
            if data.startswith(b"</sheetData", seg[index]):
                if data[seg[index] + 11] != _GT:
                    raise NotCanonical("</sheetData> spelt otherwise")
                return int(index)
        return None

    def _piece(self, data: bytes, seg: Array, nxt: Array, code: Array, cls: Array) -> None:
        if (cls == _BAD).any():
            raise NotCanonical("a comment, CDATA, declaration, stray < or a bare cell or row")
        longer = (cls == _END2) & ((code >> 24) != _GT)  # </is> closes on its fourth byte
        if longer.any():
            _long_ends(data, seg[longer])
        other = cls == _OTHER
        if other.any():
            self._others(data, seg, nxt, other)
        relevant = np.flatnonzero(cls >= _CELL)
        if not relevant.size:
            return
        order = cls[relevant]
        is_row = order == _ROW
        at = relevant[is_row]
        numbers, keys, widths = self._rows(data, seg[at], code[at], nxt[at])
        cell = np.flatnonzero(order == _CELL)
        at = relevant[cell]
        row_of = np.cumsum(is_row, dtype=np.int32)[cell]  # 0: the row carried in
        cols = self._cells(data, seg[at], code[at], nxt[at], keys[row_of], widths[row_of])
        value_next = np.append(order >= _V, False)
        held = value_next[cell + 1]
        self._count(order, held, numbers[row_of[held]], cols[held])
        state = self.state
        if order[-1] == _CELL:
            state.pending = (int(numbers[row_of[-1]]), int(cols[-1]))
        else:
            state.pending = None
        if numbers.size > 1:  # rows in this piece
            state.row = int(numbers[-1])
            self.row_digits = (keys[-1], int(widths[-1]))
        if cell.size and row_of[-1] == numbers.size - 1:  # the last cell is in the last row
            state.col = int(cols[-1])
        elif numbers.size > 1:
            state.col = 0

    def _rows(self, data: bytes, at: Array, code: Array, stop: Array) -> tuple[Array, ...]:
        """Numbers, digits (with the closing quote) and widths of the rows, after the one before."""
        if not (
            ((code >> 24) == ord(" ")) & ((_words(data, _U32)[at + 5] & 0xFFFFFF) == _R_IS)
        ).all():
            raise NotCanonical('a row whose first attribute is not r="…"')
        numbers, widths = _number(data, at + 8)
        keys = _words(data, _U64)[at + 8] & _MASKS[widths + 1]
        self._check_shapes(data, at + 9 + widths, stop)
        key, width = self.row_digits
        return (np.append(np.int64(self.state.row), numbers), np.append(key, keys),
                np.append(np.int32(width), widths))  # fmt: skip

    def _cells(
        self, data: bytes, at: Array, code: Array, stop: Array, keys: Array, widths: Array
    ) -> Array:
        """The columns of the cells; each must repeat its row's number, then ``"``."""
        a = np.frombuffer(data, np.uint8)
        first = a[at + 6] - np.uint8(65)  # a capital becomes 0..25, anything else wraps above
        if not (((code >> 24) == ord("=")) & (a[at + 5] == _QUOTE) & (first <= 25)).all():
            raise NotCanonical('a cell whose first attribute is not r="A…"')
        second = a[at + 7] - np.uint8(65)
        if (second <= 25).any():  # columns beyond Z
            third = a[at + 8] - np.uint8(65)
            up1, up2 = second <= 25, (second <= 25) & (third <= 25)
            if (up2 & (a[at + 9] - np.uint8(65) <= 25)).any():
                raise NotCanonical("a reference of four letters or more")
            one, two, three = (x.astype(np.int32) + 1 for x in (first, second, third))
            cols = np.where(up2, (one * 26 + two) * 26 + three, np.where(up1, one * 26 + two, one))
            begin = at + 7 + up1 + up2
        else:
            cols = first.astype(np.int32) + 1
            begin = at + 7
        if not ((_words(data, _U64)[begin] & _MASKS[widths + 1]) == keys).all():
            raise NotCanonical("a cell whose row is not its row's")
        self._check_shapes(data, begin + widths + 1, stop)
        return cols

    def _count(self, order: Array, held: Array, rows: Array, cols: Array) -> None:
        """The full parse's rule: a cell holds a value when a ``v`` or ``is`` opens next."""
        state = self.state
        row_limit, col_limit, value_limit = self.limits
        count = int(np.count_nonzero(held))
        top_row = int(rows.max()) if count else 0
        top_col = int(cols.max()) if count else 0
        if state.pending is not None and order[0] >= _V:
            count += 1
            top_row, top_col = max(top_row, state.pending[0]), max(top_col, state.pending[1])
        if top_row > row_limit or top_col > col_limit:
            raise NotCanonical("beyond the limits: the full parse names the cell")
        state.max_row = max(state.max_row, top_row)
        state.max_col = max(state.max_col, top_col)
        state.values += count
        if state.values > value_limit:
            raise NotCanonical("too many values: the full parse says so")

    def _check_shapes(self, data: bytes, begin: np.ndarray, stop: np.ndarray) -> None:
        """Every attribute list after a reference is one already checked, byte for byte."""
        if not begin.size:
            return
        length = stop - begin
        if int(length.max()) <= 16 and int(length.min()) >= 1:  # the common case, in bulk
            view = _words(data, _U64)
            known = self.by_length
            head = view[begin] & known[1][length]
            tail = view[stop - 8] & known[3][length]
            if ((head == known[0][length]) & (tail == known[2][length])).all():
                return
        words = -(-int(length.max()) // 8)
        if words > _WORDS:
            raise NotCanonical("a long attribute list")
        view = _words(data, _U64)
        parts = []
        key = length.astype(np.uint64)
        for w in range(words):
            part = view[begin + 8 * w] & _MASKS[np.clip(length - 8 * w, 0, 8)]
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
                _check_shape(text)
                self.shapes.add(text)
                self._learn(text, int(key[index]))
        same = self._known(key[unknown], length[unknown], [part[unknown] for part in parts])
        for index in unknown[~same].tolist():  # a key shared by two lists: each alone
            text = data[begin[index] : stop[index]]
            if text not in self.shapes:
                _check_shape(text)
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
            padded = np.frombuffer(text + bytes(8), _U64, 1)[0]
            self.by_length[0][size], self.by_length[1][size] = padded, _MASKS[min(size, 8)]
            if size >= 8:
                self.by_length[2][size] = np.frombuffer(text[-8:], _U64)[0]
                self.by_length[3][size] = np.uint64(0xFFFFFFFFFFFFFFFF)
        if key in self.known.tolist() or self.known.size >= 4096:
            return  # a key shared by two lists: the second is checked each time it is met
        padded = np.frombuffer(text + bytes(8 * _WORDS - len(text)), _U64)
        at = int(np.searchsorted(self.known, key))
        self.known = np.insert(self.known, at, np.uint64(key))
        self.known_lengths = np.insert(self.known_lengths, at, len(text))
        self.known_parts = np.insert(self.known_parts, at, padded, axis=1)

    def _others(self, data: bytes, seg: np.ndarray, nxt: np.ndarray, other: np.ndarray) -> None:
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
                _check_shape(match.group(3) + b">")
            self.tags.add(match.group(0))


def _long_ends(data: bytes, at: np.ndarray) -> None:
    """End tags of three letters or more (``</row>``): letters, then ``>``."""
    at = at[(_words(data, _U64)[at + 1] & np.uint64(0xFFFFFFFFFF)) != _END_ROW]
    if not at.size:
        return
    name = np.ndarray((len(data) - 11, 12), np.uint8, data, 0, (1, 1))[at + 2]
    folded = name | 0x20
    letter = ((folded >= 97) & (folded <= 122)) | (name == 95)
    first_other = letter.argmin(axis=1)
    if not (name[np.arange(at.size), first_other] == _GT).all():
        raise NotCanonical("an end tag of another form")


def _number(data: bytes, begin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The number of 1 to 7 digits at each ``begin``, closed by a quote; and its width."""
    word = _words(data, _U64)[begin]
    digits = word ^ _ZEROS  # a digit becomes 0..9
    other = (digits | (digits + _NINES)) & _HIGH  # bit 7 of each byte that is no digit
    lowest = other & (~other + np.uint64(1))
    if not lowest.all():
        raise NotCanonical("a reference of eight digits or more")
    width = (np.frexp(lowest.astype(np.float64))[1] - 8) // 8  # lowest is 2 ** (8 * width + 7)
    closing = (word >> (width * 8).astype(np.uint64)) & np.uint64(0xFF)
    if not ((width >= 1) & (closing == _QUOTE)).all():
        raise NotCanonical("a reference without digits or its closing quote")
    value = (digits & _MASKS[width]) << ((8 - width) * 8).astype(np.uint64)
    value = (value * np.uint64(10) + (value >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    value = (value * np.uint64(100) + (value >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    value = (value * np.uint64(10000) + (value >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    if not value.all():
        raise NotCanonical("row 0")
    return value.astype(np.int64), width


def _check_shape(text: bytes) -> None:
    """An attribute list (up to the tag's ``>``) in strict form, naming no ``r`` and none twice."""
    if _SHAPE.fullmatch(text) is None:
        raise NotCanonical("an attribute list the strict form does not take")
    names = [name.rpartition(b":")[2] for name in _ATTR_NAME.findall(text)]
    if b"r" in names or len(set(names)) != len(names):
        raise NotCanonical("a second r, or an attribute named twice")
