"""ipscore.app.validate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ipscore.base.period import Period
from ipscore.base.problems import InputError, Problem
from ipscore.intake.formulas import formula_cells
from ipscore.intake.grids import read_grids
from ipscore.intake.model import DataTable
from ipscore.intake.table import choose_sheet, table_from_grid
from ipscore.rules.scheme import Scheme
from ipscore.scoring.checks import (
    Report,
    cell_order,
    formula_problems,
    month_problems,
    problems_have_errors,
    reported_problems,
    subtotal_problems,
    total_problems,
)


def validate_file(
    path: Path | str,
    scheme: Scheme,
    *,
    sheet: str | None = None,
    period: Period | None = None,
    prev: Path | str | None = None,
    previous: DataTable | None = None,
    previous_for: Callable[[Period], DataTable | None] | None = None,
    allow_missing: bool = False,
) -> Report:
    """Check a monthly sheet and return every problem; never raises for bad input."""
    path = Path(path)
    report = Report(str(path), words=scheme.units.words)
    problems: list[Problem] = []
    try:
        grids = read_grids(path)
        grid, layout = choose_sheet(grids, scheme, sheet)
    except InputError as exc:
        report.problems = sorted(exc.problems, key=cell_order)
        return report
    report.sheet = grid.sheet
    formulas = formula_cells(path, grid.sheet)
    try:
        table = table_from_grid(
            grid,
            layout,
            scheme,
            path,
            period=period,
            allow_missing=allow_missing,
            collect=problems,
        )
    except InputError as exc:
        problems.extend(exc.problems)
        problems.extend(formula_problems(grid, formulas, problems, None))
        report.problems = sorted(problems, key=cell_order)
        return report
    report.period = table.period
    problems.extend(table.warnings)
    problems.extend(formula_problems(grid, formulas, problems, table))
    clean = not problems_have_errors(problems)
    # Every unit present once: the 合计 row can be checked field by field (where every unit's
    # value could be read); the rank only when nothing at all is wrong.
    complete = not any(
        p.level == "error" and (p.code.startswith("county-") or p.code == "no-data")
        for p in problems
    )
    problems.extend(reported_problems(grid, table, scheme, clean=clean))
    if complete:
        problems.extend(total_problems(grid, table, scheme))
        problems.extend(subtotal_problems(grid, table, scheme))
    if prev is not None and previous is None:
        from ipscore.app.rank import load_previous

        try:
            previous = load_previous(Path(prev), scheme, table.period, allow_missing=True)
            problems.extend(w for w in previous.warnings if w.code != "scheme-year")
        except InputError as exc:
            problems.extend(exc.problems)
    elif previous is None and previous_for is not None:
        # No --prev: last month as the history store has it, when it has it.
        from ipscore.store.history import StoreError

        try:
            previous = previous_for(table.period.previous())
        except StoreError as exc:
            problems.append(
                Problem(
                    "history-unavailable",
                    f"{exc.message}；未与历史库中的上月核对",
                    level="warning",
                    file=exc.path,
                )
            )
    problems.extend(month_problems(table, previous))
    report.problems = sorted(problems, key=cell_order)
    return report
