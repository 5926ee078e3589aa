"""ipscore.app.tally."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ipscore.base.period import Period
from ipscore.tally.count import Stage, TallyResult, tally


def tally_month(
    records: Path | str | Sequence[Path | str],
    period: Period,
    *,
    rules: Path | str | None = None,
    targets: Path | str | None = None,
    last_year: Path | str | None = None,
    stage: Stage | None = None,
) -> TallyResult:
    """``ipscore tally`` as a library call: read the rule files (``rules/attribution.toml`` of
    the working folder, else the bundled ones, when None), then :func:`tally`. The targets come
    from ``targets-YEAR.toml`` beside the attribution rules; a unit without one is left blank
    with a warning."""
    from ipscore.rules.targets import load_targets
    from ipscore.tally.attribution import load_attribution

    attribution = load_attribution(rules)
    goals = load_targets(
        targets,
        period.year,
        attribution.unit_list,
        allow_blank=True,
        folder=attribution.source.parent,
    )
    return tally(records, period, attribution, goals, last_year=last_year, stage=stage)
