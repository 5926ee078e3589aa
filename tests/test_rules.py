"""ipscore.rules: the reference scheme, the unit list, and checking broken rule files."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import RULES_DIR, UNITS

from ipscore.base.problems import Problem, RulesError
from ipscore.rules.parse import check_scheme_file
from ipscore.rules.resolve import load_scheme
from ipscore.rules.scheme import Scheme

REFERENCE = RULES_DIR / "monthly-2019.toml"
REFERENCE_TEXT = REFERENCE.read_text(encoding="utf-8")


def write_rules(directory: Path, text: str, name: str = "my-rules.toml") -> Path:
    """Write a rule file with units.toml copied beside it (the scheme names it relatively)."""
    shutil.copy(RULES_DIR / "units.toml", directory / "units.toml")
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(*changes: tuple[str, str]) -> str:
    """The reference scheme's text with each (old, new) replaced; each old must occur once."""
    text = REFERENCE_TEXT
    for old, new in changes:
        assert text.count(old) == 1, f"edit target not unique: {old!r}"
        text = text.replace(old, new)
    return text


def places(problems: list[Problem]) -> dict[str, Problem]:
    return {p.field or "": p for p in problems}


# --------------------------------------------------------------------------------------------
# The reference scheme


def test_reference_scheme_shape(scheme: Scheme) -> None:
    assert scheme.name == "2019年发明专利申请月度排名"
    assert scheme.kind == "monthly"
    assert scheme.year == 2019
    assert scheme.total_points == 100
    assert scheme.rounding == "half_up"
    assert scheme.decimals == 2
    assert scheme.tie_breaker == "ytd_apps"
    assert [(i.id, i.points, i.method) for i in scheme.indicators] == [
        ("volume", 40, "ratio_to_max"),
        ("growth", 30, "rank_points"),
        ("progress", 30, "target_ratio"),
    ]
    assert sum(i.points for i in scheme.indicators) == scheme.total_points


def test_reference_scheme_parameters(scheme: Scheme) -> None:
    volume, growth, progress = scheme.indicators
    assert volume.field == "ytd_apps"
    # rank 1 -> 30, -2 a place, never below 10
    assert growth.field == "growth_pct"
    assert growth.params["step"] == 2
    assert growth.params["floor"] == 10
    # 30 × min(ytd / (target × m/12), 1)
    assert progress.field == "ytd_apps"
    assert progress.params["target"] == "annual_target"
    assert progress.params["schedule"] is True
    assert progress.params["cap"] == 1
    assert scheme.derived["growth_pct"].kind == "growth"
    assert scheme.derived["growth_pct"].args == ("ytd_apps", "ytd_apps_last_year")
    assert scheme.derived["completion_pct"].args == ("ytd_apps", "annual_target")
    assert scheme.derived["completion_pct"].scale == 100
    assert scheme.fields["annual_target"].positive is True
    assert scheme.fields["ytd_apps"].not_below == "month_apps"
    assert [f.id for f in scheme.data_fields] == [
        "month_apps",
        "ytd_apps",
        "ytd_apps_last_year",
        "annual_target",
    ]


def test_reference_units_in_canonical_order(scheme: Scheme) -> None:
    assert scheme.units.names == UNITS
    assert scheme.units.city == "XX市"


@pytest.mark.parametrize(
    ("spelling", "unit"),
    [
        ("张店", "张店区"),
        ("张店区 ", "张店区"),
        ("张 店 区", "张店区"),
        ("张店区", "张店区"),
        ("高新技术产业开发区", "高新区"),
        ("高新区管委会", "高新区"),
        ("经开区", "经济开发区"),
        ("文昌湖省级旅游度假区", "文昌湖区"),
        ("文昌湖", "文昌湖区"),
        ("ｘ", None),
        ("张店新区", None),
        ("", None),
    ],
)
def test_unit_aliases_resolve(scheme: Scheme, spelling: str, unit: str | None) -> None:
    assert scheme.units.resolve(spelling) == unit


def test_total_ignored_and_note_labels(scheme: Scheme) -> None:
    units = scheme.units
    assert units.is_total("合计") and units.is_total("全 市") and units.is_total("全市合计")
    assert not units.is_total("张店区")
    assert units.is_ignored("其他") and units.is_ignored("其它")
    assert units.is_note("注：数据来源于省知识产权局专利统计月报。")
    assert units.is_note("备注")
    assert not units.is_note("张店区")


def test_reference_file_has_no_problems() -> None:
    assert check_scheme_file(REFERENCE) == []


def test_default_scheme_is_the_bundled_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IPSCORE_RULES", raising=False)
    source = load_scheme().source
    # The repository's rules/ (or the copy an installed wheel carries in ipscore/_rules).
    assert source.name == "monthly-2019.toml"
    assert source.read_bytes() == REFERENCE.read_bytes()


def test_ipscore_rules_environment_variable_chooses_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_rules(
        tmp_path, edited(('name = "2019年发明专利申请月度排名"', 'name = "试行方案"'))
    )
    monkeypatch.setenv("IPSCORE_RULES", str(path))
    assert load_scheme().name == "试行方案"


# --------------------------------------------------------------------------------------------
# Broken copies: every planted problem is listed with its place


@pytest.mark.parametrize(
    ("change", "code", "place", "says"),
    [
        (
            ('method = "ratio_to_max"', 'method = "ratio_to_maximum"'),
            "rules-unknown-method",
            "indicators[volume].method",
            "ratio_to_maximum",
        ),
        (("step = 2\n", ""), "rules-missing-key", "indicators[growth].step", "缺少此项"),
        (("step = 2\n", 'step = "2"\n'), "rules-type", "indicators[growth].step", "应为数字"),
        (("floor = 10", "flor = 10"), "rules-unknown-key", "indicators[growth].flor", "拼写错误"),
        (
            ('field = "growth_pct"', 'field = "growth_rate"'),
            "rules-unknown-field",
            "indicators[growth].field",
            "growth_rate",
        ),
        (
            ("points = 40", "points = 45"),
            "rules-points-sum",
            "scheme.total_points",
            "各指标分值之和为 105，与方案总分 100 不符",
        ),
        (("cap = 1", "cap = -1"), "rules-range", "indicators[progress].cap", "不能小于 0"),
        (
            ('rounding = "half_up"', 'rounding = "half_down"'),
            "rules-type",
            "scheme.rounding",
            "half_down",
        ),
        (("floor = 10", "floor = 31"), "rules-range", "indicators[growth].floor", "高于满分"),
        (
            ('tie_breaker = "ytd_apps"', 'tie_breaker = "ytd"'),
            "rules-unknown-field",
            "scheme.tie_breaker",
            "'ytd'",
        ),
        (
            ('target = "annual_target"', "target = 0"),
            "rules-range",
            "indicators[progress].target",
            "目标值应大于 0",
        ),
    ],
)
def test_each_planted_problem_is_reported_with_its_place(
    tmp_path: Path, change: tuple[str, str], code: str, place: str, says: str
) -> None:
    path = write_rules(tmp_path, edited(change))
    problems = check_scheme_file(path)
    assert [(p.code, p.field) for p in problems] == [(code, place)]
    problem = problems[0]
    assert says in problem.message
    assert problem.file == str(path)
    assert place in problem.line() and path.name in problem.line()
    with pytest.raises(RulesError) as caught:
        load_scheme(path)
    assert caught.value.problems == problems


def test_field_without_aliases_is_reported(tmp_path: Path) -> None:
    # A field no header alias defines can never be found in a sheet.
    section = REFERENCE_TEXT.split("[fields.annual_target]")[1]
    aliases = next(line for line in section.splitlines() if line.startswith("aliases = ["))
    text = edited((aliases, "aliases = []"))
    problems = check_scheme_file(write_rules(tmp_path, text))
    assert [(p.code, p.field) for p in problems] == [
        ("rules-no-alias", "fields.annual_target.aliases")
    ]


def test_unordered_tiers_are_reported(tmp_path: Path) -> None:
    text = edited(
        (
            'method = "rank_points"   # 第1名30分，每低一个位次减2分，最低10分；并列同分\n'
            'field = "growth_pct"\nstep = 2\nfloor = 10\n',
            'method = "tiers"\nfield = "growth_pct"\n'
            "tiers = [{ at = 0, points = 20 }, { at = 10, points = 30 }]\nbelow = 10\n",
        )
    )
    problems = check_scheme_file(write_rules(tmp_path, text))
    assert [(p.code, p.field) for p in problems] == [
        ("rules-tiers-order", "indicators[growth].tiers")
    ]
    assert "0 之后是 10" in problems[0].message


def test_toml_syntax_error_keeps_the_line_number(tmp_path: Path) -> None:
    text = edited(("decimals = 2", "decimals = = 2"))
    line = text.splitlines().index("decimals = = 2") + 1
    problems = check_scheme_file(write_rules(tmp_path, text))
    assert [p.code for p in problems] == ["rules-syntax"]
    assert f"第 {line} 行" in problems[0].message
    assert problems[0].message.startswith("TOML 语法错误")
    assert "line" not in problems[0].message  # no English from the TOML parser


def test_several_problems_are_all_listed_at_once(tmp_path: Path) -> None:
    text = edited(
        ('method = "ratio_to_max"', 'method = "ratio_max"'),
        ("floor = 10", "flor = 10"),
        ("cap = 1", "cap = -1"),
        ('rounding = "half_up"', 'rounding = "up"'),
        ('type = "unit"', 'type = "unit"\ncolour = "red"'),
    )
    problems = check_scheme_file(write_rules(tmp_path, text))
    assert sorted((p.code, p.field) for p in problems) == sorted(
        [
            ("rules-unknown-method", "indicators[volume].method"),
            ("rules-unknown-key", "indicators[growth].flor"),
            ("rules-range", "indicators[progress].cap"),
            ("rules-type", "scheme.rounding"),
            ("rules-unknown-key", "fields.county.colour"),
        ]
    )
    with pytest.raises(RulesError) as caught:
        load_scheme(tmp_path / "my-rules.toml")
    assert len(str(caught.value).splitlines()) == 5  # one line per problem


def test_points_sum_is_checked_even_when_another_indicator_is_broken(tmp_path: Path) -> None:
    text = edited(("step = 2\n", ""), ("points = 40", "points = 45"))
    problems = check_scheme_file(write_rules(tmp_path, text))
    assert {(p.code, p.field) for p in problems} == {
        ("rules-missing-key", "indicators[growth].step"),
        ("rules-points-sum", "scheme.total_points"),
    }


ANNUAL_HEAD = """
[scheme]
name = "测试年度方案"
kind = "annual"
year = 2019
total_points = 10
tie_breaker = "certified"
units = "units.toml"

[fields.county]
label = "区县"
type = "unit"
aliases = ["区县"]

[fields.certified]
label = "贯标认证企业数"
aliases = ["贯标认证企业数"]

[[indicators]]
id = "certified"
name = "贯标认证"
points = 10
field = "certified"
"""


@pytest.mark.parametrize(
    ("method", "place"),
    [
        ('method = "per_item"\neach = 2\ncap = 20\n', "indicators[certified].cap"),
        ('method = "deduction"\neach = 1\nfloor = 12\n', "indicators[certified].floor"),
    ],
    ids=["per-item-cap", "deduction-floor"],
)
def test_cap_or_floor_above_points_is_reported(tmp_path: Path, method: str, place: str) -> None:
    problems = check_scheme_file(write_rules(tmp_path, ANNUAL_HEAD + method))
    assert [(p.code, p.field) for p in problems] == [("rules-range", place)]


def test_small_annual_scheme_with_sound_cap_loads(tmp_path: Path) -> None:
    path = write_rules(tmp_path, ANNUAL_HEAD + 'method = "per_item"\neach = 2\ncap = 10\n')
    scheme = load_scheme(path)
    assert scheme.kind == "annual"
    (indicator,) = scheme.indicators
    assert (indicator.method, indicator.params["each"], indicator.params["cap"]) == (
        "per_item",
        2,
        10,
    )


def test_missing_unit_list_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "alone.toml"
    path.write_text(REFERENCE_TEXT, encoding="utf-8")  # no units.toml beside it
    problems = check_scheme_file(path)
    assert [p.code for p in problems] == ["rules-missing"]
    assert problems[0].file == str(tmp_path / "units.toml")


def test_missing_rule_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError) as caught:
        load_scheme(tmp_path / "nope.toml")
    assert [p.code for p in caught.value.problems] == ["rules-missing"]
    assert "规则文件不存在" in str(caught.value)


def test_non_utf8_rule_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes(REFERENCE_TEXT.encode("gb18030"))
    assert [p.code for p in check_scheme_file(path)] == ["rules-encoding"]


# --------------------------------------------------------------------------------------------
# Rule files are data, never code; hostile files are refused cleanly


def test_python_code_in_a_rule_file_is_plain_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = "__import__('os').system('touch PWNED')"
    path = write_rules(
        tmp_path, edited(('name = "2019年发明专利申请月度排名"', f'name = "{code}"'))
    )
    monkeypatch.chdir(tmp_path)
    scheme = load_scheme(path)
    assert scheme.name == code
    assert not (tmp_path / "PWNED").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-rules.toml", "units.toml"]


def test_oversized_rule_file_is_refused(tmp_path: Path) -> None:
    path = write_rules(tmp_path, REFERENCE_TEXT + "\n# " + "x" * 1_000_001 + "\n")
    with pytest.raises(RulesError) as caught:
        load_scheme(path)
    (problem,) = caught.value.problems
    assert problem.code == "rules-too-large"
    assert f"{path.stat().st_size} 字节" in problem.message
    assert "上限 1000000 字节" in problem.message


@pytest.mark.parametrize(
    "nested",
    [
        "a = " + "[" * 10_000 + "]" * 10_000,
        "a = " + "{ b = " * 5_000 + "1" + " }" * 5_000,
    ],
    ids=["arrays", "inline-tables"],
)
def test_deeply_nested_rule_file_is_refused_not_a_crash(tmp_path: Path, nested: str) -> None:
    path = write_rules(tmp_path, nested + "\n")
    with pytest.raises(RulesError) as caught:
        load_scheme(path)
    assert [p.code for p in caught.value.problems] == ["rules-syntax"]
    assert "嵌套层数过深" in caught.value.problems[0].message
    assert [p.code for p in check_scheme_file(path)] == ["rules-syntax"]


def test_reference_points_are_exact_fractions(scheme: Scheme) -> None:
    # Parameters are exact numbers (a float 0.1 step would otherwise drift).
    assert all(isinstance(i.points, Fraction) for i in scheme.indicators)
