import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fangkong.ops.city import generate_city
from fangkong.ops.load import CityExists, load_city
from fangkong.ops.outbreak import MAX_DAYS, seed_outbreak
from fangkong.ops.supplies import seed_supplies


def add_outbreak_arguments(parser) -> None:
    parser.add_argument(
        "--no-outbreak",
        action="store_true",
        help="the city only: no check-ins, alerts, cases, checkpoints (nor demo accounts)",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=14,
        help=f"days of outbreak ending today (1 to {MAX_DAYS}, default 14)",
    )


def run_outbreak(command: BaseCommand, *, seed: int, days: int) -> None:
    started = time.perf_counter()
    result = seed_outbreak(seed=seed, days=days)
    command.stdout.write(f"outbreak: {result.summary()} in {time.perf_counter() - started:.1f} s")
    run_supplies(command, seed=seed, days=days)


def run_supplies(command: BaseCommand, *, seed: int, days: int) -> None:
    """The demo city's stock points and their two weeks of movements (once)."""
    started = time.perf_counter()
    result = seed_supplies(seed=seed, days=days)
    if result.points:
        command.stdout.write(
            f"supplies: {result.summary()} in {time.perf_counter() - started:.1f} s"
        )


class Command(BaseCommand):
    help = (
        "Build a deterministic synthetic city (regions, buildings, households, residents, tags) "
        "and load it in one transaction; then replay two weeks of an outbreak ending today "
        "(check-ins, alerts, cases and contacts, checkpoints; the demo accounts act in it) and "
        "two weeks of supplies (stock points, receipts, transfers, issues). "
        "The same --seed gives the same city and the same outbreak."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=20_000, help="how many residents")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--progress", action="store_true", help="progress bar even off a tty")
        add_outbreak_arguments(parser)

    def handle(self, *args, residents, seed, progress, no_outbreak, days, **options):
        if residents < 1:
            raise CommandError("--residents must be at least 1")
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be 1 to {MAX_DAYS}")
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
        if not no_outbreak:
            run_outbreak(self, seed=seed, days=days)
