"""ipscore: rank and assess a city's counties on intellectual-property work.

The package is a house of floors (see docs/architecture.md): ``base`` → ``rules`` →
``intake``/``tally`` → ``scoring`` → ``store``/``render`` → ``app`` → ``cli``; each imports only
from the floors below it.
"""

from __future__ import annotations

__version__ = "0.1.0"
