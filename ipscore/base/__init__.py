"""Floor 0: numbers, problems and their codes, periods, atomic files. Imports nothing of ipscore."""
