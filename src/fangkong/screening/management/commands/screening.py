import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.codes import canonical_code
from fangkong.regions.models import Region
from fangkong.screening import selectors
from fangkong.screening.choices import PoolSize, Target
from fangkong.screening.models import Campaign
from fangkong.screening.services import ScreeningInvalid, check_create_campaign
from fangkong.screening.services.counters import recount
from fangkong.screening.services.labs import lab_command


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date like 2022-04-01: {text}") from None


def _region(code: str) -> Region:
    region = Region.objects.filter(code=canonical_code(code)).first()
    if region is None:
        raise CommandError(f"no region with code {code}")
    return region


def campaign_json(c: Campaign) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "region": c.region.code,
        "start_on": c.start_on.isoformat(),
        "end_on": c.end_on.isoformat(),
        "pool_size": c.pool_size,
        "target": c.target,
        "target_tag": c.target_tag,
        "status": c.status,
    }


class Command(BaseCommand):
    help = (
        "Mass testing. `campaign --region CODE --pool N --on DATE [--until DATE] [--name NAME] "
        "[--target residents|tag|watched] [--tag KIND]`: plan a testing campaign (pool: 1, 5, "
        "10 or 20 swabs a tube); with --json prints it as JSON with its id. `coverage "
        "--campaign ID --region CODE`: the region's target, sampled, resulted, positive and "
        "untested (residents of the target not sampled). `lab --code CODE --name NAME --region "
        "CODE [--operator USERNAME ...]`: register a lab and its operators' accounts. `send "
        "--lab CODE BARCODE ...`: record closed tubes as sent to a lab (送检). `recount "
        "[--campaign ID]`: recompute the coverage counters from the swabs, their tubes' "
        "results and where people live (of one campaign, or of all)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("campaign", help="plan a testing campaign")
        plan.add_argument("--region", required=True, help="code of the region to test")
        plan.add_argument(
            "--pool", type=int, required=True, choices=PoolSize.values, help="swabs a tube"
        )
        plan.add_argument("--on", required=True, help="first day, YYYY-MM-DD")
        plan.add_argument("--until", help="last day, YYYY-MM-DD (default: the first)")
        plan.add_argument("--name", default="", help="default: the region and the day")
        plan.add_argument("--target", choices=Target.values, default=Target.RESIDENTS)
        plan.add_argument("--tag", default="", help="with --target tag: the tag (e.g. returnee)")
        cover = sub.add_parser("coverage", help="a region's coverage in a campaign")
        cover.add_argument("--campaign", type=int, required=True)
        cover.add_argument("--region", help="code of the region (default: the campaign's)")
        lab = sub.add_parser("lab", help="register a lab and its operators")
        lab.add_argument("--code", required=True)
        lab.add_argument("--name", required=True)
        lab.add_argument("--region", required=True, help="code of the region it is in")
        lab.add_argument("--operator", action="append", default=[], help="a lab account")
        send = sub.add_parser("send", help="record closed tubes as sent to a lab")
        send.add_argument("--lab", required=True, help="code of the lab")
        send.add_argument("barcodes", nargs="+")
        again = sub.add_parser("recount", help="recompute the coverage counters")
        again.add_argument("--campaign", type=int, help="only this campaign")
        for p in (plan, cover, lab, send, again):
            p.add_argument(
                "--json", dest="as_json", action="store_true", help="end with one JSON line"
            )

    def handle(self, *args, action, as_json, **options):
        if action == "campaign":
            self._campaign(as_json, **options)
        elif action == "recount":
            self._recount(as_json, options["campaign"])
        elif action in ("lab", "send"):
            out = lab_command(action, **options)
            self.stdout.write(json.dumps(out, ensure_ascii=False) if as_json else str(out))
        else:
            self._coverage(as_json, options["campaign"], options.get("region"))

    def _campaign(self, as_json, *, region, pool, on, until, name, target, tag, **_options):
        try:
            campaign = check_create_campaign(
                user=None,
                scope=None,
                region=_region(region),
                start_on=_day(on),
                end_on=_day(until) if until else None,
                pool_size=pool,
                name=name,
                target=target,
                target_tag=tag,
            )
        except ScreeningInvalid as e:
            raise CommandError(str(e)) from None
        out = campaign_json(campaign)
        if as_json:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write(f"campaign {campaign.pk}: {campaign.name}")

    def _recount(self, as_json, campaign_id: int | None):
        if campaign_id is not None and not Campaign.objects.filter(pk=campaign_id).exists():
            raise CommandError(f"no campaign {campaign_id}")
        persons, hours = recount(campaign_id=campaign_id)
        if as_json:
            self.stdout.write(json.dumps({"persons": persons, "hours": hours}))
        else:
            self.stdout.write(f"counted {persons} persons in {hours} grid-hours")

    def _coverage(self, as_json, campaign_id: int, code: str | None):
        campaign = Campaign.objects.select_related("region").filter(pk=campaign_id).first()
        if campaign is None:
            raise CommandError(f"no campaign {campaign_id}")
        region = _region(code) if code else campaign.region
        if not region.path.startswith(campaign.region_path):
            raise CommandError(
                f"{region.code} is not in the campaign's region ({campaign.region.code})"
            )
        # the command line reads everything in the region it names (as the report does)
        scope = Scope(user_id=None, role="", path=region.path, caps=frozenset(Cap))
        figures = selectors.coverage(scope, campaign, region).total.as_dict()
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in figures.items()))
