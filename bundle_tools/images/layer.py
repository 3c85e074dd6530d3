"""Reproducible image layers: a directory tree as a gzip-compressed tar whose bytes depend
only on the files' paths, contents and executable bits.

Every entry has uid/gid 0 with empty owner names, mtime ``SOURCE_DATE_EPOCH`` (or 0),
mode 0755 (directories and executable files) or 0644, and entries are sorted by path
with each directory before its contents. The gzip header has no file name and mtime 0.
So the same input gives the same layer digest on any machine and at any time (given the
same zlib; distributions that swap in zlib-ng may compress differently).

What an image must never carry is refused with an :class:`~bundle_tools.errors.InputError`
naming the path: a symbolic link whose target is outside the copied directory (or a
directory, which could loop), a broken link, a special file (FIFO, socket, device), a
file or directory that cannot be read.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bundle_tools.errors import InputError

#: gzip level of layers (zlib's default; part of what fixes the layer digest).
COMPRESS_LEVEL = 6


#: The last second an image config's ``created`` (RFC 3339, four-digit year) can hold:
#: 9999-12-31T23:59:59Z.
MAX_EPOCH = 253_402_300_799


def source_date_epoch() -> int:
    """``SOURCE_DATE_EPOCH`` (seconds since 1970, an integer) or 0 when unset or empty.
    Raises InputError when it is set to something else (reproducible-builds.org spec:
    ASCII decimal digits) or to a time after :data:`MAX_EPOCH`."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return 0
    if not (value.isascii() and value.isdigit()):
        raise InputError(f"SOURCE_DATE_EPOCH must be a non-negative integer, got {value!r}")
    if len(value) > len(str(MAX_EPOCH)) or int(value) > MAX_EPOCH:
        raise InputError(
            f"SOURCE_DATE_EPOCH {value} is after 9999-12-31T23:59:59Z ({MAX_EPOCH}), "
            "the last time an image config can record"
        )
    return int(value)


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One path of a layer. ``name`` is relative to the image root (``manifests/a.yaml``,
    POSIX separators, no leading ``/``); ``source`` is the file to read (``None`` for a
    directory); ``executable`` selects mode 0755 for a file."""

    name: str
    source: Path | None
    executable: bool = False


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def collect_tree(root: Path, dest: str, boundary: Path | None = None) -> list[TreeEntry]:
    """Every directory and file under ``root`` as entries placed under ``dest`` (a relative
    POSIX path such as ``manifests``), ``dest`` itself included. A symbolic link to a file
    inside ``root`` becomes that file's content. ``boundary`` (default ``root``) is the
    directory the image is built from (the bundle for ``root`` = its ``manifests/``):
    ``root`` must resolve inside it.

    Raises InputError for ``root`` reached through a link leaving ``boundary``, a link
    leaving ``root``, a link to a directory, a broken link, a special file, or an
    unreadable directory.
    """
    real_root = root.resolve()
    if boundary is not None and not _inside(real_root, boundary.resolve()):
        raise InputError(
            f"resolves through a symbolic link to {real_root}, outside {boundary}: an image "
            "never carries files from outside the directory it is built from",
            root,
        )
    entries = [TreeEntry(dest, None)]

    def walk(directory: Path, prefix: str) -> None:
        try:
            children = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise InputError(f"cannot read directory: {exc.strerror or exc}", directory) from None
        for child in children:
            path = Path(child.path)
            name = f"{prefix}/{child.name}"
            if child.is_symlink():
                target = path.resolve()
                if not target.exists():
                    raise InputError("broken symbolic link: its target does not exist", path)
                if not _inside(target, real_root):
                    raise InputError(
                        f"symbolic link to {target}, outside {root}: an image never carries "
                        "files from outside the directory it is built from",
                        path,
                    )
                if target.is_dir():
                    raise InputError(
                        "symbolic link to a directory: copy the directory instead", path
                    )
            mode = path.stat().st_mode
            if stat.S_ISDIR(mode):
                entries.append(TreeEntry(name, None))
                walk(path, name)
            elif stat.S_ISREG(mode):
                entries.append(TreeEntry(name, path, bool(mode & 0o111)))
            else:
                raise InputError(
                    "special file (FIFO, socket, device): not allowed in an image", path
                )

    if not root.is_dir():
        raise InputError("not a directory", root)
    walk(root, dest)
    return entries


@dataclass(frozen=True, slots=True)
class Layer:
    """A compressed layer: ``data`` (gzip of a tar), its ``digest`` (``sha256:<hex>`` of
    ``data``) and ``diff_id`` (``sha256:<hex>`` of the uncompressed tar, for the image
    config's ``rootfs.diff_ids``)."""

    data: bytes
    digest: str
    diff_id: str

    @property
    def size(self) -> int:
        """Size of ``data`` in bytes."""
        return len(self.data)


def digest_of(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``: the digest of a blob, manifest or index (OCI
    image-spec ``descriptor.md``)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _parents(name: str) -> list[str]:
    return [str(p) for p in reversed(PurePosixPath(name).parents) if str(p) != "."]


def build_layer(entries: list[TreeEntry], mtime: int | None = None) -> Layer:
    """Tar and gzip ``entries`` reproducibly (see the module docstring). Missing parent
    directories are added; entries are sorted by path. ``mtime`` defaults to
    :func:`source_date_epoch`. Raises InputError when a file cannot be read."""
    stamp = source_date_epoch() if mtime is None else mtime
    by_name = {entry.name: entry for entry in entries}
    for entry in entries:
        for parent in _parents(entry.name):
            by_name.setdefault(parent, TreeEntry(parent, None))
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(by_name, key=lambda n: PurePosixPath(n).parts):
            entry = by_name[name]
            info = tarfile.TarInfo(name)
            info.mtime = stamp
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if entry.source is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
                continue
            try:
                content = entry.source.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read file: {exc.strerror or exc}", entry.source) from None
            info.mode = 0o755 if entry.executable else 0o644
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    tar_bytes = raw.getvalue()
    data = gzip.compress(tar_bytes, compresslevel=COMPRESS_LEVEL, mtime=0)
    return Layer(
        data=data,
        digest=digest_of(data),
        diff_id=digest_of(tar_bytes),
    )
