"""BND rules on small synthetic bundles: ids, files, lines, columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.findings import Severity
from bundle_tools.validate import validate_bundles

from .validate_helpers import ANNOTATIONS, BASE_CSV, CRD, CSV_FILE, edit, hits, write_bundle

ANN = "metadata/annotations.yaml"
MEDIATYPE = "operators.operatorframework.io.bundle.mediatype.v1: registry+v1"
DEFAULT = "operators.operatorframework.io.bundle.channel.default.v1: stable"
CHANNELS = "operators.operatorframework.io.bundle.channels.v1: stable"
SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: widget-controller\n"


def test_clean_bundle_has_no_findings(tmp_path: Path) -> None:
    assert hits(write_bundle(tmp_path / "b")) == []


def test_missing_annotations_file_points_at_the_path(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", annotations=None)
    assert hits(bundle, select=("BND",)) == [("BND001", ANN, None, None)]
    message = validate_bundles([bundle], select=["BND001"]).findings[0].message
    assert message.startswith("metadata/annotations.yaml is missing: ")


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_annotations_file_is_called_empty(tmp_path: Path, text: str) -> None:
    bundle = write_bundle(tmp_path / "b", annotations=text)
    (finding,) = validate_bundles([bundle], select=["BND001"]).findings
    assert finding.message.startswith("metadata/annotations.yaml is empty: ")
    assert (finding.location.path, finding.location.line) == (f"{bundle}/{ANN}", None)


def test_annotations_key_without_value_points_at_the_key(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", annotations="# bundle metadata\nannotations:\n")
    assert hits(bundle, select=("BND001",)) == [("BND001", ANN, 2, 1)]


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        (edit(ANNOTATIONS, MEDIATYPE, "x: y"), [("BND003", ANN, 1, 1)]),
        (edit(ANNOTATIONS, "registry+v1", "plain+v0"), [("BND003", ANN, 2, 55)]),
        (edit(ANNOTATIONS, CHANNELS, "x: y"), [("BND004", ANN, 1, 1)]),
        (edit(ANNOTATIONS, CHANNELS, CHANNELS + ",,fast"), [("BND004", ANN, 6, 54)]),
        (edit(ANNOTATIONS, DEFAULT, DEFAULT.replace("stable", "fast")), [("BND004", ANN, 7, 61)]),
        ("annotations: []\n", [("BND001", ANN, 1, 1)]),
    ],
    ids=[
        "no-mediatype",
        "bad-mediatype",
        "no-channels",
        "empty-channel",
        "default-not-a-channel",
        "not-mapping",
    ],
)
def test_annotations(tmp_path: Path, annotations: str, expected: list) -> None:
    assert hits(write_bundle(tmp_path / "b", annotations=annotations), ("BND",)) == expected


def test_default_channel_outside_channels_is_a_warning(tmp_path: Path) -> None:
    annotations = edit(ANNOTATIONS, DEFAULT, DEFAULT.replace("stable", "fast"))
    report = validate_bundles([write_bundle(tmp_path / "b", annotations=annotations)])
    assert [str(f.severity) for f in report.findings if f.rule == "BND004"] == ["warning"]


def test_two_csvs(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", files={"manifests/other.yaml": BASE_CSV})
    # manifests are read in name order: other.yaml holds the first CSV
    assert hits(bundle, ("BND002",)) == [("BND002", CSV_FILE, 2, 7)]


def test_no_csv_points_at_manifests(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", csv=None)
    assert hits(bundle) == [("BND002", "manifests", None, None)]


def test_several_documents_in_one_manifest(tmp_path: Path) -> None:
    files = {
        "manifests/two.yaml": "---\n"
        + SA.replace("widget-controller", "a")
        + "---\n"
        + SA.replace("widget-controller", "b")
        + "---\n"
    }
    bundle = write_bundle(tmp_path / "b", files=files)
    assert hits(bundle, ("BND005",)) == [("BND005", "manifests/two.yaml", 7, 1)]


def test_bundled_service_account_named_like_deployment_sa(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", files={"manifests/sa.yaml": SA})
    assert hits(bundle) == [("BND006", "manifests/sa.yaml", 4, 9)]
    other = write_bundle(tmp_path / "c", files={"manifests/sa.yaml": SA.replace("widget-", "x-")})
    assert hits(other) == []


def test_service_account_with_a_mapping_as_name_is_bnd007_only(tmp_path: Path) -> None:
    sa = SA.replace("name: widget-controller", "name: {widget: controller}")
    bundle = write_bundle(tmp_path / "b", files={"manifests/sa.yaml": sa})
    assert [h for h in hits(bundle) if h[1] == "manifests/sa.yaml"] == [
        ("BND007", "manifests/sa.yaml", 4, 3)
    ]


def test_object_without_api_version_names_the_misspelt_key(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, "apiVersion: operators", "ApiVersion: operators")
    report = validate_bundles([write_bundle(tmp_path / "b", csv=csv)], select=["BND007"])
    [(finding)] = report.findings
    assert (finding.location.line, finding.location.column) == (1, 1)
    assert finding.location.path.endswith(CSV_FILE)
    assert finding.hint == "rename key 'ApiVersion' to 'apiVersion'"


def test_unsupported_kind(tmp_path: Path) -> None:
    files = {
        "manifests/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n",
        "manifests/np.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata:\n  name: n\n",
    }
    bundle = write_bundle(tmp_path / "b", files=files)
    assert hits(bundle) == [("BND009", "manifests/job.yaml", 2, 7)]


DEPENDENCIES = """\
dependencies:
- type: olm.package
  value:
    packageName: prometheus
    version: ">=0.47.0 <1.0.0"
- type: olm.package
  value:
    packageName: grafana
    version: v4
- type: olm.gvk
  value:
    group: example.com
    kind: Gadget
- type: olm.bogus
"""


def test_dependencies_in_any_metadata_file(tmp_path: Path) -> None:
    # opm reads metadata files by content: dependencies in properties.yaml count too
    bundle = write_bundle(tmp_path / "b", files={"metadata/properties.yaml": DEPENDENCIES})
    assert hits(bundle) == [
        ("BND010", "metadata/properties.yaml", 9, 14),
        ("BND010", "metadata/properties.yaml", 11, 3),
        ("BND010", "metadata/properties.yaml", 14, 9),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dependencies:\n-\n", [(2, 2, "dependency 0: None is not a mapping")]),
        ("dependencies: 5\n", []),  # opm drops the whole file: BND013's
        ("dependencies:\n- 7\n", []),
        (
            "dependencies:\n- type: olm.package\n  value:\n    packageName: [x]\n"
            '    version: ">=1.0.0"\n',
            [(4, 5, "dependency 0: olm.package dependency has no packageName string")],
        ),
        (
            "dependencies:\n- type: olm.gvk\n  value: {group: g, version: v1, kind: 5}\n",
            [(3, 40, "dependency 0: olm.gvk dependency has no kind string")],
        ),
    ],
    ids=["entry-null", "not-a-list", "entry-not-a-mapping", "package-name-list", "gvk-kind-number"],
)
def test_malformed_dependencies_file(tmp_path: Path, text: str, expected: list) -> None:
    bundle = write_bundle(tmp_path / "b", files={"metadata/dependencies.yaml": text})
    report = validate_bundles([bundle], select=["BND010"])
    found = [(f.location.line, f.location.column, f.message) for f in report.sorted_findings()]
    assert len(found) == len(expected)
    for (line, column, message), (want_line, want_column, prefix) in zip(
        found, expected, strict=True
    ):
        assert (line, column) == (want_line, want_column)
        assert message.startswith(prefix)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what opm v1.26.5 render drops (checked on bundle images built from each case)
        ("dependencies: 5\n", [(1, 15, "dependencies is 5, not a list: opm cannot")]),
        (
            "dependencies:\n- type: olm.gvk\n  value: {group: g, version: v1, kind: K}\n- 7\n",
            [(4, 3, "dependencies entry 1 is 7, not a mapping: opm cannot")],
        ),
        (
            "dependencies:\n- type: [olm.gvk]\n  value: {}\n",
            [(2, 3, "dependencies entry 0 has a list as its type: opm cannot")],
        ),
        ("properties: {a: b}\n", [(1, 1, "properties is {'a': 'b'}, not a list: opm cannot")]),
        # kept by opm: a scalar type becomes a string, null the zero value
        ("dependencies:\n- type: 5\n  value: {}\n", []),
        ("dependencies:\n-\nproperties: null\n", []),
        ("dependencies: []\n", []),
    ],
    ids=[
        "not-a-list",
        "entry-not-a-mapping",
        "type-a-list",
        "properties-mapping",
        "type-number",
        "nulls",
        "empty",
    ],
)
def test_undecodable_metadata_lists_are_a_warning(
    tmp_path: Path, text: str, expected: list
) -> None:
    bundle = write_bundle(tmp_path / "b", files={"metadata/dependencies.yaml": text})
    report = validate_bundles([bundle], select=["BND013"])
    found = [
        (f.location.line, f.location.column, str(f.severity), f.message)
        for f in report.sorted_findings()
    ]
    assert [(line, column) for line, column, _, _ in found] == [(y, x) for y, x, _ in expected]
    for (_, _, severity, message), (_, _, prefix) in zip(found, expected, strict=True):
        assert severity == "warning"
        assert message.startswith(prefix)


def test_yaml_error_in_a_metadata_file_is_a_positioned_warning(tmp_path: Path) -> None:
    """The shape of eventing-kogito 1.2.0's dependencies.yaml: opm v1.26.5 renders that
    bundle with no olm.gvk.required property; BND013 says so at the YAML error."""
    text = (
        "dependencies:\n  - type: olm.gvk\n    value: {group: a, kind: K, version: v1}\n"
        "  - type: olm.gvk\n      value:\n        group: b\n"
    )
    bundle = write_bundle(tmp_path / "b", files={"metadata/dependencies.yaml": text})
    assert hits(bundle) == [("BND013", "metadata/dependencies.yaml", 5, 12)]
    (finding,) = validate_bundles([bundle], select=["BND013"]).findings
    assert str(finding.severity) == "warning"
    assert finding.message == (
        "invalid YAML: mapping values are not allowed here: opm skips this file, so the "
        "bundle is published and installed without the dependencies or properties it "
        "declares"
    )


def test_yaml_error_in_a_manifest_other_than_the_csv_is_a_positioned_warning(
    tmp_path: Path,
) -> None:
    """opm's addManifests and OLM's bundle loader skip a manifest that does not decode:
    the bundle publishes and installs without it. A BND013 warning, the rest is checked;
    a skipped owned CRD leaves the CSV's owned CRD without a manifest (CSV010)."""
    service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n   labels: {}\n"
    crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n  x: [\n"
    files = {"manifests/service.yaml": service, "manifests/example.com_widgets.yaml": crd}
    bundle = write_bundle(tmp_path / "b", files=files)
    report = validate_bundles([bundle])
    found = [
        (f.rule, str(f.severity), str(Path(f.location.path).relative_to(bundle)), f.location.line)
        for f in report.sorted_findings()
        if f.severity >= Severity.WARNING
    ]
    assert found == [
        ("BND013", "warning", "manifests/example.com_widgets.yaml", 3),
        ("BND013", "warning", "manifests/service.yaml", 5),
        ("CSV010", "error", CSV_FILE, 25),
    ]
    messages = [f.message for f in report.findings if f.rule == "BND013"]
    assert all(m.endswith("installed without the object it holds") for m in messages)


def test_a_yaml_file_that_is_not_utf8_is_skipped_like_a_yaml_error(tmp_path: Path) -> None:
    """go-yaml refuses a byte that is not UTF-8 (Latin-1 text), so opm and OLM skip that
    manifest or metadata file: a BND013 warning at the byte (was exit 2). The CSV,
    ``annotations.yaml`` and a JSON manifest (Go's JSON decoder accepts such bytes) stay
    input errors."""
    config = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: caf\xe9\n"
    bundle = write_bundle(tmp_path / "b")
    (bundle / "manifests" / "config.yaml").write_bytes(config)
    (bundle / "metadata" / "dependencies.yaml").write_bytes(b"dependencies:\n- type: \xff\n")
    report = validate_bundles([bundle])
    found = [
        (str(Path(f.location.path).relative_to(bundle)), f.location.line, f.location.column)
        for f in report.sorted_findings()
        if f.rule == "BND013"
    ]
    assert found == [("manifests/config.yaml", 6, 9), ("metadata/dependencies.yaml", 2, 9)]
    assert not report.errors
    (config_finding, _) = (f for f in report.sorted_findings() if f.rule == "BND013")
    assert config_finding.message == (
        "file is not UTF-8 text: byte 0xE9 cannot be decoded: opm skips this file, so the "
        "bundle is published and installed without the object it holds"
    )
    assert config_finding.hint == "save the file as UTF-8 so that opm reads it"
    for name, text in (
        (CSV_FILE, BASE_CSV.replace("Manages Widgets.", "Manages Widg\xe9ts.")),
        ("metadata/annotations.yaml", ANNOTATIONS + "  x: \xe9\n"),
        ("manifests/config.json", '{"kind": "ConfigMap", "a": "caf\xe9"}'),
    ):
        broken = write_bundle(tmp_path / name.replace("/", "_"))
        (broken / name).write_bytes(text.encode("latin-1"))
        (error,) = validate_bundles([broken]).errors.values()
        assert error.message == "file is not UTF-8 text: byte 0xE9 cannot be decoded", name


def test_yaml_error_in_the_csv_is_still_an_input_error(tmp_path: Path) -> None:
    """opm finds no CSV in a bundle whose CSV does not decode and refuses it."""
    csv = edit(BASE_CSV, "  displayName: Widget Operator\n", "  displayName: Widget\n   x: 1\n")
    report = validate_bundles([write_bundle(tmp_path / "b", csv=csv)])
    assert report.findings == []
    (error,) = report.errors.values()
    assert (error.line, error.column) == (10, 5)
    assert error.message.startswith("invalid YAML")


def test_yaml_error_past_the_first_document_leaves_the_first_one_read(tmp_path: Path) -> None:
    """opm and OLM decode a file's first document only: a broken later document loses
    nothing, the first is checked (the owned CRD is found: no CSV010), and BND013 says
    the rest is never read."""
    crd_then_broken = CRD + "---\nkind: Secret\nmetadata:\n  name: s\n   x: 1\n"
    deps = "dependencies:\n- type: olm.bogus\n---\na: [\n"
    files = {"manifests/example.com_widgets.yaml": crd_then_broken, "metadata/deps.yaml": deps}
    bundle = write_bundle(tmp_path / "b", files=files)
    assert hits(bundle) == [
        ("BND013", "manifests/example.com_widgets.yaml", 19, 5),
        ("BND010", "metadata/deps.yaml", 2, 9),
        ("BND013", "metadata/deps.yaml", 5, 1),
    ]
    later = [f for f in validate_bundles([bundle]).findings if f.rule == "BND013"]
    assert all(
        f.message.endswith(
            "in a later document, which opm and OLM never read (they decode "
            "only a file's first document)"
        )
        for f in later
    )


def test_yaml_error_in_the_first_document_of_several_skips_the_file(tmp_path: Path) -> None:
    broken_then_crd = "kind: Secret\n  x: [\n---\n" + CRD
    bundle = write_bundle(
        tmp_path / "b", files={"manifests/example.com_widgets.yaml": broken_then_crd}
    )
    assert [h[0] for h in hits(bundle)] == ["BND013", "CSV010"]


HEADER = "# Copyright 2026 Example Authors\n# SPDX-License-Identifier: Apache-2.0\n---\n"


def test_a_license_header_then_separator_loses_the_object(tmp_path: Path) -> None:
    """opm v1.26.5 renders a bundle whose ConfigMap manifest starts with a comment header
    and ``---`` without that ConfigMap (checked: 5 olm.bundle.object instead of 6): the
    Kubernetes YAML reader hands it the comment-only first document. So do OLM's loader
    and a metadata file: a BND013 warning at the ``---`` line; an owned CRD written so
    is missing for CSV010."""
    service = HEADER + "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
    files = {
        "manifests/service.yaml": service,
        "manifests/example.com_widgets.yaml": HEADER + CRD,
        "metadata/dependencies.yaml": HEADER + "dependencies:\n- type: olm.bogus\n",
    }
    bundle = write_bundle(tmp_path / "b", files=files)
    assert hits(bundle) == [
        ("BND013", "manifests/example.com_widgets.yaml", 3, 1),
        ("BND013", "manifests/service.yaml", 3, 1),
        ("CSV010", CSV_FILE, 25, 13),
        ("BND013", "metadata/dependencies.yaml", 3, 1),
    ]
    (first, *_) = validate_bundles([bundle], select=["BND013"]).sorted_findings()
    assert first.message == (
        "the first document holds only comments and ends at this --- line; opm and OLM "
        "decode that empty document and nothing after it: opm skips this file, so the "
        "bundle is published and installed without the object it holds"
    )


def test_a_license_header_then_separator_in_the_csv_or_annotations(tmp_path: Path) -> None:
    """The CSV: opm finds no CSV and refuses the bundle (an input error at the ``---``);
    annotations.yaml: opm finds no annotations and refuses it (BND001)."""
    report = validate_bundles([write_bundle(tmp_path / "csv", csv=HEADER + BASE_CSV)])
    (error,) = report.errors.values()
    assert (error.line, error.column) == (3, 1)
    assert error.message.startswith("the first document holds only comments")
    bundle = write_bundle(tmp_path / "ann", annotations=HEADER + ANNOTATIONS)
    assert [(h[0], h[1], h[2]) for h in hits(bundle, select=("BND",))] == [
        ("BND001", ANN, None),
        ("BND013", ANN, 3),
    ]


def test_a_separator_first_line_or_a_comment_inside_the_document_is_fine(
    tmp_path: Path,
) -> None:
    service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
    files = {
        "manifests/a.yaml": "---\n" + service,
        "manifests/b.yaml": "# header\n" + service,
        "manifests/c.yaml": "---\n# header\n" + service,
    }
    assert hits(write_bundle(tmp_path / "b", files=files)) == []
