"""A data-quality report on a monthly sheet, without scoring it: every problem at once.

:func:`validate_file` reads a sheet the way ``rank`` does, but collects instead of stopping:
the errors ``rank`` refuses on, and warnings that ``rank`` does not need but a careful analyst
wants — the sheet's own 同比增长 / 完成率 / 排名 disagreeing with recomputed values (beyond
0.011, DOMAIN.md), the 合计 row disagreeing with the units, formula cells with no cached value,
and, against last month, month figures that do not add up, cumulative figures that fall and
jumps of more than three times.

Last month comes from ``--prev FILE`` (``prev``), a table given as ``previous``, or a lookup
``previous_for(period)`` — the CLI passes one that reads the history store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from ipscore.base.numbers import fmt, normalise_text, shown
from ipscore.base.period import Period
from ipscore.base.problems import Problem
from ipscore.intake.grids import Grid, cell_name
from ipscore.intake.model import Column, DataTable, Record
from ipscore.rules.scheme import Scheme
from ipscore.rules.units import CITY_WORDS, Words
from ipscore.scoring.score import derive, score

TOLERANCE = Fraction(11, 1000)  # DOMAIN.md: a disagreement beyond 0.011 is worth a warning
JUMP_FACTOR = 3
RANK_FIELD = "reported_rank"
_CELL = re.compile(r"^([A-Z]+)(\d+)$")
_DASHES = {"", "-", "--", "—", "——", "–", "/", "无"}


@dataclass
class Report:
    """The problems found in one file (and its --prev file), errors first, in cell order."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    sheet: str | None = None
    period: Period | None = None
    words: Words = CITY_WORDS  # what the units are called (区县, 市): the units file's words

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level != "error"]

    @property
    def exit_code(self) -> int:
        """0 clean, 1 warnings only, 2 errors."""
        return 2 if self.errors else (1 if self.problems else 0)

    def as_json(self) -> list[dict[str, str | None]]:
        keys = ("level", "code", "file", "sheet", "cell", "field", "county", "message")
        return [{k: getattr(p, k) for k in keys} for p in self.problems]


def cell_order(problem: Problem) -> tuple[int, str, int, int]:
    match = _CELL.match(problem.cell or "")
    row = int(match.group(2)) if match else 0
    col = 0
    if match:
        for ch in match.group(1):
            col = col * 26 + ord(ch) - 64
    return (0 if problem.level == "error" else 1, problem.file or "", row, col)


def problems_have_errors(problems: list[Problem]) -> bool:
    return any(p.level == "error" for p in problems)


def formula_problems(
    grid: Grid, formulas: dict[str, str], problems: list[Problem], table: DataTable | None
) -> list[Problem]:
    """Warn on each formula with no cached value; a blank-value error on one says why."""
    if not formulas:
        return []
    headers: dict[str, Column] = {}
    counties: dict[int, str] = {}
    if table is not None:
        headers = {re.sub(r"\d+", "", c.cell): c for c in table.columns.values()}
        counties = {r.row: r.county for r in table.records}
        if table.total is not None:
            counties[table.total.row] = "合计"
    hint = "保存文件的程序没有计算公式，用 Excel、WPS 或 LibreOffice 打开后另存即可"
    blank_errors = {p.cell: i for i, p in enumerate(problems) if p.code == "value-blank"}
    out: list[Problem] = []
    for cell, formula in formulas.items():
        match = _CELL.match(cell)
        if not match:
            continue
        row, col = int(match.group(2)) - 1, _col_index(match.group(1))
        if grid.value(row, col) is not None:
            continue
        if len(formula) > 40:
            formula = formula[:37] + "…"
        message = f"公式 {formula} 没有保存计算结果，按空白处理；{hint}"
        if cell in blank_errors:
            old = problems[blank_errors[cell]]
            problems[blank_errors[cell]] = Problem(
                old.code,
                f"{old.message}——该单元格是公式 {formula}，但没有保存计算结果；{hint}",
                level=old.level,
                file=old.file,
                sheet=old.sheet,
                cell=old.cell,
                field=old.field,
                header=old.header,
                county=old.county,
            )
            continue
        column = headers.get(match.group(1))
        out.append(
            Problem(
                "formula-no-value",
                message,
                level="warning",
                file=grid.file,
                sheet=grid.sheet,
                cell=cell,
                field=column.field if column else None,
                header=column.header if column else None,
                county=counties.get(row + 1),
            )
        )
    return out


def _col_index(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


# --------------------------------------------------------------------------------------------
# The sheet's own computed columns and its 合计 row


def reported_number(value: object) -> Fraction | str | None:
    """A computed cell as a number (``10.64``, ``"10.64%"``, ``-6.67``); None when blank or a
    dash; the text itself when it is not a number."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return shown(value)
        return Fraction(Decimal(repr(value)))
    text = normalise_text(str(value)).replace(",", "")
    if text in _DASHES:
        return None
    if text.endswith("%"):
        text = text[:-1]
    try:
        return Fraction(Decimal(text))
    except (InvalidOperation, ValueError):
        return str(value).strip()


def _where(grid: Grid, record: Record, column: Column) -> dict[str, str | None]:
    return {
        "file": grid.file,
        "sheet": grid.sheet,
        "cell": cell_name(record.row - 1, column.col),
        "field": column.field,
        "header": column.header,
        "county": record.county,
    }


def reported_problems(
    grid: Grid, table: DataTable, scheme: Scheme, *, clean: bool
) -> list[Problem]:
    by_label = {d.label: d for d in scheme.derived.values()}
    out: list[Problem] = []
    rows = [*table.records, *([table.total] if table.total is not None else [])]
    for fid, column in table.columns.items():
        spec = scheme.fields[fid]
        if spec.type != "reported" or spec.label not in by_label:
            continue
        derived = by_label[spec.label]
        code = "growth-mismatch" if derived.kind == "growth" else "completion-mismatch"
        for record in rows:
            values = record.values
            # The 合计 row is checked against its own figures, like any row: a 合计 that does not
            # add up is its own warning (total-mismatch), not a second one here.
            if not all(arg in values for arg in derived.args):
                continue  # a value is missing or wrong: already an error
            value = grid.value(record.row - 1, column.col)
            reported = reported_number(value)
            where = _where(grid, record, column)
            if isinstance(reported, str):
                out.append(
                    Problem(
                        "reported-unreadable",
                        f"不是数字：“{reported}”（应为{derived.label}，或留空）",
                        level="warning",
                        **where,
                    )
                )
                continue
            if reported is None:
                continue
            exact = derive(derived, values)
            a, b = (values[arg] for arg in derived.args)
            if exact is None:
                out.append(
                    Problem(
                        code,
                        f"表中为 {fmt(reported)}，"
                        f"但{_header(table, derived.args[1])}为 {fmt(b, 0)}，"
                        f"{derived.label}无法计算（应为“—”）",
                        level="warning",
                        **where,
                    )
                )
                continue
            if abs(reported - exact) <= TOLERANCE or (
                isinstance(value, float) and abs(reported * 100 - exact) <= TOLERANCE
            ):
                continue  # a percent-formatted cell holds 0.1064 for 10.64 %
            formula = (
                f"({a}−{b})÷{b}×100" if derived.kind == "growth" else f"{a}÷{b}×{derived.scale}"
            )
            out.append(
                Problem(
                    code,
                    f"表中为 {fmt(reported)}，按 {formula} 重新计算为 {fmt(exact)}"
                    f"（相差 {fmt(abs(reported - exact))}，超过 {fmt(TOLERANCE, 3)}）",
                    level="warning",
                    **where,
                )
            )
    if clean and RANK_FIELD in table.columns and table.records:
        out.extend(_rank_problems(grid, table, scheme, table.columns[RANK_FIELD]))
    return out


def _header(table: DataTable, fid: str) -> str:
    column = table.columns.get(fid)
    return column.header if column else fid


def _rank_problems(grid: Grid, table: DataTable, scheme: Scheme, column: Column) -> list[Problem]:
    ranking = score(table, scheme)
    out: list[Problem] = []
    for row in ranking.rows:
        value = grid.value(row.record.row - 1, column.col)
        reported = reported_number(value)
        where = _where(grid, row.record, column)
        if reported is None:
            continue
        if isinstance(reported, str) or reported.denominator != 1:
            out.append(
                Problem(
                    "reported-unreadable",
                    f"不是名次：“{shown(value)}”（应为整数，或留空）",
                    level="warning",
                    **where,
                )
            )
            continue
        if int(reported) != row.rank:
            out.append(
                Problem(
                    "rank-mismatch",
                    f"表中排名为 {int(reported)}，按“{scheme.name}”重新计算为第 {row.rank} 名"
                    f"（得分 {row.score}）",
                    level="warning",
                    **where,
                )
            )
    return out


def total_problems(grid: Grid, table: DataTable, scheme: Scheme) -> list[Problem]:
    total = table.total
    if total is None:
        return []
    out: list[Problem] = []
    for spec in scheme.data_fields:
        if spec.id not in total.values or spec.id not in table.columns:
            continue
        if not all(spec.id in r.values for r in table.records):
            continue
        units = sum((Fraction(r.values[spec.id]) for r in table.records), Fraction(0))
        if units != total.values[spec.id]:
            column = table.columns[spec.id]
            out.append(
                Problem(
                    "total-mismatch",
                    f"合计为 {shown(total.raw[spec.id])}，"
                    f"{scheme.units.words.each}之和为 {fmt(units, 0)}"
                    f"（相差 {fmt(abs(units - total.values[spec.id]), 0)}）",
                    level="warning",
                    **_where(grid, total, column),
                )
            )
    return out


def subtotal_problems(grid: Grid, table: DataTable, scheme: Scheme) -> list[Problem]:
    """Each subtotal row (区县小计, 功能区小计) against the sum of the units it closes."""
    out: list[Problem] = []
    for subtotal in table.subtotals:
        record = subtotal.record
        members = [r for r in table.records if r.county in subtotal.members]
        for spec in scheme.data_fields:
            if spec.id not in record.values or spec.id not in table.columns:
                continue
            if not all(spec.id in r.values for r in members):
                continue
            units = sum((Fraction(r.values[spec.id]) for r in members), Fraction(0))
            if units == record.values[spec.id]:
                continue
            names = "、".join(subtotal.members) or f"（上方没有{scheme.units.words.unit}）"
            out.append(
                Problem(
                    "subtotal-mismatch",
                    f"{record.county}为 {shown(record.raw[spec.id])}，"
                    f"其上方{scheme.units.words.each}（{names}）之和为 {fmt(units, 0)}"
                    f"（相差 {fmt(abs(units - record.values[spec.id]), 0)}）",
                    level="warning",
                    **_where(grid, record, table.columns[spec.id]),
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# Against last month


def month_problems(table: DataTable, previous: DataTable | None) -> list[Problem]:
    out: list[Problem] = []
    where = {"file": table.file, "sheet": table.sheet}
    columns = table.columns

    def at(record: Record, fid: str) -> dict[str, str | None]:
        return {
            **where,
            "cell": record.cells.get(fid),
            "field": fid,
            "header": columns[fid].header if fid in columns else None,
            "county": record.county,
        }

    period = table.period
    if period.month == 1:
        for record in table.records:
            month, ytd = record.values.get("month_apps"), record.values.get("ytd_apps")
            if month is not None and ytd is not None and month != ytd:
                out.append(
                    Problem(
                        "month-apps-mismatch",
                        f"1月的本月数应等于累计数，实际本月 {month}、累计 {ytd}",
                        level="warning",
                        **at(record, "month_apps"),
                    )
                )
    if previous is None:
        return out
    same_year = previous.period.year == period.year
    adjacent = previous.period == period.previous()
    for record in table.records:
        before = previous.record(record.county)
        if before is None:
            continue
        prev_where = f"上月 {Path(previous.file).name} [{previous.sheet}]"

        def prev_cell(fid: str, before: Record = before) -> str:
            cell = before.cells.get(fid)
            return f" {cell}" if cell else ""  # figures from the history store have no cell

        if same_year:
            for fid in ("ytd_apps", "ytd_apps_last_year"):
                now, then = record.values.get(fid), before.values.get(fid)
                if now is not None and then is not None and now < then:
                    out.append(
                        Problem(
                            "cumulative-fell",
                            f"累计数比上月少：本月 {now}，{prev_where}{prev_cell(fid)} "
                            f"为 {then}（{previous.period}）",
                            level="warning",
                            **at(record, fid),
                        )
                    )
        month = record.values.get("month_apps")
        if adjacent and same_year:
            ytd, then = record.values.get("ytd_apps"), before.values.get("ytd_apps")
            fell = ytd is not None and then is not None and ytd < then  # already said
            if (
                month is not None
                and ytd is not None
                and then is not None
                and not fell
                and (month != ytd - then)
            ):
                out.append(
                    Problem(
                        "month-apps-mismatch",
                        f"本月数为 {month}，但本月累计 {ytd} − 上月累计 {then}"
                        f"（{prev_where}{prev_cell('ytd_apps')}）= {ytd - then}",
                        level="warning",
                        **at(record, "month_apps"),
                    )
                )
        then_month = before.values.get("month_apps")
        if adjacent and month is not None and then_month and month > JUMP_FACTOR * then_month:
            out.append(
                Problem(
                    "month-jump",
                    f"本月数 {month} 是上月（{then_month}）的 "
                    f"{fmt(Fraction(month, then_month))} 倍，"
                    f"超过 {JUMP_FACTOR} 倍，请核实",
                    level="warning",
                    **at(record, "month_apps"),
                )
            )
    return out
