"""Registry credentials from the files Podman, Skopeo and Docker share
(``containers-auth.json(5)``, Docker's ``config.json``).

Files, first one holding an entry for the registry wins:

1. ``$REGISTRY_AUTH_FILE``
2. ``$XDG_RUNTIME_DIR/containers/auth.json``
3. ``~/.config/containers/auth.json``
4. ``$DOCKER_CONFIG/config.json`` (default ``~/.docker/config.json``)

In each file, ``credHelpers[registry]`` names a ``docker-credential-<helper>`` program,
else an ``auths`` entry (keys ``registry``, ``registry/namespace[/repo]`` (most
specific wins), or Docker's URL forms like ``https://index.docker.io/v1/``) gives
``auth`` (base64 ``user:password``), ``username``/``password`` or an ``identitytoken``,
else ``credsStore`` names a helper for every registry. A helper is run as
``docker-credential-<helper> get`` with the registry on stdin and answers
``{"Username", "Secret"}`` (Username ``<token>``: Secret is an identity token).

Secrets never appear in an error message or ``repr``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bundle_tools.errors import BundleToolsError

_DOCKER_HUB_KEYS = ("docker.io", "index.docker.io", "registry-1.docker.io")


@dataclass(frozen=True, slots=True)
class Credentials:
    """``username`` and ``password`` for Basic auth or a token request, or an
    ``identity_token`` (an OAuth2 refresh token); ``source`` says where they came from
    (a file path, or ``helper docker-credential-X (file)``) for error messages."""

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)
    source: str = ""


def auth_files() -> list[Path]:
    """The credential files that are looked at, in order (existing or not)."""
    files = []
    if os.environ.get("REGISTRY_AUTH_FILE"):
        files.append(Path(os.environ["REGISTRY_AUTH_FILE"]))
    if os.environ.get("XDG_RUNTIME_DIR"):
        files.append(Path(os.environ["XDG_RUNTIME_DIR"], "containers", "auth.json"))
    home = Path.home()
    files.append(home / ".config" / "containers" / "auth.json")
    docker = os.environ.get("DOCKER_CONFIG")
    files.append(Path(docker, "config.json") if docker else home / ".docker" / "config.json")
    return files


def _normalise_key(key: str) -> str:
    for scheme in ("https://", "http://"):
        if key.startswith(scheme):
            key = key[len(scheme) :].split("/", 1)[0]
            break
    key = key.rstrip("/")
    host, sep, rest = key.partition("/")
    if host in _DOCKER_HUB_KEYS:
        host = "docker.io"
    return host + sep + rest


def _run_helper(helper: str, registry: str, source: str) -> Credentials | None:
    program = f"docker-credential-{helper}"
    try:
        done = subprocess.run(
            [program, "get"],
            input=registry,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        message = f"credential helper {program} (from {source}) failed: {exc}"
        raise BundleToolsError(message) from None
    if done.returncode != 0:
        if "not found" in (done.stdout + done.stderr).lower():
            return None
        raise BundleToolsError(
            f"credential helper {program} (from {source}) exited {done.returncode}"
        )
    try:
        answer = json.loads(done.stdout)
        username, secret = str(answer["Username"]), str(answer["Secret"])
    except (ValueError, KeyError, TypeError):
        raise BundleToolsError(
            f"credential helper {program} (from {source}) gave no Username/Secret JSON"
        ) from None
    where = f"helper {program} ({source})"
    if username == "<token>":
        return Credentials(identity_token=secret, source=where)
    return Credentials(username, secret, source=where)


def _from_entry(entry: Any, source: str) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    if entry.get("identitytoken"):
        return Credentials(identity_token=str(entry["identitytoken"]), source=source)
    if entry.get("auth"):
        try:
            decoded = base64.b64decode(str(entry["auth"]), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        username, sep, password = decoded.partition(":")
        if not sep:
            raise BundleToolsError(f"{source}: an auths entry is not base64 user:password")
        return Credentials(username, password, source=source)
    if entry.get("username"):
        return Credentials(str(entry["username"]), str(entry.get("password", "")), source=source)
    return None


#: The keys of an auth file that are read, with the type of each of their values (as
#: Docker's ``configfile.ConfigFile`` and containers/image's ``dockerConfigFile`` decode
#: them: a value of another type fails their JSON decoding).
_SHAPES = {"auths": (dict, "objects"), "credHelpers": (str, "strings")}


def _read(path: Path) -> dict[str, Any] | None:
    """The auth file at ``path`` (``None`` when it does not exist). Raises BundleToolsError
    when it is not JSON, not an object, or ``auths``/``credHelpers``/``credsStore`` has a
    value of the wrong type."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise BundleToolsError(f"{path}: cannot read credentials: {exc}") from None
    if not isinstance(data, dict):
        raise BundleToolsError(f"{path}: cannot read credentials: not a JSON object")
    for key, (kind, kinds) in _SHAPES.items():
        value = data.get(key)
        if value is not None and not (
            isinstance(value, dict) and all(isinstance(v, kind) for v in value.values())
        ):
            raise BundleToolsError(f"{path}: cannot read credentials: {key} must map to {kinds}")
    if not isinstance(data.get("credsStore") or "", str):
        raise BundleToolsError(f"{path}: cannot read credentials: credsStore must be a string")
    return data


def lookup(domain: str, repository: str) -> tuple[Credentials | None, list[Path]]:
    """Credentials for ``domain`` (``docker.io`` for Docker Hub) and ``repository``, and
    the files that exist and were read. Raises BundleToolsError when a file is not JSON
    or not shaped like an auth file,
    an entry is malformed, or a helper fails (never with the secret in the message)."""
    read: list[Path] = []
    wanted = _normalise_key(domain)
    scopes = [wanted]
    parts = repository.split("/")
    scopes = [f"{wanted}/{'/'.join(parts[:n])}" for n in range(len(parts), 0, -1)] + scopes
    for path in auth_files():
        data = _read(path)
        if data is None:
            continue
        read.append(path)
        for key, helper in (data.get("credHelpers") or {}).items():
            if _normalise_key(key) == wanted:
                found = _run_helper(helper, key, str(path))
                if found:
                    return found, read
        entries = {_normalise_key(k): v for k, v in (data.get("auths") or {}).items()}
        for scope in scopes:
            found = _from_entry(entries.get(scope), str(path))
            if found:
                return found, read
        if data.get("credsStore"):
            server = "https://index.docker.io/v1/" if wanted == "docker.io" else domain
            found = _run_helper(data["credsStore"], server, str(path))
            if found:
                return found, read
    return None, read
