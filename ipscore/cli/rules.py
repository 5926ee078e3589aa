"""ipscore.cli.rules: check, show and export the rule files; the bundled ones by name."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ipscore.base.text import printable, printable_path
from ipscore.cli.chinese import App
from ipscore.cli.common import check_output_folder, fail, fail_text, run

rules_app = App(
    help="规则文件：检查（check）、查看（show）、导出内置规则（export）。",
    no_args_is_help=True,
)

RuleName = Annotated[
    str,
    typer.Argument(
        help="规则文件的路径，或内置规则的名称：monthly（月度排名）、annual（年度考核）、"
        "units、notice、attribution、targets-2019 等。",
        metavar="规则文件",
    ),
]


def rule_path(text: str) -> Path:
    """The file a rule argument names: an existing path as typed, else a bundled file by name;
    neither is an error that lists the bundled names."""
    from ipscore.rules.source import builtin_rule, builtin_rules

    typed = Path(text)
    found = None if typed.exists() else builtin_rule(text)
    if found is not None:
        return found
    if typed.exists() or "/" in text or "\\" in text or typed.suffix.lower() == ".toml":
        return typed  # a path: its readers say what is wrong with it, naming it as typed
    names = "、".join(["monthly", "annual", *(p.stem for p in builtin_rules())])
    raise fail_text(f"找不到规则文件“{printable_path(text)}”（内置规则可按名称给出：{names}）")


@rules_app.command("check")
def rules_check(name: RuleName) -> None:
    """检查规则文件，一次列出全部问题及其位置；无问题退出码 0，有问题退出码 2。

    例：ipscore rules check my.toml；ipscore rules check annual
    """
    from ipscore.app.rules import check_rule_file
    from ipscore.rules.resolve import load_scheme
    from ipscore.rules.source import shown_path

    path = rule_path(name)
    kind, problems = run(lambda: check_rule_file(path))
    if problems:
        print(f"规则文件 {shown_path(path)} 有 {len(problems)} 个问题：", file=sys.stderr)
        raise fail(problems)
    if kind != "评分方案":
        print(f"规则文件无问题：{shown_path(path)}（{kind}）。")
        return
    scheme = run(lambda: load_scheme(path))
    kind = "年度考核" if scheme.kind == "annual" else "月度排名"
    extra = f"，另有加分最多 {scheme.bonus.cap} 分" if scheme.bonus is not None else ""
    print(
        f"规则文件无问题：{scheme.name}（{kind}），{len(scheme.indicators)} 个指标，"
        f"合计 {scheme.total_points} 分{extra}。"
    )


@rules_app.command("show")
def rules_show(name: RuleName) -> None:
    """查看规则：方案以表格列出指标、分值、计分方法（中文说明）、加分、等次与一票否决；
    其他规则文件（单位表、通报设置、年度目标等）原样显示。

    例：ipscore rules show monthly；ipscore rules show units
    """
    from ipscore.rules.source import read_toml

    path = rule_path(name)
    data: dict[str, Any] = run(lambda: read_toml(path))
    if "scheme" not in data:
        text = path.read_text(encoding="utf-8-sig")
        sys.stdout.write("\n".join(printable(line, None) for line in text.splitlines()) + "\n")
        return
    from rich.console import Console

    from ipscore.render.rules import print_scheme
    from ipscore.rules.resolve import load_scheme

    scheme = run(lambda: load_scheme(path))
    print_scheme(scheme, Console())


@rules_app.command("export")
def rules_export(
    folder: Annotated[
        Path, typer.Argument(help="导出到哪个目录（不存在则创建）。", metavar="目录")
    ],
    force: Annotated[bool, typer.Option("--force", help="覆盖目录中已有的同名文件。")] = False,
) -> None:
    """把内置的规则文件复制到目录中，供查看、修改后用 --rules 使用。

    例：ipscore rules export 我的规则，然后编辑 我的规则/monthly-2019.toml，
    ipscore rules check 我的规则/monthly-2019.toml
    """
    from ipscore.app.rules import export_rules

    if folder.exists() and not folder.is_dir():
        raise fail_text(f"{printable_path(folder)} 已存在且不是目录；请换一个目录")
    check_output_folder(folder)
    done = run(lambda: export_rules(folder, force=force))
    for path in done.written:
        print(f"已写入：{printable_path(path)}")
    if done.kept:
        kept = "、".join(p.name for p in done.kept)
        print(f"已存在，未覆盖（加 --force 覆盖）：{kept}", file=sys.stderr)
