"""From application lists (专利申请明细) to the monthly table: ``ipscore tally`` end to end.

One lazy Polars query per list: parse 申请日 and 专利类型, keep the invention applications of
the year-to-date window (and of last year's same period) together with every row whose date or
type cannot be read, attribute the kept rows by address (:mod:`ipscore.tally.attribution`), collect
with the streaming engine. A row with a bad date or type stops the tally (exit 2): it might
have belonged to the window. Records of other cities are counted apart; records that cannot be
attributed are counted, sampled and written to a review file, never dropped silently.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipscore.base.period import Period
from ipscore.base.problems import InputError, Problem
from ipscore.rules.targets import Targets
from ipscore.rules.units import CITY_WORDS, Words
from ipscore.tally.attribution import COLUMN_LABELS, AttributionRules, attribute
from ipscore.tally.records import RecordSource, open_records

if TYPE_CHECKING:
    import polars as pl

EXAMPLES = 3
SAMPLE = 5

Stage = Callable[[str], None]


@dataclass(frozen=True)
class UnitCount:
    unit: str
    month: int
    ytd: int
    last_year: int
    target: int | None  # None: not filled in yet (the targets template)


@dataclass
class TallyResult:
    """The month's counts per unit, and everything that was not counted for a unit."""

    period: Period
    rows: list[UnitCount]
    other_cities: dict[str, tuple[int, int]]  # city → (this year's ytd, last year's)
    unattributed: pl.DataFrame  # the review rows, in the review file's columns
    unattributed_counts: tuple[int, int]  # (this year's ytd, last year's)
    files: list[str]
    warnings: list[Problem] = field(default_factory=list)
    outside_label: str = "外市"  # 外省 when the units are a province's cities
    words: Words = CITY_WORDS  # what the units are called (区县, 市): the units file's words

    @property
    def totals(self) -> UnitCount:
        return UnitCount(
            "合计",
            sum(r.month for r in self.rows),
            sum(r.ytd for r in self.rows),
            sum(r.last_year for r in self.rows),
            None
            if any(r.target is None for r in self.rows)
            else sum(r.target or 0 for r in self.rows),
        )


@dataclass(frozen=True)
class Windows:
    """Inclusive date windows of a month's table."""

    month_start: dt.date
    ytd_start: dt.date
    ytd_end: dt.date
    last_start: dt.date
    last_end: dt.date

    @classmethod
    def of(cls, period: Period) -> Windows:
        assert period.month is not None
        year, month = period.year, period.month
        end = calendar.monthrange(year, month)[1]
        last_end = calendar.monthrange(year - 1, month)[1]
        return cls(
            dt.date(year, month, 1),
            dt.date(year, 1, 1),
            dt.date(year, month, end),
            dt.date(year - 1, 1, 1),
            dt.date(year - 1, month, last_end),
        )


def _query(
    source: RecordSource,
    rules: AttributionRules,
    windows: Windows,
    *,
    this_year: bool,
    last_year: bool,
) -> pl.LazyFrame:
    """The rows that count: cheap predicates first (pushed into the scan), then the date
    parsing and the type on the survivors only. Collected with the streaming engine, it holds
    only those rows; they are attributed afterwards in one batch (the address matcher is built
    once, not once per streamed chunk)."""
    import polars as pl

    from ipscore.tally.window import (
        date_prefilter,
        day_expr,
        kind_from_number,
        kind_from_type,
        type_prefilter,
    )

    frame = source.frame
    dtype = frame.collect_schema()["date"]
    by_number = "type" not in source.headers
    spans = []
    if this_year:
        spans.append((windows.ytd_start, windows.ytd_end))
    if last_year:
        spans.append((windows.last_start, windows.last_end))
    kind_column = "number" if by_number else "type"
    blank = pl.all_horizontal(
        [
            pl.col(c).is_null() | (pl.col(c).cast(pl.String).str.strip_chars() == "")
            for c in ("date", kind_column, "address")
        ]
    )
    types = rules.invention_types, rules.other_types
    kind = kind_from_number() if by_number else kind_from_type(*types)
    date = pl.col("day")
    false = pl.lit(False)
    frame = (
        frame.filter(date_prefilter(dtype, spans) & type_prefilter(*types, by_number))
        .filter(~blank)
        .with_columns(day=day_expr(dtype), kind=kind)
        .with_columns(
            in_ytd=date.is_between(windows.ytd_start, windows.ytd_end) if this_year else false,
            in_month=date.is_between(windows.month_start, windows.ytd_end) if this_year else false,
            in_last=date.is_between(windows.last_start, windows.last_end) if last_year else false,
        )
        .filter(
            pl.col("day").is_null()
            | pl.col("kind").is_null()
            | ((pl.col("kind") == "发明") & (pl.col("in_ytd") | pl.col("in_last")))
        )
    )
    if source.kind == "csv":
        # New strings for the kept rows: a filtered text column read from CSV would otherwise
        # keep the whole buffer of every chunk it was read in alive.
        texts = ["number", "type", "applicant", "address"] + (
            ["date"] if dtype == pl.String else []
        )
        frame = frame.with_columns(pl.concat_str([pl.col(c), pl.lit("")]) for c in texts)
    return frame


def _shown(value: object) -> str:
    from ipscore.base.numbers import shown

    return "（空）" if value is None or str(value).strip() == "" else f"“{shown(value)}”"


def _check(data: pl.DataFrame, source: RecordSource, rules: AttributionRules) -> None:
    import polars as pl

    where: dict[str, Any] = {"file": source.file, "sheet": source.sheet}
    noun = "记录" if source.kind == "parquet" else "行"
    problems: list[Problem] = []
    from ipscore.tally.window import NUMBER_EXPECTED

    by_number = "type" not in source.headers
    type_check = (
        ("number", "kind", NUMBER_EXPECTED)
        if by_number
        else (
            "type",
            "kind",
            f"应为 {'、'.join(rules.invention_types[:1] + rules.other_types)} 之一",
        )
    )
    for column, flag, expected in (("date", "day", "应为 2019-05-12 这样的日期"), type_check):
        bad = data.filter(pl.col(flag).is_null())
        if bad.is_empty():
            continue
        header = source.headers.get(column, COLUMN_LABELS[column])
        examples = "，".join(
            f"第 {row} {noun}{_shown(value)}"
            for row, value in bad.select("row", column).head(EXAMPLES).iter_rows()
        )
        what = {"date": "为空或不是日期", "type": "为空或无法识别"}.get(
            column, "为空、格式不对或校验位不符"
        )
        more = "…" if bad.height > EXAMPLES else ""
        problems.append(
            Problem(
                {"date": "date-invalid", "type": "type-invalid"}.get(column, "number-invalid"),
                f"有 {bad.height} {noun}的“{header}”{what}（{examples}{more}）；{expected}",
                header=header,
                field=column,
                **where,
            )
        )
    if problems:
        raise InputError(problems)


def tally(
    records: Path | str | Sequence[Path | str],
    period: Period,
    rules: AttributionRules,
    targets: Targets,
    *,
    last_year: Path | str | None = None,
    stage: Stage | None = None,
) -> TallyResult:
    """Count a month's invention applications per unit from application lists.

    ``records`` is one list, several, or folders of them (yearly exports of a decade); an
    application repeated across them counts once. Without ``last_year`` the same lists give last
    year's same period. ``stage`` is told what is being done (for a progress display).
    """
    import polars as pl

    from ipscore.tally.records import expand_inputs

    say = stage or (lambda _text: None)
    windows = Windows.of(period)
    inputs = expand_inputs(records)
    jobs = [(path, True, last_year is None) for path in inputs]
    if last_year is not None:
        jobs.append((Path(last_year), False, True))
    frames: list[pl.DataFrame] = []
    warnings: list[Problem] = []
    files: list[str] = []
    for path, this_year, last in jobs:
        say(f"读取并归属 {path.name}")
        source = open_records(path, rules)
        try:
            kept = _query(source, rules, windows, this_year=this_year, last_year=last).collect(
                engine="streaming"
            )
            data = attribute(kept.lazy(), rules).collect()
            del kept
        except InputError:
            raise
        except pl.exceptions.NoDataError:
            raise InputError(
                [Problem("no-data", "表头下方没有任何记录", file=source.file, sheet=source.sheet)]
            ) from None
        except pl.exceptions.PolarsError as exc:
            raise InputError(
                [
                    Problem(
                        "file-damaged",
                        f"读取时出错（{str(exc).splitlines()[0][:160]}）",
                        file=source.file,
                    )
                ]
            ) from None
        finally:
            source.close()
        _check(data, source, rules)
        if len(inputs) == 1 or not this_year:
            check_windows(data, source, period, this_year=this_year, last_year=last)
        data, repeated = _first_of_each_number(data, source)
        warnings.extend(repeated)
        frames.append(data.with_columns(file=pl.lit(path.name), _job=pl.lit(len(frames))))
        files.append(str(path))

    say("汇总")
    data = pl.concat(frames, how="vertical_relaxed")
    if len(inputs) > 1:
        joined = RecordSource("、".join(p.name for p in inputs), None, pl.LazyFrame(), {}, "")
        ours = data.filter(pl.col("_job") < len(inputs))
        check_windows(ours, joined, period, this_year=True, last_year=last_year is None)
    data, repeated = _once_across_files(data)
    warnings.extend(repeated)
    counted = data.filter(pl.col("unit").is_not_null())
    by_unit = {
        unit: (month, ytd, last)
        for unit, month, ytd, last in counted.group_by("unit")
        .agg(pl.col("in_month").sum(), pl.col("in_ytd").sum(), pl.col("in_last").sum())
        .iter_rows()
    }
    rows = [
        UnitCount(name, *by_unit.get(name, (0, 0, 0)), targets.values.get(name))
        for name in rules.unit_names
    ]
    others = {
        city: (ytd, last)
        for city, ytd, last in data.filter(pl.col("other_city").is_not_null())
        .group_by("other_city")
        .agg(pl.col("in_ytd").sum(), pl.col("in_last").sum())
        .sort("other_city")
        .iter_rows()
    }
    lost = data.filter(pl.col("reason").is_not_null())
    review = lost.select(
        统计期=pl.when(pl.col("in_ytd"))
        .then(pl.lit(f"{period.year}年"))
        .otherwise(pl.lit(f"{period.year - 1}年同期")),
        文件=pl.col("file"),
        行号=pl.col("row"),
        申请号=pl.col("number"),
        申请日=pl.col("day"),
        专利类型=pl.col("type"),
        申请人=pl.col("applicant"),
        申请人地址=pl.col("address"),
        原因=pl.col("reason").replace_strict(rules.reasons(), return_dtype=pl.String),
        识别到的地名=pl.col("places").list.join("、"),
    )
    counts = (int(lost["in_ytd"].sum()), int(lost["in_last"].sum()))
    warnings.extend(targets.warnings())
    return TallyResult(
        period,
        rows,
        others,
        review,
        counts,
        files,
        warnings,
        rules.outside_label,
        rules.unit_list.words,
    )


def _first_of_each_number(
    data: pl.DataFrame, source: RecordSource
) -> tuple[pl.DataFrame, list[Problem]]:
    """Count an application once: a list may repeat a 申请号 (one row per co-applicant). The
    first row counts (its applicant is the first applicant); the repeats are reported."""
    import polars as pl

    if not data["row"].is_sorted():  # the scan keeps the file's order: usually no sort at all
        data = data.sort("row")
    number = pl.col("number")
    first = number.is_null() | number.is_first_distinct()
    repeated = data.filter(~first)
    if repeated.is_empty():
        return data, []
    row, shown = repeated.select("row", "number").row(0)
    noun = "条记录" if source.kind == "parquet" else "行"
    header = source.headers.get("number", COLUMN_LABELS["number"])
    warning = Problem(
        "number-repeated",
        f"{repeated.height} {noun}的“{header}”与前面重复（如第 {row} {noun[-1]} {shown}），"
        "每件申请只按第一次出现计一次",
        level="warning",
        file=source.file,
        sheet=source.sheet,
        header=header,
    )
    return data.filter(first), [warning]


def _once_across_files(data: pl.DataFrame) -> tuple[pl.DataFrame, list[Problem]]:
    """An application in two lists (overlapping exports) counts once, in the first list."""
    import polars as pl

    if data["_job"].n_unique() < 2:
        return data.drop("_job"), []
    number = pl.col("number")
    data = data.sort("_job", "row", maintain_order=True)
    first = number.is_null() | number.is_first_distinct()
    repeated = data.filter(~first)
    data = data.filter(first).drop("_job")
    if repeated.is_empty():
        return data, []
    file, row, shown = repeated.select("file", "row", "number").row(0)
    warning = Problem(
        "number-repeated",
        f"{repeated.height} 条记录的申请号在前面的文件中已出现（如 {file} 第 {row} 行 {shown}），"
        "每件申请只计一次",
        level="warning",
        file=file,
    )
    return data, [warning]


def check_windows(
    data: pl.DataFrame, source: RecordSource, period: Period, *, this_year: bool, last_year: bool
) -> None:
    where: dict[str, Any] = {"file": source.file, "sheet": source.sheet}
    if this_year and not data["in_ytd"].any():
        raise InputError(
            [
                Problem(
                    "no-records",
                    f"没有 {period.span_zh} 的发明专利申请记录；请检查 --month 或文件",
                    **where,
                )
            ]
        )
    if last_year and not data["in_last"].any():
        last = Period(period.year - 1, period.month)
        hint = "请用 --last-year 指定去年的申请明细" if this_year else "请检查 --last-year 文件"
        raise InputError(
            [
                Problem(
                    "no-last-year",
                    f"没有去年同期（{last.span_zh}）的发明专利申请记录；{hint}",
                    **where,
                )
            ]
        )
