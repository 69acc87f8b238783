import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fangkong.ops.city import generate_city
from fangkong.ops.load import CityExists, load_city


class Command(BaseCommand):
    help = (
        "Build a deterministic synthetic city (regions, buildings, households, residents, tags) "
        "and load it in one transaction. The same --seed gives the same city."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=20_000, help="how many residents")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--progress", action="store_true", help="progress bar even off a tty")

    def handle(self, *args, residents, seed, progress, **options):
        if residents < 1:
            raise CommandError("--residents must be at least 1")
        show = progress or sys.stderr.isatty()
        bar = tqdm(total=residents, unit=" residents", disable=not show, file=sys.stderr)
        started = time.perf_counter()
        try:
            result = load_city(generate_city(residents=residents, seed=seed), on_persons=bar.update)
        except CityExists as e:
            raise CommandError(f"{e}; seed an empty database") from None
        finally:
            bar.close()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"seeded {result.persons} residents in {result.households} households, "
            f"{result.buildings} buildings, {result.regions} regions ({len(result.grid_codes)} "
            f"grids), {result.tags} tags in {seconds:.1f} s "
            f"({result.persons / seconds:,.0f} residents/s)"
        )
        return
