"""The expressions that choose the rows a month's tally needs, before anything costly is done.

A tally needs the invention applications of two date windows (this year's and last year's
January..M) and every row whose date, type or application number cannot be read (it might have
belonged to a window). The cheap tests come first, as plain Polars predicates, so that a Parquet
scan skips row groups by their date statistics and a CSV scan keeps only those rows in memory;
the date parsing, the type normalisation and the attribution then run on the survivors only.

A date written as text whose year is readable and outside both windows (2017-13-45) is left
out unread: it cannot belong to them. Inside the windows' years every unreadable date is kept
and reported.

The type comes from the 专利类型 column, or, when a list has none (CNKI's export), from the
application number: CN + 12 digits + check digit since 2003 (8 digits before), the 5th digit (3rd
in the old form) 1 = invention, 8 = a PCT invention entering China, 2/3/9 = utility model, design,
PCT utility model. The check digit: the digits times 2, 3, …, 9, 2, 3, 4, 5, summed, modulo 11,
10 written X (GB/T 18788-2002's scheme as CNIPA publishes it; a number without a check digit is
taken as written).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

# Date written as text: 2019-05-12, 2019/5/12, 2019.05.12, 20190512, 2019年5月12日, with an
# optional time after it. A fixed pattern; no user text ever becomes a regular expression.
DATE_TEXT = r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:$|[\sT])"
NUMBER_TEXT = r"^(?:\d{12}|\d{8})[0-9X]?$"
INVENTION_DIGITS = ("1", "8")
OTHER_DIGITS = ("2", "3", "9")
NUMBER_EXPECTED = "应为 CN + 12 位数字 + 校验位（如 CN201910123456.X），校验位须与前 12 位相符"


def day_expr(dtype: pl.DataType) -> pl.Expr:
    """``date`` as a Date (null when it is not one)."""
    import polars as pl

    column = pl.col("date")
    if dtype == pl.Date:
        return column
    if dtype == pl.Datetime:
        return column.dt.date()
    parts = column.cast(pl.String).str.strip_chars().str.extract_groups(DATE_TEXT)
    text = pl.concat_str(
        [
            parts.struct.field("1"),
            parts.struct.field("2").str.zfill(2),
            parts.struct.field("3").str.zfill(2),
        ],
        separator="-",
    )
    return text.str.to_date("%Y-%m-%d", strict=False)


def date_prefilter(dtype: pl.DataType, spans: list[tuple[dt.date, dt.date]]) -> pl.Expr:
    """Rows that may lie in one of ``spans`` or whose date cannot be read."""
    import polars as pl

    column = pl.col("date")
    if dtype == pl.Date or dtype == pl.Datetime:
        if dtype == pl.Datetime:
            inside = [
                column.is_between(
                    dt.datetime.combine(a, dt.time()),
                    dt.datetime.combine(b, dt.time(23, 59, 59, 999999)),
                )
                for a, b in spans
            ]
        else:
            inside = [column.is_between(a, b) for a, b in spans]
        return pl.any_horizontal([*inside, column.is_null()])
    text = column.cast(pl.String).str.strip_chars()
    years = sorted({str(a.year) for a, _ in spans} | {str(b.year) for _, b in spans})
    # One slice and one pattern per row: a tighter test (the month too) costs more CPU than
    # the date parsing it would save on the rows it drops.
    return (
        text.str.slice(0, 4).is_in(years)
        | ~text.str.contains(DATE_TEXT).fill_null(False)
        | column.is_null()
    )


def body_expr() -> pl.Expr:
    """The application number without CN/ZL, spaces and the dot before the check digit."""
    import polars as pl

    return (
        pl.col("number")
        .cast(pl.String)
        .str.normalize("NFKC")
        .str.to_uppercase()
        .str.replace_all(r"[\s.]", "")
        .str.strip_prefix("ZL")
        .str.strip_prefix("CN")
    )


def number_ok(body: pl.Expr) -> pl.Expr:
    """True when the number has the right shape and, when it carries one, the right check
    digit; null for a blank number."""
    import polars as pl

    length = body.str.len_chars()
    digits = length - (length % 4)  # 13 → 12, 12 → 12, 9 → 8, 8 → 8
    total = pl.sum_horizontal(
        [
            pl.when(pl.lit(i) < digits)
            .then(body.str.slice(i, 1).cast(pl.Int32, strict=False) * (2 + i % 8))
            .otherwise(0)
            for i in range(12)
        ]
    )
    rest = total % 11
    expected = pl.when(rest == 10).then(pl.lit("X")).otherwise(rest.cast(pl.String))
    has_check = (length == 13) | (length == 9)
    check_ok = ~has_check | (body.str.slice(digits, 1) == expected)
    return body.str.contains(NUMBER_TEXT) & check_ok.fill_null(False)


def digit_expr(body: pl.Expr) -> pl.Expr:
    """The type digit: the 5th of 12 digits, the 3rd of the old 8."""
    import polars as pl

    length = body.str.len_chars()
    return pl.when(length >= 12).then(body.str.slice(4, 1)).otherwise(body.str.slice(2, 1))


def kind_from_type(invention: tuple[str, ...], other: tuple[str, ...]) -> pl.Expr:
    """发明 / 其他 / null (not a known spelling) from the 专利类型 column."""
    import polars as pl

    from ipscore.base.numbers import normalise_text

    known: dict[str, str] = {}
    for spellings, kind in ((invention, "发明"), (other, "其他")):
        for spelling in spellings:
            known.setdefault(normalise_text(spelling).lower(), kind)
    folded = pl.col("type").str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase()
    # is_in, not replace_strict: the latter holds on to memory in the streaming engine.
    return (
        pl.when(folded.is_in([k for k, v in known.items() if v == "发明"]))
        .then(pl.lit("发明"))
        .when(folded.is_in([k for k, v in known.items() if v == "其他"]))
        .then(pl.lit("其他"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def type_prefilter(invention: tuple[str, ...], other: tuple[str, ...], by_number: bool) -> pl.Expr:
    """Rows that may be inventions or whose type cannot be read (exact spellings only: the
    cheap test; the normalised comparison runs later on the survivors)."""
    import polars as pl

    if by_number:
        body = body_expr()
        return digit_expr(body).is_in(INVENTION_DIGITS).fill_null(True) | ~number_ok(
            body
        ).fill_null(True)
    raw = pl.col("type")
    return raw.is_in(list(invention)).fill_null(True) | ~raw.is_in([*invention, *other]).fill_null(
        True
    )


def kind_from_number() -> pl.Expr:
    """发明 / 其他 / null (a bad number) from the application number."""
    import polars as pl

    body = body_expr()
    digit = digit_expr(body)
    return (
        pl.when(~number_ok(body).fill_null(False))
        .then(pl.lit(None, dtype=pl.String))
        .when(digit.is_in(INVENTION_DIGITS))
        .then(pl.lit("发明"))
        .when(digit.is_in(OTHER_DIGITS))
        .then(pl.lit("其他"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
