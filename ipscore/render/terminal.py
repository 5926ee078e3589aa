"""The terminal writer: a :class:`~ipscore.render.table.Table` as a Rich table.

Every string goes in as a :class:`rich.text.Text`, never as console markup, so ``[/x]`` or
``[bold]`` in a unit name from a rule file is printed as written; control characters (ESC, BEL,
NUL…) are shown as escapes. Rich measures CJK characters as two cells wide, so columns line up.

When the table is wider than the terminal, the coded headers (①…) replace the short ones with a
legend under the table, then the droppable columns are left out in turn, and a note says so.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from ipscore.render.table import Column, Table, shown, visible

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table as RichTable

_TONES = {"bad": "red", "good": "green", "warn": "yellow"}
_WIDE = 160  # the width of ``--format table -o FILE``


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
            "（加宽终端，或用 --format md/csv/xlsx 查看）",
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


def fitted(table: Table, width: int) -> RichTable:
    """The fullest form of the table whose columns fit ``width`` (the notes wrap)."""
    variants = _variants(table)
    for tight, coded, dropped in variants:
        bare = rich_table(table, tight=tight, coded=coded, dropped=dropped, caption=False)
        if natural_width(bare) <= width:
            break
    return rich_table(table, tight=tight, coded=coded, dropped=dropped)


def print_table(table: Table, console: Console) -> None:
    """The fullest form that fits the console; a table without rows is only its notes."""
    if not table.rows:
        from rich.text import Text

        for note in table.notes:
            console.print(Text(visible(note.text)), soft_wrap=True)
        return
    console.print(fitted(table, console.width))


def table_text(table: Table, width: int = _WIDE) -> str:
    """The table as plain text (``--format table -o FILE``)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    print_table(table, console)
    return console.export_text()


def natural_width(table: RichTable) -> int:
    """The width a table takes when nothing limits it."""
    from rich.cells import cell_len
    from rich.console import Console

    probe = Console(width=1000, record=True, file=io.StringIO(), color_system=None)
    probe.print(table)
    return max((cell_len(line.rstrip()) for line in probe.export_text().splitlines()), default=0)
