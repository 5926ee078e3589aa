"""Floor 6: the command line: options, one output dispatcher, one file per command group."""

from __future__ import annotations

# Importing a command group registers its commands; the order here is their order in
# `ipscore -h`: the monthly round first (rank … trend), then the brief, the collection round's
# status, the robustness analysis and setting up a working folder.
# isort: off
from ipscore.cli import commands, data, notice  # noqa: F401
from ipscore.cli import brief, status, robust, init  # noqa: F401

# isort: on
from ipscore.cli.common import app, main

__all__ = ["app", "main"]
