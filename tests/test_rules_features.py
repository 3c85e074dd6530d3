"""FEAT rules (feature annotations, A1-A8 of token-auth.md) and their profile severities."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.findings import Severity
from bundle_tools.validate import validate_bundles

from .validate_helpers import ANNOTATIONS, BASE_CSV, CSV_FILE, edit, hits, write_bundle

KEYS = (
    "disconnected",
    "fips-compliant",
    "proxy-aware",
    "tls-profiles",
    "token-auth-aws",
    "token-auth-azure",
    "token-auth-gcp",
)
FEATURES = "".join(f'    features.operators.openshift.io/{k}: "false"\n' for k in KEYS)
SUBSCRIPTION = (
    """    operators.openshift.io/valid-subscription: '["OpenShift Container Platform"]'\n"""
)
ANCHOR = "    olm.skipRange: '>=1.0.0 <1.2.0'\n"
#: A CSV that passes every FEAT rule under --profile certified.
CERTIFIED_CSV = edit(BASE_CSV, ANCHOR, ANCHOR + FEATURES + SUBSCRIPTION)


def with_annotations(text: str, csv: str = BASE_CSV) -> str:
    """``csv`` with extra ``metadata.annotations`` lines (from line 8 on)."""
    return edit(csv, ANCHOR, ANCHOR + text)


def severities(bundle: Path, rule_id: str, profile: str = "default") -> list[str]:
    """Severities of ``rule_id``'s findings on ``bundle`` under ``profile``, in order."""
    report = validate_bundles([bundle], select=[rule_id], profile=profile)
    return [str(f.severity) for f in report.sorted_findings()]


def test_certified_csv_is_clean_under_certified_profile(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", csv=CERTIFIED_CSV)
    assert hits(bundle, profile="certified", minimum=Severity.INFO) == []


def test_required_keys_info_for_community_warning_when_partial_error_when_certified(
    tmp_path: Path,
) -> None:
    none = write_bundle(tmp_path / "a")
    assert severities(none, "FEAT001") == ["info"]
    assert severities(none, "FEAT001", "certified") == ["error"]
    partial = write_bundle(tmp_path / "b", csv=with_annotations(FEATURES.split("\n")[0] + "\n"))
    assert severities(partial, "FEAT001") == ["warning"]
    assert hits(partial, ("FEAT001",)) == [("FEAT001", CSV_FILE, 5, 3)]
    message = validate_bundles([partial], select=["FEAT001"]).findings[0].message
    assert "disconnected" not in message and "token-auth-gcp" in message


def test_certification_demands_by_profile(tmp_path: Path) -> None:
    """FEAT001 is info on a community bundle and a warning once the CSV shows it targets
    certification (valid-subscription alone marks a Red Hat product); FEAT007 stays info by
    default (only Red Hat's own builds need valid-subscription); both are errors under
    --profile certified."""
    community = write_bundle(tmp_path / "a")
    assert [severities(community, r) for r in ("FEAT001", "FEAT007")] == [["info"], ["info"]]
    features_only = write_bundle(tmp_path / "b", csv=with_annotations(FEATURES))
    assert severities(features_only, "FEAT007") == ["info"]
    assert severities(features_only, "FEAT007", "certified") == ["error"]
    subscription_only = write_bundle(tmp_path / "c", csv=with_annotations(SUBSCRIPTION))
    assert severities(subscription_only, "FEAT001") == ["warning"]


def test_community_bundle_exits_zero_even_on_warnings(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bundle_tools.cli import app

    community = str(write_bundle(tmp_path / "a"))
    runner = CliRunner()
    assert runner.invoke(app, ["validate", community, "--fail-on", "warning"]).exit_code == 0
    assert runner.invoke(app, ["validate", community, "--profile", "certified"]).exit_code == 1


DISCONNECTED = 'disconnected: "false"'


@pytest.mark.parametrize(
    ("old", "new", "rule_id", "line", "column"),
    [
        (DISCONNECTED, 'disconnected: "True"', "FEAT002", 8, 51),
        (DISCONNECTED, 'disconnected: "\u201ctrue\u201d"', "FEAT002", 8, 51),
        (DISCONNECTED, 'disconnected: " true"', "FEAT002", 8, 51),
        (
            ANCHOR,
            ANCHOR + "    features.operators.openshift.io/csi: yes-please\n",
            "FEAT003",
            8,
            42,
        ),
        (
            ANCHOR,
            ANCHOR + '    features.operators.openshift.io/fipsmode: "true"\n',
            "FEAT004",
            8,
            47,
        ),
        (
            ANCHOR,
            ANCHOR + "    operators.openshift.io/infrastructure-features: disconnected\n",
            "FEAT006",
            8,
            53,
        ),
        (
            ANCHOR,
            ANCHOR + """    operators.openshift.io/infrastructure-features: '["teleport"]'\n""",
            "FEAT006",
            8,
            53,
        ),
        ("""'["OpenShift Container Platform"]'""", "'[]'", "FEAT007", 15, 48),
        (
            ANCHOR,
            ANCHOR + "    operatorframework.io/suggested-namespace-template: '{}'\n",
            "FEAT008",
            8,
            56,
        ),
    ],
)
def test_feature_value_rules(
    tmp_path: Path, old: str, new: str, rule_id: str, line: int, column: int
) -> None:
    bundle = write_bundle(tmp_path / "b", csv=edit(CERTIFIED_CSV, old, new))
    assert hits(bundle, (rule_id,)) == [(rule_id, CSV_FILE, line, column)]


@pytest.mark.parametrize(
    "line",
    [
        """    operators.openshift.io/infrastructure-features: '["Disconnected", "proxy"]'\n""",
        '    features.operators.openshift.io/cnf: "false"\n',
        "    operatorframework.io/suggested-namespace-template: "
        """'{"metadata": {"name": "w"}}'\n""",
    ],
)
def test_feature_values_accepted(tmp_path: Path, line: str) -> None:
    bundle = write_bundle(tmp_path / "b", csv=with_annotations(line, CERTIFIED_CSV))
    assert hits(bundle, profile="certified", minimum=Severity.INFO) == []


def test_boolean_feature_value_is_reported_once_by_csv009(tmp_path: Path) -> None:
    csv = edit(CERTIFIED_CSV, 'token-auth-aws: "false"', "token-auth-aws: false")
    assert [r for r, *_ in hits(write_bundle(tmp_path / "b", csv=csv))] == ["CSV009"]


def test_feature_key_in_bundle_annotations_is_ignored_there(tmp_path: Path) -> None:
    annotations = ANNOTATIONS + '  features.operators.openshift.io/disconnected: "true"\n'
    bundle = write_bundle(tmp_path / "b", annotations=annotations)
    assert hits(bundle, ("FEAT005",)) == [("FEAT005", "metadata/annotations.yaml", 8, 49)]


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ('"True"', '"true"'),
        ('"\u201cfalse\u201d"', '"false"'),
        ('" true "', '"true"'),
        ('"untrue"', '"true" or "false"'),
        ('"yes"', '"true" or "false"'),
    ],
)
def test_feature_value_hint_names_the_value_meant(tmp_path: Path, value: str, hint: str) -> None:
    csv = edit(CERTIFIED_CSV, 'disconnected: "false"', f"disconnected: {value}")
    bundle = write_bundle(tmp_path / "b", csv=csv)
    report = validate_bundles([bundle], select=["FEAT002"])
    assert [f.hint for f in report.findings] == [
        f"write features.operators.openshift.io/disconnected: {hint}"
    ]
