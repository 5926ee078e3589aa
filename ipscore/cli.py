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


@app.command()
def tally(
    records: Annotated[
        Path,
        typer.Argument(
            help="专利申请明细（.xlsx/.xls/.ods/.csv/.parquet），含申请日、专利类型、申请人地址等列。",
            metavar="RECORDS",
            show_default=False,
        ),
    ],
    month: Annotated[
        str,
        typer.Option("--month", "-m", help="统计月份 YYYY-MM（如 2019-05）。", show_default=False),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="输出的月度统计表（.xlsx，原子写入）。", show_default=False
        ),
    ],
    last_year: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--last-year",
            help="去年的申请明细；默认从 RECORDS 中取去年同期。",
            show_default=False,
        ),
    ] = None,
    rules: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--rules",
            "-r",
            help="归属规则（TOML），默认 rules/attribution.toml。",
            show_default=False,
        ),
    ] = None,
    targets: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--targets",
            help="年度目标（TOML），默认 rules/targets-<年份>.toml。",
            show_default=False,
        ),
    ] = None,
    review: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--review",
            help="无法归属记录的核对文件（CSV）；默认与输出同目录的 <输出名>.无法归属.csv。",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度与警告。")] = False,
) -> None:
    """由专利申请明细统计各区县发明专利申请量，生成月度统计表。

    例：ipscore tally 明细.xlsx --month 2019-05 -o 2019-05.xlsx
    """
    period = _period(month)
    assert period is not None
    if output.suffix.lower() != ".xlsx":
        raise typer.BadParameter("输出文件应为 .xlsx", param_hint="-o")
    _output_format(None, output)
    from ipscore.tally import review_path

    review_file = review or review_path(output)
    result = _run(
        lambda: _tally(records, period, last_year, rules, targets, output, review_file, quiet)
    )
    from ipscore.render.tally_text import summary_lines

    for line in summary_lines(result, review_file):
        print(line)
    _warn(result.warnings, quiet)
    lost = result.unattributed_counts
    if sum(lost) and not quiet:
        print(
            f"警告：{sum(lost)} 条发明专利申请无法归属到区县，未计入统计表；请核对 {review_file}",
            file=sys.stderr,
        )


def _tally(
    records: Path,
    period: Period,
    last_year: Path | None,
    rules: Path | None,
    targets: Path | None,
    output: Path,
    review_file: Path,
    quiet: bool,
) -> Any:
    from ipscore.render.tally_xlsx import write_table
    from ipscore.tally import tally_month, write_review

    with _stages(records, quiet) as stage:
        result = tally_month(
            records, period, rules=rules, targets=targets, last_year=last_year, stage=stage
        )
        stage("写出统计表")
        write_review(result, review_file)
        write_table(result, output)
    return result


def _stages(records: Path, quiet: bool) -> Any:
    """A Rich status line on stderr for big inputs in a terminal; a no-op otherwise."""
    import contextlib

    big = records.is_file() and records.stat().st_size > 5_000_000
    if quiet or not big or not sys.stderr.isatty():
        return contextlib.nullcontext(lambda _text: None)

    @contextlib.contextmanager
    def status() -> Any:
        from rich.console import Console

        console = Console(stderr=True)
        with console.status("开始统计…") as shown:
            yield lambda text: shown.update(f"{text}…")

    return status()


def main() -> None:
    """Console-script entry point."""
    app()
