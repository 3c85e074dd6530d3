"""Version ranges as OLM reads ``olm.skipRange``: blang/semver v3 ``ParseRange`` syntax.

Grammar (blang/semver ``range.go``): comparators joined by spaces (AND) and ``||`` (OR);
a comparator is an operator (``""``, ``=``, ``==``, ``!=``, ``!``, ``>``, ``>=``, ``=>``,
``<``, ``<=``, ``=<``) followed by a strict semantic version; spaces between operator and
version are allowed (``< 1.2.0``); ``x`` wildcards in minor or patch (``>=3.5.x``) are
expanded to plain comparators. A ``v`` prefix, a missing patch number or leading zeros
are errors, as in blang's ``Parse``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from semver import Version

_OPERATORS: dict[str, Callable[[Version, Version], bool]] = {
    "": operator.eq,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "!": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "=>": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "=<": operator.le,
}


@dataclass(frozen=True, slots=True)
class Range:
    """A parsed range: ``alternatives`` is a tuple (OR) of tuples (AND) of
    ``(operator, version)`` comparators. Call it with a :class:`semver.Version` (or a
    version string) to test membership."""

    text: str
    alternatives: tuple[tuple[tuple[str, Version], ...], ...]

    def __call__(self, version: Version | str) -> bool:
        """True when ``version`` satisfies every comparator of some alternative."""
        if isinstance(version, str):
            version = Version.parse(version)
        return any(
            all(_OPERATORS[op](version, bound) for op, bound in conjunction)
            for conjunction in self.alternatives
        )


def _split_and_trim(text: str) -> list[str]:
    """blang ``splitAndTrim``: split on spaces, except a space right after an operator
    character (``<``, ``>``, ``=``) joins the operator with its version."""
    out, last, last_char = [], 0, ""
    for i, char in enumerate(text):
        if char == " " and last_char not in "<>=":
            if last < i:
                out.append(text[last:i])
            last = i + 1
        elif char != " ":
            last_char = char
    if last < len(text):
        out.append(text[last:])
    return [part.replace(" ", "") for part in out if part.strip()]


def _split_comparator(part: str) -> tuple[str, str]:
    found = re.search(r"\d", part)
    if found is None:
        raise ValueError(f"could not get version from {part!r}")
    return part[: found.start()].strip(), part[found.start() :]


def _bump(version: str, index: int) -> str:
    numbers = [int(n) for n in version.split(".")]
    numbers[index] += 1
    numbers[index + 1 :] = [0] * (2 - index)
    return ".".join(map(str, numbers))


def _expand_wildcard(part: str) -> list[str]:
    """blang ``expandWildcardVersion`` for one comparator holding an ``x``."""
    op, version = _split_comparator(part)
    pieces = version.split(".")
    if not (
        (len(pieces) == 3 and pieces[2] == "x" and pieces[1] != "x")
        or (len(pieces) in (2, 3) and pieces[1] == "x" and pieces[-1] == "x")
    ):
        raise ValueError(f"invalid wildcard version {version!r}")
    minor_wildcard = pieces[1] == "x"
    flat = ".".join([p if p != "x" else "0" for p in pieces] + ["0"] * (3 - len(pieces)))
    if not re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.0", flat):
        raise ValueError(f"invalid wildcard version {version!r}")
    bumped = _bump(flat, 0 if minor_wildcard else 1)
    if op in (">",):
        return [">=" + bumped]
    if op in (">=", "=>"):
        return [">=" + flat]
    if op == "<":
        return ["<" + flat]
    if op in ("<=", "=<"):
        return ["<" + bumped]
    if op in ("", "=", "=="):
        return [">=" + flat, "<" + bumped]
    if op in ("!=", "!"):
        # blang ANDs both sides, so such a range matches nothing; it still parses
        return ["<" + flat, ">=" + bumped]
    raise ValueError(f"could not parse comparator {op!r} in {part!r}")


def parse_range(text: str) -> Range:
    """Parse ``text`` like blang/semver ``ParseRange``.

    Raises ValueError (message names the offending part) for an empty range, an empty
    ``||`` alternative, an unknown operator (``<v1.2.0`` has operator ``<v``) or a version
    that is not strict semver (``1.00.0``, ``1.2``).
    """
    parts = _split_and_trim(text)
    if not parts:
        raise ValueError("empty range")
    groups: list[list[str]] = [[]]
    for part in parts:
        if part == "||":
            groups.append([])
        else:
            groups[-1].append(part)
    alternatives = []
    for group in groups:
        if not group:
            raise ValueError(f"empty part around '||' in {text!r}")
        comparators = []
        for part in group:
            for expanded in _expand_wildcard(part) if "x" in part else [part]:
                op, version = _split_comparator(expanded)
                if op not in _OPERATORS:
                    raise ValueError(f"could not parse comparator {op!r} in {part!r}")
                try:
                    comparators.append((op, Version.parse(version)))
                except ValueError as exc:
                    raise ValueError(f"invalid version {version!r} in {part!r}: {exc}") from None
        alternatives.append(tuple(comparators))
    return Range(text=text, alternatives=tuple(alternatives))
