"""A validation report on the terminal: one row per problem, then a one-line summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from ipscore.scoring.checks import Report


def summary(report: Report) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    if not errors and not warnings:
        where = f"（{report.period}，工作表 {report.sheet}）" if report.period else ""
        return f"{report.file}{where}：未发现问题。"
    return f"{report.file}：{errors} 个错误，{warnings} 个警告。" + (
        "有错误的表格不能排名。" if errors else ""
    )


def print_report(report: Report, console: Console) -> None:
    """One line per problem (level, code, place, unit, message), then the summary."""
    from rich.text import Text

    for problem in report.problems:
        line = Text()
        if problem.level == "error":
            line.append("错误", style="bold red")
        else:
            line.append("警告", style="bold yellow")
        line.append(f" [{problem.code}] ", style="dim")
        where = problem.where()
        if where:
            line.append(where, style="cyan")
            line.append("：")
        if problem.county and problem.county not in where:
            line.append(f"{problem.county}，", style="bold")
        line.append(problem.message)
        console.print(line, soft_wrap=True)
    style = "bold red" if report.errors else ("bold yellow" if report.problems else "bold green")
    console.print(Text(summary(report), style=style), soft_wrap=True)
