"""Floor 3: a scheme applied to a table.

Points, totals, ranks, grades, ledgers, comparisons and cross-checks.
"""
