"""Errors about a pulled bundle image name the image and the path inside it
(``IMAGE:/manifests/FILE:LINE:COL``), never the temporary directory it was unpacked
into, in ``catalog render IMAGE`` and ``catalog template`` alike; and unpacking refuses
a layer past the bound on unpacked bytes or entries (a gzip bomb)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.errors import BundleToolsError
from bundle_tools.imageref import parse_reference
from bundle_tools.images.pull import pull_bundle
from bundle_tools.images.registry import RegistryClient, RegistryOptions
from tests.conftest import REPO
from tests.registry_helpers import start_registry

runner = CliRunner()
CSV = "manifests/quay-operator.clusterserviceversion.yaml"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory):
    """A plain-HTTP registry on 127.0.0.1."""
    started = start_registry(tmp_path_factory.mktemp("registry"))
    yield started
    started.stop()


def _broken_yaml(bundle: Path) -> None:
    path = bundle / "manifests" / "quayregistries.crd.yaml"
    path.write_text(path.read_text() + "spec: [unclosed\n")


def _csv_without_name(bundle: Path) -> None:
    path = bundle / CSV
    path.write_text(path.read_text().replace("  name: quay-operator.v3.99.0\n", "", 1))


@pytest.mark.parametrize(
    ("breaking", "file"),
    [(_broken_yaml, "manifests/quayregistries.crd.yaml"), (_csv_without_name, CSV)],
)
def test_errors_name_the_image_not_a_temporary_path(
    registry, tmp_path: Path, breaking, file: str
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(REPO / "bundle", bundle)
    breaking(bundle)
    ref = f"{registry.host}/broken/{breaking.__name__.strip('_').replace('_', '-')}:v1"
    build = ["bundle", "build", str(bundle), "--tag", ref, "--plain-http", "--no-validate"]
    pushed = runner.invoke(app, build)
    assert pushed.exit_code == 0, pushed.output
    from_dir = runner.invoke(
        app, ["catalog", "render", str(bundle), "--image", ref, "--catalog", str(tmp_path / "d")]
    )
    assert from_dir.exit_code == 2
    prefix = f"{bundle}/{file}:"
    assert from_dir.stderr.startswith(prefix), from_dir.stderr
    expected = f"{ref}:/{file}:" + from_dir.stderr[len(prefix) :]
    rendered = runner.invoke(
        app, ["catalog", "render", ref, "--plain-http", "--catalog", str(tmp_path / "c")]
    )
    assert rendered.exit_code == 2
    assert rendered.stderr == expected
    assert "bundle-tools-" not in rendered.stderr
    template = tmp_path / "template.yaml"
    template.write_text(f"schema: olm.semver\nstable:\n  bundles:\n  - image: {ref}\n")
    templated = runner.invoke(app, ["catalog", "template", str(template), "--plain-http"])
    assert templated.exit_code == 2
    located = expected.replace(": error: ", ": ", 1)
    assert templated.stderr == (
        f'{template}:4:12: error: cannot render bundle image "{ref}": {located}'
    )


@pytest.fixture(scope="module")
def zero_bundle(registry, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A bundle image whose manifests hold a 4 MiB file of zeros (about 4 KiB gzipped)."""
    bundle = tmp_path_factory.mktemp("zeros") / "bundle"
    shutil.copytree(REPO / "bundle", bundle)
    (bundle / "manifests" / "zeros.yaml").write_bytes(bytes(4 << 20))
    ref = f"{registry.host}/bomb/zeros:v1"
    build = ["bundle", "build", str(bundle), "--tag", ref, "--plain-http", "--no-validate"]
    pushed = runner.invoke(app, build)
    assert pushed.exit_code == 0, pushed.output
    return ref


def _layer_digest(ref: str, client: RegistryClient) -> str:
    manifest = client.get_manifest(parse_reference(ref)).json()
    if "manifests" in manifest:
        manifest = client.get_manifest(
            parse_reference(ref).with_digest(manifest["manifests"][0]["digest"])
        ).json()
    (layer,) = manifest["layers"]
    assert layer["size"] < 64 << 10
    return layer["digest"]


@pytest.mark.parametrize(
    ("bounds", "refusal"),
    [
        ({"max_bytes": 1 << 20}, "unpacks to more than 1048576 bytes; refused"),
        ({"max_entries": 3}, "holds more than 3 entries; refused"),
    ],
)
def test_unpacking_past_a_bound_is_refused(
    registry, zero_bundle: str, tmp_path: Path, bounds: dict[str, int], refusal: str
) -> None:
    with RegistryClient(RegistryOptions(plain_http=True)) as client:
        digest = _layer_digest(zero_bundle, client)
        with pytest.raises(BundleToolsError) as error:
            pull_bundle(client, parse_reference(zero_bundle), tmp_path / "b", **bounds)
        assert str(error.value) == f"image {zero_bundle}: layer {digest}: {refusal}"
        pulled = pull_bundle(client, parse_reference(zero_bundle), tmp_path / "ok")
    assert (pulled.root / "manifests" / "zeros.yaml").read_bytes() == bytes(4 << 20)
