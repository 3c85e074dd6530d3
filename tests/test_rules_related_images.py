"""CSV020: images named by RELATED_IMAGE_* env vars must be in spec.relatedImages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.findings import Severity
from bundle_tools.validate import validate_bundles

from .validate_helpers import BASE_CSV, CSV_FILE, edit, write_bundle

IMAGE = "                image: registry.example.com/widget/widget-operator:1.2.0\n"
DB = "quay.io/example/db@sha256:" + "a" * 64


def with_env(env: str, related: str = "", annotations: str = "") -> str:
    csv = edit(BASE_CSV, IMAGE, IMAGE + "                env:\n" + env)
    if related:
        csv = edit(csv, "  minKubeVersion: 1.25.0\n", "  minKubeVersion: 1.25.0\n" + related)
    if annotations:
        csv = edit(csv, "    olm.skipRange", annotations + "    olm.skipRange")
    return csv


ENV_DB = f"                - name: RELATED_IMAGE_DB\n                  value: {DB}\n"


def findings(tmp_path: Path, csv: str) -> list[tuple[Severity, int | None, int | None, str]]:
    report = validate_bundles([write_bundle(tmp_path, csv)], select=["CSV020"])
    return [(f.severity, f.location.line, f.location.column, f.message) for f in report.findings]


def test_env_image_missing_from_related_images_is_a_warning(tmp_path: Path) -> None:
    report = validate_bundles([write_bundle(tmp_path, with_env(ENV_DB))], select=["CSV020"])
    (finding,) = report.findings
    assert (finding.severity, finding.location.line, finding.location.column) == (
        Severity.WARNING,
        44,
        26,
    )
    assert finding.location.path == str(tmp_path / CSV_FILE)
    assert finding.message == (
        f"RELATED_IMAGE_DB image '{DB}' is not in spec.relatedImages: disconnected mirroring "
        "(opm render, oc-mirror) will not copy it"
    )
    assert finding.hint == (
        f"add {{name: db, image: {DB}}} to spec.relatedImages "
        f"(bundle-tools patch-csv --related-image db={DB} does)"
    )


def test_a_disconnected_claim_makes_it_an_error(tmp_path: Path) -> None:
    csv = with_env(ENV_DB, annotations='    features.operators.openshift.io/disconnected: "true"\n')
    ((severity, line, _, message),) = findings(tmp_path, csv)
    assert (severity, line) == (Severity.ERROR, 45)
    assert message.endswith(
        ', yet the CSV sets features.operators.openshift.io/disconnected: "true"'
    )


@pytest.mark.parametrize(
    ("env", "related"),
    [
        # listed (under any name)
        (ENV_DB, f"  relatedImages:\n  - name: database\n    image: {DB}\n"),
        # not a RELATED_IMAGE_ var, an empty value, a valueFrom
        (f"                - name: DB_IMAGE\n                  value: {DB}\n", ""),
        ('                - name: RELATED_IMAGE_DB\n                  value: ""\n', ""),
        (
            "                - name: RELATED_IMAGE_DB\n                  valueFrom:\n"
            "                    configMapKeyRef: {name: images, key: db}\n",
            "",
        ),
    ],
)
def test_listed_or_not_an_image_value_passes(tmp_path: Path, env: str, related: str) -> None:
    assert findings(tmp_path, with_env(env, related)) == []


def test_compared_as_written(tmp_path: Path) -> None:
    # a tag is not the digest it may point at: mirroring by digest does not serve the tag
    related = "  relatedImages:\n  - name: db\n    image: quay.io/example/db:15\n"
    env = (
        "                - name: RELATED_IMAGE_DB\n                  value: quay.io/example/db:16\n"
    )
    ((severity, line, column, _),) = findings(tmp_path, with_env(env, related))
    assert (severity, line, column) == (Severity.WARNING, 47, 26)


def test_a_related_image_that_is_not_a_string_is_not_a_crash(tmp_path: Path) -> None:
    """``image: [a]`` under spec.relatedImages (found by test_hostile_inputs): CSV001
    reports the type; CSV020 still compares the env images with the string ones."""
    related = f"  relatedImages:\n  - name: db\n    image: [a]\n  - name: db2\n    image: {DB}\n"
    assert findings(tmp_path / "listed", with_env(ENV_DB, related)) == []
    related = "  relatedImages:\n  - name: db\n    image: [a]\n"
    assert [f[:2] for f in findings(tmp_path / "missing", with_env(ENV_DB, related))] == [
        (Severity.WARNING, 47)
    ]


@pytest.mark.parametrize("image", ["[a]", "{k: v}", "5"])
def test_a_related_image_of_the_wrong_type_lists_nothing(tmp_path: Path, image: str) -> None:
    # the schema rule reports the value; CSV020 still checks the env images, unlisted
    related = f"  relatedImages:\n  - name: db\n    image: {image}\n"
    ((severity, line, _, message),) = findings(tmp_path, with_env(ENV_DB, related))
    assert (severity, line) == (Severity.WARNING, 47)  # the env value, below relatedImages
    assert message.startswith(f"RELATED_IMAGE_DB image '{DB}' is not in spec.relatedImages")
