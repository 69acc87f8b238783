from django.core.management import call_command
from django.core.management.base import BaseCommand

from fangkong.ops.demo import accounts_table, ensure_demo_accounts
from fangkong.regions.models import Region


class Command(BaseCommand):
    help = (
        "Migrate, seed a demo city (one district, about 20,000 residents) unless one exists, "
        "create one account per role, print them, and serve."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=20_000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare, but do not serve")

    def handle(self, *args, residents, host, port, no_serve, **options):
        call_command("migrate", verbosity=0, interactive=False)
        if Region.objects.exists():
            self.stdout.write("reusing the existing demo city")
        else:
            call_command("seed", residents=residents, seed=1, stdout=self.stdout)
        self.stdout.write(accounts_table(ensure_demo_accounts()))
        if not no_serve:
            call_command("serve", host=host, port=port)
