"""`make bench` runs every benchmark in bench/ (their figures go to docs/benchmarks.md)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_make_bench_runs_every_benchmark_module():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^bench:.*?\n((?:\t.*\n)+)", makefile, re.M)[1]
    run = set(re.findall(r"-m (bench(?:\.\w+)?)", recipe))
    modules = {
        "bench" if p.stem == "__main__" else f"bench.{p.stem}"
        for p in (ROOT / "bench").glob("*.py")
        # a module only served by a benchmark (a WSGI application) is not a benchmark itself
        if p.stem != "__init__" and '__all__ = ["application"]' not in p.read_text()
    }
    assert modules - run == set()
