"""Synthetic province-wide application lists (专利申请明细) for the tally benchmark.

Addresses are built from the same lists as the attribution rules (rules/attribution.toml: the
units' towns and streets, their spellings, the other cities of the province), in the shapes real
lists have: full addresses, a town only, a short name, a road named after another unit (淄川路),
development zones with and without their host district, other cities (also 济南市高新区 and
青岛市…淄博路), and a few that cannot be attributed (blank, 淄博市 only, 高新区 with no city, a
district with another district's street). Every row's intended outcome is kept in a truth file
beside the data (``NAME.truth.parquet``: day, invention, outcome), from which the benchmark
computes its independent count.

Writers: xlsx with XlsxWriter in constant_memory mode (rows streamed to the sheet XML, inline
strings; about 40 s for 1M rows on this machine), Parquet and CSV with Polars. Generation is
vectorised with NumPy and Polars; a fixed seed makes every file reproducible.

    python benchmarks/generate.py 1m            # benchmarks/data/bench-1m.xlsx
    python benchmarks/generate.py 10m --format parquet csv
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ipscore.tally.attribution import load_attribution  # noqa: E402

DATA = HERE / "data"
SIZES = {"10k": 10_000, "1m": 1_000_000, "10m": 10_000_000}
YEARS = {"10k": (2018, 2019), "1m": (2018, 2019), "10m": (2010, 2019)}

ROADS = [
    "华光路", "共青团西路", "人民西路", "柳泉路", "新村西路", "金晶大道", "联通路", "北京路",
    "中润大道", "鲁泰大道", "世纪路", "西二路", "昌国路", "商场东街", "张周路", "青岛路",
    "济南路", "淄川路", "博山路", "临淄路", "桓台路", "张店东路", "政通路", "宝石路",
    "正阳路", "民祥路", "恒星路", "泰山路", "齐鲁大道", "万杰路",
]  # fmt: skip
OTHER_DISTRICTS = [
    "历下区",
    "市北区",
    "芝罘区",
    "奎文区",
    "任城区",
    "高新区",
    "经济开发区",
    "东港区",
]
PREFIXES = ["山东", "淄博", "齐鲁", "鲁中", "华光", "金晶", "新华", "东岳", "海岱", "泰和", "宏达"]
TRADES = ["化工", "陶瓷", "机械", "医药", "新材料", "电子", "环保", "汽车部件", "纺织", "耐火材料"]
FORMS = ["有限公司", "股份有限公司", "科技有限公司", "集团有限公司", "大学", "研究院"]
TITLES = [
    "一种高强度陶瓷材料及其制备方法", "一种化工废水处理装置", "一种轴承自动检测设备",
    "一种药物组合物及其应用", "一种耐火砖的生产工艺", "一种新能源汽车电池散热结构",
    "一种纺织品染色方法", "一种智能控制系统", "一种管道连接件", "一种催化剂及其制备方法",
]  # fmt: skip
AGENTS = [
    "淄博佳和专利代理事务所",
    "淄博科信专利商标代理有限公司",
    "济南圣达知识产权代理有限公司",
    "",
]


def choose(rng: np.random.Generator, items: list[str], n: int) -> pl.Series:
    return pl.Series(items).gather(rng.integers(0, len(items), n))


def build(size: str, seed: int = 20190531) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(records, truth) for one size; truth has day, invention and the intended outcome."""
    rules = load_attribution()
    n = SIZES[size]
    rng = np.random.default_rng(seed)
    first, last = YEARS[size]
    start = dt.date(first, 1, 1)
    days = (dt.date(last, 12, 31) - start).days + 1
    offsets_days = rng.integers(0, days, n)
    dates = pl.Series("day", np.datetime64(start, "D") + offsets_days).cast(pl.Date)
    kinds = rng.choice(3, n, p=[0.40, 0.45, 0.15])  # 发明, 实用新型, 外观设计

    units = list(rules.units)
    districts = [i for i, u in enumerate(units) if u.kind == "district"]
    unit = rng.integers(0, len(units), n)
    # Templates: 0-4 this city (attributable), 5-6 other cities, 7-10 unattributable.
    template = rng.choice(
        11, n, p=[0.05, 0.03, 0.02, 0.02, 0.02, 0.74, 0.08, 0.01, 0.01, 0.01, 0.01]
    )
    # A template needing a district uses a district; zones get their own shapes below.
    is_zone = np.array([units[i].kind == "zone" for i in range(len(units))])[unit]

    town_lists = [list(u.towns) for u in units]
    offsets = np.cumsum([0] + [len(t) for t in town_lists])[:-1]
    counts = np.array([len(t) for t in town_lists])
    all_towns = pl.Series([t for ts in town_lists for t in ts])
    town = all_towns.gather(offsets[unit] + (rng.random(n) * counts[unit]).astype(np.int64))
    full = pl.Series([u.name for u in units]).gather(unit)
    short = pl.Series([(u.short or u.names or (u.name,))[0] for u in units]).gather(unit)
    zone_name = pl.Series(
        [
            "淄博高新技术产业开发区" if u.name == "高新区" else
            "淄博经济开发区" if u.name == "经济开发区" else
            "淄博市文昌湖省级旅游度假区" if u.name == "文昌湖区" else "淄博市" + u.name
            for u in units
        ]
    ).gather(unit)  # fmt: skip
    other_unit = np.array(districts)[rng.integers(0, len(districts), n)]
    other_road = pl.Series(
        [
            (units[i].short or units[i].names or (units[i].name,))[0] + "路"
            for i in range(len(units))
        ]
    )
    road = choose(rng, ROADS, n)
    number = pl.Series(rng.integers(1, 999, n)).cast(pl.String)
    city_index = rng.integers(0, len(rules.other_cities), n)
    city = pl.Series([c for c, _ in rules.other_cities]).gather(city_index)
    other_district = choose(rng, OTHER_DISTRICTS, n)
    zibo_district = pl.Series([units[i].name for i in districts]).gather(
        rng.integers(0, len(districts), n)
    )

    frame = pl.DataFrame(
        {
            "template": template,
            "zone": is_zone,
            "unit": unit,
            "town": town,
            "full": full,
            "short": short,
            "zone_name": zone_name,
            "other_road": other_road.gather(other_unit),
            "other_unit": other_unit,
            "road": road,
            "num": number,
            "city": city,
            "odist": other_district,
            "zdist": zibo_district,
        }
    )
    t, zone = pl.col("template"), pl.col("zone")
    c = pl.col
    tail = pl.concat_str([c("road"), c("num"), pl.lit("号")])
    address = (
        # Zones: the zone's own name, sometimes with a host district before it, or a zone town.
        pl.when(zone & (t == 0))
        .then(pl.concat_str([pl.lit("山东省"), c("zone_name"), tail]))
        .when(zone & (t == 1))
        .then(
            pl.concat_str(
                [
                    pl.lit("山东省淄博市"),
                    c("zdist"),
                    c("zone_name").str.replace("^淄博市?", ""),
                    tail,
                ]
            )
        )
        .when(zone & (t <= 4))
        .then(pl.concat_str([pl.lit("淄博市"), c("town"), tail]))
        # Districts.
        .when(t == 0)
        .then(pl.concat_str([pl.lit("山东省淄博市"), c("full"), c("town"), tail]))
        .when(t == 1)
        .then(pl.concat_str([pl.lit("淄博市"), c("full"), tail]))
        .when(t == 2)
        .then(pl.concat_str([pl.lit("山东省淄博市"), c("town"), tail]))
        .when(t == 3)  # a road named after another unit
        .then(pl.concat_str([pl.lit("淄博市"), c("full"), c("other_road"), c("num"), pl.lit("号")]))
        .when(t == 4)
        .then(pl.concat_str([pl.lit("山东省淄博"), c("short"), tail]))
        # Other cities.
        .when(t == 5)
        .then(pl.concat_str([pl.lit("山东省"), c("city"), c("odist"), tail]))
        .when(t == 6)
        .then(pl.concat_str([c("city"), c("odist"), pl.lit("淄博路"), c("num"), pl.lit("号")]))
        # Unattributable.
        .when(t == 7)
        .then(pl.lit(""))
        .when(t == 8)
        .then(pl.concat_str([pl.lit("山东省淄博市"), tail]))
        .when(t == 9)
        .then(pl.concat_str([pl.lit("高新区"), tail]))
        .otherwise(pl.concat_str([pl.lit("淄博市张店区般阳路街道"), tail]))
    )
    names = [u.name for u in units]
    outcome = (
        pl.when(t <= 4)
        .then(c("unit").replace_strict(list(range(len(names))), names, return_dtype=pl.String))
        .when(t <= 6)
        .then(pl.concat_str([pl.lit("外市:"), c("city")]))
        .otherwise(pl.lit("无法归属"))
    )
    built = frame.select(address=address, outcome=outcome)
    type_names = pl.Series(["发明", "实用新型", "外观设计"]).gather(kinds)
    app_no = pl.select(
        pl.concat_str(
            [
                pl.lit("CN"),
                dates.dt.year().cast(pl.String),
                pl.Series(kinds + 1).cast(pl.String),
                pl.Series(np.arange(n) % 10_000_000).cast(pl.String).str.zfill(7),
                pl.lit("."),
                pl.Series(rng.integers(0, 10, n)).cast(pl.String),
            ]
        )
    ).to_series()
    applicant = pl.select(
        pl.concat_str([choose(rng, PREFIXES, n), choose(rng, TRADES, n), choose(rng, FORMS, n)])
    ).to_series()
    records = pl.DataFrame(
        {
            "申请号": app_no,
            "申请日": dates,
            "专利类型": type_names,
            "发明名称": choose(rng, TITLES, n),
            "申请人": applicant,
            "申请人地址": built["address"],
            "邮编": pl.Series(rng.integers(255000, 256500, n)).cast(pl.String),
            "代理机构": choose(rng, AGENTS, n),
        }
    )
    truth = pl.DataFrame(
        {"day": dates, "invention": pl.Series(kinds == 0), "outcome": built["outcome"]}
    )
    return records, truth


def write_xlsx(records: pl.DataFrame, path: Path) -> None:
    """Stream rows into an xlsx with XlsxWriter's constant_memory mode; dates as date cells."""
    import xlsxwriter

    tmp = path.with_suffix(".tmp.xlsx")
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    sheet = book.add_worksheet("专利申请明细")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, records.columns)
    epoch = dt.date(1899, 12, 30)
    for r, row in enumerate(records.iter_rows(), start=1):
        sheet.write_row(r, 0, row[:1])
        sheet.write_number(r, 1, (row[1] - epoch).days, date_format)
        sheet.write_row(r, 2, row[2:])
    book.close()
    tmp.replace(path)


def ensure(size: str, fmt: str) -> Path:
    """The cached data file of a size and format, generated when missing."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"bench-{size}.{fmt}"
    truth = DATA / f"bench-{size}.truth.parquet"
    if path.exists() and truth.exists():
        return path
    print(f"生成 {path.name} …", file=sys.stderr, flush=True)
    records, truth_frame = build(size)
    truth_frame.write_parquet(truth)
    if fmt == "xlsx":
        write_xlsx(records, path)
    elif fmt == "parquet":
        records.write_parquet(path)
    else:
        records.with_columns(pl.col("申请日").cast(pl.String)).write_csv(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("--format", nargs="+", default=["xlsx"], choices=["xlsx", "parquet", "csv"])
    args = parser.parse_args()
    for fmt in args.format:
        print(ensure(args.size, fmt))


if __name__ == "__main__":
    main()
