"""``semver_range.parse_range``: blang/semver ParseRange syntax as OLM reads olm.skipRange."""

from __future__ import annotations

import pytest

from bundle_tools.semver_range import parse_range


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        (">=1.0.0 <1.2.0", ["1.0.0", "1.1.9"], ["1.2.0", "0.9.9"]),
        (">=1.0.0-0 <1.2.0", ["1.0.0-rc.1", "1.1.0"], ["0.9.0"]),
        (">=1.15.3 < 1.22.0", ["1.21.0"], ["1.22.0"]),
        ("<=0.10.3", ["0.10.3"], ["0.10.4"]),
        (">=3.5.x <3.6.1", ["3.5.0", "3.6.0"], ["3.4.9", "3.6.1"]),
        ("1.x", ["1.0.0", "1.9.9"], ["2.0.0"]),
        (">1.2.x", ["1.3.0"], ["1.2.9"]),
        ("<=1.2.x", ["1.2.9"], ["1.3.0"]),
        ("<1.0.0 || >=2.0.0", ["0.5.0", "2.0.0"], ["1.5.0"]),
        ("!=1.0.0 >0.1.0", ["1.0.1"], ["1.0.0"]),
        ("=>1.0.0 =<2.0.0", ["2.0.0"], ["2.0.1"]),
        ("!=1.x", [], ["0.9.0", "1.5.0", "2.0.0"]),  # blang: "<1.0.0 >=2.0.0", empty
    ],
)
def test_valid_ranges(text: str, inside: list[str], outside: list[str]) -> None:
    r = parse_range(text)
    assert [r(v) for v in inside] == [True] * len(inside)
    assert [r(v) for v in outside] == [False] * len(outside)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (">=1.0.0 <v1.2.0", "could not parse comparator '<v'"),
        ("<=v0.10.1", "could not parse comparator '<=v'"),
        (">=1.00.0 <1.2.0", "invalid version '1.00.0'"),
        (">=1.0 <1.2.0", "invalid version '1.0'"),
        ("", "empty range"),
        (">=1.0.0 ||", "empty part"),
        ("~1.0.0", "could not parse comparator '~'"),
        (">=latest", "could not get version"),
    ],
)
def test_invalid_ranges(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_range(text)
