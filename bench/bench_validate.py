"""Benchmark ``bundle-tools validate``: whole-process wall time on a typical bundle (the
repository's ``bundle/``, else the corpus's quay-operator 3.99.0-dev), and in-process
time per corpus bundle.

Target: a typical bundle validates in well under a second, whole process (interpreter
start, imports, YAML parsing, every rule). Prints median and maximum of repeated runs;
exits 1 when the whole-process median reaches ``LIMIT_SECONDS``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "bundles"
LIMIT_SECONDS = 1.0
RUNS = 7


def typical_bundle() -> Path | None:
    """``bundle/`` of the repository, else a quay-operator bundle of the corpus."""
    for candidate in (REPO / "bundle", CORPUS / "quay-operator" / "3.99.0-dev"):
        if (candidate / "manifests").is_dir():
            return candidate
    return None


def whole_process(bundle: Path) -> list[float]:
    """Wall-clock seconds of ``RUNS`` runs of ``python -m bundle_tools validate BUNDLE``."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "bundle_tools", "validate", str(bundle)],
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - start)
        if run.returncode == 2:
            raise SystemExit(f"input error: {run.stderr.decode()}")
    return times


def in_process() -> list[tuple[str, float]]:
    """``(bundle, seconds)`` of ``validate_bundles`` for each corpus bundle that loads."""
    from bundle_tools.errors import InputError
    from bundle_tools.validate import validate_bundles

    out = []
    for manifests in sorted(CORPUS.glob("*/*/manifests")):
        start = time.perf_counter()
        try:
            validate_bundles([manifests.parent])
        except InputError:
            continue
        out.append((str(manifests.parent.relative_to(CORPUS)), time.perf_counter() - start))
    return out


def main() -> int:
    """Print the measurements; 1 when the whole-process median reaches the limit."""
    bundle = typical_bundle()
    if bundle is None:
        print("no bundle/ and no corpus: nothing to measure")
        return 0
    times = whole_process(bundle)
    median = statistics.median(times)
    print(
        f"validate {bundle} (whole process, {RUNS} runs): "
        f"median {median:.3f} s, max {max(times):.3f} s"
    )
    if CORPUS.is_dir():
        per_bundle = in_process()
        values = [t for _, t in per_bundle]
        slowest = max(per_bundle, key=lambda item: item[1])
        print(
            f"corpus in-process ({len(values)} bundles): median {statistics.median(values):.3f} s, "
            f"slowest {slowest[0]} {slowest[1]:.3f} s"
        )
    if median >= LIMIT_SECONDS:
        print(f"FAIL: median {median:.3f} s >= {LIMIT_SECONDS} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
