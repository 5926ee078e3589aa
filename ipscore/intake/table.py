"""Loading a statistics sheet into unit records, as a scheme's fields describe them.

The loader finds the header row below any title rows (one header row, or two when a merged
group header such as 发明专利申请量 stands over 本月 | 累计 | 去年同期), maps headers to the
scheme's fields through their aliases, normalises unit names, leaves out the total row, blank
rows and notes, and reads numbers typed as text. Every problem is collected with its cell; a
sheet with errors raises :class:`InputError` holding all of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipscore.base.numbers import shown
from ipscore.base.period import Period, period_from_filename, period_from_text
from ipscore.base.problems import InputError, Problem
from ipscore.base.text import printable
from ipscore.intake.grids import Grid, cell_name, read_grids
from ipscore.intake.header import HEADER_SEARCH_ROWS, HeaderLayout, cell_text, find_header
from ipscore.intake.model import DataTable, Record, Subtotal
from ipscore.intake.values import read_value
from ipscore.rules.scheme import Scheme


def _resolve_period(
    grid: Grid,
    title: str,
    header_texts: list[str],
    path: Path,
    explicit: Period | None,
    warnings: list[Problem],
) -> Period:
    where: dict[str, Any] = {"file": grid.file, "sheet": grid.sheet}
    from_title = period_from_text(title) if title else None
    if from_title is None or from_title.month is None:
        for text in header_texts:
            hint = period_from_text(text)
            if hint and hint.month:
                year = from_title.year if from_title else 0
                from_title = Period(year or hint.year, hint.month)
                break
    from_name = period_from_filename(path)

    def describe(p: Period) -> str:
        return f"{p.year}年{p.month}月" if p.year else f"{p.month}月"

    if explicit is not None:
        for source, found in (("表格标题", from_title), ("文件名", from_name)):
            if (
                found
                and found.month
                and (found.month, found.year or explicit.year)
                != (
                    explicit.month,
                    explicit.year,
                )
            ):
                warnings.append(
                    Problem(
                        "month-override",
                        f"{source}显示为{describe(found)}，按 --month {explicit} 计算",
                        level="warning",
                        **where,
                    )
                )
        return explicit
    if from_title and from_name and from_title.month and from_name.month:
        title_year = from_title.year or from_name.year
        if (from_title.month, title_year) != (from_name.month, from_name.year):
            raise InputError(
                [
                    Problem(
                        "month-conflict",
                        f"月份不一致：表格标题为{describe(from_title)}，文件名为{describe(from_name)}；"
                        "请用 --month YYYY-MM 指定",
                        **where,
                    )
                ]
            )
    month = (from_title.month if from_title else None) or (from_name.month if from_name else None)
    year = (from_title.year if from_title else 0) or (from_name.year if from_name else 0)
    if not month or not year:
        missing = "月份" if not month else "年份"
        raise InputError(
            [
                Problem(
                    "month-unknown",
                    f"无法从表格标题或文件名确定数据的{missing}；"
                    "请用 --month YYYY-MM 指定（如 --month 2019-05）",
                    **where,
                )
            ]
        )
    if not 1 <= month <= 12:
        raise InputError([Problem("month-unknown", f"月份 {month} 无效", **where)])
    return Period(year, month)


def _resolve_year(grid: Grid, title: str, path: Path, explicit: Period | None) -> Period:
    """The year of annual data: --year, else the title (``2019年度…``), else the file name."""
    if explicit is not None:
        return Period(explicit.year, None)
    for found in (period_from_text(title) if title else None, period_from_filename(path)):
        if found is not None and found.year:
            return Period(found.year, None)
    raise InputError(
        [
            Problem(
                "year-unknown",
                "无法从表格标题或文件名确定数据的年份；请用 --year YYYY 指定（如 --year 2019）",
                file=grid.file,
                sheet=grid.sheet,
            )
        ]
    )


# --------------------------------------------------------------------------------------------
# Loading


def choose_sheet(grids: list[Grid], scheme: Scheme, sheet: str | None) -> tuple[Grid, HeaderLayout]:
    """The sheet to read: the one named, or the only one whose headers match the scheme."""
    file = grids[0].file if grids else ""
    names = "、".join(g.sheet for g in grids)
    if sheet is not None:
        chosen = next((g for g in grids if g.sheet == sheet), None)
        if chosen is None and sheet.isdigit() and 1 <= int(sheet) <= len(grids):
            chosen = grids[int(sheet) - 1]
        if chosen is None:
            raise InputError(
                [Problem("sheet-missing", f"没有名为“{sheet}”的工作表（现有：{names}）", file=file)]
            )
        if not chosen.rows:
            raise InputError([Problem("sheet-empty", "工作表为空", file=file, sheet=chosen.sheet)])
        layout = find_header(chosen, scheme)
        if layout is None:
            raise _no_header(chosen, scheme)
        return chosen, layout
    candidates: list[tuple[Grid, HeaderLayout]] = []
    for grid in grids:
        layout = find_header(grid, scheme)
        if layout is not None:
            candidates.append((grid, layout))
    if not candidates:
        if len(grids) == 1:
            if not grids[0].rows:
                raise InputError(
                    [Problem("sheet-empty", "工作表为空", file=file, sheet=grids[0].sheet)]
                )
            raise _no_header(grids[0], scheme)
        raise InputError(
            [
                Problem(
                    "sheet-none",
                    f"没有哪个工作表带有所需的表头（现有：{names}）；请用 --sheet 指定",
                    file=file,
                )
            ]
        )
    top = max(c[1].required_found for c in candidates)
    complete = [c for c in candidates if c[1].required_found == top]
    if len(complete) > 1:
        listed = "、".join(g.sheet for g, _ in complete)
        raise InputError(
            [
                Problem(
                    "sheet-ambiguous",
                    f"有多个工作表都像统计表（{listed}）；请用 --sheet 指定要读取的工作表",
                    file=file,
                )
            ]
        )
    return complete[0]


def _no_header(grid: Grid, scheme: Scheme) -> InputError:
    unit = next(f for f in scheme.fields.values() if f.type == "unit")
    word = scheme.units.words.unit  # also read as the unit column's header
    named = f"“{word}”" if word == unit.label else f"“{word}”（或“{unit.label}”）"
    return InputError(
        [
            Problem(
                "header-missing",
                f"在前 {HEADER_SEARCH_ROWS} 行中找不到表头（应有{named}列和数据列，"
                f"如 {'、'.join(f.label for f in scheme.data_fields[:4])}）",
                file=grid.file,
                sheet=grid.sheet,
            )
        ]
    )


def load_table(
    path: Path | str,
    scheme: Scheme,
    *,
    sheet: str | None = None,
    period: Period | None = None,
    allow_missing: bool = False,
) -> DataTable:
    """Read a statistics sheet for ``scheme``; raise InputError listing every problem found."""
    path = Path(path)
    grids = read_grids(path)
    grid, layout = choose_sheet(grids, scheme, sheet)
    return table_from_grid(grid, layout, scheme, path, period=period, allow_missing=allow_missing)


def table_from_grid(
    grid: Grid,
    layout: HeaderLayout,
    scheme: Scheme,
    path: Path,
    *,
    period: Period | None = None,
    allow_missing: bool = False,
    collect: list[Problem] | None = None,
) -> DataTable:
    """Turn a located header and the rows below it into a checked :class:`DataTable`.

    With ``collect`` (a list), errors in cells are appended to it instead of raised and the
    table holds whatever could be read (a record lacks the values that failed); a missing
    column or an unknown month still raises. ``validate`` and ``merge`` read this way.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    where: dict[str, Any] = {"file": grid.file, "sheet": grid.sheet}
    columns = layout.columns

    for fid, others in layout.duplicates.items():
        chosen, label = columns[fid], scheme.fields[fid].label
        duplicates = "、".join(f"{c.cell}（{c.header}）" for c in others)
        problems.append(
            Problem(
                "header-duplicate",
                f"表头重复：{chosen.cell}（{chosen.header}）与 {duplicates}都是“{label}”列，"
                "无法确定用哪一列；请删除或改名多余的列",
                cell=chosen.cell,
                header=chosen.header,
                field=fid,
                **where,
            )
        )
    for spec in scheme.fields.values():
        if spec.required and spec.id not in columns:
            accepted = "、".join(dict.fromkeys(spec.aliases))
            problems.append(
                Problem(
                    "column-missing",
                    f"找不到“{spec.label}”列（可接受的表头：{accepted}）",
                    field=spec.id,
                    header=None,
                    **where,
                )
            )
    if problems:
        raise InputError(problems)

    title_rows = [
        " ".join(cell_text(v) for v in grid.rows[r] if cell_text(v)) for r in range(layout.row)
    ]
    title = " ".join(t for t in title_rows if t)
    if scheme.kind == "annual":
        resolved = _resolve_year(grid, title, path, period)
    else:
        resolved = _resolve_period(grid, title, list(layout.texts.values()), path, period, warnings)

    unit_col = next(c for fid, c in columns.items() if scheme.fields[fid].type == "unit")
    data_fields = [
        f for f in scheme.fields.values() if f.type not in ("unit", "reported") and f.id in columns
    ]
    records: dict[str, Record] = {}
    total: Record | None = None
    subtotals: list[Subtotal] = []
    group: list[str] = []  # the units since the last subtotal row
    units = scheme.units
    for row in range(layout.row + layout.depth, len(grid.rows)):
        cells = grid.rows[row]
        texts = [cell_text(v) for v in cells]
        if not any(texts):
            continue
        label = cell_text(grid.value(row, unit_col.col))
        first_text = next((t for t in texts if t), "")
        if units.is_note(first_text) and (not label or units.is_note(label)):
            continue
        if not label and (units.is_total(first_text) or units.is_subtotal(first_text)):
            label = first_text  # 合计 written in the 序号 column (often merged over 区县)
        ref = cell_name(row, unit_col.col)
        if not label:
            if any(
                cell_text(grid.value(row, c.col)) for c in columns.values() if c is not unit_col
            ):
                problems.append(
                    Problem(
                        "county-blank",
                        f"该行有数据，但“{unit_col.header}”为空（应填写{units.words.unit}名称）",
                        cell=ref,
                        header=unit_col.header,
                        **where,
                    )
                )
            continue
        if units.is_ignored(label):
            continue
        is_total = units.is_total(label)
        # A subtotal (区县小计) is read like the 合计 row and never ranked; validate checks it.
        is_subtotal = not is_total and units.is_subtotal(label)
        if is_total or is_subtotal:
            county: str | None = "合计" if is_total else printable(label)
        else:
            county = units.resolve(label)
        if county is None:
            problems.append(
                Problem(
                    "county-unknown",
                    f"未知的{units.words.unit}“{label}”（应为：{'、'.join(units.names)}；"
                    f"其他写法请在单位表 {scheme.units.source} 中添加别名）",
                    cell=ref,
                    header=unit_col.header,
                    county=label,
                    **where,
                )
            )
            continue
        record = Record(county, label, row + 1)
        for spec in data_fields:
            column = columns[spec.id]
            value = grid.value(row, column.col)
            record.cells[spec.id] = cell_name(row, column.col)
            record.raw[spec.id] = value
            problem = read_value(record, spec, value, column, where)
            if problem is not None and not (is_total or is_subtotal):
                problems.append(problem)
        if is_subtotal:
            subtotals.append(Subtotal(record, tuple(group)))
            group = []
            continue
        if is_total:
            total = record
            continue
        for spec in data_fields:
            other = spec.not_below
            if (
                other
                and spec.id in record.values
                and other in record.values
                and record.values[spec.id] < record.values[other]
            ):
                o = columns[other]
                problems.append(
                    Problem(
                        "cumulative-below-month",
                        f"{columns[spec.id].header}（{shown(record.raw[spec.id])}）小于"
                        f"{o.header}（{record.cells[other]}={shown(record.raw[other])}），累计数不应小于当月数",
                        cell=record.cells[spec.id],
                        header=columns[spec.id].header,
                        field=spec.id,
                        county=county,
                        **where,
                    )
                )
        if county in records:
            first = records[county]
            problems.append(
                Problem(
                    "county-duplicate",
                    f"{units.words.unit}“{county}”重复出现"
                    f"（第 {first.row} 行与第 {record.row} 行）",
                    cell=ref,
                    header=unit_col.header,
                    county=county,
                    **where,
                )
            )
            continue
        records[county] = record
        group.append(county)

    missing = [name for name in units.names if name not in records]
    if missing and not allow_missing:
        problems.append(
            Problem(
                "county-missing",
                f"缺少{units.words.unit}：{'、'.join(missing)}"
                "（如确实未报送，可加 --allow-missing 只排名已有单位）",
                **where,
            )
        )
    if not records and not problems:
        problems.append(Problem("no-data", f"表头下方没有任何{units.words.unit}数据", **where))
    if problems:
        if collect is None:
            raise InputError(problems)
        collect.extend(problems)
    if missing and allow_missing:
        warnings.append(
            Problem(
                "county-absent",
                f"未报送，未参加排名：{'、'.join(missing)}",
                level="warning",
                **where,
            )
        )
    if scheme.year is not None and resolved.year != scheme.year:
        warnings.append(
            Problem(
                "scheme-year",
                f"数据为 {resolved.year} 年，规则“{scheme.name}”为 {scheme.year} 年方案，"
                "仍按此规则计算",
                level="warning",
                **where,
            )
        )
    ordered = [records[name] for name in units.names if name in records]
    return DataTable(
        file=grid.file,
        sheet=grid.sheet,
        period=resolved,
        records=ordered,
        columns=dict(columns),
        title=title,
        total=total,
        warnings=warnings,
        subtotals=subtotals,
    )
