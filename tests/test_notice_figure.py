"""The monthly circular's 附图 (``[monthly] figures`` in notice.toml): the setting, the docx page
of charts (measured from the XML), the page plan with it, the Markdown and its PNGs, and the set
published through the same transaction. Nothing here needs LibreOffice or a CJK font: the charts
are drawn with no font (their Chinese would show as boxes) and the font finder is replaced where
the command runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLES_DIR
from docx.oxml.ns import qn
from typer.testing import CliRunner

from ipscore.app.fileset import restore_missing
from ipscore.app.rank import rank_month
from ipscore.base.problems import RulesError
from ipscore.cli.common import app
from ipscore.render import charts
from ipscore.render.circular import Notice, build_notice
from ipscore.render.docx import build_document
from ipscore.render.docx_annex import SLACK, imprint_height
from ipscore.render.docx_figure import figure_layout
from ipscore.render.docx_page import PORTRAIT
from ipscore.render.notice_figures import figure_annex
from ipscore.render.notice_md import notice_markdown
from ipscore.rules.notice import load_notice_rules
from ipscore.rules.resolve import default_scheme
from ipscore.rules.units import Words
from ipscore.store.history import Store

JUNE, MAY = SAMPLES_DIR / "2019-06.xlsx", SAMPLES_DIR / "2019-05.xlsx"
NOTICE_TOML = Path(__file__).parents[1] / "rules" / "notice.toml"
EMU = 635  # EMU per twip
TABLE = "2019年1-6月各区县发明专利申请情况排名表"
FIGURE = "2019年1-6月各区县发明专利申请情况图"


def settings(tmp_path: Path, line: str, name: str = "notice.toml") -> Path:
    """A copy of the built-in notice.toml with its ``figures = []`` line replaced."""
    text = NOTICE_TOML.read_text(encoding="utf-8")
    assert text.count("\nfigures = []\n") == 1
    path = tmp_path / name
    path.write_text(text.replace("\nfigures = []\n", f"\n{line}\n"), encoding="utf-8")
    return path


def june(kinds: tuple[str, ...] = ("volume", "completion"), short: bool = False) -> Notice:
    """June with the 附图 drawn without a CJK font; ``short``: no requirements, so the text
    takes two pages, the table page 3 and the figure page 4."""
    ranking = rank_month(JUNE, default_scheme("monthly"), prev=MAY)
    rules = load_notice_rules()
    if short:
        month = replace(rules.monthly["month"], requirements=())
        rules = replace(rules, monthly={**rules.monthly, "month": month})
    figure, left_out = figure_annex(ranking, kinds, None, date(2019, 7, 5))
    assert left_out == ()
    return build_notice(ranking, rules, date(2019, 7, 5), 3, figure)


def text(element: object) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))  # type: ignore[attr-defined]


def test_the_setting_is_off_by_default_and_checked(tmp_path: Path) -> None:
    rules = load_notice_rules()
    assert {w.figures for w in rules.monthly.values()} == {()}
    on = load_notice_rules(settings(tmp_path, 'figures = ["completion", "volume"]'))
    # January and December take the ordinary month's charts unless they set their own.
    assert [on.wording(m).figures for m in (1, 6, 12)] == [("completion", "volume")] * 3
    for line, code, words in (
        ('figures = ["pie"]', "rules-invalid", "未知的图表 'pie'"),
        ('figures = "volume"', "rules-type", "应为图表名称的数组"),
        ('figures = ["volume", "volume"]', "rules-invalid", "同一图表只能列一次"),
    ):
        with pytest.raises(RulesError) as caught:
            load_notice_rules(settings(tmp_path, line))
        (problem,) = caught.value.problems
        assert (problem.code, problem.field) == (code, "monthly.figures")
        assert words in problem.message
    annual = tmp_path / "annual.toml"
    annual.write_text(
        NOTICE_TOML.read_text(encoding="utf-8").replace(
            "[annual]\n", '[annual]\nfigures = ["volume"]\n'
        ),
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as caught:
        load_notice_rules(annual)
    assert [p.code for p in caught.value.problems] == ["rules-unknown-key"]


def test_the_docx_carries_the_charts_on_a_page_of_their_own() -> None:
    notice = june()
    doc, plan = build_document(notice)
    body = [c for c in doc.element.body if c.tag in (qn("w:p"), qn("w:tbl"))]
    texts = [text(c) for c in body]
    # The body sends the reader to both annexes, and 附件说明 lists both, numbered.
    assert "各区县具体情况见附件1、附件2。" in texts
    at = texts.index(f"附件：1.{TABLE}")
    assert texts[at + 1] == f"2.{FIGURE}"
    # 附件2 opens the section after the table's: a new section, a new page.
    label = texts.index("附件2")
    assert body[label - 1].find(qn("w:pPr")).find(qn("w:sectPr")) is not None
    assert texts[label + 2] == FIGURE
    # Two inline pictures as wide as the text block, each over its caption in 黑体.
    drawings = [i for i, c in enumerate(body) if c.find(f".//{qn('w:drawing')}") is not None]
    assert len(drawings) == 2 and all(i > label for i in drawings)
    for index, (at, chart) in enumerate(zip(drawings, notice.charts, strict=True), start=1):
        inline = body[at].find(f".//{qn('wp:inline')}")
        extent = inline.find(qn("wp:extent"))
        cx, cy = int(extent.get("cx")), int(extent.get("cy"))
        assert cx == PORTRAIT.text_width * EMU
        assert cy == pytest.approx(cx * chart.height_px / chart.width_px, rel=1e-3)
        blip = inline.find(f".//{qn('a:blip')}")
        assert doc.part.related_parts[blip.get(qn("r:embed"))].blob == chart.png
        caption = body[at + 1]
        assert text(caption).startswith(f"图{index}　")
        fonts = caption.find(f".//{qn('w:rFonts')}")
        assert fonts.get(qn("w:eastAsia")) == "黑体"
    assert [c.caption for c in notice.charts] == [
        "图1　各区县累计申请与去年同期（按排名）",
        "图2　各区县年度目标完成率与序时进度",
    ]
    # Text on pages 1-3, the table on 4, the charts on 5 (odd): the 版记 on page 6, a page
    # of its own that starts with a page break after the last caption.
    assert (plan["main_pages"], plan["pages"], plan["blank"]) == (3, 6, 0)
    spacer = body[drawings[-1] + 2]
    assert spacer.find(qn("w:pPr")).find(qn("w:pageBreakBefore")) is not None
    assert body[-1].tag == qn("w:p") and body[-2].tag == qn("w:tbl")  # the 版记, last


def test_the_imprint_sits_at_the_foot_of_an_even_figure_page() -> None:
    notice = june(short=True)
    doc, plan = build_document(notice)
    # Text on pages 1-2, the table on 3, the charts on 4: the 版记 at the foot of page 4.
    assert (plan["main_pages"], plan["pages"], plan["blank"]) == (2, 4, 0)
    *_, spacer, imprint, _tail, _sect = list(doc.element.body)
    assert imprint.tag == qn("w:tbl") and text(spacer) == ""
    assert spacer.find(qn("w:pPr")).find(qn("w:pageBreakBefore")) is None
    used = figure_layout(notice.figures[0], PORTRAIT).last_used
    line = int(spacer.find(qn("w:pPr")).find(qn("w:spacing")).get(qn("w:line")))
    cc = notice.cc
    assert line == PORTRAIT.text_height - used - imprint_height(cc, PORTRAIT) - SLACK > 0
    # One chart: the page and the list name it the same way.
    one = june(("completion",))
    assert [c.caption for c in one.charts] == ["图1　各区县年度目标完成率与序时进度"]
    assert build_document(one)[1]["pages"] == 6


def test_a_chart_with_nothing_to_draw_is_left_out() -> None:
    ranking = rank_month(JUNE, default_scheme("monthly"), prev=MAY)
    for row in ranking.rows:
        row.derived["completion_pct"] = None  # as a month without any 年度目标
    figure, left_out = figure_annex(ranking, ("volume", "completion"), None, date(2019, 7, 5))
    assert left_out == ("completion",)
    assert figure is not None and [c.caption[:2] for c in figure.charts] == ["图1"]
    assert figure_annex(ranking, ("completion",), None, date(2019, 7, 5)) == (None, left_out)


@pytest.mark.parametrize(("words", "each"), [(None, "各区县"), (Words("市", "全省"), "各市")])
def test_a_left_out_chart_is_said_in_the_units_words(
    tmp_path: Path, words: Words | None, each: str
) -> None:
    from ipscore.app.notice import monthly_notice

    ranking = rank_month(JUNE, default_scheme("monthly"), prev=MAY)
    if words is not None:
        units = replace(ranking.scheme.units, words=words)
        ranking.scheme = replace(ranking.scheme, units=units)
    for row in ranking.rows:
        row.derived["completion_pct"] = None  # as a month without any 年度目标
    rules = load_notice_rules(settings(tmp_path, 'figures = ["volume", "completion"]'))
    monthly_notice(ranking, rules, date(2019, 7, 5), 3)
    skipped = [w.message for w in ranking.warnings if w.code == "notice-figure-skipped"]
    assert skipped == [f"通报设置要求附完成率图，但本月{each}都没有年度目标：附图略去此图"]


def test_the_markdown_refers_to_the_pngs_or_says_where_the_charts_are() -> None:
    notice = june()
    names = ["2019-06 通报 图1.png", "2019-06 通报 图2.png"]
    md = notice_markdown(notice, names)
    assert f"附件：1.{TABLE}  \n2.{FIGURE}" in md
    assert "![图1　各区县累计申请与去年同期（按排名）](<2019-06 通报 图1.png>)" in md
    assert "(<2019-06 通报 图2.png>)" in md
    assert md.index("**附件2**") > md.index("**附件1**")
    assert md.index("**附件2**") < md.index("抄送：")
    bare = notice_markdown(notice)
    assert "](" not in bare and "（图见本通报的 Word、PDF 版本。）" in bare


def test_the_set_with_pngs_is_published_and_restored_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(charts, "find_cjk_font", lambda wanted=None: None)
    rules = settings(tmp_path, 'figures = ["volume", "completion"]')
    out, db = tmp_path / "通报", tmp_path / "h.db"
    args = ["notice", str(JUNE), "--out", str(out), "--date", "2019-07-05", "--prev", str(MAY)]
    args += ["--formats", "docx,md", "--notice-rules", str(rules), "--db", str(db)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "通报附图中的中文会显示为方框" in result.stderr  # no font: said, and still drawn
    stem = "2019-06 发明专利申请情况通报"
    names = [f"{stem}.docx", f"{stem}.md", f"{stem} 图1.png", f"{stem} 图2.png"]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    for name in names:
        assert f"已写入：{out / name}" in result.stdout
    png = (out / f"{stem} 图2.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    md = (out / f"{stem}.md").read_text(encoding="utf-8")
    assert f"](<{stem} 图1.png>)" in md and f"](<{stem} 图2.png>)" in md
    with Store(db) as store:
        assert sorted(store.published(str(out.resolve()))) == sorted(names)
        # A run killed before its renames: the PNG comes back from the store, byte for byte.
        (out / f"{stem} 图2.png").unlink()
        assert [p.name for p in restore_missing(store, out)] == [f"{stem} 图2.png"]
    assert (out / f"{stem} 图2.png").read_bytes() == png
    # Publishing again without --force is refused and names the PNGs too.
    again = CliRunner().invoke(app, args, env={"COLUMNS": "160"})
    assert again.exit_code == 2 and f"{stem} 图1.png" in again.stderr
    # Without Markdown no PNG is written: the docx holds the pictures.
    other = tmp_path / "docx"
    plain = [*args, "--formats", "docx", "--out", str(other)]
    assert CliRunner().invoke(app, plain).exit_code == 0
    assert [p.name for p in other.iterdir()] == [f"{stem}.docx"]
