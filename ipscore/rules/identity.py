"""What makes two schemes the same scheme: its name and a digest of what it scores by.

The history store keys every recorded month by this identity, so ranks are only ever compared
with ranks scored the same way. The digest covers everything that can change a score, a rank or
a grade — the kind and year, total points, rounding and decimals, the tie-breaker, the field
types, the derived figures, every indicator's points, method and parameters, the bonus, the
grade bands and the veto, and the assessed units in their order — and nothing that only names
things: labels, header aliases, indicator names, unit spellings, comments. An edited copy with
new weights is therefore a different scheme even when it keeps ``[scheme].name``, while fixing
a label or adding a header alias leaves the identity (and the rank change) alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from pathlib import PurePath
from typing import Any

from ipscore.rules.scheme import Scheme

DIGEST_CHARS = 16
# Keys that name or describe without changing any figure.
_COSMETIC = frozenset({"name", "label", "aliases", "excludes", "source", "warnings"})


@dataclass(frozen=True)
class SchemeId:
    """A scheme's identity: ``[scheme].name`` and the digest of its scoring content."""

    name: str
    digest: str

    def __str__(self) -> str:
        return f"{self.name}（{self.digest[:8]}）" if self.digest else self.name


def scheme_id(scheme: Scheme) -> SchemeId:
    """The identity of a checked scheme."""
    content = {
        "kind": scheme.kind,
        "year": scheme.year,
        "total_points": _plain(scheme.total_points),
        "rounding": scheme.rounding,
        "decimals": scheme.decimals,
        "tie_breaker": scheme.tie_breaker,
        "fields": {fid: spec.type for fid, spec in sorted(scheme.fields.items())},
        "derived": {did: _plain(d) for did, d in sorted(scheme.derived.items())},
        "indicators": [_plain(i) for i in scheme.indicators],
        "units": list(scheme.units.names),
        "bonus": _plain(scheme.bonus),
        "grades": _plain(scheme.grades),
        "veto": _plain(scheme.veto),
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return SchemeId(scheme.name, hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS])


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready data, cosmetic keys left out (fractions exact, as n/d)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, float):
        return _plain(Fraction(str(value)))
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, PurePath):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return {"@": type(value).__name__, **_mapping(items)}
    if isinstance(value, Mapping):
        return _mapping(value)
    if isinstance(value, (list, tuple, frozenset, set)):
        plain = [_plain(v) for v in value]
        return sorted(plain, key=repr) if isinstance(value, (set, frozenset)) else plain
    if hasattr(value, "__dict__"):  # a method object: its class and its settings
        return {"@": type(value).__name__, **_mapping(vars(value))}
    return repr(value)


def _mapping(items: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        str(k): _plain(v)
        for k, v in items.items()
        if str(k) not in _COSMETIC and not str(k).startswith("_")
    }
