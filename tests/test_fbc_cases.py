"""Each ``../shared/cases/fbc-*`` case as its EXPECTED.md states it, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app

from .conftest import copy_writable, shared_path

runner = CliRunner()


def run_json(catalog: Path) -> tuple[int, list[dict]]:
    result = runner.invoke(app, ["catalog", "validate", str(catalog), "-o", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def only_errors(findings: list[dict]) -> list[tuple[str, str, int]]:
    return [
        (f["rule"], Path(f["file"]).name, f["line"]) for f in findings if f["severity"] == "error"
    ]


def test_default_channel_missing() -> None:
    code, findings = run_json(shared_path("cases", "fbc-default-channel-missing", "catalog"))
    assert code == 1
    assert only_errors(findings) == [("FBC012", "catalog.yaml", 4)]
    message = findings[0]["message"]
    assert 'package "widget-operator"' in message
    assert 'default channel "stable" does not exist' in message
    assert 'invalid channel "stable": channel must contain at least one bundle' in message


@pytest.mark.parametrize(
    ("replacement", "line"),
    [("", 2), ('defaultChannel: ""\n', 4)],
    ids=["missing", "empty"],
)
def test_default_channel_unset(tmp_path: Path, replacement: str, line: int) -> None:
    case = copy_writable(
        shared_path("cases", "fbc-default-channel-missing", "catalog"), tmp_path / "catalog"
    )
    path = case / "widget-operator" / "catalog.yaml"
    path.write_text(path.read_text().replace("defaultChannel: stable\n", replacement))
    code, findings = run_json(case)
    assert code == 1
    errors = [f for f in findings if f["rule"] == "FBC012"]
    assert [(f["message"], f["line"]) for f in errors] == [
        ('package "widget-operator": default channel must be set', line)
    ]


def test_duplicate_bundle_names_both_files() -> None:
    code, findings = run_json(shared_path("cases", "fbc-duplicate-bundle", "catalog"))
    assert code == 1
    assert only_errors(findings) == [("FBC031", "extra-bundles.yaml", 3)]
    message = findings[0]["message"]
    assert 'package "widget-operator" has duplicate bundle "widget-operator.v1.0.0"' in message
    assert message.endswith("widget-operator/catalog.yaml:12)")


def test_duplicate_package_and_channel(tmp_path: Path) -> None:
    case = copy_writable(shared_path("cases", "fbc-duplicate-bundle", "catalog"), tmp_path / "c")
    extra = case / "widget-operator" / "extra-bundles.yaml"
    head = (
        (case / "widget-operator" / "catalog.yaml").read_text().split("---\nschema: olm.bundle")[0]
    )
    extra.write_text(head)
    code, findings = run_json(case)
    assert code == 1
    assert only_errors(findings) == [
        ("FBC011", "extra-bundles.yaml", 3),
        ("FBC021", "extra-bundles.yaml", 8),
    ]
    assert findings[0]["message"].startswith('duplicate package "widget-operator"')
    assert findings[1]["message"].startswith(
        'package "widget-operator" has duplicate channel "stable"'
    )


def test_duplicate_version() -> None:
    code, findings = run_json(shared_path("cases", "fbc-duplicate-version", "catalog"))
    assert code == 1
    assert only_errors(findings) == [("FBC038", "catalog.yaml", 32)]
    assert findings[0]["message"] == (
        'package "widget-operator": duplicate versions found in bundles: '
        "[{1.0.0: [widget-operator.v1.0.0, widget-operator.v1.0.0-rebuild]}]"
    )


def test_invalid_skip_range() -> None:
    code, findings = run_json(shared_path("cases", "fbc-invalid-skiprange", "catalog"))
    assert code == 1
    assert only_errors(findings) == [("FBC026", "catalog.yaml", 13)]
    message = findings[0]["message"]
    assert 'bundle "widget-operator.v1.1.0"' in message
    assert 'invalid skipRange "<v1.1.0"' in message


def test_replaces_cycle() -> None:
    code, findings = run_json(shared_path("cases", "fbc-replaces-cycle", "catalog"))
    assert code == 1
    assert only_errors(findings) == [("FBC028", "catalog.yaml", 11)]
    assert findings[0]["message"].endswith(
        "detected cycle in replaces chain of upgrade graph: widget-operator.v0.0.3 -> "
        "widget-operator.v0.0.2 -> widget-operator.v0.0.1 -> widget-operator.v0.0.3"
    )
    assert 'channel "stable"' in findings[0]["message"]


def test_skip_range_only_heads() -> None:
    code, findings = run_json(shared_path("cases", "fbc-skiprange-only-heads", "catalog"))
    assert code == 1
    assert only_errors(findings) == [("FBC027", "catalog.yaml", 9)]
    assert findings[0]["message"] == (
        'package "widget-operator", channel "stable": multiple channel heads found in graph: '
        "widget-operator.v1.0.1, widget-operator.v1.0.2"
    )


def test_skip_range_only_heads_fixed() -> None:
    code, findings = run_json(shared_path("cases", "fbc-skiprange-only-heads", "fixed"))
    assert (code, findings) == (0, [])


def test_version_v_prefix() -> None:
    code, findings = run_json(shared_path("cases", "fbc-version-v-prefix", "catalog"))
    assert code == 1
    assert only_errors(findings) == [("FBC033", "catalog.yaml", 32)]
    message = findings[0]["message"]
    assert 'bundle "widget-operator.v1.1.0"' in message
    assert '"v1.1.0"' in message
