"""ipscore.__main__."""

from __future__ import annotations

from ipscore.cli.common import main

main()
