"""Benchmark of ``bundle-tools catalog validate``: whole-process wall time on the corpus
catalogs (``../shared/corpus/catalogs``, skipped when absent) and on generated catalogs of
doubling size (YAML and JSON), with the scaling factor between sizes.

Run with ``nox -s bench`` or ``python bench/bench_catalog.py [--sizes 1000,2000,4000,8000]
[--repeat 3]``. Generated catalogs go to ``.bench/`` (git-ignored). Each generated bundle
looks like a community catalog bundle (about 18 KB of YAML: six ``olm.gvk``, an
``olm.package``, an ``olm.csv.metadata`` with descriptors and a JSON ``alm-examples``);
packages hold 50 bundles on a replaces chain.

Parsing files in two worker processes was measured and does not pay: on community-v4.20
loading took 0.47 s serially and 0.84 s with a 2-process pool (pickling the parsed
blobs back costs more than the parse), so ``catalog validate`` parses serially.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bundle_tools.fbc.write import dump_json, dump_yaml, order_blobs

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "catalogs"
WORK = REPO / ".bench"
BUNDLES_PER_PACKAGE = 50


def _csv_metadata(package: str, version: str) -> dict[str, Any]:
    examples = [
        {
            "apiVersion": f"{package}.example.com/v1",
            "kind": f"Kind{i}",
            "metadata": {"name": f"sample-{i}"},
            "spec": {"replicas": 3, "settings": {f"key{j}": f"value {j}" for j in range(12)}},
        }
        for i in range(6)
    ]
    descriptors = [
        {
            "description": f"Field {j} of the resource, which users set to tune the operand.",
            "displayName": f"Field {j}",
            "path": f"spec.field{j}",
            "x-descriptors": ["urn:alm:descriptor:com.tectonic.ui:text"],
        }
        for j in range(8)
    ]
    return {
        "annotations": {
            "alm-examples": json.dumps(examples, indent=2),
            "capabilities": "Basic Install",
            "containerImage": f"quay.io/example/{package}:{version}",
            "createdAt": "2025-01-02T03:04:05Z",
            "description": f"Operator {package}",
        },
        "apiServiceDefinitions": {},
        "crdDescriptions": {
            "owned": [
                {
                    "description": f"Kind{i} describes one managed resource of {package}.",
                    "displayName": f"Kind {i}",
                    "kind": f"Kind{i}",
                    "name": f"kind{i}s.{package}.example.com",
                    "specDescriptors": descriptors,
                    "version": "v1",
                }
                for i in range(6)
            ]
        },
        "description": (f"{package} manages an example workload. " * 40).strip(),
        "displayName": package,
        "installModes": [
            {"supported": mode != "MultiNamespace", "type": mode}
            for mode in ("OwnNamespace", "SingleNamespace", "MultiNamespace", "AllNamespaces")
        ],
        "keywords": ["example", "benchmark"],
        "links": [{"name": "Source", "url": f"https://example.com/{package}"}],
        "maintainers": [{"email": "team@example.com", "name": "Team"}],
        "maturity": "stable",
        "provider": {"name": "Example"},
    }


def package_blobs(package: str, count: int) -> list[dict[str, Any]]:
    """``olm.package``, one ``olm.channel`` and ``count`` bundles on a replaces chain."""
    names = [f"{package}.v1.{i}.0" for i in range(count)]
    entries: list[dict[str, Any]] = [{"name": names[0]}]
    entries += [
        {"name": name, "replaces": previous, "skipRange": f">=1.0.0 <1.{i}.0"}
        for i, (previous, name) in enumerate(itertools.pairwise(names), start=1)
    ]
    blobs: list[dict[str, Any]] = [
        {"schema": "olm.package", "name": package, "defaultChannel": "stable"},
        {"schema": "olm.channel", "name": "stable", "package": package, "entries": entries},
    ]
    for i, name in enumerate(names):
        version = f"1.{i}.0"
        properties: list[dict[str, Any]] = [
            {
                "type": "olm.gvk",
                "value": {"group": f"{package}.example.com", "kind": f"Kind{k}", "version": "v1"},
            }
            for k in range(6)
        ]
        properties.append(
            {"type": "olm.package", "value": {"packageName": package, "version": version}}
        )
        properties.append({"type": "olm.csv.metadata", "value": _csv_metadata(package, version)})
        blobs.append(
            {
                "schema": "olm.bundle",
                "name": name,
                "package": package,
                "image": f"quay.io/example/{package}-bundle:v{version}",
                "properties": properties,
                "relatedImages": [
                    {"name": "", "image": f"quay.io/example/{package}-bundle:v{version}"},
                    {"name": "", "image": f"quay.io/example/{package}:{version}"},
                ],
            }
        )
    return blobs


def generate(root: Path, bundles: int, fmt: str) -> int:
    """Write a catalog of ``bundles`` bundles under ``root``; return its size in bytes."""
    shutil.rmtree(root, ignore_errors=True)
    size = 0
    for p in range(max(1, bundles // BUNDLES_PER_PACKAGE)):
        package = f"bench-operator-{p:04d}"
        blobs = order_blobs(package_blobs(package, BUNDLES_PER_PACKAGE))
        text = dump_yaml(blobs) if fmt == "yaml" else dump_json(blobs)
        path = root / package / f"catalog.{fmt}"
        path.parent.mkdir(parents=True)
        size += path.write_bytes(text.encode()) or 0
    return size


def run(catalog: Path, repeat: int) -> float:
    """Median wall time (s) of the whole ``bundle-tools catalog validate`` process."""
    command = [sys.executable, "-m", "bundle_tools", "catalog", "validate", str(catalog)]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"validate failed on {catalog}:\n{done.stdout}{done.stderr}")
    return statistics.median(times)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    """Print timings for the corpus catalogs and the generated sizes, with scaling."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,4000,8000", help="bundle counts")
    parser.add_argument("--repeat", type=int, default=1, help="runs per catalog (median)")
    args = parser.parse_args()
    print(f"{'catalog':<28} {'MB':>7} {'seconds':>8} {'s/MB':>6} {'x prev':>7}")
    if CORPUS.is_dir():
        for catalog in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
            size = _size(catalog) / 1e6
            seconds = run(catalog, args.repeat)
            print(f"{catalog.name:<28} {size:7.1f} {seconds:8.2f} {seconds / size:6.3f}")
    else:
        print(f"(corpus catalogs not found at {CORPUS})")
    sizes = [int(s) for s in args.sizes.split(",")]
    for fmt in ("yaml", "json"):
        previous = None
        for bundles in sizes:
            root = WORK / f"catalog-{fmt}-{bundles}"
            size = generate(root, bundles, fmt) / 1e6
            seconds = run(root, args.repeat)
            ratio = f"{seconds / previous:7.2f}" if previous else f"{'':>7}"
            label = f"generated {fmt} {bundles} bundles"
            print(f"{label:<28} {size:7.1f} {seconds:8.2f} {seconds / size:6.3f} {ratio}")
            previous = seconds
    print("x prev: time relative to the previous (half as large) size; 2.0 is linear.")


if __name__ == "__main__":
    main()
