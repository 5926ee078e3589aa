"""Floor 2: application lists counted per unit (attribution by address)."""
