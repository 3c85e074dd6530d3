"""``CSV001`` and ``BND008``: the JSON Schemas of ``schemas/`` applied to the CSV and to
``metadata/annotations.yaml``, with severities that follow what OLM actually rejects.

``csv.schema.json`` is generated from OLM's CSV CRD, i.e. what the API server enforces on
the object OLM creates. OLM does not send the bundle's YAML as written: it decodes the CSV
into its Go types (``operators/v1alpha1.ClusterServiceVersion``) and creates that, so

- a value of the wrong type, outside an enum or failing a pattern breaks the install (the
  Go decoding or the API server fails): **error**;
- a missing required field is decided per field by its Go type (operator-framework/api
  ``pkg/operators/v1alpha1``, k8s.io/api): a plain string, number, boolean or struct
  without ``omitempty`` goes out as its zero value (``displayName: ""``), which the API
  server accepts, so the CSV installs and other readers (console, kubectl, opm) see an
  incomplete object: **warning**; a pointer, slice or map without ``omitempty`` goes out
  as ``null``, which the API server prunes from a non-nullable field before checking
  ``required``, and an ``omitempty`` field is left out: the CSV is refused, or OLM builds
  an object the API refuses (webhook ``sideEffects`` and ``admissionReviewVersions`` go
  into a v1 webhook configuration that requires them): **error**
  (:data:`NOT_ZERO_FILLED`); a wrong ``apiVersion`` is replaced by the typed client:
  **warning**.

Schema findings on nodes that a semantic rule checks with a more precise message are left
to that rule (annotations: CSV009, ``spec.version``: CSV002, ``spec.minKubeVersion``:
CSV006, ``spec.replaces``/``spec.skips``: CSV004; document-level ``apiVersion``/``kind``:
BND007; the annotations.yaml keys package, channels, mediatype: BND001/BND003/BND004).

PASS: ``spec.installModes[0].supported: true``.
FAIL: ``spec.installModes[0].supported: "yes"`` (error);
``spec.customresourcedefinitions.owned[0].resources[0]`` without ``name`` (warning).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from bundle_tools.bundle import CHANNELS_KEY, MEDIATYPE_KEY, PACKAGE_KEY
from bundle_tools.csv_model import get_path
from bundle_tools.findings import Severity
from bundle_tools.rules import Hit, rule
from bundle_tools.yamlio import escape_pointer_part, locate, split_pointer

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext
    from bundle_tools.yamlio import Document

#: JSON pointers whose schema hits semantic rules report instead: ``(exact pointers,
#: pointers owned with their whole subtree)``.
CSV_OWNED = (
    ("",),
    (
        "/metadata/annotations",
        "/spec/version",
        "/spec/minKubeVersion",
        "/spec/replaces",
        "/spec/skips",
    ),
)
ANNOTATIONS_OWNED = (
    ("", "/annotations"),
    tuple(
        f"/annotations/{escape_pointer_part(k)}" for k in (PACKAGE_KEY, CHANNELS_KEY, MEDIATYPE_KEY)
    ),
)
_REQUIRED = re.compile(r"missing required fields? (.*)$")

#: Required fields (schema paths, ``[]`` for any index) whose Go field does not go out as
#: a zero value that satisfies ``required`` when the bundle leaves it out: ``omitempty``
#: (``ObjectMeta.Name``), pointers and slices (``null``: ``StrategyDetailsDeployment.
#: DeploymentSpecs``, ``StrategyDeploymentPermissions.Rules``, ``PolicyRule.Verbs``,
#: ``DeploymentSpec.Selector``, ``PodSpec.Containers``, ``NodeAffinity``'s
#: ``NodeSelectorTerms``, ``WebhookDescription.SideEffects`` and
#: ``AdmissionReviewVersions``), or a zero value outside the field's enum
#: (``WebhookDescription.Type``).
NOT_ZERO_FILLED = frozenset(
    {
        "metadata/name",
        "spec/install/spec/deployments",
        "spec/install/spec/permissions/[]/rules",
        "spec/install/spec/clusterPermissions/[]/rules",
        "spec/install/spec/permissions/[]/rules/[]/verbs",
        "spec/install/spec/clusterPermissions/[]/rules/[]/verbs",
        "spec/install/spec/deployments/[]/spec/selector",
        "spec/install/spec/deployments/[]/spec/template/spec/containers",
        "spec/install/spec/deployments/[]/spec/template/spec/affinity/nodeAffinity/"
        "requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms",
        "spec/webhookdefinitions/[]/admissionReviewVersions",
        "spec/webhookdefinitions/[]/sideEffects",
        "spec/webhookdefinitions/[]/type",
    }
)


def _schema_path(pointer: str, field: str) -> str:
    """``/spec/webhookdefinitions/0`` and ``sideEffects`` -> the :data:`NOT_ZERO_FILLED`
    form ``spec/webhookdefinitions/[]/sideEffects``."""
    parts = ["[]" if p.isdigit() else p for p in split_pointer(pointer)]
    return "/".join([*parts, field])


def _owned(pointer: str, owned: tuple[Sequence[str], Sequence[str]]) -> bool:
    exact, subtrees = owned
    return pointer in exact or any(pointer == p or pointer.startswith(p + "/") for p in subtrees)


def _node(data: Any, pointer: str) -> Any:
    parts = [int(p) if p.isdigit() else p for p in split_pointer(pointer)]
    return get_path(data, parts)


def _rename_hint(node: Any, message: str) -> str | None:
    """For a missing required field, a hint naming a key that differs only in case
    (``Kind`` for ``kind``): Kubernetes keys are case-sensitive."""
    found = _REQUIRED.search(message)
    if found is None or not isinstance(node, dict):
        return None
    for name in re.findall(r"'([^']+)'", found.group(1)):
        near = [k for k in node if isinstance(k, str) and k != name and k.lower() == name.lower()]
        if near:
            return f"rename key {near[0]!r} to {name!r} (keys are case-sensitive)"
    return None


def _schema_hits(
    ctx: BundleContext, name: str, doc: Document, owned: tuple[Sequence[str], Sequence[str]]
) -> Iterator[tuple[Hit, Any]]:
    """``(hit, node)`` of every schema hit of ``doc`` outside ``owned`` pointers."""
    from bundle_tools.schemas import schema_hits

    path = ctx.path_of(doc.path)
    for hit in schema_hits(name, doc.data, path, lambda parts: locate(doc.data, parts)):
        if not _owned(hit.location.pointer, owned):
            yield hit, _node(doc.data, hit.location.pointer)


@rule(
    "CSV001",
    severity=Severity.ERROR,
    summary="the CSV matches OLM's CSV CRD schema (schemas/csv.schema.json)",
    source="operator-framework/api crds/operators.coreos.com_clusterserviceversions.yaml "
    "(the API server's validation of the CSV)",
)
def csv_schema(ctx: BundleContext) -> Iterator[Hit]:
    """Type, enum, pattern and bound violations are errors: OLM's Go decoding or the API
    server refuses the CSV and nothing installs. A missing required field is an error or
    a warning by its Go type (see the module docstring and :data:`NOT_ZERO_FILLED`); a
    wrong top-level ``apiVersion`` is a warning: OLM sends its own API version."""
    if ctx.csv is None:
        return
    for hit, node in _schema_hits(ctx, "csv", ctx.csv, CSV_OWNED):
        found = _REQUIRED.search(hit.message)
        if found is not None:
            yield from _missing_fields(hit, node, found)
            continue
        if hit.location.pointer in ("/apiVersion", "/kind"):
            yield Hit(
                message=hit.message + " (OLM's typed client sends its own API version, so "
                "it installs)",
                location=hit.location,
                hint=hit.hint or _rename_hint(node, hit.message),
                severity=Severity.WARNING,
            )
        else:
            yield Hit(
                message=hit.message + " (OLM cannot decode or create the CSV)",
                location=hit.location,
                hint=hit.hint,
            )


def _missing_fields(hit: Hit, node: Any, found: re.Match[str]) -> Iterator[Hit]:
    """Split one "missing required fields" schema hit into an error for the fields in
    :data:`NOT_ZERO_FILLED` and a warning for the zero-filled others."""
    prefix = hit.message[: found.start()]
    names = re.findall(r"'([^']+)'", found.group(1))
    refused = [n for n in names if _schema_path(hit.location.pointer, n) in NOT_ZERO_FILLED]
    filled = [n for n in names if n not in refused]
    hint = hit.hint or _rename_hint(node, hit.message)
    for group, severity, why in (
        (
            refused,
            Severity.ERROR,
            " (OLM creates the CSV from its Go types, where these go out as null or not at "
            "all: the API server refuses the CSV, or the object OLM builds from it)",
        ),
        (
            filled,
            Severity.WARNING,
            " (OLM creates the CSV from its Go types, which fill in an empty value, so it "
            "installs)",
        ),
    ):
        if group:
            plural = "s" if len(group) > 1 else ""
            listed = ", ".join(repr(n) for n in group)
            yield Hit(
                message=f"{prefix}missing required field{plural} {listed}{why}",
                location=hit.location,
                hint=hint,
                severity=severity,
            )


@rule(
    "BND008",
    severity=Severity.ERROR,
    summary="metadata/annotations.yaml matches schemas/annotations.schema.json "
    "(every value a string)",
    source="operator-registry pkg/lib/bundle (annotations decoded as map[string]string)",
)
def annotations_schema(ctx: BundleContext) -> Iterator[Hit]:
    """opm decodes ``annotations:`` as ``map[string]string``: a boolean, number, list or
    mapping value makes it fail to read the bundle. (Missing package, channels and
    mediatype are BND001/BND003/BND004.)"""
    doc = ctx.bundle.annotations
    if doc is None or not isinstance(get_path(doc.data, ("annotations",)), dict):
        return
    for hit, _ in _schema_hits(ctx, "annotations", doc, ANNOTATIONS_OWNED):
        yield Hit(
            message=hit.message + ": opm cannot read the bundle's annotations",
            location=hit.location,
            hint=hit.hint,
        )
