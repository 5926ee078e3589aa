"""Where a reader may place the cells of a worksheet part: the rule the bounds count by.

Readers differ on a sheet whose tags nest or close in unusual ways, and a reader may change its
mind in a later version, so each value is counted at the farthest row and the farthest column
that any of these readings gives it (its place for the limits; never nearer than a reader's):

- calamine (python-calamine, fastexcel; read from its source, 0.36, and tried on the installed
  one): a ``<c/>`` or ``<row/>`` is a start and an end, as if written ``<c></c>``. ``<row r>``
  sets the row; every ``</row>`` adds one to it and sets the column back, so a self-closing
  ``<row r="9"/>`` puts the next cell without ``r`` in row 10. A ``<c>`` without ``r`` follows
  the previous cell, wherever both are (outside a row too: the column is not set back by
  ``<row>``). The cell takes the value of a ``<v>`` or ``<is>`` opening inside it; whatever is
  inside its ``<f>`` is skipped, nested ``<c>`` and ``<row>`` included; any other tag opening in
  it is an error. Only the plain ``r`` is taken, a prefixed ``x:r`` is not. A formula without a
  value is no cell.
- The same reader without that expansion (quick-xml's default), which skips self-closing tags:
  a ``<c r="A1"/>`` nested in ``<c r="XFD1048576">`` leaves the value to the outer cell.
- openpyxl (formula cells, read-only): every element directly inside a ``row`` is a cell (a
  ``c`` or anything else, with its own plain ``r`` or following the previous one), and a row
  without ``r`` is numbered when it ends, one past the last row that ended before it.
- A reader that takes ``r`` by its local name, so ``x:r`` too.

The rule, with start and end tags (``<c/>`` counts as both, so the rule never needs to know
which form a tag had):

- A cell is every ``c`` element, at any depth, and every element directly inside a ``row``. Its
  places are every ``r`` attribute (any prefix) read as a cell reference (a ``c``'s that is
  none is refused as damaged; another element's is passed over, and a row in a row is placed
  by the counters: openpyxl has cleared it by then); and, when it has no plain ``r``, the row
  counter and one column past the column counter.
- A ``v`` or ``is`` opening is one value, of the last cell begun (unless a cell, row or value
  began since) and of every cell still open around it; it is counted once, at the farthest
  row and column of their places, and only if one of them had no value yet. (A formula alone
  is no value: calamine places no cell for it, and openpyxl reads formulas a row at a time.)
- The column counter is the farthest column of every cell since the end of the last row that
  held an element (when no other row or cell was open there: calamine skips a row inside a
  formula); it is 0 there.
- The row counter starts at 1. A row is at the farthest of its ``r`` attributes, and, when it
  has no plain ``r``, at least at the counter; the counter rises to it (never falls) and
  every row end adds 1. A value placed by the counters inside a row may be as far down as the
  counter stands when that row ends (openpyxl numbers the row then).
- Every row, empty or not, must be within the row limit (openpyxl walks every row up to it);
  only values make the extent.

For a sheet as writers write it (rows and cells in order, each with its ``r``, values inside
their cells, nothing nested) this is exactly the cell's own reference, as before. The places
only ever err far: a cell without ``r`` after rows out of order is counted after the farthest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ipscore.base.bounds.limits import Measure, column_letters, refuse
from ipscore.base.bounds.xmlscan import Handler, attribute, local

_DIGITS = "0123456789"
_COLUMNS: dict[str, int] = {}


def _column_numbers() -> dict[str, int]:
    """Column numbers of the references Excel writes (A … XFD, upper case): a lookup, not a
    loop. Built on first use, not at import: every command imports this module, few read xlsx."""
    if not _COLUMNS:
        for first in ["", *map(chr, range(65, 91))]:
            for second in ["", *map(chr, range(65, 91))]:
                for third in map(chr, range(65, 91)):
                    letters = first + second + third
                    if (first and not second) or letters in _COLUMNS:
                        continue
                    number = 0
                    for ch in letters:
                        number = number * 26 + ord(ch) - 64
                    _COLUMNS[letters] = number
    return _COLUMNS


def parse_reference(ref: str) -> tuple[int, int] | None:
    """``B7`` → (7, 2): 1-based row and column; None when it is no cell reference.

    Letters in either case, as readers accept them; nothing else (no ``$``, no spaces).
    """
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters) :]
    col = _column_numbers().get(letters)
    if col is None:
        if not letters or len(letters) > 7 or not (letters.isascii() and letters.isalpha()):
            return None
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
    if not digits or len(digits) > 12:
        return None
    row = int(digits)
    return (row, col) if row > 0 else None


_CELL, _ROW, _DIMENSION, _VALUE = 1, 2, 3, 4
_KINDS = {"c": _CELL, "row": _ROW, "dimension": _DIMENSION, "v": _VALUE, "is": _VALUE}
# An open or pending cell: its farthest row and column, whether a value was counted for it,
# whether it had no plain r (placed by the counters), and its depth.
_R, _C, _CREDITED, _IMPLICIT, _DEPTH = range(5)


@dataclass
class SheetState:
    """Where the reading of a sheet part stands: what the full parse and the fast one share."""

    row: int = 1  # the row counter (see the module's rule)
    col: int = 0  # the column counter
    pending: tuple[int, int, int] | None = None  # the last cell begun (row, col, implicit)
    max_row: int = 0  # of the cells holding a value
    max_col: int = 0
    values: int = 0
    far_row: int = 0  # of every row, empty or not
    nested: bool = False  # a row or a cell is open (read only; the fast scan takes none)


def sheet_handler(
    measure: Measure, sheet: str, part: str
) -> tuple[Handler, Callable[[str], None], Callable[..., SheetState]]:
    """The start- and end-element handlers of a worksheet part, and a function that reads its
    state (or, given a state, puts it in place: the fast scan continues from it and hands it
    back). They run once per element of what may be a million-row list: kept lean."""
    path = measure.path
    limits = measure.limits
    row_limit, col_limit = limits.max_rows, limits.max_cols
    value_limit = limits.max_cells - measure.values
    kinds = dict(_KINDS)
    columns = _column_numbers()
    counter, col, far_row = 1, 0, 0  # the row and column counters; the farthest row
    pending: list[int] | None = None  # the last cell begun, while no value is seen for it
    depth = 0  # of the element being read
    cells: list[list[int]] = []  # the cells open around it
    rows: list[list[int]] = []  # the rows open around it: depth, implicit col (see value)
    cell_depth = row_depth = -1  # the depths of the innermost open cell and row
    held = False  # the last row begun held an element (only ever wrong for nested rows, and
    # then true too seldom: the column counter is set back less often, which errs far)
    max_row = max_col = values = 0

    def damaged(what: str, text: str) -> Exception:
        return refuse(
            path, "file-damaged", f"文件已损坏：{part} 中的{what}“{text[:40]}”无效", sheet=sheet
        )

    def placed(r: int, c: int) -> None:
        nonlocal max_row, max_col
        max_row, max_col = max(max_row, r), max(max_col, c)
        if r > row_limit or c > col_limit:
            measure.sheet(sheet, max_row, max_col, cell=f"{column_letters(c)}{r}")

    def cell(attrs: list[str], strict: bool) -> None:
        """A cell begins: its places (refused as damaged when a ``c``'s ``r`` is no reference)."""
        nonlocal col, pending, cell_depth
        r = c = 0
        plain = False
        for index in range(0, len(attrs), 2):
            key = attrs[index]
            if key != "r" and not key.endswith(":r"):
                continue
            plain = plain or key == "r"
            ref = attrs[index + 1]
            letters = ref.rstrip(_DIGITS)
            number = columns.get(letters)
            digits = ref[len(letters) :]
            if number is None or not digits or len(digits) > 12 or digits[0] == "0":
                found = parse_reference(ref)
                if found is None:
                    if strict:
                        raise damaged("单元格引用", ref)
                    continue
                at, number = found
            else:
                at = int(digits)
            r, c = max(r, at), max(c, number)
        if not plain:
            r, c = max(r, counter), max(c, col + 1)
        if c > col:
            col = c
        pending = [r, c, 0, 0 if plain else 1, depth]
        cells.append(pending)
        cell_depth = depth

    def row(attrs: list[str]) -> None:
        nonlocal counter, far_row, pending, row_depth, held
        pending = None
        held = False
        number = 0
        plain = False
        for index in range(0, len(attrs), 2):
            key = attrs[index]
            if key == "r" or key.endswith(":r"):
                ref = attrs[index + 1]
                if not (ref.isascii() and ref.isdigit() and 0 < len(ref) <= 12):
                    raise damaged("行号", ref)
                number = max(number, int(ref))
                plain = plain or key == "r"
        if not plain:
            number = max(number, counter)
        counter = max(counter, number)
        far_row = max(far_row, number)
        rows.append([depth, 0])
        row_depth = depth

    def value() -> None:
        nonlocal pending, values
        r = c = implicit = 0
        fresh = False
        if pending is not None:
            r, c, implicit = pending[_R], pending[_C], pending[_IMPLICIT]
            fresh = not pending[_CREDITED]
            pending[_CREDITED] = 1
            pending = None
        for entry in cells:
            if not entry[_CREDITED]:
                fresh = True
                entry[_CREDITED] = 1
            r, c, implicit = max(r, entry[_R]), max(c, entry[_C]), implicit | entry[_IMPLICIT]
        if not fresh:
            return
        values += 1
        if r > max_row or c > max_col:
            placed(r, c)
        if implicit:
            for entry in rows:  # openpyxl numbers a row without r when it ends
                entry[1] = max(entry[1], c)
        if values > value_limit:
            measure.add_values(values, sheet)

    def dimension(attrs: list[str]) -> None:
        text = attribute(attrs, "ref")
        if text is not None:
            corners = [parse_reference(corner) for corner in text.split(":")]
            if not 1 <= len(corners) <= 2 or None in corners:
                raise damaged("数据范围", text)
            far = max(c[0] for c in corners if c)
            wide = max(c[1] for c in corners if c)
            measure.declared(sheet, far, wide, text[:40])

    def child(kind: int, attrs: list[str]) -> None:
        """An element directly inside a row that is no ``c``: a cell for openpyxl."""
        if kind == _VALUE:
            value()
        cell([] if kind == _ROW else attrs, False)  # a row is read with its r cleared
        if kind == _ROW:
            row(attrs)
        elif kind == _DIMENSION:
            dimension(attrs)

    def start(name: str, attrs: list[str]) -> None:
        nonlocal depth, col, pending, cell_depth, values, held
        depth += 1
        kind = kinds.get(name)
        if kind is None:
            kind = _KINDS.get(local(name), 0)
            if len(kinds) < 256:
                kinds[name] = kind
        if depth == row_depth + 1:  # directly inside a row: a cell for openpyxl, whatever it is
            held = True
            if kind != _CELL:
                child(kind, attrs)
                return
        elif not kind:
            return
        if kind == _CELL:
            size = len(attrs)  # the usual form first: r="B7" first, s and t (no other r) after
            if (
                size == 2
                or (size == 4 and attrs[2][-1] != "r")
                or (size == 6 and attrs[2][-1] != "r" and attrs[4][-1] != "r")
            ) and attrs[0] == "r":
                ref = attrs[1]
                letters = ref.rstrip(_DIGITS)
                number = columns.get(letters)
                digits = ref[len(letters) :]
                if number is not None and digits[:1] > "0" and len(digits) <= 12:
                    if number > col:
                        col = number
                    pending = [int(digits), number, 0, 0, depth]
                    cells.append(pending)
                    cell_depth = depth
                    return
            cell(attrs, True)
        elif kind == _VALUE:
            entry = pending  # the usual case first: the value of the one cell open, or just shut
            if (
                entry is not None
                and not entry[_CREDITED]
                and not entry[_IMPLICIT]
                and (cell_depth < 0 or (cells[0] is entry and len(cells) == 1))
            ):
                pending = None
                entry[_CREDITED] = 1
                values += 1
                if entry[_R] > max_row or entry[_C] > max_col:
                    placed(entry[_R], entry[_C])
                if values > value_limit:
                    measure.add_values(values, sheet)
                return
            value()
        elif kind == _ROW:
            row(attrs)
        elif kind == _DIMENSION:
            dimension(attrs)

    def end(name: str) -> None:
        nonlocal depth, counter, col, cell_depth, row_depth
        if depth == cell_depth:
            cells.pop()
            cell_depth = cells[-1][_DEPTH] if cells else -1
        if depth == row_depth:
            entry = rows.pop()
            row_depth = rows[-1][0] if rows else -1
            if entry[1]:
                placed(counter, entry[1])
            counter += 1
            if held and not rows and not cells:
                col = 0
        depth -= 1

    def state(new: SheetState | None = None) -> SheetState:
        nonlocal counter, col, pending, max_row, max_col, values, far_row
        if new is not None:
            counter, col, far_row = new.row, new.col, new.far_row
            max_row, max_col, values = new.max_row, new.max_col, new.values
            pending = None if new.pending is None else [*new.pending[:2], 0, new.pending[2], -1]
        last = None if pending is None else (pending[_R], pending[_C], pending[_IMPLICIT])
        nested = bool(cells or rows)
        return SheetState(counter, col, last, max_row, max_col, values, far_row, nested)

    return start, end, state


def finish(measure: Measure, sheet: str, final: SheetState) -> None:
    """Record a sheet's extent once its part is read: the values' rows and columns; a row
    beyond the limit, empty or not, is refused too (named by its first cell)."""
    if final.far_row > measure.limits.max_rows:
        rows, cols = final.far_row, max(final.max_col, 1)
        measure.sheet(sheet, rows, cols, cell=f"A{final.far_row}")
    measure.sheet(sheet, final.max_row, final.max_col, final.values)
