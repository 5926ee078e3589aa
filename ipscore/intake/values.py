"""ipscore.intake.values."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ipscore.base.numbers import (
    LARGEST,
    NumberError,
    normalise_text,
    parse_count,
    parse_number,
    shown,
)
from ipscore.base.problems import Problem
from ipscore.intake.model import Column, Record
from ipscore.rules.scheme import FieldSpec

_EXPECTED_POSITIVE = {"count": "正整数", "number": "大于 0 的数"}
_EXPECTED = {"count": "非负整数", "number": "非负数", "flag": "“是”或“否”"}
# How people fill a 是/否 column. A blank cell is not 否: like a blank count, it is an error.
FLAG_YES = frozenset({"是", "√", "✓", "✔", "y", "yes", "true", "1", "有"})
FLAG_NO = frozenset({"否", "×", "✗", "x", "n", "no", "false", "0", "无"})


def parse_flag(value: object) -> int:
    """Read a 是/否 cell as 1 or 0 (是 √ Y yes 1 有 / 否 × N no 0 无); raise NumberError."""
    if value is None:
        raise NumberError("blank", "")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return int(value)
    text = normalise_text(str(value)).lower()
    if text in FLAG_YES:
        return 1
    if text in FLAG_NO:
        return 0
    raise NumberError("blank" if text in ("", "-", "—", "--") else "text", shown(value))


def read_value(
    record: Record, spec: FieldSpec, value: object, column: Column, where: dict[str, Any]
) -> Problem | None:
    expected = (_EXPECTED_POSITIVE if spec.positive else _EXPECTED).get(spec.type, "数字")
    if_none = "" if spec.positive else ("；请填“否”" if spec.type == "flag" else "；没有数据请填 0")
    try:
        if spec.type == "flag":
            number: Fraction | int = parse_flag(value)
        else:
            number = parse_count(value) if spec.type == "count" else parse_number(value)
    except NumberError as exc:
        messages = {
            "blank": f"为空（应为{expected}{if_none}）",
            "negative": f"不能为负数，实际为“{exc.shown}”（应为{expected}）",
            "fraction": f"应为整数，实际为“{exc.shown}”",
            "text": f"无法识别“{exc.shown}”（应为{expected}）"
            if spec.type == "flag"
            else f"不是数字：“{exc.shown}”（应为{expected}）",
            "large": f"数值过大：“{exc.shown}”（应为不超过 {LARGEST} 的{expected}）",
        }
        code = "value-too-large" if exc.kind == "large" else f"value-{exc.kind}"
        return Problem(
            code,
            messages[exc.kind],
            cell=record.cells[spec.id],
            header=column.header,
            field=spec.id,
            county=record.county,
            **where,
        )
    if spec.positive and number <= 0:
        return Problem(
            "value-not-positive",
            f"应大于 0，实际为“{shown(value)}”（{spec.label}为 0 时无法计算完成率）",
            cell=record.cells[spec.id],
            header=column.header,
            field=spec.id,
            county=record.county,
            **where,
        )
    record.values[spec.id] = number
    return None
