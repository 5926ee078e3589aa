"""ipscore.cli.data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from ipscore.base.text import printable, printable_path

if TYPE_CHECKING:
    from ipscore.base.period import Period
from ipscore.cli.common import (
    DbOption,
    Format,
    MonthOption,
    QuietOption,
    RulesOption,
    SheetOption,
    app,
    check_output,
    check_output_folder,
    fail_text,
    output_format,
    parse_period,
    run,
    warn,
)
from ipscore.cli.output import emit


@app.command()
def validate(
    file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(
            help="要检查的统计表（.xlsx/.xlsm/.xls/.ods/.csv）。",
            metavar="文件",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    month: MonthOption = None,
    sheet: SheetOption = None,
    prev: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--prev", "-p", help="上月统计表，用于核对本月数、累计数和异常波动。", metavar="文件"
        ),
    ] = None,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="缺少部分区县不算错误。")
    ] = False,
    fmt: Annotated[
        Optional[Format],  # noqa: UP045
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="table（终端表格）、json（问题列表）、csv、md 或 xlsx；默认按 -o 的扩展名。",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            help="把检查结果写入文件（原子写入）。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
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
        from ipscore.base.codes import codes_markdown

        sys.stdout.write(codes_markdown())
        return
    if file is None:
        raise typer.BadParameter(
            "请指定要检查的文件（或用 --codes 列出问题代码）", param_hint="文件"
        )
    from ipscore.store.history import db_path

    chosen = output_format(fmt, output, inputs=(file, prev, rules), store=db_path(db))
    period = parse_period(month)

    def check() -> Any:
        from ipscore.app.validate import validate_file
        from ipscore.rules.identity import scheme_id
        from ipscore.rules.resolve import resolve_scheme
        from ipscore.store.history import previous_from_store

        scheme = resolve_scheme(rules, "monthly", "validate")
        return validate_file(
            file,
            scheme,
            sheet=sheet,
            period=period,
            prev=prev,
            previous_for=previous_from_store(db, scheme_id(scheme)),
            allow_missing=allow_missing,
        )

    report = run(check)
    emit(report, chosen, output)
    if output is not None:
        from ipscore.render.report import summary
        from ipscore.render.table import visible

        print(visible(summary(report)), file=sys.stderr)
    raise typer.Exit(report.exit_code)


@app.command()
def template(
    month: Annotated[
        str,
        typer.Option(
            "--month",
            "-m",
            help="报送月份 YYYY-MM（如 2019-06）。",
            show_default=False,
            metavar="年-月",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="输出的 .xlsx 文件（原子写入）；加 --per-county 时为目录。",
            show_default=False,
            metavar="文件",
        ),
    ],
    per_county: Annotated[
        bool,
        typer.Option(
            "--per-county", help="每个区县一个文件（2019-06-张店区.xlsx），只开放本区县一行。"
        ),
    ] = False,
    targets: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--targets",
            help="年度目标（TOML），默认 rules/targets-<年份>.toml；预填并锁定年度目标。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    rules: RulesOption = None,
    db: DbOption = None,
) -> None:
    """生成发给各区县的报送模板（.xlsx）：区县已列好，只有填报单元格可编辑。

    年度目标（取自年度目标文件）和去年同期累计（取自历史库中去年同月的数据）由市局预填并锁定；
    没有的留给各单位填写。加 --per-county 时每个区县一个文件，只开放该区县一行。

    例：ipscore template --month 2019-06 -o 2019-06.xlsx
    """
    period = parse_period(month)
    assert period is not None
    if per_county:
        if output.suffix.lower() == ".xlsx":
            raise fail_text(
                f"--per-county 时 -o 应为目录（每个区县一个文件），实际为 {printable_path(output)}"
            )
        if output.exists() and not output.is_dir():
            raise fail_text(f"-o 应为目录，实际是一个文件：{printable_path(output)}")
        check_output_folder(output)
    else:
        check_output(output, suffixes=(".xlsx",), inputs=(rules, targets))

    def build() -> Any:
        from ipscore.app.template import make_templates
        from ipscore.rules.resolve import resolve_scheme

        scheme = resolve_scheme(rules, "monthly", "template")
        return make_templates(scheme, period, output, per_county=per_county, targets=targets, db=db)

    done = run(build)
    for note in done.notes:
        print(printable(note, None), file=sys.stderr)
    if per_county:
        print(f"已生成 {len(done.written)} 个报送模板：{printable_path(output)}", file=sys.stderr)
    else:
        print(f"已生成报送模板：{printable_path(output)}", file=sys.stderr)


@app.command()
def merge(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="各区县报送的表格（每个文件填一个或几个区县）。",
            show_default=False,
            metavar="文件...",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="汇总后的本月统计表（.xlsx，也可 .csv/.md；原子写入）。",
            metavar="文件",
        ),
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
    period = parse_period(month)
    check_output(output, suffixes=(".xlsx", ".csv", ".md"), inputs=(*files, rules))

    def build() -> Any:
        from ipscore.app.merge import merge_to_file
        from ipscore.rules.resolve import resolve_scheme

        scheme = resolve_scheme(rules, "monthly", "merge")
        return merge_to_file(
            files, output, scheme, period=period, sheet=sheet, allow_missing=allow_missing
        )

    merged = run(build)
    warn(merged.warnings, quiet)
    print(
        f"已汇总 {len(merged.rows)} 个区县（{merged.period}）：{printable_path(output)}",
        file=sys.stderr,
    )


@app.command()
def tally(
    records: Annotated[
        list[Path],
        typer.Argument(
            help="专利申请明细（.xlsx/.xls/.ods/.csv/.parquet，可给多个文件或目录），"
            "含申请日、专利类型（或申请号）、申请人地址等列。",
            metavar="申请明细",
            show_default=False,
        ),
    ],
    month: Annotated[
        str,
        typer.Option(
            "--month",
            "-m",
            help="统计月份 YYYY-MM（如 2019-05）。",
            show_default=False,
            metavar="年-月",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="输出的月度统计表（.xlsx，原子写入）。",
            show_default=False,
            metavar="文件",
        ),
    ],
    last_year: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--last-year",
            help="去年的申请明细；默认从申请明细中取去年同期。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    rules: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--rules",
            "-r",
            help="归属规则（TOML）；默认当前目录的 rules/attribution.toml（ipscore init 建立），"
            "没有则用内置的淄博示例。",
            show_default=False,
            metavar="规则文件",
        ),
    ] = None,
    targets: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--targets",
            help="年度目标（TOML），默认归属规则旁的 targets-<年份>.toml；未填的单位留空。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    review: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--review",
            help="无法归属记录的核对文件（.csv，也可 .xlsx/.md）；"
            "默认与输出同目录的 <输出名>.无法归属.csv。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度与警告。")] = False,
) -> None:
    """由专利申请明细统计各区县发明专利申请量，生成月度统计表。

    例：ipscore tally 明细.xlsx --month 2019-05 -o 2019-05.xlsx；
    ipscore tally 历年明细/ --month 2019-05 -o 2019-05.xlsx（目录中的全部明细）
    """
    period = parse_period(month)
    assert period is not None
    from ipscore.render.tally import REVIEW_FORMATS, review_path

    review_file = review or review_path(output)
    inputs = (*records, last_year, rules, targets)
    check_output(output, suffixes=(".xlsx",), inputs=inputs)
    check_output(
        review_file,
        option="--review",
        suffixes=tuple(REVIEW_FORMATS),
        inputs=inputs,
        others=[("-o", output)],
    )
    result = run(
        lambda: _tally(records, period, last_year, rules, targets, output, review_file, quiet)
    )
    from ipscore.render.tally_text import summary_lines

    for line in summary_lines(result, review_file):
        # The table's columns are tab-separated: each field escaped, the tabs kept.
        print("\t".join(printable(field, None) for field in line.split("\t")))
    warn(result.warnings, quiet)
    lost = result.unattributed_counts
    if sum(lost) and not quiet:
        print(
            f"警告：{sum(lost)} 条发明专利申请无法归属到{result.words.unit}，未计入统计表；"
            f"请核对 {printable_path(review_file)}",
            file=sys.stderr,
        )


def _tally(
    records: list[Path],
    period: Period,
    last_year: Path | None,
    rules: Path | None,
    targets: Path | None,
    output: Path,
    review_file: Path,
    quiet: bool,
) -> Any:
    from ipscore.app.tally import tally_month
    from ipscore.render.tally import write_review, write_table

    with _stages(records, quiet) as stage:
        result = tally_month(
            records, period, rules=rules, targets=targets, last_year=last_year, stage=stage
        )
        stage("写出统计表")
        write_review(result, review_file)
        write_table(result, output)
    return result


def _stages(records: list[Path], quiet: bool) -> Any:
    """A Rich status line on stderr for big inputs in a terminal; a no-op otherwise."""
    import contextlib

    big = len(records) > 1 or any(p.is_dir() for p in records)
    big = big or any(p.is_file() and p.stat().st_size > 5_000_000 for p in records)
    if quiet or not big or not sys.stderr.isatty():
        return contextlib.nullcontext(lambda _text: None)

    @contextlib.contextmanager
    def status() -> Any:
        from rich.console import Console

        console = Console(stderr=True)
        with console.status("开始统计…") as shown:
            yield lambda text: shown.update(f"{text}…")

    return status()
