"""``bundle-tools catalog validate`` as a user runs it: the options it shares with
``validate`` (output formats, rule selection, --fail-on), exit codes and input errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app

runner = CliRunner()

# defaultChannel names a channel that does not exist (FBC012, error); the entry's
# skipRange includes its own version (FBC053, warning).
CATALOG = """\
---
schema: olm.package
name: p
defaultChannel: stable
---
schema: olm.channel
package: p
name: fast
entries:
  - name: p.v1.0.0
    skipRange: '>=1.0.0 <1.1.0'
---
schema: olm.bundle
name: p.v1.0.0
package: p
image: quay.io/example/p-bundle:v1.0.0
properties:
  - type: olm.package
    value: {packageName: p, version: 1.0.0}
"""


def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    (root / "p").mkdir(parents=True)
    (root / "p" / "catalog.yaml").write_text(CATALOG)
    return root


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["catalog", "validate", *map(str, args)])


def test_findings_are_the_same_in_every_format(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    path = f"{root}/p/catalog.yaml"
    text = invoke(root)
    assert text.exit_code == 1
    assert text.stdout.splitlines()[:2] == [
        f'{path}:4:17: error FBC012 package "p": default channel "stable" does not exist: '
        'invalid channel "stable": channel must contain at least one bundle',
        f'{path}:11:16: warning FBC053 package "p", channel "fast", bundle "p.v1.0.0": '
        'skipRange ">=1.0.0 <1.1.0" includes the bundle\'s own version 1.0.0',
    ]
    expected = [("FBC012", 4, 17), ("FBC053", 11, 16)]
    document = json.loads(invoke(root, "-o", "json").stdout)
    assert [(f["rule"], f["line"], f["column"]) for f in document["findings"]] == expected
    sarif = json.loads(invoke(root, "--output", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    assert [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in results
    ] == expected
    junit = ET.fromstring(invoke(root, "-o", "junit").stdout)
    assert junit.get("failures") == "1"


def test_select_ignore_and_fail_on(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    assert invoke(root, "--ignore", "fbc012").exit_code == 0
    assert invoke(root, "--ignore", "FBC012", "--fail-on", "warning").exit_code == 1
    only = json.loads(invoke(root, "-o", "json", "--select", "FBC05").stdout)
    assert [f["rule"] for f in only["findings"]] == ["FBC053"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "FBC999"], "error: no rule matches 'FBC999' (see `bundle-tools rules`)"),
        (
            ["--select", "CSV"],
            "error: no rule matches 'CSV' (it names bundle rules; this command runs catalog rules)",
        ),
        (["--ignore", "nope"], "error: no rule matches 'NOPE' (see `bundle-tools rules`)"),
    ],
)
def test_unknown_rule_pattern_is_a_usage_error(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = invoke(catalog(tmp_path), *args)
    assert (result.exit_code, result.stdout, result.stderr.strip()) == (2, "", message)


def test_bad_fail_on_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke(catalog(tmp_path), "--fail-on", "never")
    assert result.exit_code == 2
    assert "--fail-on" in result.stderr
    assert "'never'" in result.stderr


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: None, "no such file or directory"),
        (lambda root: root.write_text(CATALOG), "catalog directory is a file"),
        (lambda root: root.mkdir(), "no FBC blobs found: the catalog is empty"),
    ],
    ids=["missing", "file", "empty"],
)
def test_input_errors_exit_2_with_json_error(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "catalog"
    make(root)
    result = invoke(root, "-o", "json")
    assert result.exit_code == 2
    assert result.stderr == f"{root}: error: {message}\n"
    assert json.loads(result.stdout)["error"] == {
        "message": message,
        "file": str(root),
        "line": None,
        "column": None,
    }
