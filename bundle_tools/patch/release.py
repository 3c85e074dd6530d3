"""Release-field edits, so a release pipeline needs no ``yq``: ``spec.version`` with the
``.vX.Y.Z`` suffix of ``metadata.name``, ``RELATED_IMAGE_*`` env vars with their
``spec.relatedImages`` entries, the operator image with the relatedImages entries that
listed it. (``replaces``, ``olm.skipRange`` and ``createdAt`` are single values that
``csvpatch.patch_csv_text`` sets directly.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bundle_tools.names import csv_name_problem, split_csv_name
from bundle_tools.patch.model import (
    ANNOTATIONS,
    DEPLOYMENTS,
    Planner,
    related_image_env,
)
from bundle_tools.patch.textedit import PathParts


def patch_related_image(
    plan: Planner, container: PathParts, name: str, ref: str, *, new_entry: bool = True
) -> None:
    """Point every ``RELATED_IMAGE_<NAME>`` env var of every deployment (containers and
    initContainers) at ``ref``, or add one to ``container`` when none exists; set the
    ``spec.relatedImages`` entries of that name (names compared as env names, so
    ``quay-db`` matches ``quay_db``) or of the env var's old image, or add
    ``{image, name}`` (unless ``new_entry`` is False). Raises InputError for such an env
    var that takes its value from ``valueFrom``."""
    env_name = related_image_env(name)
    old_images: set[str] = set()
    for d, _ in plan.entries(DEPLOYMENTS):
        pod = (*DEPLOYMENTS, d, "spec", "template", "spec")
        for kind in ("initContainers", "containers"):
            for c, _ in plan.entries((*pod, kind)):
                env_list = (*pod, kind, c, "env")
                for e, env in plan.entries(env_list):
                    if plan.value((*env_list, e, "name")) == env_name:
                        path = (*env_list, e)
                        if "valueFrom" in env:
                            raise plan.error(
                                f"{env_name} takes its value from valueFrom; "
                                "set the image there instead",
                                path,
                            )
                        old_images.add(str(plan.value((*path, "value"))))
                        plan.set((*path, "value"), ref)
    if not old_images:
        plan.append((*container, "env"), [{"name": env_name, "value": ref}])
    named = _related_entries(plan, lambda e: related_image_env(str(e.get("name"))) == env_name)
    followed = _follow(plan, named + _listing(plan, old_images), ref)
    if not followed and new_entry:
        plan.append(("spec", "relatedImages"), [{"image": ref, "name": name}])


def patch_operator_image(plan: Planner, container: PathParts, ref: str) -> None:
    """Set the operator container's image and the ``containerImage`` annotation to
    ``ref``; ``spec.relatedImages`` entries that listed either old image follow, so
    mirroring for disconnected clusters gets the new image."""
    old_images = {
        image
        for image in (
            plan.string((*container, "image")),
            plan.string((*ANNOTATIONS, "containerImage")),
        )
        if image is not None
    }
    plan.set((*container, "image"), ref)
    plan.set((*ANNOTATIONS, "containerImage"), ref)
    _follow(plan, _listing(plan, old_images), ref)


def _related_entries(plan: Planner, match: Callable[[dict[str, Any]], bool]) -> list[int]:
    """Indices of the ``spec.relatedImages`` entries that ``match``."""
    return [i for i, e in plan.entries(("spec", "relatedImages")) if match(e)]


def _listing(plan: Planner, images: set[str]) -> list[int]:
    """Indices of the ``spec.relatedImages`` entries whose ``image`` is one of
    ``images`` (an image that is no string, a list say, is none of them)."""
    return _related_entries(plan, lambda e: isinstance(i := e.get("image"), str) and i in images)


def _follow(plan: Planner, entries: list[int], ref: str) -> bool:
    """Set the image of each ``spec.relatedImages`` entry in ``entries`` to ``ref``;
    False when there is none."""
    for i in dict.fromkeys(entries):
        plan.set(("spec", "relatedImages", i, "image"), ref)
    return bool(entries)


def patch_version(plan: Planner, version: str) -> None:
    """Set ``spec.version`` and the version suffix of ``metadata.name`` (``.vX.Y.Z``, or
    ``.X.Y.Z`` when the name has no ``v``; split as :func:`bundle_tools.names.split_csv_name`
    splits it for CSV004 and CSV018). Raises InputError when the name has no such suffix
    or the new name is not a valid CSV name (:func:`bundle_tools.names.csv_name_problem`)."""
    plan.set(("spec", "version"), version)
    name = plan.value(("metadata", "name"))
    parts = split_csv_name(name) if isinstance(name, str) else None
    if parts is None:
        raise plan.error(
            f"metadata.name {name!r} has no .vX.Y.Z (or .X.Y.Z) suffix to set the version in",
            ("metadata", "name"),
        )
    new_name = name[: len(name) - len(parts[1])] + version
    if problem := csv_name_problem(new_name):  # the check CSV017 makes of metadata.name
        raise plan.error(
            f"--version {version}: metadata.name would be {new_name!r}, which {problem}",
            ("metadata", "name"),
        )
    plan.set(("metadata", "name"), new_name)
