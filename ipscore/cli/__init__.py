"""Floor 6: the command line: options, one output dispatcher, one file per command group."""

from __future__ import annotations

from ipscore.cli import brief, commands, data, notice, robust, status  # noqa: F401 - registers
from ipscore.cli.common import app, main

__all__ = ["app", "main"]
