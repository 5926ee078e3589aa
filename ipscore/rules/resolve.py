"""ipscore.rules.resolve."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ipscore.base.problems import Problem, RulesError
from ipscore.rules.scheme import Scheme

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on Python 3.10 only
    pass
from ipscore.rules.parse import parse_scheme
from ipscore.rules.source import read_toml, rules_dir


def load_annual_scheme(path: Path | str | None = None) -> Scheme:
    """The annual rule file at ``path`` (rules/annual-2019.toml by default), checked."""
    scheme = load_scheme(path if path is not None else default_scheme_path("annual"))
    if scheme.kind != "annual":
        raise RulesError(
            [
                Problem(
                    "rules-kind",
                    f'规则“{scheme.name}”是月度方案（kind = "{scheme.kind}"），'
                    "不能用于年度考核；月度排名请用 ipscore rank",
                    file=str(scheme.source),
                )
            ]
        )
    return scheme


DEFAULT_MONTHLY = "monthly-2019.toml"
DEFAULT_ANNUAL = "annual-2019.toml"


def default_scheme_path(kind: str = "monthly") -> Path:
    """The reference scheme of a kind (the 2019 monthly ranking by default)."""
    names = {"monthly": DEFAULT_MONTHLY, "annual": DEFAULT_ANNUAL}
    return rules_dir() / names[kind]


def load_scheme(path: Path | str | None = None) -> Scheme:
    """Read and check a rule file (the reference monthly scheme when ``path`` is None)."""
    if path is None:
        env = os.environ.get("IPSCORE_RULES")
        path = Path(env) if env else default_scheme_path()
    path = Path(path)
    scheme, problems = parse_scheme(read_toml(path), path)
    if scheme is None:
        raise RulesError(problems)
    return scheme
