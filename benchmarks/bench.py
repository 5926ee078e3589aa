"""The tally benchmark: ipscore tally against a bare read and against pandas + openpyxl.

Every measurement is a child process (interpreter start and imports included, as a user pays
them); its wall time comes from time.perf_counter around it and its peak memory from the
ru_maxrss that os.wait4 reports for that child alone. The data (benchmarks/generate.py) is cached
under benchmarks/data/. The tally's table is read back with ipscore's own loader and compared
with the independent count from the generator's truth file and with the pandas script's count.

    pip install -e '.[bench]'
    python benchmarks/bench.py                 # 10k and 1m xlsx, 10m parquet and csv
    python benchmarks/bench.py --sizes 10k     # a quick run
    python benchmarks/bench.py --no-pandas     # skip the slow pandas + openpyxl baseline
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

import polars as pl  # noqa: E402
from generate import DATA, ensure  # noqa: E402

from ipscore.loading import Period, load_table  # noqa: E402
from ipscore.rules import load_scheme  # noqa: E402

MONTH = "2019-05"
GIB = 1 << 30

BARE_READ = {
    "xlsx": "import fastexcel,sys; fastexcel.read_excel(sys.argv[1]).load_sheet(0).to_polars()",
    "parquet": "import polars as pl,sys; pl.read_parquet(sys.argv[1])",
    "csv": "import polars as pl,sys; pl.read_csv(sys.argv[1])",
}


def run(args: list[str], *, capture: bool = False) -> tuple[float, int, str]:
    """(seconds, peak RSS in bytes, stdout) of one child process; fail loudly if it fails."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
    out = child.stdout.read().decode() if capture and child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"失败（退出码 {child.returncode}）：{' '.join(args)}")
    return seconds, usage.ru_maxrss * 1024, out


def truth_counts(size: str) -> dict[str, list[int]]:
    """The independent count: the generator's intended outcome of every row, by window."""
    period = Period.parse(MONTH)
    year, month = period.year, period.month or 0
    end = dt.date(year, month, calendar.monthrange(year, month)[1])
    last_end = dt.date(year - 1, month, calendar.monthrange(year - 1, month)[1])
    day = pl.col("day")
    counts = (
        pl.scan_parquet(DATA / f"bench-{size}.truth.parquet")
        .filter(pl.col("invention"))
        .group_by("outcome")
        .agg(
            month=day.is_between(dt.date(year, month, 1), end).sum(),
            ytd=day.is_between(dt.date(year, 1, 1), end).sum(),
            last=day.is_between(dt.date(year - 1, 1, 1), last_end).sum(),
        )
        .collect()
    )
    return {o: [m, y, la] for o, m, y, la in counts.iter_rows()}


def table_counts(path: Path) -> dict[str, list[int]]:
    """The tally's output read back as `ipscore rank` reads it."""
    table = load_table(path, load_scheme())
    return {
        r.county: [
            int(r.values["month_apps"]),
            int(r.values["ytd_apps"]),
            int(r.values["ytd_apps_last_year"]),
        ]
        for r in table.records
    }


def median_start(args: list[str], times: int = 3) -> float:
    return statistics.median(run(args)[0] for _ in range(times))


def startup() -> None:
    py = sys.executable
    ipscore = [py, "-m", "ipscore"]
    polars_s = median_start([py, "-c", "import polars"])
    help_s = median_start([*ipscore, "--help"])
    rank_s = median_start([*ipscore, "rank", str(REPO / "samples" / "2019-05.xlsx")])
    print("\n启动时间（3 次中位数）")
    print(f"  python -c 'import polars'           {polars_s:6.2f} s")
    print(f"  ipscore --help                      {help_s:6.2f} s  ({help_s / polars_s:.2f}×)")
    print(f"  ipscore rank samples/2019-05.xlsx   {rank_s:6.2f} s  ({rank_s / polars_s:.2f}×)")


def bench(size: str, fmt: str, pandas: bool, results: dict) -> None:
    path = ensure(size, fmt)
    py = sys.executable
    print(f"\n== {path.name}（{path.stat().st_size / 1e6:.0f} MB）", flush=True)
    read_s, read_rss, _ = run([py, "-c", BARE_READ[fmt], str(path)])
    reader = "fastexcel" if fmt == "xlsx" else "polars"
    print(f"  仅读取（{reader}）  {read_s:7.2f} s  峰值 {read_rss / GIB:5.2f} GiB")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{MONTH}.xlsx"
        tally_s, tally_rss, _ = run(
            [py, "-m", "ipscore", "tally", str(path), "--month", MONTH, "-o", str(out), "-q"]
        )
        got = table_counts(out)
    print(f"  ipscore tally         {tally_s:7.2f} s  峰值 {tally_rss / GIB:5.2f} GiB  "
          f"= {tally_s / read_s:.2f}× 仅读取")  # fmt: skip
    truth = truth_counts(size)
    expected = {unit: truth.get(unit, [0, 0, 0]) for unit in got}
    same = got == expected
    print(f"  与生成器的独立计数一致：{'是' if same else '否'}")
    if not same:
        for unit in got:
            if got[unit] != expected[unit]:
                print(f"    {unit}: tally {got[unit]}，独立计数 {expected[unit]}")
    entry = {
        "file": path.name,
        "read_s": read_s,
        "read_peak_gib": read_rss / GIB,
        "tally_s": tally_s,
        "tally_peak_gib": tally_rss / GIB,
        "tally_over_read": tally_s / read_s,
        "matches_truth": same,
    }
    if pandas and fmt == "xlsx":
        pandas_s, pandas_rss, text = run(
            [py, str(HERE / "pandas_tally.py"), str(path), MONTH], capture=True
        )
        theirs = json.loads(text)["units"]
        agree = all(theirs.get(u, [0, 0, 0]) == got[u] for u in got)
        print(
            f"  pandas + openpyxl     {pandas_s:7.2f} s  峰值 {pandas_rss / GIB:5.2f} GiB  "
            f"= tally 的 {pandas_s / tally_s:.1f} 倍；计数一致：{'是' if agree else '否'}"
        )
        entry.update(
            pandas_s=pandas_s, pandas_peak_gib=pandas_rss / GIB, speedup=pandas_s / tally_s
        )
        entry["pandas_agrees"] = agree
    results[path.name] = entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["10k", "1m", "10m"])
    parser.add_argument("--no-pandas", action="store_true")
    args = parser.parse_args()
    plan = {"10k": ["xlsx"], "1m": ["xlsx"], "10m": ["parquet", "csv"]}
    results: dict = {}
    for size in args.sizes:
        for fmt in plan[size]:
            bench(size, fmt, not args.no_pandas, results)
    startup()
    print("\n目标")
    one = results.get("bench-1m.xlsx")
    if one:
        line = f"  1M xlsx：tally / 仅读取 = {one['tally_over_read']:.2f}（目标 ≤ 1.5）"
        if "speedup" in one:
            line += f"；pandas / tally = {one['speedup']:.1f}（目标 ≥ 10）"
        print(line)
    ten = results.get("bench-10m.parquet")
    if ten:
        seconds, peak = ten["tally_s"], ten["tally_peak_gib"]
        print(f"  10M parquet：{seconds:.2f} s（目标 < 10），峰值 {peak:.2f} GiB（目标 ≤ 4）")
    (DATA / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
