"""The one table model every output is written from, and the guards every writer applies.

A :class:`Table` is what a result looks like as a table: a title, a line under it, columns,
rows of :class:`Cell`, a total row and notes. It is built once per result (a monthly ranking,
an annual assessment, a what-if comparison, a validation report, the tally's review list, the
month's statistics table) and handed to the writers: CSV and Markdown (:mod:`.text`), the
terminal (:mod:`.terminal`) and xlsx (:mod:`.xlsx`). JSON, where a result has one, is the
machine contract and travels in :attr:`Table.data`.

A cell is text or a number. Text comes from input files and rule files (unit names, indicator
names, addresses) as often as from ipscore, so every writer treats every text cell as data:
never a formula (CSV, xlsx), never table structure or a heading (Markdown), never markup or a
control sequence (terminal). A number stays a number, already rounded as the scheme says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, NamedTuple

from ipscore.base.numbers import Rounding, round_to
from ipscore.base.text import printable

Style = Literal["plain", "change", "signed"]
Tone = Literal["", "bad", "good", "warn"]
Align = Literal["left", "center", "right"]


class Cell(NamedTuple):
    """One cell: text (``number`` False) or a rounded number with ``decimals`` places.

    ``value`` None in a number cell means no figure (shown ``—``, empty in CSV). ``style`` says
    how a number reads to a person: plain, a rank change (↑2, ↓1, —) or a signed difference
    (+1.50, −0.25). ``mark`` is appended where a person reads the table (``40.00*``); ``tone``
    colours the cell on a terminal and in a workbook. (A named tuple: a review list can have
    hundreds of thousands of rows.)
    """

    value: str | int | Decimal | None
    number: bool = False
    decimals: int = 0
    style: Style = "plain"
    mark: str = ""
    tone: Tone = ""


BLANK = Cell("")


def text(value: object, *, tone: Tone = "") -> Cell:
    return Cell("" if value is None else str(value), tone=tone)


def number(
    value: Fraction | Decimal | int | None,
    decimals: int | None = None,
    rounding: Rounding = "half_up",
    *,
    style: Style = "plain",
    mark: str = "",
    tone: Tone = "",
) -> Cell:
    """A number cell; ``decimals`` None keeps a whole number whole (a count), else 2 places."""
    if value is None:
        return Cell(None, True, decimals or 0, style, mark, tone)
    if isinstance(value, int) and not decimals:
        return Cell(value, True, 0, style, mark, tone)
    if decimals is None:
        exact = Fraction(value)
        if exact.denominator == 1:
            return Cell(int(exact), True, 0, style, mark, tone)
        decimals = 2
    if decimals == 0 and Fraction(value).denominator == 1:
        return Cell(int(Fraction(value)), True, 0, style, mark, tone)
    return Cell(round_to(value, decimals, rounding), True, decimals, style, mark, tone)


@dataclass(frozen=True)
class Column:
    """A column: its header, and how it is laid out on a terminal and in a workbook.

    ``short`` is the terminal header; ``code`` (①…) replaces it when the table is too wide, with
    a legend under the table; columns with ``drop`` 1, then 2, … are left out on a terminal too
    narrow even then (``group`` names them in the note that says so).
    """

    title: str
    number: bool = False
    short: str | None = None
    code: str | None = None
    drop: int = 0
    group: str | None = None
    strong: bool = False
    fold: bool = False
    min_width: int | None = None
    width: float | None = None
    align: Align | None = None


@dataclass(frozen=True)
class Note:
    """A line under the table; ``screen`` lines are shown on a terminal only."""

    text: str
    screen: bool = False


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Column]
    rows: Sequence[Sequence[Cell]]
    total: Sequence[Cell] | None = None
    notes: list[Note] = field(default_factory=list)
    subtitle: str = ""
    sheet: str = "Sheet1"
    frozen: int = 0  # leading columns kept in view when a workbook scrolls
    note_prefix: tuple[str, str] = ("注：", "　　")  # first and later note lines in a workbook
    data: Any = None  # the JSON contract, where the result has one

    def file_notes(self) -> list[str]:
        return [n.text for n in self.notes if not n.screen]


# --------------------------------------------------------------------------------------------
# How a cell reads


def number_text(cell: Cell) -> str:
    """A number as plain digits (CSV): ``12.50``, ``-3``; empty when there is no figure."""
    if cell.value is None:
        return ""
    if isinstance(cell.value, Decimal):
        return f"{cell.value:.{cell.decimals}f}"
    return str(cell.value)


def shown(cell: Cell) -> str:
    """A cell as a person reads it (Markdown, terminal): ``—`` for no figure, ↑/↓, marks."""
    if not cell.number:
        return str(cell.value) + cell.mark
    value = cell.value
    if cell.style == "change":
        # "—" only where there is nothing to compare with; an unchanged rank says so.
        if value is None:
            return "—" + cell.mark
        if not value:
            return "持平" + cell.mark
        amount = number_text(Cell(abs(value), True, cell.decimals))  # type: ignore[arg-type]
        return ("↑" if value > 0 else "↓") + amount + cell.mark  # type: ignore[operator]
    if value is None:
        return "—" + cell.mark
    if cell.style == "signed" and value:
        amount = number_text(Cell(abs(value), True, cell.decimals))  # type: ignore[arg-type]
        return ("+" if value > 0 else "−") + amount + cell.mark  # type: ignore[operator]
    return number_text(cell) + cell.mark


# --------------------------------------------------------------------------------------------
# Guards: text from input or rules is data in every format

# A spreadsheet reads text starting with these as a formula (OWASP CSV injection), full-width
# forms included: Excel and WPS fold ＝＋－＠ to = + - @ on entry.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


_FORMULA_FIRST = frozenset(FORMULA_START)


def formula_safe(value: str) -> str:
    """Text that a spreadsheet would take for a formula, quoted with ``'`` so it stays text."""
    return "'" + value if value[:1] in _FORMULA_FIRST else value


def visible(value: str, *, newlines: bool = False) -> str:
    """Text for a terminal or a Markdown file: tabs and line breaks become spaces (or the breaks
    stay, with ``newlines``), every other control character (ESC, BEL, NUL, bidi overrides…) is
    shown as its escape by :func:`ipscore.base.text.printable`, never sent raw.
    """
    lines = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")
    if not newlines:
        return printable(" ".join(lines), None)
    return "\n".join(printable(line, None) for line in lines)


# What opens a heading, quote, list, rule or code fence at the start of a Markdown line.
_MD_LINE_START = re.compile(r"^(\s*)[#>+\-*=~`]|^(\s*\d+)[.)]")


def markdown_safe(value: str) -> str:
    """Text for one Markdown line or table cell: ``|`` and ``\\`` escaped, control characters
    shown, line breaks collapsed, and nothing that opens a heading, list or quote at its start.
    """
    value = visible(value).replace("\\", "\\\\").replace("|", "\\|")
    match = _MD_LINE_START.match(value)
    if match:
        cut = match.end() - 1
        value = value[:cut] + "\\" + value[cut:]
    return value


# openpyxl refuses these in a cell (IllegalCharacterError); Excel caps a cell at 32 767 chars.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MAX = 32_767


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def sheet_safe(value: str) -> str:
    """Text a workbook can hold: characters XML refuses shown as escapes, cut to Excel's limit."""
    value = _XML_ILLEGAL.sub(_escape, value)
    return value if len(value) <= XLSX_MAX else value[: XLSX_MAX - 1] + "…"
