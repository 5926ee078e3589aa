"""Start-up: ``ipscore --help`` and ``ipscore rank`` on the May sample beside ``import polars``.

The one-house issue asks that ``rank`` on the sample stays within 1.5× the time of
``python -c "import polars"`` and that ``--help`` imports neither Polars nor openpyxl nor docx
(tests/test_cli.py checks the imports; this script measures the time). Every measurement is a
child process, interpreter start included, as a user pays it; the median of ``--repeat`` runs is
reported, side by side, so a busy machine slows all three alike. Each command runs once untimed
first, with ``PYTHONDONTWRITEBYTECODE`` unset, so the modules' bytecode is cached as it is after
``pip install .`` (an editable install under ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile
every ipscore module from source on every run, about 60 ms).

    python benchmarks/startup.py               # 15 runs each
    python benchmarks/startup.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "2019-05.xlsx"
LIMIT = 1.5


def _ipscore() -> list[str]:
    found = shutil.which("ipscore")
    return [found] if found else [sys.executable, "-m", "ipscore"]


def _time(command: list[str], repeat: int, env: dict[str, str]) -> float:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)  # bytecode cached
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "IPSCORE_DB": str(Path(tmp) / "bench.db"), "COLUMNS": "120"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        polars = _time([sys.executable, "-c", "import polars"], args.repeat, env)
        help_ = _time([*_ipscore(), "--help"], args.repeat, env)
        rank = _time([*_ipscore(), "rank", str(SAMPLE)], args.repeat, env)
    print(f"python -c 'import polars'   {polars * 1000:7.0f} ms")
    print(f"ipscore --help              {help_ * 1000:7.0f} ms")
    ratio = rank / polars
    print(f"ipscore rank 2019-05.xlsx   {rank * 1000:7.0f} ms  ({ratio:.2f}× import polars)")
    ok = rank <= LIMIT * polars
    print(f"rank within {LIMIT}× import polars: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
