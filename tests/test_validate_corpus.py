"""Odd real bundles from ../shared/corpus: no crash, input errors exit 2 with a position,
every finding has a real line and column (the full sweep is ``nox -s corpus``)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.validate import validate_bundles

from .conftest import shared_path


def test_undecodable_dependencies_file_is_a_warning_and_the_rest_is_checked() -> None:
    """eventing-kogito 1.2.0's dependencies.yaml is not YAML; opm v1.26.5 renders the
    bundle without its three olm.gvk.required properties and the community catalog
    publishes it: a BND013 warning at the YAML error, and every other rule runs."""
    path = shared_path("corpus", "bundles", "eventing-kogito/1.2.0")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "metadata/dependencies.yaml:22:12: warning BND013 invalid YAML: " in result.stdout
    report = validate_bundles([path])
    assert {f.rule for f in report.findings} == {"BND013", "FEAT001", "FEAT007"}


@pytest.mark.parametrize(
    ("bundle", "where"),
    [
        ("kaoto-operator/0.0.10", ("kaoto-operator.clusterserviceversion.yaml", 252, 3)),
        ("datadog-operator/0.7.0", ("datadog-operator.clusterserviceversion.yaml", 113, 5)),
    ],
)
def test_repeated_equal_keys_are_a_warning_and_the_rest_is_checked(
    bundle: str, where: tuple[str, int, int]
) -> None:
    """Published bundles that repeat a key with the same value install (the cluster keeps
    the last value): a BND012 warning at the repeat, and every other rule runs."""
    path = shared_path("corpus", "bundles", bundle)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    file, line, column = where
    assert f"{file}:{line}:{column}: warning BND012 " in result.stdout
    report = validate_bundles([path])
    assert [f.rule for f in report.findings if str(f.severity) == "error"] == []
    assert len({f.rule for f in report.findings}) > 1


@pytest.mark.parametrize(
    ("bundle", "errors"),
    [
        ("dxoperator/1.0.77.0", []),  # CRLF, version != directory, replaces: ""
        ("patterns-operator/0.0.66", []),  # tabs inside a scalar
        ("automotive-infra/0.0.3", []),  # ApiVersion: (a warning: OLM decodes by kind)
        ("dynatrace-operator/0.10.2", [("CSV005", 30, 20)]),  # skipRange <=v0.10.1
        ("enmasse/0.30.2", []),  # owned APIServices, OLM-injected apiservice-cert
        # upstream dev CSV: claims disconnected "true" but lists no relatedImages
        ("quay-operator/3.99.0-dev", [("CSV020", line, 32) for line in range(154, 171, 2)]),
    ],
)
def test_real_bundles(bundle: str, errors: list[tuple[str, int, int]]) -> None:
    path = shared_path("corpus", "bundles", bundle)
    report = validate_bundles([path])
    assert all(f.location.line and f.location.column for f in report.findings)
    found = [
        (f.rule, f.location.line, f.location.column)
        for f in report.sorted_findings()
        if str(f.severity) == "error"
    ]
    assert found == errors
