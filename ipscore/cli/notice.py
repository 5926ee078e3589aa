"""ipscore.cli.notice."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    pass
from ipscore.cli.common import (
    AllowMissingOption,
    DbOption,
    Format,
    FormatOption,
    MonthOption,
    RulesOption,
    SheetOption,
    app,
    check_output_folder,
    fail,
    fail_text,
    output_format,
    parse_date,
    parse_period,
    run,
    warn,
    year_option,
)
from ipscore.cli.output import emit


@app.command()
def notice(
    file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(
            help="本月统计表，或年度考核数据表（生成考核结果通报）；与 --inbox 二选一。",
            metavar="文件",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="通报输出目录（不存在则创建）。", show_default=False, metavar="目录"
        ),
    ] = Path("."),
    inbox: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--inbox",
            help="收件箱目录：取最早一个尚未发布通报的月份（供 cron 定时运行）。",
            show_default=False,
            metavar="目录",
        ),
    ] = None,
    prev: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--prev",
            "-p",
            help="上月统计表；默认取历史库中的上月排名。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    month: MonthOption = None,
    year: Annotated[
        Optional[int],  # noqa: UP045
        year_option("年度考核数据的年份；默认从表格标题或文件名识别。"),
    ] = None,
    sheet: SheetOption = None,
    allow_missing: AllowMissingOption = False,
    when: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--date",
            help="成文日期 YYYY-MM-DD（文号年份取此年份）；默认今天。",
            show_default=False,
            metavar="年-月-日",
        ),
    ] = None,
    number: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--number",
            "-n",
            help="文号序号；默认取历史库中该年登记的下一个序号。",
            show_default=False,
            min=1,
            metavar="序号",
        ),
    ] = None,
    formats: Annotated[
        str,
        typer.Option(
            "--formats",
            help="输出格式，逗号分隔：docx,xlsx,md,pdf（pdf 需 LibreOffice）。",
            metavar="格式",
        ),
    ] = "docx,xlsx,md",
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="重新生成：覆盖已存在的通报文件；上次生成而这次不再要求的格式随之删除。",
        ),
    ] = False,
    rules: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--rules",
            "-r",
            help="规则文件；默认按表头选用内置的月度或年度方案。",
            show_default=False,
            metavar="规则文件",
        ),
    ] = None,
    notice_rules: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--notice-rules",
            help="通报设置（TOML）；默认 rules/notice.toml。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    db: DbOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="成功时也输出结果。")] = False,
    settle: Annotated[
        float,
        typer.Option(
            "--settle",
            help="--inbox 模式：收件箱文件须多少秒未变化才处理（防止读到复制了一半的文件）。",
            min=0,
            metavar="秒",
            show_default="60",
        ),
    ] = 60.0,
) -> None:
    """生成通报（docx、xlsx、md，可加 pdf），例：ipscore notice 2019-05.xlsx --out 通报。

    年度考核数据表生成考核结果通报和各区县得分明细：ipscore notice 2019-annual.xlsx --out 通报。

    cron 用法：ipscore notice --inbox 收件箱 --out 通报（成功时不输出；退出码 0 完成、无事可做、
    文件正在写入或另一进程正在处理，2 有月份文件、规则或历史库有误（其他月份照常处理），1 程序内部
    错误；每次运行在输出目录的 ipscore-notice.log 中每件事记一行，写明月份和文件）。
    """
    from ipscore.app.notice import parse_formats

    if (file is None) == (inbox is None):
        raise typer.BadParameter("请给出统计表（文件），或用 --inbox 指定收件箱（二者选一）")
    if inbox is not None:
        for flag, given in (
            ("--force", force),
            ("--prev", prev is not None),
            ("--month", month is not None),
            ("--sheet", sheet is not None),
            ("--number", number is not None),
        ):
            if given:
                raise typer.BadParameter(
                    "--inbox 模式逐月处理收件箱中的文件，从不覆盖已有通报，位次变化取自历史库，"
                    f"文号自动顺延；不能用 {flag}"
                    "（重做某月请用 ipscore notice 文件 --out 目录 --force）",
                    param_hint=flag,
                )
    try:
        chosen = parse_formats(formats)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--formats") from None
    day = parse_date(when)
    period = parse_period(month)

    def load() -> tuple[Any, Any]:
        from ipscore.rules.notice import load_notice_rules
        from ipscore.rules.resolve import resolve_scheme

        wording = load_notice_rules(notice_rules)
        if file is None:
            return resolve_scheme(rules, "monthly", "notice"), wording
        if rules is not None:
            return resolve_scheme(rules, ("monthly", "annual"), "notice"), wording
        from ipscore.app.explain import pick_scheme

        return pick_scheme(file, sheet), wording

    if inbox is not None:
        from ipscore.app.inbox import LOG_NAME, append_log, problems_text, run_inbox
        from ipscore.base.problems import IpscoreError
        from ipscore.base.text import printable, printable_path

        # A log that cannot be written (a symlink planted in its place, no permission) stops
        # the run before anything is published.
        run(lambda: _log_ready(out))
        try:
            scheme, wording = load()
        except IpscoreError as exc:
            line = "错误 规则文件：" + problems_text(exc.problems)
            run(lambda: append_log(out, line))
            raise fail(exc.problems) from None
        outcome = run(
            lambda: run_inbox(
                inbox, out, scheme, wording, day, formats=chosen, db=db, settle=settle
            )
        )
        if outcome.status != 0:
            for line in outcome.lines:
                print(printable(line, None), file=sys.stderr)
            raise typer.Exit(outcome.status)
        if verbose:
            for line in outcome.lines:
                print(printable(line, None))
            print(f"日志：{printable_path(out / LOG_NAME)}")
        return

    from ipscore.base.text import printable, printable_path

    assert file is not None
    check_output_folder(out)  # a link on the way is refused before any work
    scheme, wording = run(load)
    if scheme.kind == "annual":
        from ipscore.app.annual_notice import publish_annual

        if prev is not None or month is not None:
            raise fail_text(
                "年度考核数据表生成考核结果通报，不用 --prev 或 --month（年份可用 --year）"
            )

        result = run(
            lambda: publish_annual(
                file,
                out,
                scheme,
                wording,
                day,
                formats=chosen,
                db=db,
                force=force,
                number=number,
                sheet=sheet,
                allow_missing=allow_missing,
                year=year,
            )
        )
    else:
        from ipscore.app.notice import publish

        result = run(
            lambda: publish(
                file,
                out,
                scheme,
                wording,
                day,
                formats=chosen,
                prev=prev,
                db=db,
                force=force,
                number=number,
                sheet=sheet,
                period=period,
                allow_missing=allow_missing,
            )
        )
    warn(result.ranking.warnings, False)
    print(f"文号：{result.notice.doc_number}")
    if result.chart_font is not None:
        font = result.chart_font
        print(f"附图字体：{printable(font.name)}（{printable_path(font.path)}）")
    for path in result.written:
        print(f"已写入：{printable_path(path)}")
    for path in result.removed:
        print(f"已删除：{printable_path(path)}（上次生成的本月通报中有，这次不再生成）")


def _log_ready(out: Path) -> None:
    """Open the cron log as a run will (creating it), so a bad log stops the run up front."""
    from ipscore.app.inbox import LOG_NAME
    from ipscore.base.files import append_text, ensure_folder

    ensure_folder(out)
    append_text(out / LOG_NAME, "")


@app.command()
def history(
    db: DbOption = None,
    fmt: FormatOption = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output", "-o", help="写入文件（原子写入）。", show_default=False, metavar="文件"
        ),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="列出每一次记录（默认每月每个方案只列最新一次）。")
    ] = False,
) -> None:
    """列出历史库中已记录的月份：方案（官方或试算）、第一名、来源文件、记录人与时间（本地时间）。

    历史库以只读方式打开，不会被改动。
    """
    from ipscore.store.history import db_path, stored_months

    chosen = output_format(fmt, output, store=db_path(db))
    months = run(lambda: stored_months(db, every_version=every))
    if not months and chosen is Format.table and output is None:
        print(
            f"历史库 {db_path(db)} 中还没有记录"
            "（ipscore rank 或 ipscore notice 会记录所排的月份）。"
        )
        return
    from ipscore.render.history import months_view

    emit(months_view(months, every_version=every), chosen, output)


@app.command()
def trend(
    county: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--county",
            "-c",
            help="只看一个区县（可用简称，如 张店）。",
            show_default=False,
            metavar="区县",
        ),
    ] = None,
    year: Annotated[
        Optional[int],  # noqa: UP045
        year_option("哪一年；默认历史库中最近的一年（走势不跨年）。"),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            help="写入文件；.xlsx 含每月的排名、得分、累计和排名折线图。",
            show_default=False,
            metavar="文件",
        ),
    ] = None,
    rules: RulesOption = None,
) -> None:
    """各区县一年中逐月的排名（↑↓ 为比同年上月上升或下降）与迷你走势图。

    只取同一方案下记录的排名：默认为官方方案，或 --rules 指定的方案；不跨年比较。
    例：ipscore trend --year 2019 -o 走势.xlsx
    """
    from ipscore.rules.resolve import resolve_scheme
    from ipscore.store.history import db_path

    chosen = output_format(fmt, output, inputs=(rules,), store=db_path(db))
    scheme = run(lambda: resolve_scheme(rules, "monthly", "trend"))
    name = None
    if county is not None:
        name = scheme.units.resolve(county)
        if name is None:
            raise typer.BadParameter(
                f"不认识的{scheme.units.words.unit}：{county!r}（可选：{'、'.join(scheme.units.names)}）",
                param_hint="--county",
            )

    def load() -> Any:
        from ipscore.app.trend import load_trend

        return load_trend(scheme, db, name, year)

    data = run(load)
    if data is None:
        print(f"历史库 {db_path(db)} 中还没有{name or ''}按方案“{scheme.name}”记录的排名。")
        return
    if chosen is Format.xlsx and output is not None:
        from ipscore.render.trend_xlsx import write_trend_xlsx

        run(lambda: write_trend_xlsx(data, output, scheme.units.words))
        return
    from ipscore.render.trend import trend_view

    emit(trend_view(data, scheme.units.words), chosen, output)
