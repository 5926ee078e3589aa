"""ipscore.intake.formulas."""

from __future__ import annotations

from pathlib import Path

# --------------------------------------------------------------------------------------------
# Formulas without a cached value


def formula_cells(path: Path, sheet: str) -> dict[str, str]:
    """Formula cells of an xlsx/xlsm sheet by cell name (``{"D15": "=SUM(D4:D14)"}``).

    Read with openpyxl in read-only mode (defusedxml in place); formulas are read as text and
    never evaluated. Other formats: LibreOffice and Excel always store results in .ods/.xls,
    and a CSV has no formulas, so nothing is returned.
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    from openpyxl import load_workbook

    from ipscore.base.bounds import SHEET, check_file, open_input
    from ipscore.base.problems import InputError

    found: dict[str, str] = {}
    try:
        # The same bounds as read_grids, on the file as opened now: openpyxl pads every row to
        # the sheet's declared dimension, so a file swapped in since must be measured again.
        file = open_input(path)
    except InputError:
        return {}
    with file:
        try:
            check_file(file, SHEET)
            handle = file.open()
        except InputError:
            return {}
        with handle:
            try:
                book = load_workbook(handle, read_only=True, data_only=False, keep_links=False)
            except Exception:  # calamine read it; a reader quirk here must not hide the report
                return {}
            try:
                if sheet not in book.sheetnames:
                    return {}
                for row in book[sheet].iter_rows():
                    for cell in row:
                        if getattr(cell, "data_type", None) == "f":
                            text = cell.value if isinstance(cell.value, str) else "=（数组公式）"
                            found[cell.coordinate] = text
            except Exception:
                return found
            finally:
                book.close()
    return found
