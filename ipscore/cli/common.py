"""ipscore.cli.common."""

from __future__ import annotations

import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer

from ipscore.base.text import printable, printable_path
from ipscore.cli.chinese import App

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from typer.models import OptionInfo

    from ipscore.base.period import Period
    from ipscore.base.problems import Problem


T = TypeVar("T")

app = App(
    name="ipscore",
    help="区县知识产权工作评分工具：发明专利申请月度排名（一月一排名）与年度区县工作考核。",
    no_args_is_help=True,
    invoke_without_command=True,
    pretty_exceptions_show_locals=False,
)

_state = {"debug": False}


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    xlsx = "xlsx"


def _version(value: bool) -> None:
    if value:
        from ipscore import __version__

        typer.echo(f"ipscore {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    debug: Annotated[
        bool, typer.Option("--debug", help="出错时显示完整的调用栈（排查程序问题用）。")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号。")
    ] = False,
) -> None:
    _state["debug"] = debug
    if ctx.invoked_subcommand is None:
        raise typer.BadParameter("请给出一个命令（ipscore -h 列出全部命令）")


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
    from ipscore.base.period import FIRST_YEAR, LAST_YEAR, Period

    try:
        return Period.parse(month)
    except ValueError:
        raise typer.BadParameter(
            f"应为 YYYY-MM（如 2019-05，年份 {FIRST_YEAR}–{LAST_YEAR}），实际为 "
            f"'{printable(month)}'",
            param_hint="--month",
        ) from None


def output_format(
    fmt: Format | None,
    output: Path | None,
    *,
    inputs: Iterable[Path | None] = (),
    store: Path | None = None,
) -> Format:
    """The format to write, from ``--format`` or the extension of ``-o``; ``-o`` checked.

    ``-o`` must end in an extension a writer knows (.txt .json .csv .md .xlsx) that agrees with
    ``--format``, and must not be an input file or the history store (see :func:`check_output`).
    """
    implied = None
    if output is not None:
        suffix = output.suffix.lower()
        from ipscore.render.output import SUFFIXES  # what each extension of -o means

        implied = Format(SUFFIXES[suffix]) if suffix in SUFFIXES else None
        if implied is None:
            raise fail_text(
                f"-o 的扩展名 {suffix or '（无）'} 不是能写出的格式"
                f"（可用：{' '.join(SUFFIXES)}）：{printable_path(output)}"
            )
        text_into_txt = suffix == ".txt" and fmt is not Format.xlsx
        if fmt is not None and fmt is not implied and not text_into_txt:
            raise fail_text(
                f"--format {fmt.value} 与 -o 的扩展名 {suffix} 不一致：{printable_path(output)}"
            )
        check_output(output, inputs=inputs, store=store)
    chosen = fmt or implied or Format.table
    if chosen is Format.xlsx and output is None:
        raise typer.BadParameter("xlsx 格式需要用 -o 指定输出文件", param_hint="--format")
    return chosen


def check_output(
    output: Path,
    *,
    option: str = "-o",
    suffixes: Iterable[str] | None = None,
    inputs: Iterable[Path | None] = (),
    store: Path | None = None,
    others: Iterable[tuple[str, Path]] = (),
) -> None:
    """Refuse an output path before any work is done (exit status 2, one Chinese line).

    Refused: an extension outside ``suffixes``; a symlink, folder or device in its place; a
    folder that does not exist or cannot be written, or is reached through a symbolic link
    (:mod:`ipscore.base.folders`); the same file as an input (same device
    and inode, so hard links and symlinks count) or the history store; the same path as another
    output of the command (``others``: option name and path).
    """
    import os
    import stat

    shown = printable_path(output)
    if suffixes is not None:
        allowed = tuple(suffixes)
        if output.suffix.lower() not in allowed:
            actual = output.suffix or "（无扩展名）"
            raise fail_text(f"{option} 应为 {' 或 '.join(allowed)} 文件，实际为 {actual}：{shown}")
    try:
        mode = os.lstat(output).st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None  # the folder check below says what is missing
    except OSError as exc:
        from ipscore.base.oserrors import os_reason

        raise fail_text(f"无法访问 {option} 的路径：{shown}（{os_reason(exc)}）") from None
    if mode is not None and stat.S_ISLNK(mode):
        raise fail_text(f"{option} 是符号链接，拒绝写入：{shown}；请删除该链接或换一个文件名")
    if mode is not None and stat.S_ISDIR(mode):
        raise fail_text(f"{option} 是一个目录：{shown}；请给出文件名")
    if mode is not None and not stat.S_ISREG(mode):
        raise fail_text(f"{option} 不是普通文件（设备、管道等），拒绝写入：{shown}")
    folder = output.parent
    check_output_folder(folder)
    if not folder.is_dir():
        raise fail_text(f"输出目录不存在：{printable_path(folder)}；请先创建该目录或换一个路径")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise fail_text(f"输出目录不可写：{printable_path(folder)}；请检查权限或换一个目录")
    for source in inputs:
        if source is not None and _same_file(output, source):
            raise fail_text(
                f"{option} 与输入文件 {printable_path(source)} 是同一个文件，写出会毁掉输入；"
                "请换一个输出文件名"
            )
    if store is not None and _same_file(output, store):
        raise fail_text(
            f"{option} 指向历史库 {printable_path(store)}，写出会毁掉历史记录；请换一个输出文件名"
        )
    for name, other in others:
        if _same_file(output, other):
            raise fail_text(f"{option} 与 {name} 是同一个文件：{shown}；请给两者不同的文件名")


def check_output_folder(folder: Path) -> None:
    """Refuse an output folder (``--out``, ``-o``'s folder, ``init`` and ``rules export``'s
    DIR) before any work when a link stands on the way (:mod:`ipscore.base.folders`); a folder
    still to be made is not refused here."""
    from ipscore.base.folders import check_folder

    run(lambda: check_folder(folder))


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: same device and inode, or (not yet there) one path."""
    import os

    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        try:
            return a.resolve() == b.resolve()
        except (OSError, RuntimeError):
            return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


AnyRulesOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--rules",
        "-r",
        help="规则文件；默认按表头自动选用内置的月度或年度方案。",
        show_default=False,
        metavar="规则文件",
    ),
]
"""``--rules`` of a command that takes a monthly sheet or a year's assessment sheet."""
RulesOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--rules",
        "-r",
        help="规则文件（TOML）。默认为 IPSCORE_RULES 中的月度方案，否则工作目录 rules/ 中的，"
        "否则内置的 2019 年月度排名方案。",
        show_default=False,
        metavar="规则文件",
    ),
]


MonthOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--month",
        "-m",
        help="数据月份 YYYY-MM；默认从表格标题或文件名识别。",
        show_default=False,
        metavar="年-月",
    ),
]
SheetOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--sheet",
        "-s",
        help="工作表名称（或序号，从 1 起）；默认自动识别。",
        show_default=False,
        metavar="工作表",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="不显示警告。")]
AllowMissingOption = Annotated[
    bool, typer.Option("--allow-missing", help="允许缺少部分区县（只对已有区县排名）。")
]


def year_option(text: str) -> OptionInfo:
    """``--year``/``-y`` with the help ``text``: a data year, within the years every reader of
    a year accepts (:data:`ipscore.base.period.FIRST_YEAR` to ``LAST_YEAR``)."""
    from ipscore.base.period import FIRST_YEAR, LAST_YEAR

    return typer.Option(
        "--year",
        "-y",
        help=text,
        show_default=False,
        min=FIRST_YEAR,
        max=LAST_YEAR,
        metavar="年份",
    )


# A table command's output: the format (else from -o's extension) and the file.
FormatOption = Annotated[
    Optional[Format],  # noqa: UP045
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="输出格式；默认 table，或按 -o 的扩展名。",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--output",
        "-o",
        help="写入文件（原子写入）；默认输出到终端。",
        show_default=False,
        metavar="文件",
    ),
]


CompareOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--compare",
        "-c",
        help="另一个规则文件：列出每个单位在两个规则下的得分、排名、变化及变动来源。",
        show_default=False,
        metavar="规则文件",
    ),
]


DbOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--db",
        help="历史库（SQLite）路径；默认环境变量 IPSCORE_DB，否则当前目录的 ipscore.db。",
        show_default=False,
        metavar="文件",
    ),
]


def run(call: Callable[[], T]) -> T:
    """Run a core call, turning its known failures into messages and exit status 2.

    Known failures: bad input or rules, an output that cannot be written
    (:class:`~ipscore.base.problems.OutputError`), and any other operating-system error (a
    folder that cannot be made, a file that cannot be read): one Chinese sentence naming the
    path, no traceback. "内部错误" (exit status 1) is left for real bugs.
    """
    from ipscore.base.problems import IpscoreError

    try:
        return call()
    except IpscoreError as exc:
        raise fail(exc.problems) from None
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        raise typer.Exit(130) from None
    except OSError as exc:
        if _state["debug"]:
            raise
        raise fail_text(_os_error_text(exc)) from None
    except Exception as exc:
        if _state["debug"]:
            raise
        print(
            f"内部错误：{type(exc).__name__}: {printable(str(exc), 300)}"
            "（加 --debug 查看详情，并请报告此问题）",
            file=sys.stderr,
        )
        raise typer.Exit(1) from None


def _os_error_text(exc: OSError) -> str:
    """An operating-system error outside :mod:`ipscore.base.files`, as one sentence."""
    from ipscore.base.oserrors import os_reason

    where = f"{printable_path(exc.filename)}：" if exc.filename is not None else ""
    return f"文件操作失败：{where}{os_reason(exc)}；请检查路径、权限和磁盘空间，或换一个目录"


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


def main() -> None:
    """Console-script entry point."""
    app()
