"""ipscore: rank and assess a city's counties on intellectual-property work.

The package is importable without the CLI: ``ipscore.loading`` reads statistics sheets,
``ipscore.rules`` reads rule files, ``ipscore.scoring`` applies a scheme, and ``ipscore.render``
turns results into tables and files.
"""

__version__ = "0.1.0"
