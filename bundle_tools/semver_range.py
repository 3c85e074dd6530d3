"""Semantic-version ranges as OLM reads them (``olm.skipRange``).

OLM parses ``olm.skipRange`` with ``github.com/blang/semver/v4`` ``ParseRange``; this
module accepts exactly that syntax so a range that passes here also passes OLM:

- comparators ``>=1.0.0``, ``>1.0.0``, ``<=1.0.0``, ``<1.0.0``, ``=1.0.0``, ``==1.0.0``,
  ``!=1.0.0``, ``!1.0.0`` or a bare ``1.0.0`` (equal); a space may follow the operator
  (``< 1.2.0``), as blang joins it to the version;
- comparators separated by spaces must all hold (AND); groups separated by a
  space-delimited ``||`` are alternatives (OR);
- versions are strict semver 2.0.0 (``MAJOR.MINOR.PATCH[-PRE][+BUILD]``, no ``v``
  prefix, no leading zeros); ``x`` wildcards are allowed in trailing positions
  (``>=3.5.x``, ``<2.x``, ``1.x.x``) and expand the way blang expands them.

Example::

    >>> r = parse_range(">=3.5.x <3.6.1")
    >>> "3.6.0" in r, "3.6.1" in r
    (True, False)
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import semver

_OPERATORS: dict[str, Callable[[semver.Version, semver.Version], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "=": operator.eq,
    "": operator.eq,
    "!=": operator.ne,
    "!": operator.ne,
}
_MAJOR_WILDCARD = re.compile(r"(0|[1-9]\d*)\.x(?:\.x)?")
_MINOR_WILDCARD = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.x")


class RangeError(ValueError):
    """A range string that blang/semver ``ParseRange`` would reject; the message says why."""


@dataclass(frozen=True, slots=True)
class Comparator:
    """One condition: ``op`` is one of ``>= <= > < == = != !`` or ``""`` (equal)."""

    op: str
    version: semver.Version

    def __contains__(self, version: semver.Version) -> bool:
        return _OPERATORS[self.op](version, self.version)

    def __str__(self) -> str:
        return f"{self.op}{self.version}"


@dataclass(frozen=True, slots=True)
class Range:
    """A parsed range: ``groups`` are alternatives (OR), each a tuple of comparators that
    must all hold (AND). ``text`` is the string it was parsed from.
    ``version in range`` accepts a :class:`semver.Version` or a strict semver string."""

    text: str
    groups: tuple[tuple[Comparator, ...], ...]

    def __contains__(self, version: semver.Version | str) -> bool:
        if isinstance(version, str):
            version = semver.Version.parse(version)
        return any(all(version in c for c in group) for group in self.groups)


def _split_parts(text: str) -> list[str]:
    """blang ``splitAndTrim``: split on spaces, except a space right after ``<``, ``>``
    or ``=`` (so ``< 1.2.0`` is one part)."""
    parts: list[str] = []
    current = ""
    for char in text:
        if char == " " and not (current and current[-1] in "<>="):
            if current:
                parts.append(current)
            current = ""
        elif char != " ":
            current += char
    if current:
        parts.append(current)
    return parts


def _split_comparator(part: str) -> tuple[str, str]:
    match = re.search(r"\d", part)
    if match is None:
        raise RangeError(f"{part!r} has no version number")
    op, version = part[: match.start()], part[match.start() :]
    if op not in _OPERATORS:
        hint = " (no 'v' prefix allowed)" if "v" in op else ""
        raise RangeError(f"{part!r}: unknown comparison operator {op!r}{hint}")
    return op, version


#: blang/semver reads version numbers and numeric prerelease identifiers as uint64.
UINT64_MAX = 2**64 - 1


def parse_version(text: str) -> semver.Version:
    """Parse ``text`` as blang/semver ``Parse`` does: strict semver 2.0 (MAJOR.MINOR.PATCH,
    no leading zeros, no ``v`` prefix) whose numbers fit in 64 bits unsigned.

    Raises ValueError with the reason (without the text itself).
    """
    try:
        version = semver.Version.parse(text)
    except (TypeError, ValueError):
        raise ValueError(
            "not a strict semantic version (MAJOR.MINOR.PATCH, no leading zeros, no 'v' prefix)"
        ) from None
    numbers = [version.major, version.minor, version.patch]
    numbers += [int(p) for p in (version.prerelease or "").split(".") if p.isdigit()]
    if any(n > UINT64_MAX for n in numbers):
        raise ValueError(
            "out of range (blang/semver reads each number as a 64-bit unsigned integer)"
        )
    return version


def _parse_version(text: str, part: str) -> semver.Version:
    if re.search(r"[<>=!|]", text):
        spaced = re.sub(r"(?<=[^\s<>=!|])(?=[<>=!])", " ", re.sub(r"\s*\|\|\s*", " || ", part))
        raise RangeError(
            f"{part!r}: separate comparators and '||' with spaces, as in {spaced.strip()!r}"
        )
    try:
        return parse_version(text)
    except ValueError as exc:
        raise RangeError(f"{part!r}: {text!r} is {exc}") from None


def _expand_wildcard(op: str, text: str, part: str) -> list[Comparator]:
    """blang ``expandWildcardVersion`` for one comparator with an ``x`` wildcard."""
    if match := _MINOR_WILDCARD.fullmatch(text):
        low = semver.Version(int(match[1]), int(match[2]), 0)
        high = low.bump_minor()
    elif match := _MAJOR_WILDCARD.fullmatch(text):
        low = semver.Version(int(match[1]), 0, 0)
        high = low.bump_major()
    else:
        raise RangeError(f"{part!r}: wildcard 'x' only allowed in trailing positions (1.x, 1.2.x)")
    expansions = {
        ">": [(">=", high)],
        ">=": [(">=", low)],
        "<": [("<", low)],
        "<=": [("<", high)],
        "": [(">=", low), ("<", high)],
        "=": [(">=", low), ("<", high)],
        "==": [(">=", low), ("<", high)],
        "!=": [("<", low), (">=", high)],
        "!": [("<", low), (">=", high)],
    }
    return [Comparator(o, v) for o, v in expansions[op]]


def parse_range(text: str) -> Range:
    """Parse ``text`` like blang/semver ``ParseRange``.

    Raises :class:`RangeError` (a ``ValueError``) for an empty range, a dangling or
    doubled ``||``, comparators not separated by spaces, an unknown operator (``=>``,
    ``~``, a ``v`` prefix), a version that is not strict semver, or a wildcard in a
    non-trailing position.
    """
    parts = _split_parts(text)
    if not parts:
        raise RangeError("empty range")
    groups: list[list[str]] = [[]]
    for part in parts:
        if part == "||":
            if not groups[-1]:
                raise RangeError("'||' needs a comparator on both sides")
            groups.append([])
        else:
            groups[-1].append(part)
    if not groups[-1]:
        raise RangeError("'||' needs a comparator on both sides")
    parsed: list[tuple[Comparator, ...]] = []
    for group in groups:
        comparators: list[Comparator] = []
        for part in group:
            op, version = _split_comparator(part)
            if "x" in version:
                comparators.extend(_expand_wildcard(op, version, part))
            else:
                comparators.append(Comparator(op, _parse_version(version, part)))
        parsed.append(tuple(comparators))
    return Range(text=text, groups=tuple(parsed))
