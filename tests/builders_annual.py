"""Annual assessment fixtures: the sample's rows as dicts and a sheet builder for variants.

The rows are read from samples/generate_annual.py (the generator of samples/2019-annual.xlsx),
so a test can start from the sample and change only what it is about.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

from openpyxl import Workbook

REPO = Path(__file__).parents[1]
RULES = REPO / "rules"
ANNUAL_RULES = RULES / "annual-2019.toml"
ANNUAL_SAMPLE = REPO / "samples" / "2019-annual.xlsx"

_spec = importlib.util.spec_from_file_location(
    "generate_annual", REPO / "samples" / "generate_annual.py"
)
assert _spec is not None and _spec.loader is not None
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)

HEADERS: tuple[str, ...] = generator.HEADERS[1:]  # without 序号


def sample_rows() -> dict[str, dict[str, Any]]:
    """The sample's rows: {county: {header: value}}."""
    return {row[0]: dict(zip(HEADERS, row, strict=True)) for row in generator.ROWS}


def write_annual(
    path: Path,
    rows: dict[str, dict[str, Any]] | None = None,
    *,
    title: str | None = "2019年度区县知识产权工作考核数据表",
) -> Path:
    """An annual sheet: optional title row, the header row, one row per unit."""
    rows = rows if rows is not None else sample_rows()
    wb = Workbook()
    ws = wb.active
    if title is not None:
        ws.append([title])
    ws.append(list(HEADERS))
    for values in rows.values():
        ws.append([values[h] for h in HEADERS])
    wb.save(path)
    return path


def rules_copy(tmp_path: Path, edit: Any = None, name: str = "annual.toml") -> Path:
    """A copy of the annual rules (with units.toml beside it), ``edit(text) -> text`` applied."""
    shutil.copy(RULES / "units.toml", tmp_path / "units.toml")
    text = ANNUAL_RULES.read_text(encoding="utf-8")
    if edit is not None:
        text = edit(text)
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target
