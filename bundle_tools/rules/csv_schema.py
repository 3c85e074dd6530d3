"""``CSV001`` and ``BND008``: the JSON Schemas of ``schemas/`` applied to the CSV and to
``metadata/annotations.yaml``, with severities that follow what OLM actually rejects.

``csv.schema.json`` is generated from OLM's CSV CRD, i.e. what the API server enforces on
the object OLM creates. OLM does not send the bundle's YAML as written: it decodes the CSV
into its Go types (``operators/v1alpha1.ClusterServiceVersion``) and creates that, so

- a value of the wrong type, outside an enum or failing a pattern breaks the install (the
  Go decoding or the API server fails): **error**;
- a missing required field is decided per field (:func:`required_field_kind`), first by
  what the API server sees: OLM sends the CSV as its Go types encode it, and
  :data:`~bundle_tools.rules.csv_required.REQUIRED_FIELDS`, derived mechanically by
  ``scripts/derive_csv_required.py`` from the Go types (json tags: ``omitempty``,
  pointer, slice, map) and this schema, says for every required field whether the
  encoded zero value is left out, ``null`` (pruned before the ``required`` check), or
  present but refused by the schema (the CSV is refused: **error**), present and
  accepted (**warning**, unless below), or under ``status`` (dropped on create:
  **warning**); then by what OLM builds from a zero-filled field: the deployment specs
  become Deployments that the API server validates as such (**error**, but for the few
  fields whose Kubernetes validation accepts the empty value, :data:`ACCEPTED_EMPTY`),
  and the install strategy name, deployment names, service account names and webhook
  names and selectors refuse an empty value (:data:`OLM_BUILDS`, **error**); a wrong
  ``apiVersion`` is replaced by the typed client: **warning**.

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
from bundle_tools.rules.csv_required import REQUIRED_FIELDS
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

#: Where a deployment's spec starts: OLM creates an apps/v1 Deployment from it, which the
#: API server validates as any Deployment (k8s.io/kubernetes ``pkg/apis/apps/validation``,
#: ``pkg/apis/core/validation``), far beyond the CSV CRD's schema.
DEPLOYMENT_SPEC = "spec/install/spec/deployments/[]/spec/"
#: Required fields of the Deployment (parent path ending, field) whose Kubernetes
#: validation accepts the zero value OLM fills in: an HTTP header's ``value`` (only the
#: name is checked, ``validateHTTPGetAction``), a sysctl's ``value`` (only the name,
#: ``validateSysctls``), iSCSI ``lun`` 0 (0-255) and an empty preferred node-affinity
#: ``preference`` (``ValidateNodeSelectorTerm`` checks only the expressions it holds).
#: Not ``sleep.seconds``: 0 is refused unless the cluster has Kubernetes 1.33's
#: PodLifecycleSleepActionAllowZero (KEP-4818); not under ``ephemeralContainers``: a pod
#: template may hold none (``ValidatePodTemplateSpec``).
ACCEPTED_EMPTY = frozenset(
    {
        ("/httpHeaders/[]", "value"),
        ("/sysctls/[]", "value"),
        ("/iscsi", "lun"),
        ("/preferredDuringSchedulingIgnoredDuringExecution/[]", "preference"),
    }
)
#: Zero-filled required fields outside the Deployment that OLM turns into something the
#: cluster refuses empty, with why. Sources (operator-lifecycle-manager): the strategy,
#: ``pkg/controller/install/resolver.go`` ``StrategyResolver.UnmarshalStrategy``
#: ("unrecognized install strategy"); the deployment and service account names,
#: ``pkg/controller/install/deployment.go`` (Deployments) and the InstallPlan's
#: ServiceAccount and RBAC steps (``pkg/controller/registry/resolver/rbac.go``); the webhook
#: name and object selector, operator-framework/api ``WebhookDescription.GetMutatingWebhook``
#: / ``GetValidatingWebhook`` and ``pkg/controller/install/webhook.go``.
OLM_BUILDS: dict[str, str] = {
    "spec/install/strategy": "OLM accepts no install strategy but 'deployment' and fails "
    "the CSV as an unrecognized install strategy",
    "spec/install/spec/deployments/[]/name": "OLM names the Deployment it creates after it",
    "spec/install/spec/permissions/[]/serviceAccountName": "OLM creates the ServiceAccount "
    "and binds the rules to it by this name",
    "spec/install/spec/clusterPermissions/[]/serviceAccountName": "OLM creates the "
    "ServiceAccount and binds the rules to it by this name",
    "spec/webhookdefinitions/[]/generateName": "it becomes the webhook's name in the "
    "webhook configuration OLM creates, which must be a fully qualified name",
    "spec/webhookdefinitions/[]/objectSelector/matchExpressions/[]/key": "it goes into the "
    "webhook configuration's label selector, which the API server validates",
    "spec/webhookdefinitions/[]/objectSelector/matchExpressions/[]/operator": "it goes into "
    "the webhook configuration's label selector, which the API server validates",
}
#: Why each kind of :data:`~bundle_tools.rules.csv_required.REQUIRED_FIELDS` entry is
#: refused or accepted, as a message suffix.
WHY = {
    "omitted": "OLM creates the CSV from its Go types, which leave an empty value of this "
    "field out: the API server refuses the CSV",
    "null": "OLM creates the CSV from its Go types, which send null here, and the API "
    "server drops null before checking required fields: it refuses the CSV",
    "invalid": "OLM creates the CSV from its Go types, whose empty value here the CSV "
    "CRD's schema refuses: the API server refuses the CSV",
    "deployment": "OLM creates the CSV with the empty value, then a Deployment from this "
    "spec, which the API server refuses with it",
    "builds": "OLM creates the CSV with the empty value, but {}: the install fails",
    "zero": "OLM creates the CSV from its Go types, which fill in an empty value, so it installs",
    "status": "the API server drops status when OLM creates the CSV, so it installs",
}


def required_field_kind(parent: str, name: str) -> str:
    """How a CSV that leaves required field ``name`` of ``parent`` (a schema path, ``[]``
    for any index) out fares, a :data:`WHY` key (``builds``: see :data:`OLM_BUILDS`).
    ``omitted``, ``null``, ``invalid``, ``deployment`` and ``builds`` are refusals
    (errors), ``zero`` and ``status`` are not (warnings). Raises KeyError for a field the
    generated table does not know (a schema newer than the table)."""
    how = REQUIRED_FIELDS[parent][name]
    if how != "zero":
        return how
    path = f"{parent}/{name}"
    if path in OLM_BUILDS:
        return "builds"
    if path.startswith(DEPLOYMENT_SPEC) and not any(
        parent.endswith(end) and name == field and "/ephemeralContainers/" not in parent
        for end, field in ACCEPTED_EMPTY
    ):
        return "deployment"
    return "zero"


def _schema_path(pointer: str) -> str:
    """``/spec/webhookdefinitions/0`` -> the :data:`REQUIRED_FIELDS` form
    ``spec/webhookdefinitions/[]``."""
    return "/".join("[]" if p.isdigit() else p for p in split_pointer(pointer))


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
    a warning by field (see the module docstring and :func:`required_field_kind`); a
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
    """Split one "missing required fields" schema hit by :func:`required_field_kind`: one
    error or warning per kind, its reason in the message."""
    prefix = hit.message[: found.start()]
    parent = _schema_path(hit.location.pointer)
    by_kind: dict[str, list[str]] = {}
    for name in re.findall(r"'([^']+)'", found.group(1)):
        by_kind.setdefault(required_field_kind(parent, name), []).append(name)
    hint = hit.hint or _rename_hint(node, hit.message)
    for kind, names in by_kind.items():
        plural = "s" if len(names) > 1 else ""
        listed = ", ".join(repr(n) for n in names)
        why = WHY[kind]
        if kind == "builds":
            why = why.format("; ".join(OLM_BUILDS[f"{parent}/{n}"] for n in names))
        yield Hit(
            message=f"{prefix}missing required field{plural} {listed} ({why})",
            location=hit.location,
            hint=hint,
            severity=Severity.WARNING if kind in ("zero", "status") else Severity.ERROR,
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
