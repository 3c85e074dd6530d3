"""``catalog install-manifests`` for every install mode: installModes read from a
bundle's CSV or a catalog's channel head (``olm.csv.metadata`` or ``olm.bundle.object``),
the OperatorGroup each mode needs, and refusals (exit 2)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.errors import UsageError
from bundle_tools.fbc.install import INSTALL_MODES, InstallMode, choose_install_mode

from .conftest import REPO

BASE = ["catalog", "install-manifests", "--catalog-image", "quay.io/example/catalog:v1"]
QUAY = ["--package", "project-quay", "--channel", "stable-3.99"]
CSV = "manifests/quay-operator.clusterserviceversion.yaml"


def run(*args: str | Path) -> tuple[int, list[dict], str]:
    result = CliRunner().invoke(app, [*BASE, *QUAY, *map(str, args)])
    docs = list(yaml.safe_load_all(result.stdout)) if result.exit_code == 0 else []
    return result.exit_code, docs, result.stderr


def kinds(docs: list[dict]) -> list[tuple[str, str]]:
    return [(d["kind"], d["metadata"]["namespace"]) for d in docs]


def bundle_with_modes(tmp_path: Path, *supported: str) -> Path:
    """This repository's bundle with only ``supported`` install modes marked true."""
    bundle = tmp_path / "bundle"
    shutil.copytree(REPO / "bundle", bundle)
    csv = bundle / CSV
    text = csv.read_text()
    for mode in INSTALL_MODES:
        value = "true" if mode in supported else "false"
        text, count = re.subn(
            rf"(- type: {mode}\n\s+supported: )(true|false)", rf"\g<1>{value}", text
        )
        assert count == 1
    csv.write_text(text)
    return bundle


@pytest.mark.parametrize(
    ("supported", "kwargs", "expected"),
    [
        (None, {}, InstallMode("OwnNamespace", "pkg", ("pkg",), True)),
        (["AllNamespaces"], {}, InstallMode("AllNamespaces", "openshift-operators", (), False)),
        (["AllNamespaces"], {"namespace": "ns"}, InstallMode("AllNamespaces", "ns", (), True)),
        (
            ["OwnNamespace", "AllNamespaces"],
            {"mode": "AllNamespaces"},
            InstallMode("AllNamespaces", "openshift-operators", (), False),
        ),
        (
            ["SingleNamespace"],
            {"targets": ["apps"]},
            InstallMode("SingleNamespace", "pkg", ("apps",), True),
        ),
        (
            ["MultiNamespace"],
            {"namespace": "ops", "targets": ["a", "b", "a"]},
            InstallMode("MultiNamespace", "ops", ("a", "b"), True),
        ),
    ],
)
def test_choose_install_mode(
    supported: list[str] | None, kwargs: dict, expected: InstallMode
) -> None:
    assert choose_install_mode(supported, package="pkg", **kwargs) == expected


@pytest.mark.parametrize(
    ("supported", "kwargs", "message"),
    [
        (["AllNamespaces"], {"mode": "OwnNamespace"}, "the CSV supports only AllNamespaces"),
        ([], {}, "the CSV supports no install mode"),
        (["SingleNamespace"], {}, "SingleNamespace needs the namespaces to watch"),
        (["SingleNamespace"], {"targets": ["a", "b"]}, "watches one namespace"),
        (["AllNamespaces"], {"targets": ["a"]}, "does not apply to AllNamespaces"),
        (None, {"mode": "Cluster"}, "choose from OwnNamespace"),
    ],
)
def test_choose_install_mode_refuses(
    supported: list[str] | None, kwargs: dict, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        choose_install_mode(supported, package="pkg", **kwargs)


def test_all_namespaces_only_bundle_installs_into_openshift_operators(tmp_path: Path) -> None:
    code, docs, err = run("--bundle", bundle_with_modes(tmp_path, "AllNamespaces"))
    assert code == 0, err
    assert kinds(docs) == [
        ("CatalogSource", "openshift-marketplace"),
        ("Subscription", "openshift-operators"),
    ]


def test_all_namespaces_in_a_namespace_of_its_own(tmp_path: Path) -> None:
    bundle = bundle_with_modes(tmp_path, "AllNamespaces")
    code, docs, _ = run("--bundle", bundle, "--namespace", "quay")
    assert code == 0
    group = docs[1]
    assert group == {
        "apiVersion": "operators.coreos.com/v1",
        "kind": "OperatorGroup",
        "metadata": {"name": "project-quay", "namespace": "quay"},
        "spec": {},
    }


def test_unsupported_mode_exits_2(tmp_path: Path) -> None:
    bundle = bundle_with_modes(tmp_path, "AllNamespaces")
    code, _, err = run("--bundle", bundle, "--install-mode", "OwnNamespace")
    assert (code, err) == (
        2,
        "error: --install-mode OwnNamespace: the CSV supports only AllNamespaces\n",
    )


def test_multi_namespace_targets(tmp_path: Path) -> None:
    bundle = bundle_with_modes(tmp_path, "MultiNamespace", "OwnNamespace")
    args = ["--install-mode", "MultiNamespace", "--namespace", "quay-system"]
    code, docs, _ = run(
        "--bundle", bundle, *args, "--target-namespace", "a", "--target-namespace", "b"
    )
    assert code == 0
    assert docs[1]["spec"] == {"targetNamespaces": ["a", "b"]}
    assert docs[2]["metadata"]["namespace"] == "quay-system"


def test_catalog_head_metadata_decides(tmp_path: Path) -> None:
    # the repository's catalog: its head supports OwnNamespace, SingleNamespace, AllNamespaces
    code, docs, _ = run("--catalog", REPO / "catalog")
    assert code == 0
    assert docs[1]["spec"] == {"targetNamespaces": ["project-quay"]}
    code, _, err = run("--catalog", REPO / "catalog", "--install-mode", "MultiNamespace")
    assert code == 2
    assert "supports only OwnNamespace, AllNamespaces, SingleNamespace" in err


def test_catalog_of_bundle_objects(tmp_path: Path) -> None:
    bundle = bundle_with_modes(tmp_path, "AllNamespaces")
    catalog = tmp_path / "catalog"
    render = ["catalog", "render", str(bundle), "--image", "quay.io/example/b:1"]
    result = CliRunner().invoke(app, [*render, "--catalog", str(catalog), "--metadata", "objects"])
    assert result.exit_code == 0, result.output
    code, docs, err = run("--catalog", catalog)
    assert code == 0, err
    assert kinds(docs)[-1] == ("Subscription", "openshift-operators")


def test_catalog_without_the_channel(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            *BASE,
            "--package",
            "project-quay",
            "--channel",
            "beta",
            "--catalog",
            str(REPO / "catalog"),
        ],
    )
    assert result.exit_code == 2
    assert result.stderr == "error: the catalog has no channel 'beta' in package 'project-quay'\n"


@pytest.mark.parametrize(
    ("old", "new", "chosen"),
    [
        (
            "  installModes:\n    - type: OwnNamespace\n",
            "  installModes: 5\n  x:\n    - type: O\n",
            None,
        ),
        (
            "  installModes:\n    - type: OwnNamespace\n",
            "  installModes: true\n  x:\n    - t: O\n",
            None,
        ),
        ("    - type: OwnNamespace\n", "    - type: [OwnNamespace]\n", "SingleNamespace"),
        ("    - type: OwnNamespace\n", "    - type: {OwnNamespace: 1}\n", "SingleNamespace"),
    ],
)
def test_install_modes_of_the_wrong_type_mark_none(
    tmp_path: Path, old: str, new: str, chosen: str | None
) -> None:
    """installModes that is no list, or an entry whose type is no string (found by a
    hostile-value sweep: TypeError not iterable, unhashable list), supports nothing."""
    bundle = bundle_with_modes(tmp_path, "OwnNamespace", "SingleNamespace")
    csv = bundle / CSV
    text = csv.read_text()
    assert text.count(old) == 1
    csv.write_text(text.replace(old, new))
    code, docs, err = run("--bundle", bundle, "--target-namespace", "a")
    if chosen is None:
        assert (code, err) == (2, "error: the CSV supports no install mode (spec.installModes)\n")
    else:
        assert code == 0, err
        groups = [d for d in docs if d["kind"] == "OperatorGroup"]
        assert [g["spec"]["targetNamespaces"] for g in groups] == [["a"]]


def test_install_modes_of_a_bundle_without_a_csv_is_an_input_error(tmp_path: Path) -> None:
    bundle = bundle_with_modes(tmp_path, "OwnNamespace")
    csv = bundle / CSV
    csv.write_text(csv.read_text().replace("kind: ClusterServiceVersion", "kind: 5"))
    code, _, err = run("--bundle", bundle)
    assert (code, err) == (
        2,
        f"{bundle / 'manifests'}: error: no ClusterServiceVersion in manifests/\n",
    )
