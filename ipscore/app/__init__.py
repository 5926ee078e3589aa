"""Floor 5: the only place that chains load → score → store → render, one module per job."""
