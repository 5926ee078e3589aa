"""SIGKILL during ``notice --inbox`` and ``rank -o``: at every write step and at random moments.

Each trial kills a real child process (see ``killer.py``), then checks what a reader would see:
every circular in the output folder is whole (byte for byte the file a clean run writes) and
the history store records it as published, with its month's ranking recorded once; the next
run completes the set, and afterwards there is no temporary and no lock file left. ``rank -o``
likewise leaves the old file or the whole new one, and its next run removes the temporaries a
killed run left.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import killer
import pytest
from conftest import SAMPLES_DIR

from ipscore.app.fileset import is_circular_name

MAY = SAMPLES_DIR / "2019-05.xlsx"
APRIL = SAMPLES_DIR / "2019-04.xlsx"
# Killed runs: two per step of a publication (about 20 steps), two per random notice trial,
# one per step of a --force publication, one per step of rank -o (about 8) and one per random
# rank trial: about 130.
RANDOM_TRIALS = 10
RANK_TRIALS = 36


def cron_args(root: Path) -> list[str]:
    return [
        "notice",
        "--inbox",
        str(root / "in"),
        "--out",
        str(root / "out"),
        "--db",
        str(root / "h.db"),
        "--formats",
        "md,xlsx",
        "--date",
        "2019-07-05",
        "--settle",
        "0",
    ]


def fresh(root: Path, *months: Path) -> Path:
    (root / "in").mkdir(parents=True)
    for month in months or (APRIL, MAY):
        shutil.copy(month, root / "in")
    return root


def store_rows(db: Path, query: str) -> list[tuple]:
    """Rows from the history store, read without ipscore (SQLite rolls a killed writer's
    journal back or forward on opening, as for any reader)."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        return conn.execute(query).fetchall() if "publications" in tables else []
    finally:
        conn.close()


def recorded_months(db: Path) -> list[str]:
    """Every recorded version's month (one entry per version)."""
    return sorted(row[0] for row in store_rows(db, "SELECT month FROM versions"))


def published(db: Path, out: Path) -> dict[str, bytes]:
    """What the store says is published in ``out``: name → bytes."""
    rows = store_rows(db, "SELECT folder, name, content FROM publications")
    return {name: bytes(data) for folder, name, data in rows if folder == os.path.realpath(out)}


def leftovers(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def check_notice(root: Path, reference: dict[str, bytes], *, once: bool = True) -> None:
    """Every circular present is whole, and recorded as published with exactly its bytes;
    each month recorded ``once`` (a --force publication records a new version)."""
    out = root / "out"
    present = [p for p in out.iterdir() if is_circular_name(p.name)] if out.exists() else []
    recorded = published(root / "h.db", out)
    months = recorded_months(root / "h.db")
    for path in present:
        data = path.read_bytes()
        assert data == reference[path.name], f"torn or wrong: {path.name}"
        assert recorded.get(path.name) == data, f"a circular without its history entry: {path}"
        assert path.name[:7] in months
    assert not once or len(months) == len(set(months)), f"a month recorded twice: {months}"


@pytest.fixture(scope="module")
def server() -> Iterator[killer.Server]:
    started = killer.Server()
    yield started
    started.close()


def clean_run(
    server: killer.Server, root: Path, reference: dict[str, bytes], *, once: bool = True
) -> str:
    """A run that is not killed: it ends well, leaves no temporary and no lock; its log."""
    assert server.run(cron_args(root), root)["code"] == 0
    check_notice(root, reference, once=once)
    assert leftovers(root / "out") == []
    return (root / "out" / "ipscore-notice.log").read_text(encoding="utf-8")


def finish(server: killer.Server, root: Path, reference: dict[str, bytes]) -> None:
    """Clean runs until both months are out: then each is complete, recorded exactly once,
    and logged 成功 at most once."""
    out = root / "out"
    for _ in range(3):
        log = clean_run(server, root, reference)
        names = sorted(p.name for p in out.iterdir() if is_circular_name(p.name))
        if names == sorted(reference):
            break
    assert names == sorted(reference), log
    assert recorded_months(root / "h.db") == ["2019-04", "2019-05"]  # each exactly once
    assert published(root / "h.db", out) == reference
    for month in ("2019-04", "2019-05"):
        assert log.count(f"成功 {month}") <= 1, log


@pytest.fixture(scope="module")
def reference(
    server: killer.Server, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, bytes], int, float]:
    """What clean runs write; how many steps the first run takes, and how long."""
    root = fresh(tmp_path_factory.mktemp("reference"))
    first = server.run(cron_args(root), root)
    assert first["code"] == 0
    assert server.run(cron_args(root), root)["code"] == 0
    out = root / "out"
    files = {p.name: p.read_bytes() for p in out.iterdir() if is_circular_name(p.name)}
    assert len(files) == 4
    return files, first["steps"], first["seconds"]


def test_notice_killed_at_every_step(
    server: killer.Server, tmp_path: Path, reference: tuple[dict[str, bytes], int, float]
) -> None:
    files, steps, _ = reference
    assert steps >= 16
    for step in range(1, steps + 1):
        root = fresh(tmp_path / f"step{step}")
        assert server.run(cron_args(root), root, kill_at=step)["code"] == -9  # April's run
        check_notice(root, files)
        # The next run (completing April and publishing May, or publishing April) has at least
        # as many steps: it is cut off at the same one.
        assert server.run(cron_args(root), root, kill_at=step)["code"] == -9
        check_notice(root, files)
        finish(server, root, files)


def test_notice_killed_at_random_moments(
    server: killer.Server, tmp_path: Path, reference: tuple[dict[str, bytes], int, float]
) -> None:
    files, _, duration = reference
    chance = random.Random(20190705)
    for trial in range(RANDOM_TRIALS):
        root = fresh(tmp_path / f"t{trial}")
        for _ in range(2):  # April's run, then May's (or April's again) are cut off
            server.run(cron_args(root), root, delay=chance.uniform(0, duration * 1.2))
            check_notice(root, files)
            clean_run(server, root, files)
        finish(server, root, files)


def force_args(root: Path) -> list[str]:
    """May published again by hand with --force and only md: the xlsx is withdrawn."""
    args = ["notice", str(MAY), "--out", str(root / "out"), "--db", str(root / "h.db")]
    return [*args, "--formats", "md", "--date", "2019-07-05", "--force"]


def test_force_withdrawing_a_file_killed_at_every_step(
    server: killer.Server, tmp_path: Path, reference: tuple[dict[str, bytes], int, float]
) -> None:
    """Killed anywhere, a --force publication that withdraws May's xlsx never leaves a file
    out that the store does not publish; the next cron run (md and xlsx) completes the set."""
    files, _, _ = reference
    root, snapshot = tmp_path / "trial", tmp_path / "snapshot"
    finish(server, fresh(root), files)
    shutil.copytree(root, snapshot)  # the store names the folder by path: trials reuse `root`
    xlsx = root / "out" / "2019-05 发明专利申请情况通报.xlsx"
    first = server.run(force_args(root), root)
    assert first["code"] == 0 and not xlsx.exists()
    assert published(root / "h.db", root / "out") == {
        name: data for name, data in files.items() if name != xlsx.name
    }
    for step in range(1, first["steps"] + 1):
        shutil.rmtree(root)
        shutil.copytree(snapshot, root)
        assert server.run(force_args(root), root, kill_at=step)["code"] == -9
        check_notice(root, files, once=False)
        clean_run(server, root, files, once=False)
        present = {p.name for p in (root / "out").iterdir() if is_circular_name(p.name)}
        assert present == set(published(root / "h.db", root / "out")) == set(files)


def rank_args(root: Path) -> list[str]:
    return ["rank", str(MAY), "-o", str(root / "排名.md"), "--db", str(root / "h.db")]


def test_rank_output_killed_at_every_step_and_at_random(
    server: killer.Server, tmp_path: Path
) -> None:
    base = tmp_path / "reference"
    base.mkdir()
    first = server.run(rank_args(base), base)
    assert first["code"] == 0
    steps, duration = first["steps"], first["seconds"]
    whole = (base / "排名.md").read_bytes()
    chance = random.Random(5)
    trials = [("step", k) for k in range(1, steps + 1)]
    trials += [("delay", chance.uniform(0, duration * 1.2)) for _ in range(RANK_TRIALS)]
    for number, (kind, when) in enumerate(trials):
        root = tmp_path / f"r{number}"
        root.mkdir()
        (root / "排名.md").write_bytes(b"old")
        if kind == "step":
            assert server.run(rank_args(root), root, kill_at=int(when))["code"] == -9
        else:
            server.run(rank_args(root), root, delay=float(when))
        assert (root / "排名.md").read_bytes() in (b"old", whole)  # never torn
        assert server.run(rank_args(root), root)["code"] == 0
        assert (root / "排名.md").read_bytes() == whole
        assert leftovers(root) == []
