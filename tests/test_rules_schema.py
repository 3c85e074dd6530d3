"""CSV001 and BND008: schema findings with severities that follow what OLM rejects, and
no double reports of what semantic rules already check."""

from __future__ import annotations

from pathlib import Path

from bundle_tools.validate import validate_bundles

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
