"""ipscore.app.assess."""

from __future__ import annotations

from pathlib import Path

from ipscore.base.period import Period
from ipscore.intake.table import load_table
from ipscore.rules.scheme import Scheme
from ipscore.scoring.annual import Assessment, assess


def assess_file(
    path: Path | str,
    scheme: Scheme,
    *,
    sheet: str | None = None,
    year: int | None = None,
    allow_missing: bool = False,
) -> Assessment:
    """Load an annual data sheet and assess it; raise InputError listing every problem."""
    period = Period(year, None) if year is not None else None
    table = load_table(path, scheme, sheet=sheet, period=period, allow_missing=allow_missing)
    return assess(table, scheme)
