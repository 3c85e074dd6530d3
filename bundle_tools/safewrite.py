"""Crash-safe replacement of the files a command writes: all or nothing, under a lock.

What :func:`write_files` guarantees, for one or several files:

* **All or nothing.** Every new content is first written to a temporary file and
  fsynced; only then are the targets replaced (``rename``), one after the other. When a
  replace fails (a read-only directory, a full disk), the targets already replaced get
  their original file back (the same inode, kept as a hard link while the commit runs),
  and the error is raised: no file is left half-written, and no edit half-applied.
  SIGINT, SIGTERM and SIGHUP during the write roll back the same way, then raise
  :class:`Interrupted`. A commit of several files is journaled first (where the lock is
  held), so a SIGKILL between its renames is completed by the next :func:`locked`.
* **No stray files.** Temporary files live in a staging directory ``.bundle-tools.tmp``
  beside each target, holding an ``.indexignore`` that excludes everything below it:
  after a SIGKILL, what is left there is skipped by ``opm``'s catalog walk (and by
  ``catalog validate``, which walks like it), and ``opm``'s bundle reader does not look
  into subdirectories of ``manifests/`` or ``metadata/``. The next run, holding the
  lock, removes such leftovers.
* **Unchanged since read.** Right before replacing, each target must still be the
  regular file read, with the content read (or still be absent, for a new file):
  otherwise (another program edited, deleted or replaced it, or swapped it for a
  symbolic link or a FIFO) InputError, and nothing is written.
* **Metadata.** The new file gets the old file's mode, and its owner and group where
  the process may set them (root may; another user keeps the group when a member of
  it). A new file gets mode ``0666`` less the umask. Replacing makes a new inode: other
  hard links to the old file keep the old content.
* **Links.** A symbolic link is followed (its target is replaced, the link kept) when
  the target lies inside ``root``; a link to outside ``root`` is refused.

:func:`locked` is the advisory lock (``flock`` on a directory) a command holds from
before it reads until after it writes, so two runs on one bundle or catalog run one
after the other instead of losing one run's edit.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from bundle_tools.errors import InputError, Interrupted

#: Name of the staging directory created beside each written file.
STAGING_DIR = ".bundle-tools.tmp"
#: Content of the staging directory's ``.indexignore``: everything below it.
_IGNORE_ALL = b"*\n"
#: Seconds :func:`locked` waits for another run to release the lock.
LOCK_TIMEOUT = 60.0
_LOCK_POLL = 0.02
_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def locked(directory: str | Path, timeout: float = LOCK_TIMEOUT) -> Iterator[Path]:
    """Hold an exclusive advisory lock (``flock``) on ``directory`` (its nearest ancestor
    directory when it is not one, or not yet), yielding the directory locked. Waits up
    to ``timeout`` seconds for another holder. Once locked, a multi-file commit that a
    killed run left half done there (its journal, see :func:`write_files`) is completed
    first. Raises InputError when the directory cannot be opened or stays locked."""
    path = Path(os.path.abspath(directory))
    while not path.is_dir() and path.parent != path:
        path = path.parent
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise InputError(f"cannot lock directory: {exc.strerror or exc}", path) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise InputError(
                        f"locked by another bundle-tools run for {timeout:g} s; try again",
                        path,
                    ) from None
                time.sleep(_LOCK_POLL)
        _complete_journal(path)
        yield path
    finally:
        os.close(fd)


_JOURNAL = "journal"


def _complete_journal(directory: Path) -> None:
    """Finish the commit whose journal a killed run left in ``directory``'s staging
    directory: every staged file or directory still present is renamed to its target
    (those already renamed are gone from the staging directory)."""
    journal = directory / STAGING_DIR / _JOURNAL
    try:
        entries = journal.read_bytes().split(b"\n")
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", journal) from None
    for entry in entries:
        temp, sep, top = entry.partition(b"\0")
        if sep:
            with suppress(FileNotFoundError):
                os.replace(temp, top)
    journal.unlink()


def _write_journal(staging: Path, staged: Sequence[_Staged]) -> Path:
    """Record, durably and atomically, which staged paths replace which targets: from
    now on the commit is decided, and a killed run is completed by the next
    :func:`locked`."""
    lines = b"".join(
        os.fsencode(item.temp) + b"\0" + os.fsencode(item.top) + b"\n"
        for item in staged
        if item.temp is not None
    )
    partial = staging / f"{_JOURNAL}.partial"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, lines)
        os.fsync(fd)
    finally:
        os.close(fd)
    journal = staging / _JOURNAL
    os.replace(partial, journal)
    _fsync_directory(staging)
    return journal


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _dangling(path: Path) -> InputError:
    return InputError(
        f"dangling symbolic link to {os.readlink(path)!r}: refusing to write through it", path
    )


def resolve_target(path: str | Path, root: str | Path | None = None) -> Path:
    """The real path ``path`` names: symbolic links resolved; the file, and directories
    above it, may not exist yet. Raises InputError when a link in it is dangling or
    loops, or when ``root`` is given and the real path is outside ``root``'s real path
    (naming the link and its target)."""
    path = Path(path)
    existing, missing = path, []
    try:
        while not os.path.lexists(existing):
            missing.append(existing.name)
            existing = existing.parent
        if existing.is_symlink() and not existing.exists():
            raise _dangling(existing)
        real = Path(os.path.realpath(existing, strict=True)).joinpath(*reversed(missing))
    except OSError as exc:
        raise InputError(f"cannot resolve path: {exc.strerror or exc}", path) from None
    if root is not None:
        real_root = Path(os.path.realpath(root))
        if not _inside(real, real_root):
            raise InputError(
                f"symbolic link to {str(real)!r}, outside {str(root)!r}: refusing to write "
                "outside it",
                path,
            )
    return real


@dataclass(frozen=True, slots=True)
class Original:
    """A file as a command read it: its ``data``, the ``real`` path it resolved to and
    that file's ``(st_dev, st_ino)`` ``identity``."""

    data: bytes
    real: Path
    identity: tuple[int, int]

    @classmethod
    def of(cls, path: str | Path, data: bytes) -> Original:
        """Record ``path`` (just read as ``data``, under the lock): where it leads now and
        which file that is. Raises InputError when it cannot be resolved or stat'ed."""
        real = resolve_target(path)
        try:
            st = os.stat(real)
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror or exc}", path) from None
        return cls(data, real, (st.st_dev, st.st_ino))


@dataclass(frozen=True, slots=True)
class Write:
    """One file to write: ``path`` as the user named it (a link is followed, see
    :func:`resolve_target`), its new ``data``, the ``original`` it held when read
    (``None``: it did not exist and must still not exist), and ``root`` (links must stay
    inside it; ``None``: no limit)."""

    path: Path
    data: bytes
    original: Original | None
    root: Path | None = None

    @property
    def unchanged(self) -> bool:
        """True when the file already holds :attr:`data`."""
        return self.original is not None and self.original.data == self.data


def read_original(path: str | Path) -> Original | None:
    """The file at ``path`` now (``None`` when nothing exists there), for
    :attr:`Write.original`. Raises InputError when it is not a regular file (a FIFO is
    never opened), a dangling link, or cannot be read."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            raise _dangling(path) from None
        return None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError("not a regular file", path)
    try:
        return Original.of(path, path.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path) from None


_CHANGED = "changed on disk while this command ran; nothing was written"


def _check_unchanged(write: Write, real: Path) -> None:
    """Raise InputError unless ``write.path`` still leads to the file read, holding the
    bytes read (or, for a new file, to nothing)."""
    original = write.original
    if original is not None and original.real != real:
        raise InputError(f"symbolic link {_CHANGED}", write.path)
    try:
        st = os.lstat(real)
    except FileNotFoundError:
        if original is None:
            return
        raise InputError(f"file deleted: {_CHANGED}", real) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", real) from None
    if original is None:
        raise InputError(f"file created: {_CHANGED}", real)
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"file replaced by a non-regular file: {_CHANGED}", real)
    if (st.st_dev, st.st_ino) != original.identity:
        raise InputError(f"file replaced: {_CHANGED}", real)
    try:
        current = real.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", real) from None
    if current != original.data:
        raise InputError(f"file {_CHANGED}", real)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _copy_owner(fd: int, st: os.stat_result) -> None:
    """Give the file open at ``fd`` the owner and group of ``st`` where permitted (owner
    and group, else the group alone), then its mode (after ``chown``, which may clear the
    set-id bits)."""
    for uid in (st.st_uid, -1):
        try:
            os.fchown(fd, uid, st.st_gid)
            break
        except PermissionError:
            continue
    os.fchmod(fd, stat.S_IMODE(st.st_mode))


def _new_staging(directory: Path, stagings: dict[Path, Path]) -> Path:
    """Create ``directory/STAGING_DIR`` (after removing a killed run's), recorded in
    ``stagings`` at once so it is removed whatever happens next, with its
    ``.indexignore`` written first, so it never holds an unignored file."""
    remove_stale_staging(directory)
    staging = directory / STAGING_DIR
    staging.mkdir()
    stagings[directory] = staging
    fd = os.open(staging / ".indexignore", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, _IGNORE_ALL)
    finally:
        os.close(fd)
    return staging


def remove_stale_staging(directory: Path) -> None:
    """Remove ``directory/STAGING_DIR`` (what a killed run left); the caller holds the
    lock, so no other run uses it. A symbolic link of that name is left alone."""
    staging = directory / STAGING_DIR
    with suppress(FileNotFoundError):
        if stat.S_ISDIR(os.lstat(staging).st_mode):
            shutil.rmtree(staging, ignore_errors=True)


@dataclass(slots=True)
class _Staged:
    """One prepared replacement: ``real`` target, ``top`` the path renamed into place
    (``real`` itself, or the topmost directory to create above it), ``temp`` the staged
    file or directory tree (``None`` when the file rides in the tree an earlier write
    of the same commit stages for the same ``top``), ``backup`` a hard link to (or copy
    of) the original file while the commit runs."""

    real: Path
    top: Path
    temp: Path | None
    staging: Path
    existed: bool
    backup: Path | None = None


def _stage(
    write: Write, real: Path, stagings: dict[Path, Path], trees: dict[Path, Path]
) -> _Staged:
    """Write ``write.data`` into a staging directory beside the topmost path to create
    (the target, or its first missing parent directory, whose staged tree ``trees``
    keeps for the other files of the commit below it), fsynced, with the original
    file's owner, group and mode (else ``0666`` less the umask)."""
    top = real
    while not top.parent.exists():
        top = top.parent
    anchor = top.parent
    staging = stagings.get(anchor) or _new_staging(anchor, stagings)
    temp: Path | None
    if top == real:
        fd, name = tempfile.mkstemp(prefix=f"{real.name}.", dir=staging)
        temp = file_path = Path(name)
    else:
        temp = None if top in trees else Path(tempfile.mkdtemp(prefix=f"{top.name}.", dir=staging))
        tree = trees.setdefault(top, temp) if temp is not None else trees[top]
        file_path = tree / real.relative_to(top)
        file_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(file_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    staged = _Staged(real, top, temp, staging, existed=write.original is not None)
    try:
        view = memoryview(write.data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        if staged.existed:
            _copy_owner(fd, os.stat(real))
        else:
            os.fchmod(fd, 0o666 & ~_umask())
    finally:
        os.close(fd)
    return staged


def _backup(staged: _Staged, original: bytes) -> None:
    """Keep the original file reachable while the commit runs: a hard link (the same
    inode, owner and mode come back on rollback), else a copy."""
    backup = staged.staging / f"{staged.real.name}.orig.{os.getpid()}"
    try:
        os.link(staged.real, backup)
    except OSError:
        backup.write_bytes(original)
        shutil.copystat(staged.real, backup)
    staged.backup = backup


def _rollback(done: Sequence[_Staged], journal: Path | None) -> None:
    """Put back what the committed replacements changed, last first (the journal is
    removed first, so an interrupted rollback is never rolled forward)."""
    if journal is not None:
        with suppress(OSError):
            journal.unlink()
    for staged in reversed(done):
        with suppress(OSError):
            if staged.backup is not None:
                os.replace(staged.backup, staged.real)
            elif staged.top.is_dir() and not staged.top.is_symlink():
                shutil.rmtree(staged.top)
            else:
                staged.top.unlink()


def _fsync_directory(directory: Path) -> None:
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def _deferred_signals() -> Iterator[list[int]]:
    """While the block runs, SIGINT/SIGTERM/SIGHUP are recorded in the yielded list
    instead of stopping the process mid-step (only in the main thread, where Python
    delivers signals); afterwards the previous handlers come back and a recorded signal
    is delivered again."""
    pending: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield pending
        return
    previous = {
        sig: signal.signal(sig, lambda signum, _frame: pending.append(signum)) for sig in _SIGNALS
    }
    try:
        yield pending
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if pending:
        signal.raise_signal(pending[0])


def _stop_if(pending: list[int]) -> None:
    if pending:
        raise Interrupted(pending[0])


def write_files(writes: Sequence[Write], journal: Path | None = None) -> list[bool]:
    """Write every file of ``writes`` all or nothing (see the module docstring); return,
    per write, whether its file changed (a file already holding its data is not
    rewritten). The caller holds :func:`locked` on the directory the files belong to
    from before reading ``original`` until this returns; leftovers of killed runs beside
    the targets are removed. With ``journal`` (the directory :func:`locked` yielded),
    a commit of several files is journaled there before the first rename, so a SIGKILL
    between the renames is completed by the next run that takes the lock.

    Raises InputError when a target is a link leading outside its root or dangling,
    changed since it was read, or cannot be written (nothing is written then), and
    :class:`Interrupted` when a signal arrives before the replacements start.
    """
    reals = [resolve_target(w.path, w.root) for w in writes]
    for write, real in zip(writes, reals, strict=True):
        _check_unchanged(write, real)
        for directory in _staging_candidates(real, write.root):
            remove_stale_staging(directory)
    todo = [(w, r) for w, r in zip(writes, reals, strict=True) if not w.unchanged]
    stagings: dict[Path, Path] = {}
    trees: dict[Path, Path] = {}
    done: list[_Staged] = []
    journaled: Path | None = None
    current = reals[0] if reals else Path()
    try:
        with _deferred_signals() as pending:
            try:
                staged = []
                for write, current in todo:
                    _stop_if(pending)
                    staged.append(_stage(write, current, stagings, trees))
                for write, current in todo:
                    _check_unchanged(write, current)
                _stop_if(pending)
                if journal is not None and len(staged) > 1:
                    staging = stagings.get(journal) or _new_staging(journal, stagings)
                    journaled = _write_journal(staging, staged)
                for (write, _), item in zip(todo, staged, strict=True):
                    current = item.real
                    if item.temp is None:
                        continue
                    if write.original is not None:
                        _backup(item, write.original.data)
                    os.replace(item.temp, item.top)
                    done.append(item)
            except OSError as exc:
                _rollback(done, journaled)
                raise InputError(f"cannot write file: {exc.strerror or exc}", current) from None
            except BaseException:
                _rollback(done, journaled)
                raise
    finally:
        for staging in stagings.values():
            _fsync_directory(staging.parent)
            shutil.rmtree(staging, ignore_errors=True)
    changed = {id(w) for w, _ in todo}
    return [id(w) in changed for w in writes]


def _staging_candidates(real: Path, root: Path | None) -> list[Path]:
    """Existing directories where an earlier run may have left a staging directory for
    ``real``: its parent, up to ``root`` (or only the nearest existing one)."""
    directories = []
    real_root = Path(os.path.realpath(root)) if root is not None else None
    directory = real.parent
    while True:
        if directory.is_dir():
            directories.append(directory)
            if real_root is None:
                break
        if directory == real_root or directory.parent == directory:
            break
        directory = directory.parent
    return directories


def write_file(path: str | Path, data: bytes, root: str | Path | None = None) -> bool:
    """Replace (or create) one file with ``data`` under :func:`write_files`' guarantees,
    taking the content found now as the original; return whether it changed."""
    path = Path(path)
    original = read_original(path)
    root_path = Path(root) if root is not None else None
    return write_files([Write(path, data, original, root_path)])[0]
