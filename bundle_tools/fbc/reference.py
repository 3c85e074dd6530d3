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
from dataclasses import dataclass

from bundle_tools.errors import UsageError

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

#: The registry of a name without a domain, and the host its API is served from
#: (``distribution/reference`` normalisation; Docker Hub's API endpoint).
DEFAULT_DOMAIN = "docker.io"
DEFAULT_API_HOST = "registry-1.docker.io"


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


@dataclass(frozen=True, slots=True)
class ImageReference:
    """A parsed image reference, normalised as ``distribution/reference``'s
    ``ParseNormalizedNamed``: ``domain`` is the registry (``docker.io`` when the name has
    none; a first component is a domain when it holds ``.`` or ``:`` or is
    ``localhost``), ``repository`` the path inside it (``library/`` added for a one-part
    Docker Hub name), ``tag`` and ``digest`` (``algorithm:hex``) are ``None`` when absent.
    """

    domain: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def api_host(self) -> str:
        """``host[:port]`` of the registry's HTTP API (Docker Hub's is not docker.io)."""
        return DEFAULT_API_HOST if self.domain == DEFAULT_DOMAIN else self.domain

    @property
    def name(self) -> str:
        """``domain/repository``, the reference without tag or digest."""
        return f"{self.domain}/{self.repository}"

    @property
    def object(self) -> str:
        """What a manifest request names: the digest when set, else the tag (``latest``
        when neither is given, as ``docker pull`` does)."""
        return self.digest or self.tag or "latest"

    def with_digest(self, digest: str) -> ImageReference:
        """This name pinned to ``digest`` (the tag dropped)."""
        return ImageReference(self.domain, self.repository, None, digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> ImageReference:
    """Parse and normalise image reference ``text`` (see :class:`ImageReference`).

    Raises UsageError naming the reference and why it is invalid (the
    :func:`reference_problem` message).
    """
    problem = reference_problem(text)
    if problem:
        raise UsageError(f"invalid image reference {text!r}: {problem}")
    match = _REFERENCE.fullmatch(text)
    assert match is not None
    name = match.group("name")
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        domain, path = first, rest
    else:
        domain, path = DEFAULT_DOMAIN, name
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = f"library/{path}"
    return ImageReference(domain, path, match.group("tag"), match.group("digest"))
