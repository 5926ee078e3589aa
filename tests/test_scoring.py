"""ipscore.scoring: the reference monthly scheme worked by hand (DOMAIN.md), ties and rounding."""

from __future__ import annotations

import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import RULES_DIR, SAMPLES_DIR, UNITS

from ipscore.base.period import Period
from ipscore.intake.model import DataTable, Record
from ipscore.intake.table import load_table
from ipscore.rules.resolve import load_scheme
from ipscore.rules.scheme import Scheme
from ipscore.scoring.score import Ranking, ScoredRow, competition_ranks, score

D = Decimal


def make_table(
    rows: list[tuple[str, int, int, int, int]], period: Period | None = None
) -> DataTable:
    """A loaded-table stand-in: (county, month_apps, ytd, ytd_last_year, annual_target).

    The period is December 2019 unless given (m = 12: the schedule target is the whole target).
    """
    records = []
    for index, (county, month, ytd, last, target) in enumerate(rows):
        values = {
            "month_apps": month,
            "ytd_apps": ytd,
            "ytd_apps_last_year": last,
            "annual_target": target,
        }
        records.append(Record(county, county, index + 4, values=values))
    return DataTable("synthetic.xlsx", "统计表", period or Period(2019, 12), records, columns={})


def make_annual_table(rows: dict[str, dict[str, int]]) -> DataTable:
    records = [
        Record(county, county, index + 3, values=dict(values))
        for index, (county, values) in enumerate(rows.items())
    ]
    return DataTable("annual.xlsx", "Sheet1", Period(2019), records, columns={})


def row(ranking: Ranking, county: str) -> ScoredRow:
    found = ranking.row(county)
    assert found is not None, county
    return found


def points(ranking: Ranking, county: str) -> tuple[Decimal, ...]:
    r = row(ranking, county)
    return (*(p.points for p in r.parts.values()), r.score)


def with_units(directory: Path, text: str, name: str = "scheme.toml") -> Scheme:
    shutil.copy(RULES_DIR / "units.toml", directory / "units.toml")
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return load_scheme(path)


# --------------------------------------------------------------------------------------------
# The May 2019 sample, by hand
#
# max ytd = 520 (张店区); m = 5, so the schedule target is annual_target × 5/12.
# Growth = (ytd − last) / last: 高青 16/64 = 25%, 文昌湖 8/32 = 25%, 经开 15/61 = 24.59%,
# 桓台 30/150 = 20%, 高新 80/400 = 20%, 张店 50/470 = 10.64%, 周村 15/175 = 8.57%,
# 临淄 20/280 = 7.14%, 淄川 0/230 = 0%, 沂源 −5/100 = −5%, 博山 −10/150 = −6.67%.
# Competition ranks 1,1,3,4,4,6,7,8,9,10,11 → points 30 − 2 × (rank − 1), floor 10.
MAY_EXPECTED: dict[str, tuple[str, str, str, str, int]] = {
    # unit: (volume, growth, progress, total, rank)
    # 高新: 40 × 480/520 = 36.923 → 36.92; rank 4 → 24; 480 / (1150 × 5/12 = 479.17) > 1 → 30
    "高新区": ("36.92", "24.00", "30.00", "90.92", 1),
    # 张店: 40; rank 6 → 20; 520 / (1300 × 5/12 = 541.67) = 0.96 → 28.80
    "张店区": ("40.00", "20.00", "28.80", "88.80", 2),
    # 临淄: 40 × 300/520 = 23.077 → 23.08; rank 8 → 16; 300 / 291.67 > 1 → 30
    "临淄区": ("23.08", "16.00", "30.00", "69.08", 3),
    # 桓台: 40 × 180/520 = 13.846 → 13.85; rank 4 → 24; 180 / 175 > 1 → 30
    "桓台县": ("13.85", "24.00", "30.00", "67.85", 4),
    # 高青: 40 × 80/520 = 6.154 → 6.15; rank 1 → 30; 80 / 83.33 = 0.96 → 28.80
    "高青县": ("6.15", "30.00", "28.80", "64.95", 5),
    # 周村: 40 × 190/520 = 14.615 → 14.62; rank 7 → 18; 190 / 187.5 > 1 → 30
    "周村区": ("14.62", "18.00", "30.00", "62.62", 6),
    # 文昌湖: 40 × 40/520 = 3.077 → 3.08; rank 1 → 30; 40 / 41.67 = 0.96 → 28.80
    "文昌湖区": ("3.08", "30.00", "28.80", "61.88", 7),
    # 经开: 40 × 76/520 = 5.846 → 5.85; rank 3 → 26; 76 / 75 > 1 → 30
    "经济开发区": ("5.85", "26.00", "30.00", "61.85", 8),
    # 淄川: 40 × 230/520 = 17.692 → 17.69; rank 9 → 14; 230 / 250 = 0.92 → 27.60
    "淄川区": ("17.69", "14.00", "27.60", "59.29", 9),
    # 沂源: 40 × 95/520 = 7.308 → 7.31; rank 10 → 12; 95 / 91.67 > 1 → 30
    "沂源县": ("7.31", "12.00", "30.00", "49.31", 10),
    # 博山: 40 × 140/520 = 10.769 → 10.77; rank 11 → 30 − 20 = 10 (the floor); 140/150 → 28
    "博山区": ("10.77", "10.00", "28.00", "48.77", 11),
}


@pytest.fixture(scope="module")
def may(scheme: Scheme) -> Ranking:
    return score(load_table(SAMPLES_DIR / "2019-05.xlsx", scheme), scheme)


def test_may_ranking_order(may: Ranking) -> None:
    assert [r.county for r in may.rows] == list(MAY_EXPECTED)
    assert [r.rank for r in may.rows] == list(range(1, 12))


@pytest.mark.parametrize("county", list(MAY_EXPECTED))
def test_may_points_by_hand(may: Ranking, county: str) -> None:
    volume, growth, progress, total, rank = MAY_EXPECTED[county]
    r = row(may, county)
    assert points(may, county) == (D(volume), D(growth), D(progress), D(total))
    assert str(r.score) == total  # two decimals, as printed
    assert r.rank == rank
    assert r.rank_change is None  # no previous month given


def test_may_total_is_sum_of_rounded_points(may: Ranking) -> None:
    for r in may.rows:
        assert r.score == sum(p.points for p in r.parts.values())


def test_may_growth_ties_share_points(may: Ranking) -> None:
    # 高青 and 文昌湖 both exactly 25%: both rank 1, both 30.
    for county in ("高青县", "文昌湖区"):
        part = row(may, county).parts["growth"]
        assert (part.rank, part.points) == (1, D("30.00"))
        assert row(may, county).derived["growth_pct"] == 25
    # 经开 24.59% is third (two units ahead), not second.
    assert row(may, "经济开发区").parts["growth"].rank == 3
    # 高新 and 桓台 both exactly 20%: both rank 4 → 30 − 3 × 2 = 24; next is 6th (张店).
    for county in ("高新区", "桓台县"):
        part = row(may, county).parts["growth"]
        assert (part.rank, part.points) == (4, D("24.00"))
    assert row(may, "张店区").parts["growth"].rank == 6


def test_may_last_growth_rank_gets_the_floor(may: Ranking) -> None:
    part = row(may, "博山区").parts["growth"]
    assert part.rank == 11
    assert part.points == D("10.00")  # 30 − 10 × 2 = 10: exactly the floor, not below it
    assert row(may, "沂源县").parts["growth"].points == D("12.00")


def test_may_capped_progress_is_flagged(may: Ranking) -> None:
    assert row(may, "高新区").parts["progress"].capped is True  # 480 > 479.17
    assert row(may, "张店区").parts["progress"].capped is False  # 0.96 of schedule
    assert row(may, "高新区").parts["progress"].exact == 30
    assert row(may, "张店区").parts["progress"].exact == Fraction(144, 5)  # 30 × 0.96


def test_may_citywide_figures(may: Ranking) -> None:
    assert may.totals == {
        "month_apps": 550,
        "ytd_apps": 2331,
        "ytd_apps_last_year": 2112,
        "annual_target": 5680,
    }
    growth = may.total_derived["growth_pct"]
    completion = may.total_derived["completion_pct"]
    assert growth == Fraction(219 * 100, 2112)  # (2331 − 2112) / 2112 = 10.369% → 10.37
    assert completion == Fraction(2331 * 100, 5680)  # 2331 / 5680 = 41.039% → 41.04
    assert may.schedule_pct == Fraction(125, 3)  # 5/12 = 41.667% → 41.67
    from ipscore.base.numbers import fmt

    assert (fmt(growth), fmt(completion), fmt(may.schedule_pct)) == ("10.37", "41.04", "41.67")
    assert may.period == Period(2019, 5)


def test_may_schedule(may: Ranking) -> None:
    # 张店 520/1300 = 40.00% < 41.67%: behind; 高新 480/1150 = 41.74% ≥ 41.67%: not behind.
    assert may.behind_schedule(row(may, "张店区")) is True
    assert may.behind_schedule(row(may, "高新区")) is False
    behind = [r.county for r in may.rows if may.behind_schedule(r)]
    # completion: 淄川 38.33, 博山 38.89, 张店/高青/文昌湖 40.00 are below 41.67
    assert sorted(behind) == sorted(["张店区", "淄川区", "博山区", "高青县", "文昌湖区"])


def test_january_sample_undefined_growth_ranks_first(scheme: Scheme) -> None:
    # January 2019: 文昌湖区 8 applications against 0 in January 2018 — growth undefined but
    # c > 0, so it ranks above 周村区's 41/32 = 28.13%, the best defined growth.
    ranking = score(load_table(SAMPLES_DIR / "2019-01.xlsx", scheme), scheme)
    wenchanghu = row(ranking, "文昌湖区")
    assert wenchanghu.derived["growth_pct"] is None
    assert (wenchanghu.parts["growth"].rank, wenchanghu.parts["growth"].points) == (1, D("30"))
    zhoucun = row(ranking, "周村区").parts["growth"]
    assert (zhoucun.rank, zhoucun.points) == (2, D("28.00"))


# --------------------------------------------------------------------------------------------
# Ties on the total


def test_tie_on_total_broken_by_ytd(scheme: Scheme) -> None:
    # December (m = 12), every target equals ytd → progress 30 for all. max ytd = 100.
    # 张店 100 vs 50: growth 100% (rank 1, 30), volume 40          → 100.00
    # 淄川  60 vs 40: growth 50%   (rank 2, 28), volume 40×60/100 = 24 →  82.00
    # 博山  70 vs 70: growth 0%    (rank 4, 24), volume 40×70/100 = 28 →  82.00
    # 临淄  12 vs 10: growth 20%   (rank 3, 26), volume 40×12/100 = 4.8 → 60.80
    # 淄川 and 博山 tie on 82.00; 博山 has more ytd_apps (70 > 60) so it ranks 2nd, ahead of
    # 淄川 although 淄川 comes first in the canonical order.
    table = make_table(
        [
            ("张店区", 10, 100, 50, 100),
            ("淄川区", 10, 60, 40, 60),
            ("博山区", 10, 70, 70, 70),
            ("临淄区", 1, 12, 10, 12),
        ]
    )
    ranking = score(table, scheme)
    assert [(r.county, r.rank, str(r.score)) for r in ranking.rows] == [
        ("张店区", 1, "100.00"),
        ("博山区", 2, "82.00"),
        ("淄川区", 3, "82.00"),
        ("临淄区", 4, "60.80"),
    ]


def test_full_tie_shares_a_rank_and_skips_the_next(scheme: Scheme) -> None:
    # 张店 100 vs 50 → 40 + 30 + 30 = 100.
    # 淄川 and 博山 identical (50 vs 50, target 50): 20 + 28 (0%, rank 2 shared) + 30 = 78.
    # 临淄 10 vs 20 (−50%, rank 4 → 24): 4 + 24 + 30 = 58.
    # Ranks 1, 2, 2, 4; the tied pair in canonical order (淄川 before 博山).
    table = make_table(
        [
            ("临淄区", 1, 10, 20, 10),
            ("博山区", 5, 50, 50, 50),
            ("淄川区", 5, 50, 50, 50),
            ("张店区", 10, 100, 50, 100),
        ]
    )
    ranking = score(table, scheme)
    assert [(r.county, r.rank, str(r.score)) for r in ranking.rows] == [
        ("张店区", 1, "100.00"),
        ("淄川区", 2, "78.00"),
        ("博山区", 2, "78.00"),
        ("临淄区", 4, "58.00"),
    ]


def test_competition_ranks() -> None:
    assert competition_ranks([5, 3, 3, 1]) == [1, 2, 2, 4]
    assert competition_ranks([1, 1, 1]) == [1, 1, 1]
    assert competition_ranks([(1, 2), (1, 3), (0, 9)]) == [2, 1, 3]
    assert competition_ranks([]) == []


# --------------------------------------------------------------------------------------------
# Undefined growth


def test_undefined_growth_ordering(scheme: Scheme) -> None:
    # growth: 张店 5 vs 0 and 淄川 3 vs 0 → undefined with c > 0: above all, tied at rank 1 (30);
    # 博山 100 vs 10 = 900% → rank 3 (26); 临淄 1 vs 100 = −99% → rank 4 (24);
    # 周村 0 vs 0 → undefined with c = 0: below everyone, rank 5 (22).
    table = make_table(
        [
            ("张店区", 1, 5, 0, 10),
            ("淄川区", 1, 3, 0, 10),
            ("博山区", 1, 100, 10, 100),
            ("临淄区", 1, 1, 100, 10),
            ("周村区", 0, 0, 0, 10),
        ]
    )
    ranking = score(table, scheme)
    growth = {r.county: (r.parts["growth"].rank, r.parts["growth"].points) for r in ranking.rows}
    assert growth == {
        "张店区": (1, D("30.00")),
        "淄川区": (1, D("30.00")),
        "博山区": (3, D("26.00")),
        "临淄区": (4, D("24.00")),
        "周村区": (5, D("22.00")),
    }
    assert row(ranking, "张店区").derived["growth_pct"] is None
    assert row(ranking, "周村区").derived["growth_pct"] is None
    assert row(ranking, "博山区").derived["growth_pct"] == 900
    # The citywide base is 110 > 0, so citywide growth is defined: (109 − 110) / 110.
    assert ranking.total_derived["growth_pct"] == Fraction(-100, 110)


# --------------------------------------------------------------------------------------------
# Rounding: exact halves that binary floats get wrong

ROUNDING_ROWS = [
    # December; every growth is 0% (rank 1, 30 points). max ytd = 1600.
    ("张店区", 100, 1600, 1600, 1600),
    ("淄川区", 10, 107, 107, 107),  # volume 40 × 107/1600 = 2.675 exactly
    ("博山区", 10, 67, 67, 2000),  # volume 40 × 67/1600 = 1.675; progress 30 × 67/2000 = 1.005
    ("临淄区", 1, 5, 5, 5),  # volume 40 × 5/1600 = 0.125 exactly
]


def test_points_round_half_up_on_exact_values(scheme: Scheme) -> None:
    # Floats would give round(2.675, 2) = 2.67 and round(1.005, 2) = 1.0: preconditions.
    assert round(40 * 107 / 1600, 2) == 2.67 and round(30 * 67 / 2000, 2) == 1.0
    ranking = score(make_table(ROUNDING_ROWS), scheme)
    assert row(ranking, "淄川区").parts["volume"].exact == Fraction(2675, 1000)
    # 淄川: 2.675 → 2.68; + 30 + 30 = 62.68
    assert points(ranking, "淄川区") == (D("2.68"), D("30.00"), D("30.00"), D("62.68"))
    # 博山: 1.675 → 1.68 and 1.005 → 1.01; total 1.68 + 30 + 1.01 = 32.69
    # (the exact sum 1.675 + 30 + 1.005 = 32.68 would round to 32.68: the total adds the
    # rounded points, so the printed table adds up)
    assert points(ranking, "博山区") == (D("1.68"), D("30.00"), D("1.01"), D("32.69"))
    # 临淄: 0.125 → 0.13 (not banker's 0.12); 0.13 + 30 + 30 = 60.13
    assert points(ranking, "临淄区") == (D("0.13"), D("30.00"), D("30.00"), D("60.13"))


def test_points_round_half_even_when_the_scheme_says_so(tmp_path: Path) -> None:
    text = (RULES_DIR / "monthly-2019.toml").read_text(encoding="utf-8")
    assert text.count('rounding = "half_up"') == 1
    scheme = with_units(tmp_path, text.replace('rounding = "half_up"', 'rounding = "half_even"'))
    ranking = score(make_table(ROUNDING_ROWS), scheme)
    # 2.675 → 2.68 (267.5 → 268, even); total 62.68
    assert points(ranking, "淄川区") == (D("2.68"), D("30.00"), D("30.00"), D("62.68"))
    # 1.675 → 1.68 (167.5 → 168), 1.005 → 1.00 (100.5 → 100); 1.68 + 30 + 1.00 = 32.68
    assert points(ranking, "博山区") == (D("1.68"), D("30.00"), D("1.00"), D("32.68"))
    # 0.125 → 0.12 (12.5 → 12); 0.12 + 30 + 30 = 60.12
    assert points(ranking, "临淄区") == (D("0.12"), D("30.00"), D("30.00"), D("60.12"))


def test_completion_exactly_on_schedule_is_not_behind(scheme: Scheme) -> None:
    # May: 500 / 1200 = 41.666...% = 5/12 exactly → 完成序时进度; progress 500 / 500 → 30.
    # 499 / 1200 is just below → behind; progress 30 × 499/500 = 29.94.
    table = make_table(
        [("张店区", 100, 500, 400, 1200), ("淄川区", 100, 499, 400, 1200)], Period(2019, 5)
    )
    ranking = score(table, scheme)
    assert row(ranking, "张店区").derived["completion_pct"] == Fraction(125, 3)
    assert ranking.behind_schedule(row(ranking, "张店区")) is False
    assert ranking.behind_schedule(row(ranking, "淄川区")) is True
    assert row(ranking, "张店区").parts["progress"].points == D("30.00")
    assert row(ranking, "淄川区").parts["progress"].points == D("29.94")


def test_volume_is_zero_when_everyone_has_zero(scheme: Scheme) -> None:
    table = make_table([("张店区", 0, 0, 0, 10), ("淄川区", 0, 0, 0, 10)])
    ranking = score(table, scheme)
    for county in ("张店区", "淄川区"):
        # volume 0 (max 0); growth both undefined with c = 0 → tied rank 1 → 30; progress 0
        assert points(ranking, county) == (D("0.00"), D("30.00"), D("0.00"), D("30.00"))
        assert row(ranking, county).rank == 1


# --------------------------------------------------------------------------------------------
# tiers, per_item, deduction, rank_points floor: a small custom scheme

CUSTOM = """
[scheme]
name = "测试方案"
kind = "annual"
year = 2019
total_points = 45
rounding = "half_up"
decimals = 2
tie_breaker = "apps"
units = "units.toml"

[fields.county]
label = "区县"
type = "unit"
aliases = ["区县"]

[fields.apps]
label = "申请量"
aliases = ["申请量"]

[fields.apps_last_year]
label = "上年申请量"
aliases = ["上年申请量"]

[fields.certified]
label = "贯标认证企业数"
aliases = ["贯标认证企业数"]

[fields.late]
label = "迟报漏报次数"
aliases = ["迟报漏报次数"]

[derived.apps_growth]
label = "增幅"
growth = ["apps", "apps_last_year"]

[[indicators]]
id = "pct"
name = "增幅分档"
points = 10
method = "tiers"
field = "apps_growth"
tiers = [{ at = 10, points = 10 }, { at = 0, points = 7 }]
below = 4
zero = 0

[[indicators]]
id = "certified"
name = "贯标"
points = 10
method = "per_item"
field = "certified"
each = 2
cap = 10

[[indicators]]
id = "diligence"
name = "工作落实"
points = 5
method = "deduction"
field = "late"
each = 1
floor = 0

[[indicators]]
id = "apps_rank"
name = "申请量位次"
points = 20
method = "rank_points"
field = "apps"
step = 5
floor = 8
"""


def test_tiers_per_item_deduction_and_floor(tmp_path: Path) -> None:
    scheme = with_units(tmp_path, CUSTOM)
    data = {
        # 桓台: growth 9999/100000 = 9.999% (shows as 10.00) → below the 10 tier → 7
        "桓台县": {"apps": 109999, "apps_last_year": 100000, "certified": 0, "late": 0},
        # 张店: growth exactly 10% → reaches the ≥10 tier → 10; 6 firms × 2 = 12 → cap 10
        "张店区": {"apps": 110, "apps_last_year": 100, "certified": 6, "late": 0},
        # 淄川: growth 0% → ≥0 tier → 7; 5 × 2 = 10, exactly the cap; 5 − 2 = 3
        "淄川区": {"apps": 100, "apps_last_year": 100, "certified": 5, "late": 2},
        # 博山: −1% → below → 4; 0 firms → 0; 5 − 7 = −2 → floor 0
        "博山区": {"apps": 99, "apps_last_year": 100, "certified": 0, "late": 7},
        # 临淄: 5 vs 0, undefined with c > 0 → the top tier's 10; 1 × 2 = 2; 5 − 5 = 0
        "临淄区": {"apps": 5, "apps_last_year": 0, "certified": 1, "late": 5},
        # 周村: 0 vs 0 → zero = 0; 3 × 2 = 6; 5 − 1 = 4
        "周村区": {"apps": 0, "apps_last_year": 0, "certified": 3, "late": 1},
    }
    ranking = score(make_annual_table(data), scheme)
    # rank_points on apps (20, −5 a place, floor 8): 桓台 1 → 20, 张店 2 → 15, 淄川 3 → 10,
    # 博山 4 → 5 → 8 (floored), 临淄 5 → 0 → 8, 周村 6 → −5 → 8.
    expected = {
        # unit: (pct, certified, diligence, apps_rank, total)
        "桓台县": ("7", "0", "5", "20", "32"),
        "张店区": ("10", "10", "5", "15", "40"),
        "淄川区": ("7", "10", "3", "10", "30"),
        "博山区": ("4", "0", "0", "8", "12"),
        "临淄区": ("10", "2", "0", "8", "20"),
        "周村区": ("0", "6", "4", "8", "18"),
    }
    for county, figures in expected.items():
        assert points(ranking, county) == tuple(D(f) for f in figures), county
    assert [(r.county, r.rank) for r in ranking.rows] == [
        ("张店区", 1),
        ("桓台县", 2),
        ("淄川区", 3),
        ("临淄区", 4),
        ("周村区", 5),
        ("博山区", 6),
    ]
    # cap and floor bits
    assert row(ranking, "张店区").parts["certified"].capped is True  # 12 > 10
    assert row(ranking, "淄川区").parts["certified"].capped is False  # exactly 10
    assert row(ranking, "博山区").parts["diligence"].floored is True  # −2 < 0
    assert row(ranking, "临淄区").parts["diligence"].floored is False  # exactly 0
    assert row(ranking, "淄川区").parts["apps_rank"].floored is False  # 10 ≥ 8
    assert row(ranking, "博山区").parts["apps_rank"].floored is True  # 5 < 8
    assert row(ranking, "周村区").parts["apps_rank"].rank == 6
    assert ranking.schedule is None  # annual data: no 序时进度


def test_undefined_positive_tier_points_can_be_set(tmp_path: Path) -> None:
    text = CUSTOM.replace("below = 4\n", "below = 4\nundefined_positive = 6\n")
    scheme = with_units(tmp_path, text)
    data = {"临淄区": {"apps": 5, "apps_last_year": 0, "certified": 0, "late": 0}}
    ranking = score(make_annual_table(data), scheme)
    assert row(ranking, "临淄区").parts["pct"].points == 6


# --------------------------------------------------------------------------------------------
# rank_change


def test_rank_change_from_previous_ranking(scheme: Scheme) -> None:
    # November: 临淄 100 vs 50 → 100 (1st); 博山 50 vs 50 → 20 + 28 + 30 = 78 (2nd);
    # 淄川 10 vs 20 → 4 + 26 + 30 = 60 (3rd). (m = 11: target = ytd, so ytd ≥ target × 11/12
    # and progress is capped at 30 for all three.)
    november = score(
        make_table(
            [("淄川区", 1, 10, 20, 10), ("博山区", 5, 50, 50, 50), ("临淄区", 9, 100, 50, 100)],
            Period(2019, 11),
        ),
        scheme,
    )
    assert [(r.county, r.rank) for r in november.rows] == [
        ("临淄区", 1),
        ("博山区", 2),
        ("淄川区", 3),
    ]
    # December: the tie-on-total table, with 淄川 holding the 70 → 张店 1, 淄川 2, 博山 3, 临淄 4.
    december = score(
        make_table(
            [
                ("张店区", 10, 100, 50, 100),
                ("淄川区", 10, 70, 70, 70),
                ("博山区", 10, 60, 40, 60),
                ("临淄区", 1, 12, 10, 12),
            ]
        ),
        scheme,
        previous=november,
    )
    change = {r.county: r.rank_change for r in december.rows}
    # previous rank − this rank: 淄川 3 − 2 = +1, 博山 2 − 3 = −1, 临淄 1 − 4 = −3;
    # 张店 was not ranked in November → None.
    assert change == {"张店区": None, "淄川区": 1, "博山区": -1, "临淄区": -3}
    assert december.previous == Period(2019, 11)


def test_rank_change_between_samples(scheme: Scheme) -> None:
    april = score(load_table(SAMPLES_DIR / "2019-04.xlsx", scheme), scheme)
    may = score(load_table(SAMPLES_DIR / "2019-05.xlsx", scheme), scheme, previous=april)
    for r in may.rows:
        before = row(april, r.county).rank
        assert r.rank_change == before - r.rank
    assert sorted(r.county for r in may.rows) == sorted(UNITS)
