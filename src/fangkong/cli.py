"""The ``fangkong`` command line: Django's management commands under one name.

fangkong demo | seed | import KIND FILE | serve     the project's own commands
fangkong manage COMMAND ...                         any Django command (migrate, ...)
"""

import os
import sys
from pathlib import Path


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    if not os.environ.get("DATABASE_URL"):
        # the default SQLite file lives here; SQLite does not create folders
        Path(os.environ.get("FANGKONG_VAR_DIR") or "var").mkdir(parents=True, exist_ok=True)
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "manage":
        args = args[1:]
    execute_from_command_line(["fangkong", *args])
