"""Safe file output (ipscore.base.files): never through a symlink, all or nothing, clear errors.

Every hostile setup is built here: symlinks pointing outside ``tmp_path``, folders, FIFOs and
devices in the target's place, a full disk (``os.write`` / ``os.fsync`` raising ENOSPC) and
folders that cannot be written.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

import ipscore.base.files as files
from ipscore.base.files import (
    append_text,
    ensure_folder,
    stage_bytes,
    write_atomic,
    write_bytes_atomic,
    write_text_atomic,
)
from ipscore.base.problems import OutputError

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file outside the test's own folder that a planted symlink points to."""
    path = tmp_path_factory.mktemp("outside") / "passwd"
    path.write_text("root:x:0:0\n", encoding="utf-8")
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def message(caught: pytest.ExceptionInfo[OutputError]) -> str:
    (problem,) = caught.value.problems
    return problem.line()


# --------------------------------------------------------------------------------------------
# Atomic replace


def test_replace_writes_the_bytes_with_0644_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    write_text_atomic(target, "排名,区县\n", "utf-8-sig")
    assert target.read_bytes() == "\ufeff排名,区县\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert leftovers(tmp_path) == []


def test_writer_gets_a_stream_and_its_failure_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    write_atomic(target, lambda stream: stream.write(b"first"))
    assert target.read_bytes() == b"first"

    def broken(stream) -> None:  # type: ignore[no-untyped-def]
        stream.write(b"half")
        raise ValueError("renderer bug")

    with pytest.raises(ValueError, match="renderer bug"):
        write_atomic(target, broken)
    assert target.read_bytes() == b"first"
    assert leftovers(tmp_path) == []


def test_symlink_target_is_refused_and_the_outside_file_untouched(
    tmp_path: Path, outside: Path
) -> None:
    target = tmp_path / "out.md"
    target.symlink_to(outside)
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(target, b"owned")
    assert "符号链接" in message(caught) and str(target) in message(caught)
    assert outside.read_text(encoding="utf-8") == "root:x:0:0\n"
    assert target.is_symlink() and os.readlink(target) == str(outside)
    assert leftovers(tmp_path) == []


def test_dangling_symlink_target_is_refused(tmp_path: Path, outside: Path) -> None:
    target = tmp_path / "out.md"
    target.symlink_to(outside.parent / "not-yet-there")
    with pytest.raises(OutputError):
        write_bytes_atomic(target, b"owned")
    assert not (outside.parent / "not-yet-there").exists()


def test_folder_and_fifo_targets_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "out.json"
    folder.mkdir()
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(folder, b"{}")
    assert "是一个目录" in message(caught)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(fifo, b"x")
    assert "不是普通文件" in message(caught)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path) == []


def test_a_symlink_planted_at_commit_time_is_refused(tmp_path: Path, outside: Path) -> None:
    # Staged contents wait beside their target; a link planted meanwhile is not replaced.
    target = tmp_path / "2019-05 通报.md"
    staged = stage_bytes(target, b"# circular\n")
    assert leftovers(tmp_path) == [staged.temp.name]
    assert staged.temp.name.startswith(".2019-05 通报.md.")
    target.symlink_to(outside)
    with pytest.raises(OutputError):
        staged.commit()
    assert outside.read_text(encoding="utf-8") == "root:x:0:0\n"
    assert leftovers(tmp_path) == []


def test_staged_commit_and_discard(tmp_path: Path) -> None:
    kept, dropped = tmp_path / "a.md", tmp_path / "b.md"
    first, second = stage_bytes(kept, b"A"), stage_bytes(dropped, b"B")
    assert not kept.exists() and not dropped.exists()
    first.commit()
    second.discard()
    assert kept.read_bytes() == b"A" and not dropped.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_full_disk_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    target = tmp_path / "排名.csv"
    target.write_bytes(b"old")

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, call, full)
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(target, b"new" * 1000)
    monkeypatch.undo()
    line = message(caught)
    assert "磁盘空间不足" in line and str(target) in line and "换一个目录" in line
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(ROOT, reason="root ignores folder permissions")
def test_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError) as caught:
            write_bytes_atomic(folder / "out.csv", b"x")
        with pytest.raises(OutputError):
            append_text(folder / "ipscore-notice.log", "x\n")
    finally:
        folder.chmod(0o755)
    assert "不可写" in message(caught) and "检查权限" in message(caught)
    assert list(folder.iterdir()) == []


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    # Works as root too: no permission bits involved.
    blocker = tmp_path / "report"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(blocker / "out.csv", b"x")
    assert "输出目录的位置上已有一个文件" in message(caught)  # said as it is, not "missing"
    with pytest.raises(OutputError) as caught:
        ensure_folder(blocker)
    assert "已有一个文件" in message(caught)
    assert blocker.read_text(encoding="utf-8") == "not a folder"


# --------------------------------------------------------------------------------------------
# Safe append (the cron log)


def test_append_creates_then_appends_one_line_per_call(tmp_path: Path) -> None:
    log = tmp_path / "ipscore-notice.log"
    append_text(log, "一\n")
    append_text(log, "二\n")
    assert log.read_text(encoding="utf-8") == "一\n二\n"
    assert stat.S_ISREG(os.lstat(log).st_mode)


def test_append_through_a_planted_symlink_is_refused(tmp_path: Path, outside: Path) -> None:
    log = tmp_path / "ipscore-notice.log"
    log.symlink_to(outside)
    with pytest.raises(OutputError) as caught:
        append_text(log, "owned\n")
    assert "符号链接" in message(caught)
    assert outside.read_text(encoding="utf-8") == "root:x:0:0\n"
    # A dangling link would have created the file it names.
    missing = outside.parent / "created-by-ipscore"
    log.unlink()
    log.symlink_to(missing)
    with pytest.raises(OutputError):
        append_text(log, "owned\n")
    assert not missing.exists()


def test_append_refuses_a_fifo_without_hanging_and_a_device(tmp_path: Path) -> None:
    fifo = tmp_path / "ipscore-notice.log"
    os.mkfifo(fifo)
    with pytest.raises(OutputError) as caught:
        append_text(fifo, "x\n")  # nobody reads the pipe: refused, not blocked
    assert "不是普通文件" in message(caught)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(OutputError):
            append_text(fifo, "x\n")  # somebody reads it: still not a log file
    finally:
        os.close(reader)
    device = tmp_path / "null.log"
    device.symlink_to("/dev/null")
    with pytest.raises(OutputError):
        append_text(device, "x\n")


def test_append_full_disk_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "write", full)
    with pytest.raises(OutputError) as caught:
        append_text(tmp_path / "ipscore-notice.log", "x\n")
    assert "磁盘空间不足" in message(caught)


def test_a_folder_that_refuses_new_files_is_not_called_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /proc and similar: the folder exists, creating a file in it gives ENOENT.
    def no_new_files(*_args: object, **_kwargs: object) -> int:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))

    monkeypatch.setattr(files.os, "open", no_new_files)
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(tmp_path / "x.csv", b"x")
    assert "无法在目录" in message(caught) and "不存在" not in message(caught)


# --------------------------------------------------------------------------------------------
# Leftover temporaries of writers that died


def test_a_dead_writers_temporary_is_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "排名.csv"
    stale = tmp_path / ".排名.csv.0123abcd.tmp"
    stale.write_bytes(b"half")
    other = tmp_path / ".其他.csv.0123abcd.tmp"  # another file's: not this write's business
    other.write_bytes(b"half")
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert leftovers(tmp_path) == [".其他.csv.0123abcd.tmp"]


def test_a_live_writers_temporary_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    staged = stage_bytes(target, b"first")  # holds its temporary's lock until commit
    write_bytes_atomic(target, b"second")
    assert staged.temp.exists()
    assert files.remove_stale_temps(tmp_path, lambda name: True) == []
    staged.commit()
    assert target.read_bytes() == b"first" and leftovers(tmp_path) == []


def test_only_regular_files_of_the_exact_pattern_are_removed(tmp_path: Path, outside: Path) -> None:
    names = {
        "stale": ".a.md.0123abcd.tmp",
        "upper": ".a.md.0123ABCD.tmp",
        "short": ".a.md.0123abc.tmp",
        "plain": ".a.md.tmp",
        "visible": "a.md.0123abcd.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"x")
    link = tmp_path / ".a.md.89abcdef.tmp"
    link.symlink_to(outside)
    folder = tmp_path / ".a.md.00000000.tmp"
    folder.mkdir()
    fifo = tmp_path / ".a.md.11111111.tmp"
    os.mkfifo(fifo)

    removed = files.remove_stale_temps(tmp_path, {"a.md"}.__contains__)
    assert removed == [tmp_path / names["stale"]]
    assert link.is_symlink() and outside.read_text(encoding="utf-8") == "root:x:0:0\n"
    assert folder.is_dir() and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    for key in ("upper", "short", "plain", "visible"):
        assert (tmp_path / names[key]).exists(), key
    assert files.temp_target(".a.md.0123abcd.tmp") == "a.md"
    assert files.temp_target(".a.md.tmp") is None


def test_a_units_name_as_a_file_name_holds_nothing_a_file_system_refuses() -> None:
    from ipscore.base.files import safe_file_stem

    assert safe_file_stem("张店区") == "张店区"
    assert safe_file_stem("a/b\u202e.") == "a_b_"  # separator, bidi override, trailing dot
    assert safe_file_stem(' ..\x1b:*?"<>| ') == "________"
    assert safe_file_stem(" . ") == "_"
