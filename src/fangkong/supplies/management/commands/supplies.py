import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.scope import Cap
from fangkong.common.params import EARLIEST_DAY
from fangkong.common.scope import Scope
from fangkong.regions.codes import canonical_code
from fangkong.regions.models import Region
from fangkong.supplies import selectors
from fangkong.supplies.choices import PointKind
from fangkong.supplies.models import StockPoint
from fangkong.supplies.services import (
    StockInvalid,
    assign_keeper,
    check_confirm,
    clean_point_code,
    propose_round,
    save_point,
)

# The command line acts for the whole installation (as `fangkong import` does).
EVERYWHERE = Scope(user_id=None, role="", path="", caps=frozenset())
READER = Scope(user_id=None, role="", path="", caps=frozenset({Cap.STOCK_VIEW}))


class Command(BaseCommand):
    help = (
        "Stock points and their stock. 'supplies point CODE --name NAME --region REGION_CODE "
        "[--kind KIND]' creates the point or updates the one with this code (--json prints "
        "{id, code}); 'supplies keeper CODE --user USERNAME' makes a warehouse keeper keep it; "
        "'supplies balance --point CODE --json' prints {ITEM: qty} of the point's stock; "
        "'supplies daily --region CODE --day YYYY-MM-DD -o FILE.xlsx' writes the supply daily "
        "report (物资保障日报) of the region for the day (--json ends with {file, region, day, "
        "items, donations}); 'supplies forecast [--region CODE]' works out the day's demand "
        "forecast of the region and every region below it that holds stock points, for the cover "
        "pages (run it each morning; --json ends with {regions, items}). "
        "'supplies allocate --point CODE [--confirm] --json' runs one allocation round of the "
        "point's stock over every open approved requisition it serves (strict priority tiers, "
        "equal fill ratios within a tier) and prints {round, requests: [{id, unit, item, qty, "
        "tier, filled}], leftover: {ITEM: qty}} (qty: what each still needed, filled: what this "
        "round gives); without --confirm it only proposes, with it the fills are issued, filled "
        "requisitions close and the rest stays open for the next round. "
        f"Kinds: {', '.join(PointKind.values)}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action", choices=("point", "keeper", "balance", "daily", "forecast", "allocate")
        )
        parser.add_argument("code", nargs="?", help="point, keeper: the point's code")
        parser.add_argument("--name", help="point: its name")
        parser.add_argument(
            "--region", help="point: the code of its region; daily, forecast: the region"
        )
        parser.add_argument(
            "--kind", choices=PointKind.values, help="point: its kind (default: community)"
        )
        parser.add_argument("--user", help="keeper: the keeper's username")
        parser.add_argument("--day", help="daily: the day, YYYY-MM-DD (default: today)")
        parser.add_argument("-o", "--output", help="daily: the .xlsx file to write")
        parser.add_argument("--point", help="balance, allocate: the point's code")
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="allocate: issue the round's fills (without it the round is only proposed)",
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="end with one JSON line"
        )

    def handle(self, *args, action, code, as_json, **options):
        if action == "point":
            out = self._point(code, options)
        elif action == "keeper":
            out = self._keeper(code, options.get("user"))
        elif action == "forecast":
            out = self._forecast(options.get("region"))
        elif action == "daily":
            out = self._daily(options.get("region"), options.get("day"), options.get("output"))
        elif action == "allocate":
            out = self._allocate(options.get("point"), options.get("confirm", False))
        else:
            out = self._balance(options.get("point"))
        if as_json:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in out.items()) or "no stock")

    def _point(self, code, options) -> dict:
        if not code:
            raise CommandError("give the point's CODE")
        name, region_code = options.get("name"), options.get("region")
        existing = StockPoint.objects.filter(code=code.strip()).first()
        if existing is None and not (name and region_code):
            raise CommandError("a new point needs --name and --region")
        region = existing.region if existing is not None else None
        if region_code:
            region = Region.objects.filter(code=canonical_code(region_code)).first()
            if region is None:
                raise CommandError(f"no region with code {region_code}")
        assert region is not None
        kind = options.get("kind") or (existing.kind if existing else PointKind.COMMUNITY)
        try:
            point, _created = save_point(
                code=code, name=name or existing.name, region=region, kind=kind
            )
        except StockInvalid as e:
            raise CommandError(str(e)) from None
        return {"id": point.pk, "code": point.code}

    def _find(self, code) -> StockPoint:
        if not code:
            raise CommandError("give the point's code")
        try:
            code = clean_point_code(code)
        except StockInvalid as e:
            raise CommandError(str(e)) from None
        point = StockPoint.objects.filter(code=code).first()
        if point is None:
            raise CommandError(f"no stock point with code {code}")
        return point

    def _keeper(self, code, username) -> dict:
        point = self._find(code)
        user = User.objects.filter(username=username or "").first()
        if user is None:
            raise CommandError(f"no user {username}")
        assign_keeper(point=point, user=user)
        return {"point": point.code, "keeper": user.username}

    def _balance(self, code) -> dict:
        return selectors.balance_by_name(EVERYWHERE, self._find(code))

    def _daily(self, region_code, day_text, output) -> dict:
        from fangkong.supplies.daily import daily_report, write_daily

        if not region_code or not output:
            raise CommandError("daily needs --region CODE and -o FILE.xlsx")
        region = Region.objects.filter(code=canonical_code(region_code)).first()
        if region is None:
            raise CommandError(f"no region with code {region_code}")
        today = timezone.localdate()
        try:
            day = dt.date.fromisoformat(day_text) if day_text else today
        except ValueError:
            raise CommandError(f"--day must be a date as YYYY-MM-DD, got {day_text}") from None
        if day > today:
            raise CommandError(f"--day {day} is still to come")
        if day < EARLIEST_DAY:
            raise CommandError(f"--day {day}: a day from {EARLIEST_DAY} to today")
        report = daily_report(READER, region, day)
        write_daily(report, output)
        return {
            "file": output,
            "region": region.code,
            "day": day.isoformat(),
            "items": len(report.items),
            "donations": len(report.donations),
        }

    def _forecast(self, region_code) -> dict:
        """The morning's demand of each region with points (the slow fit), into the cache."""
        from fangkong.supplies.services import Place, demand

        paths = set(StockPoint.objects.values_list("region_path", flat=True))
        top = ""
        if region_code:
            region = Region.objects.filter(code=canonical_code(region_code)).first()
            if region is None:
                raise CommandError(f"no region with code {region_code}")
            top = region.path
        regions = {p[: i + 1] for p in paths for i, c in enumerate(p) if c == "/"}
        today = timezone.localdate()
        items = 0
        for path in sorted(r for r in regions if r.startswith(top)):
            items += len(demand(Place.of_region(path), today))
        return {"regions": len([r for r in regions if r.startswith(top)]), "items": items}

    def _allocate(self, code, confirm: bool) -> dict:
        point = self._find(code)
        rnd = propose_round(point=point)
        if confirm:
            try:
                rnd = check_confirm(round=rnd).round
            except StockInvalid as e:
                raise CommandError(str(e)) from None
        return selectors.round_summary(EVERYWHERE, rnd)
