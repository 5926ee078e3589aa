"""ipscore.numbers: reading typed numbers and rounding as a person does (DOMAIN.md, "Rounding")."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from ipscore.base.numbers import (
    NumberError,
    fmt,
    growth,
    normalise_text,
    parse_count,
    parse_number,
    percent,
    round_to,
)

# --------------------------------------------------------------------------------------------
# round_to


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # 四舍五入 on the decimal value: the third decimal is exactly 5, so round away from zero.
        (Fraction(2675, 1000), "2.68"),
        (Decimal("2.675"), "2.68"),
        (Decimal("0.625"), "0.63"),
        (Fraction(5, 8), "0.63"),  # 5/8 = 0.625
        (Decimal("1.005"), "1.01"),
        (Fraction(201, 200), "1.01"),  # 201/200 = 1.005
        (Fraction(1, 8), "0.13"),  # 0.125
        (Decimal("-0.125"), "-0.13"),  # half *away from zero*, not towards +inf
        (Fraction(-2675, 1000), "-2.68"),
        (Decimal("2.674999"), "2.67"),  # below the half stays down
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (7, "7.00"),  # an int keeps two decimals
        (Decimal("0"), "0.00"),
    ],
)
def test_round_to_half_up(value: Fraction | Decimal | int, expected: str) -> None:
    result = round_to(value, 2, "half_up")
    assert isinstance(result, Decimal)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # 四舍六入五成双: an exact half goes to the even neighbour.
        (Fraction(1, 8), "0.12"),  # 12.5 hundredths -> 12 (even)
        (Decimal("0.125"), "0.12"),
        (Fraction(2675, 1000), "2.68"),  # 267.5 hundredths -> 268 (even)
        (Decimal("0.135"), "0.14"),  # 13.5 -> 14 (even)
        (Decimal("-0.125"), "-0.12"),
        (Decimal("0.1251"), "0.13"),  # more than half: up, even in half_even mode
    ],
)
def test_round_to_half_even(value: Fraction | Decimal, expected: str) -> None:
    assert str(round_to(value, 2, "half_even")) == expected


def test_round_to_default_mode_is_half_up_with_two_decimals() -> None:
    # No mode given: the reference schemes' 四舍五入 to 2 places (0.125 -> 0.13, not 0.12).
    assert str(round_to(Fraction(1, 8))) == "0.13"


@pytest.mark.parametrize(
    ("value", "decimals", "mode", "expected"),
    [
        (Fraction(5, 2), 0, "half_up", "3"),  # 2.5 -> 3
        (Fraction(-5, 2), 0, "half_up", "-3"),  # -2.5 -> -3
        (Fraction(5, 2), 0, "half_even", "2"),  # 2.5 -> 2 (even)
        (Fraction(7, 2), 0, "half_even", "4"),  # 3.5 -> 4 (even)
        (Fraction(12345, 10000), 3, "half_up", "1.235"),  # 1.2345 -> 1.235
        (Fraction(12345, 10000), 3, "half_even", "1.234"),  # 1234.5 thousandths -> 1234
    ],
)
def test_round_to_other_decimal_places(
    value: Fraction, decimals: int, mode: str, expected: str
) -> None:
    assert str(round_to(value, decimals, mode)) == expected  # type: ignore[arg-type]


def test_round_to_beats_binary_float_rounding() -> None:
    # The case DOMAIN.md warns about: Python's round(2.675, 2) gives 2.67 because the float
    # 2.675 is stored as 2.67499999...; the exact value 2675/1000 must give 2.68.
    assert round(2.675, 2) == 2.67  # precondition: this input really defeats floats
    assert round_to(Fraction(2675, 1000)) == Decimal("2.68")


# --------------------------------------------------------------------------------------------
# parse_count / parse_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,234", 1234),  # thousands separator
        ("１２３", 123),  # full-width digits
        (" 123 ", 123),  # surrounding spaces
        ("12件", 12),  # a unit after the number
        ("12 件", 12),
        (12.0, 12),  # a numeric cell read as a float
        ("12.0", 12),
        (12, 12),
        (0, 0),
        ("0", 0),
        ("1，234", 1234),  # full-width comma folds to ","
        ("1,234,567", 1234567),
        ("+5", 5),
        (Decimal("40"), 40),
    ],
)
def test_parse_count_accepts_what_people_type(value: object, expected: int) -> None:
    result = parse_count(value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.5万元", Fraction(25, 2)),
        ("1,234.5", Fraction(2469, 2)),
        (0.1, Fraction(1, 10)),  # the float's shortest repr, not its binary expansion
        (2.675, Fraction(2675, 1000)),
    ],
)
def test_parse_number_is_exact(value: object, expected: Fraction) -> None:
    assert parse_number(value) == expected


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("", "blank"),
        ("—", "blank"),
        ("-", "blank"),
        ("——", "blank"),
        ("   ", "blank"),
        (None, "blank"),
        ("-5", "negative"),
        (-5, "negative"),
        (-5.0, "negative"),
        ("-1,234", "negative"),
        (12.5, "fraction"),
        ("12.5", "fraction"),
        ("abc", "text"),
        ("1,23", "text"),  # not a thousands grouping
        ("12,34,567", "text"),
        ("1e3", "text"),
        (True, "text"),
        (float("nan"), "text"),
        ("件", "text"),
    ],
)
def test_parse_count_errors_say_why(value: object, kind: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_count(value)
    assert caught.value.kind == kind


def test_number_error_keeps_the_cell_as_shown() -> None:
    with pytest.raises(NumberError) as caught:
        parse_count(" abc ")
    assert caught.value.shown == "abc"
    with pytest.raises(NumberError) as caught:
        parse_count(12.5)
    assert caught.value.shown == "12.5"


def test_blank_is_never_zero() -> None:
    # A dash in a count is an error, not a silent 0 (DOMAIN.md: "never a silent zero").
    for value in ("—", "-", "", None):
        with pytest.raises(NumberError):
            parse_number(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity")])
def test_parse_number_decimal_nan_is_a_number_error(value: Decimal) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(value)
    assert caught.value.kind == "text"


# --------------------------------------------------------------------------------------------
# Derived figures


def test_growth_exact_and_undefined() -> None:
    # (2331 - 2112) / 2112 × 100 = 21900/2112 = 10.3693...%
    assert growth(2331, 2112) == Fraction(21900, 2112)
    assert growth(110, 100) == 10
    assert growth(90, 100) == -10
    assert growth(5, 0) is None  # b = 0: undefined, whatever c is
    assert growth(0, 0) is None


def test_percent_exact_and_undefined() -> None:
    # 2331 / 5680 × 100 = 41.0387...%
    assert percent(2331, 5680) == Fraction(233100, 5680)
    assert percent(1, 3) == Fraction(100, 3)
    assert percent(5, 0) is None
    assert percent(0, 0) is None


def test_fmt_shows_two_decimals_or_a_dash() -> None:
    assert fmt(None) == "—"
    assert fmt(Fraction(2675, 1000)) == "2.68"
    assert fmt(Fraction(125, 3)) == "41.67"  # 5/12 × 100 = 41.666...
    assert fmt(Fraction(1, 8), mode="half_even") == "0.12"
    assert fmt(Decimal("40")) == "40.00"
    assert fmt(5) == "5"  # counts are shown as whole numbers


def test_normalise_text_folds_width_and_spaces() -> None:
    assert normalise_text("张 店 区\u3000") == "张店区"
    assert normalise_text("１２３") == "123"
    assert normalise_text("\ufeff全\u200b市 ") == "全市"
