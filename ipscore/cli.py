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


CompareOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--compare",
        "-c",
        help="另一个规则文件：列出每个单位在两个规则下的得分、排名、变化及变动来源。",
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
    compare: CompareOption = None,
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
    if compare is not None:
        other = _run(
            lambda: _rank(file, compare, sheet=sheet, period=period, allow_missing=allow_missing)
        )
        _emit_comparison(ranking, other, chosen, output)
        return
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


def _emit_comparison(before: Any, after: Any, chosen: Format, output: Path | None) -> None:
    """Render a what-if comparison: a table on the terminal, JSON or text to a file."""
    import json

    from ipscore.compare import (
        assessment_outcomes,
        compare,
        comparison_json,
        print_comparison,
        ranking_outcomes,
    )
    from ipscore.output import write_text_atomic

    outcomes = assessment_outcomes if hasattr(before, "year") else ranking_outcomes
    result = compare(
        outcomes(before),
        outcomes(after),
        schemes=(before.scheme.name, after.scheme.name),
        sources=(str(before.scheme.source), str(after.scheme.source)),
    )
    if chosen is Format.json:
        text = json.dumps(comparison_json(result), ensure_ascii=False, indent=2) + "\n"
    elif chosen is Format.table and output is None:
        from rich.console import Console

        print_comparison(result, Console())
        return
    elif chosen in (Format.table, Format.md, Format.csv):
        from rich.console import Console

        from ipscore.render.terminal import _Null

        console = Console(width=160, record=True, file=_Null(), color_system=None)
        print_comparison(result, console)
        text = console.export_text()
    else:
        raise _fail_text("--compare 只支持 table 或 json 格式")
    if output is None:
        sys.stdout.write(text)
        return
    _run(lambda: write_text_atomic(output, text))


def _fail_text(message: str) -> typer.Exit:
    print(f"错误：{message}", file=sys.stderr)
    return typer.Exit(2)


# --------------------------------------------------------------------------------------------
# The annual assessment, explain, and the rule files


@app.command()
def assess(
    file: Annotated[
        Path,
        typer.Argument(help="年度考核数据表（.xlsx/.xls/.ods/.csv）。", metavar="FILE"),
    ],
    rules: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--rules",
            "-r",
            help="规则文件（TOML）。默认使用内置的 2019 年度考核方案。",
            show_default=False,
        ),
    ] = None,
    year: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--year",
            "-y",
            help="数据年份；默认从表格标题或文件名识别。",
            show_default=False,
            min=1990,
            max=2100,
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
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="允许缺少部分区县（只对已有区县考核）。")
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
    compare: CompareOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示警告。")] = False,
) -> None:
    """年度区县工作考核：各项得分、基础分、加分、总分、排名与等次。

    例：ipscore assess samples/2019-annual.xlsx
    """
    chosen = _output_format(fmt, output)
    options: dict[str, Any] = {"sheet": sheet, "year": year, "allow_missing": allow_missing}
    result = _run(lambda: _assess(file, rules, **options))
    _warn(result.warnings, quiet)
    if compare is not None:
        other = _run(lambda: _assess(file, compare, **options))
        _emit_comparison(result, other, chosen, output)
        return
    _emit_assessment(result, chosen, output)


def _assess(file: Path, rules: Path | None, **options: Any) -> Any:
    from ipscore.annual import assess_file, load_annual_scheme

    return assess_file(file, load_annual_scheme(rules), **options)


def _emit_assessment(result: Any, chosen: Format, output: Path | None) -> None:
    from ipscore.output import write_text_atomic
    from ipscore.render import annual as render

    if chosen is Format.xlsx:
        assert output is not None
        _run(lambda: render.write_assessment_xlsx(result, output))
        return
    if chosen is Format.table and output is None:
        from rich.console import Console

        render.print_assessment(result, Console())
        return
    text = {
        Format.table: render.assessment_text,
        Format.json: render.to_json,
        Format.csv: render.to_csv,
        Format.md: render.to_markdown,
    }[chosen](result)
    if output is None:
        sys.stdout.write(text)
        return
    encoding = "utf-8-sig" if chosen is Format.csv else "utf-8"
    _run(lambda: write_text_atomic(output, text, encoding))


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="月度统计表或年度考核数据表。", metavar="FILE")],
    county: Annotated[
        str, typer.Argument(help="区县名称（可用简称，如 张店）。", metavar="COUNTY")
    ],
    rules: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--rules",
            "-r",
            help="规则文件；默认按表头自动选用内置的月度或年度方案。",
            show_default=False,
        ),
    ] = None,
    month: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--month", "-m", help="月度数据的月份 YYYY-MM。", show_default=False),
    ] = None,
    year: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--year", "-y", help="年度数据的年份。", show_default=False, min=1990, max=2100
        ),
    ] = None,
    sheet: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--sheet", "-s", help="工作表名称（或序号）。", show_default=False),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示警告。")] = False,
) -> None:
    """一个单位的得分明细：数据及单元格、代入数字的算式、封顶/保底、与上一名的差距。

    例：ipscore explain samples/2019-annual.xlsx 张店
    """
    from ipscore.loading import Period

    period = _period(month) if month else (Period(year, None) if year else None)
    ledger, scheme, warnings = _run(
        lambda: _explain(file, county, rules=rules, sheet=sheet, period=period)
    )
    _warn(warnings, quiet)
    from ipscore.explain import format_ledger

    sys.stdout.write(format_ledger(ledger, scheme.decimals))


def _explain(file: Path, county: str, **options: Any) -> Any:
    from ipscore.explain import explain_file

    return explain_file(file, county, **options)


rules_app = typer.Typer(
    help="规则文件：检查（rules check）与查看（rules show）。",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(rules_app, name="rules")

RulePath = Annotated[Path, typer.Argument(help="规则文件（TOML）。", metavar="PATH")]


@rules_app.command("check")
def rules_check(path: RulePath) -> None:
    """检查规则文件，一次列出全部问题及其位置；无问题退出码 0，有问题退出码 2。"""
    from ipscore.rules import check_scheme_file, load_scheme

    problems = _run(lambda: check_scheme_file(path))
    if problems:
        print(f"规则文件 {path} 有 {len(problems)} 个问题：", file=sys.stderr)
        raise _fail(problems)
    scheme = _run(lambda: load_scheme(path))
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

    from ipscore.rules import load_scheme
    from ipscore.ruleview import print_scheme

    scheme = _run(lambda: load_scheme(path))
    print_scheme(scheme, Console())


def main() -> None:
    """Console-script entry point."""
    app()
