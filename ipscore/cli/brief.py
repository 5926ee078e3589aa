"""ipscore.cli.brief: the one-page brief for the bureau's leaders."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ipscore.base.text import printable, printable_path
from ipscore.cli.common import (
    AllowMissingOption,
    DbOption,
    MonthOption,
    QuietOption,
    RulesOption,
    SheetOption,
    app,
    check_output,
    parse_date,
    parse_period,
    run,
    warn,
)


@app.command()
def brief(
    file: Annotated[
        Path, typer.Argument(help="本月统计表（.xlsx/.xlsm/.xls/.ods/.csv）。", metavar="文件")
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="简报文件：.docx（Word），或 .pdf、.png（需要 LibreOffice）。",
            show_default=False,
            metavar="文件",
        ),
    ],
    rules: RulesOption = None,
    month: MonthOption = None,
    sheet: SheetOption = None,
    prev: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--prev",
            "-p",
            help="上月统计表，用于位次变化；默认取历史库中的上月排名。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    allow_missing: AllowMissingOption = False,
    when: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--date", help="简报日期 YYYY-MM-DD；默认今天。", show_default=False, metavar="年-月-日"
        ),
    ] = None,
    font: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--font",
            help="图表用的中文字体（字体文件路径或字体名）；默认在本机查找。",
            show_default=False,
            metavar="字体",
        ),
    ] = None,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """给局领导的一页简报（A4）：本月关键数字、前三名与后三名、位次变化、未完成序时进度的单位和两张图。

    两张图：各区县累计与去年同期、完成率与序时进度线，黑白打印也能分清（斜线与交叉线填充）。
    图中文字用本机找到的中文字体（运行后会说明用的是哪一个）。

    例：ipscore brief 2019-05.xlsx -o 简报.pdf
    """
    from ipscore.app.brief import FORMATS
    from ipscore.store.history import db_path

    check_output(output, suffixes=FORMATS, inputs=(file, prev, rules), store=db_path(db))
    period = parse_period(month)
    day = parse_date(when)

    def build() -> Any:
        from ipscore.app.brief import make_brief
        from ipscore.rules.resolve import resolve_scheme

        scheme = resolve_scheme(rules, "monthly", "brief")
        return make_brief(
            file,
            scheme,
            output,
            day,
            font=font,
            prev=prev,
            db=db,
            sheet=sheet,
            period=period,
            allow_missing=allow_missing,
        )

    done = run(build)
    warn(done.warnings, quiet)
    print(f"已写入：{printable_path(done.path)}")
    if done.font_name is not None:
        print(f"图表字体：{printable(done.font_name)}（{printable_path(done.font_path)}）")
    else:
        print("图表字体：未找到中文字体，图中的中文显示为方框", file=sys.stderr)
