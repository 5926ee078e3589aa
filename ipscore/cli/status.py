"""ipscore.cli.status: the collection round — who has reported, who is late, whose file is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ipscore.cli.common import (
    FormatOption,
    OutputOption,
    RulesOption,
    SheetOption,
    app,
    output_format,
    parse_date,
    parse_period,
    run,
)
from ipscore.cli.output import emit


@app.command()
def status(
    inbox: Annotated[
        Path,
        typer.Option(
            "--inbox", help="收件箱目录：各单位报送的表格。", show_default=False, metavar="目录"
        ),
    ],
    month: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--month",
            "-m",
            help="报送的数据月份 YYYY-MM；默认为今天的上一个月。",
            show_default=False,
            metavar="年-月",
        ),
    ] = None,
    when: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--date",
            help="按哪一天判断逾期 YYYY-MM-DD；默认今天。",
            show_default=False,
            metavar="年-月-日",
        ),
    ] = None,
    notice_rules: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--notice-rules",
            help="通报文字设置（TOML），含报送截止日（次月几日）；默认 rules/notice.toml。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    rules: RulesOption = None,
    sheet: SheetOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """报送情况：哪些单位已报送、哪些逾期未报、谁的表格有错误。

    收件箱中的每个表格都像 ipscore merge 那样读取：填了哪些区县、是哪个月的、有什么错误；
    收到时间取文件的修改时间，与 notice.toml 中的报送截止日（次月几日）比较。

    例：ipscore status --inbox 收件箱 --month 2019-06
    """
    chosen = output_format(fmt, output, inputs=(rules, notice_rules))
    day = parse_date(when)
    period = parse_period(month)
    if period is None:
        from ipscore.base.period import Period

        period = Period(day.year, day.month).previous()

    def build() -> Any:
        from ipscore.app.status import collection_status
        from ipscore.rules.resolve import resolve_scheme

        scheme = resolve_scheme(rules, "monthly", "status")
        return collection_status(inbox, scheme, period, day, notice_rules=notice_rules, sheet=sheet)

    emit(run(build), chosen, output)
