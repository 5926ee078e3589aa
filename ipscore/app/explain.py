"""explain: one unit's score line by line, on a monthly or an annual file."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from ipscore.base.problems import InputError, Problem
from ipscore.rules.scheme import Scheme

if TYPE_CHECKING:
    from ipscore.base.period import Period
from ipscore.scoring.ledger import Ledger, annual_ledger, monthly_ledger


def pick_scheme(path: Path, sheet: str | None = None) -> Scheme:
    """The default scheme (monthly or annual, as the resolver gives them) whose headers the file
    matches better."""
    from ipscore.intake.grids import read_grids
    from ipscore.intake.table import choose_sheet
    from ipscore.rules.resolve import default_scheme

    grids = read_grids(path)
    best: tuple[Fraction, Scheme] | None = None
    failures: list[Problem] = []
    for kind in ("annual", "monthly"):
        scheme = default_scheme(kind)
        try:
            _, layout = choose_sheet(grids, scheme, sheet)
        except InputError as exc:
            failures.extend(exc.problems)
            continue
        required = sum(1 for f in scheme.fields.values() if f.required)
        share = Fraction(layout.required_found, required)
        if best is None or share > best[0]:
            best = (share, scheme)
    if best is None:
        raise InputError(
            [
                Problem(
                    "scheme-unknown",
                    "表头既不像月度统计表也不像年度考核数据表；请用 --rules 指定规则文件",
                    file=str(path),
                )
            ]
        )
    return best[1]


def explain_file(
    path: Path | str,
    county: str,
    *,
    rules: Path | str | None = None,
    sheet: str | None = None,
    period: Period | None = None,
    allow_missing: bool = False,
) -> tuple[Ledger, Scheme, list[Problem]]:
    """Score a monthly or annual file and return one unit's ledger (and the warnings)."""
    from ipscore.intake.table import load_table
    from ipscore.rules.resolve import resolve_scheme
    from ipscore.scoring.annual import assess
    from ipscore.scoring.score import score

    path = Path(path)
    if rules is not None:
        scheme = resolve_scheme(rules, ("monthly", "annual"), "explain")
    else:
        scheme = pick_scheme(path, sheet)
    if scheme.kind == "annual" and period is not None:
        period = type(period)(period.year, None)
    table = load_table(path, scheme, sheet=sheet, period=period, allow_missing=allow_missing)
    if scheme.kind == "annual":
        result = assess(table, scheme)
        return annual_ledger(result, county), scheme, result.warnings
    ranking = score(table, scheme)
    return monthly_ledger(ranking, county), scheme, ranking.warnings
