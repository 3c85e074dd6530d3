"""What goes into a bundle image and a catalog image, and pulling a base image.

- A bundle image is what operator-sdk's ``bundle.Dockerfile`` builds: ``FROM scratch``,
  the bundle's ``manifests/`` and ``metadata/`` at ``/manifests/`` and ``/metadata/``
  (and ``tests/scorecard/`` at ``/tests/scorecard/`` when present), one label per
  ``metadata/annotations.yaml`` entry (``operators.operatorframework.io.bundle.*.v1``),
  which is how opm finds the directories in an image (operator-registry
  ``pkg/lib/bundle``).
- A catalog image holds the FBC directory at ``/configs/`` with the label
  ``operators.operatorframework.io.index.configs.v1=/configs``. On ``scratch`` it has no
  entrypoint (OLM serves it through the CatalogSource ``grpcPodConfig.extractContent``);
  on a base image (the opm image) it runs ``/bin/opm serve /configs
  --cache-dir=/tmp/cache``, the entrypoint and command ``opm generate dockerfile``
  writes (operator-registry ``alpha/action/generate_dockerfile.go``; the cache is built
  when the server starts, since no ``RUN`` step pre-populates it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bundle_tools.errors import BundleToolsError, InputError, UsageError
from bundle_tools.fbc.dockerfile import CONFIGS_LABEL
from bundle_tools.imageref import ImageReference
from bundle_tools.images.layer import build_layer, collect_tree, source_date_epoch
from bundle_tools.images.oci import (
    INDEX_TYPES,
    BaseImage,
    Image,
    Platform,
    build_image,
)

if TYPE_CHECKING:
    from bundle_tools.images.registry import RegistryClient

CONFIGS_DIR = "configs"
OPM_ENTRYPOINT = ("/bin/opm",)
OPM_CMD = ("serve", "/configs", "--cache-dir=/tmp/cache")


def bundle_labels(bundle_dir: Path) -> dict[str, str]:
    """The ``annotations:`` mapping of ``bundle_dir/metadata/annotations.yaml``, every
    value a string. Raises InputError when the file is missing, unparsable, or holds a
    non-string value (with its line)."""
    from bundle_tools.yamlio import load_file, locate

    path = bundle_dir / "metadata" / "annotations.yaml"
    if not path.is_file():
        raise InputError("missing metadata/annotations.yaml: the image labels come from it", path)
    docs = load_file(path)
    data = docs[0].data if docs else None
    annotations = data.get("annotations") if isinstance(data, dict) else None
    if not isinstance(annotations, dict):
        raise InputError("no annotations: mapping", path)
    labels = {}
    for key, value in annotations.items():
        if not isinstance(key, str) or not isinstance(value, str):
            line, column = locate(data, ("annotations", key))
            raise InputError("image label keys and values must be strings", path, line, column)
        labels[key] = value
    return labels


def build_bundle_image(
    bundle_dir: str | Path,
    platforms: Sequence[Platform],
    extra_labels: Mapping[str, str] | None = None,
) -> Image:
    """The bundle image of ``bundle_dir`` (see the module docstring) for ``platforms``,
    labelled with its annotations plus ``extra_labels`` (which win). Raises InputError
    for a missing ``manifests/`` or ``metadata/``, for one of the copied directories
    reached through a symbolic link out of ``bundle_dir``, and for files an image must
    not carry (see :mod:`bundle_tools.images.layer`)."""
    root = Path(bundle_dir)
    for name in ("manifests", "metadata"):
        if not (root / name).is_dir():
            raise InputError(f"not a bundle directory: no {name}/ directory", root)
    labels = {**bundle_labels(root), **(extra_labels or {})}
    entries = collect_tree(root / "manifests", "manifests", root)
    entries += collect_tree(root / "metadata", "metadata", root)
    scorecard = root / "tests" / "scorecard"
    if scorecard.is_dir():
        entries += collect_tree(scorecard, "tests/scorecard", root)
    epoch = source_date_epoch()
    return build_image(build_layer(entries, epoch), platforms, labels, created_epoch=epoch)


def build_catalog_image(
    catalog_dir: str | Path,
    platforms: Sequence[Platform],
    extra_labels: Mapping[str, str] | None = None,
    bases: Mapping[Platform, BaseImage] | None = None,
) -> Image:
    """The catalog image of FBC directory ``catalog_dir`` (its whole tree at
    ``/configs``) for ``platforms``, on ``bases`` (from :func:`pull_base`; ``None`` for
    scratch). Raises InputError as :func:`build_bundle_image`."""
    labels = {CONFIGS_LABEL: "/configs", **(extra_labels or {})}
    layer = build_layer(collect_tree(Path(catalog_dir), CONFIGS_DIR), source_date_epoch())
    return build_image(
        layer,
        platforms,
        labels,
        created_epoch=source_date_epoch(),
        bases=bases,
        entrypoint=OPM_ENTRYPOINT if bases else None,
        cmd=OPM_CMD if bases else None,
    )


def pull_base(
    client: RegistryClient, ref: ImageReference, platforms: Sequence[Platform]
) -> dict[Platform, BaseImage]:
    """Config and layers of base image ``ref`` for each of ``platforms``: from its index
    (by platform) or, for a single-platform image, the image itself when its config's
    os/architecture is the platform. Raises BundleToolsError when a platform is missing,
    RegistryError when a request fails."""
    top = client.get_manifest(ref)
    found: dict[Platform, BaseImage] = {}
    for platform in platforms:
        manifest = top
        if top.media_type in INDEX_TYPES or "manifests" in top.json():
            listed = top.json().get("manifests") or []
            entries = [e for e in listed if platform.matches(e.get("platform") or {})]
            if not entries:
                raise BundleToolsError(f"base image {ref} has no {platform} image")
            manifest = client.get_manifest(ref.with_digest(entries[0]["digest"]))
        body = manifest.json()
        config = json.loads(client.get_blob(ref, body["config"]["digest"]))
        if not platform.matches(config):
            have = f"{config.get('os')}/{config.get('architecture')}"
            raise BundleToolsError(f"base image {ref} is {have}, not {platform}")
        layers = list(body.get("layers") or [])
        blobs = {item["digest"]: client.get_blob(ref, item["digest"]) for item in layers}
        found[platform] = BaseImage(config=config, layers=layers, blobs=blobs)
    return found


def image_tag(ref: ImageReference) -> str:
    """The tag an image built for ``ref`` is stored under (``latest`` when none). Raises
    UsageError when ``ref`` holds a digest: a build makes a new digest."""
    if ref.digest:
        raise UsageError(f"--tag {ref} holds a digest; give a tag (the build makes the digest)")
    return ref.tag or "latest"
