"""The 文号 register: the numbers ipscore has given its circulars, per agency code and year.

A 文号 is 机关代字〔年份〕序号号: the year is the issuing year and the numbers of a year run
1, 2, 3 … without padding. A circular published without ``--number`` takes the next number of
its year; a circular published again (a correction, ``--force``) keeps the number it had.
The register lives in the history store, in a table of its own.
"""

from __future__ import annotations

import sqlite3

from ipscore.store.connect import failure
from ipscore.store.history import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS doc_numbers (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    subject TEXT NOT NULL,
    PRIMARY KEY (prefix, year, number),
    UNIQUE (prefix, year, subject)
)
"""


class NumberTaken(Exception):
    """The number asked for is already registered for another circular."""

    def __init__(self, number: int, subject: str) -> None:
        self.number = number
        self.subject = subject
        super().__init__(f"{number} → {subject}")


def _ensure(store: Store) -> None:
    store.conn.execute(_SCHEMA)


def registered_number(store: Store, prefix: str, year: int, subject: str) -> int | None:
    """The number ``subject`` (e.g. ``monthly 2019-05``) already has in ``year``, if any."""
    try:
        _ensure(store)
        row = store.conn.execute(
            "SELECT number FROM doc_numbers WHERE prefix = ? AND year = ? AND subject = ?",
            (prefix, year, subject),
        ).fetchone()
    except sqlite3.Error as exc:
        raise failure(store.path, exc, "读取") from None
    return None if row is None else int(row[0])


def next_number(store: Store, prefix: str, year: int, subject: str, wanted: int | None) -> int:
    """The number to give ``subject``: ``wanted`` when free (or already its own), else its
    registered number, else one more than the year's highest. Nothing is written."""
    try:
        _ensure(store)
        if wanted is not None:
            row = store.conn.execute(
                "SELECT subject FROM doc_numbers WHERE prefix = ? AND year = ? AND number = ?",
                (prefix, year, wanted),
            ).fetchone()
            if row is not None and row[0] != subject:
                raise NumberTaken(wanted, row[0])
            return wanted
        own = registered_number(store, prefix, year, subject)
        if own is not None:
            return own
        top = store.conn.execute(
            "SELECT MAX(number) FROM doc_numbers WHERE prefix = ? AND year = ?", (prefix, year)
        ).fetchone()[0]
    except sqlite3.Error as exc:
        raise failure(store.path, exc, "读取") from None
    return int(top or 0) + 1


def register_number(store: Store, prefix: str, year: int, number: int, subject: str) -> None:
    """Record that ``subject`` carries ``number`` in ``year`` (replacing its earlier number)."""
    try:
        _ensure(store)
        outer = store.conn.in_transaction  # inside Store.transaction(): it commits
        if not outer:
            store.conn.execute("BEGIN IMMEDIATE")
        try:
            store.conn.execute(
                "DELETE FROM doc_numbers WHERE prefix = ? AND year = ? AND subject = ?",
                (prefix, year, subject),
            )
            store.conn.execute(
                "INSERT INTO doc_numbers VALUES (?, ?, ?, ?)", (prefix, year, number, subject)
            )
            if not outer:
                store.conn.execute("COMMIT")
        except BaseException:
            if not outer and store.conn.in_transaction:
                store.conn.execute("ROLLBACK")
            raise
    except sqlite3.IntegrityError:
        raise NumberTaken(number, "另一份通报") from None
    except sqlite3.Error as exc:
        raise failure(store.path, exc, "写入") from None
