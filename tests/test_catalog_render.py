"""``catalog render``: opm-equivalent olm.bundle content, channel entries, idempotent
re-rendering, deterministic output, and the corpus upgrade chains."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.errors import InputError, UsageError
from bundle_tools.fbc.check import check_catalog
from bundle_tools.fbc.graph import heads
from bundle_tools.fbc.load import load_catalog, load_file
from bundle_tools.fbc.model import Catalog
from bundle_tools.fbc.render import add_to_catalog, render_bundle
from bundle_tools.fbc.write import dump_yaml

from .conftest import copy_writable, shared_path

runner = CliRunner()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A small bundle: CSV with an owned and a required CRD, an owned CRD manifest with
    two versions, a Service, annotations, dependencies and properties files."""
    root = tmp_path / "bundle"
    write(
        root / "manifests" / "widget.clusterserviceversion.yaml",
        """apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata:
  name: widget.v1.1.0
  annotations:
    olm.skipRange: '>=1.0.0 <1.1.0'
    description: "a <b> & c"
  labels:
    tier: backend
spec:
  version: 1.1.0
  replaces: widget.v1.0.0
  skips: [widget.v1.0.1]
  displayName: Widget
  customresourcedefinitions:
    owned:
    - name: widgets.example.com
      version: v1
      kind: Widget
    required:
    - name: gadgets.other.io
      version: v1beta1
      kind: Gadget
  installModes:
  - type: AllNamespaces
    supported: true
  relatedImages:
  - name: operand
    image: quay.io/example/operand:1.1.0
  install:
    strategy: deployment
    spec:
      deployments:
      - name: widget
        spec:
          template:
            spec:
              initContainers:
              - name: init
                image: quay.io/example/init:1.1.0
              containers:
              - name: manager
                image: quay.io/example/widget:1.1.0
              - name: operand
                image: quay.io/example/operand:1.1.0
""",
    )
    write(
        root / "manifests" / "widgets.crd.yaml",
        """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  versions: [{name: v1}, {name: v1alpha1}]
---
kind: Ignored
""",
    )
    write(
        root / "manifests" / "service.json",
        '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "widget"}}',
    )
    write(root / "manifests" / ".hidden.yaml", "kind: Secret\n")
    write(root / "manifests" / "notes.txt", "just some text\n")
    write(
        root / "metadata" / "annotations.yaml",
        """annotations:
  operators.operatorframework.io.bundle.package.v1: widget
  operators.operatorframework.io.bundle.channels.v1: stable,fast
  operators.operatorframework.io.bundle.channel.default.v1: stable
""",
    )
    write(
        root / "metadata" / "deps.yaml",
        """dependencies:
- type: olm.package
  value: {packageName: base, version: ">=1.0.0"}
- type: olm.gvk
  value: {group: db.io, kind: Db, version: v1}
""",
    )
    write(
        root / "metadata" / "properties.yaml",
        "properties:\n- type: olm.maxOpenShiftVersion\n  value: '4.18'\n",
    )
    return root


def test_render_bundle_properties_and_related_images(bundle: Path) -> None:
    rendered = render_bundle(bundle, "quay.io/example/widget-bundle:1.1.0")
    blob = rendered.blob
    assert (blob["schema"], blob["name"], blob["package"], blob["image"]) == (
        "olm.bundle",
        "widget.v1.1.0",
        "widget",
        "quay.io/example/widget-bundle:1.1.0",
    )
    assert [(p["type"], p["value"]) for p in blob["properties"][:-1]] == [
        ("olm.gvk", {"group": "example.com", "kind": "Widget", "version": "v1"}),
        ("olm.gvk", {"group": "example.com", "kind": "Widget", "version": "v1alpha1"}),
        ("olm.gvk.required", {"group": "db.io", "kind": "Db", "version": "v1"}),
        ("olm.gvk.required", {"group": "other.io", "kind": "Gadget", "version": "v1beta1"}),
        ("olm.maxOpenShiftVersion", "4.18"),
        ("olm.package", {"packageName": "widget", "version": "1.1.0"}),
        ("olm.package.required", {"packageName": "base", "versionRange": ">=1.0.0"}),
    ]
    metadata = blob["properties"][-1]
    assert metadata["type"] == "olm.csv.metadata"
    assert list(metadata["value"]) == [
        "annotations",
        "apiServiceDefinitions",
        "crdDescriptions",
        "displayName",
        "installModes",
        "labels",
        "provider",
    ]
    assert metadata["value"]["apiServiceDefinitions"] == {}
    assert metadata["value"]["provider"] == {}
    assert metadata["value"]["labels"] == {"tier": "backend"}
    assert metadata["value"]["crdDescriptions"]["owned"] == [
        {"name": "widgets.example.com", "version": "v1", "kind": "Widget"}
    ]
    assert blob["relatedImages"] == [
        {"name": "", "image": "quay.io/example/init:1.1.0"},
        {"name": "operand", "image": "quay.io/example/operand:1.1.0"},
        {"name": "", "image": "quay.io/example/widget-bundle:1.1.0"},
        {"name": "", "image": "quay.io/example/widget:1.1.0"},
    ]
    assert rendered.entry == {
        "name": "widget.v1.1.0",
        "replaces": "widget.v1.0.0",
        "skips": ["widget.v1.0.1"],
        "skipRange": ">=1.0.0 <1.1.0",
    }
    assert (rendered.channels, rendered.default_channel) == (("stable", "fast"), "stable")


def test_render_objects_are_go_json_base64(bundle: Path) -> None:
    blob = render_bundle(bundle, "quay.io/example/widget-bundle:1.1.0", "objects").blob
    objects = [p["value"]["data"] for p in blob["properties"] if p["type"] == "olm.bundle.object"]
    assert objects == sorted(objects)
    decoded = [base64.b64decode(d).decode() for d in objects]
    assert '{"apiVersion":"v1","kind":"Service","metadata":{"name":"widget"}}' in decoded
    csv = next(d for d in decoded if "ClusterServiceVersion" in d)
    assert '"description":"a \\u003cb\\u003e \\u0026 c"' in csv
    assert '"olm.skipRange":"\\u003e=1.0.0 \\u003c1.1.0"' in csv
    assert len(decoded) == 3
    assert not any(p["type"] == "olm.csv.metadata" for p in blob["properties"])


def test_render_objects_in_file_order_as_opm_v1_26_5(bundle: Path) -> None:
    """``files``: the manifests in file name order, the CSV at its file's place (opm
    v1.26.5 ``renderBundleObjects``); a second CSV is no object in either order (opm's
    ``addManifests`` keeps only the first); ``sorted`` stays the default."""
    (bundle / "manifests" / "zz-second.clusterserviceversion.yaml").write_text(
        "apiVersion: operators.coreos.com/v1alpha1\nkind: ClusterServiceVersion\n"
        "metadata: {name: widget.v9.9.9}\nspec: {version: 9.9.9}\n"
    )

    def kinds(order: str) -> list[str]:
        blob = render_bundle(bundle, "quay.io/x/widget-bundle:1", "objects", order).blob  # type: ignore[arg-type]
        data = [p["value"]["data"] for p in blob["properties"] if p["type"] == "olm.bundle.object"]
        objects = [json.loads(base64.b64decode(d)) for d in data]
        return [f"{o['kind']}/{o['metadata']['name']}" for o in objects]

    assert kinds("files") == [
        "Service/widget",
        "ClusterServiceVersion/widget.v1.1.0",
        "CustomResourceDefinition/widgets.example.com",
    ]
    assert sorted(kinds("sorted")) == sorted(kinds("files"))
    assert kinds("sorted") != kinds("files")
    assert render_bundle(bundle, "quay.io/x/widget-bundle:1", "objects").blob == (
        render_bundle(bundle, "quay.io/x/widget-bundle:1", "objects", "sorted").blob
    )


def test_related_images_with_one_image_under_two_names_keep_csv_order(bundle: Path) -> None:
    """opm sorts relatedImages by image alone (``sort.Slice``; stable for short lists):
    ``z-first`` stays before ``operand`` as the CSV lists them (gitlab-runner-operator
    1.26.2 and appdynamics-operator 26.7.0-1390 render so with opm v1.26.5)."""
    csv = bundle / "manifests" / "widget.clusterserviceversion.yaml"
    csv.write_text(
        csv.read_text().replace(
            "  - name: operand\n    image: quay.io/example/operand:1.1.0\n",
            "  - name: z-first\n    image: quay.io/example/operand:1.1.0\n"
            "  - name: operand\n    image: quay.io/example/operand:1.1.0\n",
        )
    )
    images = render_bundle(bundle, "quay.io/example/widget-bundle:1.1.0").blob["relatedImages"]
    assert [(r["name"], r["image"].rsplit("/", 1)[1]) for r in images] == [
        ("", "init:1.1.0"),
        ("z-first", "operand:1.1.0"),
        ("operand", "operand:1.1.0"),
        ("", "widget-bundle:1.1.0"),
        ("", "widget:1.1.0"),
    ]


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("widget.clusterserviceversion.yaml", "      version: v1\n", "      version: [v1]\n"),
        ("widget.clusterserviceversion.yaml", "      version: v1\n", "      version: {v: 1}\n"),
        ("widgets.crd.yaml", "[{name: v1}, {name: v1alpha1}]", "[{name: [v1]}, {name: v1alpha1}]"),
    ],
)
def test_render_an_api_part_that_is_no_string_is_no_owned_crd(
    bundle: Path, file: str, old: str, new: str
) -> None:
    """A list or mapping as an owned CRD's or a CRD manifest's version crashed the
    owned-CRD check (unhashable list, found by a hostile-value sweep): exit 2 naming it."""
    path = bundle / "manifests" / file
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))
    result = runner.invoke(
        app, ["catalog", "render", str(bundle), "--image", "quay.io/x/y:1", "--catalog", "c"]
    )
    assert result.exit_code == 2, result.exception
    assert "couldn't find owned CRD example.com/" in result.stderr
    assert "widget.clusterserviceversion.yaml" in result.stderr


def test_render_rejects_missing_owned_crd(bundle: Path) -> None:
    (bundle / "manifests" / "widgets.crd.yaml").unlink()
    result = runner.invoke(
        app, ["catalog", "render", str(bundle), "--image", "quay.io/x/y:1", "--catalog", "c"]
    )
    assert result.exit_code == 2
    assert "couldn't find owned CRD example.com/v1/Widget (widgets) in bundle" in result.stderr
    assert "widget.clusterserviceversion.yaml" in result.stderr


def test_render_rejects_bad_image(bundle: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["catalog", "render", str(bundle), "--image", "Quay.io/X/Y:1", "--catalog", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "repository name must be lowercase" in result.stderr


def test_render_twice_replaces_and_is_deterministic(bundle: Path, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    args = ["catalog", "render", str(bundle), "--catalog", str(catalog)]
    first = runner.invoke(app, [*args, "--image", "quay.io/example/widget-bundle:1.1.0"])
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        f"{catalog / 'widget' / 'catalog.yaml'}: added widget.v1.1.0 in channels stable, fast\n"
        "1 checked, 0 errors, 0 warnings, 0 infos: passed\n"
    )
    path = catalog / "widget" / "catalog.yaml"
    text = path.read_text()
    again = runner.invoke(app, [*args, "--image", "quay.io/example/widget-bundle:1.1.0"])
    assert (again.exit_code, again.stdout) == (0, f"{path}: unchanged\n")
    assert path.read_text() == text
    changed = runner.invoke(app, [*args, "--image", "quay.io/example/widget-bundle:1.1.1"])
    assert changed.exit_code == 0
    docs = list(yaml.safe_load_all(path.read_text()))
    assert [(d["schema"], d["name"]) for d in docs] == [
        ("olm.package", "widget"),
        ("olm.channel", "fast"),
        ("olm.channel", "stable"),
        ("olm.bundle", "widget.v1.1.0"),
    ]
    assert docs[0]["defaultChannel"] == "stable"
    assert docs[2]["entries"] == [
        {
            "name": "widget.v1.1.0",
            "replaces": "widget.v1.0.0",
            "skips": ["widget.v1.0.1"],
            "skipRange": ">=1.0.0 <1.1.0",
        }
    ]
    assert docs[3]["image"] == "quay.io/example/widget-bundle:1.1.1"
    assert text.startswith("---\ndefaultChannel: stable\nname: widget\nschema: olm.package\n---\n")


def test_render_json_format(bundle: Path, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    rendered = render_bundle(bundle, "quay.io/example/widget-bundle:1.1.0")
    result = add_to_catalog(rendered, catalog, channels=["stable"], fmt="json")
    text = result.path.read_text()
    assert text.startswith('{\n    "schema": "olm.package",\n    "name": "widget",\n')
    blobs = [b.data for b in load_catalog(catalog)]
    assert [list(b)[:3] for b in blobs] == [
        ["schema", "name", "defaultChannel"],
        ["schema", "name", "package"],
        ["schema", "name", "package"],
    ]
    assert list(blobs[2]) == ["schema", "name", "package", "image", "properties", "relatedImages"]
    with pytest.raises(UsageError, match="render with --format json"):
        add_to_catalog(rendered, catalog, fmt="yaml")


def test_render_default_channel_option(bundle: Path, tmp_path: Path) -> None:
    rendered = render_bundle(bundle, "quay.io/example/widget-bundle:1.1.0")
    add_to_catalog(rendered, tmp_path / "catalog")
    add_to_catalog(rendered, tmp_path / "catalog", default_channel="fast")
    package = yaml.safe_load_all((tmp_path / "catalog" / "widget" / "catalog.yaml").read_text())
    assert next(package)["defaultChannel"] == "fast"


#: Faults of the corpus bundles themselves, by package: (rule, bundle named in message).
BUNDLE_FAULTS = {
    "pelorus-operator": [],
    "automotive-infra": [],
    "quay-operator": [],
    "dynatrace-operator": [("FBC026", 'bundle "dynatrace-operator.v0.10.2"', "<=v0.10.1")],
}


@pytest.mark.parametrize("package", sorted(BUNDLE_FAULTS))
def test_corpus_upgrade_chains(tmp_path: Path, package: str) -> None:
    root = shared_path("corpus", "bundles", package)
    versions = sorted(
        (p for p in root.iterdir() if p.is_dir()),
        key=lambda p: [int(x) if x.isdigit() else x for x in p.name.replace("-", ".").split(".")],
    )
    for version in versions:
        rendered = render_bundle(version, f"quay.io/example/{package}-bundle:v{version.name}")
        add_to_catalog(rendered, tmp_path)
    catalog = Catalog.from_blobs(load_catalog(tmp_path))
    for channel in catalog.channels:
        assert len(heads(channel.entries)) == 1, (channel.package, channel.name)
    errors = [f for f in check_catalog(tmp_path).findings if f.severity >= 2]
    expected = BUNDLE_FAULTS[package]
    assert [f.rule for f in errors] == [rule for rule, _, _ in expected]
    for finding, (_, bundle_name, value) in zip(errors, expected, strict=True):
        assert bundle_name in finding.message and value in finding.message
    assert len(catalog.bundles) == len(versions)


def test_pelorus_chain_graph(tmp_path: Path) -> None:
    root = shared_path("corpus", "bundles", "pelorus-operator")
    for version in sorted(root.iterdir()):
        add_to_catalog(render_bundle(version, f"quay.io/example/p:{version.name}"), tmp_path)
    catalog = Catalog.from_blobs(load_catalog(tmp_path))
    (channel,) = catalog.channels
    assert heads(channel.entries) == ["pelorus-operator.v0.0.5"]
    assert [(e.name, e.replaces) for e in channel.entries] == [
        ("pelorus-operator.v0.0.1", None),
        ("pelorus-operator.v0.0.2", "pelorus-operator.v0.0.1"),
        ("pelorus-operator.v0.0.3", "pelorus-operator.v0.0.2"),
        ("pelorus-operator.v0.0.4", "pelorus-operator.v0.0.3"),
        ("pelorus-operator.v0.0.5", "pelorus-operator.v0.0.4"),
    ]
    assert check_catalog(tmp_path).findings == []
    result = runner.invoke(app, ["catalog", "validate", str(tmp_path), "-o", "json"])
    assert (result.exit_code, json.loads(result.stdout)["status"]) == (0, "ok")


REPO = Path(__file__).resolve().parents[1]
REPO_IMAGE = "quay.io/projectquay/quay-operator-bundle:v3.99.0"


def test_repo_catalog_is_rendered_from_bundle(tmp_path: Path) -> None:
    """catalog/ is what `catalog render bundle/ --image <REPO_IMAGE>` writes, and valid."""
    result = runner.invoke(
        app,
        ["catalog", "render", str(REPO / "bundle"), "--image", REPO_IMAGE,
         "--catalog", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rendered = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = REPO / "catalog"
    assert rendered == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    for rel in rendered:
        assert (tmp_path / rel).read_text() == (committed / rel).read_text(), rel
    validated = runner.invoke(app, ["catalog", "validate", str(committed)])
    assert validated.exit_code == 0, validated.output


def test_csv_olm_properties_merge_like_opm(bundle: Path) -> None:
    csv = bundle / "manifests" / "widget.clusterserviceversion.yaml"
    text = csv.read_text().replace(
        "    description:",
        '    olm.properties: \'[{"type": "olm.gvk", "value": {"version": "v1", "kind": '
        '"Widget", "group": "example.com"}}, {"type": "olm.package", "value": '
        '{"packageName": "widget", "version": "1.1.0-csv"}}, {"type": "olm.label", "value": '
        '{"label": "x<y"}}]\'\n    description:',
    )
    csv.write_text(text)
    properties = render_bundle(bundle, "quay.io/example/widget-bundle:1.1.0").blob["properties"]
    assert [(p["type"], p["value"]) for p in properties if p["type"] != "olm.csv.metadata"][:3] == [
        ("olm.gvk", {"group": "example.com", "kind": "Widget", "version": "v1"}),
        ("olm.gvk", {"group": "example.com", "kind": "Widget", "version": "v1alpha1"}),
        ("olm.gvk.required", {"group": "db.io", "kind": "Db", "version": "v1"}),
    ]
    assert {"type": "olm.label", "value": {"label": "x<y"}} in properties
    assert {"type": "olm.package", "value": {"packageName": "widget", "version": "1.1.0-csv"}} in (
        properties
    )
    assert sum(p["type"] == "olm.package" for p in properties) == 1


def test_render_refuses_a_package_split_over_files(tmp_path: Path) -> None:
    catalog = copy_writable(shared_path("corpus", "catalogs", "lightspeed-4.16"), tmp_path / "c")
    (catalog / "lightspeed-operator").mkdir()
    for path in list(catalog.glob("*.yaml")):
        path.rename(catalog / "lightspeed-operator" / path.name)
    bundle = tmp_path / "bundle"
    copy_writable(shared_path("corpus", "bundles", "pelorus-operator", "0.0.1"), bundle)
    annotations = bundle / "metadata" / "annotations.yaml"
    annotations.write_text(
        annotations.read_text().replace(
            "package.v1: pelorus-operator", "package.v1: lightspeed-operator"
        )
    )
    rendered = render_bundle(bundle, "quay.io/example/p:1")
    with pytest.raises(UsageError, match=r"also has blobs in .*bundle-v1\.0\.10\.yaml"):
        add_to_catalog(rendered, catalog)
    assert not (catalog / "lightspeed-operator" / "catalog.yaml").exists()


def test_render_refuses_non_finite_numbers(bundle: Path) -> None:
    service = bundle / "manifests" / "service.json"
    service.write_text("kind: Service\nspec: {weight: .inf}\n")
    with pytest.raises(InputError, match=r"cannot encode the bundle as JSON: .*unsupported value"):
        render_bundle(bundle, "quay.io/example/widget-bundle:1.1.0", "objects")


@pytest.mark.parametrize(
    ("package", "version", "catalog", "metadata"),
    [
        ("hive-operator", "2.5.3516-a2ed9b3", "community-v4.20", "csv"),
        ("openshift-integration-operator", "0.8.2", "community-v4.20", "csv"),
        ("patterns-operator", "0.0.66", "community-v4.20", "csv"),
        ("patterns-operator", "0.0.66", "community-v4.16", "objects"),
    ],
)
def test_render_matches_the_published_catalog(
    package: str, version: str, catalog: str, metadata: str
) -> None:
    """Bundles of the corpus that community-operators-prod also published (rendered there
    by opm): our olm.bundle blob is byte for byte the one in their catalog.yaml."""
    path = shared_path("corpus", "catalogs", catalog, package, "catalog.yaml")
    published = next(
        b.data
        for b in load_file(path, str(path))
        if b.data["schema"] == "olm.bundle" and b.data["name"] == f"{package}.v{version}"
    )
    bundle_dir = shared_path("corpus", "bundles", package, version)
    rendered = render_bundle(bundle_dir, published["image"], metadata).blob
    assert rendered == published
    assert dump_yaml([rendered]).removeprefix("---\n") in path.read_text()


def test_new_package_defaults_to_a_channel_it_gets(bundle: Path, tmp_path: Path) -> None:
    """The annotated default channel (stable) is not among --channel fast: the new
    olm.package must not point at a channel that has no bundle."""
    catalog = tmp_path / "catalog"
    args = ["catalog", "render", str(bundle), "--catalog", str(catalog), "--channel", "fast"]
    result = runner.invoke(app, [*args, "--image", "quay.io/example/widget-bundle:1.1.0"])
    assert result.exit_code == 0, result.output
    package = next(yaml.safe_load_all((catalog / "widget" / "catalog.yaml").read_text()))
    assert package["defaultChannel"] == "fast"


def test_unknown_default_channel_is_refused_before_writing(bundle: Path, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    args = ["catalog", "render", str(bundle), "--catalog", str(catalog)]
    assert (
        runner.invoke(app, [*args, "--image", "quay.io/example/widget-bundle:1.1.0"]).exit_code == 0
    )
    path = catalog / "widget" / "catalog.yaml"
    before = path.read_bytes()
    result = runner.invoke(
        app, [*args, "--image", "quay.io/example/widget-bundle:1.1.1", "--default-channel", "nope"]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --default-channel nope is not a channel of package widget "
        "(channels: fast, stable)\n"
    )
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("manifest", "text", "position"),
    [
        ("widget.clusterserviceversion.yaml", "kind: ClusterServiceVersion\nmetadata: [\n", "3:1"),
        ("extra.yaml", "kind: ConfigMap\ndata: {a: b\n", "3:1"),
        ("extra.yaml", "kind: ConfigMap\ndata:\n  a: b\n  a: c\n", "4:3"),
    ],
)
def test_unparseable_manifest_is_named_not_skipped(
    bundle: Path, tmp_path: Path, manifest: str, text: str, position: str
) -> None:
    """opm skips a manifest it cannot decode (a broken CSV becomes "no csv in bundle");
    render names the file and line and writes nothing (validate, which reports whether
    the cluster installs the bundle, warns about a broken manifest other than the CSV:
    BND013)."""
    broken = tmp_path / "broken"
    shutil.copytree(bundle, broken)
    (broken / "manifests" / manifest).write_text(text)
    catalog = tmp_path / "catalog"
    result = runner.invoke(
        app,
        [
            "catalog",
            "render",
            str(broken),
            "--image",
            "quay.io/example/w:1",
            "--catalog",
            str(catalog),
        ],
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"{broken}/manifests/{manifest}:{position}: error: invalid YAML"
    )
    assert not catalog.exists()


@pytest.mark.parametrize("package", ["../../escaped", "Widget", "a/b", "x" * 64])
def test_package_name_must_be_a_dns_label(bundle: Path, tmp_path: Path, package: str) -> None:
    """The package names the catalog sub-directory: '../../escaped' wrote outside
    --catalog before it was checked."""
    annotations = bundle / "metadata" / "annotations.yaml"
    text = annotations.read_text()
    annotations.write_text(text.replace("package.v1: widget", f"package.v1: '{package}'"))
    catalog = tmp_path / "deep" / "catalog"
    result = runner.invoke(
        app,
        ["catalog", "render", str(bundle), "--image", "quay.io/x/w:1", "--catalog", str(catalog)],
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"{annotations}: error: package name {package!r} "
        "(operators.operatorframework.io.bundle.package.v1) is not a DNS-1123 label (lowercase "
        "letters, digits and '-', starting and ending with a letter or digit, at most 63 "
        "characters)\n"
    )
    assert [p for p in tmp_path.rglob("*") if p.is_file() and "bundle" not in p.parts] == []


@pytest.mark.parametrize(
    ("make", "where", "message"),
    [
        (lambda c: c.write_text("x"), "catalog", "not a directory"),
        (
            lambda c: (c.mkdir(), (c / "widget").write_text("schema: example.note\n")),
            "catalog/widget",
            "not a directory",
        ),
    ],
    ids=["catalog-is-a-file", "package-dir-is-a-file"],
)
def test_unwritable_catalog_location_is_an_input_error(
    bundle: Path, tmp_path: Path, make, where: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    catalog = tmp_path / "catalog"
    make(catalog)
    result = runner.invoke(
        app,
        ["catalog", "render", str(bundle), "--image", "quay.io/x/w:1", "--catalog", str(catalog)],
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"{tmp_path}/{where}: error: {message}: cannot hold the package's catalog file\n"
    )


def test_repeated_channel_is_added_once(bundle: Path, tmp_path: Path) -> None:
    rendered = render_bundle(bundle, "quay.io/example/widget-bundle:1.1.0")
    result = add_to_catalog(rendered, tmp_path / "catalog", channels=["fast", "fast", "stable"])
    assert result.channels == ("fast", "stable")


def test_render_refuses_a_package_kept_in_another_directory(bundle: Path, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    add_to_catalog(render_bundle(bundle, "quay.io/example/widget-bundle:1.1.0"), catalog)
    (catalog / "widget").rename(catalog / "widget-operator")
    with pytest.raises(UsageError) as caught:
        add_to_catalog(render_bundle(bundle, "quay.io/example/widget-bundle:1.1.1"), catalog)
    assert str(caught.value) == (
        f"package widget also has blobs in {catalog}/widget-operator/catalog.yaml; catalog "
        f"render keeps a package in one file ({catalog}/widget/catalog.yaml)"
    )
    assert not (catalog / "widget").exists()


def test_render_checks_the_catalog_loads_before_writing(bundle: Path, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    (catalog / "other").mkdir(parents=True)
    (catalog / "other" / "catalog.yaml").write_text("schema: [\n")
    result = runner.invoke(
        app,
        ["catalog", "render", str(bundle), "--image", "quay.io/x/w:1", "--catalog", str(catalog)],
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{catalog}/other/catalog.yaml:2:1: error: invalid YAML")
    assert not (catalog / "widget").exists()


def test_broken_symlink_among_manifests_is_an_input_error(bundle: Path, tmp_path: Path) -> None:
    """A dangling link is named, not silently left out of the rendered bundle."""
    link = bundle / "manifests" / "gone.yaml"
    link.symlink_to(tmp_path / "missing.yaml")
    catalog = tmp_path / "catalog"
    args = ["catalog", "render", str(bundle), "--image", "quay.io/example/w:1"]
    result = runner.invoke(app, [*args, "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert result.stderr == f"{link}: error: broken symbolic link: its target does not exist\n"
    assert not catalog.exists()


def test_render_refuses_channel_names_opm_would_keep_with_spaces(tmp_path: Path) -> None:
    """channels 'alpha, stable': opm publishes a channel ' stable'; render said nothing
    and trimmed it (shared case channels-space-after-comma)."""
    bundle = shared_path("cases", "channels-space-after-comma", "bundle")
    catalog = tmp_path / "catalog"
    result = runner.invoke(
        app,
        ["catalog", "render", str(bundle), "--image", "quay.io/x/w:1", "--catalog", str(catalog)],
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"{bundle}/metadata/annotations.yaml: error: "
        "operators.operatorframework.io.bundle.channels.v1 'alpha, stable': channel name "
        "' stable' has surrounding whitespace, which opm keeps: it makes a separate channel "
        "' stable', not 'stable'; fix the annotation (no spaces around commas)\n"
    )
    assert not catalog.exists()
