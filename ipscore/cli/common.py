"""ipscore.cli.common."""

from __future__ import annotations

import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer

if TYPE_CHECKING:
    from collections.abc import Callable

    from ipscore.base.period import Period
    from ipscore.base.problems import Problem


T = TypeVar("T")

app = typer.Typer(
    name="ipscore",
    help="区县知识产权工作评分工具：发明专利申请月度排名（一月一排名）与年度区县工作考核。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

_state = {"debug": False}


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    xlsx = "xlsx"


_SUFFIX_FORMATS = {".json": Format.json, ".csv": Format.csv, ".md": Format.md, ".xlsx": Format.xlsx}


def _version(value: bool) -> None:
    if value:
        from ipscore import __version__

        typer.echo(f"ipscore {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="出错时显示完整的调用栈（排查程序问题用）。")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号。")
    ] = False,
) -> None:
    _state["debug"] = debug


def warn(problems: list[Problem], quiet: bool) -> None:
    if quiet:
        return
    for problem in problems:
        print(problem.line(), file=sys.stderr)


def fail(problems: list[Problem]) -> typer.Exit:
    for problem in problems:
        print(problem.line(), file=sys.stderr)
    return typer.Exit(2)


def parse_period(month: str | None) -> Period | None:
    if month is None:
        return None
    from ipscore.base.period import Period

    try:
        return Period.parse(month)
    except ValueError:
        raise typer.BadParameter(
            f"应为 YYYY-MM（如 2019-05），实际为 {month!r}", param_hint="--month"
        ) from None


def output_format(fmt: Format | None, output: Path | None) -> Format:
    if fmt is not None:
        chosen = fmt
    elif output is not None:
        chosen = _SUFFIX_FORMATS.get(output.suffix.lower(), Format.table)
    else:
        chosen = Format.table
    if chosen is Format.xlsx and output is None:
        raise typer.BadParameter("xlsx 格式需要用 -o 指定输出文件", param_hint="--format")
    if output is not None and not output.parent.is_dir():
        raise typer.BadParameter(f"输出目录不存在：{output.parent}", param_hint="-o")
    return chosen


RulesOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--rules",
        "-r",
        help="规则文件（TOML）。默认使用内置的 2019 年月度排名方案。",
        show_default=False,
    ),
]


MonthOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--month", "-m", help="数据月份 YYYY-MM；默认从表格标题或文件名识别。", show_default=False
    ),
]
SheetOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--sheet", "-s", help="工作表名称（或序号，从 1 起）；默认自动识别。", show_default=False
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="不显示警告。")]


CompareOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--compare",
        "-c",
        help="另一个规则文件：列出每个单位在两个规则下的得分、排名、变化及变动来源。",
        show_default=False,
    ),
]


DbOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--db",
        help="历史库（SQLite）路径；默认环境变量 IPSCORE_DB，否则当前目录的 ipscore.db。",
        show_default=False,
    ),
]


def run(call: Callable[[], T]) -> T:
    """Run a core call, turning its known failures into messages and exit status 2."""
    from ipscore.base.problems import IpscoreError

    try:
        return call()
    except IpscoreError as exc:
        raise fail(exc.problems) from None
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        raise typer.Exit(130) from None
    except Exception as exc:
        if _state["debug"]:
            raise
        print(
            f"内部错误：{type(exc).__name__}: {exc}（加 --debug 查看详情，并请报告此问题）",
            file=sys.stderr,
        )
        raise typer.Exit(1) from None


def fail_text(message: str) -> typer.Exit:
    print(f"错误：{message}", file=sys.stderr)
    return typer.Exit(2)


# --------------------------------------------------------------------------------------------
# The monthly circular and the month history


def parse_date(text: str | None) -> date:
    from datetime import date as _d

    if text is None:
        return _d.today()
    try:
        return _d.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"应为 YYYY-MM-DD（如 2019-06-05），实际为 {text!r}", param_hint="--date"
        ) from None


class ListFormat(str, Enum):
    table = "table"
    json = "json"


def main() -> None:
    """Console-script entry point."""
    app()
