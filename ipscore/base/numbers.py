"""Exact numbers: reading what people type into cells, and rounding as a person does.

Every derived figure is kept as an exact :class:`~fractions.Fraction` and rounded only when it
is shown or turned into points, so 2.675 rounds to 2.68 (四舍五入) and no binary float ever
decides a rank.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from ipscore.base.text import printable


def plain(value: Fraction | Decimal | int) -> str:
    """A parameter as written in the rule file: 15, 0.5, 12.5."""
    number = Fraction(value)
    if number.denominator == 1:
        return str(number.numerator)
    return f"{Decimal(number.numerator) / Decimal(number.denominator):f}".rstrip("0")


Rounding = Literal["half_up", "half_even"]

# Cells people leave empty or fill with a dash when they have no figure.
_BLANKS = {"", "-", "--", "—", "——", "–", "/", "\\", "无", "空", "n/a", "na", "null", "none"}
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^\d+(\.\d+)?$")
_SIGNED = re.compile(r"^[-+]\d[\d,]*(\.\d+)?$")
_UNITS = ("件", "个", "项", "次", "家", "条", "万元", "元", "万人", "人")


# The largest figure a cell may hold: no count or amount in these sheets comes near it, and
# everything below it stays exact through every sum, percentage and store (SQLite keeps 2^63).
LARGEST = 10**12
LARGEST_TEXT = "10^12（1 万亿）"

NumberKind = Literal["blank", "negative", "fraction", "text", "large"]


class NumberError(ValueError):
    """A cell does not hold the number the field needs; ``kind`` says why."""

    def __init__(self, kind: NumberKind, shown: str) -> None:
        self.kind = kind
        self.shown = printable(shown)  # the raw text of a cell: one line, cut when long
        super().__init__(f"{kind}: {shown!r}")


def normalise_text(text: str) -> str:
    """Fold full-width characters (NFKC) and remove every kind of space."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "\u200b\ufeff")


def shown(value: object) -> str:
    """How a cell value looks in a message: one printable line, long text cut with …, a huge
    number in short scientific form."""
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= 1e15:
            return f"{value:g}"
        if value.is_integer():
            return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"{Decimal(value):.6e}"
    return printable(str(value).strip())


def parse_number(value: object) -> Fraction:
    """Read a non-negative number from a cell value; raise :class:`NumberError` otherwise.

    Accepts numbers, and text such as ``1,234``, ``１２３``, `` 123 ``, ``12件``, ``12.5万元``.
    A blank cell or a dash is *not* zero: it raises ``NumberError("blank")``; a number beyond
    :data:`LARGEST` raises ``NumberError("large")``, a non-finite one ``"text"``.
    """
    if value is None:
        raise NumberError("blank", "")
    if isinstance(value, (bool, _dt.date, _dt.time, _dt.timedelta)):
        raise NumberError("text", shown(value))
    if isinstance(value, int):
        number = Fraction(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberError("text", shown(value))
        # A float cell holds what the person typed, to ~15 significant digits.
        number = Fraction(Decimal(repr(value)))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberError("text", str(value))
        number = Fraction(value)
    else:
        text = normalise_text(str(value))
        if text.lower() in _BLANKS:
            raise NumberError("blank", str(value))
        for unit in _UNITS:
            if text.endswith(unit) and len(text) > len(unit):
                text = text[: -len(unit)]
                break
        if _SIGNED.match(text):
            sign, text = text[0], text[1:]
            if sign == "-" and text.strip("0.,") != "":
                raise NumberError("negative", str(value).strip())
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if not _PLAIN.match(text):
            raise NumberError("text", str(value).strip())
        if len(text.partition(".")[0].lstrip("0")) > len(str(LARGEST)):
            raise NumberError("large", str(value).strip())
        number = Fraction(Decimal(text))
    if number < 0:
        raise NumberError("negative", shown(value))
    if number > LARGEST:
        raise NumberError("large", shown(value))
    return number


def parse_count(value: object) -> int:
    """Read a non-negative whole number (a count of applications, firms, cases…)."""
    number = parse_number(value)
    if number.denominator != 1:
        raise NumberError("fraction", shown(value))
    return int(number)


def round_to(
    value: Fraction | int | Decimal, decimals: int = 2, mode: Rounding = "half_up"
) -> Decimal:
    """Round an exact value to ``decimals`` places.

    ``half_up`` is 四舍五入 (half away from zero: 2.675 → 2.68, -0.125 → -0.13);
    ``half_even`` is GB/T 8170's 四舍六入五成双 (0.125 → 0.12).
    """
    exact = Fraction(value) * (10**decimals)
    if mode == "half_even":
        whole = round(exact)
    else:
        magnitude = abs(exact)
        whole = int(magnitude + Fraction(1, 2)) if magnitude else 0
        whole = -whole if exact < 0 else whole
    return Decimal(whole).scaleb(-decimals)


def percent(numerator: Fraction | int, denominator: Fraction | int) -> Fraction | None:
    """numerator / denominator × 100, or None when the denominator is not positive."""
    if denominator <= 0:
        return None
    return Fraction(numerator) * 100 / Fraction(denominator)


def growth(current: Fraction | int, base: Fraction | int) -> Fraction | None:
    """同比增长 in percent: (c − b) / b × 100; None (undefined) when b is 0."""
    if base <= 0:
        return None
    return (Fraction(current) - Fraction(base)) * 100 / Fraction(base)


def fmt(
    value: Decimal | Fraction | int | None, decimals: int = 2, mode: Rounding = "half_up"
) -> str:
    """A value as a person writes it: rounded, fixed decimals, ``—`` when undefined."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{round_to(value, decimals, mode):.{decimals}f}"
