"""The month history: every recorded ranking, by month and scheme, version by version.

A month is stored under the scheme it was scored by (its name and the digest of its scoring
content, :mod:`ipscore.rules.identity`), so a what-if run under an edited copy of the rules
never replaces the official month, and rank change is only ever taken from the previous month
under the same scheme. Nothing is overwritten: each recording is a new version that says who
recorded it, when, from which file and that file's sha256; the latest version of a month under
a scheme counts. A version is *official* when its scheme was the default one (the one a
command uses without ``--rules``) at the time.

The store stores; it runs no pipeline (``ipscore.app`` scores and then calls it). Opening,
refusals and the meaning of failures are in :mod:`ipscore.store.connect`.

Publications: a circular set is recorded together with the version it was rendered from, in
the same transaction (:meth:`Store.record` with a :class:`Publication`): which files, in which
output folder, with their bytes. That record is what "published" means; the files in the folder
are its rendering (see :mod:`ipscore.app.notice`).

Concurrency: the store runs in WAL mode with a busy timeout, and every write starts with
``BEGIN IMMEDIATE``, so two processes writing at once wait for each other instead of failing
or corrupting the file.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any

from ipscore.base.numbers import round_to
from ipscore.base.period import Period
from ipscore.intake.model import DataTable, Record
from ipscore.rules.identity import SchemeId
from ipscore.scoring.score import Ranking
from ipscore.store.connect import StoreError, failure, open_for_read, open_for_write, retry

__all__ = [
    "MonthInfo",
    "Provenance",
    "Publication",
    "PublishedFile",
    "RankPoint",
    "Store",
    "StoreError",  # raised by every call here; defined with the opening rules in connect
    "db_path",
    "previous_from_store",
    "stored_months",
    "stored_table",
    "stored_trend",
]

DEFAULT_DB = "ipscore.db"
ENV_DB = "IPSCORE_DB"
COUNT_FIELDS = ("month_apps", "ytd_apps", "ytd_apps_last_year", "annual_target")
# The latest version of each (month, scheme, digest); a digest of '' came from schema 1.
_SAME_SCHEME = "scheme = ? AND scheme_digest IN (?, '')"


def db_path(option: Path | str | None = None) -> Path:
    """The store's path: ``--db``, else ``$IPSCORE_DB``, else ``ipscore.db`` here."""
    if option:
        return Path(option)
    env = os.environ.get(ENV_DB)
    return Path(env) if env else Path(DEFAULT_DB)


@dataclass(frozen=True)
class Provenance:
    """Where a recorded ranking came from: its scheme, the file, and who recorded it."""

    scheme: SchemeId
    official: bool
    source: str
    sha256: str
    user: str


@dataclass(frozen=True)
class Publication:
    """Circular files published from a recorded ranking: the output folder (absolute, links
    resolved) and each file's name in it with its bytes. ``whole_month``: these files are the
    month's whole set in the folder (``notice --force``), so a file published of the month
    before under another name is no longer published; otherwise they are added to it."""

    folder: str
    files: Mapping[str, bytes]
    whole_month: bool = False


@dataclass(frozen=True)
class PublishedFile:
    """What the store says was published under one name in a folder."""

    name: str
    month: str
    version: int
    sha256: str


@dataclass(frozen=True)
class MonthInfo:
    """One recorded version of a month under a scheme."""

    month: str
    scheme: str
    digest: str
    official: bool
    source: str
    sha256: str
    units: int
    recorded_by: str
    recorded_at: str
    leader: str
    versions: int  # how many versions of this month under this scheme were recorded
    version: int


@dataclass(frozen=True)
class RankPoint:
    month: str
    rank: int
    score: str
    rank_change: int | None
    ytd: int | None = None  # the unit's 累计 that month


class Store:
    """One connection to the history store; use as a context manager.

    ``readonly`` opens the file read-only (``history``, ``trend``, ``validate``): a store that
    does not exist reads as empty and is not created.
    """

    def __init__(self, path: Path | str | None = None, *, readonly: bool = False) -> None:
        self.path = db_path(path)
        self.readonly = readonly
        self.conn = open_for_read(self.path) if readonly else open_for_write(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so
        # a transaction never fails half-way because another writer got there first. Inside
        # transaction() the outer transaction is the one that commits.
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction around several writes (a recording and the 文号 register):
        everything written inside is stored, or nothing is."""
        assert not self.readonly, "a read-only store cannot record"
        try:
            retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        except sqlite3.Error as exc:
            raise failure(self.path, exc, "写入") from None
        try:
            yield
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise failure(self.path, exc, "写入") from None
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _read(self, query: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self.conn.execute(query, args).fetchall()
        except sqlite3.Error as exc:
            raise failure(self.path, exc, "读取") from None

    def record(
        self, ranking: Ranking, provenance: Provenance, publication: Publication | None = None
    ) -> int:
        """Add a version of the ranking's month under its scheme; returns the version id.

        With a ``publication``, its files are recorded as published from this version in the
        same transaction (replacing what was published under those names in that folder, or
        the month's whole set there: :attr:`Publication.whole_month`): either both are stored
        or neither is."""
        assert not self.readonly, "a read-only store cannot record"
        decimals, mode = ranking.scheme.decimals, ranking.scheme.rounding

        def text(value: Any) -> str | None:
            return None if value is None else str(round_to(value, decimals, mode))

        def count(value: Any) -> str | None:
            # Decimal text: exact at any size (SQLite integers stop at 2^63 − 1).
            return None if value is None else str(int(value))

        rows = []
        for position, row in enumerate(ranking.rows, start=1):
            values = row.record.values
            rows.append(
                (
                    row.county,
                    position,
                    row.rank,
                    text(row.score),
                    *(count(values.get(f)) for f in COUNT_FIELDS),
                    text(row.derived.get("growth_pct")),
                    text(row.derived.get("completion_pct")),
                    row.rank_change,
                )
            )
        recorded = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        head = (
            str(ranking.period),
            provenance.scheme.name,
            provenance.scheme.digest,
            int(provenance.official),
            provenance.source,
            provenance.sha256,
            len(rows),
            provenance.user,
            recorded,
        )

        def add() -> int:
            with self._write() as conn:
                cursor = conn.execute(
                    "INSERT INTO versions (month, scheme, scheme_digest, official, source,"
                    " source_sha256, units, recorded_by, recorded_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    head,
                )
                version = cursor.lastrowid
                assert version is not None
                conn.executemany(
                    "INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(version, *row) for row in rows],
                )
                if publication is not None and publication.whole_month:
                    conn.execute(
                        "DELETE FROM publications WHERE folder = ? AND month = ?",
                        (publication.folder, head[0]),
                    )
                if publication is not None:
                    conn.executemany(
                        "INSERT OR REPLACE INTO publications VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [
                            (
                                publication.folder,
                                name,
                                head[0],
                                version,
                                hashlib.sha256(data).hexdigest(),
                                data,
                                recorded,
                            )
                            for name, data in publication.files.items()
                        ],
                    )
            return version

        try:
            return retry(add)
        except sqlite3.Error as exc:
            raise failure(self.path, exc, "写入") from None

    def published(self, folder: str) -> dict[str, PublishedFile]:
        """Every circular file recorded as published in ``folder``, by name."""
        rows = self._read(
            "SELECT name, month, version, sha256 FROM publications WHERE folder = ?", (folder,)
        )
        return {row[0]: PublishedFile(*row) for row in rows}

    def published_content(self, folder: str, name: str) -> bytes | None:
        """The bytes published under ``name`` in ``folder``; None when nothing was."""
        rows = self._read(
            "SELECT content FROM publications WHERE folder = ? AND name = ?", (folder, name)
        )
        return bytes(rows[0][0]) if rows else None

    def _latest(self, period: Period, scheme: SchemeId | None) -> int | None:
        """The version that counts for a month: the latest under ``scheme``; with no scheme,
        the latest official one."""
        args: tuple[str, ...] = ()
        if scheme is None:
            where = "official = 1"
        else:
            where, args = _SAME_SCHEME, (scheme.name, scheme.digest)
        found = self._read(
            f"SELECT max(id) FROM versions WHERE month = ? AND {where}", (str(period), *args)
        )
        return found[0][0] if found else None

    def has(self, period: Period, scheme: SchemeId) -> bool:
        """Whether the month is recorded under ``scheme``."""
        return self._latest(period, scheme) is not None

    def ranks(self, period: Period, scheme: SchemeId) -> dict[str, int] | None:
        """The ranks of a month under ``scheme`` by unit, or None when it is not recorded so."""
        version = self._latest(period, scheme)
        if version is None:
            return None
        return dict(self._read("SELECT county, rank FROM scores WHERE version = ?", (version,)))

    def table(self, period: Period, scheme: SchemeId | None = None) -> DataTable | None:
        """A month's stored counts as a :class:`DataTable` whose sheet is 历史库: the version
        under ``scheme`` when there is one, else the latest official version."""
        version = self._latest(period, scheme) if scheme is not None else None
        if version is None:
            version = self._latest(period, None)
        if version is None:
            return None
        (source,) = self._read("SELECT source FROM versions WHERE id = ?", (version,))[0]
        records = []
        for county, *counts in self._read(
            f"SELECT county, {', '.join(COUNT_FIELDS)} FROM scores"
            " WHERE version = ? ORDER BY position",
            (version,),
        ):
            values: dict[str, Fraction | int] = {
                f: int(v) for f, v in zip(COUNT_FIELDS, counts, strict=True) if v is not None
            }
            records.append(Record(county, county, 0, values))
        return DataTable(source, "历史库", period, records, {})

    def months(self, every_version: bool = False) -> list[MonthInfo]:
        """The version that counts of each month under each scheme (every version with
        ``every_version``), by month, official first."""
        key = "w.month = v.month AND w.scheme = v.scheme AND w.scheme_digest = v.scheme_digest"
        rows = self._read(
            "SELECT v.month, v.scheme, v.scheme_digest, v.official, v.source, v.source_sha256,"
            " v.units, v.recorded_by, v.recorded_at,"
            " (SELECT group_concat(county, '、') FROM"
            "   (SELECT county FROM scores s WHERE s.version = v.id AND s.rank = 1"
            "    ORDER BY position)),"
            f" (SELECT count(*) FROM versions w WHERE {key}), v.id"
            " FROM versions v"
            f" WHERE ? OR v.id = (SELECT max(id) FROM versions w WHERE {key})"
            " ORDER BY v.month, v.official DESC, v.scheme, v.scheme_digest, v.id",
            (int(every_version),),
        )
        return [
            MonthInfo(
                month=row[0],
                scheme=row[1],
                digest=row[2],
                official=bool(row[3]),
                source=row[4],
                sha256=row[5],
                units=row[6],
                recorded_by=row[7],
                recorded_at=row[8],
                leader=row[9] or "",
                versions=row[10],
                version=row[11],
            )
            for row in rows
        ]

    def trend(self, scheme: SchemeId, county: str | None = None) -> dict[str, list[RankPoint]]:
        """Each unit's rank month by month under ``scheme``, units in the latest month's rank
        order."""
        rows = self._read(
            "SELECT s.county, v.month, s.rank, s.score, s.rank_change, s.ytd_apps"
            " FROM scores s JOIN versions v ON v.id = s.version"
            " WHERE v.id IN (SELECT max(id) FROM versions"
            f"  WHERE {_SAME_SCHEME} GROUP BY month)"
            " ORDER BY v.month, s.position",
            (scheme.name, scheme.digest),
        )
        series: dict[str, list[RankPoint]] = {}
        latest: dict[str, tuple[str, int]] = {}
        for unit, month, rank, score, change, ytd in rows:
            if county is not None and unit != county:
                continue
            count = int(ytd) if ytd is not None else None
            series.setdefault(unit, []).append(RankPoint(month, rank, score, change, count))
            latest[unit] = (month, rank)
        # Units still reporting come first, in their latest rank order.
        order = sorted(series, key=lambda u: (-_month_key(latest[u][0]), latest[u][1]))
        return {unit: series[unit] for unit in order}


def _month_key(month: str) -> int:
    year, _, number = month.partition("-")
    return int(year) * 100 + int(number or 0)


def stored_months(db: Path | str | None = None, every_version: bool = False) -> list[MonthInfo]:
    """The recorded months (read-only; an empty list, and no new file, without a store)."""
    with Store(db, readonly=True) as store:
        return store.months(every_version)


def stored_table(
    period: Period, db: Path | str | None = None, scheme: SchemeId | None = None
) -> DataTable | None:
    """A stored month's figures as a table (for checking a month against the one before it),
    under ``scheme`` when recorded so, else the official version; None, and no new file, when
    the store or the month is not there."""
    with Store(db, readonly=True) as store:
        return store.table(period, scheme)


def previous_from_store(
    db: Path | str | None = None, scheme: SchemeId | None = None
) -> Callable[[Period], DataTable | None]:
    """A lookup of stored months for ``validate`` (read-only; None when the store or the month
    is not there; :class:`StoreError` when the store cannot be used)."""

    def lookup(period: Period) -> DataTable | None:
        return stored_table(period, db, scheme)

    return lookup


def stored_trend(
    scheme: SchemeId, db: Path | str | None = None, county: str | None = None
) -> dict[str, list[RankPoint]]:
    """Each unit's stored ranks under ``scheme`` month by month (read-only)."""
    with Store(db, readonly=True) as store:
        return store.trend(scheme, county)
