"""``bundle-tools validate`` and ``bundle-tools rules`` from the command line: exit codes,
options, input errors, output shapes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app

from .conftest import REPO
from .validate_helpers import BASE_CSV, CSV_FILE, edit, write_bundle

BAD_VERSION = edit(BASE_CSV, "version: 1.2.0", "version: v1.2.0")
NODES = edit(BASE_CSV, "resources: [configmaps]", "resources: [configmaps, nodes]")


def invoke(*args: str):
    """Run ``bundle-tools ARGS`` in-process; the click Result."""
    return CliRunner().invoke(app, list(args))


def test_clean_bundle_exits_zero_with_summary(tmp_path: Path) -> None:
    result = invoke("validate", str(write_bundle(tmp_path / "b")))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "1 checked, 0 errors, 0 warnings, 2 infos: passed"


def test_error_exits_one_with_positioned_line(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", csv=BAD_VERSION)
    result = invoke("validate", str(bundle))
    assert result.exit_code == 1
    assert f"{bundle}/{CSV_FILE}:11:12: error CSV002 spec.version 'v1.2.0'" in result.stdout
    assert "    hint: write '1.2.0' (no 'v' prefix)" in result.stdout


def test_fail_on_warning_and_ignore(tmp_path: Path) -> None:
    bundle = str(write_bundle(tmp_path / "b", csv=NODES))
    assert invoke("validate", bundle).exit_code == 0
    assert invoke("validate", bundle, "--fail-on", "warning").exit_code == 1
    assert invoke("validate", bundle, "--fail-on", "warning", "--ignore", "CSV01").exit_code == 0
    assert invoke("validate", bundle, "--profile", "strict", "--select", "CSV014").exit_code == 1


def test_select_accepts_commas_and_prefixes(tmp_path: Path) -> None:
    bundle = str(write_bundle(tmp_path / "b", csv=BAD_VERSION))
    out = invoke("validate", bundle, "-o", "json", "--select", "bnd,CSV00").stdout
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["CSV002"]
    out = invoke("validate", bundle, "-o", "json", "--select", "FEAT", "--select", "STS").stdout
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"FEAT001", "FEAT007"}


@pytest.mark.parametrize(
    "args",
    [
        ["--select", "CSV999"],
        ["--ignore", "NOPE"],
        ["--output", "xml"],
        ["--profile", "gold"],
        ["--fail-on", "never"],
    ],
)
def test_usage_errors_exit_two(tmp_path: Path, args: list[str]) -> None:
    result = invoke("validate", str(write_bundle(tmp_path / "b")), *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_empty_rule_pattern_is_a_usage_error(tmp_path: Path, option: str) -> None:
    result = invoke("validate", str(write_bundle(tmp_path / "b")), option, " , ")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: empty rule pattern: give rule ids or prefixes, e.g. CSV or FEAT002\n"
    )


def test_input_errors_exit_two_with_position(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", csv=BASE_CSV + "spec: [\n")
    result = invoke("validate", str(bundle))
    assert result.exit_code == 2
    assert re.search(rf"{CSV_FILE}:49:1: error: invalid YAML: while parsing", result.stderr)
    assert (
        result.stdout
        == "1 checked, 1 unreadable (see stderr), 0 errors, 0 warnings, 0 infos: failed\n"
    )
    json_result = invoke("validate", "-o", "json", str(bundle))
    assert json_result.exit_code == 2
    document = json.loads(json_result.stdout)
    assert document["status"] == "error"
    assert (document["error"]["line"], document["error"]["column"]) == (49, 1)


def test_repeated_key_is_a_finding_and_the_last_value_is_checked(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", csv=BASE_CSV + "spec: {}\n")
    result = invoke("validate", "-o", "json", str(bundle))
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    repeated = [f for f in findings if f["rule"] == "BND012"]
    assert [(f["severity"], f["line"], f["column"], f["pointer"]) for f in repeated] == [
        ("error", 48, 1, "/spec")
    ]
    assert "first at line 8" in repeated[0]["message"]
    # the rest is checked on the last spec (empty): its missing version is reported there
    assert ("CSV002", 48, 1) in {(f["rule"], f["line"], f["column"]) for f in findings}
    equal = BASE_CSV.replace("kind: ClusterServiceVersion\n", "kind: ClusterServiceVersion\n" * 2)
    same = invoke("validate", "-o", "json", str(write_bundle(tmp_path / "c", csv=equal)))
    warnings = [f for f in json.loads(same.stdout)["findings"] if f["rule"] == "BND012"]
    assert [(f["severity"], f["line"]) for f in warnings] == [("warning", 3)]


def test_invalid_dependencies_file_is_a_warning_and_the_rest_is_checked(tmp_path: Path) -> None:
    """opm skips a metadata file it cannot decode and publishes the bundle without it:
    a BND013 warning at the YAML error, and every other rule still runs."""
    deps = "dependencies:\n  - type: olm.gvk\n      value: {}\n"
    bundle = write_bundle(
        tmp_path / "b", csv=BAD_VERSION, files={"metadata/dependencies.yaml": deps}
    )
    result = invoke("validate", "-o", "json", str(bundle))
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    found = {(f["rule"], f["severity"], f["line"], f["column"]): f for f in findings}
    bnd013 = found[("BND013", "warning", 3, 12)]
    assert bnd013["file"] == f"{bundle}/metadata/dependencies.yaml"
    assert bnd013["message"].startswith("invalid YAML: mapping values are not allowed here: ")
    assert "without the dependencies or properties it declares" in bnd013["message"]
    assert ("CSV002", "error", 11, 12) in found


def test_invalid_annotations_file_is_still_an_input_error(tmp_path: Path) -> None:
    """opm refuses a bundle whose annotations it cannot decode ("Could not find
    annotations file"), so that stays exit 2."""
    annotations = "annotations:\n  a: b\n    c: d\n"
    result = invoke("validate", str(write_bundle(tmp_path / "b", annotations=annotations)))
    assert result.exit_code == 2
    assert "metadata/annotations.yaml:3:6: error: invalid YAML" in result.stderr


def test_not_a_bundle_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke("validate", str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert "no manifests/ directory" in result.stderr
    missing = invoke("validate", str(tmp_path / "missing"))
    assert missing.exit_code == 2
    assert missing.stderr == f"{tmp_path / 'missing'}: error: no such file or directory\n"
    (tmp_path / "csv.yaml").write_text(BASE_CSV, encoding="utf-8")
    a_file = invoke("validate", "-o", "json", str(tmp_path / "csv.yaml"))
    assert a_file.exit_code == 2
    assert json.loads(a_file.stdout)["error"] == {
        "target": str(tmp_path / "csv.yaml"),
        "message": "not a bundle directory: give the directory that holds manifests/ and metadata/",
        "file": str(tmp_path / "csv.yaml"),
        "line": None,
        "column": None,
    }


def test_an_unreadable_bundle_does_not_hide_the_others(tmp_path: Path) -> None:
    bad = str(write_bundle(tmp_path / "bad", csv=BAD_VERSION))
    broken = str(write_bundle(tmp_path / "broken", csv=BASE_CSV + "spec: [\n"))
    missing = str(tmp_path / "missing")
    result = invoke("validate", bad, missing, broken, bad)
    assert result.exit_code == 2
    assert f"{bad}/{CSV_FILE}:11:12: error CSV002 " in result.stdout
    assert result.stdout.splitlines()[-1].startswith(
        "3 checked, 2 unreadable (see stderr), 1 error,"
    )
    assert result.stderr.splitlines() == [
        f"{missing}: error: no such file or directory",
        f"{broken}/{CSV_FILE}:49:1: error: invalid YAML: while parsing a flow node expected "
        "the node content, but found '<stream end>'",
    ]
    document = json.loads(invoke("validate", "-o", "json", bad, missing).stdout)
    assert (document["status"], document["targets"]) == ("error", [bad, missing])
    assert [e["target"] for e in document["errors"]] == [missing]
    assert {f["rule"] for f in document["findings"]} >= {"CSV002"}
    root = ET.fromstring(invoke("validate", "-o", "junit", bad, missing).stdout)
    assert (root.get("errors"), [s.get("errors") for s in root]) == ("1", ["0", "1"])
    error = root.find("testsuite[@name='" + missing + "']/testcase/error")
    assert error is not None and error.text == f"{missing}: error: no such file or directory"
    log = json.loads(invoke("validate", "-o", "sarif", bad, missing).stdout)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["message"]["text"] == "no such file or directory"


def test_several_bundles_in_one_run(tmp_path: Path) -> None:
    good = str(write_bundle(tmp_path / "good"))
    bad = str(write_bundle(tmp_path / "bad", csv=BAD_VERSION))
    document = json.loads(invoke("validate", "-o", "json", good, bad).stdout)
    assert document["targets"] == [good, bad]
    assert document["status"] == "findings"
    assert [f["file"] for f in document["findings"] if f["severity"] == "error"] == [
        f"{bad}/{CSV_FILE}"
    ]


def test_rules_command_lists_every_rule() -> None:
    text = invoke("rules").stdout
    assert re.search(r"^CSV014 +bundle +warning \(strict: error\) +cluster-scoped", text, re.M)
    rules = json.loads(invoke("rules", "-o", "json").stdout)["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids)
    assert {"BND006", "CSV009", "FEAT001", "STS001", "CRQ001"} <= set(ids)
    assert all(r["source"] and r["summary"] for r in rules)


def test_readme_rule_table_is_generated_from_rules_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S)
    assert found is not None
    assert found.group(1) == invoke("rules", "--output", "markdown").stdout


def test_merge_key_annotations_are_checked_at_the_anchor(tmp_path: Path) -> None:
    csv = edit(
        BASE_CSV,
        "metadata:\n  name: widget-operator.v1.2.0\n  annotations:\n",
        "x-features: &features\n  features.operators.openshift.io/disconnected: True-ish\n"
        "metadata:\n  name: widget-operator.v1.2.0\n  annotations:\n    <<: *features\n",
    )
    bundle = write_bundle(tmp_path / "b", csv=csv)
    result = invoke("validate", str(bundle), "--select", "FEAT002")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(f"{bundle}/{CSV_FILE}:4:49: error FEAT002 ")
