"""The annual results circular (关于2019年度区县知识产权工作考核结果的通报; 市 for a province's
cities: the units file's word) as content.

It names the grades and who earned them, states the 优秀 quota rule in words (and who reached
the 优秀 line but fell outside the quota), the 一票否决, the units whose bonus hit its cap, and
annexes the full score table on a landscape page. :func:`annual_notice_xlsx_bytes` is the same
table as a workbook that prints on one A4 page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from ipscore.base.numbers import fmt, plain
from ipscore.render.annual import annual_columns, annual_notes, assessment_view
from ipscore.render.circular import Annex, Notice, Para, check_date, doc_number, requirement_paras
from ipscore.render.table import shown
from ipscore.render.wording import counted, heading_label, ranked_names
from ipscore.rules.notice import NoticeRules, fill

if TYPE_CHECKING:
    from ipscore.scoring.annual import AnnualRow, Assessment


def annual_title(result: Assessment) -> str:
    return f"关于{result.year}年度{result.scheme.units.words.unit}知识产权工作考核结果的通报"


def _score(result: Assessment, row: AnnualRow) -> str:
    return fmt(row.score, result.scheme.decimals, result.scheme.rounding)


def results_sentence(result: Assessment) -> str:
    scheme = result.scheme
    top = [r for r in result.rows if r.rank <= 3]
    named = ranked_names(top, lambda r: r.rank, lambda r: r.county, lambda r: _score(result, r))
    full = f"满分{plain(scheme.total_points)}分"
    if scheme.bonus is not None:
        full += f"，另设加分最高{plain(scheme.bonus.cap)}分"
    each = scheme.units.words.each
    return f"经考核，{result.year}年度{each}总分（{full}）居前三位的是{named}。"


def grades_sentence(result: Assessment) -> str:
    """考核等次为优秀的有…；良好的有…；… in the order of the bands."""
    scheme = result.scheme
    if scheme.grades is None:
        return ""
    order = [b.name for b in scheme.grades.bands] + [scheme.grades.otherwise]
    if scheme.veto is not None and scheme.veto.grade not in order:
        order.append(scheme.veto.grade)
    parts: list[str] = []
    for grade in order:
        units = [r.county for r in result.rows if r.grade == grade]
        if units:
            lead = "考核等次为" if not parts else ""
            parts.append(f"{lead}{grade}的有{counted(units, scheme.units.words.unit)}")
    return "；".join(parts) + "。" if parts else ""


def rule_sentence(result: Assessment) -> str:
    """The grade bands in words, with the quota of the top band."""
    scheme = result.scheme
    if scheme.grades is None:
        return ""
    units = len(result.rows)
    bands: list[str] = []
    for band in scheme.grades.bands:
        text = f"总分{plain(band.at)}分以上" if not bands else f"{plain(band.at)}分以上"
        if band.quota is not None:
            share = plain(band.quota * 100)
            count = result.quota_count(band.quota)
            text += f"且排名在前{share}%（{units}个{scheme.units.words.unit}中的前{count}名）"
        bands.append(f"{text}的为{band.name}")
    return "按照考核方案，" + "，".join(bands) + f"，其余为{scheme.grades.otherwise}。"


def exceptions_sentences(result: Assessment) -> list[str]:
    """Who reached the top band's line outside its quota, the 一票否决, capped bonuses."""
    scheme = result.scheme
    out = []
    if scheme.grades is not None:
        quota_band = next((b for b in scheme.grades.bands if b.quota is not None), None)
        for row in result.rows:
            if row.quota_missed and quota_band is not None and not row.vetoed:
                assert quota_band.quota is not None
                count = result.quota_count(quota_band.quota)
                out.append(
                    f"{row.county}总分{_score(result, row)}分，达到{quota_band.name}分数线，"
                    f"但排名第{row.rank}位，不在前{count}名之内，等次为{row.grade}。"
                )
    vetoed = [r for r in result.rows if r.vetoed]
    if vetoed and scheme.veto is not None:
        each = "、".join(
            f"{r.county}（总分{_score(result, r)}分，排名第{r.rank}位）" for r in vetoed
        )
        out.append(f"{each}存在一票否决事项，考核等次为{scheme.veto.grade}，总分与排名照常列出。")
    capped = [r.county for r in result.rows if r.bonus_capped]
    if capped and scheme.bonus is not None:
        cap = plain(scheme.bonus.cap)
        out.append(f"{'、'.join(capped)}加分合计超过{cap}分上限，按{cap}分计。")
    return out


def score_annex(result: Assessment) -> Annex:
    """The full score table: rank, unit, every indicator, base, bonus, total, grade."""
    columns = annual_columns(result)
    header = tuple(c.title.replace("(", "（").replace(")", "）") for c in columns)
    # The table's cells as printed, without the terminal's marks (the notes say what a cap did).
    view = assessment_view(result)
    rows = tuple(tuple(shown(cell._replace(mark="")) for cell in row) for row in view.rows)
    fixed = {
        "rank": 10.0,
        "county": 22.0,
        "base": 14.0,
        "bonus": 14.0,
        "score": 15.0,
        "grade": 24.0,
    }
    spare = 225.0 - sum(fixed.get(c.key, 0.0) for c in columns)
    parts = [c for c in columns if c.key not in fixed]
    widths = tuple(fixed.get(c.key, spare / max(len(parts), 1)) for c in columns)
    texts = tuple(i for i, c in enumerate(columns) if c.kind == "text")
    notes = tuple(f"{i}. {line}。" for i, line in enumerate(annual_notes(result), start=1))
    return Annex(
        title=f"{result.year}年度{result.scheme.units.words.unit}知识产权工作考核结果表",
        header=header,
        rows=rows,
        notes=notes,
        widths=widths,
        landscape=True,
        text_columns=texts,
    )


def build_annual_notice(
    result: Assessment, rules: NoticeRules, when: date, number: int = 1
) -> Notice:
    """The annual results circular for an assessed year, dated ``when``."""
    year = result.year
    check_date(year, None, when, f"{year}年")
    values = {"年": str(year), "月": "", "期间": f"{year}年", "下年": str(year + 1)}
    wording = rules.annual
    paragraphs = [
        Para(fill(wording.opening, values)),
        Para(heading_label(0) + "考核结果", "heading"),
        Para(results_sentence(result) + grades_sentence(result)),
    ]
    for text in (rule_sentence(result), "".join(exceptions_sentences(result))):
        if text:
            paragraphs.append(Para(text))
    paragraphs.append(Para(f"{result.scheme.units.words.each}各项得分、总分及等次见附件。"))
    paragraphs += requirement_paras(wording, values, 1)
    return Notice(
        kind="annual",
        date=when,
        issuer=rules.issuer,
        mark=rules.mark,
        doc_number=doc_number(rules.doc_prefix, when, number),
        title=annual_title(result),
        words=result.scheme.units.words,
        addressees=rules.addressees,
        paragraphs=tuple(paragraphs),
        annexes=(score_annex(result),),
        cc=rules.cc,
        printer=rules.printer,
        note=rules.note,
        stamped=rules.stamped,
        fonts=rules.fonts,
        source=result,
    )


def annual_notice_xlsx_bytes(notice: Notice) -> bytes:
    """The annexed score table as a workbook: numbers a spreadsheet can add, one A4 page."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from ipscore.render.reproducible import normalise_zip

    annex = notice.annexes[0]
    wb = Workbook()
    ws = wb.active
    ws.title = "考核结果"
    last = get_column_letter(len(annex.header))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = annex.title
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, (title, width) in enumerate(zip(annex.header, annex.widths, strict=True), start=1):
        cell = ws.cell(2, col, title)
        cell.data_type = "s"  # indicator names come from the rule file: never a formula
        cell.font = Font(name="宋体", size=10, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = round(width / 1.9, 1)
    # Long indicator names wrap in their narrow columns: room for seven lines of 10 pt.
    ws.row_dimensions[2].height = 92
    for r, cells in enumerate(annex.rows, start=3):
        for col, text in enumerate(cells, start=1):
            cell = ws.cell(r, col)
            if col - 1 in annex.text_columns:
                cell.value = text
                cell.data_type = "s"
            else:
                cell.value = int(text) if text.isdigit() else float(text)
                cell.number_format = "0" if text.isdigit() else "0.00"
            cell.font = Font(name="宋体", size=10)
            cell.alignment = Alignment(horizontal="center", vertical="center")
            cell.border = border
    row = 4 + len(annex.rows)
    for note in annex.notes:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(annex.header))
        cell = ws.cell(row, 1, note)
        cell.data_type = "s"
        cell.font = Font(name="宋体", size=10)
        row += 1
    ws.freeze_panes = "C3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.print_options.horizontalCentered = True
    when = datetime(notice.date.year, notice.date.month, notice.date.day)
    wb.properties.title = notice.title
    wb.properties.creator = notice.issuer
    wb.properties.lastModifiedBy = notice.issuer
    wb.properties.created = when
    wb.properties.modified = when
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalise_zip(buffer.getvalue(), when)
