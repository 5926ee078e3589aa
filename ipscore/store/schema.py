"""The store's tables, how a file is recognised as ipscore's, and the upgrade of old stores.

An ipscore store carries SQLite's ``application_id`` 0x49505343 ("IPSC") and its schema version
in ``user_version``. Stores written before the mark existed (schema 1: ``months`` keyed by month
alone) are recognised by their exact tables and upgraded in one transaction; so are marked
stores of schema 2 (no ``publications`` yet). Any other SQLite file is another program's and is
never touched.
"""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x49505343  # "IPSC"
SCHEMA_VERSION = 3

# One row per recorded version of a month under a scheme: nothing is overwritten; the latest
# version of a (month, scheme, digest) counts. Counts are decimal text, exact at any size.
# scheme_digest is '' (and official 1) for versions carried over from schema 1, which stored no
# digest: they are compared by name, as schema 1 did.
TABLES = """
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    month TEXT NOT NULL,
    scheme TEXT NOT NULL,
    scheme_digest TEXT NOT NULL,
    official INTEGER NOT NULL,
    source TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    units INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX versions_by_key ON versions (month, scheme, scheme_digest, id);
CREATE TABLE scores (
    version INTEGER NOT NULL REFERENCES versions(id),
    county TEXT NOT NULL,
    position INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    score TEXT NOT NULL,
    month_apps TEXT,
    ytd_apps TEXT,
    ytd_apps_last_year TEXT,
    annual_target TEXT,
    growth_pct TEXT,
    completion_pct TEXT,
    rank_change INTEGER,
    PRIMARY KEY (version, county)
);
{publications}"""

# The circular files published in an output folder, each with the version it was rendered from
# and its bytes: the store is the truth about what is published, the files are its rendering
# (a file a killed run did not rename into place is written again from here). One row per file
# name in a folder; publishing a name again replaces it, and `notice --force` the month's set.
PUBLICATIONS = """
CREATE TABLE publications (
    folder TEXT NOT NULL,
    name TEXT NOT NULL,
    month TEXT NOT NULL,
    version INTEGER NOT NULL REFERENCES versions(id),
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (folder, name)
);
"""
TABLES = TABLES.format(publications=PUBLICATIONS)

_V1_COLUMNS = {
    "months": ["month", "scheme", "source", "units", "recorded_at"],
    "scores": [
        "month",
        "county",
        "position",
        "rank",
        "score",
        "month_apps",
        "ytd_apps",
        "ytd_apps_last_year",
        "annual_target",
        "growth_pct",
        "completion_pct",
        "rank_change",
    ],
}

_MIGRATE_V1 = """
ALTER TABLE scores RENAME TO scores_v1;
ALTER TABLE months RENAME TO months_v1;
{tables}
INSERT INTO versions (month, scheme, scheme_digest, official, source, source_sha256, units,
                      recorded_by, recorded_at)
    SELECT month, scheme, '', 1, source, '', units, '', recorded_at FROM months_v1 ORDER BY month;
INSERT INTO scores
    SELECT v.id, s.county, s.position, s.rank, s.score,
           CAST(s.month_apps AS TEXT), CAST(s.ytd_apps AS TEXT),
           CAST(s.ytd_apps_last_year AS TEXT), CAST(s.annual_target AS TEXT),
           s.growth_pct, s.completion_pct, s.rank_change
    FROM scores_v1 s JOIN versions v ON v.month = s.month;
DROP TABLE scores_v1;
DROP TABLE months_v1;
"""


class Foreign(Exception):
    """The file is an SQLite database, but not one of ipscore's (the message says why)."""


def classify(conn: sqlite3.Connection) -> str:
    """``"ours"`` (current schema), ``"v1"`` (the unmarked schema 1), ``"new"`` (an empty
    database), or :class:`Foreign` with the reason."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    objects = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    if app_id == APPLICATION_ID:
        if version == SCHEMA_VERSION:
            return "ours"
        if version == 2 and {"scores", "versions"} <= set(objects):
            return "v2"  # (it may hold the 文号 register, doc_numbers, made when first used)
        if version > SCHEMA_VERSION:
            raise Foreign(
                f"由更新版本的 ipscore 写入（格式 {version}，本版本只认格式 {SCHEMA_VERSION}）；"
                "请升级 ipscore"
            )
        raise Foreign(f"ipscore 不认识的格式 {version}")
    if app_id != 0:
        raise Foreign(f"是其他程序的 SQLite 数据库（application_id = 0x{app_id & 0xFFFFFFFF:08X}）")
    if not objects and version == 0:
        return "new"
    if version == 0 and _is_v1(conn, objects):
        return "v1"
    shown = "、".join(objects[:5]) + ("等" if len(objects) > 5 else "")
    raise Foreign(f"是其他程序的 SQLite 数据库（其中有 {shown or '未知内容'}）")


def _is_v1(conn: sqlite3.Connection, objects: list[str]) -> bool:
    if sorted(objects) != sorted(_V1_COLUMNS):
        return False
    for table, columns in _V1_COLUMNS.items():
        found = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        if found != columns:
            return False
    return True


def create(conn: sqlite3.Connection) -> None:
    """Give an empty database ipscore's tables and mark (inside the caller's transaction)."""
    _script(conn, TABLES)
    _mark(conn)


def migrate_v1(conn: sqlite3.Connection) -> None:
    """Upgrade a schema-1 store in place (inside the caller's transaction): every stored month
    becomes one version, official, its digest unknown."""
    _script(conn, _MIGRATE_V1.format(tables=TABLES))
    _mark(conn)


def migrate_v2(conn: sqlite3.Connection) -> None:
    """Upgrade a schema-2 store in place (inside the caller's transaction): add the table of
    published circulars (none recorded: a folder's circulars count as not yet published)."""
    _script(conn, PUBLICATIONS)
    _mark(conn)


def _mark(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _script(conn: sqlite3.Connection, script: str) -> None:
    # executescript would COMMIT the caller's transaction; run the statements one by one.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)
