"""The store keyed by (month, scheme): what-if runs, versions, provenance, and old stores."""

from __future__ import annotations

import getpass
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import MAY_ROWS, RULES_DIR, SAMPLES_DIR, write_month
from typer.testing import CliRunner

from ipscore.app.rank import rank_month
from ipscore.base.period import Period
from ipscore.cli.common import app
from ipscore.rules.identity import scheme_id
from ipscore.rules.resolve import load_scheme
from ipscore.store import schema
from ipscore.store.history import Store, StoreError, stored_months, stored_table

APRIL = SAMPLES_DIR / "2019-04.xlsx"
MAY = SAMPLES_DIR / "2019-05.xlsx"
JUNE = SAMPLES_DIR / "2019-06.xlsx"
NAME = "2019年发明专利申请月度排名"
# Weights moved from 总量 to 增幅 (still 100 points), [scheme].name kept: a different scheme.
WHAT_IF = (
    ('points = 40\nmethod = "ratio_to_max"', 'points = 10\nmethod = "ratio_to_max"'),
    ('points = 30\nmethod = "rank_points"', 'points = 60\nmethod = "rank_points"'),
    ("floor = 10", "floor = 20"),
)


@pytest.fixture(autouse=True)
def _no_env_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IPSCORE_RULES", raising=False)


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def rank_json(*args: str | Path) -> dict:
    result = invoke("rank", *args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def edited_rules(folder: Path, *edits: tuple[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    shutil.copy(RULES_DIR / "units.toml", folder / "units.toml")
    text = (RULES_DIR / "monthly-2019.toml").read_text("utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = folder / "my-whatif.toml"
    path.write_text(text, "utf-8")
    return path


def changes(ranking: dict) -> dict[str, int | None]:
    return {row["county"]: row["rank_change"] for row in ranking["rows"]}


def test_a_what_if_run_leaves_the_official_month_and_next_months_rank_change(
    tmp_path: Path,
) -> None:
    whatif = edited_rules(tmp_path, *WHAT_IF)
    official_may = rank_json(MAY)
    whatif_may = rank_json(MAY, "--rules", whatif)
    ranks = {r["county"]: r["rank"] for r in official_may["rows"]}
    assert whatif_may["scheme"] == NAME  # same name …
    assert {r["county"]: r["rank"] for r in whatif_may["rows"]} != ranks  # … other ranks
    june = rank_json(JUNE)
    expected = rank_json(JUNE, "--prev", MAY)  # June against the official May, from the file
    assert changes(june) == changes(expected)
    assert any(changes(june).values())
    # The what-if scheme has its own history: its June compares with its own May.
    june_whatif = rank_json(JUNE, "--rules", whatif)
    assert changes(june_whatif) == changes(rank_json(JUNE, "--rules", whatif, "--prev", MAY))
    assert changes(june_whatif) != changes(june)
    # history lists both schemes for May, the official one first.
    listed = json.loads(invoke("history", "-f", "json").stdout)
    may = [(m["month"], m["scheme"], m["official"]) for m in listed if m["month"] == "2019-05"]
    assert may == [("2019-05", NAME, True), ("2019-05", NAME, False)]
    digests = {m["scheme_digest"] for m in listed if m["month"] == "2019-05"}
    assert len(digests) == 2


def test_the_circular_after_a_what_if_still_has_rank_change(tmp_path: Path) -> None:
    rank_json(MAY)
    rank_json(MAY, "--rules", edited_rules(tmp_path, *WHAT_IF))
    result = invoke("notice", JUNE, "--out", tmp_path / "out", "--formats", "md")
    assert result.exit_code == 0, result.output
    assert "no-previous-month" not in result.stderr and "没有上月" not in result.stderr
    text = (tmp_path / "out" / "2019-06 发明专利申请情况通报.md").read_text("utf-8")
    moved = [c for c in changes(rank_json(JUNE, "--prev", MAY)).values() if c]
    assert moved and any(f"↑{c}" in text or f"↓{-c}" in text for c in moved)


def test_identity_follows_what_scores_not_what_labels(tmp_path: Path) -> None:
    reference = scheme_id(load_scheme(RULES_DIR / "monthly-2019.toml"))
    labels = edited_rules(
        tmp_path / "labels",
        ('name = "总量"', 'name = "累计总量"'),
        ('label = "年度目标"', 'label = "全年目标"'),
        ('aliases = ["年度目标", ', 'aliases = ["年度目标数", "年度目标", '),
    )
    assert scheme_id(load_scheme(labels)) == reference
    for folder, edit in (
        ("weights", WHAT_IF[0:2]),
        ("rounding", (('rounding = "half_up"', 'rounding = "half_even"'),)),
        ("tie", (('tie_breaker = "ytd_apps"', 'tie_breaker = "month_apps"'),)),
        ("cap", (("cap = 1", "cap = 1.2"),)),
    ):
        other = scheme_id(load_scheme(edited_rules(tmp_path / folder, *edit)))
        assert other.name == reference.name and other.digest != reference.digest, folder
    renamed = edited_rules(tmp_path / "renamed", (f'name = "{NAME}"', 'name = "试算"'))
    assert scheme_id(load_scheme(renamed)).digest == reference.digest
    assert scheme_id(load_scheme(renamed)) != reference
    # The same numbers written another way, and comments, change nothing.
    spelled = edited_rules(
        tmp_path / "spelled", ("cap = 1", "cap = 1.0"), ("step = 2", "step = 2.00  # 每位次")
    )
    assert scheme_id(load_scheme(spelled)) == reference


def test_identity_is_fixed_when_the_file_is_read(tmp_path: Path) -> None:
    path = edited_rules(tmp_path)
    scheme = load_scheme(path)
    before = scheme_id(scheme)
    path.write_text(path.read_text("utf-8").replace("step = 2", "step = 5"), "utf-8")
    assert scheme_id(scheme) == before  # what it was scored by, not what the file says now
    assert scheme_id(load_scheme(path)) != before


def test_annual_identity_counts_grades_and_bonus_but_not_item_names(tmp_path: Path) -> None:
    from builders_annual import rules_copy

    reference = scheme_id(load_scheme(RULES_DIR / "annual-2019.toml"))

    def edited(*edits: tuple[str, str]) -> object:
        def edit(text: str) -> str:
            for old, new in edits:
                assert old in text, old
                text = text.replace(old, new)
            return text

        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        return scheme_id(load_scheme(rules_copy(folder, edit)))

    assert edited(('name = "国家级荣誉"', 'name = "国家级表彰"')) == reference
    assert edited(("quota = 0.3", "quota = 0.4")) != reference
    assert edited(('name = "优秀", at = 90', 'name = "优", at = 90')) != reference
    assert edited(("each = 3", "each = 4")) != reference


def test_every_version_is_kept_with_who_when_and_the_files_hash(
    tmp_path: Path, _history_store: Path
) -> None:
    copy = tmp_path / "五月.xlsx"
    shutil.copy(MAY, copy)
    rank_json(MAY)
    rank_json(copy)
    versions = json.loads(invoke("history", "--all", "-f", "json").stdout)
    assert [v["source"] for v in versions] == [str(MAY.absolute()), str(copy.absolute())]
    assert {v["source_sha256"] for v in versions} == {hashlib.sha256(MAY.read_bytes()).hexdigest()}
    assert {v["recorded_by"] for v in versions} == {getpass.getuser()}
    assert [v["version"] for v in versions] == [1, 2]
    (latest,) = json.loads(invoke("history", "-f", "json").stdout)
    assert (latest["source"], latest["versions"]) == (str(copy.absolute()), 2)
    table = invoke("history")
    assert table.exit_code == 0
    for shown in ("官方", "五月.xlsx", getpass.getuser()):
        assert shown in table.stdout


def test_trend_and_validate_read_under_the_scheme(tmp_path: Path) -> None:
    whatif = edited_rules(tmp_path, *WHAT_IF)
    for month in (APRIL, MAY):
        rank_json(month)
    rank_json(MAY, "--rules", whatif)
    official = json.loads(invoke("trend", "-f", "json").stdout)
    assert official["months"] == ["2019-04", "2019-05"]
    may = {r["county"]: r["rank"] for r in rank_json(MAY, "--prev", APRIL)["rows"]}
    assert {u["county"]: u["ranks"][-1]["rank"] for u in official["units"]} == may
    trial = json.loads(invoke("trend", "--rules", whatif, "-f", "json").stdout)
    assert trial["months"] == ["2019-05"]
    assert [u["ranks"][0]["rank"] for u in trial["units"]] == [
        r["rank"] for r in rank_json(MAY, "--rules", whatif)["rows"]
    ]


def test_validate_takes_last_month_under_its_scheme_else_the_official_one(
    tmp_path: Path, _history_store: Path
) -> None:
    whatif = edited_rules(tmp_path, *WHAT_IF)
    rows = [list(r) for r in MAY_ROWS]
    rows[0][2] = 500  # 张店区's May cumulative in the file ranked under the what-if scheme
    trial_may = write_month(tmp_path, [tuple(r) for r in rows], name="trial-2019-05.xlsx")
    rank_json(MAY)
    rank_json(trial_may, "--rules", whatif)
    may = Period(2019, 5)
    official_id, trial_id = scheme_id(load_scheme()), scheme_id(load_scheme(whatif))
    for scheme, expected in ((official_id, 520), (trial_id, 500), (None, 520)):
        table = stored_table(may, _history_store, scheme)
        assert table is not None and table.sheet == "历史库"
        assert table.record("张店区").values["ytd_apps"] == expected
    # Through the CLI: June's 张店区 month count agrees with the official May's cumulative
    # (520), not with the what-if May's 500.
    official = invoke("validate", JUNE, "-f", "json")
    trial = invoke("validate", JUNE, "-f", "json", "--rules", whatif)
    found = {
        name: {(p["code"], p["county"]) for p in json.loads(r.stdout)}
        for name, r in (("official", official), ("trial", trial))
    }
    assert found == {"official": set(), "trial": {("month-apps-mismatch", "张店区")}}


def test_store_keeps_counts_beyond_sqlite_integers(tmp_path: Path) -> None:
    from ipscore.app.rank import record

    ranking = rank_month(MAY, load_scheme())
    huge = 2**70 + 1
    ranking.rows[0].record.values["ytd_apps"] = huge
    with Store(tmp_path / "h.db") as store:
        record(store, ranking)
        table = store.table(ranking.period, scheme_id(ranking.scheme))
    assert table is not None
    assert table.record(ranking.rows[0].county).values["ytd_apps"] == huge  # exact, not 1.18e21


# --------------------------------------------------------------------------------------------
# Stores written by earlier versions (schema 1: months keyed by month alone)

V1_SCHEMA = """
CREATE TABLE months (month TEXT PRIMARY KEY, scheme TEXT NOT NULL, source TEXT NOT NULL,
    units INTEGER NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE scores (month TEXT NOT NULL REFERENCES months(month), county TEXT NOT NULL,
    position INTEGER NOT NULL, rank INTEGER NOT NULL, score TEXT NOT NULL, month_apps INTEGER,
    ytd_apps INTEGER, ytd_apps_last_year INTEGER, annual_target INTEGER, growth_pct TEXT,
    completion_pct TEXT, rank_change INTEGER, PRIMARY KEY (month, county));
"""


def write_v1_store(path: Path, *months: Path) -> None:
    """A store as ipscore wrote it before schema 2, holding the given months."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(V1_SCHEMA)
    for file in months:
        ranking = rank_month(file, load_scheme())
        month = str(ranking.period)
        conn.execute(
            "INSERT INTO months VALUES (?, ?, ?, ?, ?)",
            (month, NAME, str(file), 11, "2019-06-01 08:00:00"),
        )
        for position, row in enumerate(ranking.rows, start=1):
            v = row.record.values
            conn.execute(
                "INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (month, row.county, position, row.rank, f"{float(row.score):.2f}",
                 v["month_apps"], v["ytd_apps"], v["ytd_apps_last_year"], v["annual_target"],
                 None, None, None),
            )  # fmt: skip
    conn.close()


def test_an_old_store_is_upgraded_in_place_and_keeps_its_months(_history_store: Path) -> None:
    write_v1_store(_history_store, APRIL, MAY)
    before = _history_store.read_bytes()
    listed = json.loads(invoke("history", "-f", "json").stdout)  # read-only: upgraded in memory
    assert [(m["month"], m["scheme"], m["official"]) for m in listed] == [
        ("2019-04", NAME, True),
        ("2019-05", NAME, True),
    ]
    assert _history_store.read_bytes() == before
    june = rank_json(JUNE)  # writes: the file is upgraded, May's ranks give June's change
    assert changes(june) == changes(rank_json(JUNE, "--prev", MAY))
    with sqlite3.connect(_history_store) as conn:
        assert conn.execute("PRAGMA application_id").fetchone() == (schema.APPLICATION_ID,)
        assert conn.execute("PRAGMA user_version").fetchone() == (schema.SCHEMA_VERSION,)
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        assert sorted(tables) == [("publications",), ("scores",), ("versions",)]
        old = conn.execute(
            "SELECT month, scheme_digest, official, source FROM versions ORDER BY id LIMIT 2"
        ).fetchall()
        assert old == [("2019-04", "", 1, str(APRIL)), ("2019-05", "", 1, str(MAY))]
        zhangdian = conn.execute(
            "SELECT s.ytd_apps, typeof(s.ytd_apps) FROM scores s JOIN versions v"
            " ON v.id = s.version WHERE v.month = '2019-05' AND s.county = '张店区'"
        ).fetchall()
    assert zhangdian == [("520", "text")]  # an INTEGER count in schema 1, exact text now


def test_a_failed_upgrade_leaves_the_old_store_as_it_was(
    _history_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_v1_store(_history_store, MAY)
    import ipscore.store.connect

    def migrate_then_fail(conn: sqlite3.Connection) -> None:
        schema.migrate_v1(conn)  # every statement done, then the disk gives out
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ipscore.store.connect, "migrate_v1", migrate_then_fail)
    with pytest.raises(StoreError, match="磁盘读写错误"):
        Store(_history_store).close()
    with sqlite3.connect(_history_store) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM scores").fetchone() == (11,)
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert sorted(tables) == [("months",), ("scores",)]
    monkeypatch.undo()
    assert [m.month for m in stored_months(_history_store)] == ["2019-05"]


# --------------------------------------------------------------------------------------------
# The cron inbox: a month is done when the store records its circular in the output folder


def test_inbox_records_a_published_month_the_store_lacks(
    tmp_path: Path, _history_store: Path
) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(APRIL, inbox)
    cron = ("notice", "--inbox", inbox, "--out", out, "--date", "2019-07-05", "--formats", "md")
    cron += ("--settle", "0")
    assert invoke(*cron).exit_code == 0  # April published and recorded
    april_md = (out / "2019-04 发明专利申请情况通报.md").read_bytes()
    _history_store.unlink()  # the record is lost (the store deleted, or another one given)
    Path(f"{_history_store}-wal").unlink(missing_ok=True)
    Path(f"{_history_store}-shm").unlink(missing_ok=True)
    shutil.copy(MAY, inbox)
    result = invoke(*cron, "-v")
    assert result.exit_code == 0, result.output
    adopted, published = result.stdout.splitlines()[:2]
    assert adopted.startswith("补记 2019-04 来源 2019-04.xlsx：通报已存在（未改动），已记入历史库")
    assert published.startswith("成功 2019-05") and "含位次变化" in published
    assert (out / "2019-04 发明专利申请情况通报.md").read_bytes() == april_md
    assert [m["month"] for m in json.loads(invoke("history", "-f", "json").stdout)] == [
        "2019-04",
        "2019-05",
    ]
    # A what-if scheme publishing into its own folder records its own versions; the folder
    # the official circulars are in stays done, whatever the scheme.
    whatif = edited_rules(tmp_path, *WHAT_IF)
    again = invoke(*cron, "-v", "--rules", whatif)
    assert again.stdout.startswith("无待处理月份")
    other = invoke(*cron[:4], tmp_path / "what-if", *cron[5:], "-v", "--rules", whatif)
    assert other.exit_code == 0 and other.stdout.startswith("成功 2019-04")
