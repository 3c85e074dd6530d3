"""blang/semver ``ParseRange`` syntax as OLM reads ``olm.skipRange``."""

from __future__ import annotations

import pytest

from bundle_tools.semver_range import Comparator, RangeError, parse_range


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        (">=1.0.0 <1.2.0", ["1.0.0", "1.1.9"], ["0.9.9", "1.2.0"]),
        (">=3.5.x <3.6.1", ["3.5.0", "3.6.0"], ["3.4.9", "3.6.1"]),
        (">=1.15.3 < 1.22.0", ["1.21.0"], ["1.22.0"]),
        ("<1.0.0 || >=2.0.0", ["0.5.0", "2.0.0"], ["1.0.0"]),
        ("1.2.x", ["1.2.0", "1.2.99"], ["1.3.0", "1.1.0"]),
        (">1.2.x", ["1.3.0"], ["1.2.9"]),
        ("<=1.2.x", ["1.2.9"], ["1.3.0"]),
        ("1.0.0", ["1.0.0"], ["1.0.1"]),
        (">=1.0.0-rc.1 <1.0.0", ["1.0.0-rc.2"], ["1.0.0", "1.0.0-beta"]),
    ],
)
def test_range_membership(text: str, inside: list[str], outside: list[str]) -> None:
    parsed = parse_range(text)
    assert [v in parsed for v in inside] == [True] * len(inside)
    assert [v in parsed for v in outside] == [False] * len(outside)


def test_wildcard_expands_like_blang() -> None:
    assert [str(c) for c in parse_range("1.2.x").groups[0]] == [">=1.2.0", "<1.3.0"]
    assert [str(c) for c in parse_range("<=2.x").groups[0]] == ["<3.0.0"]
    assert parse_range(">=1.0.0 || <0.1.0").groups[1] == (
        Comparator("<", parse_range("0.1.0").groups[0][0].version),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty range"),
        ("<=v1", "no 'v' prefix"),
        (">=v1.0.0", "no 'v' prefix"),
        (">=1.2", "not a strict semantic version"),
        (">=01.2.3", "not a strict semantic version"),
        (">=1.0.18446744073709551616", "is out of range (blang/semver"),
        ("=>1.0.0", "unknown comparison operator"),
        ("~1.2.0", "unknown comparison operator"),
        ("|| >=1.0.0", "'||' needs a comparator"),
        (">=1.0.0 ||", "'||' needs a comparator"),
        (
            ">=1.0.0||<2.0.0",
            "'>=1.0.0||<2.0.0': separate comparators and '||' with spaces, as in "
            "'>=1.0.0 || <2.0.0'",
        ),
        (
            ">=1.0.0<2.0.0",
            "'>=1.0.0<2.0.0': separate comparators and '||' with spaces, as in '>=1.0.0 <2.0.0'",
        ),
        ("1.x.3", "loses its version"),
        ("latest", "has no version number"),
    ],
)
def test_invalid_ranges_are_rejected(text: str, message: str) -> None:
    with pytest.raises(RangeError) as info:
        parse_range(text)
    assert message in str(info.value)
