"""Container image references (pull specs), the one grammar every command and option uses.

Modelled on what opm runs: ``reference.ParseNormalizedNamed`` of
``github.com/distribution/reference`` v0.6.0 (operator-registry
``alpha/declcfg/declcfg_to_model.go`` ``validateImagePullSpec``, behind ``opm validate``'s
bundle image and relatedImages checks), with digests checked by
``github.com/opencontainers/go-digest`` v1.0.0 ``Digest.Validate``:

- ``[domain[:port]/]path[:tag][@algorithm:hex]``; path components are lowercase
  alphanumerics joined by ``.``, ``_``, ``__`` or runs of ``-``; a domain is DNS-like
  components (any case) or a bracketed IPv6 address, with an optional port;
- the first component is the registry when it holds ``.`` or ``:`` or is ``localhost``
  or has an uppercase letter; otherwise the name is on Docker Hub (``docker.io``, and a
  one-component path gets ``library/``);
- a tag is ``[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}``;
- a digest must use a known algorithm (``sha256``, ``sha384``, ``sha512``) with exactly
  64, 96 or 128 lowercase hex digits (``sha256:`` with 63 digits, or in uppercase, fails);
- the path is at most 255 characters; a bare 64-hex string is refused (it would be an
  image id).

API: :func:`parse_reference` returns an :class:`ImageReference` (``domain``,
``repository``, ``tag``, ``digest``; ``str()`` formats it back, normalised) or raises
:class:`InvalidReference`; :func:`reference_problem` gives the reason as a string or
``None``, for rules and option checks that report rather than raise.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_REMOTE_NAME = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[(?:[a-fA-F0-9:]+)\])"
_DOMAIN_AND_PORT = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}"
# re.ASCII: Go's \w is [0-9A-Za-z_]. fullmatch only: Python's $ also matches before a
# final newline, Go's does not.
_REFERENCE = re.compile(
    rf"((?:{_DOMAIN_AND_PORT}/)?{_REMOTE_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?", re.ASCII
)
_NAME = re.compile(rf"(?:({_DOMAIN_AND_PORT})/)?({_REMOTE_NAME})", re.ASCII)
_IDENTIFIER = re.compile(r"[a-f0-9]{64}")

#: Registry of a name without one (distribution/reference ``defaultDomain``).
DEFAULT_DOMAIN = "docker.io"
_LEGACY_DEFAULT_DOMAIN = "index.docker.io"
_OFFICIAL_PREFIX = "library/"
#: Longest repository path (distribution/reference ``RepositoryNameTotalLengthMax``).
PATH_MAX = 255
#: Hex digits of each digest algorithm go-digest knows (its ``anchoredEncodedRegexps``).
DIGEST_HEX_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}


class InvalidReference(ValueError):
    """An image reference that does not parse; ``str()`` is the reason (distribution/
    reference's or go-digest's error text, with the detail it lacks)."""


@dataclass(frozen=True, slots=True)
class ImageReference:
    """A parsed, normalised image reference. ``domain`` is the registry host (and port),
    ``docker.io`` when the text names none; ``repository`` the path inside it
    (``library/`` added to a one-component Docker Hub path); ``tag`` and ``digest``
    (``algorithm:hex``) are ``None`` when absent. ``str()`` gives
    ``domain/repository[:tag][@digest]``."""

    domain: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """``domain/repository``: the reference without tag or digest."""
        return f"{self.domain}/{self.repository}"

    def with_digest(self, digest: str) -> ImageReference:
        """This repository pinned to ``digest`` (the tag dropped). Raises InvalidReference
        when ``digest`` is not a valid digest."""
        problem = _digest_problem(digest)
        if problem:
            raise InvalidReference(problem)
        return ImageReference(self.domain, self.repository, None, digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def _digest_problem(digest: str) -> str | None:
    """go-digest ``Digest.Validate``: a known algorithm and its exact lowercase hex."""
    algorithm, _, encoded = digest.partition(":")
    if not algorithm or not encoded:
        return "invalid checksum digest format"
    expected = DIGEST_HEX_LENGTHS.get(algorithm)
    if expected is None:
        known = ", ".join(DIGEST_HEX_LENGTHS)
        return f"unsupported digest algorithm {algorithm!r} (known: {known})"
    if len(encoded) != expected:
        return (
            f"invalid checksum digest length: {algorithm} takes {expected} hex digits, "
            f"got {len(encoded)}"
        )
    if not re.fullmatch(r"[a-f0-9]+", encoded):
        return f"invalid checksum digest format: {algorithm} hex digits must be lowercase"
    return None


def _split_domain(text: str) -> tuple[str, str]:
    """distribution/reference ``splitDockerDomain``: ``(domain, remainder)``."""
    first, slash, rest = text.partition("/")
    if not slash:
        return DEFAULT_DOMAIN, _OFFICIAL_PREFIX + text
    if first == _LEGACY_DEFAULT_DOMAIN:
        domain, remainder = DEFAULT_DOMAIN, rest
    elif first == "localhost" or "." in first or ":" in first or first.lower() != first:
        domain, remainder = first, rest
    else:
        domain, remainder = DEFAULT_DOMAIN, text
    if domain == DEFAULT_DOMAIN and "/" not in remainder:
        remainder = _OFFICIAL_PREFIX + remainder
    return domain, remainder


def parse_reference(text: str) -> ImageReference:
    """Parse and normalise image reference ``text`` exactly as ``ParseNormalizedNamed``
    (see the module docstring). Raises InvalidReference with the reason."""
    if not text:
        raise InvalidReference("empty image reference")
    if _IDENTIFIER.fullmatch(text):
        raise InvalidReference(
            "a 64-hex-digit string is an image id, not a repository name (use NAME@sha256:HEX)"
        )
    domain, remainder = _split_domain(text)
    remote = remainder.partition(":")[0]
    if remote.lower() != remote:
        raise InvalidReference(f"repository name must be lowercase ({remote!r})")
    full = f"{domain}/{remainder}"
    match = _REFERENCE.fullmatch(full)
    if match is None:
        if full.lower() != full and _REFERENCE.fullmatch(full.lower()):
            raise InvalidReference("repository name must be lowercase")
        raise InvalidReference("invalid reference format")
    name, tag, digest = match.groups()
    name_match = _NAME.fullmatch(name)
    assert name_match is not None  # the reference pattern's name group is this pattern
    domain, path = name_match.group(1) or "", name_match.group(2)
    if len(path) > PATH_MAX:
        raise InvalidReference(
            f"repository name must not be more than {PATH_MAX} characters (got {len(path)})"
        )
    if digest is not None:
        problem = _digest_problem(digest)
        if problem:
            raise InvalidReference(problem)
    return ImageReference(domain, path, tag, digest)


@functools.lru_cache(maxsize=8192)
def reference_problem(text: str) -> str | None:
    """Why ``text`` is not a valid image reference (see :func:`parse_reference`), or
    ``None`` when it is. Memoised: a catalog names most images more than once (community
    v4.20: 4,897 references, 2,324 distinct)."""
    try:
        parse_reference(text)
    except InvalidReference as exc:
        return str(exc)
    return None


def parse_option(text: str, option: str) -> ImageReference:
    """:func:`parse_reference` for the value of command-line ``option`` (``--tag``):
    raises UsageError (exit 2) naming the option, the value and the reason."""
    from bundle_tools.errors import UsageError

    try:
        return parse_reference(text)
    except InvalidReference as exc:
        raise UsageError(f"invalid {option} {text!r}: {exc}") from None
