"""Semantic-version ranges as OLM and opm read them (``olm.skipRange``).

OLM and opm parse ``olm.skipRange`` with ``github.com/blang/semver/v4`` ``ParseRange``
(``range.go``); this module follows that code step by step, quirks included, so a range
passes here exactly when it passes there:

- the text is split on spaces, except a space after ``<``, ``>`` or ``=`` (``< 1.2.0`` is
  one part); a part of a single character is dropped (``splitAndTrim``);
- groups separated by ``||`` are alternatives (OR), parts inside a group must all hold
  (AND); ``||`` first or last is an error;
- a part containing ``x`` anywhere is rewritten first (``expandWildcardVersion``):
  ``>=1.2.x`` to ``>=1.2.0``, ``<=1.2.x`` to ``<1.3.0``, ``1.x`` to ``>=1.0.0 <2.0.0``;
  ``1.x.x`` counts as a patch wildcard (``<=1.x.x`` is ``<1.1.0``); a part with an ``x``
  that is no wildcard (``>=1.0.0-xyz``) keeps its operator when that is ``>=`` or ``<``
  and loses its version otherwise (``<=1.0.0-xyz`` fails);
- each part is an operator (``>=``, ``>``, ``<=``, ``<``, ``=``, ``==``, ``!=``, ``!`` or
  none, meaning equal) and a strict semver version
  (:func:`bundle_tools.versions.parse_strict`).

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

from bundle_tools.versions import parse_strict

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
    """blang ``splitAndTrim``: split on spaces, except a space whose last non-space
    character before it is ``<``, ``>`` or ``=``; parts of one character are dropped;
    spaces inside a part are removed."""
    parts: list[str] = []
    last = 0
    last_char = ""
    for i, char in enumerate(text):
        if char == " " and last_char not in ("<", ">", "="):
            if last < i - 1:
                parts.append(text[last:i])
            last = i + 1
        elif char != " ":
            last_char = char
    if last < len(text) - 1:
        parts.append(text[last:])
    return [part.replace(" ", "") for part in parts]


def _split_comparator(part: str) -> tuple[str, str]:
    """blang ``splitComparatorVersion``: ``(operator, version)`` split at the first digit."""
    match = re.search(r"\d", part)
    if match is None:
        raise RangeError(f"{part!r} has no version number")
    return part[: match.start()], part[match.start() :]


def _parse_version(text: str, part: str) -> semver.Version:
    if re.search(r"[<>=!|]", text):
        spaced = re.sub(r"(?<=[^\s<>=!|])(?=[<>=!])", " ", re.sub(r"\s*\|\|\s*", " || ", part))
        raise RangeError(
            f"{part!r}: separate comparators and '||' with spaces, as in {spaced.strip()!r}"
        )
    try:
        return parse_strict(text)
    except ValueError as exc:
        raise RangeError(f"{part!r}: {text!r} is {exc}") from None


def _flat_version(text: str) -> str:
    """blang ``createVersionFromWildcard``: ``1.x.x`` and ``1.x`` to ``1.0.0``, ``1.2.x``
    to ``1.2.0`` (only the first ``.x`` is replaced)."""
    flat = text.replace(".x.x", ".x", 1).replace(".x", ".0", 1)
    return flat + ".0" if len(flat.split(".")) == 2 else flat


def _increment(text: str, index: int) -> str:
    """blang ``incrementMajorVersion``/``incrementMinorVersion`` (``index`` 0 or 1);
    ``""`` when that part is not a number (blang ignores the error)."""
    parts = text.split(".")
    if len(parts) <= index or not re.fullmatch(r"[+-]?[0-9]+", parts[index]):
        return ""
    parts[index] = str(int(parts[index]) + 1)
    return ".".join(parts)


def _expand_wildcard(part: str) -> list[str]:
    """blang ``expandWildcardVersion`` for one part holding an ``x``: the parts it
    becomes, still as text."""
    op, text = _split_comparator(part)
    pieces = text.split(".")
    wildcard = {2: 0, 3: 1}.get(len(pieces)) if pieces[-1] == "x" else None
    flat = _flat_version(text)
    before: list[str] = []
    increment = op in (">", "<=", "", "=", "==", "!=", "!")
    result_op = {">": ">=", ">=": ">=", "<": "<", "<=": "<"}.get(op, "")
    if op in ("", "=", "=="):
        before, result_op = [">=" + flat], "<"
    elif op in ("!=", "!"):
        before, result_op = ["<" + flat], ">="
    elif op not in (">", ">=", "<", "<="):
        increment = False
    version = (_increment(flat, wildcard) if wildcard is not None else "") if increment else flat
    if not version:
        raise RangeError(
            f"{part!r}: blang/semver rewrites every part holding an 'x' as a wildcard, and "
            f"this one ({op or '='} with no trailing .x) loses its version"
        )
    return [*before, result_op + version]


def parse_range(text: str) -> Range:
    """Parse ``text`` like blang/semver ``ParseRange``.

    Raises :class:`RangeError` (a ``ValueError``) for an empty range, a dangling or
    doubled ``||`` (blang accepts a doubled one, then OLM panics evaluating the empty
    group), comparators not separated by spaces, an unknown operator (``=>``, ``~``, a
    ``v`` prefix; blang lets one through in front of an ``x`` wildcard, as equality), a
    version that is not strict semver, or a part holding an ``x`` that loses its version
    in blang's wildcard expansion.
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
            for piece in _expand_wildcard(part) if "x" in part else [part]:
                op, version = _split_comparator(piece)
                if op not in _OPERATORS:
                    hint = " (no 'v' prefix allowed)" if "v" in op else ""
                    raise RangeError(f"{part!r}: unknown comparison operator {op!r}{hint}")
                comparators.append(Comparator(op, _parse_version(version, part)))
        parsed.append(tuple(comparators))
    return Range(text=text, groups=tuple(parsed))
