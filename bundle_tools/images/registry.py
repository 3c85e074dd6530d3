"""A small client of the OCI distribution API (distribution-spec v1.1) on httpx: what
bundle-tools needs to push and pull images, shared by every command that talks to a
registry.

Typical use::

    from bundle_tools.imageref import parse_reference
    from bundle_tools.images.registry import RegistryClient, RegistryOptions

    with RegistryClient(RegistryOptions(plain_http=True)) as client:
        ref = parse_reference("localhost:5000/op/catalog:v1")
        manifest = client.get_manifest(ref)          # Manifest(media_type, data, digest)
        config = client.get_blob(ref, manifest.json()["config"]["digest"])
        digest = client.resolve(ref)                  # "sha256:..." of the tag
        client.push_image(ref, image)                 # an oci.Image; returns its digest

Authentication follows the registry's ``WWW-Authenticate`` challenge: ``Basic`` sends the
credentials of :func:`bundle_tools.images.auth.lookup`; ``Bearer`` fetches a token from
the challenge's realm (anonymously, with those credentials, or with an identity token as
an OAuth2 refresh token) for ``repository:<name>:pull[,push]``. Requests answered 429 or
500/502/503/504, and connection errors or timeouts (not TLS handshake failures), are
retried ``retries`` times with exponential backoff (``Retry-After`` honoured up to 30 s).

Every failure raises :class:`RegistryError` (exit code 2 in the CLI) naming the registry,
the request and the HTTP status; a 401 names the credential files that were read. No
secret is ever part of a message.

Why not oras-py (0.2.43, evaluated): it reads only ``~/.docker/config.json`` (no
``REGISTRY_AUTH_FILE`` or containers ``auth.json``), retries only 500 answers and
exceptions with sleeps of 3 s and more, builds artifact manifests from files (no image
index, no control over the tar layers), logs instead of raising named errors, and takes
0.5 s to import.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bundle_tools.errors import BundleToolsError
from bundle_tools.imageref import DEFAULT_DOMAIN, ImageReference, parse_option
from bundle_tools.images import auth
from bundle_tools.images.layer import digest_of
from bundle_tools.images.oci import MANIFEST_TYPES, Image

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Where Docker Hub (``docker.io``) serves its registry API.
DOCKER_HUB_API = "registry-1.docker.io"
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')
_MAX_RETRY_AFTER = 30.0


def api_host(ref: ImageReference) -> str:
    """``host[:port]`` of the registry API serving ``ref`` (Docker Hub's is not
    ``docker.io``)."""
    return DOCKER_HUB_API if ref.domain == DEFAULT_DOMAIN else ref.domain


def manifest_object(ref: ImageReference) -> str:
    """What a manifest request names for ``ref``: its digest, else its tag, else
    ``latest`` (as ``docker pull`` does)."""
    return ref.digest or ref.tag or "latest"


class RegistryError(BundleToolsError):
    """A registry request failed: unreachable host, refused credentials, a missing
    manifest or blob, a digest that does not match. ``status`` is the HTTP status
    (``None`` for a connection error)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class RegistryOptions:
    """How to reach registries. ``plain_http``: HTTP instead of HTTPS (local
    registries); ``tls_verify``: check the server certificate; ``ca_file``: PEM bundle of
    extra trusted CAs; ``retries``: extra attempts after a retryable failure;
    ``backoff``: first wait in seconds (doubled each retry); ``timeout``: seconds per
    request; ``chunk_size``: blobs larger than this many bytes are uploaded in chunks
    (PATCH requests) instead of one PUT."""

    plain_http: bool = False
    tls_verify: bool = True
    ca_file: Path | None = None
    retries: int = 4
    backoff: float = 0.5
    timeout: float = 60.0
    chunk_size: int = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Manifest:
    """A fetched manifest: its ``media_type`` (``Content-Type``), raw ``data`` and
    ``digest`` (``sha256:`` of ``data``)."""

    media_type: str
    data: bytes
    digest: str

    def json(self) -> dict[str, Any]:
        """``data`` parsed (an image manifest or index mapping)."""
        value = json.loads(self.data)
        if not isinstance(value, dict):
            raise ValueError("manifest is not a JSON object")
        return value


@dataclass(frozen=True, slots=True)
class _Challenge:
    scheme: str
    params: dict[str, str]


def _challenge(response: httpx.Response) -> _Challenge | None:
    header = response.headers.get("www-authenticate", "")
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    return _Challenge(scheme.lower(), dict(_CHALLENGE.findall(rest)))


def _tls_failure(exc: BaseException) -> bool:
    """True when ``exc`` comes from a TLS handshake failure (an untrusted certificate, a
    plain-HTTP server): a retry would fail the same way."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _detail(response: httpx.Response) -> str:
    try:
        errors = response.json().get("errors") or []
        messages = [f"{e.get('code', '')}: {e.get('message', '')}".strip(": ") for e in errors]
    except (ValueError, AttributeError):
        return ""
    return f" ({'; '.join(m for m in messages if m)})" if messages else ""


class RegistryClient:
    """Talks to any number of registries with one connection pool; use as a context
    manager (or call :meth:`close`). Methods take a parsed
    :class:`~bundle_tools.imageref.ImageReference`."""

    def __init__(self, options: RegistryOptions | None = None) -> None:
        self.options = options or RegistryOptions()
        verify: bool | ssl.SSLContext = self.options.tls_verify
        if self.options.tls_verify and self.options.ca_file:
            try:
                verify = ssl.create_default_context(cafile=str(self.options.ca_file))
            except (OSError, ssl.SSLError) as exc:
                raise BundleToolsError(f"--ca-file {self.options.ca_file}: {exc}") from None
        self._http = httpx.Client(
            verify=verify, timeout=self.options.timeout, follow_redirects=True
        )
        self._tokens: dict[tuple[str, str], str] = {}
        self._basic: dict[str, str] = {}
        self._credentials: dict[tuple[str, str], auth.Credentials | None] = {}
        self._files_read: dict[str, list[Path]] = {}

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # -- plumbing --------------------------------------------------------------------
    def _url(self, ref: ImageReference, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        scheme = "http" if self.options.plain_http else "https"
        if path.startswith("/"):
            return f"{scheme}://{api_host(ref)}{path}"
        return f"{scheme}://{api_host(ref)}/v2/{ref.repository}/{path}"

    def _creds(self, ref: ImageReference) -> auth.Credentials | None:
        key = (ref.domain, ref.repository)
        if key not in self._credentials:
            found, read = auth.lookup(ref.domain, ref.repository)
            self._credentials[key] = found
            self._files_read[ref.domain] = read
        return self._credentials[key]

    def _unauthorized(self, ref: ImageReference, what: str, status: int) -> RegistryError:
        creds = self._creds(ref)
        if creds:
            why = f"the credentials from {creds.source} were refused"
        else:
            read = self._files_read.get(ref.domain) or []
            files = ", ".join(str(p) for p in read) or "none exists"
            why = f"no credentials for {ref.domain} in the auth files read ({files})"
        name = "401 Unauthorized" if status == 401 else f"{status}"
        return RegistryError(f"registry {api_host(ref)}: {what}: HTTP {name}: {why}", status)

    def _authorize(
        self, ref: ImageReference, response: httpx.Response, actions: str, what: str
    ) -> None:
        challenge = _challenge(response)
        if challenge is None:
            raise self._unauthorized(ref, what, 401)
        creds = self._creds(ref)
        if challenge.scheme == "basic":
            if not creds or not creds.username:
                raise self._unauthorized(ref, what, 401)
            pair = f"{creds.username}:{creds.password}".encode()
            self._basic[api_host(ref)] = "Basic " + base64.b64encode(pair).decode("ascii")
            return
        if challenge.scheme != "bearer" or "realm" not in challenge.params:
            raise self._unauthorized(ref, what, 401)
        realm = challenge.params["realm"]
        scope = f"repository:{ref.repository}:{actions}"
        params = {"scope": scope}
        if "service" in challenge.params:
            params["service"] = challenge.params["service"]
        try:
            if creds and creds.identity_token:
                form = {
                    **params,
                    "grant_type": "refresh_token",
                    "refresh_token": creds.identity_token,
                    "client_id": "bundle-tools",
                }
                answer = self._http.post(realm, data=form)
            else:
                basic = httpx.BasicAuth(creds.username, creds.password) if creds else None
                answer = self._http.get(realm, params=params, auth=basic)
        except httpx.TransportError as exc:
            raise RegistryError(
                f"registry {api_host(ref)}: token endpoint {realm}: {exc}"
            ) from None
        if answer.status_code in (401, 403):
            raise self._unauthorized(ref, f"{what} (token endpoint {realm})", answer.status_code)
        if answer.status_code != 200:
            raise RegistryError(
                f"registry {api_host(ref)}: token endpoint {realm}: HTTP {answer.status_code}",
                answer.status_code,
            )
        try:
            body = answer.json()
            token = body.get("token") or body.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not token:
            raise RegistryError(f"registry {api_host(ref)}: token endpoint {realm} gave no token")
        self._tokens[(api_host(ref), scope)] = str(token)

    def _headers(
        self, ref: ImageReference, actions: str, headers: dict[str, str]
    ) -> dict[str, str]:
        token = self._tokens.get((api_host(ref), f"repository:{ref.repository}:{actions}"))
        if token is None and actions == "pull":
            token = self._tokens.get((api_host(ref), f"repository:{ref.repository}:pull,push"))
        if token:
            return {**headers, "Authorization": f"Bearer {token}"}
        basic = self._basic.get(api_host(ref))
        return {**headers, "Authorization": basic} if basic else headers

    def _wait(self, attempt: int, response: httpx.Response | None) -> None:
        delay = self.options.backoff * (2**attempt)
        after = response.headers.get("retry-after", "") if response is not None else ""
        if after.isdigit():
            delay = min(float(after), _MAX_RETRY_AFTER)
        time.sleep(delay)

    def _request(
        self,
        method: str,
        ref: ImageReference,
        path: str,
        what: str,
        *,
        actions: str = "pull",
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        url = self._url(ref, path)
        attempt = 0
        authorized = False
        while True:
            sent = self._headers(ref, actions, headers or {})
            try:
                response = self._http.request(method, url, headers=sent, content=content)
            except httpx.TransportError as exc:
                if attempt < self.options.retries and not _tls_failure(exc):
                    self._wait(attempt, None)
                    attempt += 1
                    continue
                raise RegistryError(
                    f"registry {api_host(ref)}: {what}: cannot connect: "
                    f"{exc or type(exc).__name__} (after {attempt + 1} "
                    f"attempt{'s' if attempt else ''})"
                ) from None
            if response.status_code == 401 and not authorized:
                self._authorize(ref, response, actions, what)
                authorized = True
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.options.retries:
                self._wait(attempt, response)
                attempt += 1
                continue
            return response

    def _fail(self, ref: ImageReference, what: str, response: httpx.Response) -> RegistryError:
        status = response.status_code
        if status == 401:
            return self._unauthorized(ref, what, status)
        reason = response.reason_phrase or ""
        message = f"registry {api_host(ref)}: {what}: HTTP {status} {reason}".rstrip()
        if status == 403:
            creds = self._credentials.get((ref.domain, ref.repository))
            message += f" (credentials from {creds.source})" if creds else " (anonymous)"
        return RegistryError(message + _detail(response), status)

    # -- manifests -------------------------------------------------------------------
    def get_manifest(self, ref: ImageReference, accept: Iterable[str] = MANIFEST_TYPES) -> Manifest:
        """GET the manifest or index ``ref`` names (its digest, else its tag). Raises
        RegistryError on any failure, or when a digest reference's content does not
        match the digest."""
        what = f"GET manifest {ref}"
        response = self._request(
            "GET",
            ref,
            f"manifests/{manifest_object(ref)}",
            what,
            headers={"Accept": ", ".join(accept)},
        )
        if response.status_code != 200:
            raise self._fail(ref, what, response)
        data = response.content
        digest = digest_of(data)
        if ref.digest and ref.digest != digest:
            raise RegistryError(f"registry {api_host(ref)}: {what}: content has digest {digest}")
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        return Manifest(media_type, data, digest)

    def head_manifest(self, ref: ImageReference) -> dict[str, Any] | None:
        """HEAD the manifest ``ref`` names: its descriptor ``{"mediaType", "digest",
        "size"}`` (``digest`` from ``Docker-Content-Digest``), or ``None`` when the
        registry answers 404. Raises RegistryError on other failures."""
        what = f"HEAD manifest {ref}"
        response = self._request(
            "HEAD",
            ref,
            f"manifests/{manifest_object(ref)}",
            what,
            headers={"Accept": ", ".join(MANIFEST_TYPES)},
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._fail(ref, what, response)
        return {
            "mediaType": response.headers.get("content-type", "").split(";")[0].strip(),
            "digest": response.headers.get("docker-content-digest", ""),
            "size": int(response.headers.get("content-length", "0") or 0),
        }

    def resolve(self, ref: ImageReference) -> str:
        """The digest ``ref``'s tag points at (for a multi-platform image, the index's
        digest). Uses HEAD, and GET when the registry sends no digest header. Raises
        RegistryError when the tag does not exist."""
        head = self.head_manifest(ref)
        if head is None:
            message = f"registry {api_host(ref)}: manifest {ref} not found (HTTP 404)"
            raise RegistryError(message, 404)
        if head["digest"].startswith("sha256:"):
            return str(head["digest"])
        return self.get_manifest(ref).digest

    def put_manifest(self, ref: ImageReference, data: bytes, media_type: str) -> str:
        """PUT manifest ``data`` of ``media_type`` under ``ref``'s tag (or digest);
        returns its digest. Raises RegistryError on failure."""
        what = f"PUT manifest {ref}"
        response = self._request(
            "PUT",
            ref,
            f"manifests/{manifest_object(ref)}",
            what,
            actions="pull,push",
            headers={"Content-Type": media_type},
            content=data,
        )
        if response.status_code not in (200, 201):
            raise self._fail(ref, what, response)
        return digest_of(data)

    # -- blobs -----------------------------------------------------------------------
    def blob_exists(self, ref: ImageReference, digest: str) -> bool:
        """True when ``ref``'s repository holds blob ``digest`` (HEAD; 404 is False)."""
        what = f"HEAD blob {digest} in {ref.name}"
        response = self._request("HEAD", ref, f"blobs/{digest}", what, actions="pull,push")
        if response.status_code == 404:
            return False
        if response.status_code != 200:
            raise self._fail(ref, what, response)
        return True

    def get_blob(self, ref: ImageReference, digest: str) -> bytes:
        """GET blob ``digest`` of ``ref``'s repository, checked against its digest.
        Raises RegistryError on failure or a mismatch."""
        what = f"GET blob {digest} from {ref.name}"
        response = self._request("GET", ref, f"blobs/{digest}", what)
        if response.status_code != 200:
            raise self._fail(ref, what, response)
        if digest_of(response.content) != digest:
            raise RegistryError(f"registry {api_host(ref)}: {what}: content does not match")
        return response.content

    def push_blob(self, ref: ImageReference, digest: str, data: bytes) -> None:
        """Upload blob ``data`` (of ``digest``) to ``ref``'s repository unless it is there:
        one PUT when it is at most ``chunk_size`` bytes, else PATCH chunks and a closing
        PUT. Raises RegistryError on failure."""
        if self.blob_exists(ref, digest):
            return
        what = f"upload blob {digest} to {ref.name}"
        response = self._request("POST", ref, "blobs/uploads/", what, actions="pull,push")
        if response.status_code != 202 or "location" not in response.headers:
            raise self._fail(ref, what, response)
        location = str(response.url.join(response.headers["location"]))
        size = self.options.chunk_size
        if len(data) > size:
            for start in range(0, len(data), size):
                chunk = data[start : start + size]
                headers = {
                    "Content-Type": "application/octet-stream",
                    "Content-Range": f"{start}-{start + len(chunk) - 1}",
                }
                response = self._request(
                    "PATCH",
                    ref,
                    location,
                    what,
                    actions="pull,push",
                    headers=headers,
                    content=chunk,
                )
                if response.status_code != 202 or "location" not in response.headers:
                    raise self._fail(ref, what, response)
                location = str(response.url.join(response.headers["location"]))
            data = b""
        separator = "&" if "?" in location else "?"
        response = self._request(
            "PUT",
            ref,
            f"{location}{separator}digest={digest}",
            what,
            actions="pull,push",
            headers={"Content-Type": "application/octet-stream"},
            content=data,
        )
        if response.status_code not in (201, 204):
            raise self._fail(ref, what, response)

    # -- images ----------------------------------------------------------------------
    def push_image(self, ref: ImageReference, image: Image) -> str:
        """Push every blob of ``image``, then each per-platform manifest by digest, then
        the top-level manifest under ``ref``'s tag (last, so an interrupted push never
        leaves the tag pointing at missing content; a rerun uploads only what is
        missing). Returns the top-level digest. Raises RegistryError on failure."""
        for digest, data in image.blobs.items():
            if digest not in image.manifest_types:
                self.push_blob(ref, digest, data)
        for digest, media_type in image.manifest_types.items():
            self.put_manifest(ref.with_digest(digest), image.blobs[digest], media_type)
        return self.put_manifest(ref, image.manifest, image.media_type)


@contextmanager
def digest_resolver(options: RegistryOptions | None = None) -> Iterator[Callable[[str], str]]:
    """A function from image reference text to the digest its tag points at
    (:meth:`RegistryClient.resolve`: the index digest of a multi-platform image), over
    one client closed on exit. It raises BundleToolsError for an invalid reference or a
    failed request."""
    with RegistryClient(options) as client:

        def resolve(text: str) -> str:
            return client.resolve(parse_option(text, "image reference"))

        yield resolve
