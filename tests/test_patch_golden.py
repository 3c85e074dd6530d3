"""Golden before/after fixtures for ``patch-csv`` (``tests/data/patch``), compared byte
for byte, each also checked for idempotence (patching the expected output is a no-op)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bundle_tools.patch import PatchOptions, patch_csv_text
from bundle_tools.yamlio import read_source

DATA = Path(__file__).parent / "data" / "patch"

#: fixture file -> options used to produce its ``.expected`` twin.
GOLDEN = {
    "json-csv.json": PatchOptions(),
    "indented-seq": PatchOptions(token_auth=("aws",)),
    "crlf-bom-four-space": PatchOptions(),
    "flow-collections": PatchOptions(token_auth=("aws", "azure")),
    "no-annotations-no-final-newline": PatchOptions(credentials_requests=False),
    "partial-verbs": PatchOptions(),
    "mixed-styles": PatchOptions(),
    "wildcard-rbac": PatchOptions(token_auth=("gcp",)),
    "release-fields": PatchOptions(
        token_auth=(),
        version="3.7.0",
        replaces="widget-operator.v3.6.1",
        skip_range=">=3.6.x <3.7.0",
        operator_image="quay.io/example/widget-operator:v3.7.0",
        related_images=(("component_db", "quay.io/example/db:15"), ("cache", "quay.io/x/c:1")),
        created_at="2026-01-02T03:04:05Z",
    ),
}


def fixture(name: str, expected: bool = False) -> Path:
    """``NAME.yaml`` (or ``NAME.json`` when the name has that suffix) and its twin."""
    stem, suffix = (name[:-5], ".json") if name.endswith(".json") else (name, ".yaml")
    return DATA / f"{stem}{'.expected' if expected else ''}{suffix}"


def patched_bytes(path: Path, options: PatchOptions) -> bytes:
    source = read_source(path)
    text, _ = patch_csv_text(source, options)
    return source.encode(text)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_output_is_byte_identical(name: str) -> None:
    expected = fixture(name, expected=True).read_bytes()
    assert patched_bytes(fixture(name), GOLDEN[name]) == expected


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_output_is_a_fixed_point(name: str) -> None:
    source = read_source(fixture(name, expected=True))
    assert patch_csv_text(source, GOLDEN[name]) == (source.text, [])


def test_json_csv_stays_json() -> None:
    data = json.loads(fixture("json-csv.json", expected=True).read_text())
    pod = data["spec"]["install"]["spec"]["deployments"][0]["spec"]["template"]["spec"]
    assert [v["name"] for v in pod["volumes"]] == ["bound-sa-token"]
    assert data["metadata"]["annotations"] == {
        "features.operators.openshift.io/token-auth-aws": "true"
    }


def test_crlf_bom_fixture_keeps_crlf_and_bom() -> None:
    data = (DATA / "crlf-bom-four-space.expected.yaml").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == data.count(b"\r\n") > 40
    assert b"\r\n                            -   name: bound-sa-token\r\n" in data


def test_missing_final_newline_stays_missing() -> None:
    data = (DATA / "no-annotations-no-final-newline.expected.yaml").read_bytes()
    assert data.endswith(b"  version: 0.1.0")
