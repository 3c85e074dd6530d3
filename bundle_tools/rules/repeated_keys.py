"""``BND012``: no key is repeated in a mapping of a bundle file.

Real published bundles repeat keys (datadog-operator 0.7.0 repeats an annotation,
kaoto-operator 0.0.10 repeats ``minKubeVersion``) and install, because every reader on
the way keeps the last value: sigs.k8s.io/yaml (go-yaml v2 into ``map[string]interface{}``)
in opm and the API server's YAML decoding. The other rules see the bundle the same way
(the loader keeps the last value); this rule says which spelling wins, an error when the
spellings differ (one of them is not what the author meant), a warning when they agree.

PASS: ``minKubeVersion: 1.21.0`` once.
FAIL: ``minKubeVersion: 1.21.0`` then ``minKubeVersion: 1.25.0`` in the same mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from bundle_tools.findings import Location, Severity, pointer
from bundle_tools.rules import Hit, rule

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext
    from bundle_tools.yamlio import Document


def _documents(ctx: BundleContext) -> Iterator[Document]:
    """Every loaded document of the bundle: manifests, annotations, other metadata."""
    for docs in ctx.bundle.manifests.values():
        yield from docs
    if ctx.bundle.annotations is not None:
        yield ctx.bundle.annotations
    yield from ctx.metadata.values()


@rule(
    "BND012",
    severity=Severity.ERROR,
    summary="no key is repeated in a mapping (error when the values differ, warning when "
    "equal; the last value counts)",
    source="sigs.k8s.io/yaml (go-yaml v2) as opm and the API server decode bundles: the "
    "last value of a repeated key wins",
)
def repeated_keys(ctx: BundleContext) -> Iterator[Hit]:
    """One hit per repeated key, at its last spelling (the one that counts)."""
    for doc in _documents(ctx):
        for repeated in doc.duplicates:
            line, column = repeated.repeat
            where = pointer(repeated.parts) or "/"
            differ = "with another value" if not repeated.same else "with the same value"
            yield Hit(
                message=f"key {repeated.key!r} of {where} is repeated {differ} (first at "
                f"line {repeated.first[0]}); the cluster keeps this last one",
                location=Location(
                    path=ctx.path_of(doc.path),
                    pointer=pointer((*repeated.parts, repeated.key)),
                    line=line,
                    column=column,
                ),
                hint="remove the spelling that is not meant",
                severity=Severity.WARNING if repeated.same else None,
            )
