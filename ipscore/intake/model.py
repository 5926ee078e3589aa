"""What a loaded sheet is: the units' records, the columns found, and where each value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ipscore.base.period import Period
from ipscore.base.problems import Problem


@dataclass(frozen=True)
class Column:
    """Where a field was found: its column, header cell and header text as written."""

    field: str
    col: int
    cell: str
    header: str


@dataclass
class Record:
    """One unit's row: its values by field id and the cell each came from."""

    county: str
    label: str
    row: int
    values: dict[str, Fraction | int] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    raw: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Subtotal:
    """A subtotal row (区县小计, 功能区小计) and the units of the group it closes."""

    record: Record
    members: tuple[str, ...]


@dataclass
class DataTable:
    """A loaded sheet: the units' records in canonical order and where everything came from."""

    file: str
    sheet: str
    period: Period
    records: list[Record]
    columns: dict[str, Column]
    title: str = ""
    total: Record | None = None
    warnings: list[Problem] = field(default_factory=list)
    subtotals: list[Subtotal] = field(default_factory=list)

    def record(self, county: str) -> Record | None:
        return next((r for r in self.records if r.county == county), None)
