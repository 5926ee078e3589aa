"""Typer's and Click's own words in Chinese: the help layout and the usage errors.

Typer 0.29 carries its own copy of Click without a gettext domain, and the words it prints
(``Usage:``, ``Options``, "Show this message and exit.", "Error: Missing argument 'FILE'.",
pydantic's "Value error, 'XLSX' is not one of …") are fixed in its source. Click's supported
extension points are used instead of patching printed text:

- :class:`App` is a :class:`typer.Typer` whose groups are :class:`ChineseGroup` and whose
  commands are :class:`ChineseCommand`; both set ``context_class`` to a context whose
  ``formatter_class`` is :class:`ChineseFormatter` (headings, the ``用法：`` line, and wrapping
  by display width, so a line of Chinese is as wide as the terminal allows, not twice as wide);
- ``format_options`` and ``collect_usage_pieces`` write the options, arguments and commands with
  Chinese metavars (``文件``, ``年-月``; a type's name such as ``<str>`` is never shown), defaults
  and ``必填``; ``get_help_option`` gives ``-h``/``--help`` its Chinese line;
- every :class:`ClickException` raised while parsing or running a command is turned into a
  :class:`ChineseUsageError`, whose message is built from the exception's data (the option, the
  value, the choices, the range), never from its English text, and which prints ``错误：…``
  like every other ipscore error, then the usage line and how to get help;
- before parsing, :func:`ipscore.cli.values.install` gives the parameters their plain
  converters, so a command line is turned into values without pydantic.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import sys
from collections.abc import Iterator, Sequence
from enum import Enum
from typing import IO, Any

import typer
from typer._click import Context, HelpFormatter
from typer._click.exceptions import (
    BadArgumentUsage,
    BadOptionUsage,
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import join_options
from typer.core import TyperCommand, TyperGroup

from ipscore.base.text import printable
from ipscore.base.width import paragraphs, width_of, wrap
from ipscore.cli.values import choice_words, install, number_word, range_words

HELP_TEXT = "显示本帮助并退出。"
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."
HELP_NAMES = ["-h", "--help"]
MAX_WIDTH = 100
"""The widest help text (in terminal columns), however wide the terminal."""


class ChineseFormatter(HelpFormatter):
    """Click's help formatter with Chinese headings and display-width line breaking."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        head = f"{' ' * self.current_indent}{'用法：' if prefix is None else prefix}{prog} "
        lines = wrap(args, self.width, head, " " * min(width_of(head), self.width // 2))
        self.write("\n".join(lines) + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{' ' * self.current_indent}{heading}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        lines: list[str] = []
        for paragraph in paragraphs(text):
            lines.extend(wrap(paragraph, self.width, indent, indent) if paragraph else [""])
        self.write("\n".join(lines) + "\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        if not rows:
            return
        # The column fits the names that fit col_max; a longer one takes its own line.
        fitting = [width_of(first) for first, _ in rows if width_of(first) <= col_max]
        column = max(fitting or [col_max]) + col_spacing
        indent = " " * self.current_indent
        hang = " " * (self.current_indent + column)
        for first, second in rows:
            if not second:
                self.write(f"{indent}{first}\n")
                continue
            if width_of(first) <= column - col_spacing:
                head = f"{indent}{first}{' ' * (column - width_of(first))}"
            else:
                self.write(f"{indent}{first}\n")
                head = hang
            self.write("\n".join(wrap(second, self.width, head, hang)) + "\n")


class ChineseContext(Context):
    formatter_class = ChineseFormatter


# --------------------------------------------------------------------------------------------
# Help: options, arguments, commands and the usage line


def metavar(param: Any) -> str:
    """What stands for a parameter's value in help and messages: its own ``metavar`` (a word
    such as ``文件``), else the choices (``table|json``), else a Chinese word for its type."""
    if param.metavar:
        return str(param.metavar)
    desc = param.type_descriptor
    if desc.is_choice:
        return "|".join(choice_words(param))
    word = "路径" if desc.is_path else (number_word(param) or "文本")
    return f"{word}..." if param.nargs != 1 or param.multiple else word


def param_name(param: Any) -> str:
    """An argument by its metavar, an option by its long name (``--format``)."""
    if param.param_type_name == "argument":
        return metavar(param)
    longs = [opt for opt in param.opts if opt.startswith("--")]
    return (longs or list(param.opts))[0]


def _default_words(param: Any, ctx: Context) -> str | None:
    if isinstance(param.show_default, str):
        return param.show_default
    if not (param.show_default or ctx.show_default):
        return None
    default = param.get_default(ctx, call=False)
    if default is None or callable(default) or getattr(param, "is_flag", False):
        return None
    if isinstance(default, Enum):
        return str(default.value)
    if isinstance(default, (list, tuple)):
        return "、".join(str(item) for item in default) or None
    return str(default)


def _record(param: Any, ctx: Context) -> tuple[str, str]:
    if param.param_type_name == "argument":
        name = metavar(param)
    else:
        name, _ = join_options(param.opts)
        if param.secondary_opts:
            name += " / " + join_options(param.secondary_opts)[0]
        if not (param.is_flag or param.count):
            name += f" {metavar(param)}"
    notes = []
    default = _default_words(param, ctx)
    if default:
        notes.append(f"默认：{default}")
    if param.min is not None or param.max is not None:
        notes.append(range_words(param))
    if param.required:
        notes.append("必填")
    text = param.help or ""
    if notes:
        text = "；".join(([text.rstrip("。")] if text else []) + notes) + "。"
    return name, text


def short_help(command: Any) -> str:
    """A command's line in its group's list: the first sentence of its help, without the
    example (``（例：…）``), whole (the list wraps it rather than cutting it)."""
    if command.short_help:
        return str(command.short_help)
    first = paragraphs(command.help or "")[0] if command.help else ""
    first = re.split(r"[（，]?例：", first)[0].rstrip("（，。 ")
    return f"{first}。" if first else ""


class _Chinese:
    """What groups and commands share: the context, the help option, options and usage."""

    context_class: type[Context] = ChineseContext

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        # Extra arguments are refused here (Click's own refusal is an English sentence), and a
        # parser error gets its context, so the message can name the option's value and the
        # usage line can follow it.
        install(self.get_params(ctx))  # type: ignore[attr-defined]
        allowed, ctx.allow_extra_args = ctx.allow_extra_args, True
        try:
            rest = super().parse_args(ctx, args)  # type: ignore[misc]
        except UsageError as exc:
            if exc.ctx is None:
                exc.ctx, exc.cmd = ctx, ctx.command
            raise
        finally:
            ctx.allow_extra_args = allowed
        if rest and not allowed and not ctx.resilient_parsing:
            extra = " ".join(printable(arg) for arg in rest)
            raise UsageError(f"多余的参数：{extra}", ctx)
        return rest

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []  # type: ignore[attr-defined]
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if param.param_type_name != "argument":
                continue
            name = metavar(param)
            if param.nargs != 1 and not name.endswith("..."):
                name += "..."
            pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        params = [p for p in self.get_params(ctx) if not p.hidden]  # type: ignore[attr-defined]
        arguments = [_record(p, ctx) for p in params if p.param_type_name == "argument"]
        options = [_record(p, ctx) for p in params if p.param_type_name == "option"]
        if arguments:
            with formatter.section("参数"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("选项"):
                formatter.write_dl(options)


class ChineseCommand(_Chinese, TyperCommand):
    """A Typer command whose help is in Chinese."""


class ChineseGroup(_Chinese, TyperGroup):
    """A Typer group whose help and usage errors are in Chinese (see the module docstring)."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return [*super().collect_usage_pieces(ctx), self.subcommand_metavar]

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        rows = [
            (name, short_help(command))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)

    def resolve_command(self, ctx: Context, args: list[str]) -> Any:
        name = args[0]
        unknown = self.get_command(ctx, name) is None and not name.startswith("-")
        if unknown and not ctx.resilient_parsing:
            names = list(self.list_commands(ctx))
            near = difflib.get_close_matches(name, names)
            hint = f"是不是要用 {'、'.join(near)}？" if near else f"可用：{'、'.join(names)}"
            raise UsageError(f"没有这个命令：{printable(name)}（{hint}）", ctx)
        return super().resolve_command(ctx, args)

    def make_context(self, *args: Any, **kwargs: Any) -> Context:
        with in_chinese():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Context) -> Any:
        with in_chinese():
            return super().invoke(ctx)


# --------------------------------------------------------------------------------------------
# Usage errors


class ChineseUsageError(UsageError):
    """A usage error said in Chinese: ``错误：…``, the usage line, where help is."""

    def __init__(self, message: str, ctx: Context | None, exit_code: int = 2) -> None:
        super().__init__(message, ctx)
        self.exit_code = exit_code

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        out = file if file is not None else sys.stderr
        print(f"错误：{self.message}", file=out)
        if self.ctx is not None:
            print(self.ctx.get_usage(), file=out)
            if self.ctx.command.get_help_option(self.ctx) is not None:
                print(f"查看帮助：{self.ctx.command_path} -h", file=out)


@contextlib.contextmanager
def in_chinese() -> Iterator[None]:
    """Turn Click's and Typer's exceptions raised inside into :class:`ChineseUsageError`."""
    try:
        yield
    except (ChineseUsageError, NoArgsIsHelpError):
        raise
    except ClickException as exc:
        ctx = getattr(exc, "ctx", None)
        raise ChineseUsageError(chinese_message(exc), ctx, exc.exit_code) from None
    except typer.Abort:
        print("已中止。", file=sys.stderr)
        raise typer.Exit(1) from None


def chinese_message(exc: ClickException) -> str:
    """The message of a Click exception, built from its data."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, MissingParameter):
        param = exc.param
        if param is None:
            return f"缺少 {exc.param_hint or '参数'}"
        if param.param_type_name == "argument":
            return f"缺少参数 {metavar(param)}"
        choices = choice_words(param) if param.type_descriptor.is_choice else []
        also = f"（可选：{'、'.join(choices)}）" if choices else ""
        return f"缺少必填选项 {param_name(param)} {metavar(param)}{also}"
    if isinstance(exc, NoSuchOption):
        near = f"（是不是要用 {'、'.join(exc.possibilities)}？）" if exc.possibilities else ""
        return f"没有这个选项：{printable(exc.option_name)}{near}"
    if isinstance(exc, BadOptionUsage):
        param = _option_named(ctx, exc.option_name)
        if param is not None and (param.is_flag or param.count):
            return f"选项 {exc.option_name} 不带值"
        word = f"（{metavar(param)}）" if param is not None else ""
        return f"选项 {exc.option_name} 后面缺少值{word}"
    if isinstance(exc, BadArgumentUsage):
        return "参数的个数不对"
    if isinstance(exc, BadParameter):
        return _bad_parameter(exc)
    return str(exc.message)


def _option_named(ctx: Context | None, name: str) -> Any:
    if ctx is None:
        return None
    for param in ctx.command.get_params(ctx):
        if name in param.opts or name in param.secondary_opts:
            return param
    return None


def _bad_parameter(exc: BadParameter) -> str:
    param = exc.param
    if exc.param_hint is not None:
        hint = exc.param_hint if isinstance(exc.param_hint, str) else exc.param_hint[0]
    elif param is not None:
        hint = param_name(param)
    else:
        hint = None
    # A refused value's message is already in Chinese: every parameter is converted by
    # ipscore.cli.values (tests/test_cli_values.py checks that none is left to pydantic).
    message = str(exc.message)
    return f"{hint}：{message}" if hint else message


class App(typer.Typer):
    """A Typer app whose groups and commands speak Chinese; ``-h`` beside ``--help``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", ChineseGroup)
        kwargs.setdefault("rich_markup_mode", None)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        kwargs.setdefault(
            "context_settings", {"help_option_names": HELP_NAMES, "max_content_width": MAX_WIDTH}
        )
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", ChineseCommand)
        return super().command(*args, **kwargs)
