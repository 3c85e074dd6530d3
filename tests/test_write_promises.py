"""README's promises, as a user meets them: all-or-nothing multi-file edits, links that
lead out of the bundle, no empty package directory on a full disk, locking."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools import safewrite
from bundle_tools.cli import app

from .test_patch_cli import BASIC, CHANNEL_ANNOTATIONS, _bundle
from .test_safewrite import fail_replace_of

runner = CliRunner()


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_patch_csv_channels_is_all_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS)
    before = _files(bundle)
    annotations = bundle / "metadata" / "annotations.yaml"
    fail_replace_of(monkeypatch, annotations.resolve(), errno.ENOSPC)
    result = runner.invoke(app, ["patch-csv", str(bundle), "--channels", "alpha,beta"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{annotations.resolve()}: error: cannot write file: No space left on device\n"
    )
    assert result.stdout == ""
    assert _files(bundle) == before


def test_patch_csv_refuses_a_link_out_of_the_bundle(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS)
    outside = tmp_path / "outside.yaml"
    outside.write_text(BASIC)
    csv = bundle / "manifests" / "demo.clusterserviceversion.yaml"
    csv.unlink()
    csv.symlink_to(outside)
    result = runner.invoke(app, ["patch-csv", str(bundle)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{csv}: error: symbolic link to '{outside}', outside '{bundle}': refusing to write "
        "outside it\n"
    )
    assert outside.read_text() == BASIC


def test_patch_csv_follows_a_link_within_the_bundle(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS)
    (bundle / "shared").mkdir()
    real = bundle / "shared" / "csv.yaml"
    real.write_text(BASIC)
    csv = bundle / "manifests" / "demo.clusterserviceversion.yaml"
    csv.unlink()
    csv.symlink_to("../shared/csv.yaml")
    assert runner.invoke(app, ["patch-csv", str(bundle)]).exit_code == 0
    assert csv.is_symlink()
    assert 'token-auth-aws: "true"' in real.read_text()


def test_render_on_a_full_disk_leaves_no_package_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = _bundle(
        tmp_path,
        CHANNEL_ANNOTATIONS.replace(
            "annotations:\n",
            "annotations:\n  operators.operatorframework.io.bundle.package.v1: demo\n",
        ),
    )
    catalog = tmp_path / "catalog"
    catalog.mkdir()

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safewrite.os, "write", full)
    result = runner.invoke(
        app,
        [
            "catalog",
            "render",
            str(bundle),
            "--image",
            "quay.io/x/demo:1",
            "--catalog",
            str(catalog),
        ],
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"{catalog}/demo/catalog.yaml: error: cannot write file: No space left on device\n"
    )
    assert list(catalog.iterdir()) == []


def test_sigterm_before_the_replacements_exits_143_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS)
    before = _files(bundle)
    real_stage = safewrite._stage

    def stage(*args):  # type: ignore[no-untyped-def]
        os.kill(os.getpid(), signal.SIGTERM)
        return real_stage(*args)

    monkeypatch.setattr(safewrite, "_stage", stage)
    result = runner.invoke(app, ["patch-csv", str(bundle), "--channels", "alpha,beta"])
    assert result.exit_code == 128 + signal.SIGTERM
    assert result.stderr == "error: interrupted by SIGTERM: nothing was written\n"
    assert result.stdout == ""
    assert _files(bundle) == before
    assert not list(bundle.rglob(safewrite.STAGING_DIR))
