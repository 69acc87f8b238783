from django.core.management.base import BaseCommand

from fangkong.people.services.counters import recount


class Command(BaseCommand):
    help = (
        "The registry's upkeep. `recount`: rebuild the per-grid registry counters (residents, "
        "households, children, vulnerable people, by registration day) from the persons and "
        "their tags; writers wait while it runs."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("recount", help="rebuild the registry counters from the raw rows")

    def handle(self, *args, action, **options):
        n = recount()
        self.stdout.write(f"counted {n} grid-days")
