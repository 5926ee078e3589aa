"""What makes two schemes the same scheme: its name and a digest of what it scores by.

The history store keys every recorded month by this identity, so ranks are only ever compared
with ranks scored the same way. The digest is taken over the rule file as written (parsed TOML,
so layout and comments do not count) with the parts that only name things left out — labels,
header aliases and excludes, indicator and bonus-item names, the path of the unit list — plus
the assessed units in their order. Everything that can change a score, a rank or a grade is
in it: kind and year, total points, rounding and decimals, the tie-breaker, field types, the
derived figures, every indicator's points, method and parameters, the bonus, the grade bands
and the veto. An edited copy with new weights is therefore a different scheme even when it
keeps ``[scheme].name``, while fixing a label or adding a header alias is not.

The digest reads the rule language, not ipscore's classes, so it stays the same across
versions of ipscore that read the file the same way.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ipscore.rules.scheme import Scheme
from ipscore.rules.source import read_toml

DIGEST_CHARS = 16
_NAMING = frozenset({"name", "label", "aliases", "excludes"})
_REMEMBERED: dict[int, SchemeId] = {}


@dataclass(frozen=True)
class SchemeId:
    """A scheme's identity: ``[scheme].name`` and the digest of its scoring content."""

    name: str
    digest: str

    def __str__(self) -> str:
        return f"{self.name}（{self.digest[:8]}）" if self.digest else self.name


def scheme_id(scheme: Scheme) -> SchemeId:
    """The identity of a checked scheme (from the data it was read from, when known)."""
    known = _REMEMBERED.get(id(scheme))
    if known is not None:
        return known
    return identity_of(read_toml(scheme.source), scheme)


def remember(scheme: Scheme, data: Mapping[str, Any]) -> SchemeId:
    """Fix the identity of a scheme just read from ``data`` (so a later edit of the file on
    disk cannot change what a recording says it was scored by)."""
    found = identity_of(data, scheme)
    key = id(scheme)
    _REMEMBERED[key] = found
    weakref.finalize(scheme, _REMEMBERED.pop, key, None)
    return found


def identity_of(data: Mapping[str, Any], scheme: Scheme) -> SchemeId:
    """The identity of the rule-file ``data`` that ``scheme`` was read from."""
    head = dict(data.get("scheme") or {})
    content = {
        "scheme": {
            "kind": head.get("kind", "monthly"),
            "year": head.get("year"),
            "total_points": head.get("total_points"),
            "rounding": head.get("rounding", "half_up"),
            "decimals": head.get("decimals", 2),
            "tie_breaker": head.get("tie_breaker"),
        },
        "units": list(scheme.units.names),
        # Of a field only its type scores: required/positive/not_below check a sheet.
        "fields": {
            fid: {"type": spec.get("type", "count")} if isinstance(spec, Mapping) else spec
            for fid, spec in (data.get("fields") or {}).items()
        },
        "derived": data.get("derived") or {},
        "indicators": data.get("indicators") or [],
        "bonus": data.get("bonus"),
        "grades": data.get("grades"),
        "veto": data.get("veto"),
    }
    text = json.dumps(_plain(content), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return SchemeId(scheme.name, hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS])


def _plain(value: Any, keep_names: bool = False) -> Any:
    """TOML data as JSON-ready data: numbers exact (1, 1.0 and 1.00 alike), naming keys out."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        number = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
        return f"{number.numerator}/{number.denominator}"
    if isinstance(value, Mapping):
        return {
            str(k): _plain(v, keep_names or k == "bands")
            for k, v in value.items()
            if keep_names or str(k) not in _NAMING
        }
    if isinstance(value, (list, tuple)):
        return [_plain(v, keep_names) for v in value]
    return str(value)  # dates and times: TOML allows them, no scheme key uses them
