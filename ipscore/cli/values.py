"""Command-line values turned into Python ones without pydantic, and their words when refused.

Typer 0.29 coerces every option through a pydantic ``TypeAdapter`` built on each run: importing
pydantic and building the adapters costs about 90 ms, a third of ``ipscore rank`` on the sample
(see ``benchmarks/startup.py``). ipscore's options only take text, paths, whole numbers, numbers,
switches, choices from an :class:`~enum.Enum` and lists of paths, so :func:`install` gives each
such parameter a plain converter before Click parses the line; anything else (a path option that
asks Click to check existence, a clamp, a type this module does not know) keeps Typer's own
coercion. ``tests/test_cli_values.py`` checks that both give the same value or both refuse, on
every parameter of every command.

The one place Typer's internals are touched is :func:`install`: it fills a parameter's
``_runtime_param`` slot, which Typer builds lazily on first use.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import RuntimeParam

from ipscore.base.text import printable

Convert = Callable[[Any], Any]
"""Turns one command-line value into a Python one, or raises :class:`Refused`."""


def choice_words(param: Any) -> list[str]:
    """A choice parameter's choices as the user types them."""
    return [
        str(choice.value if isinstance(choice, Enum) else choice)
        for choice in param.type_descriptor.choices or ()
    ]


def range_words(param: Any) -> str:
    """A number's allowed range: ``1990–2100``, ``不小于 0``, ``不大于 9``."""
    if param.min is not None and param.max is not None:
        return f"{param.min}–{param.max}"
    if param.min is not None:
        return f"不小于 {param.min}"
    return f"不大于 {param.max}"


def value_words(param: Any, raw: Any) -> str:
    """What a value should have been, from the parameter's type (never pydantic's English)."""
    given = f"，实际为 '{printable(raw)}'" if isinstance(raw, str) else ""
    desc = param.type_descriptor
    if desc.is_choice:
        return f"应为 {'、'.join(choice_words(param))} 之一{given}"
    word = number_word(param)
    if word is not None:
        if param.min is not None or param.max is not None:
            return f"应为{word}（{range_words(param)}）{given}"
        return f"应为{word}{given}"
    return f"值无效{given}"


def number_word(param: Any) -> str | None:
    """整数 for a whole-number parameter, 数字 for a number, None for anything else."""
    annotation = param.type_descriptor.annotation
    if annotation is int:
        return "整数"
    return "数字" if annotation is float else None


class Refused(ValueError):
    """A value that a converter does not take (the value itself, not a message)."""

    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


@dataclass(frozen=True)
class PlainRuntimeParam(RuntimeParam):
    """A parameter's values turned by :data:`Convert`; a refusal is a :class:`BadParameter`
    whose message says what was expected (``应为整数（1990–2100），实际为 '3000'``)."""

    convert: Convert

    def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
        try:
            return self.convert(value)
        except Refused as refused:
            raise BadParameter(value_words(param, refused.value), ctx=ctx, param=param) from None


def install(params: Iterable[Any]) -> None:
    """Give every parameter that this module can convert its plain converter (once)."""
    for param in params:
        if getattr(param, "_runtime_param", True) is not None:
            continue  # not a Typer parameter, or already built
        convert = converter(param)
        if convert is not None:
            desc = param.type_descriptor
            param._runtime_param = PlainRuntimeParam(
                parameter_info=desc.parameter_info, annotation=desc.annotation, convert=convert
            )


def converter(param: Any) -> Convert | None:
    """The plain converter for a parameter, or None where Typer's own coercion must stay."""
    desc = param.type_descriptor
    info = desc.parameter_info
    if info.parser is not None or desc.is_file or getattr(info, "clamp", False):
        return None
    annotation = desc.annotation
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        one = _leaf(item, param)
        return None if one is None else (lambda values: [one(value) for value in values])
    return _leaf(annotation, param)


def _leaf(annotation: Any, param: Any) -> Convert | None:
    info = param.type_descriptor.parameter_info
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(annotation, case_sensitive=info.case_sensitive)
    if annotation is str:
        return lambda value: value if isinstance(value, str) else str(value)
    if annotation is bool:
        return _bool
    if annotation is int:
        return _bounded(_int, param.min, param.max)
    if annotation is float:
        return _bounded(_float, param.min, param.max)
    if annotation is Path and _plain_path(info):
        return lambda value: value if isinstance(value, Path) else Path(value)
    return None


def _plain_path(info: Any) -> bool:
    """A path that Click is not asked to look at (exists, file or folder only, …)."""
    return not (
        info.exists
        or not info.file_okay
        or not info.dir_okay
        or info.writable
        or info.resolve_path
        or info.allow_dash
        or info.path_type is not None
    )


def _choice(enum: type[Enum], *, case_sensitive: bool) -> Convert:
    def fold(text: str) -> str:
        return text if case_sensitive else text.casefold()

    by_word = {fold(str(member.value)): member for member in enum}

    def convert(value: Any) -> Any:
        if isinstance(value, enum):
            return value
        member = by_word.get(fold(str(value.value if isinstance(value, Enum) else value)))
        if member is None:
            raise Refused(value)
        return member

    return convert


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Refused(value)


def _int(value: Any) -> int:
    # Digits in ASCII only (int() would also take full-width and other scripts' digits), with
    # the sign, underscores and surrounding spaces that pydantic's lax mode takes.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii():
        with contextlib.suppress(ValueError):
            return int(value)
    raise Refused(value)


def _float(value: Any) -> float:
    # Not NaN or infinity: no ipscore option means either.
    number = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and value.isascii():
        with contextlib.suppress(ValueError):
            number = float(value)
    if not math.isfinite(number):
        raise Refused(value)
    return number


def _bounded(parse: Convert, low: Any, high: Any) -> Convert:
    def convert(value: Any) -> Any:
        number = parse(value)
        if (low is not None and number < low) or (high is not None and number > high):
            raise Refused(value)
        return number

    return convert
