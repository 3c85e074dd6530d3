"""bundle build / catalog build against a real registry (docker-registry), checked with
skopeo: labels, digests, platforms, and the unpacked file tree byte for byte."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.imageref import parse_reference
from bundle_tools.images.build import build_bundle_image
from bundle_tools.images.oci import Platform
from bundle_tools.images.registry import RegistryClient, RegistryError, RegistryOptions
from tests.conftest import REPO, copy_writable
from tests.registry_helpers import inspect, skopeo, start_registry, tree, unpack

runner = CliRunner()
BUNDLE = REPO / "bundle"
CATALOG = REPO / "catalog"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory):
    """A plain-HTTP registry on 127.0.0.1."""
    started = start_registry(tmp_path_factory.mktemp("registry"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def secure_registry(tmp_path_factory: pytest.TempPathFactory):
    """A TLS registry (test CA) with htpasswd Basic auth."""
    started = start_registry(tmp_path_factory.mktemp("secure-registry"), secure=True)
    yield started
    started.stop()


def build(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


def test_bundle_push_labels_digest_and_tree(registry, tmp_path: Path) -> None:
    ref = f"{registry.host}/quay/quay-bundle:v1"
    result = build("bundle", "build", str(BUNDLE), "--tag", ref, "--plain-http")
    assert result.exit_code == 0, result.output
    pinned = result.stdout.strip()
    info = inspect(ref)
    assert pinned == f"{registry.host}/quay/quay-bundle@{info['Digest']}"
    annotations = {
        "operators.operatorframework.io.bundle.channel.default.v1": "stable-3.99",
        "operators.operatorframework.io.bundle.channels.v1": "stable-3.99,alpha",
        "operators.operatorframework.io.bundle.manifests.v1": "manifests/",
        "operators.operatorframework.io.bundle.mediatype.v1": "registry+v1",
        "operators.operatorframework.io.bundle.metadata.v1": "metadata/",
        "operators.operatorframework.io.bundle.package.v1": "project-quay",
    }
    assert info["Labels"] == annotations
    assert (info["Os"], info["Architecture"], info["Created"]) == (
        "linux",
        "amd64",
        "1970-01-01T00:00:00Z",
    )
    raw = skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{ref}").encode()
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == info["Digest"]
    root = unpack(pinned, tmp_path)
    assert tree(root) == tree(BUNDLE)


def test_multi_platform_index_shares_the_layer(registry, tmp_path: Path) -> None:
    ref = f"{registry.host}/quay/quay-bundle:multi"
    result = build(
        "bundle", "build", str(BUNDLE), "--tag", ref, "--plain-http", "-o", "json",
        "--platform", "linux/amd64", "--platform", "linux/arm64/v8",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    raw = json.loads(skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{ref}"))
    assert out["mediaType"] == raw["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert [m["platform"] for m in raw["manifests"]] == [
        {"architecture": "amd64", "os": "linux"},
        {"architecture": "arm64", "os": "linux", "variant": "v8"},
    ]
    arm = inspect(ref, "--override-arch", "arm64", "--override-variant", "v8")
    amd = inspect(ref, "--override-arch", "amd64")
    assert arm["Architecture"] == "arm64" and amd["Architecture"] == "amd64"
    assert arm["Layers"] == amd["Layers"] and len(amd["Layers"]) == 1
    assert out["digest"] == inspect(ref)["Digest"]


def test_catalog_push_tree_and_label(registry, tmp_path: Path) -> None:
    ref = f"{registry.host}/quay/catalog:v1"
    result = build("catalog", "build", str(CATALOG), "--tag", ref, "--plain-http")
    assert result.exit_code == 0, result.output
    info = inspect(ref)
    assert info["Labels"] == {"operators.operatorframework.io.index.configs.v1": "/configs"}
    config = json.loads(skopeo("inspect", "--config", "--tls-verify=false", f"docker://{ref}"))
    assert "Entrypoint" not in config["config"]
    root = unpack(ref, tmp_path)
    assert tree(root / "configs") == tree(CATALOG)
    assert sorted(p.name for p in root.iterdir()) == ["configs"]


def _push_base(registry, workdir: Path) -> str:
    """A small base image written as a raw OCI layout by this test and pushed by skopeo:
    one layer holding bin/opm, config with Env and User."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("bin/opm")
        content = b"#!/bin/sh\necho opm\n"
        info.size, info.mode = len(content), 0o755
        tar.addfile(info, io.BytesIO(content))
    layer = gzip.compress(raw.getvalue(), mtime=0)
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Env": ["PATH=/bin", "HOME=/root"], "User": "1001"},
            "rootfs": {
                "type": "layers",
                "diff_ids": ["sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()],
            },
        }
    ).encode()

    def desc(media: str, data: bytes) -> dict:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        return {"mediaType": media, "digest": digest, "size": len(data)}

    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": desc("application/vnd.oci.image.config.v1+json", config),
            "layers": [desc("application/vnd.oci.image.layer.v1.tar+gzip", layer)],
        }
    ).encode()
    layout = workdir / "base-layout"
    (layout / "blobs" / "sha256").mkdir(parents=True)
    for data in (layer, config, manifest):
        (layout / "blobs" / "sha256" / hashlib.sha256(data).hexdigest()).write_bytes(data)
    entry = desc("application/vnd.oci.image.manifest.v1+json", manifest)
    entry["annotations"] = {"org.opencontainers.image.ref.name": "base"}
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [entry]}))
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    ref = f"{registry.host}/base/opm:1"
    skopeo("copy", "--dest-tls-verify=false", f"oci:{layout}:base", f"docker://{ref}")
    return ref


def test_catalog_on_base_image(registry, tmp_path: Path) -> None:
    base = _push_base(registry, tmp_path)
    ref = f"{registry.host}/quay/catalog:on-base"
    result = build(
        "catalog", "build", str(CATALOG), "--tag", ref, "--plain-http", "--base-image", base,
        "--label", "org.example/team=quay",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    base_layers = inspect(base)["Layers"]
    info = inspect(ref)
    assert info["Layers"][:1] == base_layers and len(info["Layers"]) == 2
    assert info["Labels"] == {
        "operators.operatorframework.io.index.configs.v1": "/configs",
        "org.example/team": "quay",
    }
    config = json.loads(skopeo("inspect", "--config", "--tls-verify=false", f"docker://{ref}"))
    assert config["config"]["Env"] == ["PATH=/bin", "HOME=/root"]
    assert config["config"]["User"] == "1001"
    assert config["config"]["Entrypoint"] == ["/bin/opm"]
    assert config["config"]["Cmd"] == ["serve", "/configs", "--cache-dir=/tmp/cache"]
    root = unpack(ref, tmp_path / "unpacked")
    assert (root / "bin" / "opm").read_bytes() == b"#!/bin/sh\necho opm\n"
    assert tree(root / "configs") == tree(CATALOG)


def test_base_image_without_the_platform(registry, tmp_path: Path) -> None:
    base = _push_base(registry, tmp_path)
    result = build(
        "catalog", "build", str(CATALOG), "--tag", f"{registry.host}/q/c:x", "--plain-http",
        "--base-image", base, "--platform", "linux/arm64",
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"base image {base} is linux/amd64, not linux/arm64" in result.stderr


def test_interrupted_push_tags_nothing_and_rerun_completes(
    registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = parse_reference(f"{registry.host}/quay/interrupted:v1")
    image = build_bundle_image(
        BUNDLE, [Platform.parse("linux/amd64"), Platform.parse("linux/s390x")]
    )
    options = RegistryOptions(plain_http=True)
    original = RegistryClient.put_manifest

    def fail_on_tag(self, target, data, media_type):  # type: ignore[no-untyped-def]
        if target.tag and not target.digest:
            raise RegistryError("connection lost")
        return original(self, target, data, media_type)

    with RegistryClient(options) as client:
        monkeypatch.setattr(RegistryClient, "put_manifest", fail_on_tag)
        with pytest.raises(RegistryError):
            client.push_image(ref, image)
        monkeypatch.undo()
        assert client.head_manifest(ref) is None
        assert client.push_image(ref, image) == image.digest
        assert client.resolve(ref) == image.digest
    assert inspect(str(ref))["Digest"] == image.digest


def test_chunked_upload(registry, tmp_path: Path) -> None:
    ref = parse_reference(f"{registry.host}/quay/chunked:v1")
    image = build_bundle_image(BUNDLE, [Platform.parse("linux/amd64")])
    with RegistryClient(RegistryOptions(plain_http=True, chunk_size=4096)) as client:
        client.push_image(ref, image)
    assert tree(unpack(str(ref), tmp_path)) == tree(BUNDLE)


def test_missing_manifest_is_named(registry) -> None:
    ref = parse_reference(f"{registry.host}/nothing/here:v9")
    options = RegistryOptions(plain_http=True)
    with RegistryClient(options) as client, pytest.raises(RegistryError) as error:
        client.get_manifest(ref)
    assert error.value.status == 404
    assert str(error.value).startswith(f"registry {registry.host}: GET manifest {ref}: HTTP 404")
    assert "MANIFEST_UNKNOWN" in str(error.value)


def test_unreachable_registry_bounded_retries() -> None:
    from tests.registry_helpers import free_port

    ref = parse_reference(f"127.0.0.1:{free_port()}/a/b:1")
    options = RegistryOptions(plain_http=True, retries=2, backoff=0.01)
    with RegistryClient(options) as client, pytest.raises(RegistryError) as error:
        client.get_manifest(ref)
    message = str(error.value)
    assert message.startswith(f"registry {ref.domain}: GET manifest {ref}: cannot connect:")
    assert message.endswith("(after 3 attempts)")


def _auth_file(path: Path, host: str, user: str, password: str) -> Path:
    import base64

    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    path.write_text(json.dumps({"auths": {host: {"auth": token}}}))
    return path


def test_tls_basic_auth_push(secure_registry, tmp_path: Path) -> None:
    host = secure_registry.host
    auth = _auth_file(tmp_path / "auth.json", host, secure_registry.user, secure_registry.password)
    ref = f"{host}/secure/bundle:v1"
    env = {"REGISTRY_AUTH_FILE": str(auth)}
    result = build(
        "bundle", "build", str(BUNDLE), "--tag", ref, "--ca-file", str(secure_registry.ca_file),
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    info = json.loads(
        skopeo("inspect", "--authfile", str(auth), "--cert-dir", str(tmp_path / "nocerts"),
               "--tls-verify=false", f"docker://{ref}")
    )  # fmt: skip
    assert result.stdout.strip() == f"{host}/secure/bundle@{info['Digest']}"


def test_tls_without_ca_and_without_credentials(secure_registry, tmp_path: Path) -> None:
    host = secure_registry.host
    ref = f"{host}/secure/bundle:v2"
    empty = tmp_path / "empty.json"
    empty.write_text('{"auths": {}}')
    env = {"REGISTRY_AUTH_FILE": str(empty), "HOME": str(tmp_path), "XDG_RUNTIME_DIR": ""}
    no_ca = build("bundle", "build", str(BUNDLE), "--tag", ref, env=env)
    assert no_ca.exit_code == 2
    assert f"registry {host}:" in no_ca.stderr and "CERTIFICATE_VERIFY_FAILED" in no_ca.stderr
    assert "(after 1 attempt)" in no_ca.stderr
    ca = str(secure_registry.ca_file)
    anonymous = build("bundle", "build", str(BUNDLE), "--tag", ref, "--ca-file", ca, env=env)
    assert anonymous.exit_code == 2
    assert f"registry {host}: " in anonymous.stderr
    assert "HTTP 401 Unauthorized: no credentials for" in anonymous.stderr
    assert str(empty) in anonymous.stderr
    wrong = _auth_file(tmp_path / "wrong.json", host, secure_registry.user, "not-the-password")
    env["REGISTRY_AUTH_FILE"] = str(wrong)
    refused = build("bundle", "build", str(BUNDLE), "--tag", ref, "--ca-file", ca, env=env)
    assert refused.exit_code == 2
    assert f"HTTP 401 Unauthorized: the credentials from {wrong} were refused" in refused.stderr
    assert "not-the-password" not in refused.output
    insecure = build(
        "bundle", "build", str(BUNDLE), "--tag", ref, "--tls-verify=false",
        env={**env, "REGISTRY_AUTH_FILE": str(tmp_path / "auth.json")},
    )  # fmt: skip
    assert insecure.exit_code == 2 and "no credentials for" in insecure.stderr


def test_rebuilt_bundle_in_other_directory_pushes_same_digest(registry, tmp_path: Path) -> None:
    copy = copy_writable(BUNDLE, tmp_path / "elsewhere" / "bundle")
    ref = f"{registry.host}/quay/quay-bundle:copy"
    result = build("bundle", "build", str(copy), "--tag", ref, "--plain-http")
    first = build("bundle", "build", str(BUNDLE), "--tag", ref, "--plain-http")
    assert result.stdout.split("@")[1] == first.stdout.split("@")[1]
    shutil.rmtree(copy)


def _catalog_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_render_image_ref_as_from_directory(registry, tmp_path: Path) -> None:
    ref = f"{registry.host}/quay/render-bundle:v1"
    pushed = build("bundle", "build", str(BUNDLE), "--tag", ref, "--plain-http")
    assert pushed.exit_code == 0, pushed.output
    from_image, from_dir = tmp_path / "from-image", tmp_path / "from-dir"
    result = build("catalog", "render", ref, "--plain-http", "--catalog", str(from_image))
    assert result.exit_code == 0, result.output
    result = build("catalog", "render", str(BUNDLE), "--image", ref, "--catalog", str(from_dir))
    assert result.exit_code == 0, result.output
    assert _catalog_files(from_image) == _catalog_files(from_dir)
    assert f"image: {ref}\n" in (from_image / "project-quay" / "catalog.yaml").read_text()


@pytest.mark.parametrize("source", ["image", "directory"])
def test_render_pin_digest(registry, tmp_path: Path, source: str) -> None:
    ref = f"{registry.host}/quay/pinned-bundle:v1"
    pushed = build(
        "bundle", "build", str(BUNDLE), "--tag", ref, "--plain-http",
        "--platform", "linux/amd64", "--platform", "linux/arm64",
    )  # fmt: skip
    assert pushed.exit_code == 0, pushed.output
    digest = inspect(ref)["Digest"]
    args = [ref] if source == "image" else [str(BUNDLE), "--image", ref]
    catalog = tmp_path / "catalog"
    result = build(
        "catalog", "render", *args, "--pin-digest", "--plain-http", "--catalog", str(catalog)
    )
    assert result.exit_code == 0, result.output
    text = (catalog / "project-quay" / "catalog.yaml").read_text()
    assert f"image: {registry.host}/quay/pinned-bundle@{digest}\n" in text
    assert ":v1" not in text


def test_render_refuses_an_image_that_is_no_bundle(registry, tmp_path: Path) -> None:
    ref = f"{registry.host}/quay/not-a-bundle:v1"
    built = build("catalog", "build", str(CATALOG), "--tag", ref, "--plain-http")
    assert built.exit_code == 0, built.output
    result = build("catalog", "render", ref, "--plain-http", "--catalog", str(tmp_path / "c"))
    assert result.exit_code == 2
    no_label = (
        f"bundle image {ref}: no operators.operatorframework.io.bundle.package.v1 label; "
        "is it a bundle image?"
    )
    assert no_label in result.stderr
    template = tmp_path / "template.yaml"
    template.write_text(f"schema: olm.semver\nstable:\n  bundles:\n  - image: {ref}\n")
    rendered = build("catalog", "template", str(template), "--plain-http")
    assert rendered.exit_code == 2
    assert f'{template}:4:12: error: cannot render bundle image "{ref}": {no_label}' in (
        rendered.stderr
    )
    labelled = f"{registry.host}/quay/labelled-catalog:v1"
    package_label = "--label=operators.operatorframework.io.bundle.package.v1=demo"
    built = build(
        "catalog", "build", str(CATALOG), "--tag", labelled, package_label, "--plain-http"
    )
    assert built.exit_code == 0, built.output
    result = build("catalog", "render", labelled, "--plain-http", "--catalog", str(tmp_path / "c"))
    assert result.exit_code == 2
    assert f"bundle image {labelled}: no manifests/ directory" in result.stderr
    missing = build(
        "catalog", "render", f"{registry.host}/quay/absent:v1", "--plain-http",
        "--catalog", str(tmp_path / "c"),
    )  # fmt: skip
    assert missing.exit_code == 2
    assert f"registry {registry.host}: GET manifest" in missing.stderr
    assert "HTTP 404" in missing.stderr
    assert not (tmp_path / "c").exists()


def _tagged_bundle(registry, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A copy of bundle/ whose images are tags in the local registry (each pushed, the
    operator image as a two-platform index); returns the bundle, its CSV and the refs."""
    import re

    from bundle_tools.images.build import build_catalog_image

    bundle = copy_writable(BUNDLE, tmp_path / "bundle")
    csv = next((bundle / "manifests").glob("*clusterserviceversion*"))
    pattern = re.compile(r"quay\.io/([a-z0-9/._-]+)@sha256:[0-9a-f]{64}")
    text = pattern.sub(lambda m: f"{registry.host}/{m[1]}:v1", csv.read_text())
    csv.write_text(text)
    refs = sorted(set(re.findall(rf"{re.escape(registry.host)}/[a-z0-9/._-]+:v1", text)))
    with RegistryClient(RegistryOptions(plain_http=True)) as client:
        for ref in refs:
            content = tmp_path / "content" / ref.replace("/", "_")
            content.mkdir(parents=True)
            (content / "name").write_text(ref)
            platforms = [Platform.parse("linux/amd64")]
            if "quay-operator" in ref:
                platforms.append(Platform.parse("linux/arm64"))
            client.push_image(parse_reference(ref), build_catalog_image(content, platforms))
    return bundle, csv, refs


def test_patch_csv_pin_digests(registry, tmp_path: Path) -> None:
    bundle, csv, refs = _tagged_bundle(registry, tmp_path)
    tagged = csv.read_text()
    expected = tagged
    for ref in refs:
        digest = inspect(ref)["Digest"]
        expected = expected.replace(ref, ref.removesuffix(":v1") + "@" + digest)
    operator = next(r for r in refs if r.endswith("/quay-operator:v1"))
    raw = json.loads(skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{operator}"))
    assert raw["mediaType"] == "application/vnd.oci.image.index.v1+json"
    args = ["patch-csv", str(bundle), "--no-token-auth", "--pin-digests", "--plain-http"]
    result = build(*args)
    assert result.exit_code == 0, result.output
    assert csv.read_text() == expected
    assert build(*args, "--check").exit_code == 0


def test_patch_csv_pin_digests_adds_related_images_and_refuses_unknown(
    registry, tmp_path: Path
) -> None:
    bundle, csv, refs = _tagged_bundle(registry, tmp_path)
    text = csv.read_text()
    start = text.index("  relatedImages:")
    end = text.index("\n", text.index("redis-7", start)) + 1
    csv.write_text(text[:start] + "  relatedImages: []\n" + text[end:])
    args = ["patch-csv", str(bundle), "--no-token-auth", "--pin-digests", "--plain-http"]
    result = build(*args, "-o", "json")
    assert result.exit_code == 0, result.output
    added = {
        change["new"]["name"]: change["new"]["image"]
        for change in json.loads(result.stdout)["changes"]
        if change["pointer"].startswith("/spec/relatedImages/")
    }
    operator = next(r for r in refs if r.endswith("/quay-operator:v1"))
    digest = inspect(operator)["Digest"]
    assert added["quay-operator"] == operator.removesuffix(":v1") + "@" + digest
    assert sorted(added) == [
        "component_builder",
        "component_clair",
        "component_postgres",
        "component_quay",
        "component_redis",
        "quay-operator",
    ]
    broken = csv.read_text().replace(added["component_redis"], f"{registry.host}/nowhere/redis:v9")
    csv.write_text(broken)
    line = broken[: broken.index("nowhere/redis")].count("\n") + 1
    failed = build(*args)
    assert failed.exit_code == 2
    assert f"{csv}:{line}:" in failed.stderr
    assert f"cannot pin '{registry.host}/nowhere/redis:v9'" in failed.stderr
    assert "HTTP 404" in failed.stderr
    assert csv.read_text() == broken
