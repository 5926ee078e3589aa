"""The terminal writer: a :class:`~ipscore.render.table.Table` as a Rich table.

Every string goes in as a :class:`rich.text.Text`, never as console markup, so ``[/x]`` or
``[bold]`` in a unit name from a rule file is printed as written; control characters (ESC, BEL,
NUL…) are shown as escapes. Rich measures CJK characters as two cells wide, so columns line up.

When the table is wider than the terminal, the coded headers (①…) replace the short ones with a
legend under the table, then the droppable columns are left out in turn, and a note says which
and how to see them. Text that is not for a terminal (a file, a pipe) keeps every column at its
full width (:func:`table_text`), and no line ends in spaces.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from ipscore.render.table import Column, Table, shown, visible

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table as RichTable

_TONES = {"bad": "red", "good": "green", "warn": "yellow"}
_WIDE = 160  # a file's table takes the fullest form within this width that keeps every column


def _variants(table: Table) -> list[tuple[bool, bool, int]]:
    """(tight spacing, coded headers, highest drop level left out), fullest to barest."""
    coded = any(c.code for c in table.columns)
    out = [(False, False, 0), (True, False, 0)]
    if coded:
        out.append((True, True, 0))
    for level in sorted({c.drop for c in table.columns if c.drop}):
        out.append((True, coded, level))
    return out


def _notes(table: Table, columns: list[Column], coded: bool, dropped: int) -> list[str]:
    notes = [n.text for n in table.notes]
    if dropped:
        groups = [c.group or c.short or c.title for c in table.columns if 0 < c.drop <= dropped]
        notes.insert(
            0,
            f"终端较窄，未列出{'、'.join(dict.fromkeys(groups))}"
            "（加宽窗口，或用 -f csv 输出全部列）",
        )
    if coded:
        legend = [f"{c.code}{c.title}" for c in columns if c.code]
        for start in range(0, len(legend), 4):
            notes.insert(
                start // 4,
                ("各项得分：" if not start else "") + "  ".join(legend[start : start + 4]),
            )
    return notes


def rich_table(
    table: Table,
    *,
    tight: bool = False,
    coded: bool = False,
    dropped: int = 0,
    caption: bool = True,
) -> RichTable:
    """The table for a terminal: one space between columns when ``tight``, coded headers,
    and the columns up to drop level ``dropped`` left out."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    keep = [i for i, c in enumerate(table.columns) if not (c.drop and c.drop <= dropped)]
    columns = [table.columns[i] for i in keep]
    notes = _notes(table, columns, coded, dropped)
    out = RichTable(
        title=Text(visible(table.title), style="table.title"),
        caption=(
            Text("\n".join(visible(n) for n in notes), style="table.caption")
            if caption and notes
            else None
        ),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        collapse_padding=tight,
    )
    for column in columns:
        header = (column.code if coded and column.code else None) or column.short or column.title
        out.add_column(
            Text(visible(header)),
            justify="right" if column.number else "left",
            style="bold" if column.strong else None,
            no_wrap=not column.fold,
            overflow="fold" if column.fold else "ellipsis",
            min_width=column.min_width,
        )
    rows = list(table.rows)
    for index, row in enumerate(rows):
        cells = [row[i] for i in keep]
        out.add_row(
            *(Text(visible(shown(c)), style=_TONES.get(c.tone, "")) for c in cells),
            end_section=index == len(rows) - 1 and table.total is not None,
        )
    if table.total is not None:
        out.add_row(*(Text(visible(shown(table.total[i]))) for i in keep), style="dim")
    return out


def _form(table: Table, width: int) -> tuple[bool, bool, int]:
    """The fullest form (tight, coded, dropped) of the table whose columns fit ``width``."""
    variants = _variants(table)
    for tight, coded, dropped in variants:
        bare = rich_table(table, tight=tight, coded=coded, dropped=dropped, caption=False)
        if natural_width(bare) <= width:
            return tight, coded, dropped
    return variants[-1]


def fitted(table: Table, width: int) -> RichTable:
    """The fullest form of the table whose columns fit ``width``, its notes as the caption."""
    tight, coded, dropped = _form(table, width)
    return rich_table(table, tight=tight, coded=coded, dropped=dropped)


def print_table(table: Table, console: Console, *, wrap: bool = True) -> None:
    """The fullest form that fits the console, then its notes: wrapped at the console's width
    (not the table's), or each on one line (``wrap`` False, for a file). A table without rows
    is only its notes."""
    from rich.text import Text

    if table.rows:
        tight, coded, dropped = _form(table, console.width)
        console.print(rich_table(table, tight=tight, coded=coded, dropped=dropped, caption=False))
        keep = [c for c in table.columns if not (c.drop and c.drop <= dropped)]
        notes = _notes(table, keep, coded, dropped)
        style = "table.caption"
    else:
        notes, style = [n.text for n in table.notes], ""
    for note in notes:
        console.print(Text(visible(note), style=style), soft_wrap=not wrap)


def table_text(table: Table, width: int | None = None) -> str:
    """The table as plain text, for a file or a pipe (``rank x.xlsx > 排名.txt``, ``-o x.txt``):
    every column at its full width (or fitted to ``width`` columns as on a terminal); no line
    ends in spaces."""
    from rich.console import Console

    if width is None:
        width = _whole_width(table)
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    print_table(table, console, wrap=False)
    return "".join(line.rstrip() + "\n" for line in console.export_text().splitlines())


def _whole_width(table: Table) -> int:
    """The width of the fullest form that keeps every column: the first within ``_WIDE``
    (coded headers with their legend if need be), else the narrowest."""
    if not table.rows:
        return 1000
    widths = [
        natural_width(rich_table(table, tight=tight, coded=coded, caption=False))
        for tight, coded, dropped in _variants(table)
        if not dropped
    ]
    return next((w for w in widths if w <= _WIDE), min(widths))


def natural_width(table: RichTable) -> int:
    """The width a table takes when nothing limits it (Rich's own measure: no rendering)."""
    from rich.console import Console
    from rich.measure import Measurement

    probe = Console(width=1000, file=io.StringIO(), color_system=None)
    return Measurement.get(probe, probe.options, table).maximum
