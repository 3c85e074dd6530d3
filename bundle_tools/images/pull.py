"""Pulling an image's files: the layers of one platform unpacked into a directory, and a
bundle image turned back into a bundle directory (``manifests/``, ``metadata/``) through
its labels, as ``opm render IMAGE`` reads it (operator-registry ``pkg/lib/bundle``: the
``operators.operatorframework.io.bundle.manifests.v1`` and ``metadata.v1`` labels name
the directories, default ``manifests/`` and ``metadata/``).
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import stat
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from bundle_tools.bundle import PACKAGE_KEY
from bundle_tools.errors import BundleToolsError, UsageError, require_path, shown_as
from bundle_tools.imageref import ImageReference, parse_option, parse_reference, reference_problem
from bundle_tools.images.oci import INDEX_TYPES, Platform
from bundle_tools.images.registry import RegistryClient, RegistryOptions

MANIFESTS_LABEL = "operators.operatorframework.io.bundle.manifests.v1"
METADATA_LABEL = "operators.operatorframework.io.bundle.metadata.v1"
DEFAULT_PLATFORM = Platform("linux", "amd64")
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
MAX_UNPACKED_BYTES = 1 << 30
"""Default bound on the bytes all layers of one pulled image unpack to (1 GiB)."""
MAX_ENTRIES = 100_000
"""Default bound on the tar entries in all layers of one pulled image."""


@dataclass(frozen=True, slots=True)
class PulledImage:
    """An unpacked image: ``digest`` of what the reference names (the index digest for a
    multi-platform image), its ``config`` (image-spec config JSON), ``root``, the
    directory holding its files, ``image``, the reference pulled, and ``names``: local
    directories (``root`` and below) mapped to the path inside the image they hold,
    ``IMAGE:/PATH`` (``{}``: errors then name just ``image``)."""

    digest: str
    config: dict[str, Any]
    root: Path
    image: str = ""
    names: dict[str, str] = field(default_factory=dict)

    @property
    def labels(self) -> dict[str, str]:
        """The config's labels (``{}`` when none)."""
        labels = (self.config.get("config") or {}).get("Labels") or {}
        return {str(k): str(v) for k, v in labels.items()}

    def named(self) -> AbstractContextManager[None]:
        """A context in which an InputError about a file of ``root`` (a YAML error, an
        invalid CSV) is re-raised naming the image: ``IMAGE:/manifests/FILE:LINE:COL``,
        never the temporary directory, which is gone when the command ends."""
        return shown_as(self.names, self.image)


def _inside(root: Path, name: str) -> Path | None:
    parts = [p for p in PurePosixPath(name).parts if p not in ("/", ".")]
    if not parts or ".." in parts:
        return None
    return root.joinpath(*parts)


def _clear(path: Path) -> None:
    """Remove what ``path`` holds (a file or a directory tree); nothing when it, or a
    parent, does not exist or is no directory."""
    try:
        is_dir = stat.S_ISDIR(path.lstat().st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return
    if is_dir:
        shutil.rmtree(path)
    else:
        path.unlink()


def _make_dirs(root: Path, target: Path) -> None:
    """Make ``target`` (below ``root``) and its parents directories; a file in the way is
    replaced, as a later layer entry replaces an earlier one (OCI image-spec
    ``layer.md``: changesets)."""
    current = root
    for part in target.relative_to(root).parts:
        current = current / part
        if not current.is_dir():
            _clear(current)
            current.mkdir()


class _Budget:
    """What unpacking may still produce: ``bytes`` of tar stream (headers and contents)
    and ``entries``. ``take_*`` raise BundleToolsError naming ``what`` past either."""

    def __init__(self, max_bytes: int, max_entries: int) -> None:
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self.bytes, self.entries = max_bytes, max_entries
        self.what = ""

    def take_bytes(self, count: int) -> None:
        self.bytes -= count
        if self.bytes < 0:
            raise BundleToolsError(
                f"{self.what}: unpacks to more than {self.max_bytes} bytes; refused"
            )

    def take_entry(self) -> None:
        self.entries -= 1
        if self.entries < 0:
            raise BundleToolsError(
                f"{self.what}: holds more than {self.max_entries} entries; refused"
            )


class _Metered(io.RawIOBase):
    """A read-only stream over ``stream`` whose reads draw on ``budget``: decompression
    stops at the bound, whatever the layer claims."""

    def __init__(self, stream: BinaryIO, budget: _Budget) -> None:
        self.stream, self.budget = stream, budget

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self.budget.bytes + 1
        data = self.stream.read(size)
        self.budget.take_bytes(len(data))
        return data


def _extract(tar: tarfile.TarFile, root: Path, budget: _Budget) -> None:
    for member in tar:
        budget.take_entry()
        target = _inside(root, member.name)
        if target is None:
            continue
        name = target.name
        if name == _OPAQUE:
            for child in target.parent.glob("*") if target.parent.is_dir() else ():
                _clear(child)
            continue
        if name.startswith(_WHITEOUT):
            _clear(target.with_name(name[len(_WHITEOUT) :]))
            continue
        if member.isdir():
            _make_dirs(root, target)
        elif member.isfile():
            _make_dirs(root, target.parent)
            if target.is_dir():
                _clear(target)
            if member.size > budget.bytes:
                budget.take_bytes(member.size)
            source = tar.extractfile(member)
            with target.open("wb") as out:
                if source:
                    shutil.copyfileobj(source, out)


def _apply_layer(root: Path, data: bytes, what: str, budget: _Budget | None = None) -> None:
    """Untar one layer (``data``: a tar, gzip-compressed or not) over ``root``, streaming:
    whiteouts delete, only regular files and directories are written (links and devices
    are skipped: a bundle needs neither), and no path leaves ``root``; an entry replaces
    what an earlier one left at its path. ``budget`` (default: a fresh one of
    :data:`MAX_UNPACKED_BYTES` and :data:`MAX_ENTRIES`) bounds what is unpacked. Raises
    BundleToolsError naming ``what`` for data that is no tar, for a layer past the
    budget and for a layer that cannot be written."""
    budget = budget or _Budget(MAX_UNPACKED_BYTES, MAX_ENTRIES)
    budget.what = what
    stream: BinaryIO = io.BytesIO(data)
    try:
        if data[:2] == b"\x1f\x8b":
            stream = gzip.GzipFile(fileobj=stream, mode="rb")
        with tarfile.open(fileobj=_Metered(stream, budget), mode="r|") as tar:
            _extract(tar, root, budget)
    except (EOFError, zlib.error, tarfile.TarError, gzip.BadGzipFile) as exc:
        raise BundleToolsError(f"{what}: not a tar layer: {exc}") from None
    except OSError as exc:
        raise BundleToolsError(f"{what}: cannot unpack: {exc.strerror or exc}") from None


def pull_image(
    client: RegistryClient,
    ref: ImageReference,
    dest: Path,
    platform: Platform = DEFAULT_PLATFORM,
    max_bytes: int = MAX_UNPACKED_BYTES,
    max_entries: int = MAX_ENTRIES,
) -> PulledImage:
    """Unpack image ``ref`` (for ``platform`` when it is an index; else its first image
    when the index lacks that platform) into the new directory ``dest``, each layer
    decompressed as a stream. All layers together may unpack to at most ``max_bytes``
    bytes of tar stream and ``max_entries`` tar entries (defaults 1 GiB and 100,000:
    hundreds of times the largest real bundles and catalogs, while a gzip bomb stops
    there). Raises RegistryError when a request fails, BundleToolsError naming the image
    and the layer digest for a layer that is not a tar or is past either bound."""
    top = client.get_manifest(ref)
    manifest = top
    body = top.json()
    if top.media_type in INDEX_TYPES or "manifests" in body:
        entries = body.get("manifests") or []
        if not entries:
            raise BundleToolsError(f"image index {ref} lists no image")
        chosen = next((e for e in entries if platform.matches(e.get("platform") or {})), entries[0])
        manifest = client.get_manifest(ref.with_digest(chosen["digest"]))
        body = manifest.json()
    config = json.loads(client.get_blob(ref, body["config"]["digest"]))
    dest.mkdir(parents=True)
    budget = _Budget(max_bytes, max_entries)
    for layer in body.get("layers") or []:
        data = client.get_blob(ref, layer["digest"])
        _apply_layer(dest, data, f"image {ref}: layer {layer['digest']}", budget)
    return PulledImage(top.digest, config, dest)


def pull_bundle(
    client: RegistryClient,
    ref: ImageReference,
    dest: Path,
    max_bytes: int = MAX_UNPACKED_BYTES,
    max_entries: int = MAX_ENTRIES,
) -> PulledImage:
    """Pull bundle image ``ref`` and lay it out as a bundle directory at ``dest``
    (``manifests/`` and ``metadata/`` from the directories its labels name), within the
    bounds of :func:`pull_image`. Returns the
    pulled image with ``root`` = ``dest``. Raises BundleToolsError when the image has
    no ``operators.operatorframework.io.bundle.package.v1`` label (opm's ``action.Render``
    takes an image for a bundle only by that label) or no such directory."""
    rootfs = dest.with_name(dest.name + ".rootfs")
    image = pull_image(client, ref, rootfs, max_bytes=max_bytes, max_entries=max_entries)
    if PACKAGE_KEY not in image.labels:
        raise BundleToolsError(f"bundle image {ref}: no {PACKAGE_KEY} label; is it a bundle image?")
    dest.mkdir(parents=True)
    names = {str(dest): f"{ref}:/"}
    for label, default, name in (
        (MANIFESTS_LABEL, "manifests/", "manifests"),
        (METADATA_LABEL, "metadata/", "metadata"),
    ):
        where = image.labels.get(label) or default
        source = _inside(image.root, where)
        if source is None or not source.is_dir():
            raise BundleToolsError(
                f"bundle image {ref}: no {where} directory (label {label}); is it a bundle image?"
            )
        source.rename(dest / name)
        names[str(dest / name)] = f"{ref}:/{source.relative_to(image.root).as_posix()}"
    return PulledImage(image.digest, image.config, dest, str(ref), names)


@contextmanager
def bundle_source(
    bundle: str, image: str | None, pin_digest: bool, options: RegistryOptions
) -> Iterator[tuple[Path, str]]:
    """What ``catalog render`` renders: ``(bundle directory, image reference to
    record)``. ``bundle`` is a directory (then ``image`` is required) or, when no such
    path exists, a bundle image reference, pulled into a temporary directory that is
    removed on exit; an InputError about its files names the image, ``IMAGE:/PATH``
    (``image`` defaults to ``bundle`` as given, as ``opm render`` records it; a missing
    path that is a bare word, starts with ``.`` or ``/`` or is no valid reference raises
    the InputError :func:`~bundle_tools.errors.require_path` gives). With ``pin_digest``
    the recorded reference is ``REPOSITORY@DIGEST``: the pulled image's digest, or the
    digest ``image``'s tag resolves to. Raises UsageError for an invalid ``--image`` or a
    directory without ``image``, RegistryError when a registry request fails."""
    directory = Path(bundle)
    if directory.exists():
        if image is None:
            raise UsageError("--image is needed when BUNDLE is a directory")
        ref = parse_option(image, "--image")
        if not pin_digest or ref.digest:
            yield directory, image
            return
        with RegistryClient(options) as client:
            digest = client.resolve(ref)
        yield directory, str(ref.with_digest(digest))
        return
    if "/" not in bundle or bundle.startswith((".", "/")) or reference_problem(bundle):
        # a bare word is a mistyped directory far more often than a Docker Hub image, and
        # a path-like or unparsable BUNDLE a missing directory: the message of every command
        require_path(bundle)
    ref = parse_reference(bundle)
    recorded = parse_option(image, "--image") if image else ref
    with tempfile.TemporaryDirectory(prefix="bundle-tools-pull-") as tmp:
        with RegistryClient(options) as client:
            pulled = pull_bundle(client, ref, Path(tmp) / "bundle")
            if pin_digest and recorded is not ref and not recorded.digest:
                digest = client.resolve(recorded)
            else:
                digest = pulled.digest
        with pulled.named():
            if not pin_digest:
                yield pulled.root, image or bundle
            else:
                yield pulled.root, str(recorded.with_digest(recorded.digest or digest))
