"""bundle: reading a bundle directory's manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.bundle import manifest_paths
from bundle_tools.errors import InputError


def test_broken_symlink_in_manifests_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "a.yaml").write_text("kind: ConfigMap\n")
    (tmp_path / "manifests" / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    with pytest.raises(InputError) as info:
        manifest_paths(tmp_path)
    assert str(info.value) == (
        f"{tmp_path}/manifests/gone.yaml: error: broken symbolic link: its target does not exist"
    )
