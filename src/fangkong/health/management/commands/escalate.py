import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from fangkong.common.timers import registered_steps, run_step
from fangkong.health.partitions import create_partitions
from fangkong.health.services import escalate_overdue_alerts
from fangkong.people.services import STALE_AFTER, fail_stopped_uploads


class Command(BaseCommand):
    help = (
        "Escalate open alerts past their deadline: the grid worker's go to the community, the "
        "community's to the street, each with a new deadline; then every other app's overdue "
        "work registered with the timer (help requests: the community's go to the street, the "
        "street's to the district; retests and re-samples not taken by their deadline: the "
        "grid worker's go to the community, then the street, then the district); create the "
        "coming days' "
        "check-in partitions (PostgreSQL); ledger uploads with no progress "
        f"for {STALE_AFTER.seconds // 60} minutes (their process stopped) are marked failed. "
        "Run it every few minutes from a timer (cron, systemd), or keep it running with "
        "--every SECONDS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, every, **options):
        while True:
            moved = escalate_overdue_alerts()
            self.stdout.write(f"escalated {moved} alerts")
            for step in registered_steps():
                self.stdout.write(f"escalated {run_step(step, timezone.now())} {step.name}")
            for name in create_partitions():
                self.stdout.write(f"created partition {name}")
            stopped = fail_stopped_uploads()
            if stopped:
                self.stdout.write(f"marked {stopped} stopped ledger uploads failed")
            if not every:
                return
            time.sleep(every)
