"""ipscore.rules.methods: the registry is the rule language's vocabulary, one class per method.

Every registered method reads its parameters, states itself in words, scores and explains; the
explanation formats the outcome scoring stored (nothing recomputed), and the rule checker, its
list of methods, ``rules show``, scoring and ``explain`` all find a method through the registry.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import MAY_ROWS, RULES_DIR

from ipscore.base.numbers import plain
from ipscore.base.period import Period
from ipscore.intake.model import DataTable, Record
from ipscore.render.rules import print_scheme
from ipscore.rules import methods
from ipscore.rules.methods import base, method_for, method_names
from ipscore.rules.methods.base import Context, Method, Operand, Outcome, Shown, Worked
from ipscore.rules.methods.deduction import Deducted
from ipscore.rules.methods.per_item import Counted
from ipscore.rules.methods.rank_points import Placed
from ipscore.rules.methods.ratio_to_max import ShareOfTop
from ipscore.rules.methods.target_ratio import TargetShare
from ipscore.rules.methods.tiers import Tiered
from ipscore.rules.parse import check_scheme_file
from ipscore.rules.resolve import load_scheme
from ipscore.rules.scheme import Indicator, Scheme
from ipscore.rules.source import Param
from ipscore.scoring.ledger import format_ledger, monthly_ledger
from ipscore.scoring.score import Part, Ranking, score

F = Fraction

MONTHLY_TEXT = (RULES_DIR / "monthly-2019.toml").read_text(encoding="utf-8")
PROGRESS = """[[indicators]]
id = "progress"
name = "进度"
points = 30
method = "target_ratio"  # 30 × min(累计 / (年度目标 × 月份/12), 1)
field = "ytd_apps"
target = "annual_target"
schedule = true
cap = 1
"""
SIX = ("deduction", "per_item", "rank_points", "ratio_to_max", "target_ratio", "tiers")


def monthly_with(tmp_path: Path, indicator: str) -> Path:
    """The reference monthly rules with the 进度 indicator (30 points) replaced."""
    assert MONTHLY_TEXT.count(PROGRESS) == 1
    shutil.copy(RULES_DIR / "units.toml", tmp_path / "units.toml")
    path = tmp_path / "rules.toml"
    path.write_text(MONTHLY_TEXT.replace(PROGRESS, indicator), encoding="utf-8")
    return path


def outcome_of(ranking: Ranking, county: str, indicator: str) -> Outcome:
    row = ranking.row(county)
    assert row is not None
    return row.parts[indicator].outcome


def table(rows: Sequence[tuple[str, int, int, int, int]], month: int = 5) -> DataTable:
    """A loaded May table: (county, month_apps, ytd, ytd_last_year, annual_target)."""
    records = [
        Record(
            county,
            county,
            index + 4,
            values={
                "month_apps": m,
                "ytd_apps": ytd,
                "ytd_apps_last_year": last,
                "annual_target": target,
            },
        )
        for index, (county, m, ytd, last, target) in enumerate(rows)
    ]
    return DataTable("synthetic.xlsx", "统计表", Period(2019, month), records, columns={})


# --------------------------------------------------------------------------------------------
# The registry


def test_the_registry_holds_the_six_methods_each_in_the_file_named_after_it() -> None:
    assert method_names() == SIX
    for name in method_names():
        assert type(method_for(name)).__module__ == f"ipscore.rules.methods.{name}"
    # Every file of the package but the base is a method (a file that registers nothing fails).
    package = Path(methods.__file__).parent
    files = {p.stem for p in package.glob("*.py")} - {"__init__", "base"}
    assert files == set(SIX)


def _example(name: str, param: Param) -> str | None:
    """A TOML value for a parameter of ``param.kind`` on the reference monthly fields."""
    if param.kind == "field":
        return '"ytd_apps"'
    if param.kind == "target":
        return '"annual_target"'
    if param.kind == "bool":
        return "false"
    if param.kind == "tiers":
        return "[{ at = 200, points = 30 }, { at = 100, points = 20 }]"
    if param.kind == "number":
        return None if param.default is None and not param.required else "1"
    pytest.fail(f"no example value for parameter kind {param.kind!r} ({name})")


@pytest.mark.parametrize("name", method_names())
def test_every_method_reads_describes_scores_and_explains(tmp_path: Path, name: str) -> None:
    method = method_for(name)
    lines = [
        "[[indicators]]",
        'id = "progress"',
        'name = "进度"',
        "points = 30",
        f'method = "{name}"',
    ]
    for key, param in method.params.items():
        value = _example(key, param)
        if value is not None:
            lines.append(f"{key} = {value}")
    path = monthly_with(tmp_path, "\n".join(lines) + "\n")
    assert check_scheme_file(path) == []
    scheme = load_scheme(path)
    indicator = scheme.indicators[2]
    assert (indicator.method, indicator.field) == (name, "ytd_apps")

    assert "累计发明专利申请量" in method.describe(indicator, scheme)

    ranking = score(table(MAY_ROWS), scheme)
    for row in ranking.rows:
        part = row.parts["progress"]
        assert isinstance(part.outcome, Outcome)
        assert 0 <= part.exact <= 30
        line = monthly_ledger(ranking, row.county).lines[2]
        assert line.points == part.points
        # The worked line ends with the points the unit got, as the ledger prints them.
        assert "→" in line.rule and line.rule.endswith(f" {part.points:.2f}"), line.rule


# --------------------------------------------------------------------------------------------
# The rule checker speaks the registry's vocabulary


def test_unknown_method_message_lists_exactly_the_registry(tmp_path: Path) -> None:
    path = monthly_with(tmp_path, PROGRESS.replace('"target_ratio"', '"target_ration"'))
    (problem,) = check_scheme_file(path)
    assert (problem.code, problem.field) == ("rules-unknown-method", "indicators[progress].method")
    assert problem.message == (
        "未知的计分方法 'target_ration'（可用：deduction、per_item、rank_points、ratio_to_max、"
        "target_ratio、tiers）"
    )


def test_a_method_that_is_not_text_is_reported_not_a_crash(tmp_path: Path) -> None:
    path = monthly_with(tmp_path, PROGRESS.replace('"target_ratio"', '["target_ratio"]'))
    (problem,) = check_scheme_file(path)
    assert problem.code == "rules-unknown-method"
    assert problem.message.startswith("未知的计分方法 ['target_ratio']（可用：deduction、")


@pytest.mark.parametrize(
    ("method", "params", "place", "message"),
    [
        ("rank_points", "step = 2\nfloor = 31", "floor", "保底分 31 高于满分 30"),
        ("tiers", "tiers = [{ at = 0, points = 35 }]", "tiers", "门槛 0 的分值 35 高于满分 30"),
        ("per_item", "each = 1\ncap = 31", "cap", "上限 31 高于满分 30"),
        ("deduction", "each = 1\nfloor = 40", "floor", "保底分 40 高于满分 30"),
        # Written as in the rule file, never as a fraction (61/2).
        ("rank_points", "step = 2\nfloor = 30.5", "floor", "保底分 30.5 高于满分 30"),
        (
            "tiers",
            "tiers = [{ at = 2.5, points = 30.5 }]",
            "tiers",
            "门槛 2.5 的分值 30.5 高于满分 30",
        ),
        ("per_item", "each = 1\ncap = 30.25", "cap", "上限 30.25 高于满分 30"),
    ],
)
def test_each_method_checks_its_parameters_against_the_points(
    tmp_path: Path, method: str, params: str, place: str, message: str
) -> None:
    indicator = (
        f'[[indicators]]\nid = "progress"\nname = "进度"\npoints = 30\nmethod = "{method}"\n'
        f'field = "growth_pct"\n{params}\n'
    )
    problems = check_scheme_file(monthly_with(tmp_path, indicator))
    assert [(p.code, p.field, p.message) for p in problems] == [
        ("rules-range", f"indicators[progress].{place}", message)
    ]


def test_tiers_out_of_order_are_named_as_written(tmp_path: Path) -> None:
    indicator = (
        '[[indicators]]\nid = "progress"\nname = "进度"\npoints = 30\nmethod = "tiers"\n'
        'field = "growth_pct"\ntiers = [{ at = 0.5, points = 10 }, { at = 2.5, points = 20 }]\n'
    )
    (problem,) = check_scheme_file(monthly_with(tmp_path, indicator))
    assert (problem.code, problem.message) == (
        "rules-tiers-order",
        "分档应按门槛从高到低排列且不重叠（0.5 之后是 2.5）",
    )


# --------------------------------------------------------------------------------------------
# Scores carry the numbers they used


GROWTH_ROWS = [
    ("张店区", 10, 110, 100, 1000),  # +10%
    ("淄川区", 10, 220, 200, 1000),  # +10%, tied with 张店区
    ("博山区", 10, 120, 100, 1000),  # +20%
    ("临淄区", 0, 0, 0, 1000),  # nothing, nothing last year: behind everyone
    ("周村区", 5, 5, 0, 1000),  # growth from nothing: ahead of everyone
]


def test_rank_points_outcome_holds_rank_ties_and_the_value_before_the_floor(
    scheme: Scheme,
) -> None:
    # 30 − (rank − 1) × 2, at least 10: 周村区 1st 30; 博山区 2nd 28; 张店区 and 淄川区 share
    # 3rd, 26 each; 临淄区 5th, 22.
    parts = {r.county: r.parts["growth"] for r in score(table(GROWTH_ROWS), scheme).rows}
    outcomes = {county: part.outcome for county, part in parts.items()}
    assert {c: (o.rank, o.tied, o.raw) for c, o in outcomes.items() if isinstance(o, Placed)} == {
        "周村区": (1, 0, 30),
        "博山区": (2, 0, 28),
        "张店区": (3, 1, 26),
        "淄川区": (3, 1, 26),
        "临淄区": (5, 0, 22),
    }
    assert [parts[c].points for c in ("周村区", "张店区", "临淄区")] == [
        Decimal("30.00"),
        Decimal("26.00"),
        Decimal("22.00"),
    ]


def test_ratio_to_max_outcome_holds_the_maximum_and_who_holds_it(scheme: Scheme) -> None:
    rows = [*GROWTH_ROWS, ("桓台县", 0, 220, 200, 1000)]  # ties 淄川区 at the maximum
    outcome = outcome_of(score(table(rows), scheme), "张店区", "volume")
    assert isinstance(outcome, ShareOfTop)
    # 40 × 110 ÷ 220 = 20.
    assert (outcome.value, outcome.top, outcome.exact) == (110, 220, 20)
    assert outcome.leaders == ("淄川区", "桓台县")


def test_target_ratio_outcome_holds_the_target_it_divided_by(scheme: Scheme) -> None:
    # May: 1000 × 5/12 = 1250/3; 110 ÷ 1250/3 = 0.264; 30 × 0.264 = 7.92.
    outcome = outcome_of(score(table(GROWTH_ROWS), scheme), "张店区", "progress")
    assert isinstance(outcome, TargetShare)
    assert (outcome.target, outcome.month, outcome.used) == (1000, 5, Fraction(1250, 3))
    assert (outcome.ratio, outcome.exact) == (Fraction(264, 1000), Fraction(792, 100))


# --------------------------------------------------------------------------------------------
# Explaining formats the stored outcome


def _explain(scheme: Scheme, indicator_id: str, outcome: Outcome, got: str, *ranked: str) -> Worked:
    indicator = next(i for i in scheme.indicators if i.id == indicator_id)
    return method_for(indicator.method).explain(indicator, outcome, Shown(scheme, got, ranked))


def test_explain_lines_from_hand_made_outcomes(scheme: Scheme) -> None:
    # 40 × 230 ÷ 520 = 17.6923…; of the two units at the maximum, the one ranked first is named.
    share = ShareOfTop(exact=F(9200, 520), value=F(230), top=F(520), leaders=("张店区", "高新区"))
    assert _explain(scheme, "volume", share, "17.69", "高新区", "张店区") == Worked(
        "40 × 230 ÷ 520（最大值，高新区） = 17.6923 → 17.69"
    )
    nothing = ShareOfTop(exact=F(0), value=F(0), top=F(0), leaders=())
    assert (
        _explain(scheme, "volume", nothing, "0.00").rule == "各单位累计发明专利申请量均为 0 → 0 分"
    )

    # May: 1300 × 5/12 = 541.67; 520 ÷ 541.67 = 0.96; 30 × 0.96 = 28.80.
    share_of_target = TargetShare(
        exact=Fraction(144, 5),
        value=F(520),
        target=F(1300),
        month=5,
        used=Fraction(1625, 3),
        ratio=Fraction(24, 25),
    )
    assert _explain(scheme, "progress", share_of_target, "28.80") == Worked(
        "30 × min(520 ÷ (1300 × 5/12), 1) = 30 × min(0.9600, 1) → 28.80"
    )
    over = replace(share_of_target, ratio=Fraction(6, 5), exact=Fraction(30), capped=True)
    assert _explain(scheme, "progress", over, "30.00").note == "封顶：超过目标，按 1 倍计"

    # 30 − (12 − 1) × 2 = 8, below the floor of 10.
    placed = Placed(
        exact=Fraction(10), floored=True, rank=12, tied=2, klass=base.DEFINED, raw=Fraction(8)
    )
    assert _explain(scheme, "growth", placed, "10.00") == Worked(
        "同比增长(%)居第 12 位（与 2 个单位并列）：30 − (12 − 1) × 2 = 8，最低 10 → 10.00",
        "保底：按最低 10 分计",
    )


def test_explain_lines_of_the_annual_methods() -> None:
    annual = load_scheme(RULES_DIR / "annual-2019.toml")
    # 贯标: 2 per firm, at most 10. 7 firms: min(14, 10).
    counted = Counted(exact=F(10), capped=True, value=F(7), raw=F(14), cap=F(10))
    assert _explain(annual, "certified", counted, "10.00") == Worked(
        "min(2 × 7, 10) = min(14, 10) → 10.00", "封顶：最高 10 分"
    )
    # 工作落实: 5, less 1 per late report, at least 0. 7 late reports: max(−2, 0).
    deducted = Deducted(exact=F(0), floored=True, value=F(7), raw=F(-2))
    assert _explain(annual, "diligence", deducted, "0.00") == Worked(
        "max(5 − 1 × 7, 0) = max(-2, 0) → 0.00", "保底：扣至 0 分为止"
    )
    # PCT growth: ≥ 10 → 10, ≥ 0 → 7, else 4.
    tiered = Tiered(exact=Fraction(7), klass=base.DEFINED, value=Fraction(25, 4), tier=(F(0), F(7)))
    assert _explain(annual, "pct", tiered, "7.00").rule == "6.25 ≥ 0 → 7.00"
    below = Tiered(exact=Fraction(4), klass=base.DEFINED, value=Fraction(-5), tier=None)
    assert _explain(annual, "pct", below, "4.00").rule == "-5.00 < 0 → 其余档 4.00"
    fresh = Tiered(exact=Fraction(10), klass=base.FROM_NOTHING, value=Fraction(0), tier=None)
    assert _explain(annual, "pct", fresh, "10.00").rule == "基数为 0 而本期大于 0 → 10.00"


def test_the_ledger_shows_the_stored_rank_and_ties_never_recounting_them(scheme: Scheme) -> None:
    ranking = score(table(MAY_ROWS), scheme)
    scored = outcome_of(ranking, "张店区", "growth")
    assert isinstance(scored, Placed) and (scored.rank, scored.tied) == (6, 0)
    # A stored outcome unlike what the rows would give: explain must show it as stored.
    stored = Placed(exact=Fraction(24), rank=4, tied=2, klass=base.DEFINED, raw=Fraction(24))
    row = ranking.row("张店区")
    assert row is not None
    row.parts["growth"] = Part("growth", Decimal("24.00"), stored)
    line = monthly_ledger(ranking, "张店区").lines[1]
    assert line.rule == (
        "同比增长(%) = (520 − 470) ÷ 470 × 100 = 10.64%；"
        "同比增长(%)居第 4 位（与 2 个单位并列）：30 − (4 − 1) × 2 = 24，最低 10 → 24.00"
    )


# --------------------------------------------------------------------------------------------
# Adding a method is adding a class: nothing else needs to know it


@dataclass(frozen=True, kw_only=True)
class _Flat(Outcome):
    value: Fraction


def test_a_new_method_class_is_usable_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "_REGISTRY", dict(base.registry()))

    class Flat(Method[_Flat]):
        """Test method: ``share`` of the points to every unit with a value above 0."""

        name = "flat"
        params: ClassVar = {"field": Param("field"), "share": Param("number")}

        def describe(self, indicator: Indicator, scheme: Scheme) -> str:
            share = plain(indicator.params["share"])
            return (
                f"{scheme.label(indicator.field)}大于 0 得 {share} × {plain(indicator.points)} 分"
            )

        def score(
            self, indicator: Indicator, operands: Sequence[Operand], context: Context
        ) -> list[_Flat]:
            share: Fraction = indicator.params["share"]
            return [
                _Flat(exact=indicator.points * share if o.value > 0 else Fraction(0), value=o.value)
                for o in operands
            ]

        def explain(self, indicator: Indicator, outcome: _Flat, shown: Shown) -> Worked:
            return Worked(f"{plain(outcome.value)} > 0 → {shown.got}")

    assert "flat" in method_names()
    path = monthly_with(
        tmp_path,
        '[[indicators]]\nid = "flat"\nname = "有申请"\npoints = 30\nmethod = "flat"\n'
        'field = "month_apps"\nshare = 0.5\n',
    )
    scheme = load_scheme(path)
    planted = path.read_text(encoding="utf-8").replace('"flat"\nfield', '"flatt"\nfield')
    path.write_text(planted, encoding="utf-8")
    (problem,) = check_scheme_file(path)
    assert problem.message == (
        "未知的计分方法 'flatt'（可用：deduction、flat、per_item、rank_points、ratio_to_max、"
        "target_ratio、tiers）"
    )

    from rich.console import Console

    console = Console(width=200, record=True)
    print_scheme(scheme, console)
    assert "本月发明专利申请量大于 0 得 0.5 × 30 分" in console.export_text()

    rows = [("张店区", 112, 520, 470, 1300), ("淄川区", 0, 230, 230, 600)]
    ranking = score(table(rows), scheme)
    # 30 × 0.5 = 15 for 张店区's 112 applications this month; 0 for 淄川区's none.
    assert [(r.county, r.parts["flat"].points) for r in ranking.rows] == [
        ("张店区", Decimal("15.00")),
        ("淄川区", Decimal("0.00")),
    ]
    text = format_ledger(monthly_ledger(ranking, "张店区"))
    assert "3. 有申请（满分 30）：15.00 分\n" in text
    assert "   计算：112 > 0 → 15.00\n" in text
