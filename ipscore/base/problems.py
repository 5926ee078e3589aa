"""Data problems as values, and the few exceptions that carry them.

A problem names where it was found (file, sheet, cell, header, unit) and says in Chinese what
was found and what was expected. Loading and rule checking collect every problem they can
find; commands that cannot go on raise :class:`InputError` or :class:`RulesError` with the
whole list, and the CLI prints one line per problem and exits with status 2.

Every text a problem holds may come from an input file (a cell, a header, a sheet or file
name), so a problem makes its texts printable when it is made (:func:`ipscore.base.text.printable`):
whatever prints, logs or serialises it gets one line with no control characters, values cut
to a sane length and file paths whole.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from ipscore.base.text import MESSAGE_LIMIT, VALUE_LIMIT, printable

Level = Literal["error", "warning"]

# How much of each text a problem keeps (None: all of it, escaped).
_LIMITS: dict[str, int | None] = {
    "message": MESSAGE_LIMIT,
    "file": None,  # a path is shown whole
    "sheet": VALUE_LIMIT,
    "cell": VALUE_LIMIT,
    "field": 2 * VALUE_LIMIT,  # a place in a rule file, e.g. indicators[growth].step
    "header": VALUE_LIMIT,
    "county": VALUE_LIMIT,
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file or a rule file."""

    code: str
    message: str
    level: Level = "error"
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None
    header: str | None = None
    county: str | None = None

    def __post_init__(self) -> None:
        for name, limit in _LIMITS.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, printable(value, limit))

    def where(self) -> str:
        """The place, e.g. ``2019-05.xlsx [Sheet1] D7（1-5月累计）``."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"[{self.sheet}]")
        if self.cell:
            parts.append(self.cell + (f"（{self.header}）" if self.header else ""))
        elif self.header:
            parts.append(f"（{self.header}）")
        elif self.field and not self.sheet:
            parts.append(self.field)  # a place in a rule file, e.g. indicators[growth].step
        return " ".join(parts)

    def line(self) -> str:
        """The problem as one line of text for a terminal or a log."""
        label = "错误" if self.level == "error" else "警告"
        where = self.where()
        return f"{label}：{where}：{self.message}" if where else f"{label}：{self.message}"

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


class IpscoreError(Exception):
    """Base class: a situation the command cannot go on from (exit status 2)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.line() for p in problems))


class InputError(IpscoreError):
    """A data file is unreadable or its contents are not what the scheme needs."""


class RulesError(IpscoreError):
    """A rule file is unreadable or inconsistent."""


class OutputError(IpscoreError):
    """An output file cannot or must not be written: a symlink or a folder in its place, no
    permission, a full disk. Raised by :mod:`ipscore.base.files`; nothing is left behind."""
