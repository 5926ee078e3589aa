"""The vectorised attribution: from addresses to units, other cities and reasons.

Every name of the rules becomes a literal pattern of one Aho-Corasick pass
(``str.extract_many``, leftmost-longest, so 淄川路 beats 淄川 and 高新技术产业开发区 beats 开发区);
nothing from the rule file or the data is ever used as a regular expression. Each token found maps
to one integer (kind × 64 + unit index for a unit's evidence, 256 + index for a city); the
decision listed at the top of ``rules/attribution.toml`` is then a chain of integer expressions,
with no Python loop over rows.

The rows are split twice, so that the costly steps run only where they can change the outcome:
addresses of plain CJK characters, digits and ASCII letters skip the NFKC folding (it would leave
them as they are), and rows that name no unit's evidence at all (in a national list nearly every
row: another province or city) get their outcome from their first city token alone, without
the per-unit masks. The rows come back in their input order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ipscore.tally.attribution import EVIDENCE_KINDS, MAX_UNITS, AttributionRules

if TYPE_CHECKING:
    import polars as pl

# Characters NFKC leaves unchanged and that are no white space: CJK unified ideographs, ASCII
# digits and letters.
_PLAIN = r"^[\x{4E00}-\x{9FFF}0-9A-Za-z]*$"
CITY = 256
CHUNK = 200_000  # rows attributed at a time


def _normalised(data: pl.DataFrame, column: str) -> pl.DataFrame:
    """``_addr``: the address folded (NFKC) and without white space."""
    import polars as pl

    text = pl.col(column).cast(pl.String)
    plain = text.str.contains(_PLAIN).fill_null(True)
    data = data.with_columns(_plain=plain)
    easy = data.filter(pl.col("_plain")).with_columns(_addr=text)
    hard = data.filter(~pl.col("_plain")).with_columns(
        _addr=text.str.normalize("NFKC").str.replace_all(r"\s+", "")
    )
    return pl.concat([easy, hard]).drop("_plain")


def attribute(
    frame: pl.LazyFrame, rules: AttributionRules, column: str = "address"
) -> pl.LazyFrame:
    """See :func:`ipscore.tally.attribution.attribute`. Works through the rows in slices of
    :data:`CHUNK`, so that the lists of names found never exist for all rows at once."""
    import polars as pl

    data = frame.collect()
    parts = [
        _attribute(data.slice(start, CHUNK), rules, column)
        for start in range(0, max(data.height, 1), CHUNK)
    ]
    return pl.concat(parts).lazy()


def _attribute(data: pl.DataFrame, rules: AttributionRules, column: str) -> pl.DataFrame:
    import polars as pl

    data = _normalised(data.with_row_index("_order"), column)
    tokens = rules.tokens
    patterns = sorted(tokens, key=lambda t: (-len(t), t))
    code_of = {kind: number for number, kind in enumerate(EVIDENCE_KINDS)}
    keys = [t for t, (k, _) in tokens.items() if k != "ignore"]
    values = [
        CITY + tokens[t][1] if tokens[t][0] == "city" else code_of[tokens[t][0]] * 64 + tokens[t][1]
        for t in keys
    ]
    # A row can only be one of ours if one of our units' names occurs in it at all (a cheap
    # Aho-Corasick test); the others are decided by their first city alone.
    evidence = [t for t, v in zip(keys, values, strict=True) if v < CITY]
    if evidence:
        ours = pl.col("_addr").str.contains_any(evidence).fill_null(False)
    else:
        ours = pl.lit(False)
    data = data.with_columns(
        places=pl.col("_addr").str.extract_many(patterns, leftmost=True), _ours=ours
    )
    codes = (
        pl.col("places")
        .list.eval(pl.element().replace_strict(keys, values, default=None, return_dtype=pl.Int32))
        .list.drop_nulls()
    )
    inner = _decide(data.filter(pl.col("_ours")).with_columns(_codes=codes), rules)
    outer = data.filter(~pl.col("_ours"))
    head = (
        pl.col("places")
        .list.first()
        .replace_strict(keys, values, default=None, return_dtype=pl.Int32)
    )
    outer = outer.with_columns(_first=head)
    # The first token is a road or the province (ignored): look further along the list.
    further = (pl.col("_first").is_null() & (pl.col("places").list.len() > 1)).fill_null(False)
    quick = outer.filter(~further)
    slow = outer.filter(further).with_columns(_first=codes.list.first())
    outer = _outside(pl.concat([quick, slow]), rules)
    joined = pl.concat([inner.drop("_codes"), outer.drop("_first")]).sort("_order")
    return joined.drop("_order", "_addr", "_ours")


def _city_name(code: pl.Expr, rules: AttributionRules) -> pl.Expr:
    import polars as pl

    return (code - CITY).replace_strict(
        list(range(len(rules.city_names))),
        list(rules.city_names),
        default=None,
        return_dtype=pl.String,
    )


def _outside(data: pl.DataFrame, rules: AttributionRules) -> pl.DataFrame:
    """Rows that name no unit's evidence: only cities (or nothing) decide."""
    import polars as pl

    names = list(rules.unit_names)
    first = pl.col("_first")
    blank = pl.col("_addr").is_null() | (pl.col("_addr") == "")
    other = (first > CITY).fill_null(False) & ~blank
    return data.with_columns(
        unit=pl.lit(None, dtype=pl.Enum(names)),
        other_city=pl.when(other).then(_city_name(first, rules)),
        reason=pl.when(blank)
        .then(pl.lit("blank"))
        .when(other)
        .then(pl.lit(None, dtype=pl.String))
        .when(first == CITY)
        .then(pl.lit("city-only"))
        .otherwise(pl.lit("nothing")),
    )


def _decide(inner: pl.DataFrame, rules: AttributionRules) -> pl.DataFrame:
    """Rows that name a unit's evidence: the whole decision."""
    import polars as pl

    zones, districts = rules.bits("zone"), rules.bits("district")
    bits = [1 << i for i in range(MAX_UNITS)]
    element = pl.element()

    def mask(kind: int) -> pl.Expr:
        low = kind * 64
        return (
            pl.col("_codes")
            .list.eval(
                pl.when(element.is_between(low, low + 63))
                .then(element - low)
                .otherwise(None)
                .replace_strict(list(range(MAX_UNITS)), bits, default=0, return_dtype=pl.UInt64)
                .bitwise_or()
            )
            .list.first()
            .fill_null(0)
        )

    def first(kept: pl.Expr) -> pl.Expr:
        return (
            pl.col("_codes").list.eval(pl.when(kept).then(element)).list.drop_nulls().list.first()
        )

    inner = inner.with_columns(
        **{f"_{kind}": mask(number) for number, kind in enumerate(EVIDENCE_KINDS)},
        # The first city named, and the first place: a city or this city's own evidence (a
        # unit's name, town or short name; not a generic 高新区 every city has).
        _city=first(element >= CITY) - CITY,
        _first=first((element >= CITY) | ~element.is_between(64, 127)),
    )
    name, generic, town, short = (pl.col(f"_{kind}") for kind in EVIDENCE_KINDS)
    city = pl.col("_city")
    first_place = pl.col("_first")
    blank = pl.col("_addr").is_null() | (pl.col("_addr") == "")
    other = (first_place > CITY).fill_null(False)
    in_city = (city == 0).fill_null(False) | (city.is_null() & ((name | short) != 0))
    named_zones = (name | pl.when(in_city).then(generic).otherwise(0) | town) & zones
    dist = name & districts
    dist_towns = town & districts

    def count(e: pl.Expr) -> pl.Expr:
        return e.bitwise_count_ones()

    def index(e: pl.Expr) -> pl.Expr:
        return e.bitwise_trailing_zeros()

    towns_inside = (dist_towns | dist) == dist  # every town named belongs to a named district
    # (condition, unit index or None, reason or None), first match wins.
    steps: list[tuple[pl.Expr, pl.Expr | None, str | None]] = [
        (blank, None, "blank"),
        (other, None, None),
        (count(named_zones) == 1, index(named_zones), None),
        (count(named_zones) > 1, None, "zones"),
        ((count(dist) == 1) & towns_inside, index(dist), None),
        (count(dist) == 1, None, "conflict"),
        (
            (count(dist) > 1) & (count(dist_towns) == 1) & towns_inside,
            index(dist_towns),
            None,
        ),
        (count(dist) > 1, None, "districts"),
        (count(dist_towns) == 1, index(dist_towns), None),
        (count(dist_towns) > 1, None, "towns"),
        (count(short) == 1, index(short), None),
        (count(short) > 1, None, "shorts"),
        (generic != 0, None, "generic"),
        (city == 0, None, "city-only"),
    ]
    unit_chain: Any = pl
    reason_chain: Any = pl
    for condition, unit, reason in steps:
        unit_chain = unit_chain.when(condition).then(unit if unit is not None else pl.lit(None))
        reason_chain = reason_chain.when(condition).then(pl.lit(reason, dtype=pl.String))
    names = list(rules.unit_names)
    return inner.with_columns(
        unit=unit_chain.otherwise(None).replace_strict(
            list(range(len(names))), names, default=None, return_dtype=pl.Enum(names)
        ),
        other_city=pl.when(other).then(_city_name(first_place, rules)),
        reason=reason_chain.otherwise(pl.lit("nothing")),
    ).drop("_city", "_first", *(f"_{k}" for k in EVIDENCE_KINDS))
