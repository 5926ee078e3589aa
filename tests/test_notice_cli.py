"""``ipscore notice``: options shared with rank, the 文号 register, PDF, the annual circular."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from conftest import MAY_ROWS, SAMPLES_DIR, write_month
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from typer.testing import CliRunner

from ipscore.cli.common import app

MAY = SAMPLES_DIR / "2019-05.xlsx"
ANNUAL = SAMPLES_DIR / "2019-annual.xlsx"


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def texts(path: Path) -> list[str]:
    body = Document(path).element.body
    out = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return [t for t in out if t]


# --------------------------------------------------------------------------------------------
# --month, --sheet, --allow-missing: exactly as rank takes them


def test_month_sheet_and_allow_missing(tmp_path: Path) -> None:
    rows = [r for r in MAY_ROWS if r[0] != "文昌湖区"]
    path = write_month(
        tmp_path,
        rows,
        name="统计.xlsx",
        title="各区县发明专利申请情况统计表",  # no month in the title or the name
        extra_sheets=[("说明", [["填表说明"]])],
        sheet="数据",
    )
    out = tmp_path / "out"
    result = invoke("notice", path, "--out", out, "--date", "2019-06-05", "--formats", "md")
    assert result.exit_code == 2 and "--month" in result.stderr
    result = invoke(
        "notice",
        path,
        "--out",
        out,
        "--month",
        "2019-05",
        "--sheet",
        "数据",
        "--date",
        "2019-06-05",
        "--formats",
        "md",
    )
    assert (
        result.exit_code == 2 and "文昌湖区" in result.stderr and "--allow-missing" in result.stderr
    )
    assert not out.exists()
    result = invoke(
        "notice",
        path,
        "--out",
        out,
        "--month",
        "2019-05",
        "--sheet",
        "数据",
        "--allow-missing",
        "--date",
        "2019-06-05",
        "--formats",
        "md",
    )
    assert result.exit_code == 0, result.output
    md = (out / "2019-05 发明专利申请情况通报.md").read_text(encoding="utf-8")
    assert "关于2019年1-5月全市发明专利申请情况的通报" in md and "| 文昌湖区 |" not in md
    numbered = [line.split("|")[1].strip() for line in md.splitlines() if line.startswith("| ")]
    assert numbered[2:] == [str(n) for n in range(1, 11)] + [""]  # ten units and 合计


def test_inbox_refuses_the_options_of_a_single_file(tmp_path: Path) -> None:
    for flag, value in (("--month", "2019-05"), ("--sheet", "1"), ("--number", "3")):
        result = invoke("notice", "--inbox", tmp_path, "--out", tmp_path / "o", flag, value)
        assert result.exit_code == 2 and flag in result.stderr


# --------------------------------------------------------------------------------------------
# The 文号 register


def test_numbers_run_per_issuing_year_and_a_reissue_keeps_its_number(tmp_path: Path) -> None:
    def publish(month: str, when: str, *extra: str) -> str:
        result = invoke(
            "notice",
            SAMPLES_DIR / f"2019-{month}.xlsx",
            "--out",
            tmp_path,
            "--date",
            when,
            "--formats",
            "md",
            *extra,
        )
        assert result.exit_code == 0, result.output
        return result.stdout.splitlines()[0]

    assert publish("05", "2019-06-05") == "文号：X知字〔2019〕1号"
    assert publish("06", "2019-07-05") == "文号：X知字〔2019〕2号"
    assert publish("05", "2019-06-06", "--force") == "文号：X知字〔2019〕1号"  # a correction
    assert publish("12", "2020-01-06") == "文号：X知字〔2020〕1号"  # a new year, a new count
    assert publish("11", "2019-12-05", "--number", "40") == "文号：X知字〔2019〕40号"
    assert publish("10", "2019-11-05") == "文号：X知字〔2019〕41号"
    result = invoke(
        "notice",
        SAMPLES_DIR / "2019-09.xlsx",
        "--out",
        tmp_path,
        "--date",
        "2019-10-08",
        "--number",
        "2",
        "--formats",
        "md",
    )
    assert result.exit_code == 2
    assert "X知字〔2019〕2号 已登记给 2019-06 月度通报" in result.stderr
    assert not (tmp_path / "2019-09 发明专利申请情况通报.md").exists()


# --------------------------------------------------------------------------------------------
# PDF through LibreOffice


def test_pdf_without_libreoffice_is_a_clear_refusal(tmp_path: Path, monkeypatch) -> None:
    import ipscore.render.pdf

    monkeypatch.setattr(ipscore.render.pdf, "find_soffice", lambda: None)
    result = invoke(
        "notice", MAY, "--out", tmp_path / "o", "--date", "2019-06-05", "--formats", "docx,pdf"
    )
    assert result.exit_code == 2
    assert "LibreOffice" in result.stderr and "去掉 --formats 中的 pdf" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


FAKE_SOFFICE = """#!{python}
import os, sys
args = sys.argv[1:]
out = args[args.index("--outdir") + 1]
config = open(os.environ["FONTCONFIG_FILE"], encoding="utf-8").read()
for name in args:
    if name.endswith(".docx"):
        stem = os.path.splitext(os.path.basename(name))[0]
        with open(os.path.join(out, stem + ".pdf"), "w", encoding="utf-8") as pdf:
            pdf.write("%PDF-fake\\n" + " ".join(args) + "\\n" + config)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fontconfig is Linux's")
def test_pdf_goes_through_soffice_with_the_font_chains(tmp_path: Path, monkeypatch) -> None:
    import ipscore.render.pdf

    program = tmp_path / "soffice"
    program.write_text(FAKE_SOFFICE.format(python=sys.executable), encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(ipscore.render.pdf, "find_soffice", lambda: str(program))
    out = tmp_path / "o"
    result = invoke("notice", MAY, "--out", out, "--date", "2019-06-05", "--formats", "pdf")
    assert result.exit_code == 0, result.output
    pdf = (out / "2019-05 发明专利申请情况通报.pdf").read_text(encoding="utf-8")
    assert pdf.startswith("%PDF-fake") and "--headless" in pdf and "--convert-to pdf" in pdf
    assert "-env:UserInstallation=file://" in pdf  # a profile of its own
    # 仿宋_GB2312 falls back to 仿宋, FangSong, then a serif face; 黑体 to a sans one.
    assert (
        "<family>仿宋_GB2312</family><accept><family>仿宋</family><family>FangSong</family>"
        "<family>serif</family></accept>"
    ) in pdf
    assert "<family>黑体</family><accept><family>SimHei</family><family>sans</family>" in pdf
    assert [p.name for p in out.iterdir()] == ["2019-05 发明专利申请情况通报.pdf"]


# --------------------------------------------------------------------------------------------
# The annual results circular


def test_annual_results_circular(tmp_path: Path) -> None:
    result = invoke("notice", ANNUAL, "--out", tmp_path, "--date", "2020-01-15")
    assert result.exit_code == 0, result.output
    docx = tmp_path / "2019 区县知识产权工作考核结果通报.docx"
    body = texts(docx)
    assert "X知字〔2020〕1号" in body
    assert body[body.index("X知字〔2020〕1号") + 1 : body.index("X知字〔2020〕1号") + 3] == [
        "关于2019年度区县",
        "知识产权工作考核结果的通报",
    ]
    joined = "".join(body)
    # From the annual sample (shared/DOMAIN.md's scheme): 张店区 109.50, 高新区 109.09,
    # 临淄区 100.66 优秀; 经济开发区 94.88 is over 90 but 4th, outside floor(30% × 11) = 3;
    # 桓台县 93.92 is vetoed; 张店区's bonus items exceed the 10-point cap.
    assert "居前三位的是张店区（109.50分）、高新区（109.09分）、临淄区（100.66分）" in joined
    assert "考核等次为优秀的有张店区、高新区、临淄区等3个区县；良好的有经济开发区、周村区" in joined
    assert "总分90分以上且排名在前30%（11个区县中的前3名）的为优秀，80分以上的为良好" in joined
    assert (
        "经济开发区总分94.88分，达到优秀分数线，但排名第4位，不在前3名之内，等次为良好。" in joined
    )
    assert "桓台县（总分93.92分，排名第5位）存在一票否决事项，考核等次为不合格" in joined
    assert "张店区加分合计超过10分上限，按10分计。" in joined
    assert "附件：2019年度区县知识产权工作考核结果表" in body

    doc = Document(docx)
    main, annex = doc.sections[0], doc.sections[1]
    assert annex.page_width > annex.page_height and main.page_width < main.page_height
    table = doc.tables[0]
    assert len(table.columns) == 17 and len(table.rows) == 12
    assert [c.text for c in table.rows[5].cells][:2] == ["5", "桓台县"]
    assert table.rows[5].cells[-1].text == "不合格（否决）"

    sheets = sorted((tmp_path / "2019年度考核得分明细").iterdir())
    assert len(sheets) == 11
    sheet = texts(tmp_path / "2019年度考核得分明细" / "经济开发区.docx")
    assert sheet[0] == "经济开发区2019年度考核得分明细"
    assert "达到优秀分数线 90，但优秀限排名前 3 名" in "".join(sheet)
    # 临淄区 100.66 − 经济开发区 94.88 = 5.78.
    assert "94.88" in sheet and any(
        t.startswith("与上一名临淄区（第3名）相差5.78分") for t in sheet
    )

    wb = load_workbook(tmp_path / "2019 区县知识产权工作考核结果通报.xlsx")
    ws = wb.active
    assert ws["B3"].value == "张店区" and ws.cell(3, 16).value == 109.5
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToHeight == 1


def test_annual_circular_dated_before_the_year_ends_is_refused(tmp_path: Path) -> None:
    result = invoke("notice", ANNUAL, "--out", tmp_path / "o", "--date", "2019-12-20")
    assert result.exit_code == 2 and "2020-01-01" in result.stderr
    assert not (tmp_path / "o").exists()


def test_default_wording_without_annual_section(tmp_path: Path) -> None:
    rules = tmp_path / "notice.toml"
    rules.write_text(
        '[notice]\nissuer = "YY市知识产权局"\ndoc_prefix = "Y知"\naddressees = "各县区："\n'
        'printer = "YY市知识产权局办公室"\n',
        encoding="utf-8",
    )
    result = invoke(
        "notice",
        ANNUAL,
        "--out",
        tmp_path / "o",
        "--date",
        "2020-01-15",
        "--notice-rules",
        rules,
        "--formats",
        "md",
    )
    assert result.exit_code == 0, result.output
    md = next((tmp_path / "o").glob("*.md")).read_text(encoding="utf-8")
    assert "现将2019年度区县知识产权工作考核结果通报如下：" in md and "Y知〔2020〕1号" in md
    assert "YY市知识产权局文件" in md  # the masthead defaults to the issuer + 文件
