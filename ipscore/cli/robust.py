"""``ipscore robust``: how much of each rank is the data and how much the weights."""

from __future__ import annotations

import math
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from ipscore.cli.common import (
    AnyRulesOption,
    MonthOption,
    OutputOption,
    QuietOption,
    SheetOption,
    app,
    check_output,
    fail_text,
    parse_period,
    run,
    warn,
)

if TYPE_CHECKING:
    from ipscore.scoring.robust import Robustness


class RobustFormat(str, Enum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


_SUFFIXES = {".txt": RobustFormat.table, ".json": RobustFormat.json, ".xlsx": RobustFormat.xlsx}


@app.command()
def robust(
    file: Annotated[
        Path,
        typer.Argument(help="月度统计表或年度考核数据表。", metavar="文件", show_default=False),
    ],
    rules: AnyRulesOption = None,
    runs: Annotated[
        int, typer.Option("--runs", "-n", help="模拟次数（1 到 1000000）。", metavar="次数")
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", help="随机种子（非负整数）；同一种子得到完全相同的结果。")
    ] = 1,
    spread: Annotated[
        float,
        typer.Option(
            "--spread", help="各项分值的随机变动幅度，0.2 即 ±20%（0 ≤ 幅度 < 1）。", metavar="幅度"
        ),
    ] = 0.2,
    sobol: Annotated[
        bool,
        typer.Option("--sobol", help="另算各项权重的 Sobol 敏感度指数（一阶与总效应，SALib）。"),
    ] = False,
    month: MonthOption = None,
    sheet: SheetOption = None,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="允许缺少部分区县（只对已有区县分析）。")
    ] = False,
    fmt: Annotated[
        Optional[RobustFormat],  # noqa: UP045
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="输出格式；默认 table，或按 -o 的扩展名。",
            show_default=False,
        ),
    ] = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
) -> None:
    """排名的稳健性：各项权重随机变动时，各单位的名次（和等次）会怎样变化。

    每次模拟把各项指标的分值各乘一个 [1−幅度, 1+幅度] 内的随机系数，再按比例调整使总分不变，
    其余规则（四舍五入、封顶、保底、并列、等次名额、一票否决、加分）一概照旧，重新评分排名。

    例：ipscore robust samples/2019-05.xlsx --runs 1000 --seed 1 --spread 0.2
    """
    if output is not None:
        _check_output(output, fmt, [file, rules])
    chosen = fmt or (_SUFFIXES[output.suffix.lower()] if output else RobustFormat.table)
    if seed < 0:
        raise fail_text(f"随机种子 --seed 应为非负整数，实际为 {seed}")
    if not math.isfinite(spread):
        raise fail_text(
            f"权重变动幅度 --spread 应不小于 0 且小于 1（如 0.2 表示 ±20%），实际为 {spread}"
        )
    if chosen is RobustFormat.xlsx and output is None:
        raise fail_text("xlsx 格式需要用 -o 指定输出文件")
    period = parse_period(month)
    result = run(
        lambda: _robust(
            file,
            rules=rules,
            sheet=sheet,
            period=period,
            runs=runs,
            seed=seed,
            spread=spread,
            sobol=sobol,
            allow_missing=allow_missing,
        )
    )
    warn(result.warnings, quiet)
    _emit(result, chosen, output)


def _check_output(output: Path, fmt: RobustFormat | None, inputs: list[Path | None]) -> None:
    """Refuse -o before any work (the shared checks), and a --format its extension contradicts."""
    check_output(output, suffixes=_SUFFIXES, inputs=inputs)
    suffix = output.suffix.lower()
    text_into_txt = suffix == ".txt" and fmt is not RobustFormat.xlsx
    if fmt is not None and fmt is not _SUFFIXES[suffix] and not text_into_txt:
        raise fail_text(f"--format {fmt.value} 与 -o 的扩展名 {suffix} 不一致")


def _robust(file: Path, *, spread: float, **options: Any) -> Robustness:
    from fractions import Fraction

    from ipscore.app.robust import robust_file

    # The decimal the user typed (0.2), not the binary float nearest to it.
    return robust_file(file, spread=Fraction(repr(spread)), **options)


def _emit(result: Robustness, chosen: RobustFormat, output: Path | None) -> None:
    from ipscore.base.files import write_text_atomic

    if chosen is RobustFormat.xlsx:
        from ipscore.render.robust_xlsx import write_robust_xlsx

        assert output is not None
        run(lambda: write_robust_xlsx(result, output))
        return
    from ipscore.render import robust as render

    if chosen is RobustFormat.table and output is None:
        from rich.console import Console

        render.print_robust(result, Console())
        return
    text = render.to_json(result) if chosen is RobustFormat.json else render.robust_text(result)
    if output is None:
        sys.stdout.write(text)
        return
    run(lambda: write_text_atomic(output, text))
