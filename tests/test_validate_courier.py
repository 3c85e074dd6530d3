"""``validate --courier``: the package-manifest copy, the missing-extra usage error and,
when operator-courier is installed, its findings."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.courier import import_courier, package_manifest, run_courier
from bundle_tools.errors import UsageError
from bundle_tools.names import select_default_channel
from bundle_tools.validate import load_context

from .validate_helpers import ANNOTATIONS, BASE_CSV, CSV_FILE, edit, write_bundle


def test_package_manifest_from_annotations(tmp_path: Path) -> None:
    annotations = ANNOTATIONS.replace("channels.v1: stable", "channels.v1: stable,fast")
    ctx = load_context(write_bundle(tmp_path / "b", annotations=annotations))
    assert package_manifest(ctx) == {
        "packageName": "widget-operator",
        "channels": [
            {"name": "stable", "currentCSV": "widget-operator.v1.2.0"},
            {"name": "fast", "currentCSV": "widget-operator.v1.2.0"},
        ],
        "defaultChannel": "stable",
    }


def test_package_manifest_reads_channels_as_opm_does(tmp_path: Path) -> None:
    """No trimming (opm publishes a separate `` stable`` channel), and without a default
    channel annotation opm's choice: the lexicographically first channel."""
    annotations = ANNOTATIONS.replace("channels.v1: stable", "channels.v1: stable, alpha").replace(
        "  operators.operatorframework.io.bundle.channel.default.v1: stable\n", ""
    )
    assert "channel.default" not in annotations
    ctx = load_context(write_bundle(tmp_path / "b", annotations=annotations))
    manifest = package_manifest(ctx)
    assert [c["name"] for c in manifest["channels"]] == ["stable", " alpha"]
    assert manifest["defaultChannel"] == " alpha"


@pytest.mark.parametrize(
    ("channels", "expected"),
    [(["stable", "alpha"], "alpha"), (["stable", " beta"], " beta"), (["b", ""], ""), ([], "")],
)
def test_select_default_channel(channels: list[str], expected: str) -> None:
    assert select_default_channel(channels) == expected


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


def test_courier_id_needs_the_courier_option(tmp_path: Path) -> None:
    bundle = str(write_bundle(tmp_path / "b"))
    result = CliRunner().invoke(app, ["validate", bundle, "--select", "COURIER"])
    assert result.exit_code == 2
    assert (
        result.stderr
        == "error: no rule matches 'COURIER' (COURIER findings come only with --courier)\n"
    )
    catalog_rule = CliRunner().invoke(app, ["validate", bundle, "--ignore", "FBC0"])
    assert catalog_rule.stderr == (
        "error: no rule matches 'FBC0' (it names catalog rules; this command runs bundle rules)\n"
    )


def test_courier_package_messages_point_at_annotations_and_count_once(tmp_path: Path) -> None:
    try:
        import_courier()
    except UsageError as exc:
        pytest.skip(str(exc))
    annotations = ANNOTATIONS.replace(
        "  operators.operatorframework.io.bundle.channels.v1: stable\n",
        "  operators.operatorframework.io.bundle.channels.v1: ''\n",
    )
    second = edit(BASE_CSV, "name: widget-operator.v1.2.0", "name: widget-operator.v1.1.0")
    bundle = write_bundle(
        tmp_path / "b",
        annotations=annotations,
        files={"manifests/old.clusterserviceversion.yaml": second},
    )
    result = CliRunner().invoke(
        app, ["validate", str(bundle), "--courier", "--select", "COURIER", "-o", "json"]
    )
    document = json.loads(result.stdout)
    channels = [f for f in document["findings"] if "channels" in f["message"]]
    assert [(f["file"], f["line"], f["column"]) for f in channels] == [
        (f"{bundle}/metadata/annotations.yaml", 6, 54)
    ]
    assert sum(document["summary"].values()) == len(document["findings"])


@pytest.mark.parametrize("name", ["{outside}", "../escaped", "9" * 300])
def test_courier_copy_never_writes_where_the_package_name_points(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The package name once named the copy's directory: an absolute path or ``..`` wrote
    the CSV and CRDs outside the temporary directory, a long name crashed (ENAMETOOLONG)."""
    try:
        import_courier()
    except UsageError as exc:
        pytest.skip(str(exc))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    outside = tmp_path / "outside"
    package = name.format(outside=outside)
    annotations = ANNOTATIONS.replace(
        "bundle.package.v1: widget-operator", f"bundle.package.v1: '{package}'"
    )
    bundle = write_bundle(tmp_path / "w" / "b", annotations=annotations)
    result = CliRunner().invoke(app, ["validate", str(bundle), "--courier", "-o", "json"])
    assert result.exit_code == 1, (result.stderr, result.exception)
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert "BND011" in rules and "COURIER" in rules
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_dir()) == [
        "b",
        "manifests",
        "metadata",
        "tmp",
        "w",
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("metadata:\n  name: widget-operator.v1.2.0\n", "metadata: 5\nx:\n  name: w\n"),
        ("    owned:\n    - name: widgets.example.com\n", "    owned: 5\n    x:\n    - name: w\n"),
    ],
)
def test_courier_failing_on_a_wrong_type_is_one_error(tmp_path: Path, old: str, new: str) -> None:
    """operator-courier indexes the CSV without type checks (found by a hostile sweep
    through --courier: TypeError tracebacks); its failure is a COURIER error finding."""
    try:
        import_courier()
    except UsageError as exc:
        pytest.skip(str(exc))
    bundle = write_bundle(tmp_path / "b", csv=edit(BASE_CSV, old, new))
    result = CliRunner().invoke(app, ["validate", str(bundle), "--courier", "-o", "json"])
    assert result.exit_code == 1, result.exception
    courier = [
        f["message"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "COURIER"
    ]
    failed = [m for m in courier if "verification failed" in m]
    assert len(failed) == 1
    assert failed[0].startswith("operator-courier: verification failed: TypeError: ")
