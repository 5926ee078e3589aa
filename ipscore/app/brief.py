"""The one-page brief, end to end: rank the month (recorded, like ``rank``), build the brief,
draw its charts with a CJK font found on the machine, lay out the page, convert it when a PDF
or PNG is asked for, and write the file atomically."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ipscore.app.rank import rank_recorded
from ipscore.base.files import write_bytes_atomic
from ipscore.base.problems import InputError, Problem
from ipscore.rules.scheme import Scheme
from ipscore.scoring.score import Ranking

FORMATS = (".docx", ".pdf", ".png")


@dataclass
class BriefDone:
    """What a brief run did: the ranking, the file written, and the chart font (None: none
    was found, and the charts' Chinese shows as boxes)."""

    ranking: Ranking
    path: Path
    font_name: str | None
    font_path: str | None
    warnings: list[Problem] = field(default_factory=list)


def make_brief(
    path: Path | str,
    scheme: Scheme,
    output: Path,
    when: date,
    *,
    font: str | None = None,
    prev: Path | str | None = None,
    db: Path | str | None = None,
    **options: Any,
) -> BriefDone:
    """Write the brief of the month in ``path`` to ``output`` (.docx, .pdf or .png)."""
    from ipscore.render.brief import build_brief
    from ipscore.render.brief_docx import FONTS, brief_docx
    from ipscore.render.charts import completion_chart, find_cjk_font, volume_chart
    from ipscore.render.office import convert, require

    fmt = output.suffix.lower().lstrip(".")
    if fmt != "docx":
        require(fmt)  # refused before any work when LibreOffice is missing
    chosen = find_cjk_font(font)
    if font and chosen is None:
        raise InputError(
            [
                Problem(
                    "font-unusable",
                    f"--font 指定的字体“{font}”找不到，或不含中文字形；"
                    "请给出字体文件（.ttf/.otf/.ttc）的路径或已安装的中文字体名",
                )
            ]
        )
    ranking = rank_recorded(path, scheme, db=db, prev=prev, **options)
    warnings = list(ranking.warnings)
    if ranking.previous is None:
        warnings.append(
            Problem(
                "no-previous-month",
                f"历史库中没有上月（{ranking.period.previous()}）的排名，简报不列位次变化"
                "（可用 --prev 指定上月统计表）",
                level="warning",
            )
        )
    if chosen is None:
        warnings.append(
            Problem(
                "font-missing",
                "本机没有找到中文字体，图表中的中文会显示为方框；请安装中文字体"
                "（Linux：fonts-noto-cjk；Windows 自带微软雅黑、黑体），或用 --font 指定字体文件",
                level="warning",
            )
        )
    brief = build_brief(ranking, when, Path(path).name)
    charts = [volume_chart(brief, chosen), completion_chart(brief, chosen)]
    docx = brief_docx(brief, charts, when)
    data = docx if fmt == "docx" else convert(docx, fmt, FONTS)
    write_bytes_atomic(output, data)
    return BriefDone(
        ranking,
        output,
        chosen.name if chosen else None,
        chosen.path if chosen else None,
        warnings,
    )
