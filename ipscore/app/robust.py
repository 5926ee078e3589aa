"""ipscore robust, end to end: check the options, load the scheme and the table once, analyse."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from ipscore.base.period import Period
from ipscore.scoring.robust import Robustness, analyse, check_options, check_scheme


def robust_file(
    path: Path | str,
    *,
    rules: Path | str | None = None,
    sheet: str | None = None,
    period: Period | None = None,
    runs: int = 1000,
    seed: int = 1,
    spread: Fraction = Fraction(1, 5),
    sobol: bool = False,
    allow_missing: bool = False,
) -> Robustness:
    """Monte Carlo (and Sobol) over the weights of the scheme a monthly or annual file needs.

    Without ``rules`` the bundled scheme whose headers the file matches is used, as in explain.
    The file is read and the rules parsed once; every run rescores the loaded table.
    """
    from ipscore.app.explain import pick_scheme
    from ipscore.intake.table import load_table
    from ipscore.rules.resolve import resolve_scheme

    check_options(runs, spread)
    path = Path(path)
    if rules is not None:
        scheme = resolve_scheme(rules, ("monthly", "annual"), "robust")
    else:
        scheme = pick_scheme(path, sheet)
    check_scheme(scheme)
    if scheme.kind == "annual" and period is not None:
        period = Period(period.year, None)
    table = load_table(path, scheme, sheet=sheet, period=period, allow_missing=allow_missing)
    result = analyse(table, scheme, runs=runs, seed=seed, spread=spread, sobol=sobol)
    return result
