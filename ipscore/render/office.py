"""The brief as PDF or PNG: LibreOffice makes the PDF (:mod:`ipscore.render.pdf`, the one home
of ``soffice --headless``), ``pdftoppm`` (poppler) renders its page as a 150 dpi PNG.

When a tool is missing or a conversion fails the error says so in Chinese and what to do
instead (``-o 简报.docx``, ``-o 简报.pdf``); nothing is written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ipscore.base.problems import InputError, OutputError, Problem
from ipscore.render.pdf import TIMEOUT_SECONDS, find_soffice, to_pdf


def soffice() -> str | None:
    """The LibreOffice program: ``IPSCORE_SOFFICE`` when set, else as :mod:`.pdf` finds it."""
    named = os.environ.get("IPSCORE_SOFFICE")
    if named:
        return named if Path(named).is_file() else None
    return find_soffice()


def _refuse(message: str) -> OutputError:
    return OutputError([Problem("office-unavailable", message)])


def require(fmt: str) -> None:
    """Refuse a PDF or PNG before any work when LibreOffice (or, for PNG, pdftoppm) is missing."""
    if soffice() is None:
        raise _refuse(
            f"生成 {fmt.upper()} 需要 LibreOffice（soffice），本机没有找到；"
            "请安装 LibreOffice（或用环境变量 IPSCORE_SOFFICE 指明 soffice 的位置），"
            "或改用 -o 简报.docx 生成 Word 文件"
        )
    if fmt == "png" and shutil.which("pdftoppm") is None:
        raise _refuse(
            "生成 PNG 需要 pdftoppm（poppler-utils），本机没有找到；"
            "请安装后重试，或改用 -o 简报.pdf"
        )


def convert(docx: bytes, fmt: str, fonts: Mapping[str, Sequence[str]]) -> bytes:
    """``docx`` as ``pdf`` or ``png`` (its first page) bytes; ``fonts`` are the document's
    font chains, so LibreOffice finds a stand-in for a name the machine lacks."""
    require(fmt)
    try:
        pdf = to_pdf({"简报.docx": docx}, fonts, soffice=soffice())["简报.docx"]
    except InputError as exc:
        said = exc.problems[0].message.split("；")[0] if exc.problems else ""
        raise _refuse(f"{said}；可改用 -o 简报.docx") from None
    if fmt == "pdf":
        return pdf
    with tempfile.TemporaryDirectory(prefix="ipscore-png-") as folder:
        source, target = Path(folder) / "brief.pdf", Path(folder) / "page"
        source.write_bytes(pdf)
        command = [shutil.which("pdftoppm") or "pdftoppm", "-png", "-r", "150", "-singlefile"]
        try:
            done = subprocess.run(
                [*command, "-f", "1", "-l", "1", str(source), str(target)],
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            done = None
        page = target.with_suffix(".png")
        if done is None or done.returncode != 0 or not page.is_file():
            raise _refuse("pdftoppm 未能把简报的 PDF 转为 PNG；可改用 -o 简报.pdf")
        return page.read_bytes()
