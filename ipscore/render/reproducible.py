"""Byte-identical office files: the same inputs give the same bytes, run after run.

docx and xlsx files are zip archives whose entries carry the time they were written, and whose
``docProps/core.xml`` carries created/modified stamps (openpyxl sets "modified" to the moment of
saving). :func:`normalise_zip` rewrites an archive with every entry sorted by name, stamped
with one fixed time, and the core properties' dates set to that time.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

_CORE = "docProps/core.xml"
_STAMP = re.compile(
    rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)",
)


def normalise_zip(data: bytes, when: datetime) -> bytes:
    """The archive ``data`` with sorted entries, fixed timestamps and fixed core dates."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = sorted(source.infolist(), key=lambda info: info.filename)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for entry in entries:
                content = source.read(entry.filename)
                if entry.filename == _CORE:
                    content = _STAMP.sub(lambda m: m.group(1) + stamp + m.group(3), content)
                info = zipfile.ZipInfo(entry.filename, date_time=date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o644 << 16
                target.writestr(info, content)
    return out.getvalue()
