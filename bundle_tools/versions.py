"""Version strings, parsed by the exact library each consumer runs (ranges are
:mod:`bundle_tools.semver_range`).

- :func:`parse_strict`: ``github.com/blang/semver/v4`` ``Parse``: strict SemVer 2.0.0,
  no ``v`` prefix, no leading zeros, numbers within 64 bits unsigned. opm validates a
  bundle's ``olm.package`` version this way (operator-registry ``alpha/model``), and
  blang's ranges parse their versions with it.
- :func:`parse_tolerant`: blang ``ParseTolerant``: surrounding spaces and one leading
  ``v`` dropped, leading zeros stripped from each of the first three dot-separated parts,
  a missing minor or patch filled with ``0`` (not when the short form carries ``-`` or
  ``+``), then :func:`parse_strict`. OLM reads ``olm.maxOpenShiftVersion`` this way
  (operator-lifecycle-manager ``pkg/controller/operators/openshift/helpers.go``
  ``MaxOpenShiftVersion``), and a CSV's ``spec.version`` when the cluster decodes it
  (operator-framework/api ``pkg/lib/version`` ``OperatorVersion.UnmarshalJSON``).
- :func:`parse_go_semver`: ``github.com/coreos/go-semver`` v0.3.1 ``NewVersion``: three
  dot-separated base-10 64-bit integers (leading zeros allowed, ``1.21`` refused: "not in
  dotted-tri format"), optional ``-pre`` and ``+meta`` identifiers. OLM checks
  ``spec.minKubeVersion`` with it after dropping one leading ``v``
  (operator-lifecycle-manager ``pkg/controller/operators/olm/requirements.go``
  ``minKubeVersionStatus``).

Each raises ValueError with the reason (without the text itself).
"""

from __future__ import annotations

import re

import semver

#: blang/semver reads version numbers and numeric prerelease identifiers as uint64.
UINT64_MAX = 2**64 - 1
#: go-semver reads each number with ``strconv.ParseInt(v, 10, 64)``.
INT64_MAX = 2**63 - 1

_GO_IDENTIFIER = re.compile(r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*")


def parse_strict(text: str) -> semver.Version:
    """Parse ``text`` as blang/semver ``Parse`` (see the module docstring). Raises
    ValueError with the reason."""
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


def parse_tolerant(text: str) -> semver.Version:
    """Parse ``text`` as blang/semver ``ParseTolerant`` (see the module docstring). Raises
    ValueError with the reason."""
    parts = text.strip().removeprefix("v").split(".", 2)
    for i, part in enumerate(parts):
        if len(part) > 1:
            part = part.lstrip("0")
            if not part or not part[0].isdigit():
                part = "0" + part
            parts[i] = part
    if len(parts) < 3:
        if re.search(r"[+-]", parts[-1]):
            raise ValueError("a short version (MAJOR or MAJOR.MINOR) cannot have -PRE or +BUILD")
        parts += ["0"] * (3 - len(parts))
    return parse_strict(".".join(parts))


def parse_go_semver(text: str) -> tuple[int, int, int]:
    """Parse ``text`` as coreos/go-semver ``NewVersion`` (see the module docstring; no
    ``v`` stripping here: OLM's caller does it) and return ``(major, minor, patch)``.
    Raises ValueError with the reason."""
    text, _, metadata = text.partition("+")
    text, _, prerelease = text.partition("-")
    parts = text.split(".", 2)
    if len(parts) != 3:
        raise ValueError("not in dotted-tri format (MAJOR.MINOR.PATCH)")
    for kind, identifier in (("pre-release", prerelease), ("metadata", metadata)):
        if identifier and not _GO_IDENTIFIER.fullmatch(identifier):
            raise ValueError(f"{kind} {identifier!r} is not a valid semver identifier")
    numbers = []
    for part in parts:
        if not part.isascii() or not part.isdigit() or int(part) > INT64_MAX:
            raise ValueError(f"{part!r} is not a 64-bit integer")
        numbers.append(int(part))
    return numbers[0], numbers[1], numbers[2]
