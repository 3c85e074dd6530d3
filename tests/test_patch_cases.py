"""Each ``../shared/cases/patch-*`` case (and the patch bullet of
``csv-annotation-not-string``) checked as its EXPECTED.md states."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml
from typer.testing import CliRunner

from bundle_tools.cli import app

from .conftest import copy_writable, shared_path

ANNOTATION = "features.operators.openshift.io/token-auth-aws"
MOUNT_PATH = "/var/run/secrets/openshift/serviceaccount"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["patch-csv", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def case_csv(case: str, tmp_path: Path, sub: str = "csv") -> Path:
    directory = copy_writable(shared_path("cases", case, sub), tmp_path / sub)
    return next(directory.glob("*.yaml"))


def removed_lines(before: str, after: str) -> list[str]:
    """Lines of ``before`` that the edit removed or changed."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [d for d in diff if d.startswith("-") and not d.startswith("---")]


def load(text: str) -> dict:
    return yaml.safe_load(text)


def pod_spec(data: dict) -> dict:
    return data["spec"]["install"]["spec"]["deployments"][0]["spec"]["template"]["spec"]


def test_token_auth_basic(tmp_path: Path) -> None:
    csv = case_csv("patch-token-auth-basic", tmp_path)
    before = csv.read_text()
    assert run(csv)[0] == 0
    after = csv.read_text()
    assert after.splitlines()[7] == f'    {ANNOTATION}: "true"'
    data = load(after)
    assert data["metadata"]["annotations"][ANNOTATION] == "true"
    pod = pod_spec(data)
    tokens = [v for v in pod["volumes"] if v["name"] == "bound-sa-token"]
    assert tokens == [
        {
            "name": "bound-sa-token",
            "projected": {
                "sources": [
                    {
                        "serviceAccountToken": {
                            "audience": "openshift",
                            "expirationSeconds": 3600,
                            "path": "token",
                        }
                    }
                ]
            },
        }
    ]
    assert pod["containers"][0]["volumeMounts"] == [
        {"mountPath": MOUNT_PATH, "name": "bound-sa-token", "readOnly": True}
    ]
    (entry,) = data["spec"]["install"]["spec"]["clusterPermissions"]
    assert entry["serviceAccountName"] == "widget-controller"
    grants = {(r["apiGroups"][0], r["resources"][0]): r["verbs"] for r in entry["rules"]}
    assert grants[("config.openshift.io", "infrastructures")] == ["get", "list", "watch"]
    assert grants[("operator.openshift.io", "cloudcredentials")] == ["get", "list", "watch"]
    assert (
        load(before)["spec"]["install"]["spec"]["permissions"]
        == (data["spec"]["install"]["spec"]["permissions"])
    )
    assert removed_lines(before, after) == [f'-    {ANNOTATION}: "false"']


def test_token_auth_basic_reference_rendering(tmp_path: Path) -> None:
    csv = case_csv("patch-token-auth-basic", tmp_path)
    expected = shared_path("cases", "patch-token-auth-basic", "expected.clusterserviceversion.yaml")
    assert run(csv, "--no-credentials-requests")[0] == 0
    assert csv.read_bytes() == expected.read_bytes()


def test_existing_volumes_idempotent(tmp_path: Path) -> None:
    case = "patch-existing-volumes-idempotent"
    csv = case_csv(case, tmp_path)
    before = csv.read_text()
    assert run(csv, "--no-credentials-requests")[0] == 0
    first = csv.read_bytes()
    expected = shared_path("cases", case, "expected.clusterserviceversion.yaml").read_bytes()
    assert first == expected
    data = load(first.decode())
    pod = pod_spec(data)
    assert [v["name"] for v in pod["volumes"]] == ["webhook-cert", "bound-sa-token"]
    assert [m["name"] for m in pod["containers"][0]["volumeMounts"]] == [
        "webhook-cert",
        "bound-sa-token",
    ]
    (entry,) = data["spec"]["install"]["spec"]["clusterPermissions"]
    assert [r["resources"] for r in entry["rules"]] == [
        ["namespaces"],
        ["infrastructures"],
        ["cloudcredentials"],
    ]
    assert removed_lines(before, first.decode()) == [f'-    {ANNOTATION}: "false"']
    code, out, _ = run(csv, "--no-credentials-requests")
    assert (code, csv.read_bytes()) == (0, first)
    assert out.strip() == "unchanged: nothing to do"


def test_existing_volumes_idempotent_with_credentials_requests(tmp_path: Path) -> None:
    csv = case_csv("patch-existing-volumes-idempotent", tmp_path)
    assert run(csv)[0] == 0
    first = csv.read_bytes()
    assert run(csv)[0] == 0
    assert csv.read_bytes() == first
    (entry,) = load(first.decode())["spec"]["install"]["spec"]["clusterPermissions"]
    assert len(entry["rules"]) == 4
    assert first.decode().count("name: bound-sa-token") == 2


def test_no_line_folding(tmp_path: Path) -> None:
    csv = case_csv("patch-no-line-folding", tmp_path)
    before = csv.read_text()
    long_lines = [line for line in before.splitlines() if len(line) > 100]
    assert len(long_lines) == 5
    assert run(csv)[0] == 0
    after = csv.read_text()
    assert removed_lines(before, after) == [f'-    {ANNOTATION}: "false"']
    assert all(line in after.splitlines() for line in long_lines)
    assert [line for line in after.splitlines() if line.endswith(" ")] == []


def test_preserve_formatting(tmp_path: Path) -> None:
    csv = case_csv("patch-preserve-formatting", tmp_path)
    before = csv.read_text()
    assert run(csv)[0] == 0
    after = csv.read_text()
    lines = after.splitlines()
    assert lines[:2] == ["---", "# Generated by release tooling; edit the base CSV instead."]
    name = lines.index("  name: widget-operator.v1.2.0")
    assert lines[name - 2 : name] == ["", "  # name must match the bundle image tag"]
    assert lines[name - 3] == f'    {ANNOTATION}: "true"'
    assert lines.index("  annotations:") < name - 3
    assert '    features.operators.openshift.io/disconnected: "true"' in lines
    assert "    features.operators.openshift.io/fips-compliant: 'false'" in lines
    assert (
        "  description: |\n    Widget Operator manages Widgets.\n    This line ends with a space \n"
        in after
    )
    assert "  notes: |-\n    No trailing newline in this value.\n" in after
    assert removed_lines(before, after) == []
    assert list(load(after)) == list(load(before))


def test_unparseable_duplicate_key(tmp_path: Path) -> None:
    csv = case_csv("patch-unparseable-input", tmp_path, "csv-duplicate-key")
    before = csv.read_bytes()
    code, _, err = run(csv.parent)
    assert code == 2
    assert err.strip() == (
        f"{csv}:11:3: error: duplicate key 'annotations' in /metadata (first defined at line 4) "
        "lies on /metadata/annotations/features.operators.openshift.io~1token-auth-aws, which "
        "patch-csv reads or edits; the cluster keeps the last value: remove the other "
        "spelling first"
    )
    assert csv.read_bytes() == before


def test_unparseable_tab_indent(tmp_path: Path) -> None:
    csv = case_csv("patch-unparseable-input", tmp_path, "csv-tab-indent")
    before = csv.read_bytes()
    code, _, err = run(csv.parent)
    assert code == 2
    assert err.startswith(f"{csv}:20:1: error: invalid YAML: tab character")
    assert "Traceback" not in err
    assert csv.read_bytes() == before


def test_bare_boolean_annotation_becomes_quoted_string_in_place(tmp_path: Path) -> None:
    bundle = copy_writable(
        shared_path("cases", "csv-annotation-not-string", "bundle"), tmp_path / "b"
    )
    csv = bundle / "manifests" / "widget-operator.clusterserviceversion.yaml"
    before = csv.read_text().splitlines()
    line = before.index(f"    {ANNOTATION}: false")
    assert run(bundle)[0] == 0
    after = csv.read_text().splitlines()
    assert after[line] == f'    {ANNOTATION}: "true"'
    assert after[:line] == before[:line]
    assert load(csv.read_text())["metadata"]["annotations"][ANNOTATION] == "true"
