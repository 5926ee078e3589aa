"""A validation report as a table: one row per problem (level, code, place, unit, message)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipscore.render.table import Column, Note, Table, text

if TYPE_CHECKING:
    from ipscore.scoring.checks import Report


def summary(report: Report) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    if not errors and not warnings:
        where = f"（{report.period}，工作表 {report.sheet}）" if report.period else ""
        return f"{report.file}{where}：未发现问题。"
    return f"{report.file}：{errors} 个错误，{warnings} 个警告。" + (
        "有错误的表格不能排名。" if errors else ""
    )


def report_view(report: Report) -> Table:
    """The problems in cell order, errors first; the summary as the note."""
    columns = [
        Column("级别", width=6, align="center"),
        Column("代码", width=18),
        Column("位置", width=30, fold=True),
        Column(report.words.unit, width=12),
        Column("说明", width=60, fold=True, min_width=30),
    ]
    rows = [
        [
            text(
                "错误" if p.level == "error" else "警告",
                tone="bad" if p.level == "error" else "warn",
            ),
            text(p.code),
            text(p.where()),
            text(p.county or ""),
            text(p.message),
        ]
        for p in report.problems
    ]
    return Table(
        title="统计表数据检查",
        columns=columns,
        rows=rows,
        notes=[Note(summary(report))],
        subtitle=report.file,
        sheet="检查结果",
        data=report.as_json(),
    )
