"""What ``-o`` (and ``--review``, ``--out``) refuse, and how environment errors end.

Refused before any work, exit status 2, one Chinese line: an input file or the history store
as the output (the same inode, so links count), an extension no writer knows, a folder or a
symlink in the output's place. A folder that cannot be written or a full disk while writing is
exit status 2 with a sentence naming the path — never "内部错误", never a traceback, never a
temporary file left behind.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES_DIR
from typer.testing import CliRunner

from ipscore.cli.common import app

MAY = SAMPLES_DIR / "2019-05.xlsx"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def one_error_line(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误："), lines
    assert "Traceback" not in result.output and "内部错误" not in result.output
    return lines[0]


@pytest.fixture
def may(tmp_path: Path) -> Path:
    return Path(shutil.copy(MAY, tmp_path / "2019-05.xlsx"))


def test_output_naming_the_input_is_refused_and_the_input_kept(may: Path) -> None:
    before = may.read_bytes()
    line = one_error_line(invoke("rank", may, "-o", may))
    assert "输入文件" in line and "同一个文件" in line
    assert may.read_bytes() == before


def test_output_hard_linked_to_the_input_is_refused(may: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias.xlsx"
    os.link(may, alias)
    line = one_error_line(invoke("rank", may, "-o", alias))
    assert "同一个文件" in line
    assert alias.read_bytes() == MAY.read_bytes()


def test_output_naming_prev_or_rules_is_refused(may: Path, tmp_path: Path) -> None:
    april = Path(shutil.copy(SAMPLES_DIR / "2019-04.xlsx", tmp_path / "2019-04.xlsx"))
    assert "同一个文件" in one_error_line(invoke("rank", may, "--prev", april, "-o", april))
    assert april.read_bytes() == (SAMPLES_DIR / "2019-04.xlsx").read_bytes()


def test_output_naming_the_store_is_refused_and_the_store_kept(may: Path, tmp_path: Path) -> None:
    store = tmp_path / "history.json"  # a store may have any name, even a writer's extension
    assert invoke("rank", may, "--db", store, "-f", "json").exit_code == 0
    before = store.read_bytes()
    line = one_error_line(invoke("rank", may, "--db", store, "-o", store))
    assert "历史库" in line
    assert store.read_bytes() == before
    months = json.loads(invoke("history", "--db", store, "-f", "json").stdout)
    assert [m["month"] for m in months] == ["2019-05"]
    # Not there yet: the path is the same, so the rank would create the store, then clobber it.
    fresh = tmp_path / "fresh.csv"
    assert "历史库" in one_error_line(invoke("rank", may, "--db", fresh, "-o", fresh))
    assert not fresh.exists()


def test_output_hard_linked_to_the_default_store_is_refused(
    may: Path, tmp_path: Path, _history_store: Path
) -> None:
    assert invoke("rank", may, "-f", "json").exit_code == 0  # the store now exists
    alias = tmp_path / "store.md"
    os.link(_history_store, alias)
    assert "历史库" in one_error_line(invoke("rank", may, "-o", alias))
    assert alias.read_bytes()[:16] == b"SQLite format 3\x00"


@pytest.mark.parametrize("name", ["x.pdf", "排名", "x.docx", "x.xls"])
def test_an_extension_no_writer_knows_is_refused(may: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    line = one_error_line(invoke("rank", may, "-o", target))
    assert "扩展名" in line and ".json" in line
    assert not target.exists()
    assert "扩展名" in one_error_line(invoke("assess", may, "-o", target))


def test_format_and_extension_must_agree(may: Path, tmp_path: Path) -> None:
    assert "不一致" in one_error_line(invoke("rank", may, "-f", "json", "-o", tmp_path / "r.csv"))
    assert "不一致" in one_error_line(invoke("rank", may, "-f", "xlsx", "-o", tmp_path / "r.txt"))
    assert not list(tmp_path.glob("r.*"))
    # Text formats may go to a .txt file; the extension alone picks the format.
    assert invoke("rank", may, "-f", "json", "-o", tmp_path / "r.txt").exit_code == 0
    assert json.loads((tmp_path / "r.txt").read_text(encoding="utf-8"))["month"] == "2019-05"
    assert invoke("rank", may, "-o", tmp_path / "r2.txt").exit_code == 0
    assert "高新区" in (tmp_path / "r2.txt").read_text(encoding="utf-8")


def test_output_that_is_a_folder_or_a_symlink_is_refused(may: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out.json"
    folder.mkdir()
    assert "是一个目录" in one_error_line(invoke("rank", may, "-o", folder))
    outside = tmp_path.parent / f"{tmp_path.name}-outside.csv"
    outside.write_text("keep", encoding="utf-8")
    try:
        link = tmp_path / "link.csv"
        link.symlink_to(outside)
        assert "符号链接" in one_error_line(invoke("rank", may, "-o", link))
        assert outside.read_text(encoding="utf-8") == "keep"
    finally:
        outside.unlink()


def test_output_folder_missing_or_a_file(may: Path, tmp_path: Path) -> None:
    line = one_error_line(invoke("rank", may, "-o", tmp_path / "nope" / "r.csv"))
    assert "输出目录不存在" in line
    line = one_error_line(invoke("rank", may, "-o", may / "r.csv"))
    assert "输出目录的位置上已有一个文件" in line  # said as it is, not "missing"


@pytest.mark.skipif(ROOT, reason="root ignores folder permissions")
def test_read_only_output_folder(may: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        line = one_error_line(invoke("rank", may, "-o", folder / "r.xlsx"))
        assert "输出目录不可写" in line and "检查权限" in line
        result = invoke("notice", may, "--out", folder / "通报", "--date", "2019-06-05")
        assert result.exit_code == 2 and "内部错误" not in result.output
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize(("call", "suffix"), [("write", "xlsx"), ("fsync", "csv")])
def test_full_disk_while_writing_is_exit_2_with_nothing_left(
    may: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, suffix: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, call, full)
    result = invoke("rank", may, "-o", out / f"排名.{suffix}")
    monkeypatch.setattr(os, call, getattr(os, call))
    gc.collect()
    line = one_error_line(result)
    assert "磁盘空间不足" in line and f"排名.{suffix}" in line
    assert list(out.iterdir()) == []
    assert unraisable == []  # no "Exception ignored in ZipFile.__del__"


def test_full_disk_during_notice_is_exit_2(
    may: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "通报"
    result = invoke("notice", may, "--out", out, "--date", "2019-06-05")
    assert result.exit_code == 2, result.output
    assert "磁盘空间不足" in result.stderr and "内部错误" not in result.output
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_os_error_outside_the_writers_is_exit_2(
    may: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Any OSError reaching the CLI (here: the output folder cannot be created) is named plainly.
    def denied(path: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "mkdir", denied)  # what Path.mkdir and the folder walk both call
    result = invoke("notice", may, "--out", tmp_path / "通报", "--date", "2019-06-05")
    assert result.exit_code == 2, result.output
    assert "内部错误" not in result.output and "Traceback" not in result.output
    assert "通报" in result.stderr and ("权限" in result.stderr or "不可写" in result.stderr)


# --------------------------------------------------------------------------------------------
# tally, template, merge


def test_tally_review_must_not_be_an_input(tmp_path: Path) -> None:
    records = tmp_path / "明细.csv"
    records.write_text("申请号,申请日,专利类型,申请人地址\n", encoding="utf-8")
    before = records.read_bytes()
    line = one_error_line(
        invoke(
            "tally", records, "--month", "2019-05", "-o", tmp_path / "o.xlsx", "--review", records
        )
    )
    assert "--review" in line and "输入文件" in line
    assert records.read_bytes() == before
    line = one_error_line(
        invoke(
            "tally",
            records,
            "--month",
            "2019-05",
            "-o",
            tmp_path / "o.xlsx",
            "--review",
            tmp_path / "r.txt",
        )
    )
    assert "--review" in line and ".csv" in line


def test_tally_output_must_be_xlsx_and_not_the_records(tmp_path: Path) -> None:
    records = tmp_path / "明细.xlsx"
    shutil.copy(MAY, records)
    assert "同一个文件" in one_error_line(
        invoke("tally", records, "--month", "2019-05", "-o", records)
    )
    assert ".xlsx" in one_error_line(
        invoke("tally", records, "--month", "2019-05", "-o", tmp_path / "o.pdf")
    )
    assert records.read_bytes() == MAY.read_bytes()


def test_merge_output_must_not_be_one_of_the_files(may: Path, tmp_path: Path) -> None:
    assert "同一个文件" in one_error_line(invoke("merge", may, "-o", may))
    assert may.read_bytes() == MAY.read_bytes()
    assert ".xlsx" in one_error_line(
        invoke("template", "--month", "2019-06", "-o", tmp_path / "t.pdf")
    )


def test_notice_log_symlink_is_refused_before_publishing(tmp_path: Path) -> None:
    inbox, out = tmp_path / "收件箱", tmp_path / "通报"
    inbox.mkdir()
    out.mkdir()
    shutil.copy(MAY, inbox)
    outside = tmp_path.parent / f"{tmp_path.name}-crontab"
    outside.write_text("keep\n", encoding="utf-8")
    try:
        (out / "ipscore-notice.log").symlink_to(outside)
        args = ("--inbox", inbox, "--out", out, "--date", "2019-07-05", "--settle", "0")
        result = invoke("notice", *args)
        line = one_error_line(result)
        assert "符号链接" in line and "ipscore-notice.log" in line
        assert outside.read_text(encoding="utf-8") == "keep\n"
        assert [p.name for p in out.iterdir()] == ["ipscore-notice.log"]  # nothing published
    finally:
        outside.unlink()
