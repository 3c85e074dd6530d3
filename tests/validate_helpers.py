"""Helpers for validate tests: write a small bundle from YAML text and run the rules.

``BASE_CSV`` is a clean CSV (no error or warning findings); tests derive faulty variants
with :func:`edit`, so the line numbers asserted in tests can be read off this text.
"""

from __future__ import annotations

from pathlib import Path

from bundle_tools.findings import Severity
from bundle_tools.validate import validate_bundles

BASE_CSV = """\
apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata:
  name: widget-operator.v1.2.0
  annotations:
    alm-examples: '[{"apiVersion":"example.com/v1alpha1","kind":"Widget","metadata":{"name":"w"}}]'
    olm.skipRange: '>=1.0.0 <1.2.0'
spec:
  displayName: Widget Operator
  description: Manages Widgets.
  version: 1.2.0
  replaces: widget-operator.v1.1.0
  minKubeVersion: 1.25.0
  installModes:
  - type: OwnNamespace
    supported: true
  - type: SingleNamespace
    supported: true
  - type: MultiNamespace
    supported: false
  - type: AllNamespaces
    supported: true
  customresourcedefinitions:
    owned:
    - name: widgets.example.com
      version: v1alpha1
      kind: Widget
  install:
    strategy: deployment
    spec:
      deployments:
      - name: widget-controller
        spec:
          selector: {matchLabels: {app: w}}
          template:
            metadata: {labels: {app: w}}
            spec:
              serviceAccountName: widget-controller
              containers:
              - name: manager
                image: registry.example.com/widget/widget-operator:1.2.0
      permissions:
      - serviceAccountName: widget-controller
        rules:
        - apiGroups: [""]
          resources: [configmaps]
          verbs: [get, list, watch]
"""

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
"""

ANNOTATIONS = """\
annotations:
  operators.operatorframework.io.bundle.mediatype.v1: registry+v1
  operators.operatorframework.io.bundle.manifests.v1: manifests/
  operators.operatorframework.io.bundle.metadata.v1: metadata/
  operators.operatorframework.io.bundle.package.v1: widget-operator
  operators.operatorframework.io.bundle.channels.v1: stable
  operators.operatorframework.io.bundle.channel.default.v1: stable
"""

CSV_FILE = "manifests/widget-operator.clusterserviceversion.yaml"


def edit(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced by ``new`` (fails otherwise)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def write_bundle(
    root: Path,
    csv: str | None = BASE_CSV,
    annotations: str | None = ANNOTATIONS,
    files: dict[str, str] | None = None,
) -> Path:
    """Write a bundle under ``root`` (CSV, CRD, annotations.yaml, extra ``files`` by
    relative path; ``None`` leaves a part out) and return ``root``."""
    contents = {"manifests/example.com_widgets.yaml": CRD, **(files or {})}
    if csv is not None:
        contents[CSV_FILE] = csv
    if annotations is not None:
        contents["metadata/annotations.yaml"] = annotations
    for relative, text in contents.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "manifests").mkdir(parents=True, exist_ok=True)
    return root


def hits(
    bundle: Path,
    select: tuple[str, ...] = (),
    profile: str = "default",
    minimum: Severity = Severity.WARNING,
) -> list[tuple[str, str, int | None, int | None]]:
    """``(rule, file relative to the bundle, line, column)`` of every finding at or above
    ``minimum``, in report order."""
    report = validate_bundles([bundle], select=select, profile=profile)
    return [
        (
            f.rule,
            str(Path(f.location.path).relative_to(bundle)),
            f.location.line,
            f.location.column,
        )
        for f in report.sorted_findings()
        if f.severity >= minimum
    ]
