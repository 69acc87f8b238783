import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from fangkong.health.services.counters import recount


class Command(BaseCommand):
    help = (
        "Health's upkeep. `recount [--day YYYY-MM-DD]`: recompute the per-grid daily counters "
        "from the check-ins and the periods under watch (of one day, or of every day). "
        "`partitions`: create the check-in "
        "partitions of today and the next 7 days (PostgreSQL; run it daily from a timer)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        again = sub.add_parser("recount", help="recompute the daily counters")
        again.add_argument("--day", type=dt.date.fromisoformat, help="only this day")
        ahead = sub.add_parser("partitions", help="create the coming days' partitions")
        ahead.add_argument("--days", type=int, default=7, help="days ahead (default 7)")

    def handle(self, *args, action, **options):
        if action == "recount":
            n = recount(day=options["day"])
            self.stdout.write(f"counted {n} grid-days")
            return
        from fangkong.health.partitions import create_partitions

        try:
            made = create_partitions(days=options["days"])
        except ValueError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"created {len(made)} partitions" + "".join(f"\n{m}" for m in made))
