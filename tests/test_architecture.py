"""Dependencies point one way (DESIGN.md): these tests read the imports of every module."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "fangkong"


def imports_of(package: str) -> dict[str, set[str]]:
    found = {}
    for path in (SRC / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(SRC))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("solvers", ("django", "fangkong.")),
        ("common", ("fangkong.accounts", "fangkong.regions", "fangkong.people", "fangkong.ops")),
        ("regions", ("fangkong.people", "fangkong.ops")),
        ("accounts", ("fangkong.people", "fangkong.ops")),
        ("people", ("fangkong.ops", "fangkong.health")),
    ],
)
def test_dependencies_point_one_way(package, forbidden):
    bad = {
        module: sorted(n for n in names if n.startswith(forbidden))
        for module, names in imports_of(package).items()
    }
    assert {m: n for m, n in bad.items() if n} == {}


def test_the_solvers_run_without_django():
    code = (
        "import sys, fangkong.solvers.io as io\n"
        "io.solve('capacity', {'areas': [{'id': 'a', 'population': 10}], 'pool': 10, "
        "'hours': 1, 'swabs_per_sampler_hour': 60, 'home_visits_per_team_hour': 4})\n"
        "assert not any(m.startswith('django') for m in sys.modules), 'django was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
