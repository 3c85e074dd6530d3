"""WHK rules on a small bundle: each rejection of OLM's webhook install path."""

from __future__ import annotations

from pathlib import Path

import pytest

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
