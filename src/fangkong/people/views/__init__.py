"""People pages: the registry (registry.py) and the ledger and duplicates (ledger.py)."""
