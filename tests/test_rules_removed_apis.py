"""KUBE001: removed Kubernetes APIs judged against the releases the bundle targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.findings import Severity
from bundle_tools.rules.removed_apis import (
    LIFECYCLES,
    Lifecycle,
    first_openshift,
    kube_minor,
    lifecycle,
    openshift_range,
)
from bundle_tools.validate import validate_bundles

from .conftest import shared_path
from .validate_helpers import ANNOTATIONS, BASE_CSV, CRD, CSV_FILE, edit, write_bundle

CRD_FILE = "manifests/example.com_widgets.yaml"
CRD_V1BETA1 = edit(CRD, "apiextensions.k8s.io/v1\n", "apiextensions.k8s.io/v1beta1\n")
PDB = """\
kind: PodDisruptionBudget
apiVersion: policy/v1beta1
metadata:
  name: widget-controller
spec:
  minAvailable: 1
  selector: {matchLabels: {app: w}}
"""


def _annotations(versions: str | None) -> str:
    if versions is None:
        return ANNOTATIONS
    return ANNOTATIONS + f'  com.redhat.openshift.versions: "{versions}"\n'


def _csv(min_kube: str | None = "1.20.0", max_openshift: str | None = None) -> str:
    csv = edit(BASE_CSV, "  minKubeVersion: 1.25.0\n", "")
    if min_kube is not None:
        csv = edit(csv, "  version: 1.2.0\n", f"  version: 1.2.0\n  minKubeVersion: {min_kube}\n")
    if max_openshift is not None:
        prop = f'[{{"type":"olm.maxOpenShiftVersion","value":"{max_openshift}"}}]'
        csv = edit(csv, "    olm.skipRange", f"    olm.properties: '{prop}'\n    olm.skipRange")
    return csv


def _found(bundle: Path) -> list[tuple[str, int | None, int | None, Severity, str]]:
    """``(file, line, column, severity, message)`` of each KUBE001 finding."""
    report = validate_bundles([bundle], select=["KUBE001"])
    return [
        (
            str(Path(f.location.path).relative_to(bundle)),
            f.location.line,
            f.location.column,
            f.severity,
            f.message,
        )
        for f in report.findings
    ]


def _bundle(
    tmp_path: Path,
    versions: str | None,
    csv: str | None = None,
    files: dict[str, str] | None = None,
) -> Path:
    return write_bundle(
        tmp_path / "b",
        csv=csv if csv is not None else _csv(),
        annotations=_annotations(versions),
        files={CRD_FILE: CRD_V1BETA1, **(files or {})},
    )


def test_crd_v1beta1_on_openshift_4_9_and_later_is_an_error_at_the_api_version(
    tmp_path: Path,
) -> None:
    assert _found(_bundle(tmp_path, "v4.9")) == [
        (
            CRD_FILE,
            1,
            13,
            Severity.ERROR,
            "CustomResourceDefinition apiextensions.k8s.io/v1beta1 is removed in Kubernetes "
            "1.22; the bundle targets Kubernetes 1.22+ (com.redhat.openshift.versions 'v4.9')",
        )
    ]


@pytest.mark.parametrize(
    ("versions", "max_openshift", "expected"),
    [
        ("v4.6-v4.8", None, Severity.WARNING),
        ("v4.6", "4.8", Severity.WARNING),
        ("v4.6-v4.9", None, Severity.ERROR),
        ("=v4.9", None, Severity.ERROR),
        ("v4.6,v4.5", None, Severity.ERROR),
        ("v4.6", "4.10", Severity.ERROR),
    ],
)
def test_crd_v1beta1_severity_follows_the_upper_end(
    tmp_path: Path, versions: str, max_openshift: str | None, expected: Severity
) -> None:
    bundle = _bundle(tmp_path, versions, csv=_csv(max_openshift=max_openshift))
    assert [(f[0], f[1], f[2], f[3]) for f in _found(bundle)] == [(CRD_FILE, 1, 13, expected)]


def test_deprecated_only_in_the_range_is_a_warning_and_before_it_nothing(tmp_path: Path) -> None:
    files = {CRD_FILE: CRD, "manifests/pdb.yaml": PDB}
    bundle = _bundle(tmp_path / "dep", "v4.6-v4.10", files=files)
    assert _found(bundle) == [
        (
            "manifests/pdb.yaml",
            2,
            13,
            Severity.WARNING,
            "PodDisruptionBudget policy/v1beta1 is deprecated since Kubernetes 1.21 (removed "
            "in 1.25, after the targeted releases); the bundle targets Kubernetes 1.20-1.23 "
            "(com.redhat.openshift.versions 'v4.6-v4.10', minKubeVersion 1.20.0)",
        )
    ]
    assert _found(_bundle(tmp_path / "before", "=v4.7", files=files)) == []


def test_no_declared_upper_end_warns_unless_min_kube_is_past_the_removal(tmp_path: Path) -> None:
    open_ended = _bundle(tmp_path / "open", None, csv=_csv(min_kube=None))
    (only,) = _found(open_ended)
    assert only[:4] == (CRD_FILE, 1, 13, Severity.WARNING)
    assert only[4].endswith("the bundle targets any Kubernetes release (no declared target)")
    (past,) = _found(_bundle(tmp_path / "past", None, csv=_csv(min_kube="1.22.0")))
    assert past[3] is Severity.ERROR
    report = validate_bundles([open_ended], select=["KUBE001"])
    assert "com.redhat.openshift.versions / olm.maxOpenShiftVersion below OpenShift 4.9" in str(
        report.findings[0].hint
    )


def test_native_apis_are_checked_at_their_version(tmp_path: Path) -> None:
    csv = edit(
        _csv(),
        "  customresourcedefinitions:\n",
        "  nativeAPIs:\n  - {group: autoscaling, version: v2beta2, kind: HorizontalPodAutoscaler}\n"
        "  customresourcedefinitions:\n",
    )
    bundle = _bundle(tmp_path, "v4.13", csv=csv, files={CRD_FILE: CRD})
    lines = csv.splitlines()
    (line,) = [n for n, text in enumerate(lines, 1) if "v2beta2" in text]
    column = lines[line - 1].index("v2beta2") + 1
    assert [(f[0], f[1], f[2], f[3]) for f in _found(bundle)] == [
        (CSV_FILE, line, column, Severity.ERROR)
    ]
    assert column == 35


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("v4.12", (12, None)),
        ("=v4.12", (12, 12)),
        ("v4.12-v4.15", (12, 15)),
        ("v4.12,v4.13", (12, None)),
        ("v4.6,v4.5", (5, None)),
        ("4.x", None),
        ("v4.12-", None),
        ("", None),
    ],
)
def test_openshift_range_forms(value: str, expected: tuple[int, int | None] | None) -> None:
    assert openshift_range(value) == expected


def test_lifecycle_table_values() -> None:
    assert lifecycle("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition") == (16, 22)
    assert lifecycle("batch/v1beta1", "CronJob") == (21, 25)
    assert lifecycle("autoscaling/v2beta2", "HorizontalPodAutoscaler") == (23, 26)
    assert lifecycle("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema") == (26, 29)
    assert lifecycle("storage.k8s.io/v1beta1", "CSIStorageCapacity") == (24, 27)
    assert lifecycle("apiextensions.k8s.io/v1", "CustomResourceDefinition") is None
    assert lifecycle("policy/v1beta1", "Eviction") is None


@pytest.mark.parametrize(
    ("bundle", "count", "severity"),
    [("argocd-operator/0.0.15", 2, Severity.WARNING), ("quay-operator/3.4.0", 2, Severity.WARNING)],
)
def test_corpus_v1beta1_crds(bundle: str, count: int, severity: Severity) -> None:
    path = shared_path("corpus", "bundles", bundle)
    found = _found(path)
    assert len(found) == count
    assert {(f[1], f[2], f[3]) for f in found} == {(1, 13, severity)}


def _object(api_version: str, kind: str) -> str:
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: widget\n"


@pytest.mark.parametrize(
    ("api_version", "kind", "versions", "expected"),
    [
        # events.k8s.io/v1beta1 Event: deprecated in 1.22 (not 1.19, when v1 appeared)
        ("events.k8s.io/v1beta1", "Event", "v4.6-v4.8", None),
        ("events.k8s.io/v1beta1", "Event", "v4.6-v4.9", Severity.WARNING),
        ("events.k8s.io/v1beta1", "Event", "v4.6-v4.12", Severity.ERROR),
        # node.k8s.io/v1beta1 RuntimeClass: deprecated in 1.22 (not 1.20)
        ("node.k8s.io/v1beta1", "RuntimeClass", "=v4.8", None),
        ("node.k8s.io/v1beta1", "RuntimeClass", "=v4.9", Severity.WARNING),
        # storage.k8s.io/v1beta1 CSINode: deprecated in 1.17 (not 1.19)
        ("storage.k8s.io/v1beta1", "CSINode", "=v4.3", None),
        ("storage.k8s.io/v1beta1", "CSINode", "=v4.4", Severity.WARNING),
        # extensions/v1beta1 Ingress, missing before: deprecated 1.14, removed 1.22;
        # OpenShift 4.1 ships Kubernetes 1.13 and 4.2 ships 1.14 (not 1.14 and 1.15)
        ("extensions/v1beta1", "Ingress", "=v4.1", None),
        ("extensions/v1beta1", "Ingress", "=v4.2", Severity.WARNING),
        ("extensions/v1beta1", "Ingress", "v4.6-v4.8", Severity.WARNING),
        ("extensions/v1beta1", "Ingress", "v4.6-v4.9", Severity.ERROR),
    ],
)
def test_corrected_lifecycles_switch_severity_at_the_boundary(
    tmp_path: Path, api_version: str, kind: str, versions: str, expected: Severity | None
) -> None:
    files = {CRD_FILE: CRD, "manifests/object.yaml": _object(api_version, kind)}
    found = _found(_bundle(tmp_path, versions, csv=_csv(min_kube=None), files=files))
    assert [(f[0], f[1], f[2], f[3]) for f in found] == (
        [] if expected is None else [("manifests/object.yaml", 1, 13, expected)]
    )


def test_hint_names_the_replacement_and_the_guide_section(tmp_path: Path) -> None:
    files = {CRD_FILE: CRD, "manifests/ingress.yaml": _object("extensions/v1beta1", "Ingress")}
    bundle = _bundle(tmp_path / "ing", None, csv=_csv(min_kube=None), files=files)
    (finding,) = validate_bundles([bundle], select=["KUBE001"]).findings
    assert finding.hint == (
        "migrate Ingress to networking.k8s.io/v1 (deprecation guide: "
        "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#ingress-v122), or "
        "declare com.redhat.openshift.versions / olm.maxOpenShiftVersion below OpenShift 4.9"
    )
    files = {CRD_FILE: CRD, "manifests/psp.yaml": _object("policy/v1beta1", "PodSecurityPolicy")}
    bundle = _bundle(tmp_path / "psp", "v4.12", files=files)
    (finding,) = validate_bundles([bundle], select=["KUBE001"]).findings
    assert finding.hint == (
        "remove the PodSecurityPolicy: Kubernetes has no replacement API (deprecation guide: "
        "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#psp-v125)"
    )


@pytest.mark.parametrize(
    ("openshift", "kube"), [(1, 13), (2, 14), (3, 16), (9, 22), (12, 25), (16, 29), (19, 32)]
)
def test_openshift_to_kubernetes_minor(openshift: int, kube: int) -> None:
    assert kube_minor(openshift) == kube
    assert first_openshift(kube) == openshift


def test_first_openshift_past_a_release_openshift_skipped() -> None:
    assert first_openshift(15) == 3  # no OpenShift shipped Kubernetes 1.15


def test_lifecycle_rows_the_table_lacked_or_had_wrong() -> None:
    assert LIFECYCLES["authorization.k8s.io/v1beta1", "SelfSubjectRulesReview"] == Lifecycle(
        19, 22, "authorization.k8s.io/v1", "subjectaccessreview-resources-v122"
    )
    assert LIFECYCLES["extensions/v1beta1", "Ingress"] == Lifecycle(
        14, 22, "networking.k8s.io/v1", "ingress-v122"
    )
    assert lifecycle("extensions/v1beta1", "DaemonSet") == (8, 16)
    assert lifecycle("extensions/v1beta1", "NetworkPolicy") == (9, 16)
    assert lifecycle("extensions/v1beta1", "PodSecurityPolicy") == (11, 16)
    assert lifecycle("apps/v1beta1", "Deployment") == (8, 16)
    assert lifecycle("apps/v1beta2", "Deployment") == (9, 16)
    assert lifecycle("events.k8s.io/v1beta1", "Event") == (22, 25)
    assert lifecycle("node.k8s.io/v1beta1", "RuntimeClass") == (22, 25)
    assert lifecycle("storage.k8s.io/v1beta1", "CSINode") == (17, 22)
    assert LIFECYCLES["policy/v1beta1", "PodSecurityPolicy"].replacement == ""
    assert len(LIFECYCLES) == 50
