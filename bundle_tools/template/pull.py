"""Rendering bundle images pulled from a registry, the bundle renderer ``catalog
template`` uses for images not mapped to a local directory.

Like opm's ``action.Render`` for a bundle reference (operator-registry
``alpha/action/render.go``: ``renderReference``, then ``registry.NewImageInput``): the
image (its ``linux/amd64`` manifest when the reference names an index) must carry the
``operators.operatorframework.io.bundle.package.v1`` label; its layers are unpacked in
order into a temporary directory and the ``manifests/`` and ``metadata/`` found there are
rendered by :func:`bundle_tools.fbc.render.render_bundle`.

Rendered bundles are cached on disk, keyed by the image reference as written, the digest
its tag points at (one manifest HEAD request) and the metadata form: re-rendering a
template whose images did not change touches the registry only for those HEAD requests,
never for layers. The cache lives in ``$BUNDLE_TOOLS_CACHE``, else
``$XDG_CACHE_HOME/bundle-tools/rendered-bundles``, else
``~/.cache/bundle-tools/rendered-bundles``; an unreadable entry is rendered again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from bundle_tools.bundle import PACKAGE_KEY
from bundle_tools.errors import InputError
from bundle_tools.fbc.render import Metadata, render_bundle
from bundle_tools.imageref import ImageReference, InvalidReference, parse_reference
from bundle_tools.images.build import pull_base
from bundle_tools.images.oci import Platform
from bundle_tools.images.registry import RegistryClient
from bundle_tools.template.engine import BundleRenderer

#: The platform pulled from a multi-platform bundle image (bundle content is the same in
#: every platform; opm's registry picks the host's, usually this one).
PLATFORM = Platform.parse("linux/amd64")


def _unpack(data: bytes, root: str, image: str) -> None:
    """Extract one layer (tar, gzip/bzip2/xz compressed or not) into ``root``; files and
    links that would leave ``root`` are refused (``tarfile``'s ``data`` filter)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as layer:
            layer.extractall(root, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise InputError(f"cannot unpack a layer of {image}: {exc}") from None


def cache_dir() -> Path:
    """Where rendered bundles are cached (see the module docstring)."""
    if explicit := os.environ.get("BUNDLE_TOOLS_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bundle-tools" / "rendered-bundles"


def _cache_path(image: str, digest: str, metadata: str) -> Path:
    key = hashlib.sha256(f"{image}\n{digest}\n{metadata}".encode()).hexdigest()
    return cache_dir() / f"{key}.json"


def _cached(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _store(path: Path, blob: dict[str, Any]) -> None:
    """Keep ``blob`` at ``path`` (written to a temporary file, then renamed); a cache
    that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as tmp:
            tmp.write(json.dumps(blob).encode())
        os.replace(tmp.name, path)
    except OSError:
        return


def registry_renderer(client: RegistryClient, metadata: Metadata = "csv") -> BundleRenderer:
    """A :data:`~bundle_tools.template.engine.BundleRenderer` pulling each image through
    ``client`` (or taking it from the cache). The renderer raises InputError for an
    invalid reference, an image without the bundle package label or with an unreadable
    layer, and RegistryError when a request fails."""

    def render(image: str) -> dict[str, Any]:
        try:
            ref = parse_reference(image)
        except InvalidReference as exc:
            raise InputError(f"invalid image reference: {exc}") from None
        cached = _cache_path(image, client.resolve(ref), metadata)
        blob = _cached(cached)
        if blob is None:
            blob = _pull(client, ref, image, metadata)
            _store(cached, blob)
        return blob

    return render


def _pull(
    client: RegistryClient, ref: ImageReference, image: str, metadata: Metadata
) -> dict[str, Any]:
    """Pull bundle image ``ref`` (written ``image``) and render it."""
    base = pull_base(client, ref, [PLATFORM])[PLATFORM]
    labels = (base.config.get("config") or {}).get("Labels") or {}
    if PACKAGE_KEY not in labels:
        raise InputError(f"not a bundle image: it has no {PACKAGE_KEY} label")
    with tempfile.TemporaryDirectory(prefix="bundle-tools-bundle-") as root:
        for layer in base.layers:
            _unpack(base.blobs[layer["digest"]], root, image)
        return render_bundle(root, image, metadata).blob
