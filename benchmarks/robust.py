"""The robust benchmark: 1000 reweighted runs against one ``ipscore rank``, and Sobol N = 1024.

Every measurement is a whole child process (interpreter start, imports, reading the sheet and
the rules, scoring, rendering), as a user pays it; the figure is the median of ``--repeat``
runs. The issue's targets: 1000 runs of the 11-unit May sample within 5× one ``ipscore rank``
of it, measured side by side; Sobol with N = 1024 for 3–11 indicators within 30 s.

    python benchmarks/robust.py               # median of 5
    python benchmarks/robust.py --repeat 3    # quicker

Measured on this 2-core machine (load average ≈ 3.9 from other jobs), median of 5:

    ipscore rank samples/2019-05.xlsx                                0.34 s
    robust 2019-05 --runs 1000 (table, as rank above)                0.67 s    2.0× rank (goal ≤ 5×)
    robust 2019-05 --runs 1000 -f json                               0.70 s    2.0× rank
    robust 2019-05 --runs 1000 --sobol (N=1024, 3 indicators)        2.41 s    (goal ≤ 30 s)
    robust 2019-annual --runs 1000 --sobol (N=1024, 11)              4.06 s    (goal ≤ 30 s)
    robust 2019-annual --spread 0.5 --sobol (N=1024, 11)             3.47 s
    robust 2019-05 --runs 100000                                     3.46 s   (≈ 30 µs a run)

Of a 1000-run process, about 0.1 s is the runs themselves; the rest is the interpreter, the
imports (numpy ≈ 0.07 s; SALib with scipy ≈ 1 s, only with --sobol), reading the sheet and, without
--rules, matching its headers against both bundled schemes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAY = str(REPO / "samples" / "2019-05.xlsx")
ANNUAL = str(REPO / "samples" / "2019-annual.xlsx")


def seconds(args: list[str], repeat: int) -> float:
    """Median wall time of ``repeat`` child processes; fail loudly if one fails."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"失败（退出码 {done.returncode}）：{' '.join(args)}\n{done.stderr}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-large", action="store_true", help="skip the 100 000-run line")
    options = parser.parse_args()
    ipscore = [sys.executable, "-m", "ipscore"]
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        rank = seconds([*ipscore, "rank", MAY, "--db", db, "-q"], options.repeat)
    print(f"{'ipscore rank samples/2019-05.xlsx':<62} {rank:6.2f} s")
    lines = [
        ("robust 2019-05 --runs 1000 (table, as rank above)", [MAY, "--runs", "1000"]),
        ("robust 2019-05 --runs 1000 -f json", [MAY, "--runs", "1000", "-f", "json"]),
        ("robust 2019-05 --runs 1000 --sobol (N=1024, 3 indicators)", [MAY, "--sobol"]),
        ("robust 2019-annual --runs 1000 --sobol (N=1024, 11)", [ANNUAL, "--sobol"]),
        (
            "robust 2019-annual --spread 0.5 --sobol (N=1024, 11)",
            [ANNUAL, "--spread", "0.5", "--sobol"],
        ),
    ]
    if not options.no_large:
        lines.append(("robust 2019-05 --runs 100000", [MAY, "--runs", "100000"]))
    for label, args in lines:
        args = args if "-f" in args or args == [MAY, "--runs", "1000"] else [*args, "-f", "json"]
        took = seconds([*ipscore, "robust", *args, "-q"], options.repeat)
        ratio = f"{took / rank:5.1f}× rank" if "--sobol" not in args else ""
        print(f"{label:<62} {took:6.2f} s  {ratio}")


if __name__ == "__main__":
    main()
