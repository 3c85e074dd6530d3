"""Finding model, rule registry selection and the text/JSON renderers."""

from __future__ import annotations

import json

import pytest

from bundle_tools.findings import Finding, Location, Report, Severity
from bundle_tools.report import render_json, render_text
from bundle_tools.rules import matches


def finding(rule: str, severity: Severity, line: int) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        message=f"{rule} message",
        location=Location(path="b/manifests/csv.yaml", pointer="/spec", line=line, column=3),
    )


def test_exit_code_follows_fail_on() -> None:
    report = Report(targets=["b"], findings=[finding("CSV001", Severity.WARNING, 4)])
    assert report.exit_code(Severity.ERROR) == 0
    assert report.exit_code(Severity.WARNING) == 1


def test_location_rejects_zero_based_positions() -> None:
    with pytest.raises(ValueError):
        Location(path="x", line=0, column=1)


def test_text_output_is_sorted_and_summarised() -> None:
    report = Report(
        targets=["b"],
        findings=[finding("CSV002", Severity.ERROR, 9), finding("BND001", Severity.WARNING, 2)],
    )
    assert render_text(report, Severity.ERROR).splitlines() == [
        "b/manifests/csv.yaml:2:3: warning BND001 BND001 message",
        "b/manifests/csv.yaml:9:3: error CSV002 CSV002 message",
        "1 checked, 1 error, 1 warning, 0 infos: failed",
    ]


def test_json_output_shape() -> None:
    report = Report(targets=["b"], findings=[finding("CSV002", Severity.ERROR, 9)])
    doc = json.loads(render_json(report, Severity.ERROR))
    assert doc["version"] == 1
    assert doc["status"] == "findings"
    assert doc["summary"] == {"error": 1, "warning": 0, "info": 0}
    assert doc["findings"][0] == {
        "rule": "CSV002",
        "severity": "error",
        "message": "CSV002 message",
        "file": "b/manifests/csv.yaml",
        "line": 9,
        "column": 3,
        "pointer": "/spec",
        "hint": None,
    }


def test_rule_prefix_matching() -> None:
    assert matches("CSV010", ["csv"])
    assert matches("FEAT003", ["FEAT003"])
    assert not matches("STS004", ["CSV", "FEAT"])
