"""The house: every import points down the floors, and no module reaches into another's privates.

Floors (docs/architecture.md): base → rules → intake | tally → scoring → store → render → app →
cli. A module may import from its own package and from any lower floor; intake and tally share a
floor and do not import each other. The walk reads every ``import`` with ast, including imports
inside functions and under ``TYPE_CHECKING``, so a lazy import cannot hide a back-arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "ipscore"
FLOORS = {
    "base": 0,
    "rules": 1,
    "intake": 2,
    "tally": 2,
    "scoring": 3,
    "store": 4,
    "render": 5,
    "app": 6,
    "cli": 7,
    "__main__": 8,
}
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def imports_of(source: str) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, imported names) for every ipscore import in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ipscore"):
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ipscore"):
                    found.append((node.lineno, alias.name, []))
    return found


def violations(module: str, source: str) -> list[str]:
    """Every import in ``module`` that points up, sideways or into a private name."""
    here = _package(module)
    bad = []
    for line, target, names in imports_of(source):
        there = _package(target)
        if target == "ipscore" and names:
            subs = [n for n in names if n in FLOORS]
            there = subs[0] if subs else None
        if here is None or there is None or here == there:
            pass
        elif there not in FLOORS or here not in FLOORS:
            bad.append(f"{module}:{line}: unknown floor for {target}")
        elif FLOORS[there] >= FLOORS[here]:
            bad.append(f"{module}:{line}: {here} (floor {FLOORS[here]}) imports {target}")
        for name in names:
            if name.startswith("_") and not name.startswith("__") and target != module:
                bad.append(f"{module}:{line}: reaches into {target}.{name}")
    return bad


def test_every_import_points_down_the_floors() -> None:
    problems = []
    for module, path in _modules().items():
        problems.extend(violations(module, path.read_text(encoding="utf-8")))
    assert problems == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("ipscore.scoring.score", "from ipscore.app.rank import rank_month\n"),
        ("ipscore.rules.scheme", "def f():\n    from ipscore.intake.table import load_table\n"),
        ("ipscore.intake.table", "from ipscore.tally.count import tally\n"),
        ("ipscore.store.history", "from ipscore.render import model\n"),
        ("ipscore.render.text", "from ipscore.render.terminal import _Null\n"),
    ],
)
def test_a_planted_back_arrow_is_caught(module: str, source: str) -> None:
    assert violations(module, source)


def test_an_import_down_the_floors_is_fine() -> None:
    assert violations("ipscore.app.rank", "from ipscore.scoring.score import score\n") == []


def test_every_module_has_a_floor() -> None:
    packages = {_package(m) for m in _modules()} - {None}
    assert packages <= set(FLOORS)


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
