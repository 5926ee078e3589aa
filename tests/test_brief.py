"""The one-page brief: its figures (hand-computed from the samples), its charts, its Word page,
and its refusals. Nothing here needs LibreOffice or a CJK font: the font finder is replaced
where a test runs the command, and PDF/PNG are only checked for their refusal."""

from __future__ import annotations

import struct
import zipfile
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipscore.app.rank import rank_month
from ipscore.cli import app
from ipscore.render import charts
from ipscore.render.brief import build_brief
from ipscore.rules.resolve import load_scheme

SAMPLES = Path(__file__).parents[1] / "samples"


def brief_of(month: str, prev: str | None = None):
    prev_file = SAMPLES / f"2019-{prev}.xlsx" if prev else None
    ranking = rank_month(SAMPLES / f"2019-{month}.xlsx", load_scheme(None), prev=prev_file)
    return build_brief(ranking, date(2019, 6, 5), f"2019-{month}.xlsx")


def test_key_figures_of_may() -> None:
    brief = brief_of("05")
    # 2331 applications; 2331/2112 − 1 = 10.369…% → 10.37; 2331/5680 = 41.038…% → 41.04;
    # 序时进度 5/12 = 41.666…% → 41.67; the gap of the printed figures 41.04 − 41.67 = −0.63.
    assert [(f.label, f.value, f.note) for f in brief.figures] == [
        ("全市累计申请", "2331 件", "其中5月 550 件"),
        ("同比增长", "10.37%", "去年同期 2112 件"),
        ("年度目标完成率", "41.04%", "年度目标 5680 件"),
        ("序时进度", "41.67%", "落后序时进度 0.63 个百分点"),
    ]
    assert brief.title == "2019年1-5月全市发明专利申请情况简报"


def test_standings_and_units_behind_schedule() -> None:
    brief = brief_of("05")
    assert [(s.rank, s.county, s.score) for s in brief.top] == [
        (1, "高新区", "90.92分"),
        (2, "张店区", "88.80分"),
        (3, "临淄区", "69.08分"),
    ]
    assert [(s.rank, s.county) for s in brief.bottom] == [
        (9, "淄川区"),
        (10, "沂源县"),
        (11, "博山区"),
    ]
    # Completion below 5/12: 张店 520/1300 = 40%, 高青 80/200, 文昌湖 40/100, 淄川 230/600 = 38.33%,
    # 博山 140/360 = 38.89%; 高新区 480/1150 = 41.74% is ahead.
    assert [(s.county, s.remark) for s in brief.behind] == [
        ("张店区", "完成 40.00%"),
        ("高青县", "完成 40.00%"),
        ("文昌湖区", "完成 40.00%"),
        ("淄川区", "完成 38.33%"),
        ("博山区", "完成 38.89%"),
    ]
    assert brief.behind_text == "5 个区县未完成序时进度（41.67%）"
    assert brief.progress_heading == "二、序时进度"


def test_movers_need_a_previous_month() -> None:
    assert brief_of("05").movers == ("无上月（2019-04）排名数据，本期不列位次变化",)
    june = brief_of("06", prev="05")
    assert june.movers == (
        "上升最多：经济开发区，第8→4名（上升 4 位）",
        "下降最多（2 位）：高青县、文昌湖区",
    )


def test_december_speaks_of_the_annual_target() -> None:
    brief = brief_of("12")
    schedule = brief.figures[-1]
    assert (schedule.label, schedule.value) == ("年度目标", "100.00%")
    assert brief.figures[2].value == "102.31%"  # 5811 / 5680
    assert schedule.note == "超过年度目标 2.31 个百分点"
    assert brief.progress_heading == "二、年度目标完成情况"
    assert brief.schedule_label == "年度目标 100.00%"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_charts_are_drawn_without_a_chinese_font() -> None:
    brief = brief_of("05")
    for draw in (charts.volume_chart, charts.completion_chart):
        width, height = _png_size(draw(brief, None))
        assert abs(width - charts.WIDTH_MM / 25.4 * charts.DPI) < 1  # 174 mm at 200 dpi
        assert abs(height - charts.HEIGHT_MM / 25.4 * charts.DPI) < 1
    # The same brief draws the same bytes (no timestamps in the PNGs).
    assert charts.volume_chart(brief, None) == charts.volume_chart(brief, None)


def test_font_finder_takes_the_first_preferred_family(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    class Entry:
        def __init__(self, name: str) -> None:
            self.name, self.fname, self.style, self.weight = name, f"/f/{name}.ttf", "normal", 400

    fake = [Entry("DejaVu Sans"), Entry("Noto Sans CJK SC"), Entry("SimHei")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", fake)
    monkeypatch.setattr(charts, "_fontconfig_files", list)
    monkeypatch.setattr(charts, "_has_chinese", lambda path: "DejaVu" not in path)
    assert charts.find_cjk_font() == charts.Font("SimHei", "/f/SimHei.ttf")  # Windows first
    monkeypatch.setattr(charts, "_has_chinese", lambda path: False)
    assert charts.find_cjk_font() is None
    assert charts.find_cjk_font("Noto Sans CJK SC") is None


def test_a_font_file_without_chinese_is_refused() -> None:
    import matplotlib

    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    assert charts.find_cjk_font(str(dejavu)) is None


def invoke(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(
        app,
        ["brief", *args, "--db", str(tmp_path / "h.db"), "--date", "2019-06-05"],
        env={"COLUMNS": "120", **(env or {})},
    )


def test_brief_docx_is_one_a4_page_with_two_charts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docx import Document

    monkeypatch.setattr(charts, "find_cjk_font", lambda wanted=None: None)
    out = tmp_path / "简报.docx"
    result = invoke(tmp_path, str(SAMPLES / "2019-05.xlsx"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "已写入" in result.stdout
    assert "未找到中文字体" in result.stderr and "警告" in result.stderr
    doc = Document(str(out))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert len(doc.inline_shapes) == 2
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "2019年1-5月全市发明专利申请情况简报" in text
    assert "2331 件" in cells and "落后序时进度 0.63 个百分点" in cells
    assert "高新区" in cells and "博山区" in cells
    assert "张店区（完成 40.00%）" in text
    with zipfile.ZipFile(out) as archive:
        images = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(images) == 2
    again = tmp_path / "again.docx"
    assert invoke(tmp_path, str(SAMPLES / "2019-05.xlsx"), "-o", str(again)).exit_code == 0
    assert again.read_bytes() == out.read_bytes()  # same inputs and date, same bytes


def test_pdf_without_libreoffice_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "简报.pdf"
    missing = {"IPSCORE_SOFFICE": str(tmp_path / "no-soffice")}
    result = invoke(tmp_path, str(SAMPLES / "2019-05.xlsx"), "-o", str(out), env=missing)
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：生成 PDF 需要 LibreOffice（soffice），本机没有找到")
    assert "-o 简报.docx" in result.stderr
    assert not out.exists() and not (tmp_path / "h.db").exists()


def test_brief_refusals(tmp_path: Path) -> None:
    month = str(SAMPLES / "2019-05.xlsx")
    wrong = invoke(tmp_path, month, "-o", str(tmp_path / "简报.xlsx"))
    assert wrong.exit_code == 2 and "-o 应为 .docx 或 .pdf 或 .png 文件" in wrong.stderr
    font = invoke(tmp_path, month, "-o", str(tmp_path / "b.docx"), "--font", "没有这种字体")
    assert font.exit_code == 2 and "--font 指定的字体“没有这种字体”找不到" in font.stderr
    assert not (tmp_path / "b.docx").exists()


def test_a_long_list_behind_schedule_gives_names_only(tmp_path: Path) -> None:
    import io

    from docx import Document

    from ipscore.render.brief_docx import brief_docx

    march = brief_of("03")  # every unit is behind 3/12 = 25% in March
    assert len(march.behind) == 11
    doc = Document(io.BytesIO(brief_docx(march, [], date(2019, 4, 5))))
    line = next(p.text for p in doc.paragraphs if "未完成序时进度" in p.text)
    assert line.startswith("11 个区县未完成序时进度（25.00%）：高新区、张店区、")
    assert "（完成" not in line
