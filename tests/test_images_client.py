"""Registry client units: the Bearer token challenge against a small local token
endpoint, retries on 429/5xx, and credentials from the auth files and helpers."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bundle_tools.errors import BundleToolsError
from bundle_tools.imageref import parse_reference
from bundle_tools.images import auth
from bundle_tools.images.layer import digest_of
from bundle_tools.images.oci import MANIFEST
from bundle_tools.images.registry import RegistryClient, RegistryError, RegistryOptions

MANIFEST_BODY = b'{"schemaVersion":2,"mediaType":"' + MANIFEST.encode() + b'","layers":[]}'


class FakeRegistry(BaseHTTPRequestHandler):
    """A registry that wants a Bearer token (issued by its /token endpoint to user
    ``u``/``p`` or anonymously for pull), and fails ``failures`` times first with
    ``fail_status``."""

    log: list[tuple[str, str, str]]
    failures = 0
    fail_status = 503

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.log.append((self.command, url.path, self.headers.get("Authorization", "")))
        if url.path == "/token":
            query = parse_qs(url.query)
            user = self.headers.get("Authorization", "")
            good = "Basic " + base64.b64encode(b"u:p").decode()
            if user and user != good:
                return self._send(401)
            actions = query["scope"][0].rsplit(":", 1)[1]
            if "push" in actions and not user:
                return self._send(401)
            token = f"tok-{query['service'][0]}-{actions}"
            return self._send(200, json.dumps({"token": token}).encode())
        if type(self).failures:
            type(self).failures -= 1
            return self._send(self.fail_status, headers={"Retry-After": "0"})
        if not self.headers.get("Authorization", "").startswith("Bearer tok-reg-"):
            realm = f"http://{self.headers['Host']}/token"
            challenge = f'Bearer realm="{realm}",service="reg",scope="repository:a/b:pull"'
            return self._send(401, headers={"WWW-Authenticate": challenge})
        if url.path.startswith("/v2/a/denied/"):
            return self._send(403, b'{"errors":[{"code":"DENIED","message":"no access"}]}')
        if url.path == "/v2/a/b/manifests/v1":
            return self._send(
                200,
                MANIFEST_BODY,
                {"Content-Type": MANIFEST, "Docker-Content-Digest": digest_of(MANIFEST_BODY)},
            )
        return self._send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"no"}]}')

    do_HEAD = do_GET

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
        self.log.append((self.command, self.path, form.get("grant_type", [""])[0]))
        if self.path != "/token" or form.get("refresh_token") != ["refresh-me"]:
            return self._send(401)
        actions = form["scope"][0].rsplit(":", 1)[1]
        body = {"access_token": f"tok-{form['service'][0]}-{actions}"}
        return self._send(200, json.dumps(body).encode())

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.log.append((self.command, self.path, self.headers.get("Authorization", "")))
        if self.headers.get("Authorization") != "Bearer tok-reg-pull,push":
            realm = f"http://{self.headers['Host']}/token"
            challenge = f'Bearer realm="{realm}",service="reg",scope="repository:a/b:pull,push"'
            return self._send(401, headers={"WWW-Authenticate": challenge})
        return self._send(201)


@pytest.fixture
def fake() -> Iterator[tuple[str, list]]:
    log: list[tuple[str, str, str]] = []
    handler = type("Handler", (FakeRegistry,), {"log": log, "failures": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    handler.server_host = f"127.0.0.1:{server.server_port}"
    yield handler, log
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_auth_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("REGISTRY_AUTH_FILE", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.delenv("DOCKER_CONFIG", raising=False)
    return tmp_path


def _client() -> RegistryClient:
    return RegistryClient(RegistryOptions(plain_http=True, retries=3, backoff=0.001))


def test_bearer_token_anonymous_pull(fake, no_auth_files) -> None:
    handler, log = fake
    ref = parse_reference(f"{handler.server_host}/a/b:v1")
    with _client() as client:
        manifest = client.get_manifest(ref)
        assert client.resolve(ref) == digest_of(MANIFEST_BODY)
    assert manifest.data == MANIFEST_BODY and manifest.media_type == MANIFEST
    assert [entry[:2] for entry in log[:3]] == [
        ("GET", "/v2/a/b/manifests/v1"),
        ("GET", "/token"),
        ("GET", "/v2/a/b/manifests/v1"),
    ]
    assert log[2][2] == "Bearer tok-reg-pull" and log[1][2] == ""
    assert log[3] == ("HEAD", "/v2/a/b/manifests/v1", "Bearer tok-reg-pull")


def test_bearer_token_with_credentials_for_push(fake, no_auth_files, monkeypatch) -> None:
    handler, log = fake
    config = no_auth_files / "auth.json"
    config.write_text(
        json.dumps({"auths": {handler.server_host: {"username": "u", "password": "p"}}})
    )
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(config))
    ref = parse_reference(f"{handler.server_host}/a/b:v2")
    with _client() as client:
        assert client.put_manifest(ref, MANIFEST_BODY, MANIFEST) == digest_of(MANIFEST_BODY)
    token_request = next(entry for entry in log if entry[1] == "/token")
    assert token_request[2] == "Basic " + base64.b64encode(b"u:p").decode()
    assert log[-1] == ("PUT", "/v2/a/b/manifests/v2", "Bearer tok-reg-pull,push")


def test_token_refused_names_auth_file_not_secret(fake, no_auth_files, monkeypatch) -> None:
    handler, _ = fake
    config = no_auth_files / "auth.json"
    secret = base64.b64encode(b"u:wrong-secret").decode()
    config.write_text(json.dumps({"auths": {f"https://{handler.server_host}": {"auth": secret}}}))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(config))
    ref = parse_reference(f"{handler.server_host}/a/b:v1")
    with _client() as client, pytest.raises(RegistryError) as error:
        client.get_manifest(ref)
    message = str(error.value)
    assert error.value.status == 401
    assert f"registry {handler.server_host}: GET manifest {ref} (token endpoint" in message
    assert f"HTTP 401 Unauthorized: the credentials from {config} were refused" in message
    assert "wrong-secret" not in message and secret not in message


def test_push_without_credentials_names_files_read(fake, no_auth_files) -> None:
    handler, _ = fake
    docker = no_auth_files / ".docker"
    docker.mkdir()
    (docker / "config.json").write_text('{"auths": {"other.io": {"auth": "eDp5"}}}')
    ref = parse_reference(f"{handler.server_host}/a/b:v2")
    with _client() as client, pytest.raises(RegistryError) as error:
        client.put_manifest(ref, MANIFEST_BODY, MANIFEST)
    assert "HTTP 401 Unauthorized: no credentials for" in str(error.value)
    assert f"auth files read ({docker / 'config.json'})" in str(error.value)


@pytest.mark.parametrize("status", [429, 503])
def test_retries_then_succeeds(fake, no_auth_files, status: int) -> None:
    handler, log = fake
    handler.failures, handler.fail_status = 2, status
    ref = parse_reference(f"{handler.server_host}/a/b:v1")
    with _client() as client:
        assert client.get_manifest(ref).data == MANIFEST_BODY
    assert [entry[1] for entry in log[:3]] == ["/v2/a/b/manifests/v1"] * 3


def test_retries_are_bounded(fake, no_auth_files) -> None:
    handler, log = fake
    handler.failures, handler.fail_status = 10, 502
    ref = parse_reference(f"{handler.server_host}/a/b:v1")
    with _client() as client, pytest.raises(RegistryError) as error:
        client.get_manifest(ref)
    assert (
        str(error.value)
        == f"registry {handler.server_host}: GET manifest {ref}: HTTP 502 Bad Gateway"
    )
    assert len(log) == 4


def test_missing_tag_is_404(fake, no_auth_files) -> None:
    handler, _ = fake
    ref = parse_reference(f"{handler.server_host}/a/b:nope")
    with _client() as client:
        assert client.head_manifest(ref) is None
        with pytest.raises(RegistryError, match=r"HTTP 404 Not Found \(MANIFEST_UNKNOWN: no\)"):
            client.get_manifest(ref)


def test_auth_file_order_and_keys(no_auth_files, monkeypatch) -> None:
    xdg = no_auth_files / "run"
    (xdg / "containers").mkdir(parents=True)
    token = base64.b64encode(b"podman:pw").decode()
    (xdg / "containers" / "auth.json").write_text(
        json.dumps({"auths": {"quay.io/team": {"auth": token}}})
    )
    docker = no_auth_files / ".docker"
    docker.mkdir()
    hub = {"auth": base64.b64encode(b"hub:pw").decode()}
    quay = {"username": "docker", "password": "pw2"}
    auths = {"https://index.docker.io/v1/": hub, "quay.io": quay}
    (docker / "config.json").write_text(json.dumps({"auths": auths}))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(xdg))
    found, read = auth.lookup("quay.io", "team/op")
    assert (found.username, found.password) == ("podman", "pw")
    assert read == [xdg / "containers" / "auth.json"]
    found, _ = auth.lookup("quay.io", "other/op")
    assert (found.username, found.source) == ("docker", str(docker / "config.json"))
    found, _ = auth.lookup("docker.io", "library/busybox")
    assert found.username == "hub"
    assert "pw" not in repr(found)


def test_credential_helpers(no_auth_files, monkeypatch) -> None:
    bin_dir = no_auth_files / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-fake"
    helper.write_text(
        "#!/bin/sh\nread server\n"
        'if [ "$server" = "quay.io" ]; then echo \'{"Username":"robot","Secret":"tok"}\'; '
        'else echo "credentials not found in native keychain"; exit 1; fi\n'
    )
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    config = no_auth_files / "config.json"
    config.write_text(json.dumps({"credHelpers": {"quay.io": "fake"}, "credsStore": "fake"}))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(config))
    found, _ = auth.lookup("quay.io", "a/b")
    assert (found.username, found.password) == ("robot", "tok")
    assert found.source == f"helper docker-credential-fake ({config})"
    assert auth.lookup("ghcr.io", "a/b")[0] is None
    config.write_text(json.dumps({"credsStore": "missing"}))
    with pytest.raises(BundleToolsError, match="docker-credential-missing"):
        auth.lookup("ghcr.io", "a/b")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[1, 2]", "not a JSON object"),
        ('"quay.io"', "not a JSON object"),
        ('{"auths": ["quay.io"]}', "auths must map to objects"),
        ('{"auths": {"quay.io": "dXNlcjpwdw=="}}', "auths must map to objects"),
        ('{"credHelpers": 5}', "credHelpers must map to strings"),
        ('{"credHelpers": {"quay.io": ["fake"]}}', "credHelpers must map to strings"),
        ('{"credsStore": {"name": "fake"}}', "credsStore must be a string"),
    ],
)
def test_misshapen_auth_file_is_named(no_auth_files, monkeypatch, content, reason) -> None:
    config = no_auth_files / "auth.json"
    config.write_text(content)
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(config))
    with pytest.raises(BundleToolsError) as error:
        auth.lookup("quay.io", "a/b")
    assert str(error.value) == f"{config}: cannot read credentials: {reason}"


def test_empty_keys_of_an_auth_file_are_no_credentials(no_auth_files, monkeypatch) -> None:
    config = no_auth_files / "auth.json"
    config.write_text('{"auths": null, "credHelpers": {}, "credsStore": ""}')
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(config))
    assert auth.lookup("quay.io", "a/b") == (None, [config])


def test_forbidden_is_named(fake, no_auth_files) -> None:
    handler, _ = fake
    ref = parse_reference(f"{handler.server_host}/a/denied:v1")
    with _client() as client, pytest.raises(RegistryError) as error:
        client.get_manifest(ref)
    assert error.value.status == 403
    assert str(error.value) == (
        f"registry {handler.server_host}: GET manifest {ref}: HTTP 403 Forbidden (anonymous)"
        " (DENIED: no access)"
    )


def test_identity_token_is_an_oauth2_refresh_token(fake, no_auth_files, monkeypatch) -> None:
    handler, log = fake
    config = no_auth_files / "auth.json"
    entry = {"auth": base64.b64encode(b"<token>:").decode(), "identitytoken": "refresh-me"}
    config.write_text(json.dumps({"auths": {handler.server_host: entry}}))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(config))
    ref = parse_reference(f"{handler.server_host}/a/b:v2")
    with _client() as client:
        client.put_manifest(ref, MANIFEST_BODY, MANIFEST)
    assert ("POST", "/token", "refresh_token") in log
    assert log[-1] == ("PUT", "/v2/a/b/manifests/v2", "Bearer tok-reg-pull,push")
