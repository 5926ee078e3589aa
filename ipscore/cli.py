"""The ``ipscore`` command line: parse options, call one core function, render the result.

Results go to stdout, problems to stderr. A problem with the input or the rules exits with
status 2 and one line per problem; no traceback unless ``--debug``. Heavy libraries are
imported inside the commands, so ``ipscore --help`` stays fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional, TypeVar

import typer

if TYPE_CHECKING:
    from collections.abc import Callable

    from ipscore.loading import Period
    from ipscore.problems import Problem
    from ipscore.scoring import Ranking

T = TypeVar("T")

app = typer.Typer(
    name="ipscore",
    help="区县知识产权工作评分工具：发明专利申请月度排名（一月一排名）。",
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


def _warn(problems: list[Problem], quiet: bool) -> None:
    if quiet:
        return
    for problem in problems:
        print(problem.line(), file=sys.stderr)


def _fail(problems: list[Problem]) -> typer.Exit:
    for problem in problems:
        print(problem.line(), file=sys.stderr)
    return typer.Exit(2)


def _period(month: str | None) -> Period | None:
    if month is None:
        return None
    from ipscore.loading import Period

    try:
        return Period.parse(month)
    except ValueError:
        raise typer.BadParameter(
            f"应为 YYYY-MM（如 2019-05），实际为 {month!r}", param_hint="--month"
        ) from None


def _output_format(fmt: Format | None, output: Path | None) -> Format:
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


@app.command()
def rank(
    file: Annotated[
        Path,
        typer.Argument(
            help="本月统计表（.xlsx/.xlsm/.xls/.ods/.csv）。", metavar="FILE", show_default=False
        ),
    ],
    rules: RulesOption = None,
    month: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--month",
            "-m",
            help="数据月份 YYYY-MM；默认从表格标题或文件名识别。",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--sheet",
            "-s",
            help="工作表名称（或序号，从 1 起）；默认自动识别。",
            show_default=False,
        ),
    ] = None,
    prev: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--prev", "-p", help="上月统计表，用于计算位次变化。", show_default=False),
    ] = None,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="允许缺少部分区县（只对已有区县排名）。")
    ] = False,
    fmt: Annotated[
        Optional[Format],  # noqa: UP045
        typer.Option(
            "--format", "-f", help="输出格式；默认 table，或按 -o 的扩展名。", show_default=False
        ),
    ] = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output", "-o", help="写入文件（原子写入）；默认输出到终端。", show_default=False
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示警告。")] = False,
) -> None:
    """按月度方案计算各区县得分与排名（例：ipscore rank 2019-05.xlsx --prev 2019-04.xlsx）。"""
    chosen = _output_format(fmt, output)
    period = _period(month)
    ranking = _run(
        lambda: _rank(
            file, rules, sheet=sheet, period=period, allow_missing=allow_missing, prev=prev
        )
    )
    _warn(ranking.warnings, quiet)
    _emit_ranking(ranking, chosen, output)


def _rank(file: Path, rules: Path | None, **options: Any) -> Ranking:
    from ipscore.monthly import rank_month
    from ipscore.rules import load_scheme

    scheme = load_scheme(rules)
    _warn(list(scheme.warnings), False)
    return rank_month(file, scheme, **options)


def _run(call: Callable[[], T]) -> T:
    """Run a core call, turning its known failures into messages and exit status 2."""
    from ipscore.problems import IpscoreError

    try:
        return call()
    except IpscoreError as exc:
        raise _fail(exc.problems) from None
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


def _emit_ranking(ranking: Ranking, chosen: Format, output: Path | None) -> None:
    from ipscore.output import write_text_atomic

    if chosen is Format.xlsx:
        from ipscore.render.xlsx import write_xlsx

        assert output is not None
        _run(lambda: write_xlsx(ranking, output))
        return
    if chosen is Format.table:
        if output is None:
            from rich.console import Console

            from ipscore.render.terminal import print_ranking

            print_ranking(ranking, Console())
            return
        from ipscore.render.terminal import ranking_text

        text = ranking_text(ranking)
    else:
        from ipscore.render import text as renderers

        render = {
            Format.json: renderers.to_json,
            Format.csv: renderers.to_csv,
            Format.md: renderers.to_markdown,
        }
        text = render[chosen](ranking)
    if output is None:
        sys.stdout.write(text)
        return
    encoding = "utf-8-sig" if chosen is Format.csv else "utf-8"
    _run(lambda: write_text_atomic(output, text, encoding))


class ReportFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def validate(
    file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(
            help="要检查的统计表（.xlsx/.xlsm/.xls/.ods/.csv）。",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    month: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--month", "-m", help="数据月份 YYYY-MM；默认从表格标题或文件名识别。"),
    ] = None,
    sheet: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--sheet", "-s", help="工作表名称（或序号，从 1 起）；默认自动识别。"),
    ] = None,
    prev: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--prev", "-p", help="上月统计表，用于核对本月数、累计数和异常波动。"),
    ] = None,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="缺少部分区县不算错误。")
    ] = False,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="table（终端表格）或 json（问题列表）。"),
    ] = ReportFormat.table,
    codes: Annotated[
        bool, typer.Option("--codes", help="列出全部问题代码及含义，然后退出。")
    ] = False,
) -> None:
    """检查统计表的数据质量（不计分）：一次列出全部错误和警告。

    退出状态：0 没有问题，1 只有警告，2 有错误。
    例：ipscore validate 2019-05.xlsx --prev 2019-04.xlsx
    """
    if codes:
        from ipscore.codes import codes_markdown

        sys.stdout.write(codes_markdown())
        return
    if file is None:
        raise typer.BadParameter(
            "请指定要检查的文件（或用 --codes 列出问题代码）", param_hint="FILE"
        )
    period = _period(month)

    def check() -> Any:
        from ipscore.rules import load_scheme
        from ipscore.validate import validate_file

        scheme = load_scheme(rules)
        return scheme, validate_file(
            file, scheme, sheet=sheet, period=period, prev=prev, allow_missing=allow_missing
        )

    scheme, report = _run(check)
    if fmt is ReportFormat.json:
        import json

        keys = ("level", "code", "file", "sheet", "cell", "field", "county", "message")
        out = [{k: getattr(p, k) for k in keys} for p in scheme.warnings] + report.as_json()
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        from rich.console import Console

        from ipscore.render.report import print_report

        _warn(list(scheme.warnings), False)
        print_report(report, Console())
    raise typer.Exit(report.exit_code)


@app.command()
def template(
    month: Annotated[
        str,
        typer.Option("--month", "-m", help="报送月份 YYYY-MM（如 2019-06）。", show_default=False),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="输出的 .xlsx 文件（原子写入）。", show_default=False),
    ],
    rules: RulesOption = None,
) -> None:
    """生成发给各区县的报送模板（.xlsx）：区县已列好，只有填报单元格可编辑。

    例：ipscore template --month 2019-06 -o 2019-06.xlsx
    """
    period = _period(month)
    if output.suffix.lower() != ".xlsx":
        raise typer.BadParameter("模板只能写成 .xlsx 文件", param_hint="-o")
    if not output.parent.is_dir():
        raise typer.BadParameter(f"输出目录不存在：{output.parent}", param_hint="-o")

    def build() -> None:
        from ipscore.rules import load_scheme
        from ipscore.template import write_template

        scheme = load_scheme(rules)
        _warn(list(scheme.warnings), False)
        assert period is not None
        write_template(output, scheme, period)

    _run(build)
    print(f"已生成报送模板：{output}", file=sys.stderr)


@app.command()
def merge(
    files: Annotated[
        list[Path],
        typer.Argument(help="各区县报送的表格（每个文件填一个或几个区县）。", show_default=False),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="汇总后的本月统计表（.xlsx，原子写入）。"),
    ],
    rules: RulesOption = None,
    month: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--month", "-m", help="数据月份 YYYY-MM；默认从表格标题或文件名识别。"),
    ] = None,
    sheet: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--sheet", "-s", help="工作表名称（或序号，从 1 起）；默认自动识别。"),
    ] = None,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="允许缺少部分区县，只汇总已报送的单位。")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示警告。")] = False,
) -> None:
    """把各区县报送的模板汇总成本月统计表；同一区县重复报送时拒绝，并列出未报送的区县。

    例：ipscore merge 报送/*.xlsx -o 2019-06.xlsx
    """
    period = _period(month)
    if output.suffix.lower() != ".xlsx":
        raise typer.BadParameter("汇总表只能写成 .xlsx 文件", param_hint="-o")
    if not output.parent.is_dir():
        raise typer.BadParameter(f"输出目录不存在：{output.parent}", param_hint="-o")

    def build() -> Any:
        from ipscore.merge import merge_to_file
        from ipscore.rules import load_scheme

        scheme = load_scheme(rules)
        _warn(list(scheme.warnings), quiet)
        return merge_to_file(
            files, output, scheme, period=period, sheet=sheet, allow_missing=allow_missing
        )

    merged = _run(build)
    _warn(merged.warnings, quiet)
    print(
        f"已汇总 {len(merged.rows)} 个区县（{merged.period}）：{output}",
        file=sys.stderr,
    )


def main() -> None:
    """Console-script entry point."""
    app()
