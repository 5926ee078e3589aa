"""Publishing the annual results circular: the circular set and every unit's score sheet.

``ipscore notice 2019-annual.xlsx --out DIR`` writes ``DIR/2019 区县知识产权工作考核结果通报.docx``
(and .xlsx, .md, .pdf as asked) and ``DIR/2019年度考核得分明细/<区县>.docx``, one page per unit
from ``explain``, for the units that ask for a review (复核). The 文号 comes from the register
in the history store, like the monthly circular's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from ipscore.app.assess import assess_file
from ipscore.app.fileset import publish_files, refuse_existing, remove_stale_circular_temps
from ipscore.app.notice import (
    DEFAULT_FORMATS,
    LOCK_WAIT,
    Published,
    check_pages,
    render,
    take_number,
)
from ipscore.base.files import ensure_folder, safe_file_stem
from ipscore.base.lock import folder_lock
from ipscore.render.annual_notice import build_annual_notice
from ipscore.rules.notice import NoticeRules
from ipscore.rules.scheme import Scheme
from ipscore.rules.units import CITY_WORDS, Words
from ipscore.store.history import Store

NAME = "知识产权工作考核结果通报"


def annual_paths(
    out: Path, year: int, formats: Sequence[str], words: Words = CITY_WORDS
) -> dict[str, Path]:
    """``2019 区县知识产权工作考核结果通报.docx`` (市 for a province: the units file's word)."""
    return {fmt: out / f"{year} {words.unit}{NAME}.{fmt}" for fmt in formats}


def sheets_dir(out: Path, year: int) -> Path:
    return out / f"{year}年度考核得分明细"


def publish_annual(
    path: Path | str,
    out: Path,
    scheme: Scheme,
    rules: NoticeRules,
    when: date,
    *,
    formats: Sequence[str] = DEFAULT_FORMATS,
    db: Path | str | None = None,
    force: bool = False,
    number: int | None = None,
    sheet: str | None = None,
    allow_missing: bool = False,
    year: int | None = None,
) -> Published:
    """Assess a year's sheet and write its results circular and the units' score sheets."""
    from ipscore.render.score_sheet import score_sheet_docx
    from ipscore.scoring.ledger import annual_ledger

    if "pdf" in formats:
        from ipscore.render.pdf import require_soffice

        require_soffice()
    result = assess_file(path, scheme, sheet=sheet, year=year, allow_missing=allow_missing)
    with Store(db) as store:
        subject = f"{result.year} 年度考核结果通报"
        taken = take_number(store, rules, when, subject, number)
        notice = build_annual_notice(result, rules, when, taken.number)
        check_pages(notice, formats, result.warnings)
        folder = sheets_dir(out, result.year)
        sheets: dict[Path, bytes] = {}
        for row in result.rows:
            ledger = annual_ledger(result, row.county)
            data = score_sheet_docx(ledger, rules.fonts, when, rules.issuer, scheme.decimals)
            sheets[folder / f"{safe_file_stem(row.county)}.docx"] = data
        targets: dict[str, Any] = annual_paths(out, result.year, formats, scheme.units.words)
        # Render everything before writing anything: a failure leaves no partial set.
        contents = {p: render(notice, fmt) for fmt, p in targets.items()}
        ensure_folder(out)
        with folder_lock(out, wait=LOCK_WAIT):
            remove_stale_circular_temps(out)
            refuse_existing(targets.values(), force)
            # A unit's score sheet already there is kept unless --force.
            contents.update({p: d for p, d in sheets.items() if force or not p.exists()})
            written = publish_files(contents, lambda: taken.register(store))
        kept = [p for p in [*targets.values(), *sheets] if p not in contents]
    return Published(result, notice, written, kept)
