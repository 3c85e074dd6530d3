"""Release-field edits, so a release pipeline needs no ``yq``: ``spec.version`` with the
``.vX.Y.Z`` suffix of ``metadata.name``, ``RELATED_IMAGE_*`` env vars with their
``spec.relatedImages`` entries. (``replaces``, ``olm.skipRange``, the operator image and
``createdAt`` are single values that ``csvpatch.patch_csv_text`` sets directly.)
"""

from __future__ import annotations

import re

from bundle_tools.patch.model import DEPLOYMENTS, Planner, get_path
from bundle_tools.patch.textedit import PathParts

_NAME_VERSION = re.compile(r"(?P<base>.+)\.v(?P<version>\d+\.\d+\.\d+\S*)")


def _env_name(name: str) -> str:
    """``component_quay`` -> ``RELATED_IMAGE_COMPONENT_QUAY``."""
    return "RELATED_IMAGE_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def patch_related_image(plan: Planner, container: PathParts, name: str, ref: str) -> None:
    """Point every ``RELATED_IMAGE_<NAME>`` env var of every deployment (containers and
    initContainers) at ``ref``, or add one to ``container`` when none exists; set the
    matching ``spec.relatedImages`` entry (names compared as env names, so ``quay-db``
    matches ``quay_db``) or add ``{image, name}``. Raises InputError for such an env var
    that takes its value from ``valueFrom``."""
    env_name = _env_name(name)
    found = False
    for d, deployment in enumerate(get_path(plan.data, DEPLOYMENTS) or []):
        pod = get_path(deployment, ("spec", "template", "spec")) or {}
        for kind in ("initContainers", "containers"):
            for c, box in enumerate(pod.get(kind) or []):
                env_list = box.get("env") if isinstance(box, dict) else None
                for e, env in enumerate(env_list or []):
                    if isinstance(env, dict) and env.get("name") == env_name:
                        found = True
                        path = (*DEPLOYMENTS, d, "spec", "template", "spec", kind, c, "env", e)
                        if "valueFrom" in env:
                            raise plan.error(
                                f"{env_name} takes its value from valueFrom; "
                                "set the image there instead",
                                path,
                            )
                        plan.set((*path, "value"), ref)
    if not found:
        plan.append((*container, "env"), [{"name": env_name, "value": ref}])
    related = get_path(plan.data, ("spec", "relatedImages")) or []
    for i, entry in enumerate(related):
        if isinstance(entry, dict) and _env_name(str(entry.get("name"))) == env_name:
            plan.set(("spec", "relatedImages", i, "image"), ref)
            return
    plan.append(("spec", "relatedImages"), [{"image": ref, "name": name}])


def patch_version(plan: Planner, version: str) -> None:
    """Set ``spec.version`` and the version after ``.v`` in ``metadata.name``. Raises
    InputError when the name has no ``.vX.Y.Z`` suffix."""
    plan.set(("spec", "version"), version)
    name = get_path(plan.data, ("metadata", "name"))
    match = _NAME_VERSION.fullmatch(str(name)) if isinstance(name, str) else None
    if match is None:
        raise plan.error(
            f"metadata.name {name!r} has no .vX.Y.Z suffix to set the version in",
            ("metadata", "name"),
        )
    plan.set(("metadata", "name"), f"{match['base']}.v{version}")
