"""ipscore robust: exact reweighted runs, rank intervals, effective weights, Sobol, the outputs.

The fast runs are held to an independent exact rescoring (the real score/assess on a scheme
whose indicators were rescaled); effective weights to statistics' own covariance; SALib to a
case worked by hand.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import zipfile
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from builders_annual import ANNUAL_SAMPLE
from conftest import MAY_ROWS, RULES_DIR, SAMPLES_DIR, write_month
from openpyxl import load_workbook
from typer.testing import CliRunner

from ipscore.base.numbers import round_to
from ipscore.base.period import Period
from ipscore.cli import app
from ipscore.intake.model import DataTable, Record
from ipscore.intake.table import load_table
from ipscore.rules.resolve import default_scheme_path, load_scheme
from ipscore.rules.scheme import Indicator, Scheme
from ipscore.scoring import reweight
from ipscore.scoring.annual import assess
from ipscore.scoring.robust import analyse, draw, nearest_rank
from ipscore.scoring.score import score
from ipscore.scoring.sobol import sobol_indices

MAY = SAMPLES_DIR / "2019-05.xlsx"


@pytest.fixture(scope="module")
def monthly() -> tuple[DataTable, Scheme]:
    scheme = load_scheme(default_scheme_path("monthly"))
    return load_table(MAY, scheme), scheme


@pytest.fixture(scope="module")
def annual() -> tuple[DataTable, Scheme]:
    scheme = load_scheme(default_scheme_path("annual"))
    return load_table(ANNUAL_SAMPLE, scheme), scheme


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _tied(table: DataTable) -> DataTable:
    """The May table with 淄川区 given 张店区's figures: equal totals and an equal tie-breaker."""
    source = table.record("张店区")
    assert source is not None
    records = [
        replace(r, values=dict(source.values)) if r.county == "淄川区" else r for r in table.records
    ]
    return replace(table, records=records)


# --------------------------------------------------------------------------------------------
# The runs are the real scheme


def test_scaled_scheme_keeps_the_total_exactly_and_scales_point_parameters(
    annual: tuple[DataTable, Scheme],
) -> None:
    _, scheme = annual
    for numerators in draw(5, len(scheme.indicators), 3, Fraction(9, 10)):
        run = reweight.scaled_scheme(scheme, numerators)
        assert sum(i.points for i in run.indicators) == scheme.total_points == 100
    # 增幅 (rank points 10, −0.5 a place, floor 5) worth 11: the whole indicator ×1.1.
    growth = next(i for i in scheme.indicators if i.id == "inv_growth")
    scaled = reweight.scaled_indicator(growth, Fraction(11))
    assert (scaled.params["step"], scaled.params["floor"]) == (Fraction(11, 20), Fraction(11, 2))
    pct = next(i for i in scheme.indicators if i.id == "pct")
    tiers = reweight.scaled_indicator(pct, Fraction(12)).params["tiers"]
    assert tiers == ((10, 12), (0, Fraction(42, 5)))  # thresholds stay, points ×1.2
    certified = next(i for i in scheme.indicators if i.id == "certified")
    per_item = reweight.scaled_indicator(certified, Fraction(5)).params
    assert (per_item["each"], per_item["cap"]) == (1, 5)


@pytest.mark.parametrize("sample", ["monthly", "annual", "tied", "half_even", "ungraded"])
def test_fast_runs_equal_an_independent_exact_rescoring(
    sample: str, monthly: tuple[DataTable, Scheme], annual: tuple[DataTable, Scheme]
) -> None:
    table, scheme = annual if sample in ("annual", "ungraded") else monthly
    if sample == "ungraded":
        scheme = replace(scheme, grades=None)
    if sample == "tied":
        table = _tied(table)
    if sample == "half_even":
        scheme = replace(scheme, rounding="half_even")
    fast = reweight.Runner(table, scheme)
    vectors = [[reweight.DENOMINATOR] * len(scheme.indicators)]
    vectors += draw(6, len(scheme.indicators), 11, Fraction(1, 2))
    vectors += draw(4, len(scheme.indicators), 12, Fraction(95, 100))
    for numerators in vectors:
        totals, ranks, grades = fast.run(numerators)
        full = reweight.rescore(table, scheme, numerators)
        for u, nominal in enumerate(fast.nominal):
            total, rank, grade = full[nominal.county]
            assert Decimal(totals[u]).scaleb(-scheme.decimals) == total
            assert ranks[u] == rank
            assert (grades[u] if grades else None) == grade
    if sample == "tied":
        tied = {n.county: n.rank for n in fast.nominal}
        assert tied["张店区"] == tied["淄川区"] == 2  # shared rank, as in the real ranking
        assert 3 not in tied.values()


def test_equal_factors_reproduce_the_official_result(annual: tuple[DataTable, Scheme]) -> None:
    table, scheme = annual
    official = {r.county: (r.score, r.rank, r.grade) for r in assess(table, scheme).rows}
    fast = reweight.Runner(table, scheme)
    totals, ranks, grades = fast.run([123_456] * len(scheme.indicators))  # all alike: g = 1
    assert grades is not None
    for u, n in enumerate(fast.nominal):
        assert (Decimal(totals[u]) / 100, ranks[u], grades[u]) == official[n.county]


def test_the_intervals_are_the_percentiles_of_independently_rescored_runs(
    monthly: tuple[DataTable, Scheme],
) -> None:
    table, scheme = monthly
    result = analyse(table, scheme, runs=20, seed=5, spread=Fraction(1, 2))
    ranks: dict[str, list[int]] = {u.county: [] for u in result.units}
    for numerators in draw(20, 3, 5, Fraction(1, 2)):
        for county, (_, rank, _) in reweight.rescore(table, scheme, numerators).items():
            ranks[county].append(rank)
    official = {r.county: r.rank for r in score(table, scheme).rows}
    for u in result.units:
        seen = sorted(ranks[u.county])  # nearest rank of 20 runs: the 1st, 10th and 19th
        assert (u.rank_low, u.median_rank, u.rank_high) == (seen[0], seen[9], seen[18])
        assert u.rank_changes == sum(1 for r in seen if r != official[u.county])
        assert u.nominal_rank == official[u.county]


def test_grade_changes_are_counted_against_rescored_grades(
    annual: tuple[DataTable, Scheme],
) -> None:
    table, scheme = annual
    result = analyse(table, scheme, runs=30, seed=2, spread=Fraction(3, 10))
    changed = dict.fromkeys((u.county for u in result.units), 0)
    official = {r.county: r.grade for r in assess(table, scheme).rows}
    for numerators in draw(30, len(scheme.indicators), 2, Fraction(3, 10)):
        for county, (_, _, grade) in reweight.rescore(table, scheme, numerators).items():
            changed[county] += grade != official[county]
    assert {u.county: u.grade_changes for u in result.units} == changed
    # 高青县 scores 59.94, six hundredths under the 合格 line: the weights decide its grade.
    assert changed["高青县"] > 0


def test_integer_rounding_matches_round_to() -> None:
    rng = random.Random(4)
    cases = [(1, 2), (3, 2), (5, 2), (-1, 2), (-3, 2), (2675, 1000), (0, 7), (7, 3)]
    cases += [(rng.randint(-(10**6), 10**6), rng.randint(1, 1000)) for _ in range(500)]
    for num, den in cases:
        for mode, helper in (("half_up", reweight.half_up), ("half_even", reweight.half_even)):
            assert helper(num, den) == round_to(Fraction(num, den), 0, mode)  # type: ignore[arg-type]


def test_draws_in_chunks_are_one_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from ipscore.scoring import robust

    monkeypatch.setattr(robust, "CHUNK", 7)
    chunked = draw(20, 3, 9, Fraction(1, 5))
    uniform = np.random.Generator(np.random.PCG64(9)).random((20, 3))
    whole = (np.rint((2 * uniform - 1) * 200_000).astype(np.int64) + 10**6).tolist()
    assert chunked == whole
    assert all(800_000 <= k <= 1_200_000 for row in chunked for k in row)


def test_nearest_rank_percentiles() -> None:
    counts = [3, 0, 5, 2]  # ten runs: ranks 1,1,1,3,3,3,3,3,4,4
    assert nearest_rank(counts, 10, 5) == 1  # the 1st value
    assert nearest_rank(counts, 10, 50) == 3  # the 5th
    assert nearest_rank(counts, 10, 95) == 4  # the 10th
    assert nearest_rank([1], 1, 95) == 1


# --------------------------------------------------------------------------------------------
# What the "done when" asks


def test_spread_zero_keeps_every_unit_at_its_official_rank(
    monthly: tuple[DataTable, Scheme], annual: tuple[DataTable, Scheme]
) -> None:
    for table, scheme in (monthly, annual):
        result = analyse(table, scheme, runs=50, spread=Fraction(0))
        for u in result.units:
            assert u.rank_low == u.median_rank == u.rank_high == u.nominal_rank
            assert u.rank_changes == 0
            assert u.grade_changes in (0, None)


@pytest.mark.parametrize("sample", ["monthly", "annual"])
def test_a_wider_spread_never_gives_narrower_intervals_in_total(
    sample: str, monthly: tuple[DataTable, Scheme], annual: tuple[DataTable, Scheme]
) -> None:
    table, scheme = monthly if sample == "monthly" else annual
    widths = []
    for spread in ("0", "0.1", "0.2", "0.4", "0.6", "0.8", "0.95"):
        result = analyse(table, scheme, runs=400, seed=1, spread=Fraction(spread))
        widths.append(sum(u.rank_high - u.rank_low for u in result.units))
    assert widths == sorted(widths)
    assert widths[0] == 0 and widths[-1] > 0


def test_effective_weights_sum_to_one_and_match_statistics(
    monthly: tuple[DataTable, Scheme], annual: tuple[DataTable, Scheme]
) -> None:
    for table, scheme in (monthly, annual):
        result = analyse(table, scheme, runs=1)
        shares = [i.effective_weight for i in result.indicators]
        assert sum(s for s in shares if s is not None) == 1  # exact Fractions
        official = (
            [(r.parts, r.score, r.bonus) for r in assess(table, scheme).rows]
            if scheme.kind == "annual"
            else [(r.parts, r.score, Decimal(0)) for r in score(table, scheme).rows]
        )
        totals = [float(s) for _, s, _ in official]
        for ind in result.indicators:
            if ind.id == "bonus":
                values = [float(b) for _, _, b in official]
            else:
                values = [float(p[ind.id].points) for p, _, _ in official]
            expected = statistics.covariance(values, totals) / statistics.variance(totals)
            assert float(ind.effective_weight or 0) == pytest.approx(expected, abs=1e-12)
    # May: 总量 is 40% of the points on paper and 78.02% of the spread of the totals.
    may = {i.id: i for i in analyse(*monthly, runs=1).indicators}
    assert round_to(may["volume"].effective_weight or 0, 4) == Decimal("0.7802")
    assert may["volume"].nominal_weight == Fraction(2, 5)


def test_equal_totals_leave_the_effective_weights_undefined(
    monthly: tuple[DataTable, Scheme],
) -> None:
    table, scheme = monthly
    source = table.records[0]
    same = replace(table, records=[replace(r, values=dict(source.values)) for r in table.records])
    assert all(i.effective_weight is None for i in analyse(same, scheme, runs=5).indicators)


def test_sobol_on_a_case_worked_by_hand(monthly: tuple[DataTable, Scheme]) -> None:
    """Two units, 甲 60 points (X has it all), 乙 40 (Y has it all), 丙 0 points.

    With factors u, v ~ U[0.5, 1.5] on 甲 and 乙, Y overtakes X when 40v > 60u, and the rank
    shift sum is then 2: f = 2·1[v > 1.5u], P = 3/16. Var E[f|u] / Var f = 0.05859/0.15234 =
    5/13 = 0.385, Var E[f|v] / Var f = 0.02734/0.15234 = 7/39 = 0.179; with two inputs the total
    index of one is 1 minus the first-order index of the other: 32/39 = 0.821 and 8/13 = 0.615.
    丙, worth nothing, changes nothing: both its indices are 0.
    """
    _, scheme = monthly
    indicators = (
        Indicator("a", "甲", Fraction(60), "ratio_to_max", "ytd_apps", {"field": "ytd_apps"}),
        Indicator("b", "乙", Fraction(40), "ratio_to_max", "month_apps", {"field": "month_apps"}),
        Indicator("c", "丙", Fraction(0), "ratio_to_max", "annual_target", {}),
    )
    values = {"ytd_apps_last_year": 1, "annual_target": 10}
    records = [
        Record("张店区", "张店区", 4, {"ytd_apps": 100, "month_apps": 0, **values}),
        Record("淄川区", "淄川区", 5, {"ytd_apps": 0, "month_apps": 100, **values}),
    ]
    table = DataTable("hand.xlsx", "Sheet1", Period(2019, 5), records, {})
    fast = reweight.Runner(table, replace(scheme, indicators=indicators))
    found, evaluations = sobol_indices(fast, Fraction(1, 2), 1024, seed=1)
    assert evaluations == 1024 * (3 + 2)
    a, b, c = found
    assert a is not None and b is not None and c is not None
    for estimate, exact in ((a.first, 5 / 13), (b.first, 7 / 39), (a.total, 32 / 39)):
        assert estimate == pytest.approx(exact, abs=0.1)
    assert b.total == pytest.approx(8 / 13, abs=0.1)
    assert (c.first, c.total, c.first_conf, c.total_conf) == (0, 0, 0, 0)
    assert a.total > b.total > c.total


def test_sobol_is_undefined_when_nothing_moves(annual: tuple[DataTable, Scheme]) -> None:
    result = analyse(*annual, runs=64, spread=Fraction(1, 5), sobol=True)
    assert result.sobol_n == 64
    assert all(i.sobol is None for i in result.indicators)  # no rank moves at ±20%
    moved = analyse(*annual, runs=64, spread=Fraction(9, 10), sobol=True)
    assert moved.sobol_evaluations == 64 * (11 + 2)
    assert all(i.sobol is not None for i in moved.indicators if i.id != "bonus")


# --------------------------------------------------------------------------------------------
# The command


def _json(runner: CliRunner, *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["robust", *args, "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_same_seed_same_bytes_and_the_json_contract(runner: CliRunner) -> None:
    first = runner.invoke(app, ["robust", str(MAY), "-f", "json", "--sobol", "--runs", "200"])
    again = runner.invoke(app, ["robust", str(MAY), "-f", "json", "--sobol", "--runs", "200"])
    other = runner.invoke(app, ["robust", str(MAY), "-f", "json", "--seed", "2", "--runs", "200"])
    assert first.exit_code == 0, first.output
    assert first.stdout == again.stdout
    assert first.stdout != other.stdout
    data = json.loads(first.stdout)
    assert (data["runs"], data["seed"], data["spread"], data["kind"]) == (200, 1, 0.2, "monthly")
    assert data["sobol"] == {"n": 256, "evaluations": 256 * 5, "output": "sum_abs_rank_shift"}
    row = data["rows"][0]
    assert set(row) == {
        "county",
        "score",
        "nominal_rank",
        "median_rank",
        "rank_low",
        "rank_high",
        "p_rank_change",
        "nominal_grade",
        "p_grade_change",
    }
    assert (row["county"], row["nominal_rank"], row["score"]) == ("高新区", 1, 90.92)
    assert [r["nominal_rank"] for r in data["rows"]] == list(range(1, 12))
    weights = [i["effective_weight"] for i in data["indicators"]]
    assert sum(weights) == pytest.approx(1, abs=1e-12)
    assert all(i["sobol_total"] is not None for i in data["indicators"])


def test_annual_json_has_grades(runner: CliRunner) -> None:
    data = _json(runner, str(ANNUAL_SAMPLE), "--runs", "300", "--spread", "0.3")
    rows = {r["county"]: r for r in data["rows"]}
    assert rows["张店区"]["nominal_grade"] == "优秀"
    assert rows["桓台县"]["nominal_grade"] == "不合格"  # 一票否决 holds in every run
    assert rows["桓台县"]["p_grade_change"] == 0
    assert 0 < rows["高青县"]["p_grade_change"] < 1
    assert data["indicators"][-1]["id"] == "bonus"
    assert data["indicators"][-1]["nominal_weight"] is None


def test_spread_zero_on_the_command_line(runner: CliRunner) -> None:
    data = _json(runner, str(MAY), "--spread", "0", "--runs", "30")
    for row in data["rows"]:
        assert row["rank_low"] == row["median_rank"] == row["rank_high"] == row["nominal_rank"]
        assert row["p_rank_change"] == 0


def test_terminal_table_and_sentence(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["robust", str(MAY)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2019年1-5月各区县排名稳健性（权重±20%，1000次模拟）" in out
    assert "在权重±20%变动的1000次模拟中，文昌湖区有100%的情况排在第6至第9名" in out
    assert "·····━●━━··" in out  # 文昌湖区: official 7th, interval 6–9 of 11
    # The figures the README reads out of the May sample.
    flat = out.replace("\n", "")  # the sentences wrap at the terminal's width
    assert (
        "有84.5%的情况名次与正式排名（第7名）不同；高新区、张店区在每次模拟中都保持正式名次" in flat
    )
    assert out.count("19.6%") == 2  # 临淄区 and 桓台县 swap 3rd and 4th
    assert "78.02%" in out
    path = tmp_path / "robust.txt"
    written = runner.invoke(app, ["robust", str(MAY), "-o", str(path)])
    assert written.exit_code == 0, written.output
    assert "文昌湖区" in path.read_text(encoding="utf-8")


def test_xlsx_has_both_tables_and_a_native_chart(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "稳健性.xlsx"
    result = runner.invoke(app, ["robust", str(MAY), "-o", str(path), "--runs", "300"])
    assert result.exit_code == 0, result.output
    data = _json(runner, str(MAY), "--runs", "300")
    wb = load_workbook(path)
    assert wb.sheetnames == ["名次区间", "指标权重"]
    ws = wb["名次区间"]
    header = [c.value for c in ws[3]]
    assert header[:7] == ["排名", "区县", "得分", "中位名次", "5%名次", "95%名次", "名次变动比例"]
    # The shared A4 page setup: landscape, one page wide, the header row on every printed page.
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$3:$3" and wb["指标权重"].print_title_rows == "$2:$2"
    for offset, row in enumerate(data["rows"]):
        cells = [c.value for c in ws[4 + offset]]
        assert cells[:6] == [
            row["nominal_rank"],
            row["county"],
            row["score"],
            row["median_rank"],
            row["rank_low"],
            row["rank_high"],
        ]
        assert cells[6] == pytest.approx(row["p_rank_change"], abs=1e-12)
        assert cells[7:9] == [
            row["nominal_rank"] - row["rank_low"],
            row["rank_high"] - row["nominal_rank"],
        ]
    assert len(ws._charts) == 1
    weights = wb["指标权重"]
    assert [weights.cell(r, 2).value for r in (3, 4, 5)] == ["volume", "growth", "progress"]
    assert weights.cell(3, 5).value == pytest.approx(0.780239, abs=1e-6)
    with zipfile.ZipFile(path) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "<errBars>" in chart and '<errValType val="cust"/>' in chart
    assert "<minus><numRef><f>'名次区间'!$H$4:$H$14</f>" in chart  # official − 5% (up)
    assert "<plus><numRef><f>'名次区间'!$I$4:$I$14</f>" in chart  # 95% − official (down)
    assert "<cat><strRef><f>'名次区间'!$B$4:$B$14</f>" in chart  # the units' names
    again = tmp_path / "again.xlsx"
    runner.invoke(app, ["robust", str(MAY), "-o", str(again), "--runs", "300"])
    assert again.read_bytes() == path.read_bytes()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--runs", "0"], "模拟次数 --runs 应在 1 到 1000000 之间，实际为 0"),
        (["--runs", "1000001"], "实际为 1000001"),
        (["--spread", "1"], "权重变动幅度 --spread 应不小于 0 且小于 1"),
        (["--spread", "-0.1"], "实际为 -0.1"),
        (["--spread", "nan"], "--spread：应为数字，实际为 'nan'"),  # refused by the parser
        (["--seed", "-1"], "随机种子 --seed 应为非负整数"),
    ],
)
def test_bad_options_exit_2_with_a_sentence(
    runner: CliRunner, tmp_path: Path, args: list[str], words: str
) -> None:
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["robust", str(MAY), *args, "-o", str(out)])
    assert result.exit_code == 2
    assert words in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_scheme_with_one_indicator_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "units.toml").write_bytes((RULES_DIR / "units.toml").read_bytes())
    text = (RULES_DIR / "monthly-2019.toml").read_text(encoding="utf-8")
    head, _, _ = text.partition("[[indicators]]")
    one = head + (
        '[[indicators]]\nid = "volume"\nname = "总量"\npoints = 100\n'
        'method = "ratio_to_max"\nfield = "ytd_apps"\n'
    )
    rules = tmp_path / "one.toml"
    rules.write_text(one, encoding="utf-8")
    result = runner.invoke(app, ["robust", str(MAY), "--rules", str(rules)])
    assert result.exit_code == 2
    assert "只有 1 个有分值的指标" in result.stderr
    assert "至少需要两个指标" in result.stderr


def test_help_imports_neither_numpy_nor_salib() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from ipscore.cli import app\n"
        "for args in (['--help'], ['robust', '--help']):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 0\n"
        "print(','.join(m for m in ('numpy', 'SALib', 'scipy') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_a_narrow_terminal_drops_the_bar_not_the_names(annual: tuple[DataTable, Scheme]) -> None:
    import io

    from rich.console import Console

    from ipscore.render.robust import print_robust

    result = analyse(*annual, runs=20)
    for width, has_bar in ((120, True), (80, False)):
        console = Console(width=width, file=io.StringIO(), color_system=None)
        print_robust(result, console)
        text = console.file.getvalue()  # type: ignore[attr-defined]
        assert ("●" in text) is has_bar
        assert "经济开发区" in text and "不合格" in text and "…" not in text


def test_allow_missing_analyses_the_units_present(runner: CliRunner, tmp_path: Path) -> None:
    path = write_month(tmp_path, MAY_ROWS[:-1])  # no 文昌湖区
    refused = runner.invoke(app, ["robust", str(path)])
    assert refused.exit_code == 2 and "文昌湖区" in refused.stderr
    data = _json(runner, str(path), "--allow-missing", "--runs", "50")
    assert len(data["rows"]) == 10
    assert "文昌湖区" not in {r["county"] for r in data["rows"]}


@pytest.mark.parametrize(
    ("target", "extra", "words"),
    [
        ("input", [], "是同一个文件"),
        ("out.csv", [], "-o 应为 .txt 或 .json 或 .xlsx 文件"),
        ("out.json", ["-f", "xlsx"], "不一致"),
    ],
)
def test_o_is_refused_before_any_work(
    runner: CliRunner, tmp_path: Path, target: str, extra: list[str], words: str
) -> None:
    source = tmp_path / "2019-05.xlsx"
    source.write_bytes(MAY.read_bytes())
    out = source if target == "input" else tmp_path / target
    result = runner.invoke(app, ["robust", str(source), "-o", str(out), *extra])
    assert result.exit_code == 2
    assert words in result.stderr
    assert source.read_bytes() == MAY.read_bytes()
    assert target == "input" or not out.exists()
