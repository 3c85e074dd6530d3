"""WHK rules on a small bundle: each rejection of OLM's webhook install path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.findings import Severity
from bundle_tools.validate import validate_bundles

from .validate_helpers import BASE_CSV, edit, hits, write_bundle

WEBHOOK = """\
  webhookdefinitions:
  - type: {type}
    generateName: cwidget.example.com
    deploymentName: {deployment}
    admissionReviewVersions: [v1]
    sideEffects: None
{extra}\
  install:
"""
CRD_PRESERVING = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  preserveUnknownFields: true
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - {name: v1alpha1, served: true, storage: true}
"""
ALL_NAMESPACES_ONLY = (
    ("type: OwnNamespace\n    supported: true", "type: OwnNamespace\n    supported: false"),
    ("type: SingleNamespace\n    supported: true", "type: SingleNamespace\n    supported: false"),
)


def _csv(type_: str, deployment: str = "widget-controller", extra: str = "", only_all=True) -> str:
    csv = edit(
        BASE_CSV,
        "  install:\n",
        WEBHOOK.format(type=type_, deployment=deployment, extra=extra),
    )
    if only_all:
        for old, new in ALL_NAMESPACES_ONLY:
            csv = edit(csv, old, new)
    return csv


@pytest.mark.parametrize(
    ("csv", "files", "expected"),
    [
        (_csv("ConversionWebhook", extra="    conversionCRDs: [widgets.example.com]\n"), {}, []),
        (  # the CSV also supports OwnNamespace/SingleNamespace
            _csv(
                "ConversionWebhook",
                extra="    conversionCRDs: [widgets.example.com]\n",
                only_all=False,
            ),
            {},
            [("WHK003", 29, 11)],
        ),
        (_csv("ConversionWebhook"), {}, [("WHK003", 29, 5)]),  # no conversionCRDs
        (
            _csv("ConversionWebhook", extra="    conversionCRDs: [gadgets.example.com]\n"),
            {},
            [("WHK003", 34, 22)],
        ),
        (
            _csv("ConversionWebhook", extra="    conversionCRDs: [widgets.example.com]\n"),
            {"manifests/example.com_widgets.yaml": CRD_PRESERVING},
            [("WHK003", 34, 22)],
        ),
        (  # entries that are no name are the schema's (a list or mapping crashed WHK003)
            _csv(
                "ConversionWebhook",
                extra="    conversionCRDs: [[widgets.example.com], {k: v}, gadgets.example.com]\n",
            ),
            {"manifests/example.com_widgets.yaml": CRD_PRESERVING},
            [("WHK003", 34, 53)],
        ),
        (_csv("ValidatingAdmissionWebhook", deployment="other"), {}, [("WHK004", 31, 21)]),
        (
            _csv(
                "MutatingAdmissionWebhook",
                extra="    rules:\n    - apiGroups: [admissionregistration.k8s.io]\n"
                "      resources: [ValidatingWebhookConfiguration]\n",
            ),
            {},
            [("WHK002", 36, 19)],
        ),
        (  # OLM compares kind-like names: the plural resource passes its check
            _csv(
                "MutatingAdmissionWebhook",
                extra="    rules:\n    - apiGroups: [admissionregistration.k8s.io]\n"
                "      resources: [validatingwebhookconfigurations]\n",
            ),
            {},
            [],
        ),
    ],
)
def test_webhook_rules(tmp_path: Path, csv: str, files: dict, expected: list) -> None:
    bundle = write_bundle(tmp_path / "b", csv=csv, files=files)
    assert [(r, line, col) for r, _, line, col in hits(bundle, select=("WHK",))] == expected


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("cwidget", "is not a domain of at least three parts"),
        ("cwidget.example", "is not a domain of at least three parts"),
        ("Cwidget.example.com", "is not a DNS-1123 subdomain"),
        ("v" * 52 + ".example.com", "is 64 characters, more than the 63 of a label value"),
    ],
)
def test_webhook_name_refused(tmp_path: Path, name: str, reason: str) -> None:
    csv = _csv("ValidatingAdmissionWebhook").replace("cwidget.example.com", name)
    bundle = write_bundle(tmp_path / "b", csv=csv)
    report = validate_bundles([bundle], select=("WHK005",))
    (finding,) = report.findings
    assert (finding.rule, finding.severity) == ("WHK005", Severity.ERROR)
    assert (finding.location.line, finding.location.column) == (30, 19)
    assert f"generateName {name!r} {reason}" in finding.message


@pytest.mark.parametrize(
    ("type_", "name"),
    [("ValidatingAdmissionWebhook", "vwidget.example.com"), ("ConversionWebhook", "cwidget")],
)
def test_webhook_name_accepted(tmp_path: Path, type_: str, name: str) -> None:
    extra = "    conversionCRDs: [widgets.example.com]\n" if type_ == "ConversionWebhook" else ""
    csv = _csv(type_, extra=extra).replace("cwidget.example.com", name)
    bundle = write_bundle(tmp_path / "b", csv=csv)
    assert validate_bundles([bundle], select=("WHK005",)).findings == []


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("validate-widget", "does not start with '/'"),
        ("/validate//widget", "has an empty segment 1"),
        ("/validate_Widget", "has segment 0 'validate_Widget', which is not a DNS-1123"),
    ],
)
def test_webhook_path_refused(tmp_path: Path, path: str, reason: str) -> None:
    csv = _csv("ValidatingAdmissionWebhook", extra=f"    webhookPath: {path}\n")
    report = validate_bundles([write_bundle(tmp_path / "b", csv=csv)], select=("WHK006",))
    (finding,) = report.findings
    assert (finding.rule, finding.severity) == ("WHK006", Severity.ERROR)
    assert (finding.location.line, finding.location.column) == (34, 18)
    assert f"webhookPath {path!r} {reason}" in finding.message


@pytest.mark.parametrize("path", ["/", "/validate-example-com-v1-widget/", "/example.com/v1/w"])
def test_webhook_path_accepted(tmp_path: Path, path: str) -> None:
    csv = _csv("ValidatingAdmissionWebhook", extra=f"    webhookPath: {path}\n")
    report = validate_bundles([write_bundle(tmp_path / "b", csv=csv)], select=("WHK006",))
    assert report.findings == []
