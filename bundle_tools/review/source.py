"""Where ``catalog diff`` reads a catalog from: a directory, or ``git:REV:PATH`` (the
catalog directory ``PATH`` of the repository in the current directory at revision
``REV``, as ``git archive REV:PATH`` exports it), so a pull-request pipeline runs
``catalog diff git:origin/main:catalog catalog``."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile

from bundle_tools.errors import InputError, shown_as
from bundle_tools.fbc.check import load_model
from bundle_tools.fbc.model import Catalog

GIT_PREFIX = "git:"


def load_source(spec: str) -> Catalog:
    """Load the catalog ``spec`` names: ``git:REV:PATH`` or a directory.

    Raises InputError when git fails (unknown revision or path, not a repository, no
    ``git``), when ``REV`` starts with ``-`` (git would read it as an option), when
    ``PATH`` is not a directory at ``REV``, and for every error
    :func:`~bundle_tools.fbc.check.load_model` raises; a file inside a revision is named
    ``git:REV:PATH/FILE``.
    """
    if not spec.startswith(GIT_PREFIX):
        return load_model(spec)
    rev, sep, path = spec[len(GIT_PREFIX) :].partition(":")
    if not sep or not rev or not path:
        raise InputError("expected git:REV:PATH (e.g. git:origin/main:catalog)", spec)
    if rev.startswith("-"):
        raise InputError(f"invalid git revision {rev!r}: a revision cannot start with '-'", spec)
    try:
        done = subprocess.run(
            ["git", "archive", "--format=tar", f"{rev}:{path}"],
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise InputError(f"cannot run git: {exc.strerror}", spec) from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git archive failed: {reason[-1] if reason else 'no output'}", spec)
    with tempfile.TemporaryDirectory(prefix="bundle-tools-diff-") as tmp:
        try:
            with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
                archive.extractall(tmp, filter="data")
        except tarfile.TarError as exc:
            raise InputError(f"{path} is not a directory at {rev} ({exc})", spec) from None
        with shown_as({tmp: spec}, spec):
            return load_model(tmp)
