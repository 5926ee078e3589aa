"""Loading a statistics sheet into unit records, as a scheme's fields describe them.

The loader finds the header row below any title rows (one header row, or two when a merged
group header such as 发明专利申请量 stands over 本月 | 累计 | 去年同期), maps headers to the
scheme's fields through their aliases, normalises unit names, leaves out the total row, blank
rows and notes, and reads numbers typed as text. Every problem is collected with its cell; a
sheet with errors raises :class:`InputError` holding all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from ipscore.numbers import NumberError, normalise_text, parse_count, parse_number, shown
from ipscore.problems import InputError, Problem
from ipscore.rules import FieldSpec, Scheme
from ipscore.sheets import Grid, cell_name, read_grids

HEADER_SEARCH_ROWS = 30
_YEAR = re.compile(r"(?<!\d)\d{4}年度?")
_MONTH_SPAN = re.compile(r"(?<!\d)\d{1,2}(?:[-~～至到—–－]\d{1,2})?月份?")
_BRACKET_UNIT = re.compile(r"\((?:件|%|个|项|次|家|条|万元|元|万人|人|户)\)")
_TITLE_PERIOD = re.compile(
    r"(?:(?<!\d)(\d{4})\s*年度?)?\s*(?:(?<!\d)(\d{1,2})\s*[-~～至到—–－]\s*)?(?<!\d)(\d{1,2})\s*月"
)
_TITLE_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")
_FILE_PERIOD = (
    re.compile(r"(?<!\d)(\d{4})\s*[-_.年]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(?!\d)"),
)


@dataclass(frozen=True, order=True)
class Period:
    """A data period: a year, and the month for monthly data (year-to-date months 1..month)."""

    year: int
    month: int | None = None

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def span_zh(self) -> str:
        """``2019年1-5月`` (``2019年1月`` for January, ``2019年`` for a year)."""
        if not self.month:
            return f"{self.year}年"
        return f"{self.year}年1月" if self.month == 1 else f"{self.year}年1-{self.month}月"

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2019-05`` → Period(2019, 5); raise ValueError otherwise."""
        match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(text)
        return cls(int(match.group(1)), int(match.group(2)))

    def previous(self) -> Period:
        if self.month is None:
            return Period(self.year - 1)
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)


@dataclass(frozen=True)
class Column:
    """Where a field was found: its column, header cell and header text as written."""

    field: str
    col: int
    cell: str
    header: str


@dataclass
class Record:
    """One unit's row: its values by field id and the cell each came from."""

    county: str
    label: str
    row: int
    values: dict[str, Fraction | int] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    raw: dict[str, object] = field(default_factory=dict)


@dataclass
class DataTable:
    """A loaded sheet: the units' records in canonical order and where everything came from."""

    file: str
    sheet: str
    period: Period
    records: list[Record]
    columns: dict[str, Column]
    title: str = ""
    total: Record | None = None
    warnings: list[Problem] = field(default_factory=list)

    def record(self, county: str) -> Record | None:
        return next((r for r in self.records if r.county == county), None)


# --------------------------------------------------------------------------------------------
# Headers


def header_key(text: str, last_year: int | None = None) -> str:
    """A header with spaces, full-width forms, a year, a month span and a unit bracket removed.

    ``last_year`` written in a header (``2018年1-5月累计`` in a 2019 sheet) becomes 上年, so the
    column still reads as last year's once the year itself is gone.
    """
    key = normalise_text(text)
    if last_year:
        key = key.replace(f"{last_year}年", "上年")
    key = _YEAR.sub("", key)
    key = _MONTH_SPAN.sub("", key)
    key = _BRACKET_UNIT.sub("", key)
    return key.replace("%", "").replace("()", "")


class _HeaderIndex:
    """Matches header texts to field ids: exact aliases first, then the longest contained alias."""

    def __init__(self, fields: dict[str, FieldSpec], last_year: int | None = None) -> None:
        self.last_year = last_year
        self.aliases: list[tuple[str, str]] = []
        self.excludes = {
            spec.id: tuple(normalise_text(word) for word in spec.excludes)
            for spec in fields.values()
        }
        for spec in fields.values():
            for alias in (*spec.aliases, spec.label):
                key = header_key(alias)
                if key:
                    self.aliases.append((key, spec.id))

    def match(self, text: str) -> tuple[int, str | None]:
        """(score, field id); field None when nothing matches or two fields match equally."""
        key = header_key(text, self.last_year)
        if not key:
            return 0, None
        best: dict[str, int] = {}
        for alias, fid in self.aliases:
            if any(word in key for word in self.excludes[fid]):
                continue
            if key == alias:
                score = 1000 + len(alias)
            elif len(alias) >= 2 and alias in key:
                score = len(alias)
            else:
                continue
            best[fid] = max(best.get(fid, 0), score)
        if not best:
            return 0, None
        ranked = sorted(best.items(), key=lambda item: -item[1])
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return ranked[0][1], None
        return ranked[0][1], ranked[0][0]


@dataclass
class _HeaderLayout:
    row: int  # first header row (0-based)
    depth: int  # 1 or 2 rows
    columns: dict[str, Column]
    texts: dict[int, str]  # col → header text as shown
    required_found: int
    found: int


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _is_numeric(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _layout(grid: Grid, row: int, depth: int, index: _HeaderIndex, scheme: Scheme) -> _HeaderLayout:
    width = grid.width
    best_for_field: dict[str, tuple[int, int]] = {}
    texts: dict[int, str] = {}
    for col in range(width):
        top = _text(grid.value(row, col))
        if not top:
            origin = grid.merged_origin(row, col)
            if origin is not None and origin[0] == row:
                top = _text(grid.value(*origin))
        candidates = [top]
        shown_text = top
        if depth == 2:
            bottom = _text(grid.value(row + 1, col))
            if bottom:
                if not top:
                    # No merge information (CSV): the group header is the nearest one to the left.
                    for left in range(col - 1, -1, -1):
                        top = _text(grid.value(row, left))
                        if top:
                            break
                candidates = [bottom, top + bottom] + ([top] if not bottom else [])
                shown_text = f"{top} {bottom}".strip()
        score, fid = 0, None
        for candidate in candidates:
            s, f = index.match(candidate)
            if f is not None and s > score:
                score, fid = s, f
        if shown_text:
            texts[col] = shown_text
        if fid is not None and score > best_for_field.get(fid, (0, -1))[0]:
            best_for_field[fid] = (score, col)
    columns = {
        fid: Column(fid, col, cell_name(row, col), texts.get(col, ""))
        for fid, (_, col) in best_for_field.items()
    }
    required = [f.id for f in scheme.fields.values() if f.required]
    return _HeaderLayout(
        row, depth, columns, texts, sum(1 for f in required if f in columns), len(columns)
    )


def _second_row_is_header(grid: Grid, row: int, scheme: Scheme) -> bool:
    cells = [grid.value(row + 1, c) for c in range(grid.width)]
    if not any(_text(v) for v in cells):
        return False
    for value in cells:
        if _is_numeric(value):
            return False
        text = _text(value)
        if text and (scheme.units.resolve(text) or scheme.units.is_total(text)):
            return False
        if text:
            try:
                parse_number(text)
                return False
            except NumberError:
                pass
    return True


def find_header(grid: Grid, scheme: Scheme) -> _HeaderLayout | None:
    """The best header layout in the first rows of a sheet, or None when no row looks like one."""
    years = [
        int(year)
        for row in grid.rows[:HEADER_SEARCH_ROWS]
        for value in row
        if isinstance(value, str)
        for year in _TITLE_YEAR.findall(normalise_text(value))
    ]
    index = _HeaderIndex(dict(scheme.fields), max(years) - 1 if years else None)
    unit_field = next(f.id for f in scheme.fields.values() if f.type == "unit")
    best: _HeaderLayout | None = None
    for row in range(min(HEADER_SEARCH_ROWS, len(grid.rows))):
        if not any(_text(v) for v in grid.rows[row]):
            continue
        depths = [1, 2] if _second_row_is_header(grid, row, scheme) else [1]
        for depth in depths:
            layout = _layout(grid, row, depth, index, scheme)
            if unit_field not in layout.columns or layout.found < 2:
                continue
            key = (layout.required_found, layout.found, -depth)
            if best is None or key > (best.required_found, best.found, -best.depth):
                best = layout
    return best


# --------------------------------------------------------------------------------------------
# The period


def period_from_text(text: str) -> Period | None:
    """``2019年1-5月…`` → 2019-05; a year alone → Period(year, None); None when absent."""
    compact = normalise_text(text)
    match = _TITLE_PERIOD.search(compact)
    if match and match.group(3) and 1 <= int(match.group(3)) <= 12:
        year_match = match.group(1) or (m.group(1) if (m := _TITLE_YEAR.search(compact)) else None)
        return Period(int(year_match) if year_match else 0, int(match.group(3)))
    year = _TITLE_YEAR.search(compact)
    return Period(int(year.group(1)), None) if year else None


def period_from_filename(path: Path) -> Period | None:
    name = normalise_text(path.stem)
    for pattern in _FILE_PERIOD:
        match = pattern.search(name)
        if match and 1 <= int(match.group(2)) <= 12 and 1990 <= int(match.group(1)) <= 2100:
            return Period(int(match.group(1)), int(match.group(2)))
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", name)
    if match and 1990 <= int(match.group(1)) <= 2100:
        return Period(int(match.group(1)), None)
    return None


def _resolve_period(
    grid: Grid,
    title: str,
    header_texts: list[str],
    path: Path,
    explicit: Period | None,
    warnings: list[Problem],
) -> Period:
    where = {"file": grid.file, "sheet": grid.sheet}
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


def choose_sheet(
    grids: list[Grid], scheme: Scheme, sheet: str | None
) -> tuple[Grid, _HeaderLayout]:
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
    candidates: list[tuple[Grid, _HeaderLayout]] = []
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
    return InputError(
        [
            Problem(
                "header-missing",
                f"在前 {HEADER_SEARCH_ROWS} 行中找不到表头（应有“{unit.label}”列和数据列，"
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
    layout: _HeaderLayout,
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
    where = {"file": grid.file, "sheet": grid.sheet}
    columns = layout.columns

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

    title_rows = [" ".join(_text(v) for v in grid.rows[r] if _text(v)) for r in range(layout.row)]
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
    units = scheme.units
    for row in range(layout.row + layout.depth, len(grid.rows)):
        cells = grid.rows[row]
        texts = [_text(v) for v in cells]
        if not any(texts):
            continue
        label = _text(grid.value(row, unit_col.col))
        first_text = next((t for t in texts if t), "")
        if units.is_note(first_text) and (not label or units.is_note(label)):
            continue
        if not label and units.is_total(first_text):
            label = first_text  # 合计 written in the 序号 column (often merged over 区县)
        ref = cell_name(row, unit_col.col)
        if not label:
            if any(_text(grid.value(row, c.col)) for c in columns.values() if c is not unit_col):
                problems.append(
                    Problem(
                        "county-blank",
                        f"该行有数据，但“{unit_col.header}”为空（应填写区县名称）",
                        cell=ref,
                        header=unit_col.header,
                        **where,
                    )
                )
            continue
        if units.is_ignored(label):
            continue
        is_total = units.is_total(label)
        county = "合计" if is_total else units.resolve(label)
        if county is None:
            problems.append(
                Problem(
                    "county-unknown",
                    f"未知的区县“{label}”（应为：{'、'.join(units.names)}；"
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
            problem = _read_value(record, spec, value, column, where)
            if problem is not None and not is_total:
                problems.append(problem)
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
                    f"区县“{county}”重复出现（第 {first.row} 行与第 {record.row} 行）",
                    cell=ref,
                    header=unit_col.header,
                    county=county,
                    **where,
                )
            )
            continue
        records[county] = record

    missing = [name for name in units.names if name not in records]
    if missing and not allow_missing:
        problems.append(
            Problem(
                "county-missing",
                f"缺少区县：{'、'.join(missing)}"
                "（如确实未报送，可加 --allow-missing 只排名已有单位）",
                **where,
            )
        )
    if not records and not problems:
        problems.append(Problem("no-data", "表头下方没有任何区县数据", **where))
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
    )


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


def _read_value(
    record: Record, spec: FieldSpec, value: object, column: Column, where: dict[str, str]
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
        }
        return Problem(
            f"value-{exc.kind}",
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
