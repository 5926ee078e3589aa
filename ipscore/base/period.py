"""ipscore.base.period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ipscore.base.numbers import normalise_text

FIRST_YEAR, LAST_YEAR = 1990, 2100
"""The data years ipscore accepts in file names, ``--month`` and ``--year`` alike."""


def _known_year(digits: str) -> bool:
    return FIRST_YEAR <= int(digits) <= LAST_YEAR


_TITLE_PERIOD = re.compile(
    r"(?:(?<!\d)(\d{4})\s*年度?)?\s*(?:(?<!\d)(\d{1,2})\s*[-~～至到—–－]\s*)?(?<!\d)(\d{1,2})\s*月"
)
TITLE_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")
_FILE_PERIOD = (
    re.compile(r"(?<!\d)(\d{4})\s*[-_.年]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(?!\d)"),
)


@dataclass(frozen=True, order=True)
class Period:
    """A data period: a year, and the month for monthly data (year-to-date months 1..month)."""

    year: int
    month: int | None = None

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def span_zh(self) -> str:
        """``2019年1-5月`` (``2019年1月`` for January, ``2019年`` for a year)."""
        if not self.month:
            return f"{self.year}年"
        return f"{self.year}年1月" if self.month == 1 else f"{self.year}年1-{self.month}月"

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2019-05`` → Period(2019, 5); raise ValueError otherwise."""
        match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(text)
        if not _known_year(match.group(1)):
            raise ValueError(text)
        return cls(int(match.group(1)), int(match.group(2)))

    def previous(self) -> Period:
        if self.month is None:
            return Period(self.year - 1)
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)


# --------------------------------------------------------------------------------------------
# The period


def period_from_text(text: str) -> Period | None:
    """``2019年1-5月…`` → 2019-05; a year alone → Period(year, None); None when absent."""
    compact = normalise_text(text)
    match = _TITLE_PERIOD.search(compact)
    if match and match.group(3) and 1 <= int(match.group(3)) <= 12:
        year_match = match.group(1) or (m.group(1) if (m := TITLE_YEAR.search(compact)) else None)
        return Period(int(year_match) if year_match else 0, int(match.group(3)))
    year = TITLE_YEAR.search(compact)
    return Period(int(year.group(1)), None) if year else None


def period_from_filename(path: Path) -> Period | None:
    name = normalise_text(path.stem)
    for pattern in _FILE_PERIOD:
        match = pattern.search(name)
        if match and 1 <= int(match.group(2)) <= 12 and _known_year(match.group(1)):
            return Period(int(match.group(1)), int(match.group(2)))
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", name)
    if match and _known_year(match.group(1)):
        return Period(int(match.group(1)), None)
    return None
