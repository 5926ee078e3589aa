"""The ``ipscore`` command line: parse options, call one core function, render the result.

Results go to stdout, problems to stderr. A problem with the input or the rules exits with
status 2 and one line per problem; no traceback unless ``--debug``. Heavy libraries are
imported inside the commands, so ``ipscore --help`` stays fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    from ipscore.rules.scheme import Scheme
    from ipscore.scoring.score import Ranking
from ipscore.base.text import printable_path
from ipscore.cli.common import (
    AllowMissingOption,
    AnyRulesOption,
    CompareOption,
    DbOption,
    FormatOption,
    MonthOption,
    OutputOption,
    QuietOption,
    RulesOption,
    SheetOption,
    app,
    check_output,
    fail_text,
    output_format,
    parse_period,
    run,
    warn,
    year_option,
)
from ipscore.cli.output import emit, what_if
from ipscore.cli.rules import rules_app


@app.command()
def rank(
    file: Annotated[
        Path,
        typer.Argument(
            help="本月统计表（.xlsx/.xlsm/.xls/.ods/.csv）。", metavar="文件", show_default=False
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
            help="上月统计表，用于计算位次变化。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    allow_missing: AllowMissingOption = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
    compare: CompareOption = None,
    db: DbOption = None,
) -> None:
    """按月度方案计算各区县得分与排名（例：ipscore rank 2019-05.xlsx --prev 2019-04.xlsx）。

    每次排名记入历史库；不给 --prev 时，位次变化取历史库中的上月排名。
    """
    chosen = output_format(fmt, output, inputs=(file, prev, rules, compare), store=_store_path(db))
    period = parse_period(month)
    # Both rule files are resolved (and their kinds checked) before anything is recorded.
    other_scheme = None if compare is None else run(lambda: _scheme(compare))
    ranking = run(
        lambda: _rank(
            file, rules, sheet=sheet, period=period, allow_missing=allow_missing, prev=prev, db=db
        )
    )
    warn(ranking.warnings, quiet)
    if other_scheme is not None:
        # The what-if ranking is never recorded: the store keeps the month under its real rules.
        other = run(
            lambda: _rank_unrecorded(
                file, other_scheme, sheet=sheet, period=period, allow_missing=allow_missing
            )
        )
        emit(what_if(ranking, other), chosen, output)
        return
    emit(ranking, chosen, output)


def _store_path(db: Path | None) -> Path:
    from ipscore.store.history import db_path

    return db_path(db)


def _scheme(rules: Path | None) -> Scheme:
    from ipscore.rules.resolve import resolve_scheme

    return resolve_scheme(rules, "monthly", "rank")


def _rank(file: Path, rules: Path | None, **options: Any) -> Ranking:
    from ipscore.app.rank import rank_recorded

    scheme = _scheme(rules)
    return rank_recorded(file, scheme, **options)


def _rank_unrecorded(file: Path, scheme: Scheme, **options: Any) -> Ranking:
    from ipscore.app.rank import rank_month

    return rank_month(file, scheme, **options)


# --------------------------------------------------------------------------------------------
# The annual assessment, explain, and the rule files


@app.command()
def assess(
    file: Annotated[
        Path,
        typer.Argument(help="年度考核数据表（.xlsx/.xls/.ods/.csv）。", metavar="文件"),
    ],
    rules: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--rules",
            "-r",
            help="规则文件（TOML）。默认为 IPSCORE_RULES 中的年度方案，否则工作目录 rules/ 中的，"
            "否则内置的 2019 年度考核方案。",
            show_default=False,
            metavar="规则文件",
        ),
    ] = None,
    year: Annotated[
        Optional[int],  # noqa: UP045
        year_option("数据年份；默认从表格标题或文件名识别。"),
    ] = None,
    sheet: SheetOption = None,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="允许缺少部分区县（只对已有区县考核）。")
    ] = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
    compare: CompareOption = None,
    quiet: QuietOption = False,
) -> None:
    """年度区县工作考核：各项得分、基础分、加分、总分、排名与等次。

    例：ipscore assess samples/2019-annual.xlsx
    """
    chosen = output_format(fmt, output, inputs=(file, rules, compare))
    options: dict[str, Any] = {"sheet": sheet, "year": year, "allow_missing": allow_missing}
    result = run(lambda: _assess(file, rules, **options))
    warn(result.warnings, quiet)
    if compare is not None:
        other = run(lambda: _assess(file, compare, **options))
        emit(what_if(result, other), chosen, output)
        return
    emit(result, chosen, output)


def _assess(file: Path, rules: Path | None, **options: Any) -> Any:
    from ipscore.app.assess import assess_file
    from ipscore.rules.resolve import resolve_scheme

    return assess_file(file, resolve_scheme(rules, "annual", "assess"), **options)


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"
    md = "md"


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="月度统计表或年度考核数据表。", metavar="文件")],
    county: Annotated[str, typer.Argument(help="区县名称（可用简称，如 张店）。", metavar="区县")],
    rules: AnyRulesOption = None,
    month: MonthOption = None,
    year: Annotated[
        Optional[int],  # noqa: UP045
        year_option("年度数据的年份。"),
    ] = None,
    sheet: SheetOption = None,
    fmt: Annotated[
        Optional[ExplainFormat],  # noqa: UP045
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="text（默认）、json 或 md；默认按 -o 的扩展名（.txt .json .md）。",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output", "-o", help="写入文件（原子写入）。", show_default=False, metavar="文件"
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """一个单位的得分明细：数据及单元格、代入数字的算式、封顶/保底、与上一名的差距。

    例：ipscore explain samples/2019-annual.xlsx 张店 -o 张店-得分明细.md
    """
    from ipscore.base.period import Period
    from ipscore.render.explain import FORMATS

    chosen = fmt.value if fmt is not None else "text"
    if output is not None:
        check_output(output, suffixes=tuple(FORMATS.values()), inputs=(file, rules))
        implied = next(f for f, suffix in FORMATS.items() if suffix == output.suffix.lower())
        if fmt is not None and fmt.value != implied:
            raise fail_text(
                f"--format {fmt.value} 与 -o 的扩展名 {output.suffix} 不一致："
                f"{printable_path(output)}"
            )
        chosen = implied
    period = parse_period(month) if month else (Period(year, None) if year else None)
    ledger, scheme, warnings = run(
        lambda: _explain(file, county, rules=rules, sheet=sheet, period=period)
    )
    warn(warnings, quiet)
    from ipscore.render.explain import ledger_text

    content = ledger_text(ledger, chosen, scheme.decimals)
    if output is None:
        sys.stdout.write(content)
        return
    from ipscore.base.files import write_text_atomic

    run(lambda: write_text_atomic(output, content))


def _explain(file: Path, county: str, **options: Any) -> Any:
    from ipscore.app.explain import explain_file

    return explain_file(file, county, **options)


app.add_typer(rules_app, name="rules")
