"""``.indexignore`` matching as ``opm`` does it (``github.com/joelanford/ignore`` over
go-git's gitignore matcher).

Every ``.indexignore`` of the tree contributes its patterns, scoped to its own
directory (the pattern's *domain*), in walk order. A path (relative, split on ``/``) is
ignored when the last pattern that matches it excludes it; ``!`` patterns re-include.
Patterns are matched with Go ``path/filepath.Match`` semantics: ``*`` and ``?`` never
cross ``/``, ``[...]`` classes negate with ``^``, ``\\`` escapes, ``**`` spans
directories. A pattern without ``/`` matches any path component (so ``objects/`` also
ignores the files below an ``objects`` directory); a pattern containing ``/`` is anchored
to its domain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

IGNORE_FILE = ".indexignore"


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str] | None:
    """Compile a Go ``filepath.Match`` pattern; ``None`` when it is malformed (Go's
    ``ErrBadPattern``, which never matches)."""
    out = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\":
            i += 1
            if i == n:
                return None
            out.append(re.escape(pattern[i]))
        elif c == "[":
            j = i + 1
            negate = j < n and pattern[j] == "^"
            if negate:
                j += 1
            parts = []
            while True:
                if j >= n:
                    return None
                if pattern[j] == "]" and parts:
                    break
                lo = pattern[j]
                if lo == "\\":
                    j += 1
                    if j >= n:
                        return None
                    lo = pattern[j]
                elif lo in "-]":
                    return None
                j += 1
                hi = lo
                if j < n and pattern[j] == "-":
                    j += 1
                    if j >= n:
                        return None
                    hi = pattern[j]
                    if hi == "\\":
                        j += 1
                        if j >= n:
                            return None
                        hi = pattern[j]
                    j += 1
                parts.append(re.escape(lo) + ("-" + re.escape(hi) if hi != lo else ""))
            body = "".join(parts)
            out.append(f"(?![/])[^{body}]" if negate else f"[{body}]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _match_name(pattern: str, name: str) -> bool:
    regex = _glob_regex(pattern)
    return regex is not None and regex.fullmatch(name) is not None


@dataclass(frozen=True, slots=True)
class Pattern:
    """One gitignore pattern: ``parts`` split on ``/``, the ``domain`` (directory of its
    ``.indexignore`` as path components), ``inclusion`` for ``!`` patterns, ``dir_only``
    for a trailing ``/``, ``is_glob`` when the pattern contains ``/``."""

    parts: tuple[str, ...]
    domain: tuple[str, ...]
    inclusion: bool
    dir_only: bool
    is_glob: bool

    @classmethod
    def parse(cls, text: str, domain: Sequence[str]) -> Pattern:
        """Parse one (already trimmed, non-comment) line of an ignore file."""
        inclusion = text.startswith("!")
        if inclusion:
            text = text[1:]
        if not text.endswith("\\ "):
            text = text.rstrip(" ")
        dir_only = text.endswith("/")
        if dir_only:
            text = text[:-1]
        return cls(tuple(text.split("/")), tuple(domain), inclusion, dir_only, "/" in text)

    def match(self, path: Sequence[str], is_dir: bool) -> bool | None:
        """``True`` (exclude), ``False`` (re-include) or ``None`` (no match) for ``path``
        (components relative to the catalog root)."""
        if len(path) <= len(self.domain) or tuple(path[: len(self.domain)]) != self.domain:
            return None
        rest = list(path[len(self.domain) :])
        matched = self._glob(rest, is_dir) if self.is_glob else self._simple(rest, is_dir)
        if not matched:
            return None
        return not self.inclusion

    def _simple(self, path: list[str], is_dir: bool) -> bool:
        for i, name in enumerate(path):
            if not _match_name(self.parts[0], name):
                continue
            return not (self.dir_only and not is_dir and i == len(path) - 1)
        return False

    def _glob(self, path: list[str], is_dir: bool) -> bool:
        matched = False
        traverse = False
        for i, part in enumerate(self.parts):
            if part == "":
                traverse = False
                continue
            if part == "**":
                if i == len(self.parts) - 1:
                    break
                traverse = True
                continue
            if "**" in part or not path:
                return False
            if traverse:
                traverse = False
                while path:
                    name = path.pop(0)
                    if _match_name(part, name):
                        matched = True
                        break
                    if not path:
                        matched = False
            else:
                if not _match_name(part, path[0]):
                    return False
                matched = True
                path = path[1:]
        if matched and self.dir_only and not is_dir and not path:
            return False
        return matched


def parse_ignore_file(text: str, domain: Sequence[str]) -> list[Pattern]:
    """Patterns of one ``.indexignore`` whose directory is ``domain``: lines trimmed,
    blank lines and ``#`` comments skipped."""
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(Pattern.parse(line, domain))
    return patterns


def is_ignored(patterns: Sequence[Pattern], path: Sequence[str], is_dir: bool = False) -> bool:
    """True when the last pattern matching ``path`` excludes it."""
    for pattern in reversed(patterns):
        result = pattern.match(path, is_dir)
        if result is not None:
            return result
    return False
