"""Every corpus bundle and catalog through the real registry (skipped without ../shared):
pushed by bundle-tools, copied back by ``skopeo sync`` in one run, and compared file by
file; a sample rendered from its image as from its directory."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.imageref import parse_reference
from bundle_tools.images.build import build_bundle_image, build_catalog_image
from bundle_tools.images.oci import Platform
from bundle_tools.images.registry import RegistryClient, RegistryOptions
from tests.conftest import shared_path
from tests.registry_helpers import skopeo, start_registry, tree

AMD64 = [Platform.parse("linux/amd64")]
#: Rendered from their image and from their directory: small, one per kind of layout.
RENDER_SAMPLE = ("hive-operator", "patterns-operator", "etcd")


def _unpack_dir(copied: Path, dest: Path) -> tuple[dict, Path]:
    """Config (from the copied config blob) and the unpacked layers of a ``dir:`` copy."""
    manifest = json.loads((copied / "manifest.json").read_text())
    config = json.loads((copied / manifest["config"]["digest"].split(":")[1]).read_text())
    dest.mkdir(parents=True)
    for layer in manifest["layers"]:
        blob = (copied / layer["digest"].split(":")[1]).read_bytes()
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob))) as tar:
            tar.extractall(dest, filter="tar")
    return config, dest


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory):
    started = start_registry(tmp_path_factory.mktemp("corpus-registry"))
    yield started
    started.stop()


def test_every_corpus_bundle_round_trips(registry, tmp_path: Path) -> None:
    corpus = shared_path("corpus", "bundles")
    bundles = {
        f"{m.parent.parent.name}-{m.parent.name}".replace("+", "_"): m.parent
        for m in sorted(corpus.glob("*/*/manifests"))
    }
    repository = f"{registry.host}/corpus/bundles"
    with RegistryClient(RegistryOptions(plain_http=True)) as client:
        for tag, root in bundles.items():
            image = build_bundle_image(root, AMD64)
            client.push_image(parse_reference(f"{repository}:{tag}"), image)
    synced = tmp_path / "synced"
    skopeo("sync", "--src-tls-verify=false", "--src", "docker", "--dest", "dir",
           repository, str(synced))  # fmt: skip
    for tag, root in bundles.items():
        config, unpacked = _unpack_dir(synced / f"bundles:{tag}", tmp_path / "rootfs" / tag)
        annotations = yaml.safe_load((root / "metadata" / "annotations.yaml").read_text())
        assert config["config"]["Labels"] == annotations["annotations"], tag
        assert tree(unpacked) == tree(root), tag


@pytest.mark.parametrize("package", RENDER_SAMPLE)
def test_corpus_bundle_renders_from_image_as_from_directory(
    registry, tmp_path: Path, package: str
) -> None:
    root = sorted(shared_path("corpus", "bundles", package).glob("*/manifests"))[0].parent
    ref = f"{registry.host}/render/{package}:{root.name.replace('+', '_')}"
    with RegistryClient(RegistryOptions(plain_http=True)) as client:
        client.push_image(parse_reference(ref), build_bundle_image(root, AMD64))
    runner = CliRunner()
    from_image = runner.invoke(
        app, ["catalog", "render", ref, "--plain-http", "--catalog", str(tmp_path / "a")]
    )
    from_dir = runner.invoke(
        app, ["catalog", "render", str(root), "--image", ref, "--catalog", str(tmp_path / "b")]
    )
    assert from_image.exit_code == from_dir.exit_code, from_image.output + from_dir.output
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert files
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_lightspeed_catalog_round_trips(registry, tmp_path: Path) -> None:
    catalog = shared_path("corpus", "catalogs", "lightspeed-4.16")
    ref = f"{registry.host}/corpus/lightspeed:4.16"
    with RegistryClient(RegistryOptions(plain_http=True)) as client:
        client.push_image(parse_reference(ref), build_catalog_image(catalog, AMD64))
    copied = tmp_path / "copied"
    skopeo("copy", "--src-tls-verify=false", f"docker://{ref}", f"dir:{copied}")
    config, unpacked = _unpack_dir(copied, tmp_path / "rootfs")
    assert config["config"]["Labels"] == {
        "operators.operatorframework.io.index.configs.v1": "/configs"
    }
    assert tree(unpacked / "configs") == tree(catalog)
