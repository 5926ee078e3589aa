"""A Word document made into PDF or PNG by LibreOffice (``soffice --headless --convert-to``).

The conversion runs in a private temporary folder with its own LibreOffice profile (so it
neither waits for nor disturbs a LibreOffice the user has open) and a time limit. A PNG is the
PDF's page rendered by ``pdftoppm`` (poppler) at 150 dpi, or, without it, LibreOffice's own PNG
export (which needs its graphics filters; the "nogui" packages lack them). When a tool is
missing or the conversion fails, the error says so in Chinese and says what to do instead
(``-o 简报.docx``); nothing is written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ipscore.base.problems import OutputError, Problem

TIMEOUT = 180  # seconds; a first start of LibreOffice builds its profile
_WINDOWS = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)


def soffice() -> str | None:
    """The LibreOffice program: ``IPSCORE_SOFFICE``, ``soffice`` or ``libreoffice`` on the PATH,
    or the usual Windows install folder."""
    named = os.environ.get("IPSCORE_SOFFICE")
    if named:
        return named if Path(named).is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((path for path in _WINDOWS if Path(path).is_file()), None)


def _refuse(message: str) -> OutputError:
    return OutputError([Problem("office-unavailable", message)])


def convert(docx: bytes, fmt: str) -> bytes:
    """``docx`` as ``pdf`` or ``png`` (the first page) bytes."""
    if fmt != "png":
        return _soffice(docx, fmt)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return _soffice(docx, "png")
    pdf = _soffice(docx, "pdf")
    with tempfile.TemporaryDirectory(prefix="ipscore-office-") as folder:
        source = Path(folder) / "brief.pdf"
        source.write_bytes(pdf)
        target = Path(folder) / "page"
        command = [pdftoppm, "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile"]
        try:
            done = subprocess.run(
                [*command, str(source), str(target)],
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            done = None
        page = target.with_suffix(".png")
        if done is None or done.returncode != 0 or not page.is_file():
            raise _refuse("pdftoppm 未能把简报的 PDF 转为 PNG；可改用 -o 简报.pdf")
        return page.read_bytes()


def _soffice(docx: bytes, fmt: str) -> bytes:
    """``docx`` converted by LibreOffice to ``fmt``."""
    exe = soffice()
    if exe is None:
        raise _refuse(
            f"生成 {fmt.upper()} 需要 LibreOffice（soffice），本机没有找到；"
            "请安装 LibreOffice（或用环境变量 IPSCORE_SOFFICE 指明 soffice 的位置），"
            "或改用 -o 简报.docx 生成 Word 文件"
        )
    with tempfile.TemporaryDirectory(prefix="ipscore-office-") as folder:
        work = Path(folder)
        source = work / "brief.docx"
        source.write_bytes(docx)
        command = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=TIMEOUT, check=False, cwd=folder
            )
        except subprocess.TimeoutExpired:
            raise _refuse(
                f"LibreOffice 在 {TIMEOUT} 秒内没有完成转换；请稍后重试，或改用 -o 简报.docx"
            ) from None
        except OSError as exc:
            raise _refuse(f"无法运行 LibreOffice（{exe}）：{exc.strerror or exc}") from None
        result = work / "out" / f"brief.{fmt}"
        if done.returncode != 0 or not result.is_file():
            said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            detail = f"：{said.splitlines()[-1]}" if said else ""
            raise _refuse(
                f"LibreOffice 未能把简报转换为 {fmt.upper()}（退出状态 {done.returncode}）"
                f"{detail}；可改用 -o 简报.docx"
            )
        return result.read_bytes()
