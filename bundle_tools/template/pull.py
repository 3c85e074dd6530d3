"""Rendering bundle images pulled from a registry, the bundle renderer ``catalog
template`` uses for images not mapped to a local directory.

Like opm's ``action.Render`` for a bundle reference (operator-registry
``alpha/action/render.go``: ``renderReference``, then ``registry.NewImageInput``): the
image (its ``linux/amd64`` manifest when the reference names an index) must carry the
``operators.operatorframework.io.bundle.package.v1`` label; its layers are unpacked in
order into a temporary directory and the ``manifests/`` and ``metadata/`` found there are
rendered by :func:`bundle_tools.fbc.render.render_bundle`.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
from typing import Any

from bundle_tools.bundle import PACKAGE_KEY
from bundle_tools.errors import InputError
from bundle_tools.fbc.render import Metadata, render_bundle
from bundle_tools.imageref import InvalidReference, parse_reference
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


def registry_renderer(client: RegistryClient, metadata: Metadata = "csv") -> BundleRenderer:
    """A :data:`~bundle_tools.template.engine.BundleRenderer` pulling each image through
    ``client``. The renderer raises InputError for an invalid reference, an image without
    the bundle package label or with an unreadable layer, and RegistryError when a
    request fails."""

    def render(image: str) -> dict[str, Any]:
        try:
            ref = parse_reference(image)
        except InvalidReference as exc:
            raise InputError(f"invalid image reference: {exc}") from None
        base = pull_base(client, ref, [PLATFORM])[PLATFORM]
        labels = (base.config.get("config") or {}).get("Labels") or {}
        if PACKAGE_KEY not in labels:
            raise InputError(f"not a bundle image: it has no {PACKAGE_KEY} label")
        with tempfile.TemporaryDirectory(prefix="bundle-tools-bundle-") as root:
            for layer in base.layers:
                _unpack(base.blobs[layer["digest"]], root, image)
            return render_bundle(root, image, metadata).blob

    return render
