"""SARIF 2.1.0 and JUnit XML renderers: the shapes GitHub code scanning and pipeline UIs
read."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from bundle_tools.findings import Finding, Location, Report, Severity
from bundle_tools.report import artifact_uri, render_junit, render_sarif

REPORT = Report(
    targets=["bundle", "other bundle"],
    findings=[
        Finding(
            rule="CSV002",
            severity=Severity.ERROR,
            message="spec.version 'v1' is not a valid semantic version",
            location=Location(
                path="bundle/manifests/csv.yaml", pointer="/spec/version", line=12, column=12
            ),
            hint="write '1.0.0'",
        ),
        Finding(
            rule="CSV014",
            severity=Severity.WARNING,
            message="cluster-scoped resource nodes",
            location=Location(
                path="bundle/manifests/csv.yaml", pointer="/spec", line=60, column=13
            ),
        ),
        Finding(
            rule="BND001",
            severity=Severity.ERROR,
            message="metadata/annotations.yaml is missing",
            location=Location(path="other bundle/metadata/annotations.yaml"),
        ),
        Finding(
            rule="COURIER",
            severity=Severity.INFO,
            message="operator-courier: csv spec.icon not defined",
            location=Location(path="bundle/manifests/csv.yaml", line=9, column=1),
        ),
    ],
)


def test_sarif_shape_github_accepts() -> None:
    log = json.loads(render_sarif(REPORT, Severity.ERROR))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "bundle-tools"
    assert [r["id"] for r in rules] == ["BND001", "COURIER", "CSV002", "CSV014"]
    assert rules[2]["shortDescription"]["text"].startswith("spec.version is strict semver")
    assert rules[2]["help"]["text"].startswith("Source: ")
    assert rules[1] == {"id": "COURIER", "shortDescription": {"text": "COURIER"}}
    results = run["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("COURIER", 1, "note"),
        ("CSV002", 2, "error"),
        ("CSV014", 3, "warning"),
        ("BND001", 0, "error"),
    ]
    first = results[1]
    assert first["message"]["text"].endswith("(hint: write '1.0.0')")
    physical = first["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "bundle/manifests/csv.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12, "startColumn": 12},
    }
    missing = results[3]["locations"][0]["physicalLocation"]
    assert missing == {
        "artifactLocation": {
            "uri": "other%20bundle/metadata/annotations.yaml",
            "uriBaseId": "%SRCROOT%",
        }
    }
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_sarif_absolute_path_outside_the_directory_has_no_base_id() -> None:
    finding = Finding(
        rule="CSV002",
        severity=Severity.ERROR,
        message="m",
        location=Location(path="/nonexistent-root/b/csv.yaml", line=1, column=1),
    )
    report = Report(targets=["/nonexistent-root/b"], findings=[finding])
    log = json.loads(render_sarif(report, Severity.ERROR))
    (result,) = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "file:///nonexistent-root/b/csv.yaml"}


def test_artifact_uri() -> None:
    assert artifact_uri("a b/c.yaml") == "a%20b/c.yaml"
    assert artifact_uri("/tmp/x y.yaml", Path("/srv")) == "file:///tmp/x%20y.yaml"
    assert artifact_uri("/srv/repo/bundle/a.yaml", Path("/srv/repo")) == "bundle/a.yaml"


def test_junit_one_suite_per_target_failures_at_fail_on() -> None:
    root = ET.fromstring(render_junit(REPORT, Severity.ERROR))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("4", "2")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["bundle", "other bundle"]
    cases = suites[0].findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("COURIER", "bundle/manifests/csv.yaml:9:1"),
        ("CSV002", "bundle/manifests/csv.yaml:12:12"),
        ("CSV014", "bundle/manifests/csv.yaml:60:13"),
    ]
    assert cases[0].find("failure") is None  # info is below --fail-on error
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.text.endswith("\nhint: write '1.0.0'")
    assert cases[2].find("failure") is None
    assert cases[2].find("system-out").text.startswith("bundle/manifests/csv.yaml:60:13: warning")
    (other,) = suites[1].findall("testcase")
    assert other.get("name") == "other bundle/metadata/annotations.yaml"
    warning_root = ET.fromstring(render_junit(REPORT, Severity.WARNING))
    assert warning_root.get("failures") == "3"


def test_junit_clean_target_has_one_passed_case() -> None:
    root = ET.fromstring(render_junit(Report(targets=["bundle"]), Severity.ERROR))
    (suite,) = root.findall("testsuite")
    (case,) = suite.findall("testcase")
    assert (suite.get("tests"), suite.get("failures"), case.get("name")) == ("1", "0", "validate")
    assert list(case) == []


def test_sarif_and_junit_of_a_real_run(tmp_path: Path) -> None:
    from bundle_tools.validate import validate_bundles

    from .validate_helpers import BASE_CSV, edit, write_bundle

    bundle = write_bundle(tmp_path / "b", csv=edit(BASE_CSV, "version: 1.2.0", "version: x"))
    report = validate_bundles([bundle])
    log = json.loads(render_sarif(report, Severity.ERROR))
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {
        "CSV002",
        "CSV003",
        "FEAT001",
        "FEAT007",
    }
    root = ET.fromstring(render_junit(report, Severity.ERROR))
    assert root.find("testsuite").get("name") == str(bundle)
