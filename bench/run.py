"""Run every benchmark script of ``bench/`` (each ``*.py`` but this runner and ``_*``
helpers) in name order, each in its own process; exit 1 if any fails.
Usage: ``python bench/run.py [NAME_FILTER [ARGS...]]``: only the scripts whose name holds
NAME_FILTER, each given ARGS (e.g. ``python bench/run.py catalog --sizes 500``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run the benchmark scripts matching ``argv[0]`` (all without argument) with
    ``argv[1:]``."""
    here = Path(__file__).resolve().parent
    scripts = sorted(
        p
        for p in here.glob("*.py")
        if p.name != Path(__file__).name
        and not p.name.startswith("_")
        and (not argv or argv[0] in p.name)
    )
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script), *argv[1:]], check=False).returncode:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
