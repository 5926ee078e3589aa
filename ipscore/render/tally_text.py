"""What ``ipscore tally`` prints: the month's counts and what was not counted for any unit."""

from __future__ import annotations

from pathlib import Path

from ipscore.base.numbers import fmt, growth, percent
from ipscore.render.table import visible
from ipscore.tally.count import SAMPLE, TallyResult

_LONGEST = 80


def _cut(text: str) -> str:
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def summary_lines(result: TallyResult, review: Path, output: Path | None = None) -> list[str]:
    """The table as text, then 外市 and 无法归属 with a sample of the latter."""
    period = result.period
    ytd = "1月累计" if period.month == 1 else f"1-{period.month}月累计"
    lines = [f"{period.span_zh}{result.words.each}发明专利申请情况（件）"]
    lines.append(
        "\t".join(
            [result.words.unit, "本月", ytd, "去年同期", "同比增长(%)", "年度目标", "完成率(%)"]
        )
    )
    for row in [*result.rows, result.totals]:
        lines.append(
            "\t".join(
                [
                    row.unit,
                    str(row.month),
                    str(row.ytd),
                    str(row.last_year),
                    fmt(growth(row.ytd, row.last_year)),
                    "" if row.target is None else str(row.target),
                    "" if row.target is None else fmt(percent(row.ytd, row.target)),
                ]
            )
        )
    year = period.year
    now = sum(v[0] for v in result.other_cities.values())
    last = sum(v[1] for v in result.other_cities.values())
    cities = "、".join(f"{c} {v[0]}" for c, v in result.other_cities.items() if v[0])
    lines.append(
        f"{result.outside_label}（未计入）：{year}年 {now} 件，{year - 1}年同期 {last} 件"
        + (f"（{year}年：{cities}）" if cities else "")
    )
    lost_now, lost_last = result.unattributed_counts
    lines.append(
        f"无法归属（未计入）：{year}年 {lost_now} 件，{year - 1}年同期 {lost_last} 件"
        f" → 核对文件 {visible(str(review))}"
    )
    for record in result.unattributed.head(SAMPLE).iter_rows(named=True):
        # Addresses and file names come from the input: shown, never sent to the terminal raw.
        address = visible(_cut(record["申请人地址"] or "（空）"))
        lines.append(
            f"  {visible(record['文件'])} 第 {record['行号']} 行  {address}：{record['原因']}"
        )
    if result.unattributed.height > SAMPLE:
        lines.append(f"  ……共 {result.unattributed.height} 条，见核对文件")
    return lines
