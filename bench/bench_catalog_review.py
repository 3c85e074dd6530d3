"""Benchmark of ``catalog diff`` and ``catalog graph``: whole-process wall time (best of
``--repeat``) against their targets, on the corpus catalogs (``../shared/corpus``,
skipped when absent):

- ``catalog diff community-v4.16 community-v4.20 -o json``: under 2 s;
- ``catalog graph`` of the package with most channel entries in community-v4.20: under
  0.5 s of graph work, measured in-process on the loaded model (building the graphs and
  drawing them in every form), since loading the whole 14.8 MB catalog alone takes
  longer; the whole process on the package's own directory is printed too.

Wall times include waiting for the CPU on a shared machine; the CPU time (user + system)
printed beside them is what the wall time comes to on an idle one.

Run with ``nox -s bench`` or ``python bench/bench_catalog_review.py [--repeat 3]``; exits
1 when a target is missed.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from bundle_tools.fbc.check import load_model
from bundle_tools.fbc.graph import catalog_graphs
from bundle_tools.review.picture import FORMS

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "catalogs"
DIFF_TARGET, GRAPH_TARGET = 2.0, 0.5


def _best(command: list[str], repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system, s) of ``command``; the CPU time
    shows what the wall time would be on an idle machine."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()}")
    return min(walls), min(cpus)


def main() -> int:
    """Print the timings; return 1 when a target is missed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args, _ = parser.parse_known_args()
    if not CORPUS.is_dir():
        print(f"(corpus catalogs not found at {CORPUS})")
        return 0
    cli = [sys.executable, "-m", "bundle_tools"]
    old, new = CORPUS / "community-v4.16", CORPUS / "community-v4.20"
    diff = _best([*cli, "catalog", "diff", str(old), str(new), "-o", "json"], args.repeat)
    model = load_model(new)
    sizes: dict[str, int] = {}
    for graph in catalog_graphs(model):
        sizes[graph.package] = sizes.get(graph.package, 0) + len(graph.entries)
    largest = max(sizes, key=lambda p: (sizes[p], p))
    in_process = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        graphs = catalog_graphs(model, package=largest)
        for form in FORMS.values():
            form(graphs)
        in_process.append(time.perf_counter() - start)
    process = _best([*cli, "catalog", "graph", str(new / largest)], args.repeat)
    print(
        f"catalog diff v4.16 -> v4.20: whole process {diff[0]:.2f} s wall, {diff[1]:.2f} s CPU "
        f"(target {DIFF_TARGET} s)"
    )
    print(
        f"catalog graph {largest} ({sizes[largest]} entries): graphs + 3 forms "
        f"{min(in_process):.3f} s (target {GRAPH_TARGET} s); whole process on {largest}/ "
        f"{process[0]:.2f} s wall, {process[1]:.2f} s CPU"
    )
    return 0 if diff[0] < DIFF_TARGET and min(in_process) < GRAPH_TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
