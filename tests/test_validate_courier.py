"""``validate --courier``: the package-manifest copy, the missing-extra usage error and,
when operator-courier is installed, its findings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.courier import import_courier, package_manifest, run_courier
from bundle_tools.errors import UsageError
from bundle_tools.validate import load_context

from .validate_helpers import ANNOTATIONS, BASE_CSV, CSV_FILE, edit, write_bundle


def test_package_manifest_from_annotations(tmp_path: Path) -> None:
    annotations = ANNOTATIONS.replace("channels.v1: stable", "channels.v1: stable, fast")
    ctx = load_context(write_bundle(tmp_path / "b", annotations=annotations))
    assert package_manifest(ctx) == {
        "packageName": "widget-operator",
        "channels": [
            {"name": "stable", "currentCSV": "widget-operator.v1.2.0"},
            {"name": "fast", "currentCSV": "widget-operator.v1.2.0"},
        ],
        "defaultChannel": "stable",
    }


def test_missing_extra_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "operatorcourier", None)
    bundle = write_bundle(tmp_path / "b")
    with pytest.raises(UsageError, match=r"pip install 'bundle-tools\[courier\]'"):
        run_courier(load_context(bundle))
    result = CliRunner().invoke(app, ["validate", "--courier", str(bundle)])
    assert result.exit_code == 2
    assert "operator-courier" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_courier_install_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "site" / "operatorcourier"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "api.py").write_text("from removed_stdlib_module import copy_tree\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    for name in ("operatorcourier", "operatorcourier.api", "operatorcourier.errors"):
        # setitem records the current state for teardown, so the fake modules the test
        # imports are dropped again afterwards
        monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.delitem(sys.modules, name)
    ctx = load_context(write_bundle(tmp_path / "b"))
    with pytest.raises(UsageError, match="installed but cannot be imported"):
        run_courier(ctx)


def test_courier_findings_are_located(tmp_path: Path) -> None:
    try:
        import_courier()
    except UsageError as exc:
        pytest.skip(str(exc))
    csv = edit(BASE_CSV, "  install:\n    strategy: deployment\n", "  install:\n")
    findings = run_courier(load_context(write_bundle(tmp_path / "b", csv=csv)))
    errors = [f for f in findings if str(f.severity) == "error"]
    assert [f.message for f in errors] == [
        "operator-courier: csv spec.install.strategy not defined"
    ]
    assert errors[0].location.path.endswith(CSV_FILE)
    assert (errors[0].location.line, errors[0].location.column) == (28, 3)
