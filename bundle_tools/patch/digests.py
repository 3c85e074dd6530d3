"""``patch-csv --pin-digests``: every image reference of a CSV from tag to digest, and every
image the operator runs listed in ``spec.relatedImages`` (what mirroring for disconnected
clusters reads: ``oc adm catalog mirror`` and ``oc-mirror`` copy the relatedImages of each
bundle).

Image references: deployment ``containers`` and ``initContainers`` images,
``RELATED_IMAGE_*`` env values, the ``containerImage`` annotation and
``spec.relatedImages[].image``. A reference with a tag (or neither tag nor digest:
``latest``) becomes ``REPOSITORY@DIGEST``, the repository written as in the CSV; one
already holding a digest is kept. Digests come from a ``resolve`` callable (the registry
client in the CLI), so this module does no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bundle_tools.errors import BundleToolsError
from bundle_tools.imageref import InvalidReference, parse_reference
from bundle_tools.patch.model import ANNOTATIONS, DEPLOYMENTS, Planner, get_path
from bundle_tools.patch.textedit import PathParts

#: ``resolve(reference text)`` -> ``sha256:...``; raises BundleToolsError when it cannot.
Resolver = Callable[[str], str]
_MISSING = object()
PREFIX = "RELATED_IMAGE_"


def _current(plan: Planner, path: PathParts) -> object:
    """The value at ``path`` after the edits planned so far (``--operator-image`` ...)."""
    return plan.planned.get(path, get_path(plan.data, path, _MISSING))


def image_paths(plan: Planner) -> Iterator[tuple[PathParts, str]]:
    """``(path, name)`` of every image reference of the CSV, in document order; ``name``
    is what a new ``spec.relatedImages`` entry for it is called (the container name, the
    ``RELATED_IMAGE_`` suffix in lower case, ``operator`` for the annotation) and empty
    for relatedImages entries themselves."""
    for d, deployment in enumerate(get_path(plan.data, DEPLOYMENTS) or []):
        pod = get_path(deployment, ("spec", "template", "spec")) or {}
        for kind in ("initContainers", "containers"):
            for c, box in enumerate(pod.get(kind) or [] if isinstance(pod, dict) else []):
                if not isinstance(box, dict):
                    continue
                base = (*DEPLOYMENTS, d, "spec", "template", "spec", kind, c)
                if "image" in box:
                    yield (*base, "image"), str(box.get("name") or "")
                for e, env in enumerate(box.get("env") or []):
                    name = env.get("name") if isinstance(env, dict) else None
                    if isinstance(name, str) and name.startswith(PREFIX) and "value" in env:
                        yield (*base, "env", e, "value"), name.removeprefix(PREFIX).lower()
    if _current(plan, (*ANNOTATIONS, "containerImage")) is not _MISSING:
        yield (*ANNOTATIONS, "containerImage"), "operator"
    for i, entry in enumerate(get_path(plan.data, ("spec", "relatedImages")) or []):
        if isinstance(entry, dict) and "image" in entry:
            yield ("spec", "relatedImages", i, "image"), ""


def pin_digests(plan: Planner, resolve: Resolver) -> None:
    """Pin every image reference (see the module docstring) and append a
    ``spec.relatedImages`` entry ``{image, name}`` for each pinned image no entry lists.
    Each distinct reference is resolved once. Raises InputError at the reference's line
    when it is not a valid reference or ``resolve`` fails (nothing is written then)."""
    cache: dict[str, str] = {}
    pinned_paths: list[tuple[PathParts, str, str]] = []
    for path, name in image_paths(plan):
        value = _current(plan, path)
        if not isinstance(value, str):
            raise plan.error(f"image reference must be a string, got {value!r}", path)
        pinned = cache.get(value)
        if pinned is None:
            pinned = cache[value] = _pinned(plan, path, value, resolve)
        plan.set(path, pinned)
        pinned_paths.append((path, name, pinned))
    listed = {image for path, name, image in pinned_paths if not name}
    taken = {
        str(entry.get("name"))
        for entry in get_path(plan.data, ("spec", "relatedImages")) or []
        if isinstance(entry, dict)
    }
    for _, name, image in pinned_paths:
        if name and image not in listed:
            unique, n = name, 2
            while unique in taken:
                unique, n = f"{name}-{n}", n + 1
            plan.append(("spec", "relatedImages"), [{"image": image, "name": unique}])
            listed.add(image)
            taken.add(unique)


def _pinned(plan: Planner, path: PathParts, text: str, resolve: Resolver) -> str:
    try:
        ref = parse_reference(text)
    except InvalidReference as exc:
        raise plan.error(f"cannot pin {text!r}: not an image reference ({exc})", path) from None
    if ref.digest:
        return text
    try:
        digest = resolve(text)
    except BundleToolsError as exc:
        raise plan.error(f"cannot pin {text!r}: {exc}", path) from None
    repository = text.removesuffix(f":{ref.tag}") if ref.tag else text
    return f"{repository}@{digest}"
