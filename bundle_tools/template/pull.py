"""Rendering bundle images pulled from a registry, the bundle renderer ``catalog
template`` uses for images not mapped to a local directory.

Like opm's ``action.Render`` for a bundle reference (operator-registry
``alpha/action/render.go``: ``renderReference``, then ``registry.NewImageInput``): the
image (its ``linux/amd64`` manifest when the reference names an index) must carry the
``operators.operatorframework.io.bundle.package.v1`` label; it is pulled into a
temporary bundle directory by :func:`bundle_tools.images.pull.pull_bundle` and rendered
by :func:`bundle_tools.fbc.render.render_bundle`.

Bundles are rendered as opm v1.26.5's ``render-template`` writes them: with
``--metadata objects``, the ``olm.bundle.object`` properties in manifest-file order
(:data:`bundle_tools.fbc.render.ObjectOrder` ``files``).

Rendered bundles are cached on disk, keyed by the image reference as written, the digest
its tag points at (one manifest HEAD request), the metadata form, the object order and
the bundle-tools version (a new release renders afresh): re-rendering a
template whose images did not change touches the registry only for those HEAD requests,
never for layers. The cache lives in ``$BUNDLE_TOOLS_CACHE``, else
``$XDG_CACHE_HOME/bundle-tools/rendered-bundles``, else
``~/.cache/bundle-tools/rendered-bundles``; an unreadable entry is rendered again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from bundle_tools import __version__
from bundle_tools.errors import BundleToolsError, InputError
from bundle_tools.fbc.render import Metadata, render_bundle
from bundle_tools.imageref import ImageReference, InvalidReference, parse_reference
from bundle_tools.images.pull import pull_bundle
from bundle_tools.images.registry import RegistryClient
from bundle_tools.safewrite import locked, write_file
from bundle_tools.template.engine import OBJECT_ORDER, BundleRenderer


def cache_dir() -> Path:
    """Where rendered bundles are cached (see the module docstring)."""
    if explicit := os.environ.get("BUNDLE_TOOLS_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bundle-tools" / "rendered-bundles"


def _cache_path(image: str, digest: str, metadata: str) -> Path:
    form = f"{image}\n{digest}\n{metadata}\n{OBJECT_ORDER}\n{__version__}"
    key = hashlib.sha256(form.encode()).hexdigest()
    return cache_dir() / f"{key}.json"


def _cached(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _store(path: Path, blob: dict[str, Any]) -> None:
    """Keep ``blob`` at ``path`` (an atomic write under the cache directory's lock); a
    cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with locked(path.parent):
            write_file(path, json.dumps(blob).encode())
    except (OSError, BundleToolsError):
        return


def registry_renderer(client: RegistryClient, metadata: Metadata = "csv") -> BundleRenderer:
    """A :data:`~bundle_tools.template.engine.BundleRenderer` pulling each image through
    ``client`` (or taking it from the cache). The renderer raises InputError for an
    invalid reference, BundleToolsError for an image that is no bundle image or has a
    layer that is not a tar (:func:`~bundle_tools.images.pull.pull_bundle`), and
    RegistryError when a request fails."""

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
    with tempfile.TemporaryDirectory(prefix="bundle-tools-bundle-") as tmp:
        pulled = pull_bundle(client, ref, Path(tmp) / "bundle")
        with pulled.named():
            return render_bundle(pulled.root, image, metadata, OBJECT_ORDER).blob
