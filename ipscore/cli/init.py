"""ipscore.cli.init: ``ipscore init DIR`` sets up a working folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ipscore.cli.common import app, run


@app.command()
def init(
    folder: Annotated[
        Path,
        typer.Argument(
            help="要建立的工作目录（不存在则创建）。", metavar="目录", show_default=False
        ),
    ],
    city: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--city",
            help="地级市（或直辖市）名称，如 潍坊市：按全国行政区划生成该市各县级单位的规则。",
            show_default=False,
        ),
    ] = None,
    province: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--province",
            help="省名，如 山东省：生成全省各市排名的规则（单位是各市）。",
            show_default=False,
        ),
    ] = None,
    year: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--year", help="年度目标模板的年份；默认今年。", min=2000, max=2100, show_default=False
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="目录不为空时也重新生成规则文件与 README.txt。")
    ] = False,
) -> None:
    """建立工作目录：rules/（规则文件）、收件箱/、通报/、历史库和中文说明 README.txt。

    不给 --city/--province 时复制内置的淄博示例规则。
    例：ipscore init 潍坊 --city 潍坊市；ipscore init 山东 --province 山东省
    """
    from ipscore.app.init import init_folder

    result = run(lambda: init_folder(folder, city=city, province=province, year=year, force=force))
    print(f"已建立工作目录 {result.folder}（{result.place}，{len(result.units)} 个单位）：")
    print("  " + "、".join(result.units))
    for note in result.notes:
        print(f"注意：{note}", file=sys.stderr)
    print("\n每月自动生成通报 —— Linux/macOS 的 crontab 行：")
    print(f"  {result.cron}")
    print("Windows 任务计划程序（在命令提示符中运行一次）：")
    print(f"  {result.schtasks}")
    print(f"\n下一步：cd {folder}，阅读 README.txt。")
