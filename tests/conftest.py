"""Shared fixtures: access to ../shared (corpus, cases), skipped cleanly when absent
(``BUNDLE_TOOLS_SHARED`` names another directory; ``.ci/run`` points it nowhere for the
sessions that repeat the suite on other Pythons and dependency versions)."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BUNDLE_TOOLS_SHARED") or REPO.parent / "shared")


def shared_path(*parts: str) -> Path:
    """Path under ../shared; skips the calling test when it does not exist."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


def copy_writable(src: Path, dst: Path) -> Path:
    """Copy a file or tree and make the copy writable (../shared may be read-only in CI)."""
    if src.is_dir():
        shutil.copytree(src, dst)
        paths = [dst, *dst.rglob("*")]
    else:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        paths = [dst]
    for path in paths:
        path.chmod(
            path.stat().st_mode
            | stat.S_IWUSR
            | stat.S_IRUSR
            | (stat.S_IXUSR if path.is_dir() else 0)
        )
    return dst
