"""Benchmark of ``bundle-tools patch-csv`` as a whole process on CSVs of growing size:
the repository's Quay CSV, then CSVs grown from it with many owned CRDs (each entry with
resources, spec and status descriptors, like real operators' ``owned`` lists).

Targets (issue 10, 2-core machine): the Quay CSV under 0.25 s; the 60 MiB CSV under 15 s
and 1.5 GB peak RSS; cost linear in size (the time per MiB of the largest CSV at most
twice that of the smallest grown one).

Run: ``python bench/bench_patch_csv_scale.py [--sizes 15,30,60] [--repeat N]`` (sizes in
MiB). Prints seconds and peak RSS per size; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUNDLE = REPO / "bundle"
CSV_NAME = "quay-operator.clusterserviceversion.yaml"
QUAY_TARGET_S = 0.25
LARGE_TARGET_S = 15.0
LARGE_TARGET_RSS_MB = 1536
MIB = 1 << 20

ENTRY = """\
      - name: widgets{n}.example{n}.quay.redhat.com
        version: v1beta{v}
        kind: Widget{n}
        displayName: Widget {n}
        description: "Widget number {n}: a resource the operator reconciles for each QuayRegistry."
        resources:
          - {{kind: Deployment, name: "", version: v1}}
          - {{kind: Secret, name: "", version: v1}}
          - {{kind: ConfigMap, name: "", version: v1}}
        specDescriptors:
          - path: configBundleSecret
            displayName: Config Bundle Secret
            description: Secret holding the base configuration of widget {n} and extra certificates.
            x-descriptors:
              - 'urn:alm:descriptor:io.kubernetes:Secret'
          - path: replicas
            displayName: Replicas
            description: How many replicas of widget {n} run.
            x-descriptors:
              - 'urn:alm:descriptor:com.tectonic.ui:podCount'
        statusDescriptors:
          - path: conditions
            displayName: Conditions
            description: The observed conditions of widget {n}.
            x-descriptors:
              - 'urn:alm:descriptor:io.kubernetes.conditions'
"""


def grown_csv(text: str, size: int) -> str:
    """The Quay CSV with owned CRD entries added after ``owned:`` until it holds at least
    ``size`` characters."""
    marker = "    owned:\n"
    at = text.index(marker) + len(marker)
    entries: list[str] = []
    total, n = len(text), 0
    while total < size:
        entry = ENTRY.format(n=n, v=n % 3 + 1)
        entries.append(entry)
        total += len(entry)
        n += 1
    return text[:at] + "".join(entries) + text[at:]


def _cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_patch(bundle: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one ``bundle-tools patch-csv
    BUNDLE`` (whole process, the CSV rewritten in place; the peak is the largest of any
    child so far)."""
    command = [sys.executable, "-m", "bundle_tools", "patch-csv", str(bundle)]
    cpu, start = _cpu(), time.perf_counter()
    run = subprocess.run(command, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if run.returncode not in (0, 1):
        raise SystemExit(f"patch-csv failed: {run.stderr.decode()[:500]}")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, _cpu() - cpu, rss


def measure(text: str, repeat: int, work: Path) -> tuple[float, float, float]:
    """Best wall seconds, best CPU seconds and peak RSS of ``repeat`` patch-csv runs on
    a fresh bundle copy holding ``text`` as its CSV."""
    best, best_cpu, peak = float("inf"), float("inf"), 0.0
    for _ in range(repeat):
        bundle = work / "bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        shutil.copytree(BUNDLE, bundle)
        (bundle / "manifests" / CSV_NAME).write_text(text, encoding="utf-8")
        seconds, cpu, rss = run_patch(bundle)
        best, best_cpu, peak = min(best, seconds), min(best_cpu, cpu), max(peak, rss)
    return best, best_cpu, peak


def main() -> int:
    """Measure the Quay CSV and each grown size; 0 when every target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="15,30,60", help="grown CSV sizes in MiB")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = (BUNDLE / "manifests" / CSV_NAME).read_text(encoding="utf-8")
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seconds, cpu, _ = measure(text, args.repeat * 2, work)
        print(
            f"quay CSV ({len(text) / 1024:.0f} KiB): {seconds:.3f} s, CPU {cpu:.3f} s "
            f"(target {QUAY_TARGET_S})"
        )
        if seconds > QUAY_TARGET_S:
            failed.append("quay")
        per_mib = []
        for size in (int(s) for s in args.sizes.split(",")):
            grown = grown_csv(text, size * MIB)
            seconds, cpu, rss = measure(grown, 1, work)
            per_mib.append(seconds / size)
            print(f"{size} MiB CSV: {seconds:.2f} s, CPU {cpu:.2f} s, peak RSS {rss:.0f} MB")
            if size >= 60 and (seconds > LARGE_TARGET_S or rss > LARGE_TARGET_RSS_MB):
                failed.append(f"{size} MiB")
        if len(per_mib) > 1 and per_mib[-1] > 2 * per_mib[0]:
            failed.append("linearity")
        print(f"seconds per MiB: {', '.join(f'{t:.3f}' for t in per_mib)}")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if failed:
        print(f"FAIL: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
