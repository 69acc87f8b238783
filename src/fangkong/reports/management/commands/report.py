import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.scope import Cap, Scope
from fangkong.common.params import EARLIEST_DAY
from fangkong.regions.codes import canonical_code
from fangkong.regions.models import Region
from fangkong.reports.docx import PdfUnavailable, report_docx, report_pdf
from fangkong.reports.export import report_xlsx
from fangkong.reports.rollup import RollupRefused, load, rollup
from fangkong.reports.selectors import compile_report, public

DAILY_FORMATS = (".xlsx", ".docx", ".pdf", ".json")
ROLLUP_FORMATS = (".xlsx", ".docx", ".json")


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


def _write(output: Path, content: dict[str, Any]) -> None:
    """Write the report in the format its suffix names (.json, .xlsx, .docx, .pdf)."""
    suffix = output.suffix.lower()
    if suffix == ".json":
        output.write_text(json.dumps(content, ensure_ascii=False) + "\n", "utf-8")
    elif suffix == ".docx":
        output.write_bytes(report_docx(content))
    elif suffix == ".pdf":
        try:
            output.write_bytes(report_pdf(content))
        except PdfUnavailable as e:
            raise CommandError(f"-o {output}: {e}; write .docx instead") from None
    else:
        output.write_bytes(report_xlsx(content))


class Command(BaseCommand):
    help = (
        "'report daily --region CODE [--on DATE] [--at HH:MM] "
        "[-o FILE.xlsx|FILE.docx|FILE.pdf|FILE.json] [--json]': compile a region's daily report "
        "(today, or the day --on; as of --at for a progress round) from every registered "
        "section, print its figures, and write it as Excel (one sheet per section, A4 across), "
        "Word, PDF (through LibreOffice, when installed) or JSON. "
        "'report rollup FILE.json... [--name NAME] [-o OUT.json|OUT.xlsx|OUT.docx] [--json]': "
        "add up the report JSON of several cities (a province's view: figures summed, shares "
        "from the summed counts, each city a row), refusing files of other days, of other "
        "sections, or holding anything but aggregate figures. With --json, or -o FILE.json, "
        "the last line is the report as one JSON object (region, day, as_of, sections: "
        "aggregate figures only, no names or ids; see docs/reports.md)."
    )

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True)
        daily = kinds.add_parser("daily", help="a region's daily report")
        daily.add_argument("--region", required=True, help="the region's code")
        daily.add_argument("--on", dest="day", help="the day, YYYY-MM-DD (default: today)")
        daily.add_argument("--at", help="figures as of this time of day, HH:MM")
        daily.add_argument(
            "-o", "--output", type=Path, help="write FILE.xlsx, FILE.docx, FILE.pdf or FILE.json"
        )
        daily.add_argument(
            "--json", dest="as_json", action="store_true", help="end with the report as JSON"
        )
        up = kinds.add_parser("rollup", help="add up the report JSON of several cities")
        up.add_argument("files", nargs="+", type=Path, help="report JSON files, one per city")
        up.add_argument("--name", default="", help="the name of the whole (e.g. the province)")
        up.add_argument("--code", default="", help="its region code, if any")
        up.add_argument("-o", "--output", type=Path, help="write OUT.json, OUT.xlsx or OUT.docx")
        up.add_argument(
            "--json", dest="as_json", action="store_true", help="end with the roll-up as JSON"
        )

    def handle(self, *args, kind, output, as_json, **options):
        formats = DAILY_FORMATS if kind == "daily" else ROLLUP_FORMATS
        if output is not None and output.suffix.lower() not in formats:
            raise CommandError(f"-o {output}: write {', '.join(formats)}")
        if output is not None and not output.parent.is_dir():  # said before a city is compiled
            raise CommandError(f"-o {output}: there is no folder {output.parent}")
        content = self._daily(**options) if kind == "daily" else self._rollup(**options)
        for section in content["sections"]:
            self.stdout.write(section["title"])
            for f in section["figures"]:
                self.stdout.write(f"  {f['label']}: {f['today']} {f['unit']} ({f['change']:+d})")
        if output is not None:
            try:
                _write(output, content)
            except OSError as e:  # no right to write there, a full disk
                raise CommandError(f"-o {output}: {e.strerror or e}") from None
            as_json = as_json or output.suffix.lower() == ".json"
            self.stdout.write(f"written: {output}")
        if as_json:
            self.stdout.write(json.dumps(content, ensure_ascii=False))

    def _daily(self, *, region, day, at, **options) -> dict[str, Any]:
        place = Region.objects.filter(code=canonical_code(region)).first()
        if place is None:
            raise CommandError(f"no region with the code {region}")
        on = _day(day)
        # The command runs on the server for its operator: the whole region, every section.
        scope = Scope(user_id=None, role="", path=place.path, caps=frozenset(Cap))
        return public(compile_report(scope, place, on, _at(at, on)))

    def _rollup(self, *, files, name, code, **options) -> dict[str, Any]:
        try:
            reports = load(files)
            whole = name or _("Roll-up of %(n)d reports") % {"n": len(reports)}
            return rollup(reports, whole, code)
        except RollupRefused as e:
            raise CommandError(str(e)) from None
