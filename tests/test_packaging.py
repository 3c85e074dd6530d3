"""Packaging: one version, the license, typing marker and an sdist that holds what
the test suite reads."""

from __future__ import annotations

import email
import tarfile
from pathlib import Path

from hatchling.builders.sdist import SdistBuilder

from bundle_tools import __version__

from .conftest import REPO

#: Paths the tests read from the checkout; the sdist must hold each.
NEEDED = [
    "bundle/manifests/quay-operator.clusterserviceversion.yaml",
    "bundle/metadata/annotations.yaml",
    "catalog/project-quay/catalog.yaml",
    "docs/examples/github-actions.yaml",
    "docs/examples/tekton-task.yaml",
    ".pre-commit-hooks.yaml",
    "schemas/csv.schema.json",
    "scripts/check_schemas.py",
    "tests/conftest.py",
    "tests/data/patch/json-csv.json",
    "bundle_tools/py.typed",
    "bundle_tools/__init__.py",
    "README.md",
    "LICENSE",
    "pyproject.toml",
    "noxfile.py",
]


def test_sdist_holds_what_the_tests_read(tmp_path: Path) -> None:
    (built,) = SdistBuilder(str(REPO)).build(directory=str(tmp_path), versions=["standard"])
    with tarfile.open(built) as archive:
        names = archive.getnames()
        root = f"bundle_tools-{__version__}/"
        assert all(name.startswith(root.rstrip("/")) for name in names)
        inside = {name.removeprefix(root) for name in names}
        missing = [path for path in NEEDED if path not in inside]
        assert not missing
        info = archive.extractfile(f"{root}PKG-INFO")
        assert info is not None
        metadata = email.message_from_bytes(info.read())
    assert metadata["Version"] == __version__
    assert metadata["License-Expression"] == "Apache-2.0"
    classifiers = metadata.get_all("Classifier")
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert "Typing :: Typed" in classifiers


def test_license_is_the_apache_2_0_text() -> None:
    text = (REPO / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License\n                           Version 2.0")
    assert "END OF TERMS AND CONDITIONS" in text


def test_version_is_declared_once() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert "\nversion =" not in pyproject
    assert (
        f'app.kubernetes.io/version: "{__version__}"'
        in (REPO / "docs" / "examples" / "tekton-task.yaml").read_text()
    )
