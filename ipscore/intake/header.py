"""ipscore.intake.header."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ipscore.base.numbers import NumberError, normalise_text, parse_number
from ipscore.base.period import TITLE_YEAR
from ipscore.intake.grids import Grid, cell_name
from ipscore.intake.model import Column
from ipscore.rules.scheme import FieldSpec, Scheme

HEADER_SEARCH_ROWS = 30
_YEAR = re.compile(r"(?<!\d)\d{4}年度?")
_MONTH_SPAN = re.compile(r"(?<!\d)\d{1,2}(?:[-~～至到—–－]\d{1,2})?月份?")
_BRACKET_UNIT = re.compile(r"\((?:件|%|个|项|次|家|条|万元|元|万人|人|户)\)")


# --------------------------------------------------------------------------------------------
# Headers


def header_key(text: str, last_year: int | None = None) -> str:
    """A header with spaces, full-width forms, a year, a month span and a unit bracket removed.

    ``last_year`` written in a header (``2018年1-5月累计`` in a 2019 sheet) becomes 上年, so the
    column still reads as last year's once the year itself is gone.
    """
    key = normalise_text(text)
    if last_year:
        key = key.replace(f"{last_year}年", "上年")
    key = _YEAR.sub("", key)
    key = _MONTH_SPAN.sub("", key)
    key = _BRACKET_UNIT.sub("", key)
    return key.replace("%", "").replace("()", "")


class _HeaderIndex:
    """Matches header texts to field ids: exact aliases first, then the longest contained alias.

    ``unit_word`` (the units file's word for a unit: 区县, 市) is one more alias of the unit
    column, so the tables ipscore writes under that header (a province's 市) read back."""

    def __init__(
        self, fields: dict[str, FieldSpec], last_year: int | None = None, unit_word: str = ""
    ) -> None:
        self.last_year = last_year
        self.aliases: list[tuple[str, str]] = []
        self.excludes = {
            spec.id: tuple(normalise_text(word) for word in spec.excludes)
            for spec in fields.values()
        }
        for spec in fields.values():
            for alias in (*spec.aliases, spec.label):
                key = header_key(alias)
                if key:
                    self.aliases.append((key, spec.id))
            if spec.type == "unit" and header_key(unit_word):
                self.aliases.append((header_key(unit_word), spec.id))

    def match(self, text: str) -> tuple[int, str | None]:
        """(score, field id); field None when nothing matches or two fields match equally."""
        key = header_key(text, self.last_year)
        if not key:
            return 0, None
        best: dict[str, int] = {}
        for alias, fid in self.aliases:
            if any(word in key for word in self.excludes[fid]):
                continue
            if key == alias:
                score = 1000 + len(alias)
            elif len(alias) >= 2 and alias in key:
                score = len(alias)
            else:
                continue
            best[fid] = max(best.get(fid, 0), score)
        if not best:
            return 0, None
        ranked = sorted(best.items(), key=lambda item: -item[1])
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return ranked[0][1], None
        return ranked[0][1], ranked[0][0]


@dataclass
class HeaderLayout:
    row: int  # first header row (0-based)
    depth: int  # 1 or 2 rows
    columns: dict[str, Column]
    texts: dict[int, str]  # col → header text as shown
    required_found: int
    found: int
    # field id → the other columns whose header matches it exactly as well as the chosen one
    duplicates: dict[str, list[Column]] = field(default_factory=dict)


def cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _is_numeric(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _layout(grid: Grid, row: int, depth: int, index: _HeaderIndex, scheme: Scheme) -> HeaderLayout:
    width = grid.width
    best_for_field: dict[str, tuple[int, int]] = {}
    tied: dict[str, list[int]] = {}
    texts: dict[int, str] = {}
    for col in range(width):
        top = cell_text(grid.value(row, col))
        if not top:
            origin = grid.merged_origin(row, col)
            if origin is not None and origin[0] == row:
                top = cell_text(grid.value(*origin))
        candidates = [top]
        shown_text = top
        if depth == 2:
            bottom = cell_text(grid.value(row + 1, col))
            if bottom:
                if not top:
                    # No merge information (CSV): the group header is the nearest one to the left.
                    for left in range(col - 1, -1, -1):
                        top = cell_text(grid.value(row, left))
                        if top:
                            break
                candidates = [bottom, top + bottom] + ([top] if not bottom else [])
                shown_text = f"{top} {bottom}".strip()
        score, fid = 0, None
        for candidate in candidates:
            s, f = index.match(candidate)
            if f is not None and s > score:
                score, fid = s, f
        if shown_text:
            texts[col] = shown_text
        if fid is not None and score > best_for_field.get(fid, (0, -1))[0]:
            best_for_field[fid] = (score, col)
            tied[fid] = []
        elif fid is not None and score == best_for_field[fid][0]:
            tied[fid].append(col)
    columns = {
        fid: Column(fid, col, cell_name(row, col), texts.get(col, ""))
        for fid, (_, col) in best_for_field.items()
    }
    duplicates = {
        fid: [Column(fid, col, cell_name(row, col), texts.get(col, "")) for col in cols]
        for fid, cols in tied.items()
        if cols and scheme.fields[fid].type != "reported"
    }
    required = [f.id for f in scheme.fields.values() if f.required]
    return HeaderLayout(
        row,
        depth,
        columns,
        texts,
        sum(1 for f in required if f in columns),
        len(columns),
        duplicates,
    )


def _second_row_is_header(grid: Grid, row: int, scheme: Scheme) -> bool:
    cells = [grid.value(row + 1, c) for c in range(grid.width)]
    if not any(cell_text(v) for v in cells):
        return False
    for value in cells:
        if _is_numeric(value):
            return False
        text = cell_text(value)
        if text and (scheme.units.resolve(text) or scheme.units.is_total(text)):
            return False
        if text:
            try:
                parse_number(text)
                return False
            except NumberError:
                pass
    return True


def find_header(grid: Grid, scheme: Scheme) -> HeaderLayout | None:
    """The best header layout in the first rows of a sheet, or None when no row looks like one."""
    years = [
        int(year)
        for row in grid.rows[:HEADER_SEARCH_ROWS]
        for value in row
        if isinstance(value, str)
        for year in TITLE_YEAR.findall(normalise_text(value))
    ]
    index = _HeaderIndex(
        dict(scheme.fields), max(years) - 1 if years else None, scheme.units.words.unit
    )
    unit_field = next(f.id for f in scheme.fields.values() if f.type == "unit")
    best: HeaderLayout | None = None
    for row in range(min(HEADER_SEARCH_ROWS, len(grid.rows))):
        if not any(cell_text(v) for v in grid.rows[row]):
            continue
        depths = [1, 2] if _second_row_is_header(grid, row, scheme) else [1]
        for depth in depths:
            layout = _layout(grid, row, depth, index, scheme)
            if unit_field not in layout.columns or layout.found < 2:
                continue
            key = (layout.required_found, layout.found, -depth)
            if best is None or key > (best.required_found, best.found, -best.depth):
                best = layout
    return best
