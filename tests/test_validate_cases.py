"""Every ``../shared/cases/csv-*`` and ``bundle-*`` case behaves as its EXPECTED.md says:
rule ids, lines, columns and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.findings import Severity
from bundle_tools.validate import validate_bundles

from .conftest import copy_writable, shared_path
from .validate_helpers import hits

CSV = "manifests/widget-operator.clusterserviceversion.yaml"


def run(*args: str) -> tuple[int, str]:
    """Exit code and stdout of ``bundle-tools validate ARGS``."""
    result = CliRunner().invoke(app, ["validate", *args])
    return result.exit_code, result.stdout


def test_annotation_not_string_one_error_per_value_with_quote_hint() -> None:
    bundle = shared_path("cases", "csv-annotation-not-string", "bundle")
    report = validate_bundles([bundle])
    errors = [f for f in report.sorted_findings() if f.severity is Severity.ERROR]
    assert [(f.rule, f.location.line, f.location.column) for f in errors] == [
        ("CSV009", 10, 53),  # token-auth-aws: false
        ("CSV009", 11, 5),  # example.com/tags: [storage, demo]
    ]
    assert (
        errors[0].hint == 'quote the value: features.operators.openshift.io/token-auth-aws: "false"'
    )
    assert errors[1].hint == """quote the value: example.com/tags: '["storage", "demo"]'"""
    assert "features.operators.openshift.io/disconnected" not in "".join(
        f.message for f in report.findings
    )
    assert run(str(bundle))[0] == 1


def test_cluster_rbac_in_permissions_warning_by_default_error_when_strict() -> None:
    bundle = shared_path("cases", "csv-cluster-rbac-in-permissions", "bundle")
    expected = [("CSV014", CSV, 63, 13), ("CSV014", CSV, 71, 13), ("CSV014", CSV, 77, 13)]
    assert hits(bundle) == expected
    report = validate_bundles([bundle])
    messages = [f.message for f in report.sorted_findings() if f.rule == "CSV014"]
    assert [m.split(" is granted")[0] for m in messages] == [
        "cluster-scoped resource nodes",
        "cluster-scoped resource config.openshift.io/infrastructures",
        "cluster-scoped resource operator.openshift.io/cloudcredentials",
    ]
    assert all("clusterPermissions" in m for m in messages)
    assert {f.severity for f in report.findings if f.rule == "CSV014"} == {Severity.WARNING}
    strict = validate_bundles([bundle], profile="strict")
    assert {f.severity for f in strict.findings if f.rule == "CSV014"} == {Severity.ERROR}
    assert run(str(bundle))[0] == 0
    assert run(str(bundle), "--profile", "strict")[0] == 1


@pytest.mark.parametrize(
    ("variant", "expected", "code"),
    [
        ("bad-v-prefix", [("CSV005", CSV, 8, 20)], 1),
        ("bad-leading-zero", [("CSV005", CSV, 8, 20)], 1),
        ("good", [], 0),
    ],
)
def test_skip_range_strict_semver(variant: str, expected: list, code: int) -> None:
    bundle = shared_path("cases", "csv-skiprange-v-prefix", variant)
    assert hits(bundle) == expected
    assert run(str(bundle))[0] == code


def test_version_v_prefix_is_not_semver() -> None:
    bundle = shared_path("cases", "csv-version-v-prefix", "bundle")
    report = validate_bundles([bundle])
    assert hits(bundle) == [("CSV002", CSV, 12, 12)]
    (finding,) = [f for f in report.findings if f.rule == "CSV002"]
    assert finding.hint == "write '1.2.0' (no 'v' prefix)"
    assert run(str(bundle))[0] == 1


def test_bundled_service_account_named_like_deployment_sa(tmp_path: Path) -> None:
    bundle = shared_path("cases", "bundle-sa-duplicate", "bundle")
    sa_file = "manifests/widget-controller_v1_serviceaccount.yaml"
    assert hits(bundle) == [("BND006", sa_file, 4, 9)]
    (finding,) = validate_bundles([bundle], select=["BND006"]).findings
    assert "'widget-controller'" in finding.message and "Pending" in finding.message
    assert "previous CSV still owns" in finding.message
    assert run(str(bundle))[0] == 1
    fixed = copy_writable(bundle, tmp_path / "bundle")
    (fixed / sa_file).unlink()
    assert hits(fixed) == []
    assert run(str(fixed))[0] == 0


def test_cases_without_certification_keys_exit_zero(tmp_path: Path) -> None:
    """A community bundle without the seven feature keys or valid-subscription exits 0 by
    default (info only) and 1 under --profile certified."""
    good = copy_writable(shared_path("cases", "csv-skiprange-v-prefix", "good"), tmp_path / "b")
    code, out = run(str(good), "--fail-on", "warning")
    assert code == 0
    assert "info FEAT001" in out and "info FEAT007" in out
    code, out = run(str(good), "--profile", "certified")
    assert code == 1
    assert "error FEAT001" in out and "error FEAT007" in out


def _errors_and_warnings(bundle: Path) -> list[tuple[str, str, int | None, int | None, str]]:
    report = validate_bundles([bundle])
    return [
        (f.rule, f.severity.name.lower(), f.location.line, f.location.column, f.location.path)
        for f in report.sorted_findings()
        if f.severity >= Severity.WARNING
    ]


@pytest.mark.parametrize(
    ("variant", "expected", "code"),
    [
        # OLM's coreos/go-semver needs three parts: "1.21" never installs
        ("two-part", [("CSV006", "error", 14, 19)], 1),
        # OLM strips the v, so it installs; operator-sdk's validator would refuse it
        ("leading-v", [("CSV006", "warning", 14, 19)], 0),
    ],
)
def test_min_kube_version_parsed_like_olm(variant: str, expected: list, code: int) -> None:
    bundle = shared_path("cases", "minkube-two-part", variant)
    assert [f[:4] for f in _errors_and_warnings(bundle)] == expected
    assert run(str(bundle))[0] == code


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        ("bundle", "is 68 characters, more than 63: OLM uses the CSV name as a label value"),
        ("bundle-uppercase", "'Widget_Operator.v1.0.0' is not a DNS-1123 subdomain"),
    ],
)
def test_csv_name_is_a_subdomain_and_label_value(variant: str, message: str) -> None:
    bundle = shared_path("cases", "csv-name-too-long", variant)
    report = validate_bundles([bundle])
    errors = [f for f in report.sorted_findings() if f.severity is Severity.ERROR]
    assert [(f.rule, f.location.line, f.location.column) for f in errors] == [("CSV017", 4, 9)]
    assert message in errors[0].message
    # the name does not start with the package either (info by default, as the pipelines warn)
    assert [f.severity for f in report.findings if f.rule == "CSV018"] == [Severity.INFO]
    assert run(str(bundle))[0] == 1


def test_channel_with_space_after_comma_is_a_separate_channel() -> None:
    bundle = shared_path("cases", "channels-space-after-comma", "bundle")
    report = validate_bundles([bundle])
    errors = [f for f in report.sorted_findings() if f.severity is Severity.ERROR]
    assert [(f.rule, f.location.line, f.location.column) for f in errors] == [("BND004", 6, 54)]
    assert "channel name ' stable' has surrounding whitespace, which opm keeps" in errors[0].message
    assert run(str(bundle))[0] == 1


def test_webhook_without_side_effects_and_review_versions_is_an_error() -> None:
    """Both go into the v1 webhook configuration OLM builds, which requires them; the Go
    fields (pointer, slice, no omitempty) go out as null, not as a zero value."""
    bundle = shared_path("cases", "webhook-missing-required", "bundle")
    errors = [f for f in validate_bundles([bundle]).findings if f.severity is Severity.ERROR]
    assert [(f.rule, f.location.line, f.location.column) for f in errors] == [("CSV001", 60, 5)]
    assert "'admissionReviewVersions', 'sideEffects'" in errors[0].message
    assert run(str(bundle))[0] == 1


@pytest.mark.parametrize(
    ("variant", "expected", "words"),
    [
        ("olm-group", [("WHK002", 72, 9)], "webhook rules cannot include the OLM group"),
        ("all-groups", [("WHK002", 72, 9)], "webhook rules cannot include all groups"),
        ("duplicate-name", [("WHK001", 81, 19)], "'vwidget.example.com' repeats"),
        ("fixed", [], ""),
    ],
)
def test_webhook_rules_olm_refuses(variant: str, expected: list, words: str) -> None:
    bundle = shared_path("cases", "webhook-olm-group-rule", variant)
    report = validate_bundles([bundle])
    errors = [f for f in report.sorted_findings() if f.severity >= Severity.WARNING]
    assert [(f.rule, f.location.line, f.location.column) for f in errors] == expected
    assert all(words in f.message for f in errors)
    assert run(str(bundle))[0] == (1 if expected else 0)
