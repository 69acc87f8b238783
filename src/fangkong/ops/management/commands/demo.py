from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from fangkong.health.models import CheckIn
from fangkong.ops.demo import accounts_table, ensure_demo_accounts
from fangkong.ops.outbreak import MAX_DAYS, health_records_exist
from fangkong.regions.models import Region

from .seed import add_outbreak_arguments, run_outbreak, run_supplies


class Command(BaseCommand):
    help = (
        "Migrate, seed a demo city (one district, about 20,000 residents) and two weeks of an "
        "outbreak ending today unless they exist, create one account per role, print them, "
        "and serve."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=20_000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare, but do not serve")
        add_outbreak_arguments(parser)

    def handle(self, *args, residents, host, port, no_serve, no_outbreak, days, **options):
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be 1 to {MAX_DAYS}")
        call_command("migrate", verbosity=0, interactive=False)
        if Region.objects.exists():
            self.stdout.write("reusing the existing demo city")
            if not no_outbreak:
                self._outbreak_once(days)
        else:
            call_command(
                "seed",
                residents=residents,
                seed=1,
                no_outbreak=no_outbreak,
                days=days,
                stdout=self.stdout,
            )
        self.stdout.write(accounts_table(ensure_demo_accounts()))
        if not no_serve:
            call_command("serve", host=host, port=port)

    def _outbreak_once(self, days: int) -> None:
        """A city seeded without its outbreak gets one; an existing outbreak is kept as it is
        (it does not move forward with the calendar)."""
        if not health_records_exist():
            run_outbreak(self, seed=1, days=days)
            return
        run_supplies(self, seed=1, days=days)  # a city seeded before supplies existed
        last = CheckIn.objects.aggregate(last=Max("on"))["last"]
        self.stdout.write(
            "reusing its health records"
            + (f" (the outbreak's last day: {last})" if last else "")
            + "; for an outbreak ending today, delete var/fangkong.sqlite3 and run again"
        )
