"""``CSV001`` and ``BND008``: the JSON Schemas of ``schemas/`` applied to the CSV and to
``metadata/annotations.yaml``, with severities that follow what OLM actually rejects.

``csv.schema.json`` is generated from OLM's CSV CRD, i.e. what the API server enforces on
the object OLM creates. OLM does not send the bundle's YAML as written: it decodes the CSV
into its Go types (``operators/v1alpha1.ClusterServiceVersion``) and creates that, so

- a value of the wrong type, outside an enum or failing a pattern breaks the install (the
  Go decoding or the API server fails): **error**;
- a missing required field usually goes out as the Go zero value (``name: ""``), which the
  API server accepts, and a wrong ``apiVersion`` is replaced by the typed client: the CSV
  installs, other readers (console, kubectl, opm) see an incomplete object: **warning**.

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
    server refuses the CSV and nothing installs. Missing required fields and a wrong
    top-level ``apiVersion`` are warnings: OLM sends Go zero values and its own API
    version, so the CSV still installs, but the bundle is not what the CRD describes."""
    if ctx.csv is None:
        return
    for hit, node in _schema_hits(ctx, "csv", ctx.csv, CSV_OWNED):
        lenient = "missing required field" in hit.message or hit.location.pointer in (
            "/apiVersion",
            "/kind",
        )
        if lenient:
            suffix = (
                " (OLM creates the CSV from its Go types, which fill in an empty value or "
                "their own API version, so it installs)"
            )
            yield Hit(
                message=hit.message + suffix,
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
