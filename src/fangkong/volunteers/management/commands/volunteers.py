import json
import time

from django.core.management.base import BaseCommand

from fangkong.volunteers.services import close_forgotten, recount


class Command(BaseCommand):
    help = (
        "Volunteers' shifts. 'volunteers close-forgotten [--every SECONDS]' closes the sign-ins "
        "forgotten open (2 hours past the planned end, or 12 hours after a sign-in without a "
        "plan, credited 4 hours) and flags them for a supervisor; run it from a timer, or keep "
        "it running with --every. 'volunteers recount' rebuilds each volunteer's hours and the "
        "teams' days from the shifts. --json ends with one JSON line."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=("close-forgotten", "recount"))
        parser.add_argument(
            "--every", type=int, default=0, help="close-forgotten: repeat every SECONDS"
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="end with one JSON line"
        )

    def handle(self, *args, action, every, as_json, **options):
        if action == "recount":
            out = {"team_days": recount()}
        else:
            out = {"closed": self._close(every)}
        if as_json:
            self.stdout.write(json.dumps(out))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in out.items()))

    def _close(self, every: int) -> int:
        total = 0
        while True:
            while (closed := close_forgotten()) > 0:  # more work while a batch was full
                total += closed
            if every <= 0:
                return total
            time.sleep(every)
