"""The units file's words (unit_word/whole_word): a province's outputs say 各市/全省.

``ipscore init --province`` makes a folder whose units are the province's cities; its ranking,
circulars (md, docx), brief, trend, template, tally and annual circular are read back and must
say 各市/全省 wherever a city says 各区县/全市. The city's words are the defaults: the golden
files (tests/test_golden.py) hold the city's outputs byte for byte.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import RULES_DIR, write_month
from docx import Document
from docx.oxml.ns import qn
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from ipscore.cli.common import app
from ipscore.intake.table import load_table
from ipscore.render.brief import build_brief
from ipscore.rules.divisions import find_city, find_province, load_divisions
from ipscore.rules.generate import plan_city, plan_province, province_unit_word, whole_word
from ipscore.rules.resolve import load_scheme
from ipscore.rules.source import RuleChecker
from ipscore.rules.units import Words, load_units
from ipscore.scoring.score import score

# The 16 cities of 山东省: (name, 本月, 1-5月累计, 去年同期累计, 年度目标).
CITIES = (
    ("济南市", 300, 1500, 1400, 4000), ("青岛市", 280, 1600, 1700, 4200),
    ("淄博市", 120, 700, 650, 1800), ("枣庄市", 40, 200, 210, 600),
    ("东营市", 60, 300, 280, 800), ("烟台市", 150, 800, 760, 2000),
    ("潍坊市", 160, 900, 850, 2200), ("济宁市", 110, 600, 560, 1500),
    ("泰安市", 70, 350, 330, 900), ("威海市", 60, 320, 300, 800),
    ("日照市", 40, 210, 190, 550), ("临沂市", 100, 550, 520, 1400),
    ("德州市", 50, 260, 250, 700), ("聊城市", 50, 240, 250, 650),
    ("滨州市", 50, 270, 260, 700), ("菏泽市", 60, 300, 280, 800),
)  # fmt: skip
HEADER = ["序号", "市", "本月发明专利申请量", "1-5月累计", "去年同期累计", "同比增长(%)",
          "年度目标", "完成率(%)"]  # fmt: skip
CITY_WORDS = re.compile("区县|全市")


def invoke(*args: str | Path, cwd: Path | None = None):
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    finally:
        os.chdir(old)


def docx_text(path: Path) -> str:
    body = Document(path).element.body
    lines = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return "\n".join(line for line in lines if line)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ipscore init 省 --province 山东省``, targets filled, May and April sheets (April holds
    May's figures, so no city moves) in the inbox."""
    folder = tmp_path_factory.mktemp("words") / "省"
    result = invoke("init", folder, "--province", "山东省", "--year", "2019")
    assert result.exit_code == 0, result.output
    targets = folder / "rules" / "targets-2019.toml"
    text = targets.read_text(encoding="utf-8")
    for name, *_, target in CITIES:
        text = text.replace(f'# "{name}" = ', f'"{name}" = {target}')
    targets.write_text(text, encoding="utf-8")
    rows = [c for c in CITIES]
    inbox = folder / "收件箱"
    write_month(inbox, rows, header=HEADER, title="2019年1-5月各市发明专利申请情况统计表",
                total_label="全省")  # fmt: skip
    header = [h.replace("1-5", "1-4") for h in HEADER]
    write_month(inbox, rows, name="2019-04.xlsx", header=header, ytd_header="1-4月累计",
                title="2019年1-4月各市发明专利申请情况统计表", total_label="全省")  # fmt: skip
    return folder


# --------------------------------------------------------------------------------------------
# The units file: defaults and refusals


def _units(tmp_path: Path, city_lines: str) -> Path:
    path = tmp_path / "units.toml"
    path.write_text(
        f'[city]\nname = "甲市"\n{city_lines}\n[[units]]\nname = "甲区"\n', encoding="utf-8"
    )
    return path


def test_words_default_to_a_citys_and_the_bundled_file_says_them(tmp_path: Path) -> None:
    checker = RuleChecker(tmp_path)
    units = load_units(_units(tmp_path, ""), checker)
    assert checker.problems == [] and units is not None
    assert (units.words.unit, units.words.whole, units.words.each) == ("区县", "全市", "各区县")
    bundled = load_units(RULES_DIR / "units.toml", checker)
    assert bundled is not None and bundled.words == Words("区县", "全市")
    text = (RULES_DIR / "units.toml").read_text(encoding="utf-8")
    assert 'unit_word = "区县"' in text and 'whole_word = "全市"' in text


@pytest.mark.parametrize(
    ("line", "place", "code", "said"),
    [
        ('unit_word = ""', "city.unit_word", "rules-type", "应为非空文本（如 区县、市）"),
        ("whole_word = 3", "city.whole_word", "rules-type", "（如 全市、全省），实际为 整数 3"),
        ('unit_word = "区 县"', "city.unit_word", "rules-invalid", "“区 县”中有空格"),
        ('whole_word = "全<省>"', "city.whole_word", "rules-invalid", "“全<省>”中有<、>"),
        ('unit_word = "县（市、区）县（市、区）"', "city.unit_word", "rules-range",
         "有 12 个字，最多 8 个"),
    ],
)  # fmt: skip
def test_a_bad_word_is_refused_with_its_place(
    tmp_path: Path, line: str, place: str, code: str, said: str
) -> None:
    path = _units(tmp_path, line)
    checker = RuleChecker(path)
    load_units(path, checker)
    assert [(p.field, p.code) for p in checker.problems] == [(place, code)]
    assert said in checker.problems[0].message


def test_rules_check_lists_every_bad_word_and_exits_2(tmp_path: Path) -> None:
    path = _units(tmp_path, 'unit_word = "市,州"\nwhole_word = "全省全省全省全省全省"')
    result = invoke("rules", "check", path)
    assert result.exit_code == 2
    assert "city.unit_word" in result.stderr and "“市,州”中有," in result.stderr
    assert "city.whole_word" in result.stderr and "最多 8 个" in result.stderr
    assert "Traceback" not in result.output
    good = _units(tmp_path, 'unit_word = "市"\nwhole_word = "全省"')
    assert invoke("rules", "check", good).exit_code == 0


def test_the_unit_word_is_read_as_the_unit_columns_header(tmp_path: Path) -> None:
    # 县市区 is no alias of the reference scheme: only the units file's word makes it one.
    (tmp_path / "monthly.toml").write_bytes((RULES_DIR / "monthly-2019.toml").read_bytes())
    units = (RULES_DIR / "units.toml").read_text(encoding="utf-8")
    (tmp_path / "units.toml").write_text(units, encoding="utf-8")
    header = ["序号", "县市区", *HEADER[2:]]
    sheet = write_month(tmp_path, header=header)
    with pytest.raises(Exception, match="找不到表头"):
        load_table(sheet, load_scheme(tmp_path / "monthly.toml"))
    edited = units.replace('unit_word = "区县"', 'unit_word = "县市区"')
    (tmp_path / "units.toml").write_text(edited, encoding="utf-8")
    scheme = load_scheme(tmp_path / "monthly.toml")
    table = load_table(sheet, scheme)
    assert table.record("张店区").values["ytd_apps"] == 520
    rank = invoke("rank", sheet, "--rules", tmp_path / "monthly.toml", "--format", "md")
    assert "# 2019年1-5月各县市区发明专利申请排名" in rank.stdout
    assert "| 排名 | 县市区 |" in rank.stdout


# --------------------------------------------------------------------------------------------
# init writes the words


def test_init_writes_each_places_words() -> None:
    divisions = load_divisions()
    shandong = plan_province(divisions, find_province("山东省", divisions))
    assert (shandong.unit_word, shandong.whole_word) == ("市", "全省")
    assert shandong.total_labels == ("合计", "全省", "总计", "全省合计", "全省总计")
    weifang = plan_city(divisions, find_city("潍坊市", divisions))
    assert (weifang.unit_word, weifang.whole_word) == ("区县", "全市")
    assert weifang.total_labels == ("合计", "全市", "总计", "全市合计", "全市总计")
    assert plan_city(divisions, find_city("东莞市", divisions)).unit_word == "镇街"  # its towns
    words = {}
    for name in ("内蒙古自治区", "新疆维吾尔自治区", "海南省", "四川省", "黑龙江省"):
        place = find_province(name, divisions)
        units = plan_province(divisions, place).units
        words[name] = (province_unit_word(units), whole_word(place))
    assert words == {
        "内蒙古自治区": ("盟市", "全区"),  # 9 市 and 3 盟
        "新疆维吾尔自治区": ("地州市", "全区"),
        "海南省": ("市县", "全省"),  # the counties the province governs directly
        "四川省": ("州市", "全省"),  # 3 自治州
        "黑龙江省": ("地市", "全省"),  # 大兴安岭地区
    }


def test_init_province_writes_the_words_into_its_rules(province: Path) -> None:
    rules = province / "rules"
    units = (rules / "units.toml").read_text(encoding="utf-8")
    assert 'unit_word = "市"\nwhole_word = "全省"' in units
    notice = (rules / "notice.toml").read_text(encoding="utf-8")
    assert 'addressees = "各市知识产权局："' in notice
    assert "现将{期间}全省发明专利申请情况通报如下" in notice
    assert "各市要于每月3日前报送" in notice and "未完成序时进度的市要制定" in notice
    assert "省知识产权局对各市{年}年度知识产权工作进行了考核" in notice
    assert 'cc = "省科技厅，省市场监管局。"' in notice
    lines = [line for line in notice.splitlines() if not line.startswith("#")]
    assert not CITY_WORDS.search("\n".join(lines))
    annual = (rules / "annual-2019.toml").read_text(encoding="utf-8")
    assert 'name = "2019年市知识产权工作考核"' in annual
    assert '[fields.county]\nlabel = "市"' in annual
    assert "由各市报送的" in (province / "README.txt").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# A province's outputs, read back


def test_province_circular_md_and_docx_say_its_words(province: Path) -> None:
    notice = (province / "rules" / "notice.toml").read_text(encoding="utf-8")
    figures = notice.replace("\nfigures = []", '\nfigures = ["volume"]')
    (province / "rules" / "notice.toml").write_text(figures, encoding="utf-8")
    result = invoke(
        "notice", "收件箱/2019-05.xlsx", "--prev", "收件箱/2019-04.xlsx", "--out", "通报",
        "--date", "2019-06-05", "--formats", "md,docx,xlsx", cwd=province,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    md = (province / "通报" / "2019-05 发明专利申请情况通报.md").read_text(encoding="utf-8")
    docx = docx_text(province / "通报" / "2019-05 发明专利申请情况通报.docx")
    for text in (md, docx):
        assert "关于2019年1-5月全省" in text and "各市知识产权局：" in text
        # 9100 = the 16 cities' 累计; (9100 − 8790) ÷ 8790 = 3.5267% → 3.53%.
        assert "2019年1-5月，全省累计申请发明专利9100件（其中5月份1700件）" in text
        assert "去年同期8790件，同比增长3.53%。全省年度目标" in text
        assert "二、各市排名情况" in text
        assert "与2019年1-4月相比，各市位次均无变化。" in text
        assert "各市具体情况见附件1、附件2。" in text
        assert "2019年1-5月各市发明专利申请情况排名表" in text
        assert "2019年1-5月各市发明专利申请情况图" in text
        assert "图1　各市累计申请与去年同期（按排名）" in text
        assert "的市未完成序时进度" in text
        assert not CITY_WORDS.search(text), CITY_WORDS.findall(text)
    assert "# 关于2019年1-5月全省发明专利申请情况的通报" in md
    assert "| 序号 | 市 | 本月申请 |" in md
    # The docx title breaks after the whole's word, as a city's does after 全市.
    assert "关于2019年1-5月全省\n发明专利申请情况的通报" in docx
    sheet = load_workbook(province / "通报" / "2019-05 发明专利申请情况通报.xlsx").active
    assert sheet["B3"].value == "市"
    assert sheet["A1"].value == "2019年1-5月各市发明专利申请情况排名表"


def test_province_rank_brief_and_trend(province: Path) -> None:
    rank = invoke("rank", "收件箱/2019-05.xlsx", "--format", "md", cwd=province)
    assert rank.exit_code == 0, rank.output
    assert "# 2019年1-5月各市发明专利申请排名" in rank.stdout
    assert "完成率后标“*”的市未完成序时进度" in rank.stdout
    assert not CITY_WORDS.search(rank.stdout)
    scheme = load_scheme(province / "rules" / "monthly-2019.toml")
    ranking = score(load_table(province / "收件箱" / "2019-05.xlsx", scheme), scheme)
    brief = build_brief(ranking, date(2019, 6, 5), "2019-05.xlsx")
    assert brief.title == "2019年1-5月全省发明专利申请情况简报"
    assert brief.figures[0].label == "全省累计申请" and brief.figures[0].value == "9100 件"
    assert re.fullmatch(r"\d+ 个市未完成序时进度（41.67%）", brief.behind_text)
    # The circular above recorded May: the trend speaks of the cities too.
    trend = invoke("trend", "--format", "md", cwd=province)
    assert trend.exit_code == 0, trend.output
    assert "# 2019年各市逐月排名" in trend.stdout and "| 市 | 5月 |" in trend.stdout


def test_province_template_and_tally(province: Path, tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    result = invoke("template", "--month", "2019-06", "-o", out, cwd=province)
    assert result.exit_code == 0, result.output
    # Named as the working folder's file, not as a built-in one.
    assert "年度目标取自 rules/targets-2019.toml，已填好并锁定" in result.stderr
    wb = load_workbook(out)
    data, notes = wb.worksheets
    assert data["A1"].value == "2019年1-6月各市发明专利申请情况统计表" and data["B3"].value == "市"
    said = "\n".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    assert "修改表头或市名称" in said and "请与省局联系" in said
    listing = tmp_path / "明细.csv"
    listing.write_text(
        "申请日,专利类型,申请人地址\n2019-05-02,发明,山东省潍坊市寿光市1号\n"
        "2019-05-04,发明,山东省5号\n2019-05-06,发明,某某路6号\n2018-05-02,发明,青岛市黄岛区\n",
        encoding="utf-8",
    )
    table = tmp_path / "2019-05.xlsx"
    result = invoke("tally", listing, "--month", "2019-05", "-o", table, cwd=province)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "2019年1-5月各市发明专利申请情况（件）"
    assert lines[1] == "市\t本月\t1-5月累计\t去年同期\t同比增长(%)\t年度目标\t完成率(%)"
    assert "山东省5号：只写到本省，没有市或区县" in result.stdout
    assert "某某路6号：没有可识别的市、区县或省份名称" in result.stdout
    assert "条发明专利申请无法归属到市，未计入统计表" in result.stderr
    review = (tmp_path / "2019-05.无法归属.csv").read_text(encoding="utf-8-sig")
    assert "只写到本省，没有市或区县" in review
    sheet = load_workbook(table).active
    assert sheet["A1"].value == "2019年1-5月各市发明专利申请情况统计表"
    assert sheet["B3"].value == "市"
    # The table, headed 市, reads back under the province's scheme.
    scheme = load_scheme(province / "rules" / "monthly-2019.toml")
    assert load_table(table, scheme).record("潍坊市").values["month_apps"] == 1


def test_province_annual_circular(province: Path) -> None:
    scheme = load_scheme(province / "rules" / "annual-2019.toml")
    fields = [f for f in scheme.fields.values() if f.type not in ("reported",) and f.id != "serial"]
    wb = Workbook()
    ws = wb.active
    ws.append(["2019年度各市知识产权工作考核数据表"])
    ws.append(["市" if f.type == "unit" else f.label for f in fields])
    for index, (name, *_) in enumerate(CITIES):
        row: list[object] = []
        for f in fields:
            if f.type == "unit":
                row.append(name)
            elif f.type == "flag":
                row.append("否")
            else:
                row.append(100 + index if "target" in f.id or f.id == "population" else index)
        ws.append(row)
    wb.save(province / "收件箱" / "2019-annual.xlsx")
    result = invoke(
        "notice", "收件箱/2019-annual.xlsx", "--out", "年度", "--date", "2020-01-20",
        "--formats", "md,docx", cwd=province,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    md = (province / "年度" / "2019 市知识产权工作考核结果通报.md").read_text(encoding="utf-8")
    docx = docx_text(province / "年度" / "2019 市知识产权工作考核结果通报.docx")
    for text in (md, docx):
        assert "关于2019年度市知识产权工作考核结果的通报" in text.replace("\n", "")
        assert "年度各市总分（满分100分" in text
        assert "（16个市中的前4名）" in text
        assert "各市各项得分、总分及等次见附件。" in text
        assert "2019年度市知识产权工作考核结果表" in text
        assert not CITY_WORDS.search(text), CITY_WORDS.findall(text)
    assert "| 排名 | 市 |" in md
    sheet = docx_text(province / "年度" / "2019年度考核得分明细" / "济南市.docx")
    assert "评分方案：2019年市知识产权工作考核" in sheet and not CITY_WORDS.search(sheet)
