"""The brief's two charts, drawn with matplotlib, readable when printed in black and white.

- 累计 vs 去年同期 by unit: solid dark bars beside white bars hatched ``///``, values on top;
- 完成率 by unit with the 序时进度 line: units that met it in solid grey, units behind it white
  with ``xx`` hatching, the line dashed and labelled.

Chinese text needs a CJK font: :func:`find_cjk_font` looks for one on the machine (Windows and
WPS fonts, macOS, Noto CJK / Source Han / WenQuanYi on Linux) and the caller says which it used,
or that none was found (the labels then show as boxes; the charts are still drawn).
matplotlib is imported only here, inside the functions: ``ipscore --help`` never loads it.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ipscore.render.brief import Brief

# Families tried in order: Windows / WPS, macOS, then the free CJK families of Linux.
CJK_FAMILIES = (
    "Microsoft YaHei",
    "SimHei",
    "DengXian",
    "SimSun",
    "NSimSun",
    "FangSong",
    "KaiTi",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "Songti SC",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "AR PL UMing CN",
    "AR PL UKai CN",
)
WIDTH_MM = 174
HEIGHT_MM = 70
DPI = 200
_SAMPLE = "区县累计申请"  # characters a chosen font must have


@dataclass(frozen=True)
class Font:
    """A font file with Chinese glyphs, and the family name it goes by."""

    name: str
    path: str


def _has_chinese(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in _SAMPLE)


def _fontconfig_files() -> list[str]:
    """Font files fontconfig knows to cover Chinese (``fc-list :lang=zh``), if it is there."""
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        done = subprocess.run(
            [exe, ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(":")[0].strip() for line in done.stdout.splitlines() if line})


def find_cjk_font(wanted: str | None = None) -> Font | None:
    """A font with Chinese glyphs: ``wanted`` (a file, or a family name), else the first of
    :data:`CJK_FAMILIES` matplotlib knows, else the first file ``fc-list :lang=zh`` names."""
    from matplotlib import font_manager

    if wanted:
        if os.path.isfile(wanted):
            if not _has_chinese(wanted):
                return None
            font_manager.fontManager.addfont(wanted)
            return Font(font_manager.FontProperties(fname=wanted).get_name(), wanted)
        families = [wanted]
    else:
        families = list(CJK_FAMILIES)
    known: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        if entry.style == "normal" and entry.weight in (400, "normal", "regular"):
            known.setdefault(entry.name, entry.fname)
    for entry in font_manager.fontManager.ttflist:
        known.setdefault(entry.name, entry.fname)
    for family in families:
        path = known.get(family)
        if path and _has_chinese(path):
            return Font(family, path)
    if wanted:
        return None
    for path in _fontconfig_files():
        if Path(path).suffix.lower() in (".ttf", ".otf", ".ttc") and _has_chinese(path):
            font_manager.fontManager.addfont(path)
            return Font(font_manager.FontProperties(fname=path).get_name(), path)
    return None


Size = tuple[float, float]  # width and height in mm


def _figure(font: Font | None, size_mm: Size) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(size_mm[0] / 25.4, size_mm[1] / 25.4), dpi=DPI)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=7.5)
    return figure, axes


def _png(figure: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


@contextlib.contextmanager
def _style(font: Font | None) -> Iterator[None]:
    """matplotlib's settings for one chart, and quiet about missing glyphs: without a CJK font
    every Chinese character warns, and the caller has already said so once."""
    import matplotlib

    family = [font.name] if font else []
    settings = {
        "font.family": [*family, "DejaVu Sans"],
        "hatch.linewidth": 0.6,
        "axes.unicode_minus": False,
    }
    with matplotlib.rc_context(cast(Any, settings)), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        yield


def volume_chart(
    brief: Brief, font: Font | None, *, size_mm: Size = (WIDTH_MM, HEIGHT_MM), titled: bool = True
) -> bytes:
    """累计 (solid) and 去年同期 (hatched) by unit, in rank order, values on the 累计 bars;
    ``titled=False`` leaves the title to a caption under the picture (the circular's 附图)."""
    with _style(font):
        figure, axes = _figure(font, size_mm)
        names = [s.county for s in brief.series]
        places = range(len(names))
        width = 0.38
        ytd = axes.bar(
            [p - width / 2 for p in places],
            [s.ytd for s in brief.series],
            width,
            color="#3a3a3a",
            edgecolor="black",
            linewidth=0.6,
            label="本年累计",
        )
        axes.bar(
            [p + width / 2 for p in places],
            [s.last_year for s in brief.series],
            width,
            color="white",
            edgecolor="black",
            hatch="////",
            linewidth=0.6,
            label="去年同期累计",
        )
        axes.bar_label(ytd, fontsize=6.5, padding=1.5)
        axes.set_xticks(list(places), names, fontsize=7.5)
        axes.set_ylabel("件", fontsize=8, rotation=0, labelpad=10)
        if titled:
            title = f"{brief.words.each}累计申请与去年同期（按排名）"
            axes.set_title(title, fontsize=9.5, loc="left")
        axes.legend(fontsize=7.5, frameon=False, ncols=2, loc="upper right")
        axes.margins(y=0.15)
        figure.tight_layout(pad=0.4)
        return _png(figure)


def completion_chart(
    brief: Brief, font: Font | None, *, size_mm: Size = (WIDTH_MM, HEIGHT_MM), titled: bool = True
) -> bytes:
    """完成率 by unit (highest first) against the 序时进度 line (December: the annual target);
    units behind it hatched."""
    from matplotlib.patches import Patch

    year_over = brief.basis == "年度目标"

    with _style(font):
        figure, axes = _figure(font, size_mm)
        series = sorted(
            (s for s in brief.series if s.completion is not None),
            key=lambda s: -(s.completion or 0),
        )
        places = list(range(len(series)))
        bars = axes.bar(
            places,
            [s.completion for s in series],
            0.6,
            color=["white" if s.behind else "#8c8c8c" for s in series],
            edgecolor="black",
            hatch=["xxx" if s.behind else "" for s in series],
            linewidth=0.6,
        )
        # Values sit inside the bars on white, clear of the 序时进度 line near the bar tops.
        axes.bar_label(
            bars,
            labels=[f"{s.completion:.2f}" for s in series],
            label_type="center",
            fontsize=7,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 2.0},
        )
        axes.set_xticks(places, [s.county for s in series], fontsize=7.5)
        axes.set_ylabel("%", fontsize=8, rotation=0, labelpad=8)
        if titled:
            title = f"{brief.words.each}年度目标完成率" + ("" if year_over else "与序时进度")
            axes.set_title(title, fontsize=9.5, loc="left")
        met, behind = ("完成", "未完成") if year_over else ("达到", "未达到")
        handles = [
            Patch(facecolor="#8c8c8c", edgecolor="black", label=met + brief.basis),
            Patch(facecolor="white", edgecolor="black", hatch="xxx", label=behind + brief.basis),
        ]
        if brief.schedule is not None:
            line = axes.axhline(
                brief.schedule,
                color="black",
                linestyle=(0, (5, 3)),
                linewidth=1.1,
                label=brief.schedule_label,
            )
            handles.append(line)
        axes.legend(handles=handles, fontsize=7.5, frameon=False, ncols=3, loc="upper right")
        top = max([s.completion or 0 for s in series] + [brief.schedule or 0])
        axes.set_ylim(0, top * 1.25 if top else 1)
        figure.tight_layout(pad=0.4)
        return _png(figure)
