"""Container image references (pull specs) as ``github.com/distribution/reference``
parses them: ``[domain[:port]/]path[:tag][@digest]``.

The path components are lowercase alphanumerics joined by ``.``, ``_``, ``__`` or dashes;
tags are ``[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}``; a digest is ``algorithm:hex`` with at
least 32 hex digits (exactly 64 for ``sha256``, 128 for ``sha512``); the name is at most
255 characters. ``opm validate`` checks bundle images and ``relatedImages`` this way
(since v1.64).
"""

from __future__ import annotations

import re

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9A-Fa-f:.]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"(?P<name>{_NAME})(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?", re.ASCII
)
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
NAME_MAX = 255


def reference_problem(text: str) -> str | None:
    """Why ``text`` is not a valid image reference, or ``None`` when it is."""
    if not text:
        return "empty image reference"
    match = _REFERENCE.fullmatch(text)
    if match is None:
        if _REFERENCE.fullmatch(text.lower()) is not None:
            return "repository name must be lowercase"
        return "invalid reference format"
    if len(match.group("name")) > NAME_MAX:
        return f"repository name longer than {NAME_MAX} characters"
    digest = match.group("digest")
    if digest:
        algorithm, hex_digits = digest.split(":", 1)
        expected = _DIGEST_LENGTHS.get(algorithm)
        if expected is not None and len(hex_digits) != expected:
            return f"invalid {algorithm} digest length {len(hex_digits)}"
    return None
