"""The trend job: a year of each unit's ranks under one scheme, read from the store."""

from __future__ import annotations

from pathlib import Path

from ipscore.rules.identity import scheme_id
from ipscore.rules.scheme import Scheme
from ipscore.store.history import stored_trend
from ipscore.store.trend import YearTrend, year_trend


def load_trend(
    scheme: Scheme, db: Path | str | None = None, county: str | None = None, year: int | None = None
) -> YearTrend | None:
    """The year's trend of every unit (or of ``county``) under ``scheme`` (read-only)."""
    return year_trend(stored_trend(scheme_id(scheme), db, county), scheme.name, year)
