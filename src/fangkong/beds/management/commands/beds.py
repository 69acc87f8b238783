import json

from django.core.management.base import BaseCommand, CommandError

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.beds.choices import BedType, FacilityKind
from fangkong.beds.models import Facility
from fangkong.beds.services import (
    BedsInvalid,
    assign_operator,
    save_facility,
    save_pickup_point,
    set_beds_rule,
    take_in_waiting,
)
from fangkong.common.digits import ascii_digits, is_ascii_number
from fangkong.regions.codes import canonical_code
from fangkong.regions.models import Region

ACTIONS = ("facility", "operator", "pickup", "rule", "waiting")


def parse_beds(text: str) -> dict[str, int]:
    """``icu=10,ward=40`` → {"icu": 10, "ward": 40}; what is wrong said with what is allowed."""
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, n = part.partition("=")
        n = ascii_digits(n.strip())  # ４０ typed with a Chinese input method is 40
        if name.strip() not in BedType.values or not is_ascii_number(n):
            raise CommandError(
                f"--beds {part!r}: give TYPE=N, TYPE one of {', '.join(BedType.values)}"
            )
        out[name.strip()] = int(n)
    return out


class Command(BaseCommand):
    help = (
        "Facilities, operators, pickup points and limits for beds (docs/beds.md). "
        "'beds facility CODE --name NAME --kind KIND --region REGION_CODE --lat LAT --lon LON "
        "--beds icu=10,ward=40 [--dialysis] [--children] [--no-oxygen]' creates the facility or "
        "updates the one with this code; 'beds operator CODE --user USERNAME' makes a hospital "
        "account its operator; 'beds pickup REGION_CODE --name NAME --lat LAT --lon LON' sets "
        "where the region's patients are picked up; 'beds rule REGION_CODE [--stale-minutes N] "
        "[--waiting-hours N] [--max-km N]' sets the region's limits; 'beds waiting' takes new "
        "cases and quarantined contacts onto the waiting list. --json ends with one JSON line. "
        f"Kinds: {', '.join(FacilityKind.values)}; bed types: {', '.join(BedType.values)}."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("code", nargs="?", help="the facility's code, or a region's code")
        parser.add_argument("--name")
        parser.add_argument("--kind", choices=FacilityKind.values)
        parser.add_argument("--region", help="facility: the code of its region")
        parser.add_argument("--lat", type=float)
        parser.add_argument("--lon", type=float)
        parser.add_argument("--beds", default="", help="facility: TYPE=N,... (capacity by type)")
        parser.add_argument("--dialysis", action="store_true")
        parser.add_argument("--children", action="store_true", help="children may stay")
        parser.add_argument("--no-oxygen", action="store_true")
        parser.add_argument("--user", help="operator: the hospital account's username")
        parser.add_argument("--stale-minutes", type=int)
        parser.add_argument("--waiting-hours", type=int)
        parser.add_argument("--max-km", type=int)
        parser.add_argument("--json", dest="as_json", action="store_true")

    def handle(self, *args, action, code, as_json, **o):
        out = getattr(self, f"_{action}")(code, o)
        if as_json:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in out.items()))

    def _region(self, code) -> Region:
        region = Region.objects.filter(code=canonical_code(code or "")).first()
        if region is None:
            raise CommandError(f"no region with code {code}")
        return region

    def _facility(self, code, o) -> dict:
        missing = [k for k in ("name", "kind", "region", "lat", "lon") if o.get(k) is None]
        if not code or missing:
            raise CommandError("a facility needs CODE and --" + ", --".join(missing or ["code"]))
        try:
            facility = save_facility(
                code=code.strip(),
                name=o["name"],
                kind=o["kind"],
                region=self._region(o["region"]),
                lat=o["lat"],
                lon=o["lon"],
                capacity=parse_beds(o["beds"]),
                dialysis=o["dialysis"],
                oxygen=not o["no_oxygen"],
                children=o["children"],
            )
        except BedsInvalid as e:
            raise CommandError(str(e)) from None
        beds = {s.bed_type: s.capacity for s in facility.stocks.all()}
        return {"id": facility.pk, "code": facility.code, "beds": beds}

    def _operator(self, code, o) -> dict:
        facility = Facility.objects.filter(code=(code or "").strip()).first()
        if facility is None:
            raise CommandError(f"no facility with code {code}")
        user = User.objects.filter(username=o.get("user") or "").first()
        if user is None or user.role != Role.HOSPITAL:
            raise CommandError(f"no hospital operator account {o.get('user')}")
        assign_operator(facility=facility, user=user)
        return {"facility": facility.code, "operator": user.username}

    def _pickup(self, code, o) -> dict:
        if o.get("lat") is None or o.get("lon") is None or not o.get("name"):
            raise CommandError("a pickup point needs --name, --lat and --lon")
        point = save_pickup_point(
            region=self._region(code), name=o["name"], lat=o["lat"], lon=o["lon"]
        )
        return {"region": point.region.code, "name": point.name}

    def _rule(self, code, o) -> dict:
        rule = set_beds_rule(
            region=self._region(code),
            stale_minutes=o.get("stale_minutes"),
            waiting_hours=o.get("waiting_hours"),
            max_km=o.get("max_km"),
        )
        return {
            "region": rule.region.code,
            "stale_minutes": rule.stale_minutes,
            "waiting_hours": rule.waiting_hours,
            "max_km": rule.max_km,
        }

    def _waiting(self, code, o) -> dict:
        return {"new": take_in_waiting(path=self._region(code).path if code else "")}
