"""The circular's wording: what a 办公室 would write, checked against figures worked by hand.

January starts a new count (no rank change, no warning about last December); December speaks
of the annual target, not of 序时进度, and a December circular issued in January carries the
new year in its 文号; ties are named as ties; movers are grouped; a gap in percentage points is
the difference of the printed figures. The Markdown says exactly what the docx says.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from conftest import MAY_ROWS, SAMPLES_DIR, replace_row, write_month
from docx import Document
from docx.oxml.ns import qn
from typer.testing import CliRunner

from ipscore.cli.common import app
from ipscore.render.wording import change_cell, grouped_moves, points_gap, ranked_names


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def circular(out: Path, month: str, when: str, *extra: str | Path) -> tuple[str, list[str]]:
    """Publish a sample month; return its Markdown and the docx's paragraphs in order."""
    result = invoke(
        "notice", SAMPLES_DIR / f"2019-{month}.xlsx", "--out", out, "--date", when, *extra
    )
    assert result.exit_code == 0, result.output
    (md,) = out.glob(f"2019-{month} *.md")
    (docx,) = out.glob(f"2019-{month} *.docx")
    body = Document(docx).element.body
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return md.read_text(encoding="utf-8"), [t for t in texts if t]


def test_january_starts_a_new_count(tmp_path: Path) -> None:
    result = invoke(
        "notice", SAMPLES_DIR / "2019-01.xlsx", "--out", tmp_path, "--date", "2019-02-05"
    )
    assert result.exit_code == 0 and "2018-12" not in result.stderr and "警告" not in result.stderr
    md, texts = circular(tmp_path / "again", "01", "2019-02-05")
    overall = next(t for t in texts if t.startswith("2019年1月，全市"))
    # 436 this January, 400 a year ago: +9.00%. 436/5680 = 7.676% prints 7.68; 序时进度 1/12
    # prints 8.33; the gap is 8.33 − 7.68 = 0.65 (the unrounded 0.657 would print 0.66).
    assert overall == (
        "2019年1月，全市申请发明专利436件，去年同期400件，同比增长9.00%。"
        "全市年度目标5680件，已完成7.68%，落后序时进度（8.33%）0.65个百分点。"
    )
    assert not any("与2018年" in t or "位次上升" in t for t in texts)
    assert (
        "（一）抓好开局起步。各区县要将2019年度目标任务分解到月、落实到企业，确保一季度实现良好开局。"
        in texts
    )
    note = "3. 1月为年度首月，位次变化不与上年12月比较，以“—”表示。"
    assert note in texts and note in md
    assert overall in md


def test_december_issued_in_january_speaks_of_the_annual_target(tmp_path: Path) -> None:
    assert invoke("rank", SAMPLES_DIR / "2019-11.xlsx", "-f", "json").exit_code == 0
    md, texts = circular(tmp_path, "12", "2020-01-06")
    assert "X知字〔2020〕1号" in texts  # the issuing year, the year's first number
    # 5811 / 5680 = 102.306% → 102.31%; 5811 against 5208: +11.58%.
    assert (
        "2019年，全市累计申请发明专利5811件（其中12月份729件），去年同期5208件，同比增长11.58%。"
        "全市年度目标5680件，完成率102.31%，超额完成年度目标。"
    ) in texts
    body = texts[: texts.index("附件")]
    assert not any("序时进度" in t for t in body)  # the year is over
    # 临淄区 700/700 exactly; 淄川区 573/600, 经济开发区 178/180, 桓台县 392/420, 高青县 190/200.
    assert (
        "超额完成年度目标的有高新区、张店区、周村区、博山区、沂源县、文昌湖区等6个区县；"
        "完成年度目标的有临淄区；未完成年度目标的有淄川区、经济开发区、桓台县、高青县等4个区县。"
    ) in texts
    assert (
        "（二）谋划2020年工作。要结合本地实际，提前谋划2020年发明专利申请工作，加强高价值专利培育，确保开局良好。"
        in texts
    )
    assert "2. 完成率后标“*”的区县未完成年度目标。" in texts
    assert "X知字〔2020〕1号" in md and "超额完成年度目标。" in md


def test_ties_are_named_as_ties(tmp_path: Path) -> None:
    # 张店区 given 高新区's figures: the same points on every indicator, the same tie-breaker.
    rows = replace_row(
        MAY_ROWS, "张店区", month_apps=114, ytd_apps=480, ytd_apps_last_year=400, annual_target=1150
    )
    path = write_month(tmp_path, rows)
    ranked = json.loads(invoke("rank", path, "-f", "json").stdout)["rows"]
    assert [(r["county"], r["rank"]) for r in ranked[:3]] == [
        ("张店区", 1),
        ("高新区", 1),
        ("临淄区", 3),
    ]
    top, third = f"{ranked[0]['score']:.2f}", f"{ranked[2]['score']:.2f}"
    out = tmp_path / "out"
    result = invoke("notice", path, "--out", out, "--date", "2019-06-05", "--formats", "md")
    assert result.exit_code == 0, result.output
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert f"得分居前三位的是张店区、高新区（并列第1，均为{top}分）、临淄区（{third}分）" in md
    assert "| 1 | 张店区 | 114 | 480 | 400 |" in md and "| 2 | 高新区 | 114 | 480 | 400 |" in md


def test_phrases() -> None:
    moves = [("经济开发区", 4), ("淄川区", 1), ("临淄区", 1), ("高青县", 2)]
    assert (
        grouped_moves(moves, "上升") == "经济开发区上升4位，高青县上升2位，淄川区、临淄区各上升1位"
    )
    # January: 436/5680 = 7.676…% and 1/12 = 8.333…%; printed 7.68 and 8.33.
    assert points_gap(Fraction(43600, 5680), Fraction(100, 12)) == Decimal("-0.65")
    rows = [
        ("A", 1, "90.00"),
        ("B", 1, "90.00"),
        ("C", 3, "80.50"),
        ("D", 4, "70.00"),
        ("E", 4, "70.00"),
    ]
    named = ranked_names(rows, lambda r: r[1], lambda r: r[0], lambda r: r[2])
    assert named == "A、B（并列第1，均为90.00分）、C（80.50分）、D、E（并列第4，均为70.00分）"
    assert [change_cell(c) for c in (None, 0, 2, -1)] == ["—", "持平", "↑2", "↓1"]


def test_markdown_says_what_the_docx_says(tmp_path: Path) -> None:
    assert invoke("rank", SAMPLES_DIR / "2019-05.xlsx", "-f", "json").exit_code == 0
    md, texts = circular(tmp_path, "06", "2019-07-05")
    start, end = (
        texts.index("各区县知识产权局，高新区、经济开发区、文昌湖区有关部门："),
        texts.index("附件"),
    )
    for paragraph in texts[start:end]:
        assert paragraph.replace("*", "\\*") in md.replace("**", ""), paragraph
