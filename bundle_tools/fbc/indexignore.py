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

Matching cost: every line is translated to a regular expression once (by ``pathspec``),
and the lines of each ``.indexignore`` are compiled together into one RE2 set
(``google-re2``, linear-time automata: no backtracking, so ``a*a*a*a*a*a*a*a*a*z``
costs what ``a*z`` does). Each path is matched once per ``.indexignore`` above it, and
the last line that matches (the highest index the set reports) decides. A line RE2
cannot compile matches nothing, like a line Go rejects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

IGNORE_FILE = ".indexignore"

#: ``[!`` opening a bracket class (not after an escaping backslash).
_GO_BANG_CLASS = re.compile(r"(?<!\\)\[!")
#: RE2 memory budget for one ``.indexignore``'s set (bytes): enough for thousands of
#: lines; RE2 falls back to its slower NFA, still linear, when the DFA outgrows it.
_MAX_MEM = 256 << 20


def _pattern(line: str) -> tuple[str, bool] | None:
    """One trimmed ``.indexignore`` line as ``(regular expression, excludes)``; None
    when it can never match. ``pathspec`` is imported here, only for catalogs that have
    an ``.indexignore`` (20 ms of start-up otherwise)."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    try:
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(_GO_BANG_CLASS.sub(r"[\\!", line))
    except ValueError:  # pathspec's GitIgnorePatternError
        return None
    if regex is None or include is None:
        return None
    return regex, include


@dataclass(slots=True)
class _Domain:
    """The lines of the ``.indexignore`` files of one directory: ``regexes`` and, per
    line, its ``order`` among all lines of the catalog and whether it ``excludes``;
    ``matcher`` the compiled RE2 set (built on first use)."""

    regexes: list[str] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    excludes: list[bool] = field(default_factory=list)
    matcher: Any = None

    def compile(self) -> Any:
        import re2

        options = re2.Options()
        options.max_mem = _MAX_MEM
        matcher = re2.Set.SearchSet(options)
        kept = []
        for index, regex in enumerate(self.regexes):
            try:
                matcher.Add(regex)
            except re2.error:
                continue
            kept.append(index)
        matcher.Compile()
        self.order = [self.order[i] for i in kept]
        self.excludes = [self.excludes[i] for i in kept]
        self.matcher = matcher
        return matcher

    def last_match(self, relative: str) -> tuple[int, bool] | None:
        """``(order, excludes)`` of the last line matching ``relative``, or None."""
        matcher = self.matcher if self.matcher is not None else self.compile()
        found = matcher.Match(relative)
        if not found:
            return None
        index = max(found)
        return self.order[index], self.excludes[index]


class IgnoreRules:
    """The patterns of every ``.indexignore`` of a catalog, in walk order, grouped by the
    directory (relative path components) of their file."""

    def __init__(self) -> None:
        self._domains: dict[tuple[str, ...], _Domain] = {}
        self._count = 0

    def add(self, text: str, domain: Sequence[str]) -> None:
        """Add the lines of one ``.indexignore`` found in directory ``domain``."""
        rules = self._domains.setdefault(tuple(domain), _Domain())
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#") and (found := _pattern(line)) is not None:
                rules.regexes.append(found[0])
                rules.order.append(self._count)
                rules.excludes.append(found[1])
                self._count += 1
        rules.matcher = None

    def is_ignored(self, path: Sequence[str]) -> bool:
        """True when the last pattern matching the file at ``path`` (components relative
        to the catalog root) excludes it."""
        if not self._domains:
            return False
        best: tuple[int, bool] | None = None
        for depth in range(len(path)):
            rules = self._domains.get(tuple(path[:depth]))
            if rules is None or not rules.regexes:
                continue
            found = rules.last_match("/".join(path[depth:]))
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        return best is not None and best[1]
