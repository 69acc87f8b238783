import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangkong.assistance.services.points import load_points


class Command(BaseCommand):
    help = (
        "Help requests. 'assistance points FILE.csv' sets where buildings stand, for the batch "
        "dispatch's distances: a header row with building (the building's id), lat and lon "
        "(纬度, 经度 accepted), one building a row; every row is checked and nothing is "
        "stored if any is wrong (each wrong row is printed with why); a second load of the "
        "same file changes nothing. --json ends with {points, rejected}."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=("points",))
        parser.add_argument("file", help="the CSV file")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="end with one JSON line"
        )

    def handle(self, *args, action, file, as_json, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        result = load_points(path.read_bytes())
        for line, why in result.rejected:
            self.stdout.write(f"line {line}: {why}" if line else why)
        if as_json:
            self.stdout.write(
                json.dumps({"points": result.points, "rejected": len(result.rejected)})
            )
        else:
            self.stdout.write(f"{result.points} building points stored")
        if result.rejected:
            raise CommandError(f"{len(result.rejected)} rows refused; nothing stored")
