"""``ipscore notice``: the circular's docx, xlsx and md, read back; the cron inbox; reruns."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import MAY_ROWS, SAMPLES_DIR, write_month
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from openpyxl import load_workbook
from typer.testing import CliRunner

from ipscore.cli.common import app

MAY = SAMPLES_DIR / "2019-05.xlsx"
APRIL = SAMPLES_DIR / "2019-04.xlsx"
STEM = "2019-05 发明专利申请情况通报"


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def rank_json(*args: str | Path) -> dict:
    result = invoke("rank", *args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def may_set(tmp_path: Path) -> Path:
    """April ranked into the (per-test) store, then the May circular set written."""
    rank_json(APRIL)
    out = tmp_path / "通报"
    result = invoke("notice", MAY, "--out", out, "--date", "2019-06-05")
    assert result.exit_code == 0, result.output
    return out


def east_asian(run) -> str | None:
    fonts = run._element.rPr.rFonts
    return fonts.get(qn("w:eastAsia"))


def test_three_files_named_by_month(may_set: Path) -> None:
    names = sorted(p.name for p in may_set.iterdir())
    assert names == [f"{STEM}.docx", f"{STEM}.md", f"{STEM}.xlsx"]


def test_docx_title_fonts_page_and_date(may_set: Path) -> None:
    doc = Document(may_set / f"{STEM}.docx")
    section = doc.sections[0]

    # GB/T 9704: A4, top 37 mm, left 28 mm, text block 156 × 225 mm.
    def mm(length: int) -> float:  # Word stores twentieths of a point: compare to 0.1 mm
        return round(length / Mm(1), 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225

    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    every = [
        "".join(t.text or "" for t in p.iter(qn("w:t"))) for p in doc.element.body.iter(qn("w:p"))
    ]
    title = [
        p for p in paragraphs if p.alignment == 1 and east_asian(p.runs[0]) == "方正小标宋简体"
    ]
    # The red masthead, then the title broken between its words: 关于…全市 / 发明专利…的通报.
    assert [p.text for p in title[:3]] == [
        "XX市知识产权局文件",
        "关于2019年1-5月全市",
        "发明专利申请情况的通报",
    ]
    assert {r.font.size for p in title[1:3] for r in p.runs} == {Pt(22)}

    # The register's first number of the issuing year; no padding.
    assert "X知字〔2019〕1号" in texts
    issuer = texts.index("XX市知识产权局")
    assert texts[issuer + 1 : issuer + 3] == ["2019年6月5日", "（此件公开发布）"]

    body = next(p for p in paragraphs if p.text.startswith("2019年1-5月，全市"))
    assert {east_asian(r) for r in body.runs} == {"仿宋_GB2312"}
    assert {r.font.size for r in body.runs} == {Pt(16)}
    # 左空二字: two body characters, 16 pt condensed by 0.3 pt each (2 × 314 twips).
    assert body.paragraph_format.first_line_indent == Twips(628)
    heading = next(p for p in paragraphs if p.text == "一、总体情况")
    assert east_asian(heading.runs[0]) == "黑体"
    requirement = next(p for p in paragraphs if p.text.startswith("（一）"))
    assert east_asian(requirement.runs[0]) == "楷体_GB2312"
    assert east_asian(requirement.runs[1]) == "仿宋_GB2312"

    # Overall paragraph, by hand: 2331 ytd vs 2112 → +219/2112 = 10.369…% → 10.37;
    # 2331/5680 = 41.0387…% → 41.04; 序时进度 5/12 = 41.6667%; 41.0387 − 41.6667 = −0.628 → 0.63.
    assert "2331件" in body.text and "同比增长10.37%" in body.text
    assert "已完成41.04%" in body.text and "落后序时进度（41.67%）0.63个百分点" in body.text
    # Body, then the annex, then the 版记 (a table of its own) last.
    order = [every.index(t) for t in ("XX市知识产权局", "附件", "抄送：市科技局，市市场监管局。")]
    assert order == sorted(order)

    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in footer._p.xml
    assert {east_asian(r) for r in footer.runs} == {"宋体"}
    assert {r.font.size for r in footer.runs} == {Pt(14)}  # 4号
    even = doc.sections[0].even_page_footer.paragraphs[0]
    assert doc.settings.odd_and_even_pages_header_footer
    assert (footer.alignment, even.alignment) == (2, 0)  # odd pages right, even pages left
    assert "PAGE" in even._p.xml
    assert doc.core_properties.title == "关于2019年1-5月全市发明专利申请情况的通报"
    assert doc.core_properties.subject == "X知字〔2019〕1号"


def test_docx_table_matches_rank(may_set: Path) -> None:
    data = rank_json(MAY, "--prev", APRIL)
    table = Document(may_set / f"{STEM}.docx").tables[0]
    header = [c.text.replace("\n", "") for c in table.rows[0].cells]
    assert header == [
        "序号",
        "区县",
        "本月申请",
        "累计申请",
        "去年同期",
        "同比增长（%）",
        "年度目标",
        "完成率（%）",
        "得分",
        "排名",
        "位次变化",
    ]
    body = [[c.text for c in row.cells] for row in table.rows[1:-1]]
    schedule = 5 / 12 * 100
    assert [r[1] for r in body] == [r["county"] for r in data["rows"]]
    for number, (cells, row) in enumerate(zip(body, data["rows"], strict=True), start=1):
        change = row["rank_change"]
        arrow = "持平" if change == 0 else (f"↑{change}" if change > 0 else f"↓{-change}")
        behind = "*" if row["completion_pct"] < schedule else ""  # marked, not only coloured
        assert cells == [
            str(number),
            row["county"],
            str(row["month_apps"]),
            str(row["ytd_apps"]),
            str(row["ytd_apps_last_year"]),
            f"{row['growth_pct']:.2f}",
            str(row["annual_target"]),
            f"{row['completion_pct']:.2f}{behind}",
            f"{row['score']:.2f}",
            str(row["rank"]),
            arrow,
        ]
    # Hand-checked in test_cli: 高新区 90.92 first; 临淄区 up one place from April.
    assert body[0][:2] == ["1", "高新区"] and body[0][8] == "90.92"
    assert next(r for r in body if r[1] == "临淄区")[10] == "↑1"
    assert next(r for r in body if r[1] == "张店区")[7] == "40.00*"  # 520/1300 < 41.67
    total = [c.text for c in table.rows[-1].cells]
    assert total[1:8] == ["合计", "550", "2331", "2112", "10.37", "5680", "41.04"]
    cell_run = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert east_asian(cell_run) == "仿宋_GB2312"


def test_ranking_paragraph_names_leaders_and_laggards(may_set: Path) -> None:
    text = "\n".join(p.text for p in Document(may_set / f"{STEM}.docx").paragraphs)
    assert "得分居前三位的是高新区（90.92分）、张店区（88.80分）、临淄区（69.08分）" in text
    assert "居后三位的是淄川区（59.29分）、沂源县（49.31分）、博山区（48.77分）" in text
    # 高青县 80/64 and 文昌湖区 40/32 both grow by exactly 25%.
    assert "同比增速并列最快的是高青县、文昌湖区（均增长25.00%）" in text
    # 博山区 140/150 = −6.67%, 沂源县 95/100 = −5.00%; 淄川区 230/230 stands still.
    assert "同比下降的有博山区（下降6.67%）、沂源县（下降5.00%）；淄川区与去年同期持平" in text
    # Behind 41.67%: 张店区 520/1300 = 40.00%, 淄川区 230/600 = 38.33% among others.
    assert "张店区、高青县、文昌湖区、淄川区、博山区等5个区县未完成序时进度" in text
    # Four units up one place each, four down one: grouped, not listed one by one.
    assert (
        "与2019年1-4月相比，临淄区、高青县、经济开发区、沂源县各上升1位；"
        "桓台县、周村区、淄川区、博山区各下降1位；其余区县位次不变。"
    ) in text


def test_xlsx_sheet_and_chart(may_set: Path) -> None:
    data = rank_json(MAY, "--prev", APRIL)
    wb = load_workbook(may_set / f"{STEM}.xlsx")
    ws = wb.active
    assert ws["A1"].value == "2019年1-5月各区县发明专利申请情况排名表"
    assert "A1:K1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[3]] == [
        "序号",
        "区县",
        "本月申请",
        "累计申请",
        "去年同期",
        "同比增长（%）",
        "年度目标",
        "完成率（%）",
        "得分",
        "排名",
        "位次变化",
    ]
    assert ws["A3"].font.b and ws["B4"].border.left.style == "thin"
    units = [ws.cell(r, 2).value for r in range(4, 15)]
    assert units == [r["county"] for r in data["rows"]]
    assert [ws.cell(r, 9).value for r in range(4, 15)] == [r["score"] for r in data["rows"]]
    assert ws["I4"].number_format == "0.00"
    assert ws.freeze_panes == "C4"
    # One A4 page: table and chart together, no repeated header alone above the chart.
    assert ws.print_title_rows is None and not ws.row_breaks.brk
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # Behind 序时进度: a mark that survives a black-and-white printer, the cell still a number.
    zhang = next(r for r in range(4, 15) if ws.cell(r, 2).value == "张店区")
    assert ws.cell(zhang, 8).value == 40.0 and ws.cell(zhang, 8).number_format == '0.00"*"'
    assert ws["H4"].number_format == "0.00"  # 高新区 41.74 is ahead
    assert ws.cell(zhang, 11).value == "持平"
    notes = " ".join(str(ws.cell(r, 1).value) for r in range(16, 19))
    assert "完成率后标“*”的区县未完成序时进度" in notes
    assert ws.column_dimensions["B"].width >= 12  # 经济开发区 fits

    (chart,) = ws._charts
    assert type(chart).__name__ == "BarChart" and chart.type == "col"
    series = chart.series[0]
    assert series.val.numRef.f == "'通报'!$I$4:$I$14"
    assert series.cat.numRef.f == "'通报'!$B$4:$B$14"
    assert wb.properties.created.year == 2019


def test_markdown_has_text_and_table(may_set: Path) -> None:
    text = (may_set / f"{STEM}.md").read_text(encoding="utf-8")
    assert "# 关于2019年1-5月全市发明专利申请情况的通报" in text
    assert "| 1 | 高新区 | 114 | 480 | 400 | 20.00 | 1150 | 41.74 | 90.92 | 1 | 持平 |" in text
    assert "| 2 | 张店区 | 112 | 520 | 470 | 10.64 | 1300 | 40.00\\* | 88.80 | 2 | 持平 |" in text
    assert "附件：2019年1-5月各区县发明专利申请情况排名表" in text
    assert text.rstrip().endswith("XX市知识产权局办公室　2019年6月5日印发")


def test_reruns_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = invoke("notice", MAY, "--out", out, "--date", "2019-06-05", "--prev", APRIL)
        assert result.exit_code == 0, result.output
    for suffix in ("docx", "xlsx", "md"):
        name = f"{STEM}.{suffix}"
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_existing_circular_is_kept_without_force(may_set: Path) -> None:
    target = may_set / f"{STEM}.docx"
    target.write_bytes(b"edited by hand")
    result = invoke("notice", MAY, "--out", may_set, "--date", "2019-06-06")
    assert result.exit_code == 2
    assert "已存在" in result.stderr and "--force" in result.stderr
    assert target.read_bytes() == b"edited by hand"
    result = invoke("notice", MAY, "--out", may_set, "--date", "2019-06-06", "--force")
    assert result.exit_code == 0, result.output
    assert "2019年6月6日" in [p.text for p in Document(target).paragraphs]


def test_force_with_fewer_formats_withdraws_the_rest(may_set: Path, tmp_path: Path) -> None:
    """A corrected May published again with --force and only docx: the earlier xlsx (unchanged)
    goes, the md (edited by hand since) stays with a warning; the store publishes the docx
    only, so the cron run neither restores the xlsx nor counts the md as published."""
    from ipscore.app.fileset import folder_key
    from ipscore.store.history import Store

    (may_set / f"{STEM}.md").write_text("edited by hand", encoding="utf-8")
    result = invoke(
        "notice", MAY, "--out", may_set, "--date", "2019-06-06", "--formats", "docx", "--force"
    )
    assert result.exit_code == 0, result.output
    assert f"已删除：{may_set / STEM}.xlsx（上次生成的本月通报中有，这次不再生成）" in result.stdout
    assert f"{STEM}.md：上次生成的本月通报中有此文件，这次不再生成" in result.stderr
    assert sorted(p.name for p in may_set.iterdir()) == [f"{STEM}.docx", f"{STEM}.md"]
    assert (may_set / f"{STEM}.md").read_text(encoding="utf-8") == "edited by hand"
    with Store() as store:
        published = store.published(folder_key(may_set))
    assert sorted(published) == [f"{STEM}.docx"]
    assert (
        published[f"{STEM}.docx"].sha256
        == hashlib.sha256((may_set / f"{STEM}.docx").read_bytes()).hexdigest()
    )

    # Without --force a new format is added to the month's set; nothing is withdrawn.
    result = invoke("notice", MAY, "--out", may_set, "--date", "2019-06-06", "--formats", "xlsx")
    assert result.exit_code == 0, result.output
    assert "已删除" not in result.stdout
    with Store() as store:
        assert sorted(store.published(folder_key(may_set))) == [f"{STEM}.docx", f"{STEM}.xlsx"]


def test_date_before_month_end_is_refused(tmp_path: Path) -> None:
    result = invoke("notice", MAY, "--out", tmp_path, "--date", "2019-05-20")
    assert result.exit_code == 2
    assert "成文日期 2019-05-20 早于数据截止月份 2019-05" in result.stderr
    assert list(tmp_path.iterdir()) == []
    assert invoke("notice", MAY, "--out", tmp_path, "--date", "2019-6-5").exit_code == 2


def test_formats_option(tmp_path: Path) -> None:
    result = invoke("notice", MAY, "--out", tmp_path, "--date", "2019-06-05", "--formats", "md")
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == [f"{STEM}.md"]
    result = invoke("notice", MAY, "--out", tmp_path, "--formats", "pdf2")
    assert result.exit_code == 2 and "pdf2" in result.stderr


def test_notice_rules_are_data_with_placed_problems(tmp_path: Path) -> None:
    rules = tmp_path / "notice.toml"
    rules.write_text(
        "[notice]\n"
        'issuer = "YY市市场监督管理局"\n'
        'doc_prefix = "Y市监字〔{年}〕"\n'
        'printer = "YY市市场监督管理局办公室"\n'
        'addressees = ""\n'
        "number_offset = -1\n"
        'stamped = "yes"\n'
        "colour = 1\n"
        "[fonts]\n"
        'body = "仿宋"\n'
        "[monthly]\n"
        'opening = "现将{期间}情况通报如下：{__class__}"\n'
        "[[monthly.requirements]]\n"
        'heading = "加快进度。"\n',
        encoding="utf-8",
    )
    result = invoke("notice", MAY, "--out", tmp_path / "o", "--notice-rules", rules)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert any("notice.doc_prefix" in x and "机关代字" in x for x in lines)
    assert any("notice.addressees" in x for x in lines)
    assert any("monthly.opening" in x and "{__class__}" in x for x in lines)
    assert any("notice.number_offset" in x and "--number" in x for x in lines)
    assert any("notice.stamped" in x for x in lines)
    assert any("notice.colour" in x for x in lines)
    assert any("fonts.body" in x and "数组" in x for x in lines)
    assert any("monthly.requirements[1].text" in x for x in lines)
    assert not (tmp_path / "o").exists()


def test_city_wording_comes_from_the_rules(tmp_path: Path) -> None:
    rules = tmp_path / "notice.toml"
    rules.write_text(
        "[notice]\n"
        'issuer = "YY市知识产权局"\n'
        'doc_prefix = "Y知发"\n'
        'addressees = "各县区："\n'
        'printer = "YY市知识产权局办公室"\n'
        'note = ""\n'
        "[monthly]\n"
        'opening = "现将{期间}情况通报如下："\n'
        "[[monthly.requirements]]\n"
        'heading = "加快进度。"\n'
        'text = "请{月}月落后的单位加快进度。"\n',
        encoding="utf-8",
    )
    args = ("notice", MAY, "--out", tmp_path, "--date", "2019-06-05", "--notice-rules", rules)
    result = invoke(*args, "--number", "25")
    assert result.exit_code == 0, result.output
    doc = Document(tmp_path / f"{STEM}.docx")
    texts = [
        "".join(t.text or "" for t in p.iter(qn("w:t"))) for p in doc.element.body.iter(qn("w:p"))
    ]
    texts = [t for t in texts if t]
    assert "Y知发〔2019〕25号" in texts and "YY市知识产权局文件" in texts
    assert "各县区：" in texts and "现将2019年1-5月情况通报如下：" in texts
    assert "（一）加快进度。请5月落后的单位加快进度。" in texts
    issuer = texts.index("YY市知识产权局")
    assert texts[issuer + 1] == "2019年6月5日"
    assert "（此件公开发布）" not in texts and "抄送：" not in "".join(texts)  # left empty
    assert texts[-1].startswith("YY市知识产权局办公室") and texts[-1].endswith("2019年6月5日印发")


# --------------------------------------------------------------------------------------------
# The cron inbox


def cron(inbox: Path, out: Path, *extra: str):
    args = ("--inbox", inbox, "--out", out, "--date", "2019-07-05", "--settle", "0")
    return invoke("notice", *args, *extra)


def test_inbox_catches_up_one_month_per_run(tmp_path: Path) -> None:
    inbox, out = tmp_path / "收件箱", tmp_path / "通报"
    inbox.mkdir()
    for month in ("03", "01", "02"):
        shutil.copy(SAMPLES_DIR / f"2019-{month}.xlsx", inbox)
    (inbox / "说明.txt").write_text("not a month file", encoding="utf-8")

    for month in ("01", "02", "03"):
        result = cron(inbox, out)
        assert result.exit_code == 0, result.output
        assert result.stdout == "" and result.stderr == ""  # silent on success
        assert (out / f"2019-{month} 发明专利申请情况通报.docx").exists()
    assert len(list(out.glob("*.docx"))) == 3

    result = cron(inbox, out, "-v")
    assert result.exit_code == 0 and "无待处理月份" in result.stdout
    log = (out / "ipscore-notice.log").read_text(encoding="utf-8").splitlines()
    assert len(log) == 4
    assert "成功 2019-01" in log[0] and "1月不比较位次" in log[0]
    assert "成功 2019-02" in log[1] and "含位次变化" in log[1]
    assert "无待处理月份" in log[3]

    # January's circular has no rank changes; March's equal rank's March-after-February.
    jan = Document(out / "2019-01 发明专利申请情况通报.docx").tables[0]
    assert {row.cells[10].text for row in jan.rows[1:-1]} == {"—"}
    mar = Document(out / "2019-03 发明专利申请情况通报.docx").tables[0]
    expected = rank_json(SAMPLES_DIR / "2019-03.xlsx", "--prev", SAMPLES_DIR / "2019-02.xlsx")
    changes = {row.cells[1].text: row.cells[10].text for row in mar.rows[1:-1]}
    for row in expected["rows"]:
        change = row["rank_change"]
        arrow = "持平" if change == 0 else (f"↑{change}" if change > 0 else f"↓{-change}")
        assert changes[row["county"]] == arrow
    assert any(text != "—" for text in changes.values())

    history = invoke("history", "-f", "json")
    assert [m["month"] for m in json.loads(history.stdout)] == ["2019-01", "2019-02", "2019-03"]
    trend = json.loads(invoke("trend", "--county", "张店", "-f", "json").stdout)
    assert trend["units"][0]["county"] == "张店区"
    assert [p["month"] for p in trend["units"][0]["ranks"]] == ["2019-01", "2019-02", "2019-03"]


def test_bad_inbox_file_leaves_no_output_and_a_log_line(tmp_path: Path) -> None:
    inbox, out = tmp_path / "收件箱", tmp_path / "通报"
    inbox.mkdir()
    bad = [list(r) for r in MAY_ROWS]
    bad[3][2] = "abc"  # 临淄区's cumulative count, row 7 of the sheet (title, unit, header)
    write_month(inbox, [tuple(r) for r in bad], name="2019-05.xlsx")

    result = cron(inbox, out)
    assert result.exit_code == 2
    assert "D7" in result.stderr and "abc" in result.stderr
    assert [p.name for p in out.iterdir()] == ["ipscore-notice.log"]
    (line,) = (out / "ipscore-notice.log").read_text(encoding="utf-8").splitlines()
    assert "错误" in line and "2019-05.xlsx" in line and "D7" in line
    assert invoke("history", "-f", "json").stdout.strip() == "[]"


def test_inbox_with_two_files_for_one_month(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(MAY, inbox / "2019-05.xlsx")
    shutil.copy(MAY, inbox / "2019年5月.xlsx")
    result = cron(inbox, out)
    assert result.exit_code == 2 and "2019-05 有多个文件" in result.stderr


def test_bad_rules_in_cron_exit_2(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(MAY, inbox)
    broken = tmp_path / "notice.toml"
    broken.write_text("[notice\n", encoding="utf-8")
    result = cron(inbox, out, "--notice-rules", broken)
    assert result.exit_code == 2
    assert "TOML" in result.stderr
    assert not list(out.glob("*.docx"))
    (line,) = (out / "ipscore-notice.log").read_text(encoding="utf-8").splitlines()
    assert "错误 规则文件" in line and "notice.toml" in line


def test_inbox_takes_last_month_from_its_file_when_the_store_lacks_it(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(APRIL, inbox)
    shutil.copy(MAY, inbox)
    # April's circular exists already (made elsewhere); this store has never seen April.
    assert cron(inbox, out, "--db", tmp_path / "other.db").exit_code == 0
    assert cron(inbox, out).exit_code == 0
    table = Document(out / f"{STEM}.docx").tables[0]
    changes = {row.cells[1].text: row.cells[10].text for row in table.rows[1:-1]}
    assert changes["临淄区"] == "↑1"  # April 4th → May 3rd, as in rank --prev
    # A deleted file of the set is filled in; the others are left as they are.
    docx_before = (out / f"{STEM}.docx").read_bytes()
    (out / f"{STEM}.md").unlink()
    assert cron(inbox, out).exit_code == 0
    assert (out / f"{STEM}.md").exists()
    assert (out / f"{STEM}.docx").read_bytes() == docx_before


def test_unexpected_failure_exits_1_and_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    import ipscore.app.notice

    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(MAY, inbox)
    real = ipscore.app.notice.render

    def render(notice, fmt: str, *images: object) -> bytes:
        if fmt == "md":  # the last format fails after the others rendered
            raise RuntimeError("disk on fire")
        return real(notice, fmt, *images)

    monkeypatch.setattr(ipscore.app.notice, "render", render)
    result = cron(inbox, out)
    assert result.exit_code == 1
    assert "内部错误" in result.stderr and "disk on fire" in result.stderr
    assert [p.name for p in out.iterdir()] == ["ipscore-notice.log"]
    log = (out / "ipscore-notice.log").read_text(encoding="utf-8")
    assert "内部错误 2019-05 来源 2019-05.xlsx：RuntimeError: disk on fire" in log
    assert invoke("history", "-f", "json").stdout.strip() == "[]"


def test_inbox_refuses_force_and_prev(tmp_path: Path) -> None:
    result = cron(tmp_path, tmp_path / "out", "--force")
    assert result.exit_code == 2 and "从不覆盖" in result.stderr
    result = cron(tmp_path, tmp_path / "out", "--prev", APRIL)
    assert result.exit_code == 2 and "--prev" in result.stderr
