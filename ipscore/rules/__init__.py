"""Floor 1: rule files read as data and checked whole.

Schemes, units, scoring methods, notice wording and targets.
"""
