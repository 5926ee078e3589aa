"""Phrases a 办公室 writes, shared by the monthly and the annual circular.

Every figure a sentence names is the figure the table prints (rounded as the scheme says), and
a gap in percentage points is the difference of two printed figures, so a reader who checks
the text against the table finds the same numbers. Units that share a rank are named as a tie
(并列第1); units that moved by the same number of places are grouped (各上升1位).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from ipscore.base.numbers import Rounding, fmt, round_to

R = TypeVar("R")


def printed(value: Any, decimals: int = 2, mode: Rounding = "half_up") -> Decimal:
    """The value as the table prints it (a Decimal with ``decimals`` places)."""
    return round_to(value, decimals, mode)


def shown(value: Any, decimals: int = 2, mode: Rounding = "half_up") -> str:
    return fmt(value, decimals, mode)


def names(items: Sequence[str]) -> str:
    return "、".join(items)


def counted(items: Sequence[str], noun: str) -> str:
    """``A、B、C等3个区县`` (``noun`` the units' word); ``A、B``; ``A`` (a count only from
    three names on)."""
    if len(items) >= 3:
        return f"{names(items)}等{len(items)}个{noun}"
    return names(items)


def points_gap(a: Any, b: Any, decimals: int = 2, mode: Rounding = "half_up") -> Decimal:
    """a − b in percentage points, from the printed figures of a and b."""
    return printed(a, decimals, mode) - printed(b, decimals, mode)


def ranked_names(
    rows: Sequence[R],
    rank: Callable[[R], int],
    name: Callable[[R], str],
    score: Callable[[R], str],
    unit: str = "分",
) -> str:
    """Units with their scores, ties named as ties:
    ``A（95.20分）、B、C（并列第2，均为87.72分）``."""
    groups: list[list[R]] = []
    for row in rows:
        if groups and rank(groups[-1][0]) == rank(row):
            groups[-1].append(row)
        else:
            groups.append([row])
    parts = []
    for group in groups:
        first = group[0]
        if len(group) == 1:
            parts.append(f"{name(first)}（{score(first)}{unit}）")
        else:
            together = names([name(r) for r in group])
            parts.append(f"{together}（并列第{rank(first)}，均为{score(first)}{unit}）")
    return "、".join(parts)


def grouped_moves(moves: Sequence[tuple[str, int]], word: str) -> str:
    """Units that moved by the same number of places, together, biggest move first:
    ``经济开发区上升4位，淄川区、临淄区各上升1位``."""
    by_size: dict[int, list[str]] = {}
    for county, size in moves:
        by_size.setdefault(size, []).append(county)
    parts = []
    for size in sorted(by_size, reverse=True):
        group = by_size[size]
        each = "各" if len(group) > 1 else ""
        parts.append(f"{names(group)}{each}{word}{size}位")
    return "，".join(parts)


def change_cell(change: int | None) -> str:
    """位次变化 in the circular's table: ↑2, ↓1, 持平 for no change, — only for no data."""
    if change is None:
        return "—"
    if change == 0:
        return "持平"
    return f"↑{change}" if change > 0 else f"↓{-change}"


def ordinal_label(index: int) -> str:
    """（一）, （二）, … for the index-th item (0-based)."""
    from ipscore.rules.notice import CHINESE_NUMBERS

    return f"（{CHINESE_NUMBERS[index]}）"


def heading_label(index: int) -> str:
    """一、, 二、, … for the index-th section (0-based)."""
    from ipscore.rules.notice import CHINESE_NUMBERS

    return f"{CHINESE_NUMBERS[index]}、"
