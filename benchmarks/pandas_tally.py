"""The straightforward way, for comparison: pandas + openpyxl and a Python loop per record.

Reads the list with ``pandas.read_excel(engine="openpyxl")`` (or read_csv / read_parquet),
keeps the invention applications of the two windows, and attributes each address with the same
rules as ipscore (rules/attribution.toml), written independently: one regular expression made of
the escaped names (longest first), Python sets for the decision. Prints the counts as JSON:
{"units": {unit: [month, ytd, last_year]}, "other": n, "unattributed": n}.

    python benchmarks/pandas_tally.py benchmarks/data/bench-1m.xlsx 2019-05
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sys
from pathlib import Path

import pandas as pd
import tomllib

RULES = Path(__file__).resolve().parent.parent / "rules"
ROAD_ENDINGS = ("区", "县", "市", "镇", "道", "省")


def load_rules() -> dict:
    attribution = tomllib.loads((RULES / "attribution.toml").read_text("utf-8"))
    units_file = tomllib.loads((RULES / attribution["units_file"]).read_text("utf-8"))
    meaning: dict[str, tuple[str, str]] = {}
    kinds: dict[str, str] = {}
    for entry in units_file["units"]:
        name = entry["name"]
        detail = attribution["units"][name]
        kinds[name] = detail["kind"]
        short, generic = detail.get("short", []), detail.get("generic", [])
        for spelling in [name, *entry.get("aliases", [])]:
            kind = "short" if spelling in short else "generic" if spelling in generic else "name"
            meaning[spelling] = (kind, name)
        for spelling in short:
            meaning.setdefault(spelling, ("short", name))
        for spelling in generic:
            meaning.setdefault(spelling, ("generic", name))
        for town in detail.get("towns", []):
            meaning[town] = ("town", name)
    city = attribution["city"]
    for marker in city["markers"]:
        meaning[marker] = ("city", "")
    for other in attribution["other_cities"]:
        for marker in other["markers"]:
            meaning[marker] = ("city", other["name"])
    for name in city.get("province", []):
        meaning[name] = ("ignore", "")
    for name in list(meaning):
        kind = meaning[name][0]
        if kind in ("town", "ignore") or name.endswith(ROAD_ENDINGS):
            continue
        for suffix in city["road_suffixes"]:
            meaning.setdefault(name + suffix, ("ignore", ""))
    pattern = re.compile("|".join(re.escape(t) for t in sorted(meaning, key=len, reverse=True)))
    types = attribution["patent_types"]
    return {"meaning": meaning, "pattern": pattern, "kinds": kinds, "invention": types["invention"]}


def attribute(address: object, rules: dict) -> tuple[str, str]:
    """("unit", name) | ("other", city) | ("none", reason)."""
    if not isinstance(address, str) or not address.strip():
        return "none", "blank"
    text = re.sub(r"\s+", "", address)
    found = [rules["meaning"][m.group(0)] for m in rules["pattern"].finditer(text)]
    cities = [name for kind, name in found if kind == "city"]
    if cities and cities[0]:
        return "other", cities[0]
    own = bool(cities)
    names = {u for k, u in found if k == "name"}
    shorts = {u for k, u in found if k == "short"}
    towns = {u for k, u in found if k == "town"}
    generic = {u for k, u in found if k == "generic"}
    in_city = own or (not cities and bool(names or shorts))
    zone = rules["kinds"]
    zones = {u for u in names | towns | (generic if in_city else set()) if zone[u] == "zone"}
    if len(zones) == 1:
        return "unit", zones.pop()
    if zones:
        return "none", "zones"
    districts = {u for u in names if zone[u] == "district"}
    district_towns = {u for u in towns if zone[u] == "district"}
    if len(districts) == 1:
        if district_towns <= districts:
            return "unit", next(iter(districts))
        return "none", "conflict"
    if districts:
        inside = district_towns & districts
        if len(inside) == 1 and district_towns <= districts:
            return "unit", inside.pop()
        return "none", "districts"
    if len(district_towns) == 1:
        return "unit", district_towns.pop()
    if district_towns:
        return "none", "towns"
    if len(shorts) == 1:
        return "unit", shorts.pop()
    return "none", "other"


def main() -> None:
    path, month = Path(sys.argv[1]), sys.argv[2]
    year, m = (int(x) for x in month.split("-"))
    rules = load_rules()
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, engine="openpyxl", dtype=str)
    elif path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str)
    else:
        frame = pd.read_parquet(path)
    day = pd.to_datetime(frame["申请日"]).dt.date
    end = dt.date(year, m, calendar.monthrange(year, m)[1])
    last_end = dt.date(year - 1, m, calendar.monthrange(year - 1, m)[1])
    invention = frame["专利类型"].isin(rules["invention"])
    ytd = (day >= dt.date(year, 1, 1)) & (day <= end)
    month_only = (day >= dt.date(year, m, 1)) & (day <= end)
    last = (day >= dt.date(year - 1, 1, 1)) & (day <= last_end)
    units: dict[str, list[int]] = {}
    other = lost = 0
    kept = frame[invention & (ytd | last)].drop_duplicates("申请号")  # one count per application
    for index, address in zip(kept.index, kept["申请人地址"], strict=True):
        kind, name = attribute(address, rules)
        if not ytd[index] and not last[index]:
            continue
        if kind == "unit":
            counts = units.setdefault(name, [0, 0, 0])
            counts[0] += int(month_only[index])
            counts[1] += int(ytd[index])
            counts[2] += int(last[index])
        elif kind == "other":
            other += int(ytd[index])
        else:
            lost += int(ytd[index])
    print(json.dumps({"units": units, "other": other, "unattributed": lost}, ensure_ascii=False))


if __name__ == "__main__":
    main()
