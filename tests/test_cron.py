"""The cron inbox in a hostile world: half-copied files, bad months, two runs at once, a
locked folder, leftovers of killed runs, a full disk and a store that cannot be written.

Every file is built here; the two-process test starts real ``ipscore`` processes.
"""

from __future__ import annotations

import errno
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MAY_ROWS, SAMPLES_DIR, write_month
from typer.testing import CliRunner

from ipscore.base.lock import folder_lock
from ipscore.cli.common import app

MAY = SAMPLES_DIR / "2019-05.xlsx"
APRIL = SAMPLES_DIR / "2019-04.xlsx"
JUNE = SAMPLES_DIR / "2019-06.xlsx"
STEM = "发明专利申请情况通报"


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def cron(inbox: Path, out: Path, *extra: str, settle: str = "0"):
    args = ("--inbox", inbox, "--out", out, "--date", "2019-07-05", "--formats", "md")
    return invoke("notice", *args, "--settle", settle, *extra)


def log_lines(out: Path) -> list[str]:
    return (out / "ipscore-notice.log").read_text(encoding="utf-8").splitlines()


def history_months() -> list[str]:
    result = invoke("history", "-f", "json")
    assert result.exit_code == 0, result.output
    return [m["month"] for m in json.loads(result.stdout)]


def circulars(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if STEM in p.name) if out.exists() else []


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "收件箱"
    folder.mkdir()
    return folder


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "通报"


# --------------------------------------------------------------------------------------------
# A file still being copied


def may_csv(target: int = 100) -> bytes:
    lines = ["2019年1-5月各区县发明专利申请情况统计表"]
    lines.append("序号,区县,本月发明专利申请量,1-5月累计,去年同期累计,年度目标")
    for serial, (county, month, ytd, last, annual) in enumerate(MAY_ROWS, start=1):
        lines.append(f"{serial},{county},{month},{ytd},{last},{annual}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_half_copied_csv_is_not_taken(inbox: Path, out: Path) -> None:
    whole = may_csv()
    assert whole.endswith(b",32,100\n")  # 文昌湖区's annual target is the last figure
    half = whole[: -len(b"00\n")]  # the copy has got as far as "…,32,1"
    (inbox / "2019-05.csv").write_bytes(half)
    # Taken now, it would say 文昌湖区's target is 1 and its completion 4000%.
    rank = invoke("rank", inbox / "2019-05.csv", "-f", "json", "--db", out.parent / "x.db")
    row = next(r for r in json.loads(rank.stdout)["rows"] if r["county"] == "文昌湖区")
    assert (row["annual_target"], row["completion_pct"]) == (1, 4000.0)

    result = cron(inbox, out, settle="60")  # the default: a minute
    assert result.exit_code == 0, result.output
    (line,) = log_lines(out)
    assert "等待 2019-05 来源 2019-05.csv：正在写入，下次处理" in line
    assert circulars(out) == [] and history_months() == []

    (inbox / "2019-05.csv").write_bytes(whole)  # the copy finishes …
    result = cron(inbox, out, settle="60")
    assert "正在写入" in log_lines(out)[-1] and circulars(out) == []
    time.sleep(0.3)  # … and nothing changes for the settle time
    result = cron(inbox, out, settle="0.25")
    assert result.exit_code == 0, result.output
    assert "成功 2019-05 来源 2019-05.csv" in log_lines(out)[-1]
    text = (out / f"2019-05 {STEM}.md").read_text(encoding="utf-8")
    assert "| 文昌湖区 | 10 | 40 | 32 | 25.00 | 100 | 40.00" in text  # target 100, not 1


def test_a_file_that_changes_while_read_is_not_published(
    inbox: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ipscore.app.notice as notice

    shutil.copy(MAY, inbox)
    real = notice.rank_month

    def rank_month(path, *args, **kwargs):  # the copy goes on while ipscore reads
        ranking = real(path, *args, **kwargs)
        with open(path, "ab") as handle:
            handle.write(b"more")
        return ranking

    monkeypatch.setattr(notice, "rank_month", rank_month)
    result = cron(inbox, out)
    assert result.exit_code == 0, result.output
    assert (
        "等待 2019-05 来源 2019-05.xlsx：正在写入，下次处理（读取时文件在变化）"
        in log_lines(out)[-1]
    )
    assert circulars(out) == [] and history_months() == []


def test_a_file_still_being_written_holds_back_the_months_after_it(inbox: Path, out: Path) -> None:
    shutil.copy(APRIL, inbox)
    shutil.copy(JUNE, inbox)
    time.sleep(0.6)  # April and June have settled …
    (inbox / "2019-05.xlsx").write_bytes(MAY.read_bytes()[:1000])  # … May is arriving
    assert cron(inbox, out, settle="0.5").exit_code == 0
    assert "成功 2019-04" in log_lines(out)[-1]
    assert cron(inbox, out, settle="60").exit_code == 0
    assert (
        "等待 2019-05 来源 2019-05.xlsx：正在写入，下次处理（以后的月份也等下次）"
        in log_lines(out)[-1]
    )
    assert circulars(out) == [f"2019-04 {STEM}.md"]  # June waits for May's rank change

    shutil.copy(MAY, inbox / "2019-05.xlsx")
    time.sleep(0.3)
    assert cron(inbox, out, settle="0.25").exit_code == 0
    assert "成功 2019-05" in log_lines(out)[-1]
    assert cron(inbox, out, settle="0.25").exit_code == 0
    assert "成功 2019-06 来源 2019-06.xlsx，写入 1 个文件（含位次变化）" in log_lines(out)[-1]


# --------------------------------------------------------------------------------------------
# A bad month does not block the months after it


def bad_may(folder: Path) -> Path:
    rows = [list(r) for r in MAY_ROWS]
    rows[3][2] = "abc"  # 临淄区's cumulative count, cell D7
    return write_month(folder, [tuple(r) for r in rows], name="2019-05.xlsx")


def test_a_bad_month_is_logged_and_skipped_and_later_months_go_on(inbox: Path, out: Path) -> None:
    shutil.copy(APRIL, inbox)
    bad_may(inbox)
    shutil.copy(JUNE, inbox)

    first = cron(inbox, out)
    assert first.exit_code == 0, first.output
    assert "成功 2019-04 来源 2019-04.xlsx" in log_lines(out)[-1]

    second = cron(inbox, out)
    assert second.exit_code == 2  # June is out, but May still needs a person
    may_line, june_line = log_lines(out)[1:]
    assert may_line.endswith("本月跳过")
    assert "错误 2019-05 来源 2019-05.xlsx：" in may_line and "D7" in may_line and "abc" in may_line
    assert "成功 2019-06 来源 2019-06.xlsx" in june_line
    assert "上月（2019-05）的统计表 2019-05.xlsx 无法读取，位次变化为 —" in june_line
    assert "错误 2019-05" in second.stderr and "成功 2019-06" in second.stderr
    assert circulars(out) == [f"2019-04 {STEM}.md", f"2019-06 {STEM}.md"]
    assert history_months() == ["2019-04", "2019-06"]

    third = cron(inbox, out)  # every run says so until May is corrected
    assert third.exit_code == 2
    assert len(log_lines(out)) == 4 and "错误 2019-05" in log_lines(out)[-1]

    shutil.copy(MAY, inbox / "2019-05.xlsx")  # the corrected sheet
    fourth = cron(inbox, out)
    assert fourth.exit_code == 0, fourth.output
    assert "成功 2019-05 来源 2019-05.xlsx，写入 1 个文件（含位次变化）" in log_lines(out)[-1]
    assert history_months() == ["2019-04", "2019-05", "2019-06"]
    assert "无待处理月份" in log_lines(out)[-1] or cron(inbox, out).exit_code == 0


def test_undatable_damaged_and_doubled_files_do_not_stop_the_run(inbox: Path, out: Path) -> None:
    write_month(inbox, name="说明.xlsx", title="各区县统计表")  # no month anywhere
    (inbox / "2019-03.xlsx").write_bytes(b"not a workbook at all")
    shutil.copy(APRIL, inbox / "2019-04.xlsx")
    shutil.copy(APRIL, inbox / "2019年4月.xlsx")
    shutil.copy(MAY, inbox)

    result = cron(inbox, out)
    assert result.exit_code == 2
    lines = log_lines(out)
    assert any(x.startswith(lines[0][:19]) for x in lines)  # one run, one time stamp
    text = "\n".join(lines)
    assert "错误 月份未知 来源 说明.xlsx：" in text
    assert "错误 2019-04 来源 2019-04.xlsx、2019年4月.xlsx：收件箱中 2019-04 有多个文件" in text
    assert "错误 2019-03 来源 2019-03.xlsx：" in text and "本月跳过" in text
    assert "成功 2019-05 来源 2019-05.xlsx" in lines[-1]
    assert circulars(out) == [f"2019-05 {STEM}.md"]
    for line in lines:  # each line names its month (or says it is unknown) and its file
        assert "来源 " in line


# --------------------------------------------------------------------------------------------
# One run at a time


DRIVER = """
import sys, time
import ipscore.app.inbox as inbox
real = inbox.write_set
def slow(*args, **kwargs):
    time.sleep(0.5)  # long enough for the other run to arrive while this one publishes
    return real(*args, **kwargs)
inbox.write_set = slow
from ipscore.cli.common import main
sys.argv = ["ipscore", *sys.argv[1:]]
main()
"""


def test_two_runs_at_once_publish_and_log_each_month_once(
    inbox: Path, out: Path, tmp_path: Path
) -> None:
    shutil.copy(APRIL, inbox)
    shutil.copy(MAY, inbox)
    db = tmp_path / "h.db"
    args = [*("notice", "--inbox", inbox, "--out", out, "--db", db), "--settle", "0"]
    args += ["--formats", "md", "--date", "2019-07-05"]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", DRIVER, *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=60)
        assert run.returncode == 0, stderr
    lines = log_lines(out)
    assert sum("成功 2019-04" in x for x in lines) == 1, lines
    assert sum("成功 2019-05" in x for x in lines) == 1, lines
    assert len(lines) == 2
    assert circulars(out) == [f"2019-04 {STEM}.md", f"2019-05 {STEM}.md"]
    result = invoke("history", "-f", "json", "--db", db)
    assert [m["month"] for m in json.loads(result.stdout)] == ["2019-04", "2019-05"]
    assert not (out / ".ipscore-notice.lock").exists()


def test_a_run_finding_the_folder_locked_says_so_and_exits_0(
    inbox: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ipscore.app.inbox

    monkeypatch.setattr(ipscore.app.inbox, "LOCK_WAIT", 0.2)
    shutil.copy(MAY, inbox)
    out.mkdir()
    with folder_lock(out):
        result = cron(inbox, out)
    assert result.exit_code == 0, result.output
    (line,) = log_lines(out)
    assert (
        "跳过：另一个 ipscore 进程正在处理此输出目录（等待 0.2 秒仍未结束），本次未做改动" in line
    )
    assert circulars(out) == [] and history_months() == []
    assert cron(inbox, out).exit_code == 0  # the lock went with its holder
    assert circulars(out) == [f"2019-05 {STEM}.md"]


def test_a_manual_notice_into_a_locked_folder_is_refused(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ipscore.app.notice

    monkeypatch.setattr(ipscore.app.notice, "LOCK_WAIT", 0.2)
    out.mkdir()
    with folder_lock(out):
        result = invoke("notice", MAY, "--out", out, "--formats", "md")
    assert result.exit_code == 2
    assert "另一个 ipscore 进程正在写入目录" in result.stderr
    assert circulars(out) == []


# --------------------------------------------------------------------------------------------
# Leftovers of killed runs, a full disk, a store that cannot be written


def test_stale_temporaries_are_removed_and_nothing_else(
    inbox: Path, out: Path, tmp_path: Path
) -> None:
    shutil.copy(MAY, inbox)
    out.mkdir()
    stale = out / f".2019-04 {STEM}.docx.0123abcd.tmp"
    stale.write_bytes(b"half a docx")
    outside = tmp_path / "outside.txt"
    outside.write_text("keep", encoding="utf-8")
    planted = out / f".2019-03 {STEM}.md.89abcdef.tmp"
    planted.symlink_to(outside)
    foreign = out / ".notes.txt.0123abcd.tmp"  # not a circular's temporary
    foreign.write_text("someone else's", encoding="utf-8")
    folder = out / f".2019-02 {STEM}.md.00000000.tmp"
    folder.mkdir()

    result = cron(inbox, out)
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert planted.is_symlink() and outside.read_text(encoding="utf-8") == "keep"
    assert foreign.exists() and folder.is_dir()
    assert f"清理 上次中断留下的临时文件 .2019-04 {STEM}.docx.0123abcd.tmp" in log_lines(out)[0]


def test_a_full_disk_leaves_nothing_published_and_nothing_recorded(
    inbox: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ipscore.base.files as files

    shutil.copy(MAY, inbox)
    out.mkdir()
    real = files.os.write
    written: list[int] = []

    def write(fd: int, data) -> int:
        if len(data) > 1000:  # the circular files, not the log line
            written.append(fd)
            if len(written) == 2:  # the docx is staged; the xlsx finds the disk full
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(files.os, "write", write)
    result = cron(inbox, out, "--formats", "docx,xlsx,md")
    assert result.exit_code == 2
    assert "磁盘空间不足" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ipscore-notice.log"]
    assert history_months() == []
    assert "失败 2019-05 来源 2019-05.xlsx：磁盘空间不足" in log_lines(out)[-1]
    monkeypatch.setattr(files.os, "write", real)
    assert cron(inbox, out).exit_code == 0
    assert circulars(out) == [f"2019-05 {STEM}.md"]


def locked_store(db: Path) -> sqlite3.Connection:
    """Another process's connection holding the store's write lock."""
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.mark.parametrize("when", ["at the start", "at the commit"])
def test_a_locked_store_leaves_nothing_published_and_nothing_recorded(
    inbox: Path, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    import ipscore.app.fileset as fileset
    import ipscore.store.connect

    shutil.copy(APRIL, inbox)
    shutil.copy(MAY, inbox)
    db = tmp_path / "h.db"
    assert cron(inbox, out, "--db", db).exit_code == 0  # April published; the store exists
    monkeypatch.setattr(ipscore.store.connect, "BUSY_TIMEOUT_MS", 200)
    holders: list[sqlite3.Connection] = []
    if when == "at the start":
        holders.append(locked_store(db))
    else:  # another run takes the lock while this one stages its files
        real = fileset.stage_bytes

        def stage_bytes(path: Path, data: bytes):
            if not holders:
                holders.append(locked_store(db))
            return real(path, data)

        monkeypatch.setattr(fileset, "stage_bytes", stage_bytes)
    try:
        result = cron(inbox, out, "--db", db, "--formats", "docx,xlsx,md")
    finally:
        for holder in holders:
            holder.execute("ROLLBACK")
            holder.close()
    assert result.exit_code == 2
    assert "历史库被其他进程占用超过 0.2 秒" in result.stderr
    assert "失败" in log_lines(out)[-1] and "被其他进程占用" in log_lines(out)[-1]
    if when == "at the commit":  # met while adding April's docx and xlsx: the line says so
        assert "失败 2019-04 来源 2019-04.xlsx：" in log_lines(out)[-1]
    assert sorted(p.name for p in out.iterdir()) == [f"2019-04 {STEM}.md", "ipscore-notice.log"]
    history = invoke("history", "-f", "json", "--db", db, "--all")
    assert [m["month"] for m in json.loads(history.stdout)] == ["2019-04"]
    assert cron(inbox, out, "--db", db).exit_code == 0  # the lock gone, May goes out
    assert "成功 2019-05" in log_lines(out)[-1]


# --------------------------------------------------------------------------------------------
# The store is the truth: a recorded file that is missing is written again from it


def test_a_missing_published_file_is_written_again_from_the_store(
    inbox: Path, out: Path, tmp_path: Path
) -> None:
    shutil.copy(MAY, inbox)
    assert cron(inbox, out, "--formats", "md,xlsx").exit_code == 0
    md, xlsx = out / f"2019-05 {STEM}.md", out / f"2019-05 {STEM}.xlsx"
    published = md.read_bytes(), xlsx.read_bytes()
    md.unlink()
    xlsx.unlink()
    (inbox / "2019-05.xlsx").write_bytes(b"the inbox file replaced by something else")
    outside = tmp_path / "outside"
    outside.write_text("keep", encoding="utf-8")
    xlsx.symlink_to(outside)  # a name taken by something else is left alone

    result = cron(inbox, out, "--formats", "md,xlsx")
    assert result.exit_code == 0, result.output
    assert md.read_bytes() == published[0]  # as published, not re-rendered from today's data
    assert xlsx.is_symlink() and outside.read_text(encoding="utf-8") == "keep"
    lines = log_lines(out)[1:]
    assert lines[0].endswith(f"补齐 2019-05 文件 2019-05 {STEM}.md：上次运行中断，按历史库重新写入")
    assert "无待处理月份" in lines[-1]

    xlsx.unlink()
    md.write_text("edited by hand", encoding="utf-8")
    assert cron(inbox, out, "--formats", "md,xlsx").exit_code == 0
    assert xlsx.read_bytes() == published[1]
    assert md.read_text(encoding="utf-8") == "edited by hand"  # never overwritten


def test_a_store_of_schema_2_is_upgraded_and_its_folder_adopted(
    inbox: Path, out: Path, tmp_path: Path
) -> None:
    from ipscore.store import schema

    shutil.copy(APRIL, inbox)
    shutil.copy(MAY, inbox)
    db = tmp_path / "h.db"
    assert cron(inbox, out, "--db", db).exit_code == 0  # April published
    april = (out / f"2019-04 {STEM}.md").read_bytes()
    with sqlite3.connect(db) as conn:  # as the previous ipscore left it: no publications
        conn.execute("DROP TABLE publications")
        conn.execute("PRAGMA user_version = 2")
    assert schema.SCHEMA_VERSION == 3

    result = cron(inbox, out, "--db", db, "-v")
    assert result.exit_code == 0, result.output
    adopted, published = result.stdout.splitlines()[:2]
    assert adopted.startswith("补记 2019-04 来源 2019-04.xlsx：通报已存在（未改动）")
    assert published.startswith("成功 2019-05 来源 2019-05.xlsx")
    assert (out / f"2019-04 {STEM}.md").read_bytes() == april
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (3,)
        names = {row[0] for row in conn.execute("SELECT name FROM publications")}
        numbers = conn.execute("SELECT number, subject FROM doc_numbers ORDER BY number")
        assert numbers.fetchall() == [(1, "2019-04 月度通报"), (2, "2019-05 月度通报")]
    assert names == {f"2019-04 {STEM}.md", f"2019-05 {STEM}.md"}
