"""The monthly ranking as a Rich table for the terminal.

Headers are short so the whole table fits a 100-column terminal; in a narrower one the
secondary columns (去年同期, 年度目标), then the point breakdown, are left out rather than
letting Rich squeeze the unit names away. Rich measures CJK characters as two cells wide, so
the columns line up.
"""

from __future__ import annotations

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ipscore.render.model import ColumnDef, monthly_columns, monthly_notes, monthly_title
from ipscore.render.text import table_cells
from ipscore.scoring.score import Ranking

_SHORT = {
    "month_apps": "本月",
    "ytd_apps": "累计",
    "ytd_apps_last_year": "去年同期",
    "growth_pct": "同比%",
    "annual_target": "目标",
    "completion_pct": "完成率%",
    "rank_change": "变化",
}
# Columns left out, in turn, when the terminal is too narrow for the full table.
_OPTIONAL = (("ytd_apps_last_year", "annual_target"), ("part:",))


def _short_title(column: ColumnDef) -> str:
    if column.key.startswith("part:"):
        return column.title.split("(")[0]
    return _SHORT.get(column.key, column.title)


def ranking_table(ranking: Ranking, omit: tuple[str, ...] = ()) -> Table:
    """The ranking as a Rich table, leaving out columns whose key starts with one in ``omit``."""
    columns = monthly_columns(ranking)
    _, body, total = table_cells(ranking)
    keep = [i for i, c in enumerate(columns) if not any(c.key.startswith(o) for o in omit)]
    notes = monthly_notes(ranking)
    parts = [c.title for c in columns if c.key.startswith("part:")]
    notes.insert(1, "得分 = " + " + ".join(parts))
    table = Table(
        title=monthly_title(ranking),
        caption="\n".join(notes),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
    )
    for i in keep:
        column = columns[i]
        table.add_column(
            _short_title(column),
            justify="left" if column.kind == "text" else "right",
            style="bold" if column.key in ("score", "county") else None,
            no_wrap=True,
            min_width=10 if column.key == "county" else None,
        )
    for row, cells in zip(ranking.rows, body, strict=True):
        styled: list[Text | str] = []
        for i in keep:
            column, text = columns[i], cells[i]
            if column.key == "completion_pct" and text.endswith("*"):
                styled.append(Text(text, style="red"))
            elif column.kind == "change" and text.startswith("↑"):
                styled.append(Text(text, style="green"))
            elif column.kind == "change" and text.startswith("↓"):
                styled.append(Text(text, style="red"))
            else:
                styled.append(text)
        table.add_row(*styled, end_section=row is ranking.rows[-1])
    table.add_row(*(total[i] for i in keep), style="dim")
    return table


def fitted_table(ranking: Ranking, console: Console) -> Table:
    """The fullest table that fits the console's width."""
    omit: tuple[str, ...] = ()
    table = ranking_table(ranking)
    for more in _OPTIONAL:
        if natural_width(table) <= console.width:
            break
        omit += more
        table = ranking_table(ranking, omit)
    return table


def natural_width(table: Table) -> int:
    """The width a table takes when nothing limits it."""
    probe = Console(width=1000, record=True, file=NullFile(), color_system=None)
    probe.print(table)
    return max((cell_len(line.rstrip()) for line in probe.export_text().splitlines()), default=0)


def print_ranking(ranking: Ranking, console: Console) -> None:
    console.print(fitted_table(ranking, console))


def ranking_text(ranking: Ranking, width: int = 120) -> str:
    """The full table as plain text (for ``--format table -o FILE``)."""
    console = Console(width=width, record=True, file=NullFile(), color_system=None)
    console.print(ranking_table(ranking))
    return console.export_text()


class NullFile:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass
