"""Hostile-file bounds: the one place that decides whether an input file may be read at all.

Every input (a statistics sheet, an application list) is opened by :func:`open_input`, which
accepts only a regular file (never a FIFO, a device, a directory or a symlink), and measured by
:func:`check_file` from its parsed structure before any reader (calamine, fastexcel, Polars,
openpyxl) builds anything from it: zip members and XML parts as streams, the sheet parts the
workbook really names, ODS repeat counts, the .xls compound file and its BIFF records, .xlsb
records. Refusals are :class:`~ipscore.base.problems.InputError` with one Chinese line naming
the file (and the sheet where known), so they end with exit status 2.
"""

from __future__ import annotations

from ipscore.base.bounds.limits import LIST, SHEET, Limits, Measure, refuse, size_text
from ipscore.base.bounds.opening import InputFile, open_input

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

__all__ = [
    "LIST",
    "OLE_MAGIC",
    "SHEET",
    "ZIP_MAGIC",
    "InputFile",
    "Limits",
    "Measure",
    "check_file",
    "check_size",
    "open_input",
    "refuse",
]


def check_size(file: InputFile, limits: Limits) -> None:
    """Refuse a file larger than the limits allow (by its size on disk)."""
    if file.size > limits.max_file_bytes:
        raise refuse(
            file.path,
            "file-too-large",
            f"文件大小 {size_text(file.size)}，超过上限 {size_text(limits.max_file_bytes)}",
        )


def check_file(file: InputFile, limits: Limits) -> Measure:
    """Measure a workbook (zip or compound file) against ``limits``; raise InputError if beyond.

    Returns what was measured (each sheet's rows and columns, the cells of all sheets).
    """
    check_size(file, limits)
    measure = Measure(file.path, limits)
    head = file.head(8)
    if head.startswith(ZIP_MAGIC):
        from ipscore.base.bounds.zipped import check_zip

        check_zip(file, measure)
    elif head.startswith(OLE_MAGIC):
        from ipscore.base.bounds.biff import check_ole

        check_ole(file, measure)
    measure.check_density()
    return measure
