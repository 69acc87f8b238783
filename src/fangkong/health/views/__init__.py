"""Health monitoring pages: staff (staff.py), residents and quick entry (resident.py), cases
(cases.py), checkpoints (checkpoints.py)."""
