"""The month history: an embedded SQLite store of every scored month.

Each time ``rank`` or ``notice`` scores a month its rows are recorded here, replacing that
month's earlier rows in one transaction (a corrected file is a correction, not a duplicate).
The previous month's stored ranks give ``rank_change`` without ``--prev``.

Concurrency: the store runs in WAL mode with a busy timeout, and every write starts with
``BEGIN IMMEDIATE``, so two processes writing at once wait for each other instead of failing
or corrupting the file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ipscore.base.numbers import round_to
from ipscore.base.period import Period
from ipscore.intake.model import DataTable, Record
from ipscore.scoring.score import Ranking

DEFAULT_DB = "ipscore.db"
ENV_DB = "IPSCORE_DB"
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS months (
    month TEXT PRIMARY KEY,
    scheme TEXT NOT NULL,
    source TEXT NOT NULL,
    units INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scores (
    month TEXT NOT NULL REFERENCES months(month),
    county TEXT NOT NULL,
    position INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    score TEXT NOT NULL,
    month_apps INTEGER,
    ytd_apps INTEGER,
    ytd_apps_last_year INTEGER,
    annual_target INTEGER,
    growth_pct TEXT,
    completion_pct TEXT,
    rank_change INTEGER,
    PRIMARY KEY (month, county)
);
"""


class StoreError(Exception):
    """The history store cannot be opened, read or written (disk, permissions, corruption)."""


def db_path(option: Path | str | None = None) -> Path:
    """The store's path: ``--db``, else ``$IPSCORE_DB``, else ``ipscore.db`` here."""
    if option:
        return Path(option)
    env = os.environ.get(ENV_DB)
    return Path(env) if env else Path(DEFAULT_DB)


@dataclass(frozen=True)
class MonthInfo:
    month: str
    scheme: str
    source: str
    units: int
    recorded_at: str
    leader: str


@dataclass(frozen=True)
class RankPoint:
    month: str
    rank: int
    score: str
    rank_change: int | None


def _retry(call: Callable[[], None]) -> None:
    """Run ``call``, retrying while the store is locked, up to the busy timeout.

    SQLite waits on its own for most locks, but a few (switching a new file to WAL, an upgrade
    from a read lock that would deadlock) report "database is locked" at once; those are
    retried here after a short pause. The transaction in ``call`` was rolled back or never
    began, so running it again is safe.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            call()
            return
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if ("locked" not in message and "busy" not in message) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Store:
    """One connection to the history store; use as a context manager."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = db_path(path)
        try:
            self.conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _retry(self._setup)
        except sqlite3.Error as exc:
            raise StoreError(f"无法打开历史库 {self.path}：{exc}") from None

    def _setup(self) -> None:
        # WAL is a property of the file: set once, by whichever process creates the store.
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")
        with self._write() as conn:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so
        # a transaction never fails half-way because another writer got there first.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def record(self, ranking: Ranking) -> None:
        """Store a scored month, replacing whatever was stored for that month."""
        month = str(ranking.period)
        decimals, mode = ranking.scheme.decimals, ranking.scheme.rounding

        def text(value: Any) -> str | None:
            return None if value is None else str(round_to(value, decimals, mode))

        def count(value: Any) -> int | None:
            return None if value is None else int(value)

        rows = []
        for position, row in enumerate(ranking.rows, start=1):
            values = row.record.values
            rows.append(
                (
                    month,
                    row.county,
                    position,
                    row.rank,
                    text(row.score),
                    count(values.get("month_apps")),
                    count(values.get("ytd_apps")),
                    count(values.get("ytd_apps_last_year")),
                    count(values.get("annual_target")),
                    text(row.derived.get("growth_pct")),
                    text(row.derived.get("completion_pct")),
                    row.rank_change,
                )
            )
        recorded = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

        def replace() -> None:
            with self._write() as conn:
                conn.execute("DELETE FROM scores WHERE month = ?", (month,))
                conn.execute("DELETE FROM months WHERE month = ?", (month,))
                conn.execute(
                    "INSERT INTO months VALUES (?, ?, ?, ?, ?)",
                    (month, ranking.scheme.name, ranking.table.file, len(rows), recorded),
                )
                conn.executemany(
                    "INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
                )

        try:
            _retry(replace)
        except sqlite3.Error as exc:
            raise StoreError(f"无法写入历史库 {self.path}：{exc}") from None

    def ranks(self, period: Period, scheme: str | None = None) -> dict[str, int] | None:
        """The stored ranks of a month by unit, or None when the month is not stored (or was
        scored under a scheme other than ``scheme``, when one is given)."""
        try:
            found = self.conn.execute(
                "SELECT scheme FROM months WHERE month = ?", (str(period),)
            ).fetchone()
            if not found or (scheme is not None and found[0] != scheme):
                return None
            cursor = self.conn.execute(
                "SELECT county, rank FROM scores WHERE month = ?", (str(period),)
            )
            return dict(cursor.fetchall())
        except sqlite3.Error as exc:
            raise StoreError(f"无法读取历史库 {self.path}：{exc}") from None

    def table(self, period: Period) -> DataTable | None:
        """The stored counts of a month as a :class:`DataTable` whose sheet is 历史库."""
        try:
            found = self.conn.execute(
                "SELECT source FROM months WHERE month = ?", (str(period),)
            ).fetchone()
            if not found:
                return None
            cursor = self.conn.execute(
                "SELECT county, month_apps, ytd_apps, ytd_apps_last_year, annual_target"
                " FROM scores WHERE month = ? ORDER BY position",
                (str(period),),
            )
            records = []
            for county, *counts in cursor.fetchall():
                fields = ("month_apps", "ytd_apps", "ytd_apps_last_year", "annual_target")
                values = {f: v for f, v in zip(fields, counts, strict=True) if v is not None}
                records.append(Record(county, county, 0, values))
        except sqlite3.Error as exc:
            raise StoreError(f"无法读取历史库 {self.path}：{exc}") from None
        return DataTable(found[0], "历史库", period, records, {})

    def months(self) -> list[MonthInfo]:
        """Every stored month, oldest first, with the unit ranked first."""
        try:
            cursor = self.conn.execute(
                "SELECT m.month, m.scheme, m.source, m.units, m.recorded_at,"
                " (SELECT group_concat(county, '、') FROM"
                "   (SELECT county FROM scores s WHERE s.month = m.month AND s.rank = 1"
                "    ORDER BY position))"
                " FROM months m ORDER BY m.month"
            )
            return [MonthInfo(*row[:5], leader=row[5] or "") for row in cursor.fetchall()]
        except sqlite3.Error as exc:
            raise StoreError(f"无法读取历史库 {self.path}：{exc}") from None

    def trend(self, county: str | None = None) -> dict[str, list[RankPoint]]:
        """Each unit's rank month by month, units in the latest month's rank order."""
        query = (
            "SELECT s.county, s.month, s.rank, s.score, s.rank_change FROM scores s"
            " ORDER BY s.month, s.position"
        )
        try:
            rows = self.conn.execute(query).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"无法读取历史库 {self.path}：{exc}") from None
        series: dict[str, list[RankPoint]] = {}
        latest: dict[str, tuple[str, int]] = {}
        for unit, month, rank, score, change in rows:
            if county is not None and unit != county:
                continue
            series.setdefault(unit, []).append(RankPoint(month, rank, score, change))
            latest[unit] = (month, rank)
        # Units still reporting come first, in their latest rank order.
        order = sorted(series, key=lambda u: (-_month_key(latest[u][0]), latest[u][1]))
        return {unit: series[unit] for unit in order}


def _month_key(month: str) -> int:
    year, _, number = month.partition("-")
    return int(year) * 100 + int(number or 0)


def stored_months(db: Path | str | None = None) -> list[MonthInfo]:
    """The stored months; an empty list (and no new file) when the store does not exist yet."""
    path = db_path(db)
    if not path.exists():
        return []
    with Store(path) as store:
        return store.months()


def stored_table(period: Period, db: Path | str | None = None) -> DataTable | None:
    """A stored month's figures as a table (for checking a month against the one before it);
    None, and no new file, when the store or the month is not there."""
    path = db_path(db)
    if not path.exists():
        return None
    with Store(path) as store:
        return store.table(period)


def previous_from_store(db: Path | str | None = None) -> Callable[[Period], DataTable | None]:
    """A lookup of stored months for ``validate``; a store that cannot be read gives None."""

    def lookup(period: Period) -> DataTable | None:
        try:
            return stored_table(period, db)
        except StoreError:
            return None

    return lookup


def stored_trend(
    db: Path | str | None = None, county: str | None = None
) -> dict[str, list[RankPoint]]:
    """Each unit's stored ranks month by month; empty when the store does not exist yet."""
    path = db_path(db)
    if not path.exists():
        return {}
    with Store(path) as store:
        return store.trend(county)
