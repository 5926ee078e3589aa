"""Which scheme a command uses: the one place that decides, and checks the kind.

Every command that scores asks :func:`resolve_scheme` for the kind it needs. The scheme comes
from, in order: the ``--rules`` file the user gave; else the file of that kind listed in the
environment variable ``IPSCORE_RULES`` (one path, or several separated by ``os.pathsep``, at
most one per kind); else, inside a working folder (``ipscore init``), its ``rules/`` copy; else
the built-in scheme of that kind. An explicit file of the wrong kind
(an annual scheme given to ``rank``) is an error naming the file as typed and what was
expected, exit status 2.

The default of a kind (what a command uses without ``--rules``) is the *official* scheme: the
history store marks the months recorded under it, so a what-if copy is never taken for them.
"""

from __future__ import annotations

import os
from pathlib import Path

from ipscore.base.problems import IpscoreError, Problem, RulesError
from ipscore.rules.identity import remember, scheme_id
from ipscore.rules.parse import parse_scheme
from ipscore.rules.scheme import SCHEME_KINDS, Scheme
from ipscore.rules.source import default_rule_file, read_toml, shown_path

ENV_RULES = "IPSCORE_RULES"
DEFAULT_MONTHLY = "monthly-2019.toml"
DEFAULT_ANNUAL = "annual-2019.toml"
KIND_NAMES = {"monthly": "月度排名方案", "annual": "年度考核方案"}
KIND_COMMANDS = {"monthly": "ipscore rank", "annual": "ipscore assess"}
KIND_USES = {"monthly": "月度排名", "annual": "年度考核"}


def default_scheme_path(kind: str = "monthly") -> Path:
    """The built-in scheme of a kind (the 2019 monthly ranking by default)."""
    names = {"monthly": DEFAULT_MONTHLY, "annual": DEFAULT_ANNUAL}
    return default_rule_file(names[kind])


def load_scheme(path: Path | str | None = None) -> Scheme:
    """Read and check a rule file of any kind (the default monthly scheme when ``path`` is None).

    Commands use :func:`resolve_scheme`, which also checks the kind; this is for ``rules
    check``/``rules show`` and for code that already knows which file it wants.
    """
    if path is None:
        return resolve_scheme(None, "monthly")
    path = Path(path)
    data = read_toml(path)
    scheme, problems = parse_scheme(data, path)
    if scheme is None:
        raise RulesError(problems)
    remember(scheme, data)
    return scheme


def resolve_scheme(
    rules: Path | str | None, kind: str | tuple[str, ...], command: str | None = None
) -> Scheme:
    """The scheme ``command`` uses: ``rules`` if given (checked to be of ``kind``), else the
    default of ``kind`` (``IPSCORE_RULES``, else the working folder's ``rules/``, else built
    in). ``kind`` may be several kinds when the command takes either (``explain``); the default
    is then the first."""
    kinds = (kind,) if isinstance(kind, str) else kind
    if rules is not None:
        scheme = load_scheme(rules)
        if scheme.kind not in kinds:
            raise RulesError([_wrong_kind(str(rules), scheme.kind, kinds[0], command)])
        return scheme
    return default_scheme(kinds[0])


def default_scheme(kind: str) -> Scheme:
    """The official scheme of a kind: the ``IPSCORE_RULES`` file of that kind, else built in."""
    listed = _env_schemes()
    mine = [s for s in listed if s.kind == kind]
    if len(mine) > 1:
        names = "、".join(shown_path(s.source) for s in mine)
        raise RulesError(
            [
                Problem(
                    "rules-kind",
                    f"环境变量 {ENV_RULES} 列出了多个{KIND_NAMES[kind]}（{names}）；"
                    "每种方案只能列一个",
                )
            ]
        )
    if mine:
        return mine[0]
    return load_scheme(default_scheme_path(kind))


def is_official(scheme: Scheme) -> bool:
    """True when ``scheme`` scores exactly as the default of its kind (same name and digest)."""
    try:
        return scheme_id(default_scheme(scheme.kind)) == scheme_id(scheme)
    except IpscoreError:
        return False


def _env_schemes() -> list[Scheme]:
    value = os.environ.get(ENV_RULES, "")
    return [load_scheme(Path(part)) for part in value.split(os.pathsep) if part.strip()]


def _wrong_kind(shown: str, found: str, wanted: str, command: str | None) -> Problem:
    found_name = KIND_NAMES.get(found, found)
    needs = f"{command} 需要" if command else "这里需要"
    message = (
        f'这是{found_name}（kind = "{found}"），{needs}{KIND_NAMES[wanted]}（kind = "{wanted}"）'
    )
    if found in SCHEME_KINDS:
        message += f"；{KIND_USES[found]}请用 {KIND_COMMANDS[found]}"
    return Problem("rules-kind", message, file=shown)
