"""The scoring methods, one file each: the words a rule file's ``method = "…"`` may use.

Importing this package imports every module in it, and each method class registers itself
(:mod:`ipscore.rules.methods.base`), so a new method is one new file here and nothing else:
the rule checker, ``rules check``'s list of methods, ``rules show``, scoring and ``explain``
all find it through :func:`method_for` and :func:`method_names`.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from ipscore.rules.methods.base import Method, registry

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")


def method_names() -> tuple[str, ...]:
    """The registered methods' names, sorted: the vocabulary of ``method = "…"``."""
    return tuple(sorted(registry()))


def method_for(name: str) -> Method[Any]:
    """The method registered as ``name``; KeyError for a name the rule checker refused."""
    return registry()[name]
