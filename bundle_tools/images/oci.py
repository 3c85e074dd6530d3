"""OCI image manifests, configs and indexes (OCI image-spec v1.1), built in memory, and the
two file outputs: an OCI image layout directory and the same layout as a tar archive.

Everything is deterministic: JSON is written compactly with a fixed key order, ``created``
comes from ``SOURCE_DATE_EPOCH`` (see :mod:`bundle_tools.images.layer`), so equal input
gives equal digests.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bundle_tools.errors import InputError, UsageError
from bundle_tools.images.layer import Layer, digest_of

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
#: Media types a pull accepts, in preference order.
MANIFEST_TYPES = (INDEX, MANIFEST, DOCKER_LIST, DOCKER_MANIFEST)
INDEX_TYPES = (INDEX, DOCKER_LIST)
REF_NAME = "org.opencontainers.image.ref.name"
_PLATFORM = re.compile(r"(?P<os>[a-z0-9]+)/(?P<arch>[a-z0-9_]+)(?:/(?P<variant>[a-z0-9]+))?")


def dump_json(value: Any) -> bytes:
    """Compact UTF-8 JSON in the key order given: the exact bytes a digest is taken of."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Platform:
    """``os/architecture[/variant]`` as ``--platform`` takes it (``linux/arm64/v8``)."""

    os: str
    architecture: str
    variant: str | None = None

    @classmethod
    def parse(cls, text: str) -> Platform:
        """Parse ``os/arch[/variant]``; raises UsageError when malformed."""
        match = _PLATFORM.fullmatch(text)
        if match is None:
            raise UsageError(f"invalid --platform {text!r}: expected os/arch[/variant]")
        return cls(match["os"], match["arch"], match["variant"])

    def to_dict(self) -> dict[str, str]:
        """The image-spec ``platform`` object: ``{"architecture", "os"[, "variant"]}``."""
        value = {"architecture": self.architecture, "os": self.os}
        if self.variant:
            value["variant"] = self.variant
        return value

    def matches(self, value: Mapping[str, Any]) -> bool:
        """True when an index entry's ``platform`` mapping is this platform (a missing
        variant matches any)."""
        return (
            value.get("os") == self.os
            and value.get("architecture") == self.architecture
            and (self.variant is None or value.get("variant") == self.variant)
        )

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


def descriptor(media_type: str, data: bytes, **extra: Any) -> dict[str, Any]:
    """``{"mediaType", "digest", "size", ...extra}`` of ``data``."""
    return {"mediaType": media_type, "digest": digest_of(data), "size": len(data), **extra}


@dataclass(slots=True)
class BaseImage:
    """The image a build starts from, for one platform: its parsed ``config`` (image-spec
    config JSON) and ``layers`` (descriptors, in order), with every layer's bytes in
    ``blobs`` (digest -> bytes)."""

    config: dict[str, Any]
    layers: list[dict[str, Any]]
    blobs: dict[str, bytes] = field(default_factory=dict)


@dataclass(slots=True)
class Image:
    """A built image: the top-level ``manifest`` bytes (an image manifest or, for several
    platforms, an index) of ``media_type``, and every blob it reaches in ``blobs`` (digest
    -> bytes: layers, configs and, for an index, the per-platform manifests), in the order
    a push must upload them (each manifest after the blobs it names)."""

    media_type: str
    manifest: bytes
    blobs: dict[str, bytes]
    manifest_types: dict[str, str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """Digest of the top-level manifest: what ``REF@digest`` pins."""
        return digest_of(self.manifest)

    @property
    def size(self) -> int:
        """Size of the top-level manifest in bytes."""
        return len(self.manifest)


def created_timestamp(epoch: int) -> str:
    """RFC 3339 UTC time of ``epoch`` seconds (``1970-01-01T00:00:00Z`` for 0)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _config(
    platform: Platform,
    base: BaseImage | None,
    layer: Layer,
    labels: Mapping[str, str],
    created: str,
    entrypoint: Sequence[str] | None,
    cmd: Sequence[str] | None,
) -> dict[str, Any]:
    inherited = dict(base.config) if base else {}
    settings = dict(inherited.get("config") or {})
    settings["Labels"] = {**(settings.get("Labels") or {}), **labels}
    if entrypoint is not None:
        settings["Entrypoint"] = list(entrypoint)
        settings["Cmd"] = list(cmd or [])
    diff_ids = list((inherited.get("rootfs") or {}).get("diff_ids") or [])
    config: dict[str, Any] = {"created": created, **platform.to_dict(), "config": settings}
    config["rootfs"] = {"type": "layers", "diff_ids": [*diff_ids, layer.diff_id]}
    history = list(inherited.get("history") or [])
    history.append({"created": created, "created_by": "bundle-tools"})
    config["history"] = history
    return config


def build_image(
    layer: Layer,
    platforms: Sequence[Platform],
    labels: Mapping[str, str],
    *,
    created_epoch: int = 0,
    bases: Mapping[Platform, BaseImage] | None = None,
    entrypoint: Sequence[str] | None = None,
    cmd: Sequence[str] | None = None,
) -> Image:
    """An image holding ``layer`` on top of ``bases[platform]`` (or nothing: ``scratch``)
    for each of ``platforms``, labelled ``labels`` (added to the base's labels). One
    platform gives an image manifest; several give an index whose manifests share the
    layer. ``entrypoint``/``cmd`` replace the base's when given. Raises UsageError when
    ``platforms`` is empty or repeats one."""
    if not platforms:
        raise UsageError("at least one --platform is needed")
    if len(set(platforms)) != len(platforms):
        raise UsageError("a --platform is given twice")
    created = created_timestamp(created_epoch)
    blobs: dict[str, bytes] = {}
    manifests: list[tuple[Platform, bytes]] = []
    for platform in platforms:
        base = (bases or {}).get(platform)
        layers = []
        if base:
            for item in base.layers:
                blobs[item["digest"]] = base.blobs[item["digest"]]
                media_type = LAYER if item["mediaType"] == DOCKER_LAYER else item["mediaType"]
                layers.append(descriptor(media_type, base.blobs[item["digest"]]))
        blobs[layer.digest] = layer.data
        layers.append({"mediaType": LAYER, "digest": layer.digest, "size": layer.size})
        config = dump_json(_config(platform, base, layer, labels, created, entrypoint, cmd))
        blobs[digest_of(config)] = config
        manifest = {
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": descriptor(CONFIG, config),
            "layers": layers,
        }
        manifests.append((platform, dump_json(manifest)))
    if len(manifests) == 1:
        return Image(MANIFEST, manifests[0][1], blobs)
    types = {}
    for _, data in manifests:
        blobs[digest_of(data)] = data
        types[digest_of(data)] = MANIFEST
    index = {
        "schemaVersion": 2,
        "mediaType": INDEX,
        "manifests": [descriptor(MANIFEST, data, platform=p.to_dict()) for p, data in manifests],
    }
    return Image(INDEX, dump_json(index), blobs, types)


def _empty_index() -> dict[str, Any]:
    return {"schemaVersion": 2, "mediaType": INDEX, "manifests": []}


def _layout_index(root: Path) -> dict[str, Any]:
    index_path = root / "index.json"
    if not index_path.exists():
        return _empty_index()
    try:
        index = json.loads(index_path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(f"not an OCI layout index: {exc}", index_path) from None
    if not isinstance(index, dict) or not isinstance(index.get("manifests"), list):
        raise InputError("not an OCI layout index: no manifests list", index_path)
    return index


def _with_entry(index: dict[str, Any], image: Image, tag: str) -> dict[str, Any]:
    kept = [
        entry
        for entry in index["manifests"]
        if not (isinstance(entry, dict) and (entry.get("annotations") or {}).get(REF_NAME) == tag)
    ]
    entry = descriptor(image.media_type, image.manifest, annotations={REF_NAME: tag})
    return {**index, "manifests": [*kept, entry]}


def _layout_files(image: Image) -> dict[str, bytes]:
    files = {f"blobs/sha256/{d.split(':', 1)[1]}": data for d, data in image.blobs.items()}
    files[f"blobs/sha256/{image.digest.split(':', 1)[1]}"] = image.manifest
    return files


def write_layout(root: str | Path, image: Image, tag: str) -> None:
    """Add ``image`` to the OCI image layout at ``root`` (created when missing) under the
    ref name ``tag`` (``skopeo copy oci:ROOT:TAG``), replacing an entry with that name.
    Blobs are written before ``index.json``, which is replaced atomically, so an
    interrupted write never leaves the tag pointing at missing blobs. Raises InputError
    when ``root`` is a file, a non-empty directory that is no OCI layout (nothing is
    written into a bundle given by mistake), or holds an unreadable ``index.json``."""
    from bundle_tools.safewrite import write_file

    root = Path(root)
    if root.exists() and not root.is_dir():
        raise InputError("--oci-layout must be a directory", root)
    if root.is_dir() and not (root / "oci-layout").exists() and any(root.iterdir()):
        raise InputError(
            "--oci-layout directory is not empty and not an OCI image layout (no oci-layout "
            "file): give a new or empty directory",
            root,
        )
    index = _layout_index(root)
    try:
        (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        for name, data in _layout_files(image).items():
            path = root / name
            if not path.exists():
                write_file(path, data)
    except OSError as exc:
        raise InputError(f"cannot write OCI layout: {exc.strerror or exc}", root) from None
    write_file(root / "oci-layout", dump_json({"imageLayoutVersion": "1.0.0"}))
    write_file(root / "index.json", dump_json(_with_entry(index, image, tag)))


def _is_archive(path: Path) -> bool:
    """True when ``path`` is a tar file holding an ``oci-layout`` entry."""
    try:
        with tarfile.open(path) as tar:
            return "oci-layout" in tar.getnames()
    except (OSError, tarfile.TarError):
        return False


def write_archive(path: str | Path, image: Image, tag: str) -> None:
    """Write ``image`` as an OCI layout in a tar file at ``path`` (``skopeo copy
    oci-archive:PATH``), with entries in a fixed order and times and owners zeroed; the
    file is replaced atomically (:mod:`bundle_tools.safewrite`). Raises InputError when
    it cannot be written or ``path`` exists and is not an OCI archive (a file given by
    mistake is never overwritten)."""
    path = Path(path)
    if path.exists() and not _is_archive(path):
        raise InputError(
            "--oci-archive file exists and is not an OCI archive: give a new path", path
        )
    files = {
        "oci-layout": dump_json({"imageLayoutVersion": "1.0.0"}),
        "index.json": dump_json(_with_entry(_empty_index(), image, tag)),
        **_layout_files(image),
    }
    from bundle_tools.safewrite import write_file

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name in ("blobs", "blobs/sha256"):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.mode, info.size = 0o644, len(files[name])
            tar.addfile(info, io.BytesIO(files[name]))
    write_file(path, raw.getvalue())
