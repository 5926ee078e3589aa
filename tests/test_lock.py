"""One run per output folder (ipscore.base.lock): waits, refusals, and a holder that dies."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ipscore.base.lock import LOCK_NAME, FolderBusy, folder_lock
from ipscore.base.problems import OutputError

HOLDER = """
import sys, time
from pathlib import Path
from ipscore.base.lock import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(folder: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the folder's lock for ``seconds``."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    return process


def test_the_lock_file_is_there_while_held_and_gone_after(tmp_path: Path) -> None:
    with folder_lock(tmp_path):
        assert stat.S_ISREG(os.lstat(tmp_path / LOCK_NAME).st_mode)
    assert list(tmp_path.iterdir()) == []


def test_a_second_holder_waits_then_gives_up(tmp_path: Path) -> None:
    holder = hold(tmp_path, 30)
    try:
        started = time.monotonic()
        with pytest.raises(FolderBusy) as caught, folder_lock(tmp_path, wait=0.3):
            pass
        assert 0.3 <= time.monotonic() - started < 5
        assert "另一个 ipscore 进程正在写入目录" in caught.value.problems[0].message
    finally:
        holder.kill()
        holder.wait()


def test_a_waiting_holder_gets_the_lock_when_the_first_lets_go(tmp_path: Path) -> None:
    holder = hold(tmp_path, 0.3)
    with folder_lock(tmp_path, wait=10):
        assert holder.poll() is not None or holder.wait(5) == 0
    holder.wait()
    assert list(tmp_path.iterdir()) == []


def test_a_killed_holder_leaves_the_folder_free(tmp_path: Path) -> None:
    holder = hold(tmp_path, 30)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (tmp_path / LOCK_NAME).exists()  # left behind, but nobody holds it
    with folder_lock(tmp_path, wait=0):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_symlink_or_fifo_planted_as_the_lock_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text("keep", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / LOCK_NAME).symlink_to(outside)
    with pytest.raises(OutputError) as caught, folder_lock(folder):
        pass
    assert "符号链接" in caught.value.problems[0].message
    assert outside.read_text(encoding="utf-8") == "keep"
    (folder / LOCK_NAME).unlink()
    os.mkfifo(folder / LOCK_NAME)
    with pytest.raises(OutputError), folder_lock(folder):  # refused, and no hang
        pass
