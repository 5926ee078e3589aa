"""What ``ipscore tally`` writes: the month's statistics table and the review list of the
records that could not be attributed to a unit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from ipscore.render.statistics import statistics_view
from ipscore.render.table import BLANK, Cell, Column, Note, Table, number

if TYPE_CHECKING:
    import polars as pl

    from ipscore.tally.count import TallyResult


def ytd_header(result: TallyResult) -> str:
    month = result.period.month
    return "1月累计" if month == 1 else f"1-{month}月累计"


def notes(result: TallyResult) -> list[str]:
    """The footnote lines: the source, and what was not counted for any unit."""
    year = result.period.year
    names = "、".join(Path(f).name for f in result.files)
    lines = [f"数据由 ipscore tally 根据专利申请明细（{names}）按申请人地址归属统计。"]
    other_now = sum(v[0] for v in result.other_cities.values())
    other_last = sum(v[1] for v in result.other_cities.values())
    lost_now, lost_last = result.unattributed_counts
    lines.append(
        f"未计入各单位：{result.outside_label} {other_now} 件（{year - 1}年同期 {other_last} 件），"
        f"无法归属 {lost_now} 件（{year - 1}年同期 {lost_last} 件），明细见核对文件。"
    )
    return lines


def tally_view(result: TallyResult) -> Table:
    """The month's table, laid out like the bureau's sheet."""
    rows = [
        (
            r.unit,
            {
                "month_apps": r.month,
                "ytd_apps": r.ytd,
                "ytd_apps_last_year": r.last_year,
                "annual_target": r.target,
            },
        )
        for r in result.rows
    ]
    return statistics_view(result.period, rows, notes(result), result.words)


def write_table(result: TallyResult, path: Path) -> None:
    """Write the month's table to ``path`` atomically."""
    from ipscore.render.xlsx import write_xlsx

    write_xlsx(tally_view(result), path)


class _Rows(Sequence[Sequence[Cell]]):
    """The review records as rows of cells, built as they are read (the list can be long)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.numbers = [name == "行号" for name in frame.columns]

    def _row(self, values: tuple[Any, ...]) -> list[Cell]:
        return [
            (number(v) if is_number else Cell(v if type(v) is str else str(v)))
            if v is not None
            else BLANK
            for v, is_number in zip(values, self.numbers, strict=True)
        ]

    def __len__(self) -> int:
        return self.frame.height

    @overload
    def __getitem__(self, index: int) -> Sequence[Cell]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Sequence[Cell]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._row(v) for v in self.frame[index].iter_rows()]
        return self._row(self.frame.row(index))

    def __iter__(self) -> Iterator[Sequence[Cell]]:
        for values in self.frame.iter_rows(buffer_size=4096):
            yield self._row(values)


def review_view(result: TallyResult) -> Table:
    """The records not counted for any unit, with the reason, for a person to check."""
    frame = result.unattributed
    unit = result.words.unit
    columns = [
        Column(name, number=name == "行号", width=_REVIEW_WIDTHS.get(name, 12))
        for name in frame.columns
    ]
    return Table(
        title=f"{result.period.span_zh}无法归属到{unit}的发明专利申请（核对用）",
        columns=columns,
        rows=_Rows(frame),
        notes=[
            Note(
                f"以上记录未计入任何{unit}；请按“原因”核对申请人地址，必要时在归属规则中补充地名。"
            )
        ],
        subtitle=f"共 {frame.height} 条",
        sheet="无法归属",
    )


_REVIEW_WIDTHS = {"文件": 16, "行号": 7, "申请号": 18, "申请人": 24, "申请人地址": 36, "原因": 26}
REVIEW_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".md": "md"}


def review_path(output: Path) -> Path:
    """Where the unattributable records go by default: beside the table."""
    return output.with_name(f"{output.stem}.无法归属.csv")


def write_review(result: TallyResult, path: Path) -> None:
    """The review list, atomically: CSV (UTF-8 with BOM, opens in Excel), or xlsx / md by name."""
    from ipscore.render.output import write

    write(review_view(result), REVIEW_FORMATS.get(path.suffix.lower(), "csv"), path)
