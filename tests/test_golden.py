"""Golden files: the outputs a bureau sees, byte for byte.

Each case runs one command on a bundled sample and compares its output with the file under
``tests/golden/``. A change to any of them must be on purpose: regenerate with
``IPSCORE_GOLDEN=update python -m pytest tests/test_golden.py`` and say why in the commit.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipscore.cli.common import app

REPO = Path(__file__).parents[1]
GOLDEN = Path(__file__).parent / "golden"
SAMPLES = REPO / "samples"

CASES: dict[str, list[str]] = {
    "rank-2019-05.txt": ["rank", "{s}/2019-05.xlsx"],
    "rank-2019-05.json": ["rank", "{s}/2019-05.xlsx", "-f", "json"],
    "rank-2019-05.csv": ["rank", "{s}/2019-05.xlsx", "-f", "csv"],
    "rank-2019-05.md": ["rank", "{s}/2019-05.xlsx", "-f", "md"],
    "explain-2019-05-张店.txt": ["explain", "{s}/2019-05.xlsx", "张店"],
    "explain-annual-经济开发区.txt": ["explain", "{s}/2019-annual.xlsx", "经济开发区"],
    "assess-annual.json": ["assess", "{s}/2019-annual.xlsx", "-f", "json"],
    "assess-annual.csv": ["assess", "{s}/2019-annual.xlsx", "-f", "csv"],
    "assess-annual.md": ["assess", "{s}/2019-annual.xlsx", "-f", "md"],
}


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("IPSCORE_GOLDEN") == "update":
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual, f"{name} differs from its golden file"


@pytest.mark.parametrize("name", sorted(CASES))
def test_command_output_matches_golden(name: str, tmp_path: Path) -> None:
    args = [a.format(s=SAMPLES) for a in CASES[name]]
    result = CliRunner().invoke(
        app, args, env={"COLUMNS": "140", "IPSCORE_DB": str(tmp_path / "h.db")}
    )
    assert result.exit_code == 0, result.output
    _check(name, result.stdout)


def test_june_circular_markdown_matches_golden(tmp_path: Path) -> None:
    out = tmp_path / "通报"
    result = CliRunner().invoke(
        app,
        [
            "notice",
            str(SAMPLES / "2019-06.xlsx"),
            "--out",
            str(out),
            "--prev",
            str(SAMPLES / "2019-05.xlsx"),
            "--date",
            "2019-07-05",
            "--formats",
            "md",
            "--db",
            str(tmp_path / "h.db"),
        ],
    )
    assert result.exit_code == 0, result.output
    (md,) = out.glob("*.md")
    _check("notice-2019-06.md", md.read_text(encoding="utf-8"))
