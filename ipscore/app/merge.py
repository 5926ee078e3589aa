"""Combining the units' submissions (the template filled by one unit each) into the month's table.

Each file is read like a statistics sheet, leniently: the rows a unit left blank are not
errors, the rows it filled are checked like any sheet. A unit filled in two files is refused,
as is a month that differs between files; units that nobody filled are reported (and refused
unless ``allow_missing``). Nothing is written when there is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ipscore.base.period import Period
from ipscore.base.problems import InputError, Problem
from ipscore.intake.grids import read_grids
from ipscore.intake.model import Record
from ipscore.intake.table import choose_sheet, table_from_grid
from ipscore.render.statistics import INPUT_FIELDS, write_merged
from ipscore.rules.scheme import Scheme


@dataclass
class Merged:
    """The month's rows by unit, where each came from, and the warnings."""

    period: Period
    rows: dict[str, dict[str, int]]
    sources: dict[str, str]  # county → "file [sheet] row N"
    missing: list[str]
    warnings: list[Problem] = field(default_factory=list)


# The figures a unit reports itself; 去年同期 and 年度目标 may come pre-filled and locked in the
# template (ipscore template), so they alone never make a row "filled".
OWN_FIELDS = ("month_apps", "ytd_apps")


def _filled(record: Record) -> bool:
    values = [record.raw.get(fid) for fid in OWN_FIELDS if fid in record.raw] or list(
        record.raw.values()
    )
    return any(str(v).strip() for v in values if v is not None)


@dataclass
class Submission:
    """One submitted file read leniently: its month, the units it filled (with their records)
    and the problems of those rows; a file that could not be read at all has only problems."""

    path: Path
    period: Period | None
    filled: list[Record]
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)
    sheet: str | None = None


def read_submission(
    path: Path, scheme: Scheme, *, period: Period | None = None, sheet: str | None = None
) -> Submission:
    """Read one submission like a statistics sheet, leniently: the rows a unit left blank are
    the other units' rows, not errors; the rows it filled are checked like any sheet."""
    try:
        grid, layout = choose_sheet(read_grids(Path(path)), scheme, sheet)
        found: list[Problem] = []
        table = table_from_grid(
            grid, layout, scheme, Path(path), period=period, allow_missing=True, collect=found
        )
    except InputError as exc:
        return Submission(Path(path), None, [], list(exc.problems))
    blank = {r.county for r in table.records if not _filled(r)}
    problems = [p for p in found if p.county is None or p.county not in blank]
    filled = [r for r in table.records if r.county not in blank]
    if not filled:
        words = scheme.units.words
        problems.append(
            Problem(
                "merge-nothing",
                f"没有填报任何{words.unit}的数据（{words.each}行都是空的）",
                file=grid.file,
                sheet=grid.sheet,
            )
        )
    warnings = [w for w in table.warnings if w.code not in ("county-absent",)]
    return Submission(Path(path), table.period, filled, problems, warnings, grid.sheet)


def merge_files(
    paths: list[Path],
    scheme: Scheme,
    *,
    period: Period | None = None,
    sheet: str | None = None,
    allow_missing: bool = False,
) -> Merged:
    """Read every submission and combine them; raise InputError listing every problem."""
    problems: list[Problem] = []
    rows: dict[str, dict[str, int]] = {}
    sources: dict[str, tuple[str, str | None, str]] = {}
    periods: dict[Period, str] = {}
    words = scheme.units.words
    warnings: list[Problem] = []
    seen: set[Path] = set()
    for path in paths:
        resolved = Path(path).resolve()
        if resolved in seen:
            problems.append(Problem("merge-duplicate", "同一个文件给出了两次", file=str(path)))
            continue
        seen.add(resolved)
        submission = read_submission(Path(path), scheme, period=period, sheet=sheet)
        problems.extend(submission.problems)
        if submission.period is None:
            continue
        warnings.extend(submission.warnings)
        periods.setdefault(submission.period, str(path))
        for record in submission.filled:
            cell = record.cells.get("month_apps") or f"第 {record.row} 行"
            if record.county in sources:
                first_file, first_sheet, first_cell = sources[record.county]
                problems.append(
                    Problem(
                        "merge-duplicate",
                        f"“{record.county}”在两个文件中都有填报：{first_file} [{first_sheet}] "
                        f"{first_cell} 与本文件；请确认以哪一份为准，删去另一份后再汇总",
                        cell=cell,
                        county=record.county,
                        file=str(path),
                        sheet=submission.sheet,
                    )
                )
                continue
            sources[record.county] = (str(path), submission.sheet, cell)
            rows[record.county] = {
                fid: int(record.values[fid]) for fid in INPUT_FIELDS if fid in record.values
            }
    if len(periods) > 1:
        listed = "；".join(f"{p}（{f}）" for p, f in sorted(periods.items()))
        problems.append(
            Problem(
                "merge-month-conflict",
                f"各文件的月份不一致：{listed}；请检查，或用 --month 指定",
            )
        )
    missing = [name for name in scheme.units.names if name not in sources]
    if missing and not allow_missing and paths:
        problems.append(
            Problem(
                "merge-missing",
                f"以下{words.unit}没有报送：{'、'.join(missing)}"
                "（如需先汇总已报送的单位，可加 --allow-missing）",
            )
        )
    if problems:
        raise InputError(problems)
    if missing:
        warnings.append(
            Problem(
                "county-absent",
                f"未报送，汇总表中没有这些{words.unit}：{'、'.join(missing)}",
                level="warning",
            )
        )
    chosen = period or next(iter(periods))
    shown = {c: f"{f} [{s}] {cell}" for c, (f, s, cell) in sources.items()}
    return Merged(chosen, rows, shown, missing, warnings)


def merge_to_file(
    paths: list[Path],
    output: Path,
    scheme: Scheme,
    *,
    period: Period | None = None,
    sheet: str | None = None,
    allow_missing: bool = False,
) -> Merged:
    """Merge the submissions and write the month's table to ``output`` (atomically; xlsx, or
    csv / md by its name)."""
    merged = merge_files(paths, scheme, period=period, sheet=sheet, allow_missing=allow_missing)
    write_merged(output, merged.period, merged.rows, scheme.units.names, scheme.units.words)
    return merged
