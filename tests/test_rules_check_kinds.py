"""``rules check`` takes every kind of rule file by what it holds, as its own reader would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipscore.cli import app

RULES = Path(__file__).parents[1] / "rules"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("notice.toml", "通报设置"),
        ("attribution.toml", "归属规则"),
        ("targets-2019.toml", "年度目标"),
        ("units.toml", "单位表"),
    ],
)
def test_every_bundled_file_passes_as_its_kind(name: str, kind: str, tmp_path: Path) -> None:
    shutil.copytree(RULES, tmp_path / "rules")
    result = CliRunner().invoke(app, ["rules", "check", str(tmp_path / "rules" / name)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(f"（{kind}）。")


def test_a_broken_notice_file_is_named_with_its_place(tmp_path: Path) -> None:
    shutil.copytree(RULES, tmp_path / "rules")
    notice = tmp_path / "rules" / "notice.toml"
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace('issuer = "XX市知识产权局"', "issuer = 3"), encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "check", str(notice)])
    assert result.exit_code == 2
    assert "notice.issuer：应为非空文本，实际为 整数 3" in result.stderr


def test_a_units_file_with_a_nameless_unit_is_refused(tmp_path: Path) -> None:
    units = tmp_path / "units.toml"
    units.write_text('[city]\nname = "某市"\n\n[[units]]\naliases = ["甲"]\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "check", str(units)])
    assert result.exit_code == 2
    assert "units[1].name" in result.stderr
