"""bundle_tools.versions and semver_range: each parser accepts exactly what its Go library
accepts (blang/semver Parse, ParseTolerant, ParseRange; coreos/go-semver NewVersion)."""

from __future__ import annotations

import pytest

from bundle_tools.semver_range import RangeError, parse_range
from bundle_tools.versions import parse_go_semver, parse_strict, parse_tolerant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.21.0", (1, 21, 0)),
        ("01.021.000", (1, 21, 0)),  # strconv.ParseInt takes leading zeros
        ("1.21.0-rc.1+build.5", (1, 21, 0)),
        ("9223372036854775807.0.0", (9223372036854775807, 0, 0)),
    ],
)
def test_go_semver_accepts(text: str, expected: tuple[int, int, int]) -> None:
    assert parse_go_semver(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.21", "not in dotted-tri format"),  # operator-sdk#5995: OLM never installs it
        ("v1.21.0", "'v1' is not a 64-bit integer"),  # OLM strips the v before calling
        ("1.21.0.1", "'0.1' is not a 64-bit integer"),
        ("1.21.0-rc_1", "pre-release 'rc_1' is not a valid semver identifier"),
        ("1..0", "'' is not a 64-bit integer"),
        ("9223372036854775808.0.0", "not a 64-bit integer"),
    ],
)
def test_go_semver_refuses(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_go_semver(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.25.0", "1.25.0"),
        ("v1.25", "1.25.0"),
        (" 1 ", "1.0.0"),
        ("01.02.03", "1.2.3"),  # tolerant strips leading zeros
        ("1.2.03-rc.1", "1.2.3-rc.1"),
        ("v00.1", "0.1.0"),
    ],
)
def test_tolerant(text: str, expected: str) -> None:
    assert str(parse_tolerant(text)) == expected


@pytest.mark.parametrize("text", ["1.25-rc", "1.x", "", "v", "1.2.3.4"])
def test_tolerant_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_tolerant(text)


@pytest.mark.parametrize(
    "text", ["v1.2.3", "1.2", "01.2.3", "1.2.3-01", "18446744073709551616.0.0"]
)
def test_strict_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_strict(text)


@pytest.mark.parametrize(
    ("text", "groups"),
    [
        (">=1.0.0-xyz", [[">=1.0.0-xyz"]]),  # an 'x' that is no wildcard (issue 8)
        ("<1.0.0-xyz", [["<1.0.0-xyz"]]),
        (">=3.5.x <3.6.1", [[">=3.5.0", "<3.6.1"]]),
        ("1.x", [[">=1.0.0", "<2.0.0"]]),
        ("<=1.x.x", [["<1.1.0"]]),  # blang counts 1.x.x as a patch wildcard
        (">1.2.x", [[">=1.3.0"]]),
        ("!=1.2.x", [["<1.2.0", ">=1.3.0"]]),
        ("~1.2.x", [["1.2.0"]]),  # unknown operator before a wildcard: equality
        (">=1.x.0", [[">=1.0.0"]]),
        (">=1.0.0 1", [[">=1.0.0"]]),  # one-character parts are dropped
        (">= 1.0.0 <2.0.0", [[">=1.0.0", "<2.0.0"]]),
        ("1.2.x || 2.x", [[">=1.2.0", "<1.3.0"], [">=2.0.0", "<3.0.0"]]),
    ],
)
def test_range_like_blang(text: str, groups: list[list[str]]) -> None:
    assert [[str(c) for c in g] for g in parse_range(text).groups] == groups


@pytest.mark.parametrize(
    "text", ["<=1.0.0-xyz", ">1.0.0-xyz", "1.0.0-xyz", "x", "", ">=1.0.0 ||", "v1.0.0", ">=1.0"]
)
def test_range_refused_like_blang(text: str) -> None:
    with pytest.raises(RangeError):
        parse_range(text)
