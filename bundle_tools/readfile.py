"""Reading an input file only when it is a regular file of bounded size: a FIFO would
block the command forever, a link to ``/dev/zero`` or a growing file would fill memory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bundle_tools.errors import InputError

#: Largest catalog file read (bytes): far above real catalogs (community operator
#: catalogs are ~20 MB in all), low enough to refuse before memory runs out.
CATALOG_FILE_LIMIT = 1 << 30
#: Largest ``.indexignore`` read (bytes).
IGNORE_FILE_LIMIT = 1 << 20
#: Largest bundle file read (bytes): a bundle travels in a ConfigMap of at most 1 MiB
#: compressed (etcd's object limit), so no real manifest comes near 64 MiB.
BUNDLE_FILE_LIMIT = 1 << 26

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def _special(mode: int) -> str:
    """``"a FIFO"`` for a FIFO's ``st_mode`` (message wording)."""
    return _KINDS.get(stat.S_IFMT(mode), "a special file")


def refuse_special(path: str | Path) -> None:
    """Raise InputError when ``path`` exists (a symbolic link is followed) and is neither
    a regular file nor a directory (a FIFO, device or socket), in :func:`read_regular`'s
    wording, so a listing never leaves such a file out silently. A missing path passes."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise InputError(f"not a regular file but {_special(mode)}", path)


def read_regular(path: str | Path, limit: int, display: str | Path | None = None) -> bytes:
    """The bytes of ``path`` (a symbolic link is followed). Opened without blocking and
    checked on the open file, so a FIFO or device is refused, never read. Raises
    InputError naming ``display`` (default ``path``) when it is not a regular file, is
    larger than ``limit`` bytes (also when it grows past it while read), or cannot be
    read (a symbolic link loop too)."""
    where = display if display is not None else path
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", where) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"not a regular file but {_special(st.st_mode)}", where)
        if st.st_size > limit:
            raise InputError(f"file too large: {st.st_size} bytes (at most {limit})", where)
        chunks = []
        size = 0
        while chunk := os.read(fd, max(st.st_size, 1 << 16)):
            size += len(chunk)
            if size > limit:
                raise InputError(f"file too large: more than {limit} bytes", where)
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", where) from None
    finally:
        os.close(fd)
