"""Benchmark ``bundle build`` and ``catalog build`` to an OCI layout: whole-process wall
time (interpreter start, imports, reading, tar, gzip, writing the layout).

Targets (issue 7): the largest corpus bundle (community-kubevirt-hyperconverged 1.18.1,
2.7 MB) under 1 s, catalog community-v4.20 (15 MB) under 3 s. Each command is timed with
``--no-validate`` (the image build alone, what the targets bound) and with validation
(the default, printed for information). Prints median and maximum of ``RUNS`` runs;
exits 1 when a ``--no-validate`` median reaches its limit. Usage:
``python bench/bench_images.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
CASES = (
    ("bundle", CORPUS / "bundles" / "community-kubevirt-hyperconverged" / "1.18.1", 1.0),
    ("catalog", CORPUS / "catalogs" / "community-v4.20", 3.0),
)


def whole_process(kind: str, path: Path, runs: int, *extra: str) -> tuple[list[float], float]:
    """Wall-clock seconds of ``runs`` runs of ``bundle-tools KIND build PATH
    --oci-layout`` into a fresh directory each time, and their mean CPU seconds (user +
    system: what the wall time would be on an idle machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            command = [
                sys.executable, "-m", "bundle_tools", kind, "build", str(path),
                "--tag", "bench.example/op/image:v1", "--oci-layout", f"{tmp}/layout", *extra,
            ]  # fmt: skip
            start = time.perf_counter()
            run = subprocess.run(command, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
        if run.returncode:
            raise SystemExit(f"{kind} build {path} exited {run.returncode}: {run.stderr.decode()}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return times, cpu / runs


def main() -> int:
    """Print the measurements; 1 when a build-only median reaches its limit."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    failed = False
    for kind, path, limit in CASES:
        if not path.is_dir():
            print(f"{path} not available: skipped")
            continue
        build, cpu = whole_process(kind, path, args.runs, "--no-validate")
        validated, validated_cpu = whole_process(kind, path, 1)
        median = statistics.median(build)
        print(
            f"{kind} build {path.relative_to(CORPUS)} --no-validate --oci-layout (whole "
            f"process, {args.runs} runs): median {median:.3f} s, max {max(build):.3f} s, "
            f"CPU {cpu:.3f} s (limit {limit} s); with validation {validated[0]:.3f} s, "
            f"CPU {validated_cpu:.3f} s"
        )
        failed |= median >= limit
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
