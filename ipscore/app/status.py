"""The collection round, end to end: read every file in the inbox leniently (like ``merge``),
note when each arrived, and say for every unit whether it has reported, is late or has errors."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from ipscore.app.merge import read_submission
from ipscore.base.period import Period
from ipscore.base.problems import InputError, Problem
from ipscore.intake.grids import SUFFIXES
from ipscore.rules.notice import load_collection_rules
from ipscore.rules.scheme import Scheme
from ipscore.scoring.collection import Collection, Received, collection_state


def inbox_files(inbox: Path) -> list[Path]:
    """The submissions in the inbox: spreadsheets, not hidden files or Excel's ``~$`` locks."""
    if not inbox.is_dir():
        raise InputError([Problem("inbox-missing", "收件箱目录不存在", file=str(inbox))])
    return [
        entry
        for entry in sorted(inbox.iterdir())
        if entry.is_file()
        and not entry.name.startswith((".", "~$"))
        and entry.suffix.lower() in SUFFIXES
    ]


def _received(path: Path, scheme: Scheme, period: Period, sheet: str | None) -> Received:
    submission = read_submission(path, scheme, sheet=sheet)
    if submission.period is None and any(p.code == "month-unknown" for p in submission.problems):
        # A file that does not say its month is taken as this month's.
        submission = read_submission(path, scheme, period=period, sheet=sheet)
    when = datetime.fromtimestamp(path.stat().st_mtime)
    problems = tuple(submission.problems) + tuple(submission.warnings)
    return Received(
        file=path.name,
        period=submission.period,
        when=when,
        units=tuple(r.county for r in submission.filled),
        problems=problems,
    )


def collection_status(
    inbox: Path,
    scheme: Scheme,
    period: Period,
    today: date,
    *,
    notice_rules: Path | None = None,
    sheet: str | None = None,
) -> Collection:
    """Where the collection of ``period`` stands on ``today``, from the files in ``inbox``."""
    settings = load_collection_rules(notice_rules)
    received = [_received(path, scheme, period, sheet) for path in inbox_files(inbox)]
    return collection_state(
        period, scheme.units.names, received, settings.deadline_day, today, scheme.units.words
    )
