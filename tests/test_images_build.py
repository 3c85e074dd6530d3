"""Image building without a registry: reproducible layers and digests, refused inputs,
OCI layout and archive outputs (read back with skopeo), CLI errors."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.errors import InputError, UsageError
from bundle_tools.images.build import build_bundle_image, build_catalog_image
from bundle_tools.images.layer import build_layer, collect_tree
from bundle_tools.images.oci import Platform
from tests.conftest import REPO, copy_writable
from tests.registry_helpers import skopeo, tree

runner = CliRunner()
BUNDLE = REPO / "bundle"
AMD64 = [Platform.parse("linux/amd64")]


def _layer_members(data: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tar:
        return tar.getmembers()


def test_same_input_other_directory_other_times_same_digest(tmp_path: Path) -> None:
    first = copy_writable(BUNDLE, tmp_path / "one" / "bundle")
    second = copy_writable(BUNDLE, tmp_path / "two" / "deeper" / "b")
    for path in second.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
        if path.is_file():
            path.chmod(0o600)
    (first / "manifests").chmod(0o700)
    assert build_bundle_image(first, AMD64).digest == build_bundle_image(second, AMD64).digest


def test_source_date_epoch_sets_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = build_bundle_image(BUNDLE, AMD64)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    stamped = build_bundle_image(BUNDLE, AMD64)
    assert stamped.digest != plain.digest
    config = next(
        json.loads(data) for data in stamped.blobs.values() if data.startswith(b'{"created"')
    )
    assert config["created"] == "2023-11-14T22:13:20Z"
    layer = next(data for data in stamped.blobs.values() if data[:2] == b"\x1f\x8b")
    assert {m.mtime for m in _layer_members(layer)} == {1_700_000_000}
    for bad in ("yesterday", "-1", "1.5", "\u00b2", "\u0661\u0662"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", bad)
        with pytest.raises(InputError, match="SOURCE_DATE_EPOCH must be a non-negative integer"):
            build_bundle_image(BUNDLE, AMD64)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")
    last = build_bundle_image(BUNDLE, AMD64)
    config = next(json.loads(data) for data in last.blobs.values() if data.startswith(b'{"cr'))
    assert config["created"] == "9999-12-31T23:59:59Z"
    for late in ("253402300800", "9" * 4000):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", late)
        with pytest.raises(InputError, match=r"is after 9999-12-31T23:59:59Z \(253402300799\)"):
            build_bundle_image(BUNDLE, AMD64)


def test_layer_entries_sorted_owned_by_root_modes_normalised(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "b").mkdir(parents=True)
    (root / "a-b").write_text("x")
    (root / "b" / "run.sh").write_text("#!/bin/sh\n")
    (root / "b" / "run.sh").chmod(0o700)
    (root / "b" / "secret").write_text("s")
    (root / "b" / "secret").chmod(0o600)
    layer = build_layer(collect_tree(root, "configs"), mtime=0)
    members = _layer_members(layer.data)
    assert [(m.name, m.mode, m.type) for m in members] == [
        ("configs", 0o755, tarfile.DIRTYPE),
        ("configs/a-b", 0o644, tarfile.REGTYPE),
        ("configs/b", 0o755, tarfile.DIRTYPE),
        ("configs/b/run.sh", 0o755, tarfile.REGTYPE),
        ("configs/b/secret", 0o644, tarfile.REGTYPE),
    ]
    assert {(m.uid, m.gid, m.uname, m.gname, m.mtime) for m in members} == {(0, 0, "", "", 0)}
    header = layer.data[:10]
    assert header[3] == 0 and header[4:8] == b"\0\0\0\0"  # no FNAME flag, mtime 0


def test_symlink_inside_is_copied_outside_is_refused(tmp_path: Path) -> None:
    bundle = copy_writable(BUNDLE, tmp_path / "bundle")
    csv = next((bundle / "manifests").glob("*clusterserviceversion*"))
    (bundle / "manifests" / "link.yaml").symlink_to(csv.name)
    image = build_bundle_image(bundle, AMD64, None)
    layer = next(data for data in image.blobs.values() if data[:2] == b"\x1f\x8b")
    names = {m.name: m for m in _layer_members(layer)}
    assert names["manifests/link.yaml"].isfile()
    assert names["manifests/link.yaml"].size == csv.stat().st_size
    outside = tmp_path / "secret.yaml"
    outside.write_text("password: x\n")
    (bundle / "manifests" / "leak.yaml").symlink_to(outside)
    with pytest.raises(InputError) as error:
        build_bundle_image(bundle, AMD64)
    assert str(error.value).startswith(f"{bundle / 'manifests' / 'leak.yaml'}: error: symbolic")
    assert "outside" in str(error.value)


@pytest.mark.parametrize(
    ("link", "copied"),
    [
        ("manifests", "manifests"),
        ("metadata", "metadata"),
        ("tests", "tests/scorecard"),
        ("tests/scorecard", "tests/scorecard"),
    ],
)
def test_copied_directory_linked_out_of_the_bundle_is_refused(
    tmp_path: Path, link: str, copied: str
) -> None:
    bundle = copy_writable(BUNDLE, tmp_path / "bundle")
    outside = copy_writable(BUNDLE, tmp_path / "elsewhere")
    (outside / "tests" / "scorecard").mkdir(parents=True)
    (outside / "tests" / "scorecard" / "secret.txt").write_text("password: x\n")
    target = outside / link
    if (bundle / link).exists():
        shutil.rmtree(bundle / link)
    (bundle / link).parent.mkdir(parents=True, exist_ok=True)
    (bundle / link).symlink_to(target)
    with pytest.raises(InputError) as error:
        build_bundle_image(bundle, AMD64)
    assert error.value.path == str(bundle / copied)
    assert f"symbolic link to {(outside / copied).resolve()}, outside {bundle}" in str(error.value)


def test_copied_directory_linked_inside_the_bundle_is_copied(tmp_path: Path) -> None:
    bundle = copy_writable(BUNDLE, tmp_path / "bundle")
    (bundle / "manifests").rename(bundle / "real-manifests")
    (bundle / "manifests").symlink_to("real-manifests")
    plain = build_bundle_image(copy_writable(BUNDLE, tmp_path / "plain"), AMD64)
    assert build_bundle_image(bundle, AMD64).digest == plain.digest


def test_special_and_unreadable_files_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    os.mkfifo(catalog / "pipe")
    with pytest.raises(InputError, match=r"pipe: error: special file"):
        build_catalog_image(catalog, AMD64)
    (catalog / "pipe").unlink()
    (catalog / "a.json").write_text("{}")

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(InputError, match=r"a\.json: error: cannot read file: Permission denied"):
        build_catalog_image(catalog, AMD64)


def test_platforms_and_tags_are_checked() -> None:
    with pytest.raises(UsageError, match="invalid --platform 'linux'"):
        Platform.parse("linux")
    with pytest.raises(UsageError, match="given twice"):
        build_bundle_image(BUNDLE, AMD64 * 2)


def test_oci_layout_and_archive_read_by_skopeo(tmp_path: Path) -> None:
    layout, archive = tmp_path / "layout", tmp_path / "bundle.tar"
    result = runner.invoke(
        app,
        ["bundle", "build", str(BUNDLE), "--tag", "quay.io/org/bundle:v1", "-o", "json",
         "--oci-layout", str(layout), "--oci-archive", str(archive)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["reference"] == f"quay.io/org/bundle@{out['digest']}"
    from_layout = json.loads(skopeo("inspect", f"oci:{layout}:v1"))
    from_archive = json.loads(skopeo("inspect", f"oci-archive:{archive}"))
    assert from_layout["Digest"] == from_archive["Digest"] == out["digest"]
    assert from_layout["Labels"]["operators.operatorframework.io.bundle.package.v1"] == (
        "project-quay"
    )
    copied = tmp_path / "copied"
    skopeo("copy", f"oci:{layout}:v1", f"dir:{copied}")
    manifest = json.loads((copied / "manifest.json").read_text())
    root = tmp_path / "root"
    blob = (copied / manifest["layers"][0]["digest"].split(":")[1]).read_bytes()
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob))) as tar:
        tar.extractall(root, filter="tar")
    assert tree(root) == tree(BUNDLE)
    again = runner.invoke(
        app, ["bundle", "build", str(BUNDLE), "--tag", "quay.io/org/bundle:v2",
              "--oci-layout", str(layout), "--oci-archive", str(archive)],
    )  # fmt: skip
    assert again.exit_code == 0
    refs = [m["annotations"]["org.opencontainers.image.ref.name"]
            for m in json.loads((layout / "index.json").read_text())["manifests"]]  # fmt: skip
    assert refs == ["v1", "v2"]


def _invalid_bundle(tmp_path: Path) -> Path:
    bundle = copy_writable(BUNDLE, tmp_path / "bundle")
    path = bundle / "metadata" / "annotations.yaml"
    text = path.read_text().replace("registry+v1", "helm")
    path.write_text(text)
    return bundle


def test_bundle_with_errors_is_refused_unless_no_validate(tmp_path: Path) -> None:
    bundle = _invalid_bundle(tmp_path)
    layout = tmp_path / "layout"
    args = ["bundle", "build", str(bundle), "--tag", "q.io/a/b:1", "--oci-layout", str(layout)]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    assert "BND003" in refused.stderr and "--no-validate" in refused.stderr
    assert not layout.exists()
    built = runner.invoke(app, [*args, "--no-validate"])
    assert built.exit_code == 0, built.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bundle", "build", "missing-dir", "--tag", "q.io/a/b:1"],
         "missing-dir: error: no such file or directory"),
        (["bundle", "build", str(BUNDLE), "--tag", "Q.io/A/b:1"],
         "error: invalid --tag 'Q.io/A/b:1': repository name must be lowercase"),
        (["bundle", "build", str(BUNDLE), "--tag", "q.io/a/b@sha256:" + "a" * 64],
         "holds a digest"),
        (["bundle", "build", str(BUNDLE), "--tag", "q.io/a/b:1", "--tls-verify", "maybe"],
         "--tls-verify takes true or false"),
        (["catalog", "render", "mistyped", "--catalog", "c"],
         "mistyped: error: no such file or directory"),
        (["catalog", "render", "./gone/bundle", "--catalog", "c"],
         "./gone/bundle: error: no such file or directory"),
        (["catalog", "render", "Gone/Bundle", "--catalog", "c"],
         "Gone/Bundle: error: no such file or directory"),
        (["catalog", "render", str(BUNDLE), "--catalog", "c"],
         "--image is needed when BUNDLE is a directory"),
        (["bundle", "build", str(BUNDLE), "--tag", "q.io/a/b:1", "--oci-layout", str(BUNDLE)],
         "--oci-layout directory is not empty and not an OCI image layout"),
        (["bundle", "build", str(BUNDLE), "--tag", "q.io/a/b:1",
          "--oci-archive", str(BUNDLE / "metadata" / "annotations.yaml")],
         "--oci-archive file exists and is not an OCI archive"),
        (["catalog", "build", "no-catalog", "--tag", "q.io/a/b:1"],
         "no-catalog: error: no such file or directory"),
        (["catalog", "build", str(BUNDLE / "metadata" / "annotations.yaml"), "--tag", "q.io/a/b:1"],
         "annotations.yaml: error: not a catalog directory"),
        (["catalog", "build", str(REPO / "catalog"), "--tag", "q.io/a/c:1", "--label", "x"],
         "invalid --label item 'x'"),
    ],
)  # fmt: skip
def test_bad_input_exits_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_bundle_yaml_error_has_position(tmp_path: Path) -> None:
    bundle = copy_writable(BUNDLE, tmp_path / "bundle")
    (bundle / "metadata" / "annotations.yaml").write_text("annotations:\n  a: [\n")
    result = runner.invoke(
        app, ["bundle", "build", str(bundle), "--tag", "q.io/a/b:1", "--no-validate",
              "--oci-layout", str(tmp_path / "l")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"{bundle / 'metadata' / 'annotations.yaml'}:3:1: error:" in result.stderr


def test_catalog_with_errors_is_refused(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "c.json").write_text(
        '{"schema": "olm.package", "name": "p", "defaultChannel": "missing"}'
    )
    result = runner.invoke(
        app, ["catalog", "build", str(catalog), "--tag", "q.io/a/c:1",
              "--oci-layout", str(tmp_path / "l")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "--no-validate" in result.stderr


def test_install_manifests_extract_content() -> None:
    import yaml

    args = ["catalog", "install-manifests", "--catalog-image", "q.io/a/c@sha256:" + "a" * 64,
            "--package", "quay", "--channel", "stable"]  # fmt: skip
    plain = list(yaml.safe_load_all(runner.invoke(app, args).stdout))
    extracted = list(yaml.safe_load_all(runner.invoke(app, [*args, "--extract-content"]).stdout))
    assert "grpcPodConfig" not in plain[0]["spec"]
    assert extracted[0]["spec"]["grpcPodConfig"] == {"extractContent": {"catalogDir": "/configs"}}
    assert extracted[1:] == plain[1:]


def test_scorecard_tests_go_in_other_files_do_not(tmp_path: Path) -> None:
    bundle = copy_writable(BUNDLE, tmp_path / "bundle")
    (bundle / "tests" / "scorecard").mkdir(parents=True)
    (bundle / "tests" / "scorecard" / "config.yaml").write_text("kind: Configuration\n")
    (bundle / "tests" / "other.txt").write_text("not in the image")
    (bundle / "bundle.Dockerfile").write_text("FROM scratch\n")
    image = build_bundle_image(bundle, AMD64, {"org.example/team": "quay"})
    layer = next(data for data in image.blobs.values() if data[:2] == b"\x1f\x8b")
    names = [m.name for m in _layer_members(layer)]
    assert {n.split("/")[0] for n in names} == {"manifests", "metadata", "tests"}
    assert [n for n in names if n.startswith("tests")] == [
        "tests",
        "tests/scorecard",
        "tests/scorecard/config.yaml",
    ]
    config = next(json.loads(d) for d in image.blobs.values() if d.startswith(b'{"created"'))
    assert config["config"]["Labels"]["org.example/team"] == "quay"
    assert config["config"]["Labels"]["operators.operatorframework.io.bundle.mediatype.v1"] == (
        "registry+v1"
    )
