"""ipscore.cli.rules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass
from ipscore.cli.chinese import App
from ipscore.cli.common import fail, run

rules_app = App(
    help="规则文件：检查（rules check）与查看（rules show）。",
    no_args_is_help=True,
)

RulePath = Annotated[Path, typer.Argument(help="规则文件（TOML）。", metavar="规则文件")]


@rules_app.command("check")
def rules_check(path: RulePath) -> None:
    """检查规则文件，一次列出全部问题及其位置；无问题退出码 0，有问题退出码 2。"""
    from ipscore.rules.parse import check_scheme_file
    from ipscore.rules.resolve import load_scheme

    problems = run(lambda: check_scheme_file(path))
    if problems:
        print(f"规则文件 {path} 有 {len(problems)} 个问题：", file=sys.stderr)
        raise fail(problems)
    scheme = run(lambda: load_scheme(path))
    kind = "年度考核" if scheme.kind == "annual" else "月度排名"
    extra = f"，另有加分最多 {scheme.bonus.cap} 分" if scheme.bonus is not None else ""
    print(
        f"规则文件无问题：{scheme.name}（{kind}），{len(scheme.indicators)} 个指标，"
        f"合计 {scheme.total_points} 分{extra}。"
    )


@rules_app.command("show")
def rules_show(path: RulePath) -> None:
    """以表格列出规则：指标、分值、计分方法（中文说明）、加分、等次与一票否决。"""
    from rich.console import Console

    from ipscore.render.rules import print_scheme
    from ipscore.rules.resolve import load_scheme

    scheme = run(lambda: load_scheme(path))
    print_scheme(scheme, Console())
