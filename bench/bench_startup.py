"""Benchmark of start-up: whole-process wall time of ``bundle-tools --help`` and of
``bundle-tools validate bundle/`` (the repository's Quay-shaped bundle), runs interleaved
so both see the same machine load, medians reported.

Targets (issue 10): ``--help`` under :data:`HELP_TARGET_S`, ``validate bundle/`` under
:data:`VALIDATE_TARGET_S`. Every process is run once before timing, and
``PYTHONDONTWRITEBYTECODE`` is dropped from the children's environment, so bytecode
caches are used as in an installed package. Exits 1 when a median misses its target.

Run: ``python bench/bench_startup.py [--repeat N]`` (or ``nox -s bench -- startup``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HELP_TARGET_S = 0.1
VALIDATE_TARGET_S = 0.2
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
COMMANDS = {
    "python -c pass": ([sys.executable, "-c", "pass"], None),
    "bundle-tools --help": ([sys.executable, "-m", "bundle_tools", "--help"], HELP_TARGET_S),
    "bundle-tools validate bundle/": (
        [sys.executable, "-m", "bundle_tools", "validate", str(REPO / "bundle")],
        VALIDATE_TARGET_S,
    ),
}


def _seconds(command: list[str]) -> float:
    """Wall seconds of one run of ``command`` (exit 0 or 1 expected)."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, env=ENV)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[:500]}")
    return seconds


def main() -> int:
    """Print the median and minimum of each command; 1 when a median misses its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="timed runs per command")
    args = parser.parse_args()
    for command, _ in COMMANDS.values():
        _seconds(command)
    runs: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeat):
        for name, (command, _) in COMMANDS.items():
            runs[name].append(_seconds(command))
    failed = []
    for name, (_, target) in COMMANDS.items():
        median = statistics.median(runs[name])
        line = f"{name:<32} median {median:.3f} s, min {min(runs[name]):.3f} s"
        if target is not None:
            line += f" (target {target} s)"
            if median >= target:
                failed.append(name)
        print(line)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if failed:
        print(f"FAIL: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
