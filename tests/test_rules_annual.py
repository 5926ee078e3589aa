"""The rule language's annual additions, `rules check` on broken copies, hostile rule files."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders_annual import ANNUAL_RULES, RULES, rules_copy

from ipscore.base.problems import RulesError
from ipscore.rules.parse import check_scheme_file
from ipscore.rules.resolve import load_scheme
from ipscore.rules.source import MAX_RULE_FILE_BYTES


def _places(problems: list) -> dict[str, str]:
    return {p.field: p.message for p in problems}


def test_reference_rule_files_are_clean() -> None:
    assert check_scheme_file(ANNUAL_RULES) == []
    assert check_scheme_file(RULES / "monthly-2019.toml") == []
    scheme = load_scheme(ANNUAL_RULES)
    assert [i.id for i in scheme.indicators] == [
        "inv_apps", "inv_growth", "inv_grants", "valid_per_10k", "pct", "pledge",
        "insurance", "certified", "enforcement", "publicity", "diligence",
    ]  # fmt: skip
    assert [i.points for i in scheme.indicators] == [15, 10, 10, 10, 10, 10, 5, 10, 10, 5, 5]
    assert scheme.tie_breaker == "inv_apps" and scheme.bonus is not None
    assert scheme.bonus.cap == 10
    assert [(b.field, b.each) for b in scheme.bonus.items] == [
        ("bonus_national", 3),
        ("bonus_provincial", 1),
        ("high_value_groups", 2),
    ]
    assert scheme.grades is not None and scheme.veto is not None
    assert [(b.name, b.at, b.quota) for b in scheme.grades.bands] == [
        ("优秀", 90, pytest.approx(0.3)),
        ("良好", 80, None),
        ("合格", 60, None),
    ]
    assert scheme.veto.field == "veto" and scheme.fields["veto"].type == "flag"


def test_broken_copy_lists_every_planted_problem_with_its_place(tmp_path: Path) -> None:
    def plant(text: str) -> str:
        return (
            text.replace(
                'method = "ratio_to_max"  # 10 × 授权量 / 最大授权量', 'method = "ratio_to_mean"'
            )
            .replace("step = 0.5\n", 'step = "0.5"\n')
            .replace('target = "pledge_target"\n', "")
            .replace('field = "certified_firms"', 'field = "certified_companies"')
            .replace(
                "tiers = [{ at = 30, points = 5 }, { at = 0, points = 3 }]",
                "tiers = [{ at = 0, points = 3 }, { at = 30, points = 5 }]",
            )
            .replace("each = 1\ncap = 10", "each = 1\ncap = -1")
            .replace(
                'name = "政务信息被采用条数"\npoints = 5', 'name = "政务信息被采用条数"\npoints = 6'
            )
        )

    problems = check_scheme_file(rules_copy(tmp_path, plant))
    places = _places(problems)
    assert set(places) == {
        "indicators[inv_grants].method",
        "indicators[inv_growth].step",
        "indicators[pledge].target",
        "indicators[certified].field",
        "indicators[insurance].tiers",
        "indicators[enforcement].cap",
        "scheme.total_points",
    }, places
    assert "ratio_to_mean" in places["indicators[inv_grants].method"]
    assert "应为数字" in places["indicators[inv_growth].step"]
    assert "缺少" in places["indicators[pledge].target"]
    assert "certified_companies" in places["indicators[certified].field"]
    assert "从高到低" in places["indicators[insurance].tiers"]
    assert "不能小于 0" in places["indicators[enforcement].cap"]
    assert "101" in places["scheme.total_points"] and "100" in places["scheme.total_points"]
    # Each problem prints as one line naming the file and the place.
    assert all("annual.toml" in p.line() and p.field in p.line() for p in problems)


def test_annual_parts_checked(tmp_path: Path) -> None:
    def plant(text: str) -> str:
        return (
            text.replace("[bonus]\ncap = 10", "[bonus]\ncap = -2")
            .replace('field = "bonus_national"', 'field = "bonus_global"')
            .replace(
                '{ name = "良好", at = 80 },\n  { name = "合格", at = 60 },',
                '{ name = "合格", at = 60 },\n  { name = "良好", at = 80, quota = 1.5 },',
            )
            .replace(
                '[fields.veto]\nlabel = "一票否决（是/否）"\ntype = "flag"',
                '[fields.veto]\nlabel = "一票否决（是/否）"\ntype = "count"',
            )
        )

    places = _places(check_scheme_file(rules_copy(tmp_path, plant)))
    assert "不能小于 0" in places["bonus.cap"]
    assert "bonus_global" in places["bonus.items[national].field"]
    assert "从高到低" in places["grades.bands"]
    assert "不超过 1" in places["grades.bands[3].quota"]
    assert "flag" in places["veto.field"]


def test_field_without_alias_and_overlapping_tiers(tmp_path: Path) -> None:
    def plant(text: str) -> str:
        return text.replace('aliases = ["迟报漏报次数", "迟报漏报"]', "aliases = []").replace(
            "tiers = [{ at = 10, points = 10 }, { at = 0, points = 7 }]",
            "tiers = [{ at = 10, points = 10 }, { at = 10, points = 7 }]",
        )

    places = _places(check_scheme_file(rules_copy(tmp_path, plant)))
    assert "表头" in places["fields.late_reports.aliases"]
    assert "不重叠" in places["indicators[pct].tiers"]


def test_monthly_scheme_cannot_carry_annual_parts(tmp_path: Path) -> None:
    import shutil

    shutil.copy(RULES / "units.toml", tmp_path / "units.toml")
    text = (RULES / "monthly-2019.toml").read_text(encoding="utf-8")
    path = tmp_path / "m.toml"
    path.write_text(text + '\n[veto]\nfield = "ytd_apps"\n', encoding="utf-8")
    places = _places(check_scheme_file(path))
    assert "年度方案" in places["veto"]


# --------------------------------------------------------------------------------------------
# Hostile rule files: rejected (or read as plain text) without running anything.


def test_string_where_a_number_belongs(tmp_path: Path) -> None:
    path = rules_copy(tmp_path, lambda t: t.replace("[bonus]\ncap = 10", '[bonus]\ncap = "ten"'))
    with pytest.raises(RulesError) as caught:
        load_scheme(path)
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("bonus.cap", "应为数字，实际为 文本 'ten'")
    ]


def test_python_code_in_values_is_plain_text(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    code = f"__import__('os').system('touch {marker}')"
    path = rules_copy(
        tmp_path,
        lambda t: t.replace('name = "2019年区县知识产权工作考核"', f'name = "{code}"').replace(
            'method = "deduction"', f'method = "{code}"'
        ),
    )
    problems = check_scheme_file(path)
    assert [p.field for p in problems] == ["indicators[diligence].method"]
    assert "未知的计分方法" in problems[0].message
    fixed = path.read_text(encoding="utf-8").replace(f'method = "{code}"', 'method = "deduction"')
    path.write_text(fixed, encoding="utf-8")
    assert load_scheme(path).name == code  # a name, never run
    assert not marker.exists()


def test_ten_megabyte_file_refused(tmp_path: Path) -> None:
    path = rules_copy(tmp_path, lambda t: t + "# " + "x" * (10 * 1024 * 1024) + "\n")
    assert path.stat().st_size > MAX_RULE_FILE_BYTES
    problems = check_scheme_file(path)
    assert [p.code for p in problems] == ["rules-too-large"]


@pytest.mark.parametrize("depth", [1000, 50_000])
def test_deep_nesting_refused(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    problems = check_scheme_file(path)
    assert [p.code for p in problems] == ["rules-syntax"]
    assert "嵌套" in problems[0].message


def test_syntax_error_keeps_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[scheme]\nname = "x"\nkind = \n', encoding="utf-8")
    problems = check_scheme_file(path)
    assert [p.code for p in problems] == ["rules-syntax"]
    assert "第 3 行第 8 列" in problems[0].message
