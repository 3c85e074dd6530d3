"""CSV rules on variants of a clean CSV: ids, lines, columns, severities."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.findings import Severity
from bundle_tools.rules.csv_semantics import go_yaml_kind
from bundle_tools.validate import validate_bundles

from .validate_helpers import BASE_CSV, CSV_FILE, edit, hits, write_bundle

IMAGE = "                image: registry.example.com/widget/widget-operator:1.2.0\n"
MOUNT = (
    IMAGE
    + "                volumeMounts:\n"
    + "                - name: {name}\n"
    + "                  mountPath: /x\n"
)
RELATED = "  relatedImages:\n  - name: a\n    image: {a}\n  - name: a\n    image: {b}\n"

CASES = [
    # (rule, old, new, [(line, column)])
    ("CSV002", "  version: 1.2.0\n", "", [(8, 1)]),
    ("CSV002", "version: 1.2.0", "version: 1.2", [(11, 12)]),
    ("CSV002", "version: 1.2.0", "version: 01.2.0", [(11, 12)]),
    ("CSV002", "version: 1.2.0", "version: 18446744073709551616.2.0", [(11, 12)]),
    ("CSV003", "name: widget-operator.v1.2.0", "name: widget-operator.v1.1.9", [(4, 9)]),
    ("CSV003", "name: widget-operator.v1.2.0", "name: widget-operator.v11.2.0", [(4, 9)]),
    ("CSV003", "name: widget-operator.v1.2.0", "name: widget-operator-1.2.0", []),
    ("CSV004", "replaces: widget-operator.v1.1.0", "replaces: Widget_Operator.v1.1.0", [(12, 13)]),
    ("CSV004", "replaces: widget-operator.v1.1.0", "replaces: widget-operator.v1.1", [(12, 13)]),
    ("CSV004", "replaces: widget-operator.v1.1.0", "replaces: widget-operator.v1.2.0", [(12, 13)]),
    ("CSV004", "replaces: widget-operator.v1.1.0", "replaces: ''", []),
    (
        "CSV004",
        "  minKubeVersion",
        "  skips: [widget-operator.v1.0.1, widget-operator.v1.0]\n  minKubeVersion",
        [(13, 35)],
    ),
    ("CSV005", "'>=1.0.0 <1.2.0'", "'>=1.0.0 < 1.2.0'", []),
    ("CSV005", "'>=1.0.0 <1.2.0'", "'>=1.0.x <1.2.0 || 2.x'", []),
    ("CSV005", "'>=1.0.0 <1.2.0'", "'>=1.0 <1.2.0'", [(7, 20)]),
    ("CSV005", "'>=1.0.0 <1.2.0'", "'>=1.0.0 ||'", [(7, 20)]),
    ("CSV006", "minKubeVersion: 1.25.0", "minKubeVersion: v1.25", [(13, 19)]),
    ("CSV006", "minKubeVersion: 1.25.0", "minKubeVersion: '01.25.0'", [(13, 19)]),  # warning
    ("CSV006", "minKubeVersion: 1.25.0", "minKubeVersion: ''", []),
    ("CSV006", "minKubeVersion: 1.25.0", "minKubeVersion: 1.25.0-rc.1+b", []),
    ("CSV006", "minKubeVersion: 1.25.0", "minKubeVersion: latest", [(13, 19)]),
    ("CSV006", "minKubeVersion: 1.25.0", "minKubeVersion: 1.25-rc", [(13, 19)]),
    ("CSV007", "type: MultiNamespace", "type: AllNamespaces", [(21, 11), (14, 3)]),
    ("CSV007", "type: MultiNamespace", "type: Cluster", [(19, 11), (14, 3)]),
    ("CSV008", "'[{", "'[[{", [(6, 19)]),
    ("CSV008", '"kind":"Widget"', '"kind":"Gadget"', [(6, 19)]),
    ("CSV010", "- name: widgets.example.com", "- name: gadgets.example.com", [(25, 13)]),
    ("CSV010", "      kind: Widget", "      kind: Gadget", [(27, 13)]),
    ("CSV010", "      version: v1alpha1", "      version: v1", [(26, 16)]),
    ("CSV011", IMAGE, "", [(40, 17)]),
    ("CSV011", IMAGE, '                image: ""\n', [(41, 24)]),
    ("CSV012", IMAGE, MOUNT.format(name="certs"), [(43, 25)]),
    ("CSV013", "              serviceAccountName: widget-controller\n", "", [(37, 13)]),
    (
        "CSV015",
        "  install:\n",
        RELATED.format(a="quay.io/x/y:1", b="quay.io/x/y:1") + "  install:\n",
        [],
    ),
    (
        "CSV015",
        "  install:\n",
        RELATED.format(a="quay.io/x/y:1", b="quay.io/x/z:1") + "  install:\n",
        [(31, 11)],
    ),
    (
        "CSV015",
        "  install:\n",
        RELATED.format(a="Quay.io/X/y:1", b="quay.io/x/y@sha256:abc") + "  install:\n",
        [(30, 12), (32, 12)],
    ),
    (  # 63 hex digits: opm's go-digest refuses it (FBC037), so CSV015 must too
        "CSV015",
        "  install:\n",
        RELATED.format(a="quay.io/x/y@sha256:" + "a" * 63, b="quay.io/x/y:1") + "  install:\n",
        [(30, 12)],
    ),
]


@pytest.mark.parametrize(("rule_id", "old", "new", "expected"), CASES)
def test_csv_rule(tmp_path: Path, rule_id: str, old: str, new: str, expected: list) -> None:
    bundle = write_bundle(tmp_path / "b", csv=edit(BASE_CSV, old, new))
    found = [(line, col) for _, _, line, col in hits(bundle, select=(rule_id,))]
    assert sorted(found) == sorted(expected)
    assert all(r == rule_id for r, *_ in hits(bundle, select=(rule_id,)))


@pytest.mark.parametrize(
    ("old", "new", "severity"),
    [
        ("type: MultiNamespace", "type: Cluster", Severity.WARNING),  # MultiNamespace missing
        ('"kind":"Widget"', '"kind":"Gadget"', Severity.WARNING),
        ("'[{", "'[[{", Severity.ERROR),
    ],
)
def test_hit_level_severity(tmp_path: Path, old: str, new: str, severity: Severity) -> None:
    bundle = write_bundle(tmp_path / "b", csv=edit(BASE_CSV, old, new))
    report = validate_bundles([bundle], select=["CSV007", "CSV008"])
    assert severity in {f.severity for f in report.findings}
    if severity is Severity.WARNING and "Gadget" in new:
        assert {f.severity for f in report.findings} == {Severity.WARNING}


def test_apiservice_cert_volume_is_injected_by_olm(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, IMAGE, MOUNT.format(name="webhook-cert"))
    assert [r for r, *_ in hits(write_bundle(tmp_path / "a", csv=csv), ("CSV012",))] == ["CSV012"]
    csv = edit(
        csv,
        "  install:\n",
        "  webhookdefinitions:\n  - type: ValidatingAdmissionWebhook\n  install:\n",
    )
    assert hits(write_bundle(tmp_path / "b", csv=csv), ("CSV012",)) == []


def test_cluster_scoped_rbac_message_and_strict(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, "resources: [configmaps]", "resources: [configmaps, nodes, nodes/proxy]")
    bundle = write_bundle(tmp_path / "b", csv=csv)
    assert hits(bundle, ("CSV014",)) == [("CSV014", CSV_FILE, 46, 35), ("CSV014", CSV_FILE, 46, 42)]
    strict = validate_bundles([bundle], profile="strict", select=["CSV014"])
    assert {f.severity for f in strict.findings} == {Severity.ERROR}


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (True, "boolean"),
        ("yes", "boolean"),
        (3, "number"),
        (1.5, "number"),
        ([], "list"),
        ("x", None),
    ],
)
def test_go_yaml_kind(value: object, kind: str | None) -> None:
    assert go_yaml_kind(value) == kind


def test_unquoted_timestamp_annotation_is_a_string_for_kubernetes(tmp_path: Path) -> None:
    csv = edit(
        BASE_CSV,
        "    olm.skipRange",
        "    createdAt: 2024-01-02T03:04:05Z\n    x: on\n    olm.skipRange",
    )
    assert hits(write_bundle(tmp_path / "b", csv=csv), ("CSV009",)) == [("CSV009", CSV_FILE, 8, 8)]


def test_annotation_hint_is_yaml_that_reads_back_as_the_json(tmp_path: Path) -> None:
    """A list holding a date, an apostrophe and an emoji: the hint is a single-quoted YAML
    string (quotes doubled, characters kept) whose content is the JSON of the value."""
    anchor = "    olm.skipRange: '>=1.0.0 <1.2.0'\n"
    csv = edit(BASE_CSV, anchor, anchor + "    example.com/x: [2020-01-01, it's, \U0001f600]\n")
    report = validate_bundles([write_bundle(tmp_path / "b", csv=csv)], select=["CSV009"])
    (finding,) = report.findings
    assert (
        finding.hint
        == """quote the value: example.com/x: '["2020-01-01", "it''s", "\U0001f600"]'"""
    )


def test_annotations_over_256_kib_are_refused(tmp_path: Path) -> None:
    anchor = "    olm.skipRange: '>=1.0.0 <1.2.0'\n"
    key = "example.com/blob"  # 16 bytes; 'é' is 2 bytes in UTF-8
    fits = 256 * 1024 - 16 - 91 - 27  # the other annotations: alm-examples, skipRange
    at_limit = write_bundle(
        tmp_path / "a", csv=edit(BASE_CSV, anchor, anchor + f"    {key}: {'é' * (fits // 2)}\n")
    )
    report = validate_bundles([at_limit], select=["CSV016"])
    over = write_bundle(
        tmp_path / "b",
        csv=edit(BASE_CSV, anchor, anchor + f"    {key}: {'é' * (fits // 2)}x\n"),
    )
    assert report.findings == []
    (finding,) = validate_bundles([over], select=["CSV016"]).findings
    assert finding.message.startswith(f"metadata.annotations hold {256 * 1024 + 1} bytes")
    assert f"(largest: {key}, " in finding.message
    assert (finding.location.line, finding.location.column) == (5, 3)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # a new operator whose CSV name differs from its package: actionable
        ("name: widget-operator.v1.2.0", "name: gadget.v1.2.0", [("CSV018", "info", 4)]),
        # an established name (spec.replaces uses it too): renaming would break upgrades
        (
            "name: widget-operator.v1.2.0\n",
            "name: gadget.v1.2.0\n",
            [],
        ),
    ],
)
def test_csv_name_prefix_is_the_package(tmp_path: Path, old: str, new: str, expected: list) -> None:
    csv = edit(BASE_CSV, old, new)
    if not expected:
        csv = edit(csv, "replaces: widget-operator.v1.1.0", "replaces: gadget.v1.1.0")
    report = validate_bundles([write_bundle(tmp_path / "b", csv=csv)], select=["CSV018"])
    found = [(f.rule, str(f.severity), f.location.line) for f in report.findings]
    assert found == expected
    certified = validate_bundles(
        [write_bundle(tmp_path / "c", csv=csv)], select=["CSV018"], profile="certified"
    )
    assert [str(f.severity) for f in certified.findings] == ["warning"] * len(expected)


def test_unknown_install_mode_type_is_a_warning_and_supports_nothing(tmp_path: Path) -> None:
    """OLM's InstallModeSet.Supports looks up the four known types only: an unknown type
    is ignored (warning), and when it was the only supported entry, no OperatorGroup fits
    (error at installModes)."""
    typo = edit(BASE_CSV, "type: MultiNamespace", "type: Cluster")
    report = validate_bundles([write_bundle(tmp_path / "a", csv=typo)], select=["CSV007"])
    assert [(f.severity, f.location.line, f.location.column) for f in report.findings] == [
        (Severity.WARNING, 19, 11),
        (Severity.WARNING, 14, 3),
    ]
    assert "OLM ignores it" in report.findings[0].message
    only_unknown = typo.replace("supported: true", "supported: false").replace(
        "- type: Cluster\n    supported: false", "- type: Cluster\n    supported: true"
    )
    assert only_unknown.count("supported: true") == 1
    report = validate_bundles([write_bundle(tmp_path / "b", csv=only_unknown)], select=["CSV007"])
    errors = [
        (f.location.line, f.location.column)
        for f in report.findings
        if f.severity is Severity.ERROR
    ]
    assert errors == [(14, 3)]
    assert any("no install mode is supported" in f.message for f in report.findings)
