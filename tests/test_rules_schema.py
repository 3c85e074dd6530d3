"""CSV001 and BND008: schema findings with severities that follow what OLM rejects, and
no double reports of what semantic rules already check."""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path

import pytest

from bundle_tools.rules import csv_required
from bundle_tools.rules.csv_required import REQUIRED_FIELDS
from bundle_tools.rules.csv_schema import ACCEPTED_EMPTY, OLM_BUILDS, WHY, required_field_kind
from bundle_tools.schemas import load_schema
from bundle_tools.validate import validate_bundles

from .conftest import REPO
from .validate_helpers import ANNOTATIONS, BASE_CSV, CSV_FILE, edit, write_bundle

ANN = "metadata/annotations.yaml"


def located(bundle: Path, *select: str) -> list[tuple[str, str, str, int | None, int | None]]:
    """``(rule, severity, file, line, column)`` of the findings of the ``select``ed rules."""
    report = validate_bundles([bundle], select=list(select))
    return [
        (
            f.rule,
            str(f.severity),
            str(Path(f.location.path).relative_to(bundle)),
            f.location.line,
            f.location.column,
        )
        for f in report.sorted_findings()
    ]


def test_type_error_is_an_error(tmp_path: Path) -> None:
    csv = BASE_CSV.replace("supported: true", 'supported: "yes"', 1)
    bundle = write_bundle(tmp_path / "b", csv=csv)
    assert located(bundle, "CSV001") == [("CSV001", "error", CSV_FILE, 16, 16)]
    (finding,) = validate_bundles([bundle], select=["CSV001"]).findings
    assert finding.message.startswith(
        "spec.installModes[0].supported: 'yes' is not of type boolean"
    )
    assert finding.location.pointer == "/spec/installModes/0/supported"


def test_missing_required_field_is_a_warning_with_case_hint(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, "      kind: Widget", "      Kind: Widget")
    bundle = write_bundle(tmp_path / "b", csv=csv)
    assert located(bundle, "CSV001") == [("CSV001", "warning", CSV_FILE, 25, 7)]
    (finding,) = validate_bundles([bundle], select=["CSV001"]).findings
    assert finding.hint == "rename key 'Kind' to 'kind' (keys are case-sensitive)"


def test_wrong_csv_api_version_is_a_warning(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, "operators.coreos.com/v1alpha1", "operators.coreos.com/v1")
    bundle = write_bundle(tmp_path / "b", csv=csv)
    assert located(bundle, "CSV001", "BND007") == [("CSV001", "warning", CSV_FILE, 1, 13)]


def test_missing_csv_api_version_is_reported_once_by_bnd007(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, "apiVersion: operators", "ApiVersion: operators")
    bundle = write_bundle(tmp_path / "b", csv=csv)
    assert located(bundle, "CSV001", "BND007") == [("BND007", "warning", CSV_FILE, 1, 1)]


def test_semantic_rules_own_their_nodes(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, "version: 1.2.0", "version: 1.2")
    csv = edit(csv, "    olm.skipRange", "    x: 3\n    olm.skipRange")
    bundle = write_bundle(tmp_path / "b", csv=csv)
    rules = [rule for rule, *_ in located(bundle, "CSV")]
    assert rules == ["CSV009", "CSV002"]  # no CSV001 for either node


def test_annotations_yaml_values_are_strings(tmp_path: Path) -> None:
    annotations = ANNOTATIONS + "  example.com/flag: true\n"
    bundle = write_bundle(tmp_path / "b", annotations=annotations)
    assert located(bundle, "BND") == [("BND008", "error", ANN, 8, 21)]
    missing = write_bundle(tmp_path / "c", annotations="annotations:\n  a: b\n")
    assert [rule for rule, *_ in located(missing, "BND")] == ["BND003", "BND004", "BND004"]


def _required_in_schema() -> set[str]:
    """``parent/field`` of every required field of csv.schema.json below the root (the
    root's apiVersion/kind/metadata/spec are BND007's), ``[]`` for list items."""
    found: set[str] = set()

    def walk(node: object, path: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        if path:
            found.update("/".join((*path, name)) for name in node.get("required", []))
        for name, sub in node.get("properties", {}).items():
            walk(sub, (*path, name))
        walk(node.get("items"), (*path, "[]"))
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                walk(sub, path)

    walk(load_schema("csv"), ())
    return found


def test_every_required_field_of_the_schema_is_decided() -> None:
    """The generated table covers the schema exactly, and each field has a known kind:
    regenerate it (scripts/derive_csv_required.py) when schemas/csv.schema.json changes."""
    decided = {f"{parent}/{name}" for parent, names in REQUIRED_FIELDS.items() for name in names}
    assert decided == _required_in_schema()
    assert len(decided) == 334
    kinds = {required_field_kind(*path.rsplit("/", 1)) for path in decided}
    assert kinds == set(WHY)
    assert set(ACCEPTED_EMPTY) and all(
        any(p.endswith(end) and n == name for p, names in REQUIRED_FIELDS.items() for n in names)
        for end, name in ACCEPTED_EMPTY
    )
    assert all(path.rsplit("/", 1)[0] in REQUIRED_FIELDS for path in OLM_BUILDS)


POD = "spec/install/spec/deployments/[]/spec/template/spec"


@pytest.mark.parametrize(
    ("parent", "name", "kind"),
    [
        ("metadata", "name", "omitted"),  # ObjectMeta.Name: omitempty
        ("spec", "displayName", "zero"),  # string, no omitempty
        ("spec", "install", "invalid"),  # its zero value sends deployments: null
        ("spec/install", "strategy", "builds"),  # "" is not 'deployment'
        ("spec/webhookdefinitions/[]", "sideEffects", "null"),  # pointer
        ("spec/webhookdefinitions/[]", "admissionReviewVersions", "null"),  # slice
        ("spec/webhookdefinitions/[]", "type", "invalid"),  # "" is outside the enum
        ("spec/webhookdefinitions/[]", "generateName", "builds"),
        ("spec/install/spec/deployments/[]", "name", "builds"),
        (f"{POD}/containers/[]", "name", "deployment"),
        (f"{POD}/containers/[]/ports/[]", "containerPort", "deployment"),
        (f"{POD}/containers/[]/restartPolicyRules/[]", "action", "omitted"),
        (f"{POD}/containers/[]/livenessProbe/httpGet/httpHeaders/[]", "value", "zero"),
        (
            f"{POD}/ephemeralContainers/[]/livenessProbe/httpGet/httpHeaders/[]",
            "value",
            "deployment",
        ),
        (f"{POD}/securityContext/sysctls/[]", "value", "zero"),
        (f"{POD}/volumes/[]/iscsi", "lun", "zero"),
        (f"{POD}/containers/[]/lifecycle/preStop/sleep", "seconds", "deployment"),
        (
            f"{POD}/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution/[]",
            "preference",
            "zero",
        ),
        ("spec/customresourcedefinitions/owned/[]/resources/[]", "name", "zero"),
        ("status/requirementStatus/[]", "message", "status"),
    ],
)
def test_required_field_kind(parent: str, name: str, kind: str) -> None:
    assert required_field_kind(parent, name) == kind


def test_missing_container_name_is_an_error_for_the_deployment(tmp_path: Path) -> None:
    csv = edit(
        BASE_CSV, "              - name: manager\n                image:", "              - image:"
    )
    bundle = write_bundle(tmp_path / "b", csv=csv)
    assert located(bundle, "CSV001") == [("CSV001", "error", CSV_FILE, 40, 17)]
    (finding,) = validate_bundles([bundle], select=["CSV001"]).findings
    assert finding.message == (
        "spec.install.spec.deployments[0].spec.template.spec.containers[0]: missing required "
        "field 'name' (OLM creates the CSV with the empty value, then a Deployment from "
        "this spec, which the API server refuses with it)"
    )


def test_missing_fields_of_several_kinds_split_by_severity(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, "  install:\n    strategy: deployment\n", "  install:\n")
    csv = edit(csv, "  displayName: Widget Operator\n", "")
    bundle = write_bundle(tmp_path / "b", csv=csv)
    found = validate_bundles([bundle], select=["CSV001"]).sorted_findings()
    assert [(str(f.severity), f.location.line, f.message) for f in found] == [
        (
            "warning",
            8,
            "spec: missing required field 'displayName' (OLM creates the CSV from its Go "
            "types, which fill in an empty value, so it installs)",
        ),
        (
            "error",
            27,
            "spec.install: missing required field 'strategy' (OLM creates the CSV with the "
            "empty value, but OLM accepts no install strategy but 'deployment' and fails "
            "the CSV as an unrecognized install strategy: the install fails)",
        ),
    ]


def test_generated_table_matches_the_go_types() -> None:
    """Regenerating csv_required.py from OLM's vendored Go types gives the committed
    table. Needs an operator-lifecycle-manager git directory in OLM_GIT_DIR (the commit
    the table names); skipped without one."""
    git_dir = os.environ.get("OLM_GIT_DIR")
    if not git_dir or not Path(git_dir).exists():
        pytest.skip("OLM_GIT_DIR (an operator-lifecycle-manager git directory) not set")
    script = runpy.run_path(str(REPO / "scripts" / "derive_csv_required.py"))
    commit = re.search(r"operator-lifecycle-manager ([0-9a-f]{40})", csv_required.__doc__ or "")
    assert commit is not None
    assert script["derive"](git_dir, commit.group(1)) == (commit.group(1), REQUIRED_FIELDS)
