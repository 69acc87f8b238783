import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangkong.accounts.scope import Cap, Scope
from fangkong.common.params import EARLIEST_DAY
from fangkong.regions.codes import canonical_code
from fangkong.regions.models import Region
from fangkong.reports.export import report_xlsx
from fangkong.reports.selectors import compile_report, public

FORMATS = (".xlsx", ".json")


def _day(text: str | None) -> dt.date:
    today = timezone.localdate()
    if not text:
        return today
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--on {text}: not a date (YYYY-MM-DD)") from None
    if not EARLIEST_DAY <= day <= today:
        raise CommandError(f"--on {text}: a day from {EARLIEST_DAY} to today")
    return day


def _at(text: str | None, day: dt.date) -> dt.datetime | None:
    if not text:
        return None
    try:
        hour = dt.time.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--at {text}: not a time of day (HH:MM)") from None
    return timezone.make_aware(dt.datetime.combine(day, hour))


class Command(BaseCommand):
    help = (
        "'report daily --region CODE [--on DATE] [--at HH:MM] [-o FILE.xlsx|FILE.json] "
        "[--json]': compile a region's daily report (today, or the day --on; as of --at for a "
        "progress round) from every registered section, print its figures, and write it as "
        "Excel (one sheet per section, A4 across) or JSON. With --json, or -o FILE.json, the "
        "last line is the report as one JSON object (region, day, as_of, sections: aggregate "
        "figures only, no names or ids; see docs/reports.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["daily"])
        parser.add_argument("--region", required=True, help="the region's code")
        parser.add_argument("--on", dest="day", help="the day, YYYY-MM-DD (default: today)")
        parser.add_argument("--at", help="figures as of this time of day, HH:MM")
        parser.add_argument("-o", "--output", type=Path, help="write FILE.xlsx or FILE.json")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="end with the report as JSON"
        )

    def handle(self, *args, kind, region, day, at, output, as_json, **options):
        if output is not None and output.suffix.lower() not in FORMATS:
            raise CommandError(f"-o {output}: write .xlsx or .json")
        place = Region.objects.filter(code=canonical_code(region)).first()
        if place is None:
            raise CommandError(f"no region with the code {region}")
        on = _day(day)
        # The command runs on the server for its operator: the whole region, every section.
        scope = Scope(user_id=None, role="", path=place.path, caps=frozenset(Cap))
        content = public(compile_report(scope, place, on, _at(at, on)))
        for section in content["sections"]:
            self.stdout.write(section["title"])
            for f in section["figures"]:
                self.stdout.write(f"  {f['label']}: {f['today']} {f['unit']} ({f['change']:+d})")
        if output is not None:
            if output.suffix.lower() == ".json":
                output.write_text(json.dumps(content, ensure_ascii=False) + "\n", "utf-8")
                as_json = True
            else:
                output.write_bytes(report_xlsx(content))
            self.stdout.write(f"written: {output}")
        if as_json:
            self.stdout.write(json.dumps(content, ensure_ascii=False))
