"""The one default-rules resolver: --rules, else IPSCORE_RULES, else built in — and the kind."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO, RULES_DIR, SAMPLES_DIR
from typer.testing import CliRunner

from ipscore.base.problems import RulesError
from ipscore.cli.common import app
from ipscore.rules.resolve import default_scheme, is_official, resolve_scheme

MAY = SAMPLES_DIR / "2019-05.xlsx"
ANNUAL_RULES = RULES_DIR / "annual-2019.toml"
ANNUAL = SAMPLES_DIR / "2019-annual.xlsx"
MONTHLY_NAME = "2019年发明专利申请月度排名"
ANNUAL_NAME = "2019年区县知识产权工作考核"
RANK_REFUSAL = (
    '错误：rules/annual-2019.toml：这是年度考核方案（kind = "annual"），'
    'rank 需要月度排名方案（kind = "monthly"）；年度考核请用 ipscore assess\n'
)


@pytest.fixture(autouse=True)
def _no_env_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IPSCORE_RULES", raising=False)


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def copy_rules(folder: Path, source: str, old: str, new: str) -> Path:
    """A copy of a bundled scheme with one text replaced, units.toml beside it."""
    folder.mkdir(exist_ok=True)
    shutil.copy(RULES_DIR / "units.toml", folder / "units.toml")
    text = (RULES_DIR / source).read_text("utf-8")
    assert old in text
    target = folder / f"copy-{source}"
    target.write_text(text.replace(old, new), "utf-8")
    return target


def test_rank_on_the_annual_scheme_is_refused_naming_the_file_as_typed(
    monkeypatch: pytest.MonkeyPatch, _history_store: Path
) -> None:
    monkeypatch.chdir(REPO)
    result = invoke("rank", "samples/2019-annual.xlsx", "--rules", "rules/annual-2019.toml")
    assert result.exit_code == 2
    assert result.stderr == RANK_REFUSAL
    assert result.stdout == ""
    assert not _history_store.exists()  # nothing recorded, not even an empty store


@pytest.mark.parametrize(
    "args",
    [
        ("rank", MAY, "--compare", ANNUAL_RULES),
        ("validate", MAY, "--rules", ANNUAL_RULES),
        ("template", "--month", "2019-06", "-o", "{tmp}/t.xlsx", "-r", ANNUAL_RULES),
        ("merge", MAY, "-o", "{tmp}/m.xlsx", "--rules", ANNUAL_RULES),
        ("trend", "--county", "张店", "--rules", ANNUAL_RULES),
        ("trend", "--rules", ANNUAL_RULES),
    ],
    ids=["rank-compare", "validate", "template", "merge", "trend-county", "trend"],
)
def test_monthly_commands_refuse_the_annual_scheme(
    args: tuple, tmp_path: Path, _history_store: Path
) -> None:
    args = tuple(str(a).replace("{tmp}", str(tmp_path)) for a in args)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    command = args[0]
    assert f"{ANNUAL_RULES}：这是年度考核方案" in result.stderr
    assert f'{command} 需要月度排名方案（kind = "monthly"）' in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # no template, no merged table, no circular
    assert not _history_store.exists()  # and nothing recorded


@pytest.mark.parametrize("option", ["--rules", "--compare"])
def test_assess_refuses_the_monthly_scheme(option: str) -> None:
    result = invoke("assess", ANNUAL, option, RULES_DIR / "monthly-2019.toml")
    assert result.exit_code == 2
    assert result.stderr == (
        f"错误：{RULES_DIR / 'monthly-2019.toml'}："
        '这是月度排名方案（kind = "monthly"），assess 需要年度考核方案（kind = "annual"）；'
        "月度排名请用 ipscore rank\n"
    )


def test_explain_takes_either_kind_and_picks_by_headers() -> None:
    monthly = invoke("explain", MAY, "张店", "--rules", RULES_DIR / "monthly-2019.toml")
    annual = invoke("explain", ANNUAL, "张店", "--rules", RULES_DIR / "annual-2019.toml")
    assert monthly.exit_code == 0 and MONTHLY_NAME in monthly.stdout
    assert annual.exit_code == 0 and ANNUAL_NAME in annual.stdout
    assert MONTHLY_NAME in invoke("explain", MAY, "张店").stdout
    assert ANNUAL_NAME in invoke("explain", ANNUAL, "张店").stdout


def test_environment_names_the_house_scheme_of_each_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monthly = copy_rules(
        tmp_path / "m", "monthly-2019.toml", f'name = "{MONTHLY_NAME}"', 'name = "本市月度方案"'
    )
    annual = copy_rules(
        tmp_path / "a", "annual-2019.toml", f'name = "{ANNUAL_NAME}"', 'name = "本市年度方案"'
    )
    # One monthly file: rank uses it, assess keeps the built-in annual scheme.
    monkeypatch.setenv("IPSCORE_RULES", str(monthly))
    assert json.loads(invoke("rank", MAY, "-f", "json").stdout)["scheme"] == "本市月度方案"
    assert json.loads(invoke("assess", ANNUAL, "-f", "json").stdout)["scheme"] == ANNUAL_NAME
    # Both, separated like PATH: each command takes the one of its kind, explain too.
    monkeypatch.setenv("IPSCORE_RULES", f"{annual}{os.pathsep}{monthly}")
    assert json.loads(invoke("assess", ANNUAL, "-f", "json").stdout)["scheme"] == "本市年度方案"
    assert json.loads(invoke("rank", MAY, "-f", "json").stdout)["scheme"] == "本市月度方案"
    assert "本市年度方案" in invoke("explain", ANNUAL, "张店").stdout
    assert "本市月度方案" in invoke("explain", MAY, "张店").stdout
    # An explicit --rules still wins, and is still checked.
    explicit = invoke("rank", MAY, "-f", "json", "--rules", RULES_DIR / "monthly-2019.toml")
    assert json.loads(explicit.stdout)["scheme"] == MONTHLY_NAME


def test_environment_with_two_schemes_of_one_kind_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = copy_rules(tmp_path / "1", "monthly-2019.toml", "decimals = 2", "decimals = 2")
    two = copy_rules(tmp_path / "2", "monthly-2019.toml", "decimals = 2", "decimals = 2")
    monkeypatch.setenv("IPSCORE_RULES", f"{one}{os.pathsep}{two}")
    result = invoke("rank", MAY)
    assert result.exit_code == 2
    assert "IPSCORE_RULES 列出了多个月度排名方案" in result.stderr
    assert str(one) in result.stderr and str(two) in result.stderr


def test_a_broken_environment_file_is_an_error_not_a_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPSCORE_RULES", str(tmp_path / "missing.toml"))
    result = invoke("rank", MAY)
    assert result.exit_code == 2
    assert f"{tmp_path / 'missing.toml'}：规则文件不存在" in result.stderr


def test_official_is_the_default_whatever_path_names_it(tmp_path: Path) -> None:
    builtin = resolve_scheme(None, "monthly")
    same = resolve_scheme(
        copy_rules(tmp_path / "same", "monthly-2019.toml", "# 2019", "# 复制的 2019"), "monthly"
    )
    weights = resolve_scheme(
        copy_rules(tmp_path / "w", "monthly-2019.toml", "step = 2", "step = 3"), "monthly"
    )
    assert is_official(builtin) and is_official(same)
    assert not is_official(weights)
    assert is_official(default_scheme("annual"))
    with pytest.raises(RulesError) as caught:
        resolve_scheme(RULES_DIR / "monthly-2019.toml", "annual", "assess")
    assert [p.code for p in caught.value.problems] == ["rules-kind"]


def test_notice_with_the_annual_scheme_on_a_monthly_sheet_writes_nothing(
    tmp_path: Path, _history_store: Path
) -> None:
    # notice takes either kind (the annual scheme makes the annual results circular), so the
    # monthly sheet is refused for what it lacks, with nothing published or recorded.
    result = invoke("notice", MAY, "--out", f"{tmp_path}/out", "--rules", ANNUAL_RULES)
    assert result.exit_code == 2, result.output
    assert "找不到“一票否决（是/否）”列" in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    assert not _history_store.exists()
