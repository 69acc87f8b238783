"""Where uploaded rosters' rejects files are kept (under VAR_DIR, like every import's)."""

from pathlib import Path

from django.conf import settings


def imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path
