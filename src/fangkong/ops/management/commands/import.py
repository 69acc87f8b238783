import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangkong.regions.services import RegionInvalid, import_regions, read_regions_csv

KINDS = ("regions",)


class Command(BaseCommand):
    help = (
        "Import a file: 'import regions FILE.csv' (columns code,name,parent_code,level; level is "
        "one of province, city, district, street, community, grid). Re-importing updates names "
        "and never duplicates; each refused row is listed with its reason; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="end with one JSON summary line"
        )

    def handle(self, *args, kind, file, as_json, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            result = import_regions(rows=read_regions_csv(file))
        except RegionInvalid as e:
            raise CommandError(str(e)) from None
        for row_no, code, reason in result.rejected:
            self.stderr.write(f"row {row_no} ({code or '-'}): {reason}")
        summary = result.as_dict()
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in summary.items()))
