"""bundle_tools.imageref: distribution/reference ParseNormalizedNamed plus go-digest, the
one image-reference grammar of every command (values checked against the Go sources
named in the module docstring)."""

from __future__ import annotations

import re

import pytest

from bundle_tools.imageref import (
    ImageReference,
    InvalidReference,
    parse_reference,
    reference_problem,
)

HEX64 = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("busybox", ImageReference("docker.io", "library/busybox")),
        ("index.docker.io/busybox:1", ImageReference("docker.io", "library/busybox", "1")),
        ("org/op", ImageReference("docker.io", "org/op")),
        ("quay.io/org/op:v1.2.3", ImageReference("quay.io", "org/op", "v1.2.3")),
        ("localhost/x:latest", ImageReference("localhost", "x", "latest")),
        (
            "Registry.Example.com:5000/a/b-c_d.e",
            ImageReference("Registry.Example.com:5000", "a/b-c_d.e"),
        ),
        (
            "[::1]:5000/a@sha256:" + HEX64,
            ImageReference("[::1]:5000", "a", None, "sha256:" + HEX64),
        ),
        (
            "quay.io/a/b:t@sha512:" + "a" * 128,
            ImageReference("quay.io", "a/b", "t", "sha512:" + "a" * 128),
        ),
    ],
)
def test_parse(text: str, expected: ImageReference) -> None:
    ref = parse_reference(text)
    assert ref == expected
    assert parse_reference(str(ref)) == ref


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty image reference"),
        ("quay.io/Org/op:1", "repository name must be lowercase ('Org/op')"),
        ("quay.io/org/op:bad tag", "invalid reference format"),
        ("quay.io/org/op@sha256:abc", "invalid reference format"),
        # 63 hex digits passed patch-csv and CSV015 and failed opm validate (FBC037)
        (
            "quay.io/org/op@sha256:" + "a" * 63,
            "invalid checksum digest length: sha256 takes 64 hex digits, got 63",
        ),
        (
            "quay.io/org/op@sha256:" + "A" * 64,
            "invalid checksum digest format: sha256 hex digits must be lowercase",
        ),
        (
            "quay.io/org/op@md5:" + "a" * 32,
            "unsupported digest algorithm 'md5' (known: sha256, sha384, sha512)",
        ),
        ("quay.io/org/op:" + "t" * 129, "invalid reference format"),
        ("quay.io/" + "a" * 256, "repository name must not be more than 255 characters (got 256)"),
        ("quay.io/org/op:v1\n", "invalid reference format"),
        (
            HEX64,
            "a 64-hex-digit string is an image id, not a repository name (use NAME@sha256:HEX)",
        ),
    ],
)
def test_problem(text: str, problem: str) -> None:
    assert reference_problem(text) == problem
    with pytest.raises(InvalidReference, match=re.escape(problem)):
        parse_reference(text)


def test_with_digest() -> None:
    ref = parse_reference("quay.io/org/op:v1")
    assert str(ref.with_digest("sha256:" + HEX64)) == "quay.io/org/op@sha256:" + HEX64
    with pytest.raises(InvalidReference, match="length"):
        ref.with_digest("sha256:abc" + "0" * 30)


@pytest.mark.parametrize("option", ["operator_image", "related_images"])
def test_patch_options_use_the_same_grammar(option: str) -> None:
    """patch-csv refuses before writing what CSV015 and opm (FBC037) would refuse."""
    from bundle_tools.errors import UsageError
    from bundle_tools.patch import PatchOptions

    bad = "quay.io/org/op@sha256:" + "a" * 63
    value = bad if option == "operator_image" else (("db", bad),)
    with pytest.raises(UsageError, match="digest length: sha256 takes 64 hex digits, got 63"):
        PatchOptions(**{option: value}).check()
