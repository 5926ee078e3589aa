"""Floor 2: statistics sheets read into unit records, within the hostile-file bounds."""
