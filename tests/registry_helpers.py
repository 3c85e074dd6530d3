"""Real registries for the image tests: the CNCF distribution registry (Debian package
``docker-registry``) on 127.0.0.1 with a free port and a temporary storage directory,
plain HTTP or TLS (a CA made here) with htpasswd Basic auth; and ``skopeo`` as the
independent client. Without the binaries the tests skip, except under CI (``CI`` set),
where they fail."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REGISTRY_BINARY = "/usr/bin/docker-registry"


def need(binary: str) -> str:
    """Path of ``binary``; skips the test when missing (fails under CI)."""
    path = binary if os.path.isabs(binary) and os.access(binary, os.X_OK) else shutil.which(binary)
    if path:
        return path
    message = f"{binary} is not installed (apt-get install docker-registry skopeo)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Registry:
    """A running registry: ``host`` (``127.0.0.1:PORT``), ``ca_file`` (TLS only),
    ``user``/``password`` (htpasswd only)."""

    host: str
    process: subprocess.Popen[bytes]
    ca_file: Path | None = None
    user: str = ""
    password: str = ""

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _make_tls(directory: Path) -> tuple[Path, Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bundle-tools test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        # Python 3.13 verifies strictly (VERIFY_X509_STRICT): key usage and key identifiers
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (
        directory / "ca.pem",
        directory / "cert.pem",
        directory / "key.pem",
    )
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


def start_registry(directory: Path, *, secure: bool = False) -> Registry:
    """Start a registry storing into ``directory``; with ``secure``, TLS (CA at
    ``Registry.ca_file``) and htpasswd Basic auth for ``tester``."""
    binary = need(REGISTRY_BINARY)
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = [
        "version: 0.1",
        "log: {level: error}",
        f"storage: {{filesystem: {{rootdirectory: {directory / 'data'}}}}}",
        "http:",
        f"  addr: 127.0.0.1:{port}",
    ]
    ca_file, user, password = None, "", ""
    if secure:
        import bcrypt

        ca_file, cert_file, key_file = _make_tls(directory)
        config += ["  tls:", f"    certificate: {cert_file}", f"    key: {key_file}"]
        user, password = "tester", "s3cret-pass"
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4))
        htpasswd = directory / "htpasswd"
        htpasswd.write_bytes(f"{user}:".encode() + hashed + b"\n")
        config += ["auth:", "  htpasswd:", "    realm: test", f"    path: {htpasswd}"]
    (directory / "config.yml").write_text("\n".join(config) + "\n")
    with (directory / "registry.log").open("wb") as log:
        process = subprocess.Popen(
            [binary, "serve", str(directory / "config.yml")], stdout=log, stderr=subprocess.STDOUT
        )
    registry = Registry(f"127.0.0.1:{port}", process, ca_file, user, password)
    scheme = "https" if secure else "http"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return registry
        except OSError:
            if registry.process.poll() is not None:
                break
            time.sleep(0.05)
    registry.stop()
    raise RuntimeError(
        f"{scheme} registry did not start: {(directory / 'registry.log').read_text()}"
    )


def skopeo(*args: str) -> str:
    """Run skopeo; its stdout (fails the test with stderr on a non-zero exit)."""
    done = subprocess.run(
        [need("skopeo"), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def inspect(ref: str, *extra: str) -> dict:
    """``skopeo inspect`` of ``docker://ref`` over plain HTTP, parsed."""
    return json.loads(skopeo("inspect", "--tls-verify=false", *extra, f"docker://{ref}"))


def unpack(ref: str, workdir: Path, *extra: str) -> Path:
    """``skopeo copy docker://ref dir:`` then untar every layer in order into a new
    directory, which is returned."""
    workdir.mkdir(parents=True, exist_ok=True)
    copied = workdir / "copied"
    skopeo("copy", "--src-tls-verify=false", *extra, f"docker://{ref}", f"dir:{copied}")
    manifest = json.loads((copied / "manifest.json").read_text())
    root = workdir / "rootfs"
    root.mkdir()
    for layer in manifest["layers"]:
        blob = (copied / layer["digest"].split(":", 1)[1]).read_bytes()
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob))) as tar:
            tar.extractall(root, filter="tar")
    return root


def tree(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` (links followed) by relative path -> bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
