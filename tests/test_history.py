"""The month history store: recording versions, rank_change from it, concurrent writers."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from conftest import SAMPLES_DIR
from typer.testing import CliRunner

from ipscore.app.rank import rank_month, rank_recorded, record
from ipscore.cli.common import app
from ipscore.rules.scheme import Scheme
from ipscore.store.history import Store, db_path, stored_months

APRIL = SAMPLES_DIR / "2019-04.xlsx"
MAY = SAMPLES_DIR / "2019-05.xlsx"


def rank_json(*args: str | Path) -> dict:
    result = CliRunner().invoke(app, ["rank", *map(str, args), "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_default_path_follows_option_then_env(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IPSCORE_DB", str(tmp_path / "env.db"))
    assert db_path(tmp_path / "opt.db") == tmp_path / "opt.db"
    assert db_path() == tmp_path / "env.db"
    monkeypatch.delenv("IPSCORE_DB")
    assert db_path() == Path("ipscore.db")


def test_rank_records_and_the_next_month_uses_it(_history_store: Path) -> None:
    rank_json(APRIL)
    assert _history_store.exists()
    stored = rank_json(MAY)  # no --prev: rank_change from the stored April
    explicit = rank_json(MAY, "--prev", APRIL)
    assert stored == explicit
    assert any(r["rank_change"] for r in stored["rows"])


def test_ranks_under_another_scheme_are_not_a_previous_month(
    _history_store: Path, tmp_path: Path
) -> None:
    # April scored under a renamed copy of the rules is not comparable with May under the
    # reference scheme: no rank change is taken from it.
    rules = tmp_path / "rules"
    rules.mkdir()
    reference = Path(__file__).parents[1] / "rules"
    (rules / "units.toml").write_text((reference / "units.toml").read_text("utf-8"), "utf-8")
    text = (reference / "monthly-2019.toml").read_text("utf-8")
    renamed = text.replace('name = "2019年发明专利申请月度排名"', 'name = "试算方案"')
    (rules / "trial.toml").write_text(renamed, "utf-8")
    rank_json(APRIL, "--rules", rules / "trial.toml")
    may = rank_json(MAY)
    assert all(r["rank_change"] is None for r in may["rows"])
    rank_json(APRIL)  # April again under the reference scheme replaces the trial
    assert any(r["rank_change"] for r in rank_json(MAY)["rows"])


def test_compare_does_not_record_the_what_if(_history_store: Path, tmp_path: Path) -> None:
    rules = tmp_path / "trial.toml"
    text = (Path(__file__).parents[1] / "rules" / "monthly-2019.toml").read_text("utf-8")
    rules.write_text(
        text.replace('name = "2019年发明专利申请月度排名"', 'name = "试算方案"').replace(
            'units = "units.toml"',
            f'units = "{Path(__file__).parents[1] / "rules" / "units.toml"}"',
        ),
        "utf-8",
    )
    result = CliRunner().invoke(app, ["rank", str(MAY), "--compare", str(rules), "-f", "json"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(_history_store) as conn:
        assert conn.execute("SELECT scheme, official FROM versions").fetchall() == [
            ("2019年发明专利申请月度排名", 1)
        ]


def test_rescoring_adds_a_version_and_the_latest_counts(scheme: Scheme, tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    for _ in range(3):
        rank_recorded(MAY, scheme, db=db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM versions").fetchone() == (3,)
        assert conn.execute("SELECT count(*) FROM scores").fetchone() == (33,)
        top = conn.execute("SELECT DISTINCT county, score FROM scores WHERE rank = 1").fetchall()
    assert top == [("高新区", "90.92")]
    (may,) = stored_months(db)  # one month under one scheme, recorded three times
    assert (may.month, may.versions, may.version) == ("2019-05", 3, 3)
    assert len(stored_months(db, every_version=True)) == 3


def test_store_failure_is_a_warning_for_rank(scheme: Scheme, tmp_path: Path) -> None:
    ranking = rank_recorded(MAY, scheme, db=tmp_path / "missing-dir" / "h.db")
    assert ranking.rows[0].county == "高新区"
    (warning,) = ranking.warnings
    assert warning.code == "history-unavailable"
    assert warning.file == str(tmp_path / "missing-dir" / "h.db")
    assert "目录不存在" in warning.message and "本次结果未记入历史" in warning.message


def test_concurrent_writers_with_separate_connections(scheme: Scheme, tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    rankings = [rank_month(SAMPLES_DIR / f"2019-0{m}.xlsx", scheme) for m in (1, 2, 3)]
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(5):
                for ranking in rankings:
                    with Store(db) as store:
                        record(store, ranking)
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # 4 writers × 5 rounds × 3 months, every one kept as a version of 11 rows.
        assert conn.execute("SELECT count(*) FROM versions").fetchone() == (60,)
        assert conn.execute("SELECT count(*) FROM scores").fetchone() == (660,)
        months = conn.execute("SELECT DISTINCT month FROM versions ORDER BY month").fetchall()
    assert months == [("2019-01",), ("2019-02",), ("2019-03",)]


def test_concurrent_processes(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    script = (
        "import sys\n"
        "from ipscore.app.rank import rank_recorded\n"
        "from ipscore.rules.resolve import load_scheme\n"
        "scheme = load_scheme()\n"
        "for _ in range(3):\n"
        "    for path in sys.argv[2:]:\n"
        "        r = rank_recorded(path, scheme, db=sys.argv[1], strict=True)\n"
    )
    files = [str(SAMPLES_DIR / f"2019-0{m}.xlsx") for m in (4, 5)]
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(db), *order], stderr=subprocess.PIPE)
        for order in (files, files[::-1])
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM versions").fetchone() == (12,)
        assert conn.execute("SELECT count(DISTINCT month) FROM versions").fetchone() == (2,)


def test_history_and_trend_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    empty = runner.invoke(app, ["history"])
    assert empty.exit_code == 0 and "还没有记录" in empty.stdout
    for month in (3, 4, 5):
        rank_json(SAMPLES_DIR / f"2019-0{month}.xlsx")
    listing = runner.invoke(app, ["history"], env={"COLUMNS": "120"})
    assert listing.exit_code == 0
    assert all(m in listing.stdout for m in ("2019-03", "2019-04", "2019-05"))
    table = runner.invoke(app, ["trend"], env={"COLUMNS": "120"})
    assert table.exit_code == 0
    # 临淄区 climbs from 6th (March) to 4th (April) to 3rd (May): 6, 4↑, 3↑.
    row = next(line for line in table.stdout.splitlines() if "临淄区" in line).split()
    assert row[:4] == ["临淄区", "6", "4↑", "3↑"] and "走势" in table.stdout
    data = json.loads(runner.invoke(app, ["trend", "-f", "json"]).stdout)
    assert data["months"] == ["2019-03", "2019-04", "2019-05"]
    may = rank_json(MAY, "--prev", APRIL)
    last = {u["county"]: u["ranks"][-1] for u in data["units"]}
    for row in may["rows"]:
        assert last[row["county"]]["rank"] == row["rank"]
        assert last[row["county"]]["rank_change"] == row["rank_change"]
    bad = runner.invoke(app, ["trend", "--county", "火星区"])
    assert bad.exit_code == 2 and "不认识的区县" in bad.stderr


def test_opening_waits_for_a_writer_on_a_new_file(tmp_path: Path) -> None:
    # Switching a new file to WAL while another process holds its write lock fails at once
    # with "database is locked" (SQLite's busy timeout does not cover it); the store retries.
    db = tmp_path / "h.db"
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")  # e.g. another ipscore run creating the same new store
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        with Store(db) as store:
            assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert store.months() == []
    finally:
        release.join()
        other.close()
