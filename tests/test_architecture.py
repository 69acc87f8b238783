"""Dependencies point one way (DESIGN.md): these tests read the imports of every module."""

import ast
import subprocess
import sys
from functools import cache
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
        # accounts builds on regions (a user's scope region); the tree filters by
        # fangkong.common.scope and knows nothing of users or roles.
        ("regions", ("fangkong.accounts", "fangkong.people", "fangkong.ops")),
        ("accounts", ("fangkong.people", "fangkong.ops")),
        ("people", ("fangkong.ops", "fangkong.health", "fangkong.supplies")),
        ("health", ("fangkong.ops", "fangkong.supplies")),
        ("supplies", ("fangkong.ops", "fangkong.health", "fangkong.people")),
        # a campaign's planned use reaches the forecast through supplies.planned (ops registers it)
        ("supplies", ("fangkong.screening",)),
        # assistance dispatches to volunteers, never the other way
        ("volunteers", ("fangkong.ops", "fangkong.health", "fangkong.assistance")),
        # assistance builds on health's resident page and on volunteers; nothing builds on it
        ("assistance", ("fangkong.ops", "fangkong.supplies", "fangkong.screening")),
        ("beds", ("fangkong.ops", "fangkong.supplies", "fangkong.screening")),
        ("health", ("fangkong.beds",)),
        ("people", ("fangkong.beds",)),
        ("funds", ("fangkong.ops", "fangkong.health", "fangkong.supplies", "fangkong.screening")),
    ],
)
def test_dependencies_point_one_way(package, forbidden):
    bad = {
        module: sorted(n for n in names if n.startswith(forbidden))
        for module, names in imports_of(package).items()
    }
    assert {m: n for m, n in bad.items() if n} == {}


# What the report may import of the project: the foundation, never a domain app (people,
# health, and every app to come), which it reads only through the sections they register.
REPORT_MAY_IMPORT = ("fangkong.common", "fangkong.accounts", "fangkong.regions", "fangkong.reports")


def test_the_report_imports_no_domain_app():
    bad = {
        module: sorted(
            n for n in names if n.startswith("fangkong.") and not n.startswith(REPORT_MAY_IMPORT)
        )
        for module, names in imports_of("reports").items()
    }
    assert {m: n for m, n in bad.items() if n} == {}


def test_apps_reach_the_report_only_through_its_registration_module():
    allowed = {"fangkong.reports.sections"}
    bad = {}
    for package in (p.name for p in SRC.iterdir() if p.is_dir() and p.name != "reports"):
        for module, names in imports_of(package).items():
            found = sorted(
                n for n in names if n.startswith("fangkong.reports") and n not in allowed
            )
            if found:
                bad[module] = found
    assert bad == {}


def test_the_registration_module_imports_no_app():
    names = imports_of("reports")["reports/sections.py"]
    assert sorted(n for n in names if n.startswith("fangkong.")) == []


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def module_graph() -> dict[str, frozenset[str]]:
    """Every module of fangkong -> the fangkong modules it imports, relative imports resolved
    and imports inside functions included (``ast.walk`` sees the whole body)."""
    paths = {module_name(p): p for p in SRC.rglob("*.py")}
    graph = {}
    for name, path in paths.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join([*base, node.module] if node.module else base)
                # ``from . import rules`` imports the module fangkong.x.rules
                found |= {
                    f"{module}.{a.name}" if f"{module}.{a.name}" in paths else module
                    for a in node.names
                }
        graph[name] = frozenset(m for m in found if m in paths and m != name)
    return graph


def cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while (top := stack.pop()) != node:
                group.append(top)
            if group:
                found.append(sorted([node, *group]))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def app_of(module: str) -> str:
    return ".".join(module.split(".")[:2])  # fangkong.health.services.cases -> fangkong.health


def test_no_two_apps_import_each_other():
    apps: dict[str, set[str]] = {}
    for module, imported in module_graph().items():
        apps.setdefault(app_of(module), set()).update(
            app_of(m) for m in imported if app_of(m) != app_of(module)
        )
    assert cycles({a: frozenset(b) for a, b in apps.items()}) == []


def test_no_two_modules_import_each_other():
    assert cycles(module_graph()) == []


def test_the_cycle_finder_sees_imports_inside_functions(tmp_path):
    graph = {
        "a.models": frozenset({"a.rules"}),
        "a.rules": frozenset({"a.models"}),
        "b": frozenset(),
    }
    assert cycles(graph) == [["a.models", "a.rules"]]
    lazy = ast.parse("def save():\n    from .rules import forget\n")
    assert any(isinstance(n, ast.ImportFrom) and n.module == "rules" for n in ast.walk(lazy))


def test_the_solvers_run_without_django():
    code = (
        "import sys, fangkong.solvers.io as io\n"
        "io.solve('capacity', {'areas': [{'id': 'a', 'population': 10}], 'pool': 10, "
        "'hours': 1, 'swabs_per_sampler_hour': 60, 'home_visits_per_team_hour': 4})\n"
        "assert not any(m.startswith('django') for m in sys.modules), 'django was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
