"""Inside a working folder (``ipscore init``), commands read the folder's own rule files.

The analyst edits ``rules/notice.toml`` (the bureau's name) and ``rules/monthly-2019.toml`` in
the folder ``init`` made, then runs the monthly steps there without any --rules: the edits
apply, and the edited scheme is the folder's official one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipscore.cli import app

SAMPLES = Path(__file__).parents[1] / "samples"


def _run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "IPSCORE_DB": ""})


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("IPSCORE_RULES", raising=False)
    monkeypatch.delenv("IPSCORE_DB", raising=False)
    result = _run("init", str(tmp_path / "局"))
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "局")
    return tmp_path / "局"


def test_rank_uses_the_folders_edited_scheme(folder: Path) -> None:
    rules = folder / "rules" / "monthly-2019.toml"
    text = rules.read_text(encoding="utf-8")
    # 总量 40 → 50, 进度 30 → 20: 高新区's total is 50 × 480/520 + 24 + 20 = 90.15…; by hand
    # from DOMAIN.md's May figures: volume 46.15, growth 24.00, progress 20.00 → 90.15.
    text = text.replace("points = 40", "points = 50", 1)
    head, _, tail = text.rpartition("points = 30")
    rules.write_text(head + "points = 20" + tail, encoding="utf-8")
    result = _run("rank", str(SAMPLES / "2019-05.xlsx"), "-f", "json")
    assert result.exit_code == 0, result.output
    rows = {r["county"]: r for r in json.loads(result.stdout)["rows"]}
    assert rows["高新区"]["parts"] == {"volume": 46.15, "growth": 24.0, "progress": 20.0}
    assert rows["高新区"]["score"] == 90.15
    history = _run("history", "-f", "json")
    assert history.exit_code == 0, history.output
    (month,) = json.loads(history.stdout)
    assert month["month"] == "2019-05" and month["official"] is True
    assert (folder / "ipscore.db").is_file()  # the folder's own store


def test_notice_uses_the_folders_wording(folder: Path) -> None:
    notice = folder / "rules" / "notice.toml"
    text = notice.read_text(encoding="utf-8").replace("XX市知识产权局", "潍坊市知识产权局")
    notice.write_text(text, encoding="utf-8")
    result = _run(
        "notice",
        str(SAMPLES / "2019-05.xlsx"),
        "--out",
        "通报",
        "--date",
        "2019-06-05",
        "--formats",
        "md",
    )
    assert result.exit_code == 0, result.output
    (md,) = (folder / "通报").glob("*.md")
    assert "潍坊市知识产权局" in md.read_text(encoding="utf-8")
    assert "XX市知识产权局" not in md.read_text(encoding="utf-8")


def test_a_linked_rule_file_in_the_folder_is_not_taken(folder: Path, tmp_path: Path) -> None:
    # A rules/ entry that is a symlink is not the folder's own file: the bundled one is read.
    elsewhere = tmp_path / "elsewhere.toml"
    notice = folder / "rules" / "notice.toml"
    elsewhere.write_text(notice.read_text(encoding="utf-8").replace("XX市", "别处市"), "utf-8")
    notice.unlink()
    notice.symlink_to(elsewhere)
    result = _run(
        "notice",
        str(SAMPLES / "2019-05.xlsx"),
        "--out",
        "通报",
        "--date",
        "2019-06-05",
        "--formats",
        "md",
    )
    assert result.exit_code == 0, result.output
    (md,) = (folder / "通报").glob("*.md")
    assert "别处市" not in md.read_text(encoding="utf-8")
