"""Floor 4: the history store (SQLite). It stores results; it runs no pipeline."""
