"""Reading an application list (专利申请明细) as a Polars LazyFrame with canonical columns.

xlsx/xlsm/xls/ods/xlsb are read with fastexcel (calamine, Rust): every used column as text, so a
date typed as text beyond the type-inference sample is never silently turned into null. CSV and
Parquet are scanned lazily (``scan_csv`` / ``scan_parquet``), so only the used columns are read
and filters are pushed down. The header may sit under a few title rows. The result has the
columns ``row`` (the row number a person sees: sheet row, CSV line, or record number), and
``number``, ``date``, ``type``, ``applicant``, ``address`` (null when the list has no such
column; ``date`` is text, or a Date for a Parquet date column).

The list is opened once as a regular file and measured before any reader builds anything from
it (:mod:`ipscore.base.bounds`, limits :data:`~ipscore.base.bounds.LIST`: a workbook's rows,
columns and cells, a CSV's bytes and the width of its first lines, a Parquet file's bytes); the
readers then read that same opened file, which :meth:`RecordSource.close` closes.
"""

from __future__ import annotations

import codecs
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipscore.base.bounds import (
    LIST,
    OLE_MAGIC,
    ZIP_MAGIC,
    InputFile,
    check_file,
    check_size,
    open_input,
)
from ipscore.base.bounds import text as csv_text
from ipscore.base.numbers import normalise_text
from ipscore.base.problems import InputError, Problem
from ipscore.tally.attribution import COLUMN_IDS, COLUMN_LABELS, REQUIRED_COLUMNS, AttributionRules

if TYPE_CHECKING:
    import polars as pl


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv", ".parquet")
HEADER_SEARCH_ROWS = 10


@dataclass
class RecordSource:
    """An opened application list: the lazy frame and where its columns came from."""

    file: str
    sheet: str | None
    frame: pl.LazyFrame
    headers: dict[str, str]  # column id → header as written
    kind: str  # "xlsx", "csv" or "parquet"
    temp: Path | None = None  # a UTF-8 copy of a GB18030 CSV, removed by close()
    opened: InputFile | None = None  # the list as opened (the frame reads it), closed by close()

    def close(self) -> None:
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)
        if self.opened is not None:
            self.opened.close()


def _bad(path: Path, code: str, message: str, sheet: str | None = None) -> InputError:
    return InputError([Problem(code, message, file=str(path), sheet=sheet)])


def _match_headers(texts: list[object], rules: AttributionRules) -> dict[str, int]:
    """Column id → position, for the headers of one row."""
    wanted = {normalise_text(a): cid for cid in COLUMN_IDS for a in rules.columns[cid]}
    found: dict[str, int] = {}
    for position, text in enumerate(texts):
        if text is None:
            continue
        cid = wanted.get(normalise_text(str(text)))
        if cid is not None and cid not in found:
            found[cid] = position
    return found


def _missing_message(found: dict[str, int], rules: AttributionRules) -> str:
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    parts = [f"“{COLUMN_LABELS[c]}”（可接受：{'、'.join(rules.columns[c])}）" for c in missing]
    return f"找不到{'、'.join(parts)}列；申请明细应有 申请日、专利类型、申请人地址 等列"


def _find_header(rows: list[list[object]], rules: AttributionRules) -> tuple[int, dict[str, int]]:
    """(header row index, column positions); the row with the most required columns."""
    best: tuple[int, dict[str, int]] = (-1, {})
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _match_headers(row, rules)
        if all(c in found for c in REQUIRED_COLUMNS):
            return index, found
        if len(found) > len(best[1]):
            best = (index, found)
    return -1, best[1]


def open_records(path: Path | str, rules: AttributionRules) -> RecordSource:
    """Open an application list; raise InputError with one clear line when it is no such list."""
    path = Path(path)
    file = open_input(path, "申请明细文件")
    try:
        source = _open(file, rules)
    except BaseException:
        file.close()
        raise
    source.opened = file
    return source


def _open(file: InputFile, rules: AttributionRules) -> RecordSource:
    path = file.path
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise _bad(
            path, "file-not-table", f"不是可识别的申请明细文件（应为 {'、'.join(SUFFIXES)}）"
        )
    head = file.head(8)
    if not head:
        raise _bad(path, "file-empty", "文件为空（0 字节）")
    check_size(file, LIST)
    if suffix == ".csv":
        return _open_csv(file, rules)
    if suffix == ".parquet":
        if not head.startswith(b"PAR1"):
            raise _bad(path, "file-not-table", "扩展名是 .parquet，但内容不是 Parquet 文件")
        return _open_parquet(file, rules)
    if not (head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC)):
        raise _bad(path, "file-not-table", f"扩展名是 {suffix}，但内容不是 Excel/ODS 工作簿")
    check_file(file, LIST)
    return _open_workbook(file, rules)


def _select(frame: pl.LazyFrame, names: dict[str, str], first_row: int) -> pl.LazyFrame:
    """Canonical columns from the source's column names (missing optional ones are null)."""
    import polars as pl

    frame = frame.with_row_index("row", offset=first_row)
    columns = [pl.col("row")]
    for cid in COLUMN_IDS:
        if cid in names:
            expr = pl.col(names[cid])
            columns.append(expr.alias(cid) if cid == "date" else expr.cast(pl.String).alias(cid))
        else:
            columns.append(pl.lit(None, dtype=pl.String).alias(cid))
    return frame.select(columns)


def _open_workbook(file: InputFile, rules: AttributionRules) -> RecordSource:
    import fastexcel

    path = file.path
    try:
        reader = fastexcel.read_excel(file.reader_path)
        sheet_names = reader.sheet_names
    except BaseException as exc:  # fastexcel's own error types, or a panic: a damaged file
        if not _is_reader_error(exc):
            raise
        raise _bad(
            path, "file-damaged", f"文件已损坏或无法作为工作簿打开（{_short(exc)}）"
        ) from None
    wanted = {normalise_text(a): cid for cid in COLUMN_IDS for a in rules.columns[cid]}
    best: tuple[str, dict[str, int]] | None = None
    for name in sheet_names:
        # Calamine parses a whole sheet on every load, so the common case (the header on the
        # first row) is read in one pass: the columns are chosen by their header names.
        chosen: dict[str, int] = {}

        def pick(column: object, chosen: dict[str, int] = chosen) -> bool:
            cid = wanted.get(normalise_text(str(getattr(column, "name", ""))))
            if cid is None or cid in chosen:
                return False
            chosen[cid] = int(getattr(column, "index", -1))
            return True

        try:
            data = reader.load_sheet(name, use_columns=pick, dtypes="string").to_polars()
        except BaseException as exc:
            if not _is_reader_error(exc):
                raise
            data = None
        if data is not None and all(c in chosen for c in REQUIRED_COLUMNS):
            return _from_frame(path, name, data, chosen, 0)
        # A title above the header: find the header in the first rows, then read again.
        try:
            sniff = reader.load_sheet(
                name, header_row=None, n_rows=HEADER_SEARCH_ROWS, dtypes="string"
            ).to_polars()
        except BaseException as exc:
            if not _is_reader_error(exc):
                raise
            continue
        header, found = _find_header([list(r) for r in sniff.rows()], rules)
        if header >= 0:
            return _load_sheet(path, reader, name, header, found)
        if best is None or len(found) > len(best[1]):
            best = (name, found)
    message = _missing_message(best[1] if best else {}, rules)
    raise _bad(path, "header-missing", f"在前 {HEADER_SEARCH_ROWS} 行中{message}", None)


def _load_sheet(
    path: Path, reader: object, sheet: str, header: int, found: dict[str, int]
) -> RecordSource:
    positions = sorted(found.values())
    try:
        loaded = reader.load_sheet(  # type: ignore[attr-defined]
            sheet,
            header_row=header,
            use_columns=positions,
            dtypes={p: "string" for p in positions},
        )
        data = loaded.to_polars()
    except BaseException as exc:
        if not _is_reader_error(exc):
            raise
        raise _bad(path, "file-damaged", f"读取工作表时出错（{_short(exc)}）", sheet) from None
    return _from_frame(path, sheet, data, found, header)


def _from_frame(
    path: Path, sheet: str, data: pl.DataFrame, found: dict[str, int], header: int
) -> RecordSource:
    """The canonical frame of a loaded sheet whose columns are the found ones, in sheet order."""
    positions = sorted(found.values())
    names = {cid: data.columns[positions.index(pos)] for cid, pos in found.items()}
    headers = {cid: str(names[cid]) for cid in found}
    # The header is sheet row header+1 (1-based); data starts on the row below.
    frame = _select(data.lazy(), names, header + 2)
    return RecordSource(str(path), sheet, frame, headers, "xlsx")


def _open_csv(file: InputFile, rules: AttributionRules) -> RecordSource:
    import polars as pl

    path = file.path
    # The first lines' width, counted before Polars builds a schema from them (one line of
    # 150 MB of commas would be 150 million columns). Delimiters and line ends are ASCII, and
    # never part of a UTF-8 or GB18030 character, so the bytes are counted as latin-1.
    for _ in csv_text.records(
        file, LIST, encoding="latin_1", delimiter=",", first=HEADER_SEARCH_ROWS + 1
    ):
        pass
    source, temp = file.reader_path, None
    sample = file.head(1 << 20)
    try:
        # A cut multi-byte character at the end of the sample is not an encoding error.
        codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
    except UnicodeDecodeError:
        temp = _transcode(file)
        source = str(temp)
    try:
        sniff = pl.read_csv(
            source,
            has_header=False,
            n_rows=HEADER_SEARCH_ROWS,
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except Exception as exc:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise _bad(path, "file-not-table", f"无法按 CSV 读取（{_short(exc)}）") from None
    rows = [[_strip_bom(v) for v in r] for r in sniff.rows()]
    header, found = _find_header(rows, rules)
    if header < 0:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise _bad(
            path,
            "header-missing",
            f"在前 {HEADER_SEARCH_ROWS} 行中{_missing_message(found, rules)}",
        )
    headers = {cid: str(rows[header][pos]) for cid, pos in found.items()}
    names = {cid: f"column_{pos}" for cid, pos in found.items()}
    frame = pl.scan_csv(
        source,
        has_header=False,
        skip_rows=header + 1,
        infer_schema=False,
        truncate_ragged_lines=True,
    )
    return RecordSource(str(path), None, _select(frame, names, header + 2), headers, "csv", temp)


def _strip_bom(value: object) -> object:
    return value.lstrip("\ufeff") if isinstance(value, str) else value


def _transcode(file: InputFile) -> Path:
    """A UTF-8 copy of a GB18030 (GBK) CSV, written in chunks."""
    decoder = codecs.getincrementaldecoder("gb18030")()
    # Not a context manager: the file must outlive this function (RecordSource.close removes it).
    handle = tempfile.NamedTemporaryFile(prefix="ipscore-", suffix=".csv", delete=False)  # noqa: SIM115
    try:
        with file.open() as source, handle:
            while chunk := source.read(1 << 24):
                handle.write(decoder.decode(chunk).encode("utf-8"))
            handle.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError:
        Path(handle.name).unlink(missing_ok=True)
        raise _bad(
            file.path, "file-encoding", "无法识别文本编码（应为 UTF-8 或 GB18030/GBK）"
        ) from None
    return Path(handle.name)


def _open_parquet(file: InputFile, rules: AttributionRules) -> RecordSource:
    import polars as pl

    path = file.path
    try:
        frame = pl.scan_parquet(file.reader_path)
        schema = frame.collect_schema()
    except Exception as exc:
        raise _bad(path, "file-damaged", f"无法按 Parquet 读取（{_short(exc)}）") from None
    found = _match_headers(list(schema.names()), rules)
    if not all(c in found for c in REQUIRED_COLUMNS):
        raise _bad(path, "header-missing", _missing_message(found, rules))
    names = {cid: schema.names()[pos] for cid, pos in found.items()}
    date_type = schema[names["date"]]
    if not (date_type == pl.Date or date_type == pl.Datetime or date_type == pl.String):
        frame = frame.with_columns(pl.col(names["date"]).cast(pl.String))
    # Records are numbered from 1 (a Parquet file has no sheet rows).
    return RecordSource(str(path), None, _select(frame, names, 1), dict(names), "parquet")


def _is_reader_error(exc: BaseException) -> bool:
    """An error a reader raises for a bad file: an exception, or a Rust panic (pyo3 raises
    those as BaseException)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
