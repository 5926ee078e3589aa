"""Sobol sensitivity of a ranking to each indicator's weight, computed with SALib.

The model output of one sample is the sum over units of |rank − official rank|. SALib draws
the Saltelli/Sobol design (scrambled Sobol sequence, N·(k + 2) samples without second-order
terms) and estimates first-order and total-order indices with bootstrap confidence intervals;
ipscore only evaluates the samples, each an exact run of :class:`~ipscore.scoring.reweight.Runner`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from ipscore.scoring.reweight import DENOMINATOR

if TYPE_CHECKING:
    from ipscore.scoring.reweight import Runner


@dataclass(frozen=True)
class SobolIndex:
    """First- and total-order Sobol indices with their 95% confidence half-widths."""

    first: float
    first_conf: float
    total: float
    total_conf: float


def rank_shift(runner: Runner, numerators: list[int]) -> int:
    """Σ |rank − official rank| over the units for one run."""
    _, ranks, _ = runner.run(numerators)
    return sum(abs(r - n) for r, n in zip(ranks, runner.ranks, strict=True))


def sobol_indices(
    runner: Runner, spread: Fraction, base: int, seed: int
) -> tuple[list[SobolIndex | None], int]:
    """(indices per indicator, model evaluations); no indices when nothing varies."""
    import numpy as np
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    if spread == 0:
        return [], 0
    ids = [i.id for i in runner.scheme.indicators]
    low, high = float(1 - spread), float(1 + spread)
    problem = {"num_vars": len(ids), "names": ids, "bounds": [[low, high]] * len(ids)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's notes on Sobol balance are not for the user
        design = sample.sample(problem, base, calc_second_order=False, seed=seed)
    numerators = np.rint(design * DENOMINATOR).astype(np.int64).tolist()
    outputs = np.array([rank_shift(runner, row) for row in numerators], dtype=float)
    if float(outputs.min()) == float(outputs.max()):
        return [], len(outputs)  # no sample moved any rank: the indices are undefined
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = analyze.analyze(
            problem, outputs, calc_second_order=False, conf_level=0.95, seed=seed
        )
    indices: list[SobolIndex | None] = []
    for n in range(len(ids)):
        values = [float(found[key][n]) for key in ("S1", "S1_conf", "ST", "ST_conf")]
        if not all(math.isfinite(v) for v in values):
            indices.append(None)  # SALib could not estimate it (e.g. N = 1): not a number
            continue
        first, first_conf, total, total_conf = (round(v, 6) + 0.0 for v in values)
        indices.append(SobolIndex(first, first_conf, total, total_conf))
    return indices, len(outputs)
