"""PDF through LibreOffice: ``soffice --headless --convert-to pdf``, when it is installed.

The conversion runs in a temporary folder with a profile of its own (a LibreOffice the user
has open cannot swallow the job) and a time limit. On Linux LibreOffice finds fonts through
fontconfig, which knows nothing of the circular's fallback chains: a small fontconfig file
makes each chain's later names, then a face of the same kind (serif, or sans-serif for 黑体),
stand in for a missing first name, so 仿宋_GB2312 prints in 仿宋 or a serif Chinese face rather
than whatever sans-serif face the system would pick.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from ipscore.base.problems import InputError, Problem

TIMEOUT_SECONDS = 240
_CANDIDATES = (
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
_GENERIC = {"heading": "sans"}  # fontconfig's name for the sans-serif faces


def find_soffice() -> str | None:
    """The LibreOffice program (``soffice``), or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((path for path in _CANDIDATES if Path(path).is_file()), None)


def require_soffice() -> str:
    """The LibreOffice program, or an InputError saying how to get a PDF without it."""
    found = find_soffice()
    if found is None:
        raise InputError(
            [
                Problem(
                    "pdf-unavailable",
                    "生成 PDF 需要 LibreOffice，但本机未安装（找不到 soffice）；"
                    "请安装 LibreOffice 后重试，或去掉 --formats 中的 pdf，"
                    "用 Word/WPS 打开 docx 另存为 PDF",
                )
            ]
        )
    return found


def fontconfig(fonts: Mapping[str, Sequence[str]]) -> str:
    """A fontconfig file: every chain's later names accepted in place of the first."""
    rules = []
    for role, chain in fonts.items():
        generic = _GENERIC.get(role, "serif")
        names = [*chain[1:], generic]
        for index, name in enumerate(chain):
            accept = "".join(f"<family>{escape(n)}</family>" for n in names[index:])
            rules.append(
                f'  <alias binding="same"><family>{escape(name)}</family>'
                f"<accept>{accept}</accept></alias>"
            )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        + "\n".join(rules)
        + '\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n</fontconfig>\n'
    )


def to_pdf(
    documents: Mapping[str, bytes], fonts: Mapping[str, Sequence[str]], soffice: str | None = None
) -> dict[str, bytes]:
    """Convert office files (name → bytes, e.g. ``通报.docx``) to PDF bytes by the same stem."""
    program = soffice or require_soffice()
    with tempfile.TemporaryDirectory(prefix="ipscore-pdf-") as folder:
        work = Path(folder)
        (work / "in").mkdir()
        (work / "out").mkdir()
        inputs = []
        for index, (name, data) in enumerate(documents.items()):
            path = work / "in" / f"{index}{Path(name).suffix}"
            path.write_bytes(data)
            inputs.append(str(path))
        env = dict(os.environ)
        if sys.platform.startswith("linux") and Path("/etc/fonts/fonts.conf").is_file():
            config = work / "fonts.conf"
            config.write_text(fontconfig(fonts), encoding="utf-8")
            env["FONTCONFIG_FILE"] = str(config)
        command = [
            program,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            *inputs,
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, env=env, timeout=TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise _failed(f"LibreOffice 未能完成转换（{type(exc).__name__}）") from None
        out = {}
        for index, name in enumerate(documents):
            pdf = work / "out" / f"{index}.pdf"
            if not pdf.is_file():
                detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
                raise _failed(
                    f"LibreOffice 没有生成 {name} 的 PDF" + (f"：{detail[-1]}" if detail else "")
                )
            out[name] = pdf.read_bytes()
        return out


def _failed(message: str) -> InputError:
    return InputError([Problem("pdf-failed", message + "；docx 等其余文件可照常生成（去掉 pdf）")])
