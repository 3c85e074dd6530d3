"""Benchmark ``bundle-tools validate``: whole-process wall time on a typical bundle (the
repository's ``bundle/``, else the corpus's quay-operator 3.99.0-dev), on the largest
corpus bundle (community-kubevirt-hyperconverged 1.18.1, 2.7 MB) and on every corpus
bundle.

Targets (issue 10, whole process: interpreter start, imports, YAML parsing, every
rule): the typical bundle under ``LIMIT_SECONDS``, the largest and every corpus bundle
under ``CORPUS_LIMIT_SECONDS``. Prints median and maximum of repeated runs; exits 1 when
a median reaches its limit.
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
CORPUS_LIMIT_SECONDS = 0.5
LARGEST = CORPUS / "community-kubevirt-hyperconverged" / "1.18.1"
RUNS = 7


def typical_bundle() -> Path | None:
    """``bundle/`` of the repository, else a quay-operator bundle of the corpus."""
    for candidate in (REPO / "bundle", CORPUS / "quay-operator" / "3.99.0-dev"):
        if (candidate / "manifests").is_dir():
            return candidate
    return None


def whole_process(bundle: Path, runs: int = RUNS) -> list[float]:
    """Wall-clock seconds of ``runs`` runs of ``python -m bundle_tools validate BUNDLE``."""
    times = []
    for _ in range(runs):
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


def corpus_bundles() -> list[Path]:
    """Every corpus bundle directory that loads (the few that exit 2 are left out)."""
    from bundle_tools.errors import InputError
    from bundle_tools.validate import load_context

    out = []
    for manifests in sorted(CORPUS.glob("*/*/manifests")):
        try:
            load_context(manifests.parent)
        except InputError:
            continue
        out.append(manifests.parent)
    return out


def main() -> int:
    """Print the measurements; 1 when a whole-process median reaches its limit."""
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
    failed = median >= LIMIT_SECONDS
    if CORPUS.is_dir():
        largest = statistics.median(whole_process(LARGEST))
        print(f"validate {LARGEST.relative_to(CORPUS)} (whole process): median {largest:.3f} s")
        per_bundle = [(b, statistics.median(whole_process(b, 3))) for b in corpus_bundles()]
        slowest = max(per_bundle, key=lambda item: item[1])
        print(
            f"corpus ({len(per_bundle)} bundles, whole process, median of 3): slowest "
            f"{slowest[0].relative_to(CORPUS)} {slowest[1]:.3f} s"
        )
        failed = failed or max(largest, slowest[1]) >= CORPUS_LIMIT_SECONDS
    if failed:
        print("FAIL: a median reached its limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
