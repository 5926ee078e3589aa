"""The collection round's templates: the month's sheet with the bureau's own figures filled in.

年度目标 comes from the targets file of the year (``rules/targets-YEAR.toml`` or ``--targets``),
去年同期累计 from the history store (the same month a year earlier, as recorded). Figures that
are not there are left for the units to fill, and :class:`TemplatesDone` says so. With
``per_county`` one file is written per unit, each with only that unit's row open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ipscore.base.files import ensure_folder, safe_file_stem
from ipscore.base.period import Period
from ipscore.base.text import printable_path
from ipscore.render.sheet import Prefilled, write_template
from ipscore.rules.scheme import Scheme
from ipscore.rules.source import shown_path
from ipscore.rules.targets import load_targets
from ipscore.store.history import stored_table


@dataclass
class TemplatesDone:
    """The files written and what was pre-filled (or why not), one sentence each."""

    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def file_name(period: Period, unit: str) -> str:
    """``2019-06-张店区.xlsx``; characters a file name cannot hold become ``_``."""
    return f"{period}-{safe_file_stem(unit)}.xlsx"


def prefilled(
    scheme: Scheme,
    period: Period,
    *,
    targets: Path | None = None,
    db: Path | str | None = None,
) -> tuple[Prefilled, list[str]]:
    """The bureau's figures for the template, and a sentence on each source."""
    given: Prefilled = {}
    notes: list[str] = []
    units = scheme.units.names
    # A unit without a target (a working folder's targets file not filled in yet, or none for
    # the year) gets an open cell: the unit fills it, as the notes say.
    found = load_targets(targets, period.year, scheme.units, allow_blank=True)
    given["annual_target"] = {u: found.values[u] for u in units if u in found.values}
    # Named as the user typed it, as the working folder's rules/ file, or as the built-in file
    # (never a path into the install).
    source = printable_path(targets if targets is not None else shown_path(found.source))
    if not found.source.is_file():
        notes.append(
            f"没有 {period.year} 年的年度目标文件，年度目标留给各单位填写（可用 --targets 指定）"
        )
    elif not found.values:
        notes.append(f"{source} 中还没有填写年度目标，年度目标留给各单位填写")
    elif found.missing:
        notes.append(
            f"年度目标取自 {source}，已填好并锁定（其中没有{'、'.join(found.missing)}的，"
            "由其自行填写）"
        )
    else:
        notes.append(f"年度目标取自 {source}，已填好并锁定")
    last = Period(period.year - 1, period.month)
    table = stored_table(last, db)
    if table is None:
        notes.append(f"历史库中没有 {last} 的数据，去年同期累计留给各单位填写")
    else:
        values = {
            r.county: int(r.values["ytd_apps"]) for r in table.records if "ytd_apps" in r.values
        }
        given["ytd_apps_last_year"] = {u: values[u] for u in units if u in values}
        absent = [u for u in units if u not in values]
        note = f"去年同期累计取自历史库中 {last} 的累计数，已填好并锁定"
        if absent:
            note += f"（历史库中没有{'、'.join(absent)}，由其自行填写）"
        notes.append(note)
    return given, notes


def make_templates(
    scheme: Scheme,
    period: Period,
    output: Path,
    *,
    per_county: bool = False,
    targets: Path | None = None,
    db: Path | str | None = None,
) -> TemplatesDone:
    """Write the month's template to ``output`` (a .xlsx file), or with ``per_county`` one
    file per unit into the folder ``output``."""
    given, notes = prefilled(scheme, period, targets=targets, db=db)
    done = TemplatesDone(notes=notes)
    if not per_county:
        write_template(output, scheme, period, given=given)
        done.written.append(output)
        return done
    ensure_folder(output)
    for unit in scheme.units.names:
        path = output / file_name(period, unit)
        write_template(path, scheme, period, given=given, only=unit)
        done.written.append(path)
    return done
