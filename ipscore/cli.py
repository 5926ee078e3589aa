"""The ``ipscore`` command line: parse options, call one core function, render the result.

Results go to stdout, problems to stderr. A problem with the input or the rules exits with
status 2 and one line per problem; no traceback unless ``--debug``. Heavy libraries are
imported inside the commands, so ``ipscore --help`` stays fast.
"""

from __future__ import annotations

import sys
from datetime import date
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


@app.command()
def rank(
    file: Annotated[
        Path,
        typer.Argument(
            help="本月统计表（.xlsx/.xlsm/.xls/.ods/.csv）。", metavar="FILE", show_default=False
        ),
    ],
    rules: RulesOption = None,
    month: MonthOption = None,
    sheet: SheetOption = None,
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
    quiet: QuietOption = False,
    compare: CompareOption = None,
    db: DbOption = None,
) -> None:
    """按月度方案计算各区县得分与排名（例：ipscore rank 2019-05.xlsx --prev 2019-04.xlsx）。

    每次排名记入历史库；不给 --prev 时，位次变化取历史库中的上月排名。
    """
    chosen = _output_format(fmt, output)
    period = _period(month)
    ranking = _run(
        lambda: _rank(
            file, rules, sheet=sheet, period=period, allow_missing=allow_missing, prev=prev, db=db
        )
    )
    _warn(ranking.warnings, quiet)
    if compare is not None:
        # The what-if ranking is never recorded: the store keeps the month under its real rules.
        other = _run(
            lambda: _rank_unrecorded(
                file, compare, sheet=sheet, period=period, allow_missing=allow_missing
            )
        )
        _emit_comparison(ranking, other, chosen, output)
        return
    _emit_ranking(ranking, chosen, output)


def _rank(file: Path, rules: Path | None, **options: Any) -> Ranking:
    from ipscore.history import rank_recorded
    from ipscore.rules import load_scheme

    scheme = load_scheme(rules)
    _warn(list(scheme.warnings), False)
    return rank_recorded(file, scheme, **options)


def _rank_unrecorded(file: Path, rules: Path | None, **options: Any) -> Ranking:
    from ipscore.monthly import rank_month
    from ipscore.rules import load_scheme

    return rank_month(file, load_scheme(rules), **options)


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
    sheet: SheetOption = None,
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
    quiet: QuietOption = False,
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
    quiet: QuietOption = False,
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


# --------------------------------------------------------------------------------------------
# The monthly circular and the month history


def _date(text: str | None) -> date:
    from datetime import date as _d

    if text is None:
        return _d.today()
    try:
        return _d.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"应为 YYYY-MM-DD（如 2019-06-05），实际为 {text!r}", param_hint="--date"
        ) from None


def _run_store(call: Callable[[], T]) -> T:
    """Like _run, but a history-store failure is reported plainly (exit status 1)."""
    from ipscore.history import StoreError

    try:
        return _run(call)
    except StoreError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        raise typer.Exit(1) from None


@app.command()
def notice(
    file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(help="本月统计表；与 --inbox 二选一。", metavar="FILE", show_default=False),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="通报输出目录（不存在则创建）。", show_default=False)
    ] = Path("."),
    inbox: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--inbox",
            help="收件箱目录：取最早一个尚未生成通报的月份（供 cron 每月运行）。",
            show_default=False,
        ),
    ] = None,
    prev: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--prev", "-p", help="上月统计表；默认取历史库中的上月排名。", show_default=False
        ),
    ] = None,
    when: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--date", help="成文日期 YYYY-MM-DD；默认今天。", show_default=False),
    ] = None,
    formats: Annotated[
        str, typer.Option("--formats", help="输出格式，逗号分隔：docx,xlsx,md。")
    ] = "docx,xlsx,md",
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的通报文件。")] = False,
    rules: RulesOption = None,
    notice_rules: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--notice-rules",
            help="通报文字设置（TOML）；默认 rules/notice.toml。",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="成功时也输出结果。")] = False,
) -> None:
    """生成月度通报（docx、xlsx、md），例：ipscore notice 2019-05.xlsx --out 通报。

    cron 用法：ipscore notice --inbox 收件箱 --out 通报（成功时不输出；退出码 0 完成或无事可做，
    2 输入或规则有误，1 其他错误；每次运行在输出目录的 ipscore-notice.log 追加一行）。
    """
    from ipscore.publish import parse_formats

    if (file is None) == (inbox is None):
        raise typer.BadParameter("请给出统计表 FILE，或用 --inbox 指定收件箱（二者选一）")
    if inbox is not None and force:
        raise typer.BadParameter(
            "--inbox 模式从不覆盖已有通报；重做某月请用 ipscore notice FILE --out DIR --force",
            param_hint="--force",
        )
    if inbox is not None and prev is not None:
        raise typer.BadParameter(
            "--inbox 模式下位次变化取自历史库，不能用 --prev", param_hint="--prev"
        )
    try:
        chosen = parse_formats(formats)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--formats") from None
    day = _date(when)

    def load() -> tuple[Any, Any]:
        from ipscore.notice import load_notice_rules
        from ipscore.rules import load_scheme

        return load_scheme(rules), load_notice_rules(notice_rules)

    if inbox is not None:
        from ipscore.problems import IpscoreError
        from ipscore.publish import LOG_NAME, append_log, problems_text, run_inbox

        try:
            scheme, wording = load()
        except IpscoreError as exc:
            append_log(out, "错误 规则文件：" + problems_text(exc.problems))
            raise _fail(exc.problems) from None
        run = _run_store(lambda: run_inbox(inbox, out, scheme, wording, day, formats=chosen, db=db))
        if run.status != 0:
            print(run.line, file=sys.stderr)
            raise typer.Exit(run.status)
        if verbose:
            print(run.line)
            print(f"日志：{out / LOG_NAME}")
        return

    from ipscore.publish import publish

    assert file is not None
    scheme, wording = _run(load)
    _warn(list(scheme.warnings), False)
    result = _run_store(
        lambda: publish(
            file, out, scheme, wording, day, formats=chosen, prev=prev, db=db, force=force
        )
    )
    _warn(result.ranking.warnings, False)
    for path in result.written:
        print(f"已写入：{path}")


class ListFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def history(
    db: DbOption = None,
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="输出格式。")
    ] = ListFormat.table,
) -> None:
    """列出历史库中已记录的月份。"""
    import json

    from ipscore.history import db_path, stored_months

    months = _run_store(lambda: stored_months(db))
    if fmt is ListFormat.json:
        from ipscore.render.history import months_json

        print(json.dumps(months_json(months), ensure_ascii=False, indent=2))
        return
    if not months:
        print(
            f"历史库 {db_path(db)} 中还没有记录"
            "（ipscore rank 或 ipscore notice 会记录所排的月份）。"
        )
        return
    from rich.console import Console

    from ipscore.render.history import print_months

    print_months(months, Console())


@app.command()
def trend(
    county: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--county", "-c", help="只看一个区县（可用简称，如 张店）。", show_default=False
        ),
    ] = None,
    db: DbOption = None,
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="输出格式。")
    ] = ListFormat.table,
    rules: RulesOption = None,
) -> None:
    """各区县逐月排名走势（↑↓ 与迷你走势图）。"""
    import json

    from ipscore.history import db_path, stored_trend

    name = None
    if county is not None:
        from ipscore.rules import load_scheme

        scheme = _run(lambda: load_scheme(rules))
        name = scheme.units.resolve(county)
        if name is None:
            raise typer.BadParameter(
                f"不认识的区县：{county!r}（可选：{'、'.join(scheme.units.names)}）",
                param_hint="--county",
            )
    data = _run_store(lambda: stored_trend(db, name))
    if fmt is ListFormat.json:
        from ipscore.render.history import trend_json

        print(json.dumps(trend_json(data), ensure_ascii=False, indent=2))
        return
    if not data:
        print(f"历史库 {db_path(db)} 中还没有{name or ''}的记录。")
        return
    from rich.console import Console

    from ipscore.render.history import print_trend

    print_trend(data, Console())


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
    month: MonthOption = None,
    sheet: SheetOption = None,
    prev: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--prev", "-p", help="上月统计表，用于核对本月数、累计数和异常波动。"),
    ] = None,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="缺少部分区县不算错误。")
    ] = False,
    fmt: Annotated[
        ListFormat,
        typer.Option("--format", "-f", help="table（终端表格）或 json（问题列表）。"),
    ] = ListFormat.table,
    codes: Annotated[
        bool, typer.Option("--codes", help="列出全部问题代码及含义，然后退出。")
    ] = False,
    db: DbOption = None,
) -> None:
    """检查统计表的数据质量（不计分）：一次列出全部错误和警告。

    不给 --prev 时，与历史库中的上月数据核对（历史库里有上月时）。

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
        from ipscore.history import previous_from_store
        from ipscore.rules import load_scheme
        from ipscore.validate import validate_file

        scheme = load_scheme(rules)
        return scheme, validate_file(
            file,
            scheme,
            sheet=sheet,
            period=period,
            prev=prev,
            previous_for=previous_from_store(db),
            allow_missing=allow_missing,
        )

    scheme, report = _run(check)
    if fmt is ListFormat.json:
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
    month: MonthOption = None,
    sheet: SheetOption = None,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="允许缺少部分区县，只汇总已报送的单位。")
    ] = False,
    quiet: QuietOption = False,
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
