"""The cells of a large worksheet part, measured with NumPy instead of one callback per element.

A million-row list has some 50 million tags; expat calls back into Python for each of them and
takes half a minute. Here the body of ``sheetData`` is tokenised with array operations: every
``<`` is found, every tag is classified by its first bytes and checked to be exactly what expat
and the readers take it for, and the figures of :func:`ooxml.scan_sheet` are computed from the
same elements by the same rule (:mod:`places`):

- a literal tag: ``<v>``, ``<is>``, ``<t>``, ``<f>`` (text may follow) or an end tag ``</name>``;
- a cell ``<c r="B7" …>`` or a row ``<row r="7" …>``, either self-closing (``/>``) or not: the
  reference is parsed here, and the rest of the tag must be an attribute list already checked,
  by a strict expression, to name no other ``r`` (prefixed or not) and nothing twice (a real
  sheet has a handful of distinct lists, each checked once; every tag is compared with its
  list byte for byte);
- any other tag (rich text, a formula with attributes) is checked by a strict expression, and
  may not be a cell, row, value, dimension or ``sheetData`` under another spelling.

And the tags must come in the plain order: rows one after another, never nested, each either
self-closing or holding cells and then ``</row>``; cells only inside a row, each either
self-closing or followed by ``</c>`` before the next cell or row; every other tag (a value,
rich text, a formula) inside a cell. In that form every reading of :mod:`places` gives each
value its cell's own reference, so the figures are those of the full parse, rule for rule,
and the counters it hands on (the row counter, the column counter) are computed here too.

So no quoting, spacing, prefix, character reference, ``<`` inside a value or nesting can make
a reader see another tag or place than the one counted here. Anything else (a comment, CDATA,
a processing instruction, a cell or row without ``r``, a cell inside a cell or outside a row,
a value outside a cell, a row beyond the row limit, a cell beyond the limits …) raises
:class:`NotCanonical`, and the part is measured again by the full expat parse, which gives the
same figures or the exact refusal, only slower. The head and the tail of the part around the
body are always parsed by expat (see :func:`ooxml.scan_sheet_fast`).
"""

from __future__ import annotations

import numpy as np

from ipscore.base.bounds.places import SheetState
from ipscore.base.bounds.sheettags import (
    BAD,
    CELL,
    END2,
    END_C,
    END_ROW,
    GT,
    IS,
    MASKS,
    OTHER,
    QUOTE,
    ROW,
    U32,
    U64,
    Array,
    Checked,
    NotCanonical,
    Tags,
    V,
    long_ends,
    number,
    tag_marks,
    words,
)

_WINDOW = 1 << 17  # tags scanned at a time
_STITCH = 8192  # bytes of a piece scanned with the end of the one before
_SPARE = 160  # bytes kept after the last tag scanned, so every look-ahead stays inside
_MAX_CARRY = 8 * 1024 * 1024  # text without a tag in it
_SLASH = ord("/")
# The tag just before a cell, a row or the end of either, as the order check sees it: its class
# (the ends, a row, a value; a cell: one that closes itself, where that matters, checked apart),
# one of these codes, or 0 for any other tag.
_SC_CELL, _SC_ROW, _OUT, _OPEN_CELL = 16, 17, 18, 19  # self-closing; the body's start; open


def _before() -> np.ndarray:
    """The plain order as a table: which tag may come just before a cell, a row, or the end of
    either, [class][code of the tag before] flattened (20 codes). A value or any other tag may
    follow anything: whatever comes after it must then be ``</c>`` (a tag outside a cell is
    caught by the cell or row tag after it, or by the end of the body)."""
    table = np.zeros((10, 20), bool)
    in_row = [ROW, CELL, _SC_CELL, END_C]  # after a row's start, a closed cell, or </c>
    table[CELL, in_row] = table[END_ROW, in_row] = True
    table[ROW, [END_ROW, _SC_ROW, _OUT]] = True  # rows one after another
    table[END_C, [CELL, _OPEN_CELL, 0, V, IS]] = True  # after a cell's start, or what it holds
    table[[V, IS], :] = True
    return table.reshape(-1)


_BEFORE = _before()
_R_IS = int.from_bytes(b'r="', "little")
_END_SH = int.from_bytes(b"/sh", "little")


class BodyScan:
    """Measures the body of ``sheetData`` piece by piece, continuing from ``state``."""

    def __init__(self, state: SheetState, row_limit: int, col_limit: int, value_limit: int):
        if state.nested:
            raise NotCanonical("sheetData inside a row or a cell")
        self.state = state
        self.limits = (row_limit, col_limit, value_limit)
        self.row = 0  # the number of the row open at the end of the last piece
        self.last = _OUT  # the code of the last tag scanned (see _before)
        self.counter = state.row  # the row counter of the full parse (see places)
        self.cells = False  # any cell in the body: the column counter ends at 0
        self.carry = b""
        self.checked = Checked()
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
                self._close()
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

    def _close(self) -> None:
        """The body has ended: every row closed; the counters the full parse goes on with."""
        if self.last not in (_OUT, _SC_ROW, END_ROW):
            raise NotCanonical("a row or a cell open, or a tag outside a row, at </sheetData>")
        self.state.row = self.counter
        if self.cells:
            self.state.col = 0

    # ----------------------------------------------------------------------------------------

    def _body_end(self, data: bytes, seg: np.ndarray, code: np.ndarray) -> int | None:
        """The index of the segment ``</sheetData>``, the end of the body, if among ``seg``."""
        maybe = np.flatnonzero((code & 0xFFFFFF) == _END_SH)
        for index in maybe.tolist():
            if data.startswith(b"</sheetData", seg[index]):
                if data[seg[index] + 11] != GT:
                    raise NotCanonical("</sheetData> spelt otherwise")
                return int(index)
        return None

    def _piece(self, data: bytes, seg: Array, nxt: Array, code: Array, cls: Array) -> None:
        """Scan the tags at ``seg`` (each up to ``nxt``), their first bytes and classes."""
        if (cls == BAD).any():
            raise NotCanonical("a comment, CDATA, declaration, stray < or a bare cell or row")
        longer = (cls == END2) & ((code >> 24) != GT)  # </is> closes on its fourth byte
        if longer.any():
            long_ends(data, seg[longer])
        other = cls == OTHER
        if other.any():
            self.checked.others(data, seg, nxt, other)
        marked = np.flatnonzero(cls >= END_C)  # cells, rows, the ends of both, values
        kinds = cls[marked]
        if not marked.size:  # other tags only: the tag after them says whether they may be here
            self.last = 0
            return
        row = np.flatnonzero(kinds == ROW)
        at = marked[row]
        numbers, keys, widths, closed_rows = self._rows(data, seg[at], code[at], nxt[at])
        cell = np.flatnonzero(kinds == CELL)
        first = np.searchsorted(cell, row)  # each row's first cell
        row_of = np.repeat(  # 0: the row carried in
            np.arange(row.size + 1, dtype=np.int32), np.diff(first, prepend=0, append=cell.size)
        )
        at = marked[cell]
        cols = self._cells(data, seg[at], code[at], nxt[at], keys[row_of], widths[row_of])
        follow = kinds[np.minimum(cell + 1, kinds.size - 1)]  # what comes after each cell
        if cell.size and cell[-1] == kinds.size - 1:
            follow[-1] = 0  # in the next piece
        # A cell followed by a cell or </row> must close itself (if anything came between, the
        # order check refuses it); a cell that ends the piece hands on whether it did.
        shut = at[(follow == CELL) | (follow == END_ROW)]
        a = np.frombuffer(data, np.uint8)
        if not (a[nxt[shut] - 2] == _SLASH).all():
            raise NotCanonical("a cell or a row end inside a cell")
        self._order(a, nxt, cls, marked, kinds, row[closed_rows])
        # The full parse's rule: a cell holds a value when a v or is opens next (the plain
        # order puts nothing else before it).
        held = follow >= V
        self._count(bool(kinds[0] >= V), held, numbers[row_of[held]], cols[held])
        last = kinds.size - 1
        while last >= 0 and kinds[last] < CELL:  # </c> or </row>: the last cell, row or value
            last -= 1
        if last >= 0:
            state = self.state
            if kinds[last] == CELL:
                state.pending = (int(numbers[row_of[-1]]), int(cols[-1]), 0)
            else:
                state.pending = None
        if numbers.size > 1:  # rows in this piece: the full parse's row counter after them
            self.row = int(numbers[-1])
            self.row_digits = (keys[-1], int(widths[-1]))
            count = numbers.size - 1  # each row raises it to its number, its end adds one
            far = numbers[1:] + np.arange(count, 0, -1)
            self.counter = max(self.counter + count, int(far.max()))
        self.cells = self.cells or bool(cell.size)

    def _order(
        self, a: Array, nxt: Array, cls: Array, marked: Array, kinds: Array, closed_rows: Array
    ) -> None:
        """The plain order (see the module and :func:`_before`), by the tag just before each
        cell, row and end of either: rows one after another, cells inside them, every other
        tag inside a cell. (So each row's end, and its +1 to the row counter, is its own.)"""
        step = kinds.copy()
        step[closed_rows] = _SC_ROW
        before = np.empty_like(step)
        before[1:] = step[:-1] * ((marked[1:] - marked[:-1]) == 1)  # 0: another tag between
        before[0] = self.last if marked[0] == 0 else 0
        if not _BEFORE.take(kinds * np.uint8(20) + before).all():
            raise NotCanonical("rows and cells not in the plain order")
        # An end tag </ro…> other than </row> needs no check: in a well-formed body it closes
        # a tag of another name, which may not come where a row's end may; in a broken one a
        # reader sees fewer tags (one swallowed by it), never a cell counted nearer here.
        self.last = int(step[-1]) if marked[-1] == cls.size - 1 else 0
        if self.last == CELL:  # the last tag: whether it closed itself, for the next piece
            self.last = _SC_CELL if a[nxt[-1] - 2] == _SLASH else _OPEN_CELL

    def _rows(self, data: bytes, at: Array, code: Array, stop: Array) -> tuple[Array, ...]:
        """Numbers, digits (with the closing quote) and widths of the rows, after the one before."""
        first = (words(data, U32)[at + 5] & 0xFFFFFF) == _R_IS
        if not (((code >> 24) == ord(" ")) & first).all():
            raise NotCanonical('a row whose first attribute is not r="…"')
        numbers, widths = number(data, at + 8)
        if numbers.size and int(numbers.max()) > self.limits[0]:
            raise NotCanonical("a row beyond the row limit: the full parse names it")
        keys = words(data, U64)[at + 8] & MASKS[widths + 1]
        self.checked.lists(data, at + 9 + widths, stop)
        if numbers.size:
            self.state.far_row = max(self.state.far_row, int(numbers.max()))
        key, width = self.row_digits
        closed = np.frombuffer(data, np.uint8)[stop - 2] == _SLASH  # "/>" (the list was checked)
        return (np.append(np.int64(self.row), numbers), np.append(key, keys),
                np.append(np.int32(width), widths), closed)  # fmt: skip

    def _cells(
        self, data: bytes, at: Array, code: Array, stop: Array, keys: Array, widths: Array
    ) -> Array:
        """The columns of the cells; each must repeat its row's number, then ``"``."""
        a = np.frombuffer(data, np.uint8)
        first = a[at + 6] - np.uint8(65)  # a capital becomes 0..25, anything else wraps above
        if not (((code >> 24) == ord("=")) & (a[at + 5] == QUOTE) & (first <= 25)).all():
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
        if not ((words(data, U64)[begin] & MASKS[widths + 1]) == keys).all():
            raise NotCanonical("a cell whose row is not its row's")
        self.checked.lists(data, begin + widths + 1, stop)
        return cols

    def _count(self, first_value: bool, held: Array, rows: Array, cols: Array) -> None:
        """Count the values: ``held`` by the cells at ``rows``, ``cols``, and the cell pending
        from the last piece when ``first_value``."""
        state = self.state
        row_limit, col_limit, value_limit = self.limits
        count = int(np.count_nonzero(held))
        top_row = int(rows.max()) if count else 0
        top_col = int(cols.max()) if count else 0
        if state.pending is not None and first_value:
            count += 1
            top_row, top_col = max(top_row, state.pending[0]), max(top_col, state.pending[1])
        if top_row > row_limit or top_col > col_limit:
            raise NotCanonical("beyond the limits: the full parse names the cell")
        state.max_row = max(state.max_row, top_row)
        state.max_col = max(state.max_col, top_col)
        state.values += count
        if state.values > value_limit:
            raise NotCanonical("too many values: the full parse says so")
