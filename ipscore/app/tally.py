"""ipscore.app.tally."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ipscore.base.period import Period

if TYPE_CHECKING:
    pass
from ipscore.tally.count import Stage, TallyResult, tally


def tally_month(
    records: Path | str,
    period: Period,
    *,
    rules: Path | str | None = None,
    targets: Path | str | None = None,
    last_year: Path | str | None = None,
    stage: Stage | None = None,
) -> TallyResult:
    """``ipscore tally`` as a library call: read the rule files (the bundled ones when None),
    then :func:`tally`."""
    from ipscore.rules.targets import load_targets
    from ipscore.tally.attribution import load_attribution

    attribution = load_attribution(rules)
    goals = load_targets(targets, period.year, attribution.unit_list)
    return tally(records, period, attribution, goals, last_year=last_year, stage=stage)
