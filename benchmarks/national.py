"""A national decade on one machine: 60M application rows of Parquet, tallied for one city.

The list (``benchmarks/data/national-60m.parquet``) has ten years (2010-2019) of all three patent
types for the whole country, one year after another as a decade assembled from yearly exports
would be, shuffled within each year; four columns (申请号 with a valid check digit, 申请日,
专利类型, 申请人地址). Addresses are built from the shipped division list: 1% in 淄博 (province,
city, county, town and road in the shapes of real lists), 6% in Shandong's other cities, 92% in
the other provinces (with and without the province in front), 1% that cannot be attributed.
While writing it the generator counts, per intended outcome, the invention applications of May
2019 and of the two year-to-date windows: the independent count (``national-60m.truth.json``).

The tally uses the rules ``ipscore init --city 淄博市`` generates (8 county-level units, other
cities and provinces as outside places). Each step runs as a child process; time and peak
memory (ru_maxrss of that child) are printed beside the independent count.

    python benchmarks/national.py              # generate once (~4 min), then measure 3 times
    python benchmarks/national.py --runs 5
    python benchmarks/national.py --rows 6m    # a quick, smaller run (600k rows a year)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import os  # noqa: E402
import time  # noqa: E402

from bench import GIB, MONTH, run, table_counts_with  # noqa: E402


def run_cpu(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS bytes) of one child process. The CPU time (user +
    system, all threads) is what the run costs whatever else the machine is doing; the wall
    time grows when other jobs share the two cores (the load average is printed beside it)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"失败：{' '.join(args)}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


from generate import DATA  # noqa: E402

ROWS = {"60m": 60_000_000, "6m": 6_000_000}
YEARS = range(2010, 2020)
CITY = "淄博市"
ROADS = [
    "人民路", "解放路", "建设路", "和平路", "胜利路", "新华路", "文化路", "工业路", "光明路",
    "幸福路", "团结路", "友谊路", "科技路", "创业路", "园区路", "学院路", "滨河路", "环城路",
]  # fmt: skip
WEIGHTS = [0.36, 0.42, 0.22]  # invention, utility model, design


def check_digit(digits: list[int]) -> str:
    """CNIPA's check digit: weights 2..9 cycling over the digits, sum mod 11, 10 → X."""
    total = sum(d * (2 + i % 8) for i, d in enumerate(digits))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def _places() -> tuple[list, list, list]:
    from ipscore.rules.divisions import find_city, load_divisions

    d = load_divisions()
    city = find_city(CITY, d)
    province = d.province_of(city.code)
    ours = [
        (c.name, c.short, [t.name for t in d.towns_of(c.code)]) for c in d.counties_of(city.code)
    ]
    shandong = [
        (c.name, [x.name for x in d.counties_of(c.code)] or [""])
        for c in d.cities(province.code)
        if c.code != city.code and c.kind == "city"
    ]
    elsewhere = []  # (province, city or "", county)
    for p in (x for x in d.by_code.values() if x.kind == "province" and x.code != province.code):
        if d.is_municipality(p.code):
            elsewhere += [(p.name, "", c.name) for c in d.counties_of(p.code)]
            continue
        for c in d.cities(p.code):
            if c.kind == "city":
                elsewhere += [(p.name, c.name, x.name) for x in d.counties_of(c.code)] or [
                    (p.name, c.name, "")
                ]
            else:
                elsewhere.append((p.name, "", c.name))
    return ours, shandong, elsewhere  # fmt: skip


def _year(year: int, n: int, seed: int, places: tuple) -> tuple[object, dict[str, list[int]]]:
    import numpy as np
    import polars as pl

    ours, shandong, elsewhere = places
    rng = np.random.default_rng(seed)
    start = dt.date(year, 1, 1)
    days = (dt.date(year, 12, 31) - start).days + 1
    day = pl.Series("day", np.datetime64(start, "D") + rng.integers(0, days, n)).cast(pl.Date)
    kind = rng.choice(3, n, p=WEIGHTS)
    pct = (kind == 0) & (rng.random(n) < 0.03)  # PCT inventions entering China: type digit 8
    type_digit = np.where(pct, 8, kind + 1)
    serial = rng.permutation(9_000_000)[:n] + 500_000
    # 申请号: year, type digit, 7-digit serial, check digit.
    digits = np.stack(
        [*(np.full(n, int(ch)) for ch in str(year)), type_digit]
        + [(serial // 10**k) % 10 for k in range(6, -1, -1)],
        axis=1,
    )
    weights = np.array([2 + i % 8 for i in range(12)])
    rest = (digits * weights).sum(axis=1) % 11
    check = np.where(rest == 10, "X", rest.astype(str))
    number = (
        pl.DataFrame({"s": serial, "t": type_digit, "c": check})
        .select(
            pl.concat_str(
                [
                    pl.lit(f"CN{year}"),
                    pl.col("t").cast(pl.String),
                    pl.col("s").cast(pl.String).str.zfill(7),
                    pl.lit("."),
                    pl.col("c"),
                ]
            )
        )
        .to_series()
    )

    group = rng.choice(
        4, n, p=[0.01, 0.06, 0.92, 0.01]
    )  # 淄博, Shandong, elsewhere, unattributable
    road = pl.Series(ROADS).gather(rng.integers(0, len(ROADS), n))
    num = pl.Series(rng.integers(1, 999, n)).cast(pl.String)
    tail = road + num + "号"
    # 淄博: a county, a town of it, one of four shapes.
    c = rng.integers(0, len(ours), n)
    county = pl.Series([o[0] for o in ours]).gather(c)
    short = pl.Series([o[1] for o in ours]).gather(c)
    towns = [o[2] for o in ours]
    town_index = (rng.random(n) * np.array([len(t) for t in towns])[c]).astype(np.int64)
    offsets = np.cumsum([0] + [len(t) for t in towns])[:-1]
    town = pl.Series([t for ts in towns for t in ts]).gather(offsets[c] + town_index)
    shape = rng.integers(0, 4, n)
    # Shandong's other cities and the other provinces.
    s = rng.integers(0, len(shandong), n)
    s_city = pl.Series([x[0] for x in shandong]).gather(s)
    s_counties = [x[1] for x in shandong]
    s_off = np.cumsum([0] + [len(x) for x in s_counties])[:-1]
    s_pick = (rng.random(n) * np.array([len(x) for x in s_counties])[s]).astype(np.int64)
    s_county = pl.Series([x for xs in s_counties for x in xs]).gather(s_off[s] + s_pick)
    e = rng.integers(0, len(elsewhere), n)
    e_prov = pl.Series([x[0] for x in elsewhere]).gather(e)
    e_city = pl.Series([x[1] for x in elsewhere]).gather(e)
    e_county = pl.Series([x[2] for x in elsewhere]).gather(e)
    with_province = rng.random(n) < 0.7

    frame = pl.DataFrame(
        {
            "g": group, "shape": shape, "county": county, "short": short, "town": town,
            "s_city": s_city, "s_county": s_county, "e_prov": e_prov, "e_city": e_city,
            "e_county": e_county, "with_province": with_province, "tail": tail,
        }
    )  # fmt: skip
    col = pl.col
    e_named = pl.when(col("e_city") == "").then(col("e_prov")).otherwise(col("e_city"))
    address = (
        pl.when((col("g") == 0) & (col("shape") == 0))
        .then(pl.concat_str([pl.lit("山东省淄博市"), col("county"), col("town"), col("tail")]))
        .when((col("g") == 0) & (col("shape") == 1))
        .then(pl.concat_str([pl.lit("淄博市"), col("county"), col("tail")]))
        .when((col("g") == 0) & (col("shape") == 2))
        .then(pl.concat_str([pl.lit("山东省"), col("county"), col("town"), col("tail")]))
        .when(col("g") == 0)
        .then(pl.concat_str([pl.lit("山东省淄博"), col("short"), col("tail")]))
        .when(col("g") == 1)
        .then(pl.concat_str([pl.lit("山东省"), col("s_city"), col("s_county"), col("tail")]))
        .when((col("g") == 2) & col("with_province"))
        .then(pl.concat_str([col("e_prov"), col("e_city"), col("e_county"), col("tail")]))
        .when(col("g") == 2)
        .then(pl.concat_str([e_named, col("e_county"), col("tail")]))
        .when(col("shape") < 2)
        .then(pl.concat_str([pl.lit("山东省淄博市"), col("tail")]))
        .otherwise(pl.lit(""))
    )
    outcome = (
        pl.when(col("g") == 0)
        .then(col("county"))
        .when(col("g") == 1)
        .then(pl.concat_str([pl.lit("外:"), col("s_city")]))
        .when(col("g") == 2)
        .then(pl.concat_str([pl.lit("外:"), col("e_prov")]))
        .otherwise(pl.lit("无法归属"))
    )
    built = frame.select(address=address, outcome=outcome)
    records = pl.DataFrame(
        {
            "申请号": number,
            "申请日": day,
            "专利类型": pl.Series(["发明", "实用新型", "外观设计"]).gather(kind),
            "申请人地址": built["address"],
        }
    )
    month = int(MONTH[5:])
    window = {
        "month": (dt.date(2019, month, 1), dt.date(2019, month, 31)),
        "ytd": (dt.date(2019, 1, 1), dt.date(2019, month, 31)),
        "last": (dt.date(2018, 1, 1), dt.date(2018, month, 31)),
    }
    truth = (
        pl.DataFrame({"day": day, "invention": kind == 0, "outcome": built["outcome"]})
        .filter(pl.col("invention"))
        .group_by("outcome")
        .agg(**{k: pl.col("day").is_between(a, b).sum() for k, (a, b) in window.items()})
    )
    counts = {o: [m, y, la] for o, m, y, la in truth.iter_rows()}
    return records, counts


def ensure(size: str) -> Path:
    """Write the list (one year at a time, then one streaming concatenation) and its truth."""
    import polars as pl

    path = DATA / f"national-{size}.parquet"
    truth_path = DATA / f"national-{size}.truth.json"
    if path.exists() and truth_path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    places = _places()
    per_year = ROWS[size] // len(YEARS)
    parts, totals = [], {}
    for offset, year in enumerate(YEARS):
        print(f"生成 {year} 年 {per_year} 行 …", file=sys.stderr, flush=True)
        records, counts = _year(year, per_year, 20190531 + offset, places)
        part = DATA / f".national-{size}-{year}.parquet"
        records.write_parquet(part, row_group_size=1_000_000)
        parts.append(part)
        for key, value in counts.items():
            totals[key] = [a + b for a, b in zip(totals.get(key, [0, 0, 0]), value, strict=True)]
        del records
    pl.scan_parquet(parts).sink_parquet(path, row_group_size=1_000_000)
    for part in parts:
        part.unlink()
    truth_path.write_text(json.dumps(totals, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def ensure_rules() -> Path:
    """The rules ``ipscore init --city 淄博市`` writes (generated once, in a child process)."""
    folder = DATA / "init-淄博"
    if not folder.exists():
        subprocess.run(
            [sys.executable, "-m", "ipscore", "init", str(folder), "--city", CITY, "--year",
             MONTH[:4]],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        # Fill the targets template (100 each) so that the table reads back as rank reads it.
        targets = folder / "rules" / f"targets-{MONTH[:4]}.toml"
        lines = targets.read_text(encoding="utf-8").splitlines()
        filled = [ln[2:] + "100" if ln.startswith('# "') else ln for ln in lines]
        targets.write_text("\n".join(filled) + "\n", encoding="utf-8")
    return folder / "rules"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", choices=sorted(ROWS), default="60m")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv", action="store_true", help="the same list as CSV (written once)")
    args = parser.parse_args()
    py = sys.executable
    if not (DATA / f"national-{args.rows}.parquet").exists():
        subprocess.run([py, __file__, "--generate", args.rows], check=True)
    path = DATA / f"national-{args.rows}.parquet"
    if args.csv:
        csv_path = path.with_suffix(".csv")
        if not csv_path.exists():
            script = (
                "import polars as pl,sys;pl.scan_parquet(sys.argv[1]).with_columns("
                "pl.col('申请日').cast(pl.String)).sink_csv(sys.argv[2])"
            )
            subprocess.run([py, "-c", script, str(path), str(csv_path)], check=True)
        path = csv_path
    rules = ensure_rules()
    truth = json.loads((DATA / f"national-{args.rows}.truth.json").read_text(encoding="utf-8"))
    print(f"== {path.name}（{path.stat().st_size / 1e6:.0f} MB，{ROWS[args.rows]:,} 行）")
    scan = (
        "import polars as pl,sys,datetime as d;"
        "c=pl.col('申请日').str.to_date() if sys.argv[1].endswith('.csv') else pl.col('申请日');"
        "t=pl.col('专利类型')=='发明';"
        "w=(c.is_between(d.date(2019,1,1),d.date(2019,5,31))|"
        "c.is_between(d.date(2018,1,1),d.date(2018,5,31)))&t;"
        "s=pl.scan_csv if sys.argv[1].endswith('.csv') else pl.scan_parquet;"
        "print(s(sys.argv[1]).filter(w).select(pl.len()).collect(engine='streaming').item())"
    )
    seconds, peak, out = run([py, "-c", scan, str(path)], capture=True)
    print(f"  polars 仅扫描+过滤（{int(out):,} 行）  {seconds:6.2f} s  峰值 {peak / GIB:5.2f} GiB")
    times, cpus, peaks = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        out_file = Path(tmp) / f"{MONTH}.xlsx"
        for _ in range(args.runs):
            load = os.getloadavg()[0]
            seconds, cpu, peak = run_cpu(
                [py, "-m", "ipscore", "tally", str(path), "--month", MONTH, "-o", str(out_file),
                 "--rules", str(rules / "attribution.toml"), "-q"]
            )  # fmt: skip
            times.append(seconds)
            cpus.append(cpu)
            peaks.append(peak)
            print(f"  ipscore tally        {seconds:6.2f} s（CPU {cpu:5.2f} s，负载 {load:4.1f}）"
                  f"  峰值 {peak / GIB:5.2f} GiB", flush=True)  # fmt: skip
        got = table_counts_with(out_file, rules / "monthly-2019.toml")
    expected = {unit: truth.get(unit, [0, 0, 0]) for unit in got}
    same = got == expected
    print(f"  最快 {min(times):.2f} s，中位数 {statistics.median(times):.2f} s（目标 < 10 s），"
          f"CPU 中位数 {statistics.median(cpus):.2f} s，峰值最大 "
          f"{max(peaks) / GIB:.2f} GiB（目标 < 1.5 GiB）")  # fmt: skip
    print(f"  与生成器的独立计数一致：{'是' if same else '否'}")
    for unit in got:
        print(f"    {unit}: tally {got[unit]}，独立计数 {expected[unit]}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--generate":
        print(ensure(sys.argv[2]))
    else:
        main()
