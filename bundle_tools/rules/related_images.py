"""``CSV020``: every image a ``RELATED_IMAGE_*`` env var names is listed in
``spec.relatedImages``.

Operators read the images of their operands from ``RELATED_IMAGE_<NAME>`` env vars (the
operator-sdk convention that OLM's related-images design builds on). What a
disconnected cluster mirrors is the bundle's ``relatedImages`` (``opm render`` copies
``spec.relatedImages`` plus the deployment containers' own images into the catalog,
never env values; ``oc-mirror`` copies that list), so an image that is only in an env
var is not mirrored and the operand fails to pull on a disconnected cluster.

PASS: ``env: [{name: RELATED_IMAGE_DB, value: quay.io/x/db:1}]`` with
``relatedImages: [{name: db, image: quay.io/x/db:1}]``.
FAIL: the same env var with no ``relatedImages`` entry holding ``quay.io/x/db:1``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from bundle_tools.csv_model import as_list, get_path
from bundle_tools.findings import Severity
from bundle_tools.rules import Hit, rule

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext

ENV_PREFIX = "RELATED_IMAGE_"
DISCONNECTED_KEY = "features.operators.openshift.io/disconnected"


@rule(
    "CSV020",
    severity=Severity.WARNING,
    summary="every image of a RELATED_IMAGE_* env var is listed in spec.relatedImages "
    '(error when the CSV claims disconnected: "true")',
    source="operator-framework/enhancements related-images (RELATED_IMAGE_ env); "
    "operator-registry opm render (olm.bundle relatedImages from spec.relatedImages); "
    "OpenShift docs disconnected installs (oc-mirror)",
)
def env_images_listed(ctx: BundleContext) -> Iterator[Hit]:
    """A warning for each ``RELATED_IMAGE_*`` env value (a non-empty string; a
    ``valueFrom`` is not checked) of any container or init container that no
    ``spec.relatedImages`` entry holds, compared as written; an error when the CSV
    declares ``features.operators.openshift.io/disconnected: "true"``, a promise that
    every image is mirrored."""
    if ctx.csv is None:
        return
    listed = {
        image
        for entry in as_list(get_path(ctx.csv_data, ("spec", "relatedImages")))
        if isinstance(image := get_path(entry, ("image",)), str)
    }
    claims_disconnected = ctx.csv_annotations().get(DISCONNECTED_KEY) == "true"
    for parts, container, _, _ in ctx.containers():
        for i, env in enumerate(as_list(container.get("env"))):
            name = get_path(env, ("name",))
            value = get_path(env, ("value",))
            if not (isinstance(name, str) and name.startswith(ENV_PREFIX)):
                continue
            if not isinstance(value, str) or not value or value in listed:
                continue
            entry = name[len(ENV_PREFIX) :].lower()
            yield Hit(
                message=f"{name} image {value!r} is not in spec.relatedImages: disconnected "
                "mirroring (opm render, oc-mirror) will not copy it"
                + (f', yet the CSV sets {DISCONNECTED_KEY}: "true"' if claims_disconnected else ""),
                location=ctx.at(ctx.csv, (*parts, "env", i, "value")),
                hint=f"add {{name: {entry}, image: {value}}} to spec.relatedImages "
                f"(bundle-tools patch-csv --related-image {entry}={value} does)",
                severity=Severity.ERROR if claims_disconnected else None,
            )
