"""The annual assessment worked by hand (shared/DOMAIN.md, "The reference annual scheme")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from builders_annual import ANNUAL_SAMPLE, rules_copy, sample_rows, write_annual

from ipscore.app.assess import assess_file
from ipscore.base.problems import InputError, RulesError
from ipscore.rules.resolve import resolve_scheme
from ipscore.scoring.annual import Assessment


def _assess(path: Path = ANNUAL_SAMPLE, rules: Path | None = None) -> Assessment:
    return assess_file(path, resolve_scheme(rules, "annual", "assess"))


def _points(result: Assessment, county: str) -> dict[str, str]:
    row = result.row(county)
    assert row is not None
    return {k: str(p.points) for k, p in row.parts.items()}


@pytest.fixture(scope="module")
def sample() -> Assessment:
    return _assess()


def test_zhangdian_by_hand(sample: Assessment) -> None:
    # inv_apps 15 × min(1420/1300, 1) = 15 (cap); growth 210/1210 = 17.355% is 2nd behind
    # 高新区 200/1150 = 17.391% → 10 − 0.5 = 9.50; grants 330 is the max → 10;
    # valid 1310/95.6 = 13.70 ≥ target 12 → 10 (cap); PCT 36 vs 30 = +20% ≥ 10 → 10;
    # pledge 16500/15000 → 10 (cap); insurance 42 vs 30 = +40% ≥ 30 → 5;
    # certified min(2 × 7, 10) = 10; enforcement min(15, 10) = 10; publicity min(6, 5) = 5;
    # diligence 5 − 0 = 5. base = 15 + 9.5 + 10×6 + 5×3 = 99.50.
    # bonus 3×2 + 1×3 + 2×2 = 13 → capped at 10. score 109.50, rank 1, 优秀.
    assert _points(sample, "张店区") == {
        "inv_apps": "15.00",
        "inv_growth": "9.50",
        "inv_grants": "10.00",
        "valid_per_10k": "10.00",
        "pct": "10.00",
        "pledge": "10.00",
        "insurance": "5.00",
        "certified": "10.00",
        "enforcement": "10.00",
        "publicity": "5.00",
        "diligence": "5.00",
    }
    row = sample.row("张店区")
    assert row is not None
    assert (row.base, row.bonus_raw, row.bonus, row.score) == (
        Decimal("99.50"),
        13,
        Decimal("10.00"),
        Decimal("109.50"),
    )
    assert row.bonus_capped and (row.rank, row.grade) == (1, "优秀")
    assert row.parts["inv_apps"].capped and row.parts["certified"].capped


def test_boshan_by_hand(sample: Assessment) -> None:
    # inv_apps 15 × 300/420 = 10.714 → 10.71; growth (300 − 330)/330 = −9.09%, 10th of 11
    # → 10 − 9 × 0.5 = 5.50; grants 10 × 55/330 = 1.667 → 1.67; valid 260/44.2 = 5.8824,
    # 10 × 5.8824/8 = 7.353 → 7.35; PCT 2 vs 4 = −50% → below → 4; pledge 10 × 1800/4000 = 4.50;
    # insurance 6 vs 8 = −25% → 1; certified 2 × 1 = 2; enforcement 2; publicity 0.5 × 3 = 1.5;
    # diligence max(5 − 7, 0) = 0 (the floor bites).
    # base = 10.71 + 5.5 + 1.67 + 7.35 + 4 + 4.5 + 1 + 2 + 2 + 1.5 + 0 = 40.23; no bonus.
    assert list(_points(sample, "博山区").values()) == [
        "10.71", "5.50", "1.67", "7.35", "4.00", "4.50", "1.00", "2.00", "2.00", "1.50", "0.00",
    ]  # fmt: skip
    row = sample.row("博山区")
    assert row is not None
    assert row.parts["diligence"].floored
    assert (row.score, row.rank, row.grade) == (Decimal("40.23"), 10, "不合格")


def test_gaoqing_by_hand_undefined_growth(sample: Assessment) -> None:
    # inv_apps 15 × 210/260 = 12.115 → 12.12; growth +5.00% is 8th → 10 − 3.5 = 6.50;
    # grants 10 × 40/330 = 1.212 → 1.21; valid 160/36.4 = 4.3956, 10 × 4.3956/5 = 8.79;
    # PCT 3 vs 0: undefined growth with c > 0 → 10; pledge 10 × 1500/2200 = 6.818 → 6.82;
    # insurance 5 vs 6 = −16.7% → 1; certified 4; enforcement 4; publicity 2.5; diligence 3.
    # base = 12.12 + 6.5 + 1.21 + 8.79 + 10 + 6.82 + 1 + 4 + 4 + 2.5 + 3 = 59.94 → 不合格 (< 60).
    assert list(_points(sample, "高青县").values()) == [
        "12.12", "6.50", "1.21", "8.79", "10.00", "6.82", "1.00", "4.00", "4.00", "2.50", "3.00",
    ]  # fmt: skip
    row = sample.row("高青县")
    assert row is not None
    assert (row.score, row.rank, row.grade) == (Decimal("59.94"), 9, "不合格")


def test_nothing_either_year_scores_zero(sample: Assessment) -> None:
    # 沂源县: PCT 0 vs 0 and insured firms 0 vs 0: c = b = 0 → 0 points on both tiers.
    points = _points(sample, "沂源县")
    assert (points["pct"], points["insurance"]) == ("0.00", "0.00")


def test_grades_spread_quota_and_veto(sample: Assessment) -> None:
    grades = {r.county: (r.rank, str(r.score), r.grade) for r in sample.rows}
    # floor(30% × 11) = 3: ranks 1–3 with ≥ 90 are 优秀; 经济开发区 has 94.88 but rank 4 → 良好.
    assert grades["经济开发区"] == (4, "94.88", "良好")
    # 桓台县: 93.92 and rank 5 are shown, but 一票否决 = 是 makes it 不合格.
    assert grades["桓台县"] == (5, "93.92", "不合格")
    assert sample.row("桓台县").vetoed  # type: ignore[union-attr]
    assert [r.grade for r in sample.rows] == [
        "优秀", "优秀", "优秀", "良好", "不合格", "良好",
        "合格", "合格", "不合格", "不合格", "不合格",
    ]  # fmt: skip
    # Totals are sums of rounded points plus the bonus, so the printed table adds up.
    for row in sample.rows:
        assert row.score == sum(p.points for p in row.parts.values()) + row.bonus


def test_quota_tie_at_the_cutoff_admits_every_tied_unit(tmp_path: Path) -> None:
    # 张店区 = 高新区 and 临淄区 = 经济开发区 (identical rows): ranks 1, 1, 3, 3. The quota is
    # "rank ≤ floor(0.3 × 11) = 3" (DOMAIN's wording), so all four are 优秀.
    rows = sample_rows()
    rows["高新区"] = {**rows["张店区"], "区县": "高新区"}
    rows["经济开发区"] = {**rows["临淄区"], "区县": "经济开发区"}
    result = _assess(write_annual(tmp_path / "tie.xlsx", rows))
    top = [(r.county, r.rank, r.grade) for r in result.rows[:5]]
    assert top == [
        ("张店区", 1, "优秀"),
        ("高新区", 1, "优秀"),
        ("临淄区", 3, "优秀"),
        ("经济开发区", 3, "优秀"),
        ("桓台县", 5, "不合格"),
    ]


def test_tied_growth_shares_rank_points(tmp_path: Path) -> None:
    # 高新区 given 张店区's applications (1420 vs 1210): both grow 17.355% → both rank 1 → 10;
    # the next (经济开发区, 15%) is 3rd → 10 − 2 × 0.5 = 9.00.
    rows = sample_rows()
    rows["高新区"].update({"发明专利申请量": 1420, "上年发明专利申请量": 1210})
    result = _assess(write_annual(tmp_path / "g.xlsx", rows))
    assert _points(result, "张店区")["inv_growth"] == "10.00"
    assert _points(result, "高新区")["inv_growth"] == "10.00"
    assert _points(result, "经济开发区")["inv_growth"] == "9.00"


def test_rank_points_floor(tmp_path: Path) -> None:
    # With step 1 the 11th place would get 10 − 10 = 0; the floor of 5 applies from 6th on.
    rules = rules_copy(tmp_path, lambda t: t.replace("step = 0.5", "step = 1"))
    result = _assess(rules=rules)
    last = result.row("沂源县")
    assert last is not None
    assert str(last.parts["inv_growth"].points) == "5.00" and last.parts["inv_growth"].floored


def test_changing_one_indicators_points_changes_every_total_by_the_arithmetic(
    tmp_path: Path, sample: Assessment
) -> None:
    # inv_grants 10 → 20 points (total_points 100 → 110): each unit's total moves by
    # round(20 × g / 330) − round(10 × g / 330), g its grants, 330 the max (张店区).
    rules = rules_copy(
        tmp_path,
        lambda t: t.replace("total_points = 100", "total_points = 110").replace(
            'name = "发明专利授权量"\npoints = 10', 'name = "发明专利授权量"\npoints = 20'
        ),
    )
    changed = _assess(rules=rules)
    cents = Decimal("0.01")
    for county, values in sample_rows().items():
        g = Decimal(values["发明专利授权量"])
        expected = (Decimal(20) * g / 330).quantize(cents, ROUND_HALF_UP) - (
            Decimal(10) * g / 330
        ).quantize(cents, ROUND_HALF_UP)
        before, after = sample.row(county), changed.row(county)
        assert before is not None and after is not None
        assert after.score - before.score == expected, county
    # e.g. 高新区: 20 × 300/330 = 18.18 vs 9.09 → +9.09.
    assert changed.row("高新区").score == Decimal("118.18")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("cell", "vetoed"),
    [("是", True), ("√", True), ("Y", True), (1, True), ("否", False), (0, False)],
)
def test_veto_flag_spellings(tmp_path: Path, cell: object, vetoed: bool) -> None:
    rows = sample_rows()
    rows["张店区"]["一票否决（是/否）"] = cell
    row = _assess(write_annual(tmp_path / "v.xlsx", rows)).row("张店区")
    assert row is not None
    assert row.vetoed is vetoed
    assert row.grade == ("不合格" if vetoed else "优秀")
    assert row.score == Decimal("109.50")


def test_veto_blank_or_unclear_names_the_cell(tmp_path: Path) -> None:
    rows = sample_rows()
    rows["张店区"]["一票否决（是/否）"] = None
    rows["淄川区"]["一票否决（是/否）"] = "可能"
    with pytest.raises(InputError) as caught:
        _assess(write_annual(tmp_path / "v.xlsx", rows))
    lines = [p.line() for p in caught.value.problems]
    # Row 1 is the title, row 2 the header: 张店区 is row 3, the veto column is V.
    assert any("V3" in line and "为空" in line and "请填“否”" in line for line in lines), lines
    assert any("V4" in line and "无法识别“可能”（应为“是”或“否”）" in line for line in lines), lines


def test_year_from_title_file_name_or_option(tmp_path: Path) -> None:
    untitled = write_annual(tmp_path / "考核数据.xlsx", title=None)
    with pytest.raises(InputError) as caught:
        _assess(untitled)
    assert caught.value.problems[0].code == "year-unknown"
    assert "--year" in caught.value.problems[0].message
    assert assess_file(untitled, resolve_scheme(None, "annual"), year=2019).year == 2019
    named = write_annual(tmp_path / "2020年度考核.xlsx", title=None)
    result = _assess(named)
    assert result.year == 2020
    # A 2020 sheet under the 2019 scheme is scored with a warning, as DOMAIN says.
    assert [w.code for w in result.warnings] == ["scheme-year"]


def test_monthly_rules_refused_for_assess() -> None:
    from ipscore.rules.resolve import default_scheme_path

    with pytest.raises(RulesError) as caught:
        resolve_scheme(default_scheme_path("monthly"), "annual", "assess")
    assert "ipscore rank" in caught.value.problems[0].message


def test_bonus_uses_exact_fractions(tmp_path: Path) -> None:
    # A bonus of 0.5 per provincial honour: 张店区 3 × 0.5 + 3 × 2 + 2 × 2 = 11.5 → cap 10;
    # 临淄区 0.5 × 2 + 3 × 1 + 2 × 1 = 6.
    rules = rules_copy(
        tmp_path,
        lambda t: t.replace(
            'field = "bonus_provincial"\neach = 1', 'field = "bonus_provincial"\neach = 0.5'
        ),
    )
    result = _assess(rules=rules)
    assert result.row("临淄区").bonus == Decimal("6.00")  # type: ignore[union-attr]
    assert result.row("张店区").bonus_raw == Fraction(23, 2)  # type: ignore[union-attr]


def test_ratio_to_max_when_everyone_has_nothing(tmp_path: Path) -> None:
    # max(grants) = 0: ratio to max gives 0, not a division by zero.
    rows = sample_rows()
    for values in rows.values():
        values["发明专利授权量"] = 0
    result = _assess(write_annual(tmp_path / "zero.xlsx", rows))
    assert {str(r.parts["inv_grants"].points) for r in result.rows} == {"0.00"}


def test_target_ratio_with_a_constant_target(tmp_path: Path) -> None:
    # target = 1000 for everyone: 张店区 15 × min(1420/1000, 1) = 15 (cap);
    # 淄川区 15 × 640/1000 = 9.60.
    rules = rules_copy(tmp_path, lambda t: t.replace('target = "inv_apps_target"', "target = 1000"))
    result = _assess(rules=rules)
    assert _points(result, "张店区")["inv_apps"] == "15.00"
    assert result.row("张店区").parts["inv_apps"].capped  # type: ignore[union-attr]
    assert _points(result, "淄川区")["inv_apps"] == "9.60"
