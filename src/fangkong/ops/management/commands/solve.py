import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangkong.solvers import KINDS
from fangkong.solvers.common import SolverInputError
from fangkong.solvers.io import solve


class Command(BaseCommand):
    help = (
        "Solve a planning problem given as JSON: allocation (scarce items to requests by tier), "
        "beds (a day's transfer plan), dispatch (help requests to volunteers), capacity (a "
        "mass-testing round), forecast (demand, days of cover, order quantity). See "
        "docs/solvers.md for the input and output of each. INPUT '-' reads standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("input", help="the problem as a JSON file, or - for standard input")
        parser.add_argument("-o", "--output", type=Path, help="write the solution here")

    def handle(self, *args, kind, input, output, **options):
        try:
            text = sys.stdin.read() if input == "-" else Path(input).read_text(encoding="utf-8")
        except OSError as e:
            raise CommandError(f"cannot read {input}: {e.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise CommandError(f"{input} is not JSON: {e}") from None
        try:
            solution = solve(kind, data)
        except SolverInputError as e:
            raise CommandError(f"{kind} input refused:\n{e}") from None
        except RuntimeError as e:  # a solver library gave up: say so, never a partial answer
            raise CommandError(f"{kind} could not be solved: {e}") from None
        rendered = json.dumps(solution, ensure_ascii=False, indent=2)
        if output:
            output.write_text(rendered + "\n", encoding="utf-8")
        else:
            self.stdout.write(rendered)
