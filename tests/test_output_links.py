"""Output folders given through a symbolic link are refused (ipscore.base.folders).

Every place ipscore writes -- ``notice --out`` (monthly, annual, ``--inbox`` with its log and
lock), ``-o`` of every command, ``template --per-county``, ``rules export DIR``, ``init DIR``
-- refuses a folder reached through a link in the working area: the output folder itself or a
folder on the way. Exit status 2, one line naming the link and where it points, and nothing
written at the link's target. A folder swapped for a link between the check and the write is
caught too. The links are made here, in the test's own folder; no root is needed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES_DIR
from typer.testing import CliRunner

from ipscore.base import files, folders
from ipscore.base.files import (
    append_text,
    ensure_folder,
    remove_if_unchanged,
    remove_stale_temps,
    stage_bytes,
    write_bytes_atomic,
)
from ipscore.base.folders import check_folder, open_folder
from ipscore.base.lock import folder_lock
from ipscore.base.problems import OutputError
from ipscore.cli.common import app

MAY = SAMPLES_DIR / "2019-05.xlsx"
ANNUAL = SAMPLES_DIR / "2019-annual.xlsx"


def message(caught: pytest.ExceptionInfo[OutputError]) -> str:
    return "\n".join(p.line() for p in caught.value.problems)


def tree(folder: Path) -> dict[str, bytes | None]:
    """Everything under ``folder`` (hidden files too), to compare before and after."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def make_link(link: Path, target: Path) -> None:
    try:
        link.symlink_to(target, target_is_directory=True)
    except OSError as exc:  # pragma: no cover - a system that refuses symlinks
        pytest.skip(f"cannot make a symbolic link here: {exc}")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder to run in, and beside it ``elsewhere/`` (with a real ``sub/`` and a
    file in it) that the planted links point to."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "sub").mkdir(parents=True)
    (elsewhere / "sub" / "kept.txt").write_text("not ipscore's\n", encoding="utf-8")
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def elsewhere(work: Path) -> Path:
    return work.parent / "elsewhere"


# --------------------------------------------------------------------------------------------
# The walk and the writers (ipscore.base)


def test_a_linked_output_folder_is_refused_naming_the_link_and_its_target(
    work: Path, elsewhere: Path
) -> None:
    make_link(work / "通报", elsewhere)
    before = tree(elsewhere)
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(Path("通报") / "r.csv", b"x")
    text = message(caught)
    assert text == (
        f"错误：输出目录 通报 是符号链接，指向 {elsewhere}；ipscore 不经符号链接写入"
        "（链接可能被人改指向别处），请改用真实目录的路径"
    )
    assert caught.value.problems[0].code == "output-refused"
    assert tree(elsewhere) == before


def test_a_link_on_the_way_is_named_as_the_part_it_is(work: Path, elsewhere: Path) -> None:
    make_link(work / "报表", elsewhere)
    before = tree(elsewhere)
    for call in (
        lambda: write_bytes_atomic(Path("报表/sub/r.csv"), b"x"),
        lambda: ensure_folder(Path("报表/sub/new")),
        lambda: append_text(Path("报表/sub/ipscore-notice.log"), "line\n"),
        lambda: check_folder(Path("报表/sub")),
    ):
        with pytest.raises(OutputError) as caught:
            call()
        assert "输出目录 报表/sub" in message(caught) and "中的 报表 是符号链接" in message(caught)
    assert tree(elsewhere) == before


def test_an_absolute_path_is_walked_from_the_first_folder_others_may_change(
    work: Path, elsewhere: Path
) -> None:
    # tmp_path is below /tmp (anyone may write there): every link below it is refused.
    shared = work.parent / "shared"
    shared.mkdir(mode=0o777)
    make_link(shared / "lnk", elsewhere)
    before = tree(elsewhere)
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(shared / "lnk" / "sub" / "r.csv", b"x")
    assert f"中的 {shared / 'lnk'} 是符号链接，指向 {elsewhere}" in message(caught)
    # The same path typed inside the working area (here: its absolute spelling) is checked.
    make_link(work / "通报", elsewhere)
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(work / "通报" / "r.csv", b"x")
    assert f"输出目录 {work / '通报'} 是符号链接" in message(caught)
    assert tree(elsewhere) == before


def test_links_only_root_can_change_are_followed_outside_the_working_area(
    work: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if every folder here were root's and closed to others (/home -> /data/home, macOS's
    # /tmp): a link outside the working area is the system's and is followed ...
    make_link(work.parent / "system-link", elsewhere)
    monkeypatch.setattr(folders, "_root_only", lambda fd: True)
    write_bytes_atomic(work.parent / "system-link" / "sub" / "r.csv", b"x")
    assert (elsewhere / "sub" / "r.csv").read_bytes() == b"x"
    # ... but never one in the working area, whoever owns it.
    make_link(work / "通报", elsewhere)
    with pytest.raises(OutputError):
        write_bytes_atomic(Path("通报") / "r.csv", b"y")
    with pytest.raises(OutputError):
        write_bytes_atomic(work / "通报" / "r.csv", b"y")
    assert (elsewhere / "sub" / "r.csv").read_bytes() == b"x"


def test_the_message_escapes_the_link_and_its_target(work: Path, elsewhere: Path) -> None:
    name = "通\x1b[2J报"
    (work / name).symlink_to(f"{elsewhere}\n错误：伪造的一行")
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(Path(name) / "r.csv", b"x")
    text = message(caught)
    assert "\n" not in text and "\x1b" not in text
    assert "通\\x1b[2J报 是符号链接" in text and "\\n错误：伪造的一行" in text


def test_a_file_on_the_way_and_a_missing_folder_say_so(work: Path) -> None:
    (work / "a").write_text("a file", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(Path("a/b/r.csv"), b"x")
    assert "输出目录 a/b 中的 a 不是目录" in message(caught)
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(Path("nope/r.csv"), b"x")
    assert "输出目录不存在：nope" in message(caught)
    check_folder(Path("nope/deeper"))  # missing is not refused before the write


def test_normal_folders_are_made_and_written_as_before(work: Path, tmp_path: Path) -> None:
    ensure_folder(Path("a/b/c"))
    write_bytes_atomic(Path("a/b/c/r.csv"), b"1")
    write_bytes_atomic(Path("r.csv"), b"2")
    append_text(Path("a/log"), "one\n")
    ensure_folder(tmp_path / "abs" / "x")
    write_bytes_atomic(tmp_path / "abs" / "x" / "r.csv", b"3")
    write_bytes_atomic(Path("a/../a/b/up.csv"), b"4")  # ".." is no link
    assert (work / "a/b/c/r.csv").read_bytes() == b"1"
    assert (work / "r.csv").read_bytes() == b"2"
    assert (work / "a/log").read_text(encoding="utf-8") == "one\n"
    assert (tmp_path / "abs/x/r.csv").read_bytes() == b"3"
    assert (work / "a/b/up.csv").read_bytes() == b"4"
    assert not [p for p in work.rglob("*.tmp")]


def test_the_lock_and_the_leftover_sweep_refuse_a_linked_folder(
    work: Path, elsewhere: Path
) -> None:
    stale = elsewhere / ".r.csv.0123abcd.tmp"  # looks like a dead writer's leftover
    stale.write_bytes(b"")
    make_link(work / "通报", elsewhere)
    before = tree(elsewhere)
    with pytest.raises(OutputError) as caught, folder_lock(Path("通报")):
        pass  # pragma: no cover - refused before the block
    assert "是符号链接" in message(caught)
    with pytest.raises(OutputError):
        remove_stale_temps(Path("通报"), lambda name: True)
    assert tree(elsewhere) == before and stale.exists()


def test_withdrawing_a_circular_refuses_a_linked_folder(work: Path, elsewhere: Path) -> None:
    import hashlib

    data = b"# 2019-05 circular\n"
    digest = hashlib.sha256(data).hexdigest()
    (elsewhere / "x.md").write_bytes(data)
    make_link(work / "通报", elsewhere)
    with pytest.raises(OutputError) as caught:
        remove_if_unchanged(Path("通报/x.md"), digest)
    assert "输出目录 通报 是符号链接" in message(caught)
    assert (elsewhere / "x.md").read_bytes() == data
    (work / "real").mkdir()
    (work / "real" / "x.md").write_bytes(data)
    assert remove_if_unchanged(Path("real/x.md"), digest) is True
    assert not (work / "real" / "x.md").exists()


def test_a_link_planted_as_a_folder_is_being_made_is_refused(
    work: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mkdir = os.mkdir

    def planted(path: str, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        os.symlink(str(elsewhere), path, dir_fd=dir_fd)  # someone was quicker
        real_mkdir(path, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "mkdir", planted)
    with pytest.raises(OutputError) as caught:
        ensure_folder(Path("通报"))
    assert f"输出目录 通报 是符号链接，指向 {elsewhere}" in message(caught)


# --------------------------------------------------------------------------------------------
# Swapped between the check and the write


def _swap_during_staging(
    monkeypatch: pytest.MonkeyPatch, folder: Path, elsewhere: Path, moved: Path
) -> None:
    """Once the first temporary has been created in ``folder``, move the folder to ``moved``
    and plant a link to ``elsewhere`` in its place."""
    real = files._create_temp
    done: list[bool] = []

    def create_then_swap(held: folders.Folder, path: Path) -> tuple[Path, int]:
        made = real(held, path)
        if not done:
            done.append(True)
            folder.rename(moved)
            folder.symlink_to(elsewhere, target_is_directory=True)
        return made

    monkeypatch.setattr(files, "_create_temp", create_then_swap)


def test_a_folder_swapped_for_a_link_after_staging_is_refused_at_commit(
    work: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (work / "通报").mkdir()
    before = tree(elsewhere)
    _swap_during_staging(monkeypatch, work / "通报", elsewhere, work / "moved")
    staged = stage_bytes(Path("通报/r.csv"), b"new")
    with pytest.raises(OutputError) as caught:
        staged.commit()
    assert f"输出目录 通报 是符号链接，指向 {elsewhere}" in message(caught)
    assert tree(elsewhere) == before
    assert list((work / "moved").iterdir()) == []  # the temporary went with the refusal


def test_a_folder_moved_away_after_staging_is_refused_not_written_elsewhere(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (work / "通报").mkdir()
    staged = stage_bytes(Path("通报/r.csv"), b"new")
    (work / "通报").rename(work / "moved")
    (work / "通报").mkdir()  # another folder of the same name
    with pytest.raises(OutputError) as caught:
        staged.commit()
    assert "输出目录 通报 在写入过程中被移走或替换，本次未写入" in message(caught)
    assert list((work / "moved").iterdir()) == [] and list((work / "通报").iterdir()) == []


def test_the_held_folder_is_the_one_written_even_when_its_name_changes(work: Path) -> None:
    (work / "通报").mkdir()
    with open_folder(Path("通报")) as held:
        (work / "通报").rename(work / "moved")
        fd = os.open("x", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=held.fd)
        os.close(fd)
    assert (work / "moved" / "x").exists()


# --------------------------------------------------------------------------------------------
# Every writing command


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def _inbox(work: Path) -> Path:
    inbox = work / "收件箱"
    inbox.mkdir(exist_ok=True)
    shutil.copy(MAY, inbox / "2019-05.xlsx")
    os.utime(inbox / "2019-05.xlsx", (1, 1))  # settled long ago
    return inbox


def _records(work: Path) -> Path:
    records = work / "明细.csv"
    records.write_text("申请号,申请日,专利类型,申请人地址\n", encoding="utf-8")
    return records


DB = ("--db", "h.db")
# Each command with {dir}: the folder it writes into (or makes, for init and --per-county).
COMMANDS = {
    "rank": ["rank", MAY, "-o", "{dir}/r.csv", *DB],
    "assess": ["assess", ANNUAL, "-o", "{dir}/a.md"],
    "explain": ["explain", MAY, "张店", "-o", "{dir}/e.md"],
    "validate": ["validate", MAY, "-o", "{dir}/v.json"],
    "history": ["history", *DB, "-o", "{dir}/h.csv"],
    "trend": ["trend", *DB, "-o", "{dir}/t.xlsx"],
    "tally": ["tally", "明细.csv", "--month", "2019-05", "-o", "{dir}/t.xlsx"],
    "merge": ["merge", MAY, "-o", "{dir}/m.xlsx"],
    "template": ["template", "--month", "2019-06", "-o", "{dir}/t.xlsx"],
    "template-per-county": ["template", "--month", "2019-06", "-o", "{dir}", "--per-county"],
    "notice": ["notice", MAY, "--out", "{dir}", "--date", "2019-06-05", *DB],
    "notice-annual": ["notice", ANNUAL, "--out", "{dir}", "--date", "2020-01-05", *DB],
    "notice-inbox": ["notice", "--inbox", "收件箱", "--out", "{dir}", "--settle", "0", *DB],
    "brief": ["brief", MAY, "-o", "{dir}/b.docx", "--date", "2019-06-05", *DB],
    "status": ["status", "--inbox", "收件箱", "--date", "2019-06-05", "-o", "{dir}/s.csv"],
    "robust": ["robust", MAY, "--runs", "20", "-o", "{dir}/r.json"],
    "rules-export": ["rules", "export", "{dir}"],
    "init": ["init", "{dir}/局"],
}


def _run(name: str, folder: str, work: Path):  # type: ignore[no-untyped-def]
    _inbox(work)
    _records(work)
    args = [str(a).replace("{dir}", folder) for a in COMMANDS[name]]
    return invoke(*args)


@pytest.mark.parametrize("name", list(COMMANDS))
@pytest.mark.parametrize("folder", ["通报", "通报/sub"], ids=["out-folder", "on-the-way"])
def test_every_writing_command_refuses_a_linked_folder(
    name: str, folder: str, work: Path, elsewhere: Path
) -> None:
    make_link(work / "通报", elsewhere)
    before = tree(elsewhere)
    result = _run(name, folder, work)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), result.stderr
    assert "通报 是符号链接" in lines[0] and f"指向 {elsewhere}" in lines[0], lines[0]
    assert "Traceback" not in result.output and "内部错误" not in result.output
    assert tree(elsewhere) == before


def test_a_history_store_in_a_linked_folder_is_refused(work: Path, elsewhere: Path) -> None:
    make_link(work / "链接", elsewhere)
    before = tree(elsewhere)
    result = invoke("rank", MAY, "--db", "链接/h.db", "-f", "json")
    assert result.exit_code == 2, result.output
    assert f"输出目录 链接 是符号链接，指向 {elsewhere}" in result.stderr
    assert tree(elsewhere) == before


@pytest.mark.parametrize("name", ["rank", "notice", "notice-inbox", "rules-export", "init"])
def test_the_same_commands_write_into_a_real_folder(name: str, work: Path) -> None:
    (work / "通报" / "sub").mkdir(parents=True)
    result = _run(name, "通报/sub", work)
    assert result.exit_code == 0, result.output
    assert [p for p in (work / "通报" / "sub").rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", ["rank", "notice", "notice-inbox"])
def test_a_folder_swapped_for_a_link_while_writing_is_refused(
    name: str, work: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (work / "通报").mkdir()
    before = tree(elsewhere)
    _swap_during_staging(monkeypatch, work / "通报", elsewhere, work / "moved")
    result = _run(name, "通报", work)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "内部错误" not in result.output
    assert f"输出目录 通报 是符号链接，指向 {elsewhere}" in result.stderr, result.stderr
    assert tree(elsewhere) == before
    assert not [p for p in (work / "moved").iterdir() if p.name.endswith(".tmp")]
    if name.startswith("notice"):  # refused before the store recorded anything as published
        history = invoke("history", "-f", "json", *DB)
        assert history.exit_code == 0 and json.loads(history.stdout) == [], history.output


def test_a_folder_swapped_after_the_last_file_is_staged_records_nothing(
    work: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One file (md only): the swap comes after the set's last temporary, so only the check
    before recording catches it; the store then holds no publication a rename could not keep."""
    (work / "通报").mkdir()
    _swap_during_staging(monkeypatch, work / "通报", elsewhere, work / "moved")
    args = ["notice", MAY, "--out", "通报", "--date", "2019-06-05", "--formats", "md", *DB]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "输出目录 通报 是符号链接" in result.stderr
    history = invoke("history", "-f", "json", *DB)
    assert history.exit_code == 0 and json.loads(history.stdout) == [], history.output
