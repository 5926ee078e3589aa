"""CSV files as the units save them: a title line, ragged lines, UTF-8 with or without BOM, GBK."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MAY_ROWS

from ipscore.app.rank import rank_month
from ipscore.intake.grids import decode_text, read_grids
from ipscore.rules.scheme import Scheme


def may_csv_text() -> str:
    lines = ["2019年1-5月各区县发明专利申请情况统计表", ",,,,,单位：件"]
    lines.append("序号,区县,本月发明专利申请量,1-5月累计,去年同期累计,年度目标")
    for serial, (county, month, ytd, last, target) in enumerate(MAY_ROWS, start=1):
        lines.append(f'{serial},{county},{month},"{ytd:,}",{last},{target}')
    lines.append("合计,,550,2331,2112,5680,,")  # longer than the header: ragged
    lines.append("注：数据来源于省知识产权局专利统计月报。")
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_with_title_line_and_ragged_lines_ranks(
    tmp_path: Path, scheme: Scheme, encoding: str
) -> None:
    path = tmp_path / "2019-05.csv"
    path.write_bytes(may_csv_text().encode(encoding))
    ranking = rank_month(path, scheme)
    # May 2019: 高新区 480/400 is first (see test_cli), 张店区 520 second.
    assert [r.county for r in ranking.rows[:2]] == ["高新区", "张店区"]
    assert ranking.totals["ytd_apps"] == 2331
    grid = read_grids(path)[0]
    assert grid.rows[0] == ["2019年1-5月各区县发明专利申请情况统计表"]
    assert grid.rows[3][1] == "张店区"


def test_gbk_bytes_that_are_also_valid_utf8_are_read_as_gbk() -> None:
    # The GBK bytes of 唷班啊 (e0a1b0 e0b0a1) are also valid UTF-8, where they spell two rare
    # Samaritan/Telugu letters; the GBK reading (three GB2312 hanzi) is the plausible one.
    data = "唷班啊".encode("gbk")
    assert data.decode("utf-8") != "唷班啊"
    assert decode_text(data) == "唷班啊"
    assert decode_text("合计,张店区".encode("gbk")) == "合计,张店区"
    # UTF-8 Chinese decodes as GB18030 too (into mojibake); UTF-8 must win.
    assert decode_text("中文,张店区,文昌湖区".encode()) == "中文,张店区,文昌湖区"


def test_utf16_tab_separated_text_as_excel_saves_unicode_text(
    tmp_path: Path, scheme: Scheme
) -> None:
    # Excel's "Unicode 文本" is UTF-16 with a BOM and tabs; some units rename it to .csv.
    path = tmp_path / "2019-05.csv"
    text = may_csv_text().replace(",", "\t")
    path.write_bytes(text.encode("utf-16"))
    ranking = rank_month(path, scheme)
    assert ranking.totals["ytd_apps"] == 2331
