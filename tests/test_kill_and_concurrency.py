"""Whole processes killed at random points, and run two at a time: README's promises
(a file holds its old or its new content, nothing visible is left behind, the next run
succeeds; concurrent runs never lose an edit they report)."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from bundle_tools.fbc.load import load_catalog
from bundle_tools.safewrite import STAGING_DIR

from .test_patch_cli import BASIC, CHANNEL_ANNOTATIONS

#: Wall-clock budget of each kill loop (seconds); every loop runs at least MIN_RUNS.
BUDGET = 2.5
MIN_RUNS = 3
ANNOTATIONS = CHANNEL_ANNOTATIONS + "  operators.operatorframework.io.bundle.package.v1: demo\n"


def _bundle_tools(*args: str | Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bundle_tools", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _finish(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    proc = _bundle_tools(*args)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _make_bundle(root: Path) -> Path:
    (root / "manifests").mkdir(parents=True)
    (root / "metadata").mkdir()
    (root / "manifests" / "demo.clusterserviceversion.yaml").write_text(BASIC)
    (root / "metadata" / "annotations.yaml").write_text(ANNOTATIONS)
    return root


def _visible(root: Path) -> dict[str, bytes | None]:
    """Every path below ``root`` outside staging directories (files with their bytes);
    asserts each staging directory left by a kill is ignored by opm's walk (its
    ``.indexignore`` excludes everything, or it holds nothing else yet)."""
    seen: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if STAGING_DIR in rel.parts:
            if path.name == STAGING_DIR:
                others = [p for p in path.iterdir() if p.name != ".indexignore"]
                ignore = path / ".indexignore"
                assert not others or ignore.read_bytes() == b"*\n", list(path.iterdir())
            continue
        seen[str(rel)] = path.read_bytes() if path.is_file() else None
    return seen


def _kill_loop(root: Path, args_for: Callable[[int], list[str | Path]], targets: list[Path]) -> int:
    """Run ``args_for(i)`` and SIGKILL it at a random point near its end, until the
    budget is spent; after each kill every target holds its old content or what an
    unkilled rerun makes of it, nothing else is visible, and the rerun succeeds.
    Returns the number of killed runs that had replaced their targets."""
    start = _finish(*args_for(0))
    assert start.returncode == 0, start.stderr
    began = time.monotonic()
    proc = _bundle_tools(*args_for(1))
    proc.communicate(timeout=120)
    duration = time.monotonic() - began
    rng = random.Random(1234)
    completed = runs = 0
    deadline = time.monotonic() + BUDGET
    index = 2
    while runs < MIN_RUNS or time.monotonic() < deadline:
        before = {t: t.read_bytes() for t in targets}
        shape = _visible(root).keys()
        proc = _bundle_tools(*args_for(index))
        time.sleep(rng.uniform(0.5, 1.1) * duration)
        proc.kill()
        proc.communicate(timeout=120)
        after = {t: t.read_bytes() for t in targets}
        assert _visible(root).keys() == shape
        rerun = _finish(*args_for(index))
        assert rerun.returncode == 0, rerun.stderr
        for target in targets:
            assert after[target] in (before[target], target.read_bytes()), target
        assert not list(root.rglob(STAGING_DIR))
        completed += after != before
        runs += 1
        index += 1
    return completed


def test_killed_patch_csv_leaves_old_or_new_files_and_nothing_else(tmp_path: Path) -> None:
    bundle = _make_bundle(tmp_path / "bundle")
    csv = bundle / "manifests" / "demo.clusterserviceversion.yaml"
    annotations = bundle / "metadata" / "annotations.yaml"

    def args(index: int) -> list[str | Path]:
        return [
            "patch-csv",
            bundle,
            "--no-token-auth",
            "--version",
            f"1.0.{index}",
            "--channels",
            f"alpha,c{index}",
        ]

    _kill_loop(bundle, args, [csv, annotations])
    assert yaml.safe_load(csv.read_text())["spec"]["version"].startswith("1.0.")


def test_killed_catalog_render_leaves_old_or_new_catalog_and_nothing_else(
    tmp_path: Path,
) -> None:
    bundle = _make_bundle(tmp_path / "bundle")
    catalog = tmp_path / "catalog"

    def args(index: int) -> list[str | Path]:
        image = f"quay.io/example/demo-bundle:v{index}"
        return ["catalog", "render", bundle, "--image", image, "--catalog", catalog]

    first = _finish(*args(0))
    assert first.returncode == 0, first.stderr
    _kill_loop(catalog, args, [catalog / "demo" / "catalog.yaml"])
    assert [b.data["schema"] for b in load_catalog(catalog)] == [
        "olm.package",
        "olm.channel",
        "olm.bundle",
    ]


def test_concurrent_patch_csv_runs_keep_both_edits_or_fail_loudly(tmp_path: Path) -> None:
    bundle = _make_bundle(tmp_path / "bundle")
    csv = bundle / "manifests" / "demo.clusterserviceversion.yaml"
    deadline = time.monotonic() + BUDGET
    rounds = 0
    while rounds < MIN_RUNS or time.monotonic() < deadline:
        replaces = f"demo-operator.v0.9.{rounds}"
        created = f"2026-01-{rounds % 28 + 1:02d}T00:00:00Z"
        runs = [
            _bundle_tools("patch-csv", bundle, "--no-token-auth", "--replaces", replaces),
            _bundle_tools("patch-csv", bundle, "--no-token-auth", "--created-at", created),
        ]
        codes = [proc.wait(timeout=120) for proc in runs]
        for proc in runs:
            proc.communicate()
        document = yaml.safe_load(csv.read_text())
        kept = [
            document["spec"].get("replaces") == replaces,
            document["metadata"]["annotations"].get("createdAt") == created,
        ]
        for code, edit_kept in zip(codes, kept, strict=True):
            assert (code == 0) is edit_kept, (codes, kept)
        rounds += 1


def test_concurrent_renders_into_one_catalog_keep_both_bundles(tmp_path: Path) -> None:
    bundles = []
    for version in ("1.0.0", "1.0.1"):
        bundle = _make_bundle(tmp_path / f"bundle-{version}")
        csv = bundle / "manifests" / "demo.clusterserviceversion.yaml"
        csv.write_text(BASIC.replace("1.0.0", version))
        bundles.append((bundle, f"demo-operator.v{version}"))
    catalog = tmp_path / "catalog"
    deadline = time.monotonic() + BUDGET
    rounds = 0
    while rounds < MIN_RUNS or time.monotonic() < deadline:
        runs = [
            _bundle_tools(
                "catalog", "render", bundle, "--image", f"quay.io/x/demo:{rounds}",
                "--catalog", catalog,
            )
            for bundle, _ in bundles
        ]  # fmt: skip
        codes = [proc.wait(timeout=120) for proc in runs]
        for proc in runs:
            proc.communicate()
        images = {
            b.data["name"]: b.data["image"]
            for b in load_catalog(catalog)
            if b.data["schema"] == "olm.bundle"
        }
        for code, (_, name) in zip(codes, bundles, strict=True):
            assert (code in (0, 1)) is (images.get(name) == f"quay.io/x/demo:{rounds}"), (
                codes,
                images,
            )
        rounds += 1
