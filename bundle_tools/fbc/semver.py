"""Versions and ranges as ``github.com/blang/semver/v4`` parses them (what ``opm`` and
OLM use for ``olm.package`` versions, ``skipRange`` and ``olm.package.required``).

* :func:`parse_version`: strict SemVer 2.0 (``Parse``): ``MAJOR.MINOR.PATCH``, no ``v``
  prefix, no leading zeros in numeric parts or numeric pre-release identifiers,
  non-empty identifiers of ``[0-9A-Za-z-]``.
* :func:`parse_range` (``ParseRange``): comparators ``=``/``==``/empty, ``!``/``!=``,
  ``>``, ``>=``, ``<``, ``<=`` directly followed by a strict version; a space is AND,
  ``||`` is OR; ``x`` wildcards (``1.2.x``, ``>=1.x``) expand as blang does. A space
  right after an operator is allowed (``>= 1.0.0``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import total_ordering

_NUMBER = r"(?:0|[1-9][0-9]*)"
_PRERELEASE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_VERSION = re.compile(
    rf"(?P<major>{_NUMBER})\.(?P<minor>{_NUMBER})\.(?P<patch>{_NUMBER})"
    rf"(?:-(?P<pre>{_PRERELEASE_ID}(?:\.{_PRERELEASE_ID})*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
_UINT64_MAX = (1 << 64) - 1


@total_ordering
@dataclass(frozen=True, slots=True)
class Version:
    """A parsed version; ordering is SemVer precedence (build metadata ignored)."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[str | int, ...] = ()
    build: tuple[str, ...] = ()

    def _key(self) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
        pre = tuple((0, p) if isinstance(p, int) else (1, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(str(p) for p in self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text


def parse_version(text: str) -> Version:
    """Parse a strict SemVer 2.0 version. Raises ValueError naming the problem."""
    match = _VERSION.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid semantic version {text!r}: {_version_problem(text)}")
    numbers = [int(match.group(k)) for k in ("major", "minor", "patch")]
    if max(numbers) > _UINT64_MAX:
        raise ValueError(f"invalid semantic version {text!r}: number out of range")
    pre = match.group("pre")
    build = match.group("build")
    return Version(
        *numbers,
        prerelease=tuple(int(p) if p.isdigit() else p for p in pre.split(".")) if pre else (),
        build=tuple(build.split(".")) if build else (),
    )


def _version_problem(text: str) -> str:
    if not text:
        return "empty"
    if text[:1] in "vV":
        return "a 'v' prefix is not allowed"
    core = re.split(r"[-+]", text, maxsplit=1)[0]
    parts = core.split(".")
    if len(parts) != 3:
        return "expected MAJOR.MINOR.PATCH"
    for part in parts:
        if not part.isascii() or not part.isdigit():
            return f"{part!r} is not a number"
        if len(part) > 1 and part[0] == "0":
            return f"{part!r} has a leading zero"
    return "invalid pre-release or build metadata"


Comparator = Callable[[Version, Version], bool]
_COMPARATORS: dict[str, Comparator] = {
    "": lambda v, r: v == r,
    "=": lambda v, r: v == r,
    "==": lambda v, r: v == r,
    "!": lambda v, r: v != r,
    "!=": lambda v, r: v != r,
    ">": lambda v, r: v > r,
    ">=": lambda v, r: v >= r,
    "<": lambda v, r: v < r,
    "<=": lambda v, r: v <= r,
}


@dataclass(frozen=True, slots=True)
class Range:
    """A parsed range: OR of ANDs of ``(operator, version)`` comparisons."""

    text: str
    alternatives: tuple[tuple[tuple[str, Version], ...], ...]

    def __contains__(self, version: object) -> bool:
        """True when ``version`` (a :class:`Version`) satisfies the range."""
        if not isinstance(version, Version):
            return False
        return any(
            all(_COMPARATORS[op](version, bound) for op, bound in conjunction)
            for conjunction in self.alternatives
        )


def _split_and_trim(text: str) -> list[str]:
    """blang ``splitAndTrim``: split on spaces not preceded by an operator character."""
    result = []
    last = 0
    last_char = ""
    for i, char in enumerate(text):
        if char == " " and last_char not in (">", "<", "="):
            if last < i - 1:
                result.append(text[last:i])
            last = i + 1
        elif char != " ":
            last_char = char
    if last < len(text) - 1:
        result.append(text[last:])
    return [part.replace(" ", "") for part in result]


def _split_comparator(part: str) -> tuple[str, str]:
    index = next((i for i, c in enumerate(part) if c.isdigit()), -1)
    if index == -1:
        raise ValueError(f"could not get version from {part!r}")
    return part[:index].strip(), part[index:]


def _expand_wildcard(part: str) -> list[str]:
    """blang ``expandWildcardVersion`` for one comparator containing ``x``."""
    op, text = _split_comparator(part)
    pieces = text.split(".")
    kind = len(pieces) if pieces[-1] == "x" else 0
    flat = text.replace(".x.x", ".x", 1).replace(".x", ".0", 1)
    if len(flat.split(".")) == 2:
        flat += ".0"
    prefix: list[str] = []
    increment = False
    if op in (">", "<="):
        result_op, increment = (">=" if op == ">" else "<"), True
    elif op in (">=", "<"):
        result_op = op
    elif op in ("", "=", "=="):
        prefix, result_op, increment = [">=" + flat], "<", True
    elif op in ("!=", "!"):
        prefix, result_op, increment = ["<" + flat], ">=", True
    else:
        result_op = op
    version = flat
    if increment:
        version = ""
        if kind in (2, 3):
            fields = flat.split(".")
            position = 0 if kind == 2 else 1
            if fields[position].isdigit():
                fields[position] = str(int(fields[position]) + 1)
                version = ".".join(fields)
    return [*prefix, result_op + version]


def parse_range(text: str) -> Range:
    """Parse a blang/semver v4 range (``ParseRange``). Raises ValueError naming the
    offending comparator."""
    parts = _split_and_trim(text)
    groups: list[list[str]] = []
    last = 0
    for i, part in enumerate(parts):
        if part == "||":
            if i == 0:
                raise ValueError(f"invalid range {text!r}: first element is '||'")
            groups.append(parts[last:i])
            last = i + 1
    if last == len(parts):
        raise ValueError(f"invalid range {text!r}: empty or ends with '||'")
    groups.append(parts[last:])
    try:
        alternatives = tuple(tuple(_comparisons(group)) for group in groups)
    except ValueError as exc:
        raise ValueError(f"invalid range {text!r}: {exc}") from None
    return Range(text, alternatives)


def _comparisons(group: list[str]) -> list[tuple[str, Version]]:
    conjunction = []
    for part in group:
        for expanded in _expand_wildcard(part) if "x" in part else [part]:
            op, version_text = _split_comparator(expanded)
            if op not in _COMPARATORS:
                raise ValueError(f"could not parse comparator {op!r} in {expanded!r}")
            conjunction.append((op, parse_version(version_text)))
    return conjunction
