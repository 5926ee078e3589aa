"""Store integrity: foreign, damaged and non-regular files refused; environment failures told.

Every test builds its own hostile store. Tests that need a folder the user cannot write run the
command in a child process without root's power to ignore permission bits (``setpriv`` drops
every capability) when the suite runs as root.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLES_DIR
from typer.testing import CliRunner

import ipscore.store.connect
from ipscore.app.rank import rank_recorded
from ipscore.cli.common import app
from ipscore.rules.resolve import load_scheme
from ipscore.store.connect import failure
from ipscore.store.schema import APPLICATION_ID

APRIL = SAMPLES_DIR / "2019-04.xlsx"
MAY = SAMPLES_DIR / "2019-05.xlsx"


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def ipscore_store(path: Path) -> Path:
    """A real store holding April and May (closed: its WAL folded back into the file)."""
    for month in (APRIL, MAY):
        rank_recorded(month, load_scheme(), db=path, strict=True)
    assert not Path(f"{path}-wal").exists()
    return path


def foreign_store(path: Path) -> Path:
    """Another program's SQLite file, in the default rollback-journal mode."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount TEXT)")
    conn.execute("INSERT INTO invoices (amount) VALUES ('12.50')")
    conn.commit()
    conn.close()
    return path


def refused_everywhere(db: Path, tmp_path: Path, *expected: str) -> None:
    """rank warns and still ranks; notice, history and trend exit 2; the file is untouched."""
    before = db.read_bytes()
    rank = invoke("rank", MAY, "--db", db, "-f", "json")
    assert rank.exit_code == 0, rank.output
    assert json.loads(rank.stdout)["rows"][0]["county"] == "高新区"
    for command in (
        ("notice", MAY, "--out", tmp_path / "out", "--db", db),
        ("history", "--db", db),
        ("trend", "--db", db),
    ):
        result = invoke(*command)
        assert result.exit_code == 2, (command, result.output)
        assert "Traceback" not in result.output and "内部错误" not in result.output
        line = result.stderr.strip()
        assert line.startswith(f"错误：{db}："), line
        assert "\n" not in line
        for text in expected:
            assert text in line, (text, line)
    assert "本次结果未记入历史" in rank.stderr and str(db) in rank.stderr
    # validate still checks the sheet, and says it could not compare with the stored month.
    validate = invoke("validate", MAY, "--db", db, "-f", "json")
    assert validate.exit_code == 1, validate.output
    (problem,) = json.loads(validate.stdout)
    assert (problem["code"], problem["file"]) == ("history-unavailable", str(db))
    assert problem["message"].endswith("未与历史库中的上月核对")
    assert db.read_bytes() == before
    assert not (tmp_path / "out").exists()  # refused before any circular file was written


def test_another_programs_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = foreign_store(tmp_path / "accounts.db")
    refused_everywhere(db, tmp_path, "其他程序的 SQLite 数据库", "invoices", "--db")
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # not WAL
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("invoices",)]


def test_a_file_marked_by_another_application_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA application_id = 305419896")  # 0x12345678, and no tables at all
    refused_everywhere(db, tmp_path, "application_id = 0x12345678")


def test_a_store_from_a_newer_ipscore_is_refused(tmp_path: Path) -> None:
    db = ipscore_store(tmp_path / "h.db")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        conn.execute("PRAGMA user_version = 99")
    refused_everywhere(db, tmp_path, "更新版本的 ipscore", "格式 99")


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "ipscore.db"
    db.write_text("区县,得分\n张店区,90\n" * 50, encoding="utf-8")
    refused_everywhere(db, tmp_path, "不是 SQLite 数据库文件")


def test_a_damaged_store_is_refused_with_quick_checks_result(tmp_path: Path) -> None:
    db = ipscore_store(tmp_path / "h.db")
    with sqlite3.connect(db) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        query = "SELECT rootpage FROM sqlite_master WHERE name = 'scores'"
        (root,) = conn.execute(query).fetchone()
    data = bytearray(db.read_bytes())
    start = (root - 1) * page + 8  # the cell pointers of the scores table's page
    data[start : start + 200] = b"\xff" * 200
    db.write_bytes(bytes(data))
    # quick_check lists the damage ("Offset 65535 out of range …"), or SQLite stops at
    # "database disk image is malformed"; either way it is named, and nothing is written.
    refused_everywhere(db, tmp_path, "历史库已损坏（PRAGMA quick_check：", "从备份恢复")


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_a_path_that_is_not_a_regular_file_is_refused(tmp_path: Path, kind: str) -> None:
    if kind == "device":
        db = Path("/dev/null")
        journal_before = os.path.lexists("/dev/null-journal")
        shown = "是设备"
    elif kind == "fifo":
        db = tmp_path / "pipe.db"
        os.mkfifo(db)
        shown = "是管道"
    else:
        db = tmp_path / "folder.db"
        db.mkdir()
        shown = "是目录"
    rank = invoke("rank", MAY, "--db", db, "-q", "-f", "json")
    assert rank.exit_code == 0
    history = invoke("history", "--db", db)
    assert history.exit_code == 2
    assert history.stderr == (
        f"错误：{db}：不是普通文件（{shown}）；请用 --db 指定一个普通文件作为历史库\n"
    )
    notice = invoke("notice", MAY, "--out", tmp_path / "out", "--db", db)
    assert notice.exit_code == 2 and shown in notice.stderr
    if kind == "device":
        assert os.path.lexists("/dev/null-journal") == journal_before
    else:
        assert sorted(p.name for p in tmp_path.iterdir()) == [db.name]  # no -journal, no out


def test_a_symlinked_store_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    target = ipscore_store(tmp_path / "real.db")
    before = target.read_bytes()
    link = tmp_path / "ipscore.db"
    link.symlink_to(target)
    for command in (("history", "--db", link), ("notice", MAY, "--out", tmp_path, "--db", link)):
        result = invoke(*command)
        assert result.exit_code == 2
        assert f"{link}：是符号链接" in result.stderr
    assert target.read_bytes() == before
    # A link planted as the store's WAL file is refused the same way.
    link.unlink()
    store = ipscore_store(tmp_path / "h.db")
    Path(f"{store}-wal").symlink_to(tmp_path / "elsewhere")
    result = invoke("history", "--db", store)
    assert result.exit_code == 2 and "h.db-wal 不是普通文件" in result.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_a_store_locked_beyond_the_timeout_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ipscore_store(tmp_path / "h.db")
    monkeypatch.setattr(ipscore.store.connect, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another run holding the write lock
    try:
        result = invoke("notice", APRIL, "--out", tmp_path / "out", "--db", db, "--force")
        rank = invoke("rank", MAY, "--db", db, "-f", "json")
        history = invoke("history", "--db", db, "-f", "json")  # readers are not blocked
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2
    assert f"错误：{db}：历史库被其他进程占用超过 0.2 秒" in result.stderr
    assert not (tmp_path / "out").exists()  # found out before a circular was published
    assert rank.exit_code == 0 and "被其他进程占用" in rank.stderr
    assert history.exit_code == 0 and len(json.loads(history.stdout)) == 2


def test_environment_failures_are_sentences_with_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    cases = {
        sqlite3.OperationalError("database or disk is full"): "磁盘已满，历史库写入失败；请清理",
        sqlite3.OperationalError("attempt to write a readonly database"): "没有权限写入历史库",
        OSError(errno.EACCES, "Permission denied"): "请检查该文件和所在目录的权限",
        OSError(errno.ENOSPC, "No space left on device"): "磁盘已满",
        sqlite3.OperationalError("disk I/O error"): "磁盘读写错误",
        sqlite3.OperationalError("unable to open database file"): "无法打开历史库",
    }
    for exc, expected in cases.items():
        error = failure(db, exc, "写入")
        assert expected in error.message, (exc, error.message)
        assert error.problems[0].line().startswith(f"错误：{db}：")


# --------------------------------------------------------------------------------------------
# Read-only folders: history and trend read; writers are refused with a sentence


@pytest.fixture
def shared_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder whose sub-folders may be made read-only; made writable again afterwards."""
    yield tmp_path
    for path in [tmp_path, *tmp_path.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def run_unprivileged(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``ipscore ARGS`` in a child process that permission bits apply to."""
    command = [sys.executable, "-m", "ipscore", *map(str, args)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permission bits cannot be tested")
        drop = ["--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all", "--"]
        command = [setpriv, *drop, *command]
    env = {k: v for k, v in os.environ.items() if k != "IPSCORE_DB"}
    env["COLUMNS"] = "200"
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120
    )


def test_history_and_trend_work_in_a_read_only_folder(shared_dir: Path) -> None:
    folder = shared_dir / "archive"
    folder.mkdir()
    db = ipscore_store(folder / "ipscore.db")
    db.chmod(0o444)
    folder.chmod(0o555)
    before = sorted(p.name for p in folder.iterdir())
    history = run_unprivileged("history", "--db", db, "-f", "json", cwd=shared_dir)
    assert history.returncode == 0, history.stderr
    assert [m["month"] for m in json.loads(history.stdout)] == ["2019-04", "2019-05"]
    trend = run_unprivileged("trend", "--db", db, cwd=shared_dir)
    assert trend.returncode == 0, trend.stderr
    assert "3↑" in trend.stdout  # 临淄区, April 4th → May 3rd
    assert sorted(p.name for p in folder.iterdir()) == before  # no -wal, no -shm left


def test_writing_into_a_read_only_store_is_exit_2_naming_it(shared_dir: Path) -> None:
    folder = shared_dir / "archive"
    folder.mkdir()
    db = ipscore_store(folder / "ipscore.db")
    db.chmod(0o444)
    folder.chmod(0o555)
    out = shared_dir / "out"
    out.mkdir()
    out.chmod(0o777)
    result = run_unprivileged("notice", APRIL, "--out", out, "--db", db, cwd=shared_dir)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"错误：{db}：没有权限")
    assert "--db" in result.stderr and "Traceback" not in result.stderr
    assert list(out.iterdir()) == []  # found out before a circular was published
    rank = run_unprivileged("rank", MAY, "--db", db, "-f", "json", cwd=shared_dir)
    assert rank.returncode == 0 and "本次结果未记入历史" in rank.stderr


# --------------------------------------------------------------------------------------------
# Text from the store is shown as text


def test_history_shows_file_names_literally(tmp_path: Path) -> None:
    hostile = tmp_path / "[bold red]五月[link=x]\x1b]0;标题\x07.xlsx"
    shutil.copy(MAY, hostile)
    assert invoke("rank", hostile, "-q").exit_code == 0
    result = invoke("history")
    assert result.exit_code == 0, result.output
    assert "[bold red]五月[link=x]" in result.stdout
    assert "\\x1b]0;标题\\x07" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_concurrent_first_use_makes_one_store(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    errors: list[BaseException] = []

    def first() -> None:
        try:
            rank_recorded(MAY, load_scheme(), db=db, strict=True)
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=first) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM versions").fetchone() == (6,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
