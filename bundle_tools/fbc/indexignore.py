"""``.indexignore`` matching as ``opm`` does it (``github.com/joelanford/ignore`` over
go-git's gitignore matcher), with the ``pathspec`` library's gitignore patterns.

opm's rules, all kept here:

* Every ``.indexignore`` of the tree contributes its lines (trimmed; blank lines and
  ``#`` comments skipped), scoped to its own directory: a pattern only sees paths below
  that directory, relative to it.
* Each file's relative path is tested on its own (directories are not pruned), so the
  last pattern that matches decides, across files in walk order, and ``!`` re-includes
  a file even below an excluded directory (git itself would not).
* A pattern without ``/`` matches any path component; ``dir/`` ignores the files below
  a ``dir`` directory but not a file named ``dir``; a leading ``/`` anchors.

Where go-git's Go ``filepath.Match`` syntax differs from git's:

* ``[!...]`` is not a negated class in Go (only ``[^...]`` is): ``!`` is a member. Such
  patterns are rewritten to ``[\\!...]`` so ``pathspec`` reads them as Go does.
* A line ``pathspec`` rejects (``!`` alone, a trailing backslash) matches nothing, like
  Go's ``ErrBadPattern``.

Known remaining differences, all in syntax no real catalog was seen to use: malformed
classes such as ``[]]`` or ``[a-]`` (Go: never match), ``**`` inside a path component of
a pattern holding ``/`` (go-git: never matches), an empty component (``a//b``, go-git
skips it) and ``a/**`` against a file named ``a`` (go-git: ignored).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

IGNORE_FILE = ".indexignore"

#: ``[!`` opening a bracket class (not after an escaping backslash).
_GO_BANG_CLASS = re.compile(r"(?<!\\)\[!")


def _spec(line: str) -> GitIgnoreSpec | None:
    """One trimmed ``.indexignore`` line as a spec; None when it can never match.
    ``pathspec`` is imported here, only for catalogs that have an ``.indexignore``
    (20 ms of start-up otherwise)."""
    from pathspec import GitIgnoreSpec

    try:
        return GitIgnoreSpec.from_lines([_GO_BANG_CLASS.sub(r"[\\!", line)])
    except ValueError:  # pathspec's GitIgnorePatternError
        return None


class IgnoreRules:
    """The patterns of every ``.indexignore`` of a catalog, in walk order, each with the
    directory (relative path components) of its file."""

    def __init__(self) -> None:
        self._rules: list[tuple[tuple[str, ...], GitIgnoreSpec]] = []

    def add(self, text: str, domain: Sequence[str]) -> None:
        """Add the lines of one ``.indexignore`` found in directory ``domain``."""
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#") and (spec := _spec(line)) is not None:
                self._rules.append((tuple(domain), spec))

    def is_ignored(self, path: Sequence[str]) -> bool:
        """True when the last pattern matching the file at ``path`` (components relative
        to the catalog root) excludes it."""
        for domain, spec in reversed(self._rules):
            if len(path) <= len(domain) or tuple(path[: len(domain)]) != domain:
                continue
            included = spec.check_file("/".join(path[len(domain) :])).include
            if included is not None:
                return included
        return False
