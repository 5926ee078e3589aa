"""The fast measure of large sheet parts agrees with the full expat parse, file for file.

``ipscore.base.bounds.sheetbody`` measures the body of a big worksheet part with NumPy instead of
an expat callback per element. Here every hostile and honest builder file is measured both ways
(the fast way forced on these small files, in pieces as small as a few bytes) and the outcomes
must be the same: the same extents and values, or the same refusal word for word. A seeded
fuzzer then mutates honest sheets in every way the bounds have been walked around before
(quoting, spacing, prefixes, character references, a second ``r``, ``<`` or ``>`` inside a
value, comments, CDATA, cells and rows without ``r`` …) and checks the same agreement.
"""

from __future__ import annotations

import dataclasses
import random
import re
import zipfile
from pathlib import Path

import pytest
from builders_hostile import FAR, MAIN, PLACED, SMALL_CELLS, sheet_xml, write_xlsx
from conftest import SAMPLES_DIR, run_child, write_month
from test_hostile import hostile_files

import ipscore.base.bounds.ooxml as ooxml
import ipscore.base.bounds.sheetbody as sheetbody
from ipscore.base.bounds import LIST, SHEET, Limits, check_file, open_input
from ipscore.base.problems import InputError

FIXTURES = Path(__file__).parent / "fixtures"
Outcome = tuple[object, ...]


def outcome(path: Path, limits: Limits) -> Outcome:
    try:
        with open_input(path) as file:
            measure = check_file(file, limits)
    except InputError as exc:
        (problem,) = exc.problems
        return ("refused", problem.code, problem.message, problem.sheet, problem.cell)
    return ("measured", measure.sheets, measure.cells, measure.values)


class Both:
    """Measures a file by the full parse and by the fast scan; notes whether the fast one ran."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.ran: list[str] = []
        real = ooxml.scan_sheet_fast

        def spy(*args: object) -> None:
            try:
                real(*args)  # type: ignore[arg-type]
            except sheetbody.NotCanonical:
                self.ran.append("declined")
                raise
            self.ran.append("fast")

        monkeypatch.setattr(ooxml, "scan_sheet_fast", spy)

    def __call__(
        self, path: Path, limits: Limits = SHEET, piece: int = 1 << 20, window: int = 1 << 17
    ) -> tuple[Outcome, Outcome, list[str]]:
        self.monkeypatch.setattr(ooxml, "FAST_BYTES", 1 << 60)
        full = outcome(path, limits)
        self.monkeypatch.setattr(ooxml, "FAST_BYTES", 0)
        self.monkeypatch.setattr(ooxml, "PIECE", piece)
        self.monkeypatch.setattr(sheetbody, "_WINDOW", window)
        self.ran = []
        fast = outcome(path, limits)
        return full, fast, self.ran


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch) -> Both:
    return Both(monkeypatch)


def honest_files(directory: Path) -> dict[str, Path]:
    """Workbooks as writers write them; the fast scan must take every one of them itself."""
    wide = "".join(
        f'<row r="{r}" spans="1:30" x14ac:dyDescent="0.25">'
        + "".join(f'<c r="{c}{r}" s="3" t="s"><v>{r}</v></c>' for c in ("A", "Z", "AA", "AD"))
        + f'<c r="B{r}"><f>SUM(A{r}:A{r})</f><v>{r}</v></c><c r="C{r}" s="1"/>'
        + f'<c r="D{r}" t="inlineStr"><is><r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve">'
        + f" x{r} </t></r></is></c></row>"
        for r in range(1, 60)
    )
    libreoffice_row = (
        '<row r="7" s="1" customFormat="false" ht="12.8" hidden="false" customHeight="false" '
        'outlineLevel="0" collapsed="false"><c r="A7" s="0" t="n"><v>7</v></c></row>'
    )
    # Excel writes a formatted empty row self-closing; an empty row may also be written open.
    empty_rows = (
        '<row r="2" ht="30" customHeight="1"/><row r="3"></row>'
        '<row r="4" spans="1:2"><c r="A4" s="1"/><c r="B4"><v>4</v></c></row><row r="7"/>'
    )
    return {
        "small": write_xlsx(directory / "small.xlsx", sheet_xml(SMALL_CELLS)),
        "empty-rows": write_xlsx(directory / "rows.xlsx", sheet_xml(SMALL_CELLS + empty_rows)),
        "openpyxl": write_month(directory, name="month.xlsx"),
        "wide": write_xlsx(directory / "wide.xlsx", sheet_xml(wide, dimension="A1:AD59")),
        "libreoffice-rows": write_xlsx(directory / "lo.xlsx", sheet_xml(libreoffice_row)),
        "empty-cells": write_xlsx(
            directory / "empty.xlsx",
            sheet_xml(SMALL_CELLS + '<row r="9"><c r="GR9" s="1"/><c r="C9" s="2"></c></row>'),
        ),
    }


def test_honest_files_are_measured_the_same_by_the_fast_scan(tmp_path: Path, both: Both) -> None:
    for name, path in honest_files(tmp_path).items():
        for piece, window in ((1 << 20, 1 << 17), (97, 3), (1000, 5)):
            full, fast, ran = both(path, LIST, piece, window)
            assert full[0] == "measured" and fast == full, (name, piece, full, fast)
            assert ran and set(ran) == {"fast"}, (name, piece, ran)


def test_a_piece_of_a_few_bytes_is_scanned_with_the_next(tmp_path: Path, both: Both) -> None:
    # The unpacking may end a part with a piece of one to three bytes (found by fuzzing: the
    # fast scan refused such an honest part as "not valid XML").
    path = honest_files(tmp_path)["wide"]
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    for tail in (1, 2, 3, 7):
        full, fast, ran = both(path, LIST, size - tail, 5)
        assert ran == ["fast"] and fast == full, (tail, full, fast, ran)


def test_samples_and_libreoffice_files_agree(both: Both) -> None:
    paths = [*sorted(SAMPLES_DIR.glob("*.xlsx")), FIXTURES / "may-loose-lo.xlsx"]
    for path in paths:
        full, fast, ran = both(path, SHEET, 211, 4)
        assert full[0] == "measured" and fast == full, (path.name, full, fast, ran)


def test_every_hostile_file_gets_the_same_answer(tmp_path: Path, both: Both) -> None:
    files = {name: path for name, (path, _) in hostile_files(tmp_path).items()}
    far_variants = [
        FAR,
        '<row r = "1048576"><c r = "XFD1048576" ><v>1</v></c></row>',
        '<row r="1048576"><c\n\tt="n"\n\tr="XFD1048576"><v>1</v></c></row>',
        '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',
        '<row r="1048576"><c r="&#88;FD1048576"><v>1</v></c></row>',
        '<row r="300000"><c r="GR300000"><v>1</v></c></row>',
        '<row r="6000"><c r="GR6000"><v>1</v></c></row>',
    ]
    for index, cells in enumerate(far_variants):
        files[f"far{index}"] = write_xlsx(
            tmp_path / f"far{index}.xlsx", sheet_xml(SMALL_CELLS + cells)
        )
    prefixed = '<x:row r="300000"><x:c r="B300000"><x:v>1</x:v></x:c></x:row>'
    files["prefix"] = write_xlsx(
        tmp_path / "x.xlsx", sheet_xml(prefixed, prefix="x", dimension=None)
    )
    files["dimension"] = write_xlsx(
        tmp_path / "dim.xlsx", sheet_xml(SMALL_CELLS, dimension="A1:XFD1048576")
    )
    wide = "<row>" + "<c><v>1</v></c>" * 250 + "</row>"
    files["no-refs"] = write_xlsx(tmp_path / "norefs.xlsx", sheet_xml(wide, dimension=None))
    for index, (cells, _, _) in enumerate(PLACED.values()):  # nested and self-closing tags
        files[f"placed{index}"] = write_xlsx(
            tmp_path / f"placed{index}.xlsx", sheet_xml(SMALL_CELLS + cells, dimension=None)
        )
    far_forms = [
        '<row r="1048576"><c r="XFD1048576"><c r="A1"/><v>1</v></c></row>',
        '<row r="2"><c r="XFD2"/><c><v>1</v></c></row>',
        '<row r="1048576"/><row><c><v>1</v></c></row>',
        '<row r="1048576"/>',
        '<row r="1048577"/>',
    ]
    for index, cells in enumerate(far_forms):
        files[f"far-form{index}"] = write_xlsx(
            tmp_path / f"farform{index}.xlsx", sheet_xml(SMALL_CELLS + cells)
        )
    for name, path in files.items():
        if path.suffix != ".xlsx" or not path.is_file() or path.is_symlink():
            continue
        for limits in (SHEET, LIST):
            full, fast, _ = both(path, limits, 53, 2)
            assert fast == full, (name, full, fast)


def test_the_counters_go_on_from_the_body_as_the_full_parse_leaves_them(
    tmp_path: Path, both: Both
) -> None:
    # Cells without r around the body (no reader's business there, but counted all the same)
    # are placed by the row and column counters: the fast scan hands on what the full parse
    # would have them at.
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="C{r}"/></row>' for r in range(1, 40)
    )
    cases = {
        # After rows 1-39 the row counter is 40, the column counter 0 (set back by </row>).
        "tail": (
            sheet_xml(rows).replace("</sheetData>", "</sheetData><row><c/><c><v>1</v></c></row>"),
            (40, 2),
        ),
        # A cell before the body sets the column counter (E); empty rows leave it: F6.
        "head": (
            sheet_xml('<row r="3"/><row r="5"></row>')
            .replace("<sheetData>", '<c r="E1"/><sheetData>')
            .replace("</sheetData>", "</sheetData><c><v>1</v></c>"),
            (6, 6),
        ),
        # A value after the body is the last cell's (the rule errs far: no reader takes it).
        "stray": (
            sheet_xml(rows + '<row r="40"><c r="GR40"/></row>').replace(
                "</sheetData>", "</sheetData><v>1</v>"
            ),
            (40, 200),
        ),
    }
    for name, (text, extent) in cases.items():
        path = write_xlsx(tmp_path / f"{name}.xlsx", text)
        for piece, window in ((1 << 20, 1 << 17), (97, 3)):
            full, fast, ran = both(path, LIST, piece, window)
            assert ran == ["fast"] and fast == full, (name, piece, full, fast, ran)
            assert full[1] == [("统计表", *extent)], (name, full)


# --------------------------------------------------------------------------------------------
# Fuzz: honest sheets mutated every way the bounds were walked around


def _letters(col: int) -> str:
    text = ""
    while col:
        col, rem = divmod(col - 1, 26)
        text = chr(65 + rem) + text
    return text


def _honest_rows(rng: random.Random) -> list[str]:
    rows = []
    for r in range(1, rng.randint(2, 40)):
        cells = []
        for c in sorted(rng.sample(range(1, 30), rng.randint(0, 5))):
            ref = f"{_letters(c)}{r}"
            kind = rng.choice(["v", "s", "is", "f", "empty", "styled"])
            cells.append(
                {
                    "v": f'<c r="{ref}"><v>{rng.randint(0, 10**6)}</v></c>',
                    "s": f'<c r="{ref}" s="{rng.randint(1, 3)}" t="s"><v>{c}</v></c>',
                    "is": f'<c r="{ref}" t="inlineStr"><is><t>甲&amp;"乙\'</t></is></c>',
                    "f": f'<c r="{ref}"><f>A1&gt;0</f><v>1</v></c>',
                    "empty": f'<c r="{ref}" s="1"/>',
                    "styled": f'<c r="{ref}" s="2"></c>',
                }[kind]
            )
        spans = rng.choice(["", ' spans="1:29"', ' ht="20" customHeight="1"'])
        rows.append(f'<row r="{r}"{spans}>' + "".join(cells) + "</row>")
    return rows


def _cell_sub(pattern: str, replacement: str) -> object:
    return lambda row: re.sub(pattern, replacement, row, count=1)


MUTATIONS = {
    "single-quotes": _cell_sub(r'<c r="(\w+)"', r"<c r='\1'"),
    "spaces": _cell_sub(r'<c r="(\w+)"', r'<c r = "\1" '),
    "far": _cell_sub(r'<c r="\w+"', '<c r="XFD1048576"'),
    "far-rows": _cell_sub(r'<c r="[A-Z]+\d+"', '<c r="B300000"'),
    "lower": _cell_sub(r'<c r="([A-Z]+)(\d+)"', lambda m: f'<c r="{m[1].lower()}{m[2]}"'),
    "charref": _cell_sub(r'<c r="([A-Z])', lambda m: f'<c r="&#{ord(m[1])};'),
    "second-r": _cell_sub(r'<c r="(\w+)"', r'<c r="\1" r="XFD1048576"'),
    "prefixed-r": _cell_sub(r'<c r="(\w+)"', r'<c r="\1" x:r="XFD1048576"'),
    "second-r-short": _cell_sub(r'<c r="(\w+)"', r'<c r="\1" r="XFD1"'),
    "prefixed-r-short": _cell_sub(r'<c r="(\w+)"', r'<c r="\1" x:r="XFD1"'),
    "r-spaced": _cell_sub(r'<c r="(\w+)"', r'<c r="\1" r ="XFD1"'),
    "no-space": _cell_sub(r'<c r="(\w+)"', r'<c r="\1"t="n"'),
    "tab": _cell_sub(r"<c r=", "<c\tr="),
    "gt-in-value": _cell_sub(r'<c r="(\w+)"', r'<c r="\1" cm="a>b"'),
    "lt-in-value": _cell_sub(r'<c r="(\w+)"', r'<c r="\1" cm="a<row/>b"'),
    "apostrophes": _cell_sub(r'<c r="(\w+)"', r"""<c r="\1" cm='x"y'"""),
    "comment": lambda row: row.replace("</row>", '<!-- <c r="XFD1"><v>1</v></c> --></row>', 1),
    "pi": lambda row: row.replace("</row>", "<?x y?></row>", 1),
    "cdata": lambda row: re.sub(r"<v>(\d+)</v>", r"<v><![CDATA[\1]]></v>", row, count=1),
    "whitespace": lambda row: row.replace("><", ">\n  <", 2),
    "prefixed-cell": lambda row: row.replace(
        "</row>", '<x:c r="XFD1048576"><x:v>1</x:v></x:c></row>', 1
    ),
    "cell-without-r": lambda row: row.replace("</row>", "<c><v>1</v></c></row>", 1),
    "row-without-r": lambda row: re.sub(r'<row r="\d+"', "<row", row, count=1),
    "row-zero": lambda row: re.sub(r'<row r="\d+"', '<row r="0"', row, count=1),
    "other-row": _cell_sub(r'<c r="([A-Z]+)\d+"', r'<c r="\g<1>77"'),
    "stray-value": lambda row: row.replace(
        "</row>", '<c r="XFD1048576" s="1"></c><v>1</v></row>', 1
    ),
    "empty-far": lambda row: row.replace("</row>", '<c r="XFD1048576" s="1"/></row>', 1),
    "self-closing-v": lambda row: row.replace("</row>", '<c r="GR5"><v/></c></row>', 1),
    "dimension-inside": lambda row: row.replace(
        "</row>", '<dimension ref="A1:XFD1048576"/></row>', 1
    ),
    "nested-sheetdata": lambda row: row.replace("</row>", "<sheetData/></row>", 1),
    "end-with-space": lambda row: row.replace("</row>", "</row >", 1),
    # An end tag left open swallows the next tag for a reader (which reads it up to ">"): the
    # cell inside it must not pass for one that takes the far cell's value.
    "swallowing-end": _cell_sub(r'<c r="[A-Z]+(\d+)"><v>', r'<c r="XFD\1"></fx <c r="A\1"><v>'),
    "swallowing-row-end": _cell_sub(
        r'<c r="[A-Z]+(\d+)"><v>', r'<c r="XFD\1"></row <c r="A\1"><v>'
    ),
    # Nested and self-closing tags (see builders_hostile.PLACED): a value a reader may place
    # at another cell than a plain reading gives it.
    "nested-cell": _cell_sub(r'<c r="(\w+)"><v>', r'<c r="\1"><c r="A1"/><v>'),
    "far-cell-nesting": lambda row: row.replace(
        "</row>", '<c r="XFD1048576"><c r="A1"/><v>1</v></c></row>', 1
    ),
    "cell-in-formula": lambda row: row.replace(
        "</row>", '<c r="GR5"><f><c r="A1"/></f><v>1</v></c></row>', 1
    ),
    "row-in-cell": lambda row: row.replace(
        "</row>", '<c r="GR5"><row r="1"/><v>1</v></c></row>', 1
    ),
    "self-closing-far-row": lambda row: row + '<row r="1048576"/><row><c><v>1</v></c></row>',
    "self-closing-row": lambda row: row + '<row r="99"/>',
    "open-empty-row": lambda row: row + '<row r="98"></row>',
    "cell-outside-rows": lambda row: row + '<c r="GR1"/><c><v>1</v></c>',
    "value-in-row": lambda row: row.replace("</row>", "<v>1</v></row>", 1),
    "prefixed-r-first": _cell_sub(r'<c r="(\w+)"', r'<c x:r="\1" r="XFD1048576"'),
    "nested-row": lambda row: row.replace("</row>", '<row r="1048570"/></row>', 1),
    "other-child": lambda row: row.replace("</row>", '<x r="XFD1"><v>1</v></x></row>', 1),
    "cell-then-bare": lambda row: row.replace(
        "</row>", '<c r="GR7" s="1"/><c><v>1</v></c></row>', 1
    ),
    "entity": lambda row: re.sub(r"<v>(\d+)</v>", r"<v>&#49;\1</v>", row, count=1),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_mutation_late_in_a_long_sheet(tmp_path: Path, both: Both, name: str) -> None:
    # Fifty honest rows first, so the fast scan has learned their shapes and runs in bulk when
    # it meets the mutated last row (in pieces that cut it anywhere).
    rng = random.Random(name)
    rows = [row for _ in range(5) for row in _honest_rows(rng)][:50]
    rows = [
        re.sub(r'r="([A-Z]*)\d+"', lambda m, r=r: f'r="{m[1]}{r}"', row)  # type: ignore[misc]
        for r, row in enumerate(rows, 1)
    ]
    last = '<row r="51"><c r="B51"><v>1</v></c><c r="C51" s="1" t="s"><v>2</v></c></row>'
    rows.append(MUTATIONS[name](last))  # type: ignore[operator]
    path = write_xlsx(tmp_path / "late.xlsx", sheet_xml("".join(rows), dimension=None))
    for piece, window, limits in ((1 << 20, 1 << 17, SHEET), (83, 3, LIST)):
        full, fast, _ = both(path, limits, piece, window)
        assert fast == full, (name, piece, full, fast)


@pytest.mark.parametrize("seed", range(6))
def test_mutated_sheets_get_the_same_answer_both_ways(
    tmp_path: Path, both: Both, seed: int
) -> None:
    rng = random.Random(seed)
    fast_ran = 0
    for case in range(20):
        rows = _honest_rows(rng)
        names = rng.sample(sorted(MUTATIONS), rng.choice([0, 1, 1, 2, 3]))
        for name in names:
            index = rng.randrange(len(rows))
            rows[index] = MUTATIONS[name](rows[index])  # type: ignore[operator]
        path = write_xlsx(tmp_path / f"m{case}.xlsx", sheet_xml("".join(rows), dimension=None))
        piece, window = rng.choice([(1 << 20, 1 << 17), (61, 2), (300, 7), (4096, 1)])
        full, fast, ran = both(path, rng.choice([SHEET, LIST]), piece, window)
        assert fast == full, (seed, case, names, piece, window, full, fast)
        fast_ran += ran == ["fast"]
        if not names:
            assert ran == ["fast"], (seed, case, ran)
    assert fast_ran >= 3  # the fast scan itself answered a share, not only the fallback


# --------------------------------------------------------------------------------------------
# A large part goes to the fast scan by itself, and a refused one stays within 200 MB


def _large_list(path: Path, last: str) -> Path:
    rng = random.Random(7)
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>申请人{rng.randint(0, 10**9)}</t></is>'
        f'</c><c r="B{r}" s="1"><v>{rng.randint(40000, 45000)}</v></c></row>'
        for r in range(1, 90_001)
    )
    return write_xlsx(path, sheet_xml(rows + last, dimension="A1:B90000"))


def test_a_large_part_is_measured_fast_by_default(tmp_path: Path, both: Both) -> None:
    path = _large_list(tmp_path / "list.xlsx", "")
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > ooxml.FAST_BYTES
    both.ran = []
    with open_input(path) as file:
        assert check_file(file, LIST).sheets == [("统计表", 90000, 2)]
    assert both.ran == ["fast"]


_CHILD = """
import sys
from pathlib import Path
from ipscore.base.problems import InputError
from ipscore.intake.grids import read_grids
from ipscore.tally.attribution import load_attribution
from ipscore.tally.records import open_records
rules = load_attribution()
for reader in (read_grids, lambda p: open_records(p, rules).close()):
    try:
        reader(Path(sys.argv[1]))
        print("read", flush=True)
    except InputError as exc:
        print(exc.problems[0].code, exc.problems[0].cell, flush=True)
"""


def test_a_large_hostile_list_is_refused_within_200_mb(tmp_path: Path) -> None:
    # 9 MB of honest rows, then one cell at the far corner: the fast scan hands the refusal
    # to the full parse, which names the cell; the peak stays far below 200 MB.
    path = _large_list(tmp_path / "far.xlsx", FAR)
    status, out, err, peak_mb = run_child(_CHILD, str(path))
    assert status == 0, err[-2000:]
    assert out.split() == ["file-too-large", "XFD1048576"] * 2
    assert peak_mb < 200, f"peak {peak_mb:.0f} MB"


# --------------------------------------------------------------------------------------------
# Shared strings: a large part is counted by its bytes, never below what a reader sees


def _strings(body: str, root: str = "sst", head: str = "", **counts: int) -> str:
    declared = "".join(f' {key}="{value}"' for key, value in counts.items())
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<{root} xmlns="{MAIN}"{declared}>'
        f"{body}</{root}>"
    )


def test_shared_strings_get_the_same_answer_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = dataclasses.replace(SHEET, max_cells=50)
    cases = {
        "honest": _strings("<si><t>区县</t></si>" * 40, count=40, uniqueCount=40),
        "declared": _strings("<si><t>x</t></si>", uniqueCount=10**12),
        "too-many": _strings("<si><t>x</t></si>" * 60),
        "in-a-comment": _strings("<!--" + "<si>" * 100 + "--><si><t>x</t></si>" * 10),
        "prefixed": _strings('<x:si xmlns:x="u"><x:t>x</x:t></x:si>' * 60),
        "rich": _strings("<si><r><rPr><b/></rPr><t>x</t></r></si>" * 45),
        "dtd": _strings("<si/>", head='<!DOCTYPE sst [<!ENTITY a "b">]>'),
        "other-root": _strings("<si/>" * 60, root="strings"),
        "sst-inside": _strings(f'<sst uniqueCount="{10**12}"/>', root="strings"),
        "utf-16": _strings("<si/>" * 60).replace('"UTF-8"', '"UTF-16"'),
    }
    for name, text in cases.items():
        data = text.encode("utf-16") if name == "utf-16" else text.encode()
        path = write_xlsx(
            tmp_path / f"{name}.xlsx", sheet_xml(SMALL_CELLS), extra={"xl/sharedStrings.xml": data}
        )
        answers = []
        for threshold in (1 << 60, 0):
            monkeypatch.setattr(ooxml, "FAST_BYTES", threshold)
            answers.append(outcome(path, small))
        assert answers[0] == answers[1], (name, answers)
    assert outcome(tmp_path / "too-many.xlsx", small)[2].startswith(
        "其中 xl/sharedStrings.xml 声明或含有 51 个共享字符串"
    )


def test_a_broken_or_lying_member_is_refused_the_same_way(tmp_path: Path, both: Both) -> None:
    # Unpacked ahead by a thread in the fast scan: its refusal still reaches the caller.
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 3000))
    lie = write_xlsx(tmp_path / "lie.xlsx", sheet_xml(rows, dimension=None))
    data = bytearray(lie.read_bytes())
    with zipfile.ZipFile(lie) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    real = info.file_size.to_bytes(4, "little")
    assert data.count(real) == 2  # local header and central directory
    lie.write_bytes(bytes(data).replace(real, (2000).to_bytes(4, "little")))
    broken = write_xlsx(tmp_path / "broken.xlsx", sheet_xml(rows, dimension=None))
    data = bytearray(broken.read_bytes())
    start = data.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml") + 200
    data[start : start + 40] = bytes(range(40))  # deflate data no inflater takes
    broken.write_bytes(bytes(data))
    for path, code in ((lie, "file-hostile"), (broken, "file-damaged")):
        full, fast, _ = both(path, LIST, 1000, 3)
        assert fast == full and full[1] == code, (path.name, full, fast)
