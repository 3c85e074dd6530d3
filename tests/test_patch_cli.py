"""``bundle-tools patch-csv`` as a user runs it: modes, reports, release fields and every
refusal (exit 2, ``PATH:LINE:COL: error: ...`` on stderr, file untouched)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bundle_tools.cli import app

BASIC = """\
apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata:
  annotations:
    features.operators.openshift.io/token-auth-aws: "false"
  name: demo-operator.v1.0.0
spec:
  install:
    spec:
      deployments:
      - name: demo-operator
        spec:
          template:
            spec:
              containers:
              - name: manager
                image: example.com/demo:1.0.0
              serviceAccountName: demo
    strategy: deployment
  version: 1.0.0
"""

TWO_DEPLOYMENTS = BASIC.replace(
    "    strategy: deployment",
    """\
      - name: demo-webhook
        spec:
          template:
            spec:
              containers:
              - name: webhook
                image: example.com/webhook:1.0.0
    strategy: deployment""",
).replace("- name: manager", "- name: operator")

TWO_CONTAINERS = BASIC.replace(
    "              - name: manager\n",
    "              - name: proxy\n"
    "                image: example.com/proxy:1\n"
    "              - name: op\n",
)

OTHER_VOLUME = BASIC.replace(
    "              serviceAccountName: demo\n",
    "              serviceAccountName: demo\n              volumes:\n"
    "              - name: bound-sa-token\n                emptyDir: {}\n",
)

OTHER_MOUNT = BASIC.replace(
    "                image: example.com/demo:1.0.0\n",
    "                image: example.com/demo:1.0.0\n                volumeMounts:\n"
    "                - name: creds\n"
    "                  mountPath: /var/run/secrets/openshift/serviceaccount\n",
)

POD_ALIAS = """\
apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata:
  name: demo-operator.v1.0.0
x-pod: &pod
  containers:
  - name: manager
    image: example.com/demo:1.0.0
spec:
  install:
    spec:
      deployments:
      - name: demo-operator
        spec:
          template:
            spec: *pod
"""

ALIASED = BASIC.replace("      deployments:\n", "      deployments: &deps\n").replace(
    "    strategy: deployment\n", "    strategy: deployment\n    extra: *deps\n"
)


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["patch-csv", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    path = tmp_path / "demo.clusterserviceversion.yaml"
    path.write_text(BASIC)
    return path


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.clusterserviceversion.yaml"
    path.write_text(text)
    return path


def test_check_reports_and_writes_nothing(csv: Path) -> None:
    code, out, _ = run(csv, "--check")
    assert code == 1
    assert csv.read_text() == BASIC
    assert out.splitlines()[-1] == "would make 4 change(s) in 1 file(s)"
    assert out.splitlines()[0] == (
        f"{csv}: /metadata/annotations/features.operators.openshift.io~1token-auth-aws: "
        '"false" -> "true"'
    )


def test_check_after_patch_exits_zero(csv: Path) -> None:
    assert run(csv)[0] == 0
    patched = csv.read_bytes()
    assert run(csv, "--check")[:2] == (0, "unchanged: nothing to do\n")
    assert csv.read_bytes() == patched


def test_diff_prints_unified_diff_and_writes_nothing(csv: Path) -> None:
    code, out, _ = run(csv, "--diff")
    assert code == 0
    assert csv.read_text() == BASIC
    lines = out.splitlines()
    assert lines[:2] == [f"--- a/{csv}", f"+++ b/{csv}"]
    assert '-    features.operators.openshift.io/token-auth-aws: "false"' in lines
    assert '+    features.operators.openshift.io/token-auth-aws: "true"' in lines
    assert "+                - mountPath: /var/run/secrets/openshift/serviceaccount" in lines


def test_json_output(csv: Path) -> None:
    code, out, _ = run(csv, "--output", "json", "--no-credentials-requests")
    assert code == 0
    report = json.loads(out)
    assert report["version"] == 1
    assert report["status"] == "changed"
    assert [c["pointer"] for c in report["changes"]] == [
        "/metadata/annotations/features.operators.openshift.io~1token-auth-aws",
        "/spec/install/spec/deployments/0/spec/template/spec/volumes/0",
        "/spec/install/spec/deployments/0/spec/template/spec/containers/0/volumeMounts/0",
        "/spec/install/spec/clusterPermissions/0",
    ]
    assert report["changes"][0] == {
        "file": str(csv),
        "pointer": "/metadata/annotations/features.operators.openshift.io~1token-auth-aws",
        "old": "false",
        "new": "true",
    }
    again = json.loads(run(csv, "-o", "json", "--no-credentials-requests")[1])
    assert again == {"version": 1, "status": "unchanged", "changes": []}


def test_all_clouds(csv: Path) -> None:
    assert run(csv, "--token-auth", "aws", "--token-auth", "azure", "--token-auth", "gcp")[0] == 0
    annotations = yaml.safe_load(csv.read_text())["metadata"]["annotations"]
    assert {k: v for k, v in annotations.items() if "token-auth" in k} == {
        "features.operators.openshift.io/token-auth-aws": "true",
        "features.operators.openshift.io/token-auth-azure": "true",
        "features.operators.openshift.io/token-auth-gcp": "true",
    }


def test_release_fields_only(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "manifests").mkdir(parents=True)
    (bundle / "metadata").mkdir()
    csv = bundle / "manifests" / "demo.clusterserviceversion.yaml"
    csv.write_text(BASIC)
    annotations = bundle / "metadata" / "annotations.yaml"
    annotations.write_text(
        "annotations:\n"
        "  operators.operatorframework.io.bundle.channel.default.v1: alpha\n"
        "  operators.operatorframework.io.bundle.channels.v1: alpha\n"
    )
    args = ["--no-token-auth", "--version", "1.1.0", "--replaces", "demo-operator.v1.0.0"]
    args += ["--skip-range", ">=1.0.x <1.1.0", "--operator-image", "example.com/demo:1.1.0"]
    args += ["--related-image", "db=example.com/db:2", "--created-at", "2026-01-01T00:00:00Z"]
    args += ["--channels", "stable,fast", "--default-channel", "stable"]
    assert run(bundle, *args)[0] == 0
    data = yaml.safe_load(csv.read_text())
    assert data["metadata"]["name"] == "demo-operator.v1.1.0"
    assert data["metadata"]["annotations"] == {
        "features.operators.openshift.io/token-auth-aws": "false",
        "containerImage": "example.com/demo:1.1.0",
        "createdAt": "2026-01-01T00:00:00Z",
        "olm.skipRange": ">=1.0.x <1.1.0",
    }
    assert data["spec"]["version"] == "1.1.0"
    assert data["spec"]["replaces"] == "demo-operator.v1.0.0"
    assert data["spec"]["relatedImages"] == [{"image": "example.com/db:2", "name": "db"}]
    container = data["spec"]["install"]["spec"]["deployments"][0]["spec"]["template"]["spec"][
        "containers"
    ][0]
    assert container["image"] == "example.com/demo:1.1.0"
    assert container["env"] == [{"name": "RELATED_IMAGE_DB", "value": "example.com/db:2"}]
    assert "volumeMounts" not in container
    assert annotations.read_text() == (
        "annotations:\n"
        "  operators.operatorframework.io.bundle.channel.default.v1: stable\n"
        '  operators.operatorframework.io.bundle.channels.v1: "stable,fast"\n'
    )
    assert run(bundle, *args)[:2] == (0, "unchanged: nothing to do\n")


def test_created_at_now_is_utc_timestamp(csv: Path) -> None:
    assert run(csv, "--no-token-auth", "--created-at", "now")[0] == 0
    value = yaml.safe_load(csv.read_text())["metadata"]["annotations"]["createdAt"]
    assert len(value) == 20 and value[4] == "-" and value.endswith("Z")


def test_force_replaces_conflicting_volume(tmp_path: Path) -> None:
    csv = write(tmp_path, OTHER_VOLUME)
    assert run(csv, "--force")[0] == 0
    volumes = yaml.safe_load(csv.read_text())["spec"]["install"]["spec"]["deployments"][0]["spec"][
        "template"
    ]["spec"]["volumes"]
    assert volumes == [
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


def test_choose_deployment_and_container(tmp_path: Path) -> None:
    csv = write(tmp_path, TWO_DEPLOYMENTS)
    assert run(csv, "--deployment", "demo-operator")[0] == 0
    deployments = yaml.safe_load(csv.read_text())["spec"]["install"]["spec"]["deployments"]
    assert "volumes" in deployments[0]["spec"]["template"]["spec"]
    assert "volumes" not in deployments[1]["spec"]["template"]["spec"]
    csv = write(tmp_path, TWO_CONTAINERS)
    assert run(csv, "--container", "op")[0] == 0
    containers = yaml.safe_load(csv.read_text())["spec"]["install"]["spec"]["deployments"][0][
        "spec"
    ]["template"]["spec"]["containers"]
    assert ["volumeMounts" in c for c in containers] == [False, True]


@pytest.mark.parametrize(
    ("text", "args", "where", "message"),
    [
        (
            TWO_DEPLOYMENTS,
            [],
            "10:7",
            "2 deployments and none chosen: demo-operator, demo-webhook; "
            "pick the operator's with --deployment NAME",
        ),
        (
            TWO_CONTAINERS,
            [],
            "15:15",
            "2 containers and none named 'manager': proxy, op; "
            "pick the operator's with --container NAME",
        ),
        (
            BASIC,
            ["--deployment", "nope"],
            "10:7",
            "no deployment named 'nope'; deployments: demo-operator",
        ),
        (BASIC, ["--container", "nope"], "15:15", "no container named 'nope'; containers: manager"),
        (
            OTHER_VOLUME,
            [],
            "20:17",
            "volume 'bound-sa-token' already exists with other content than the projected "
            "serviceAccountToken (audience openshift, path token) this patch adds; "
            "use --force to replace it",
        ),
        (
            OTHER_MOUNT,
            [],
            "19:19",
            "volumeMount 'creds' at '/var/run/secrets/openshift/serviceaccount' conflicts with "
            "the 'bound-sa-token' mount at /var/run/secrets/openshift/serviceaccount this "
            "patch adds; use --force to replace it",
        ),
        (
            BASIC.replace(
                "                image: example.com/demo:1.0.0\n",
                "                image: example.com/demo:1.0.0\n                env:\n"
                "                - name: RELATED_IMAGE_DB\n"
                "                  valueFrom: {configMapKeyRef: {name: images, key: db}}\n",
            ),
            ["--no-token-auth", "--related-image", "db=example.com/db:2"],
            "19:19",
            "RELATED_IMAGE_DB takes its value from valueFrom; set the image there instead",
        ),
        (
            BASIC.replace("demo-operator.v1.0.0", "demo-operator"),
            ["--no-token-auth", "--version", "1.0.1"],
            "6:3",
            "metadata.name 'demo-operator' has no .vX.Y.Z suffix to set the version in",
        ),
    ],
)
def test_refusals(tmp_path: Path, text: str, args: list[str], where: str, message: str) -> None:
    csv = write(tmp_path, text)
    code, out, err = run(csv, *args)
    assert code == 2
    assert err == f"{csv}:{where}: error: {message}\n"
    assert out == ""
    assert csv.read_text() == text


def test_anchored_node_is_edited_in_place_and_its_alias_follows(tmp_path: Path) -> None:
    csv = write(tmp_path, ALIASED)
    assert yaml.safe_load(ALIASED)["spec"]["install"]["extra"][0]["name"] == "demo-operator"
    assert run(csv)[0] == 0
    data = yaml.safe_load(csv.read_text())
    assert data["spec"]["install"]["extra"] == data["spec"]["install"]["spec"]["deployments"]


def test_edit_through_alias_is_refused(tmp_path: Path) -> None:
    csv = write(tmp_path, POD_ALIAS)
    code, _, err = run(csv)
    assert code == 2
    assert err == (
        f"{csv}:16:13: error: cannot edit spec/install/spec/deployments/0/spec/template/spec: "
        "it is a YAML alias (*pod); edit the anchored node instead\n"
    )
    assert csv.read_text() == POD_ALIAS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--version", "v1.2"], "error: --version 'v1.2' is not a strict semantic version"),
        (["--skip-range", "<=v1"], "error: --skip-range '<=v1': '<=v1': unknown comparison"),
        (["--token-auth", "aws", "--no-token-auth"], "error: --token-auth and --no-token-auth"),
        (["--check", "--diff"], "error: --check and --diff exclude each other"),
        (["--diff", "-o", "json"], "error: --diff and --output json exclude each other"),
        (["--created-at", "yesterday"], "error: --created-at 'yesterday': expected an RFC 3339"),
        (["--token-auth", "aws", "--version", "1.2"], "error: --version '1.2' is not a strict"),
        (["--related-image", "nothing"], "error: --related-image 'nothing': expected NAME="),
        (["--channels", "a,b", "--default-channel", "c"], "error: --default-channel 'c' is not"),
    ],
)
def test_bad_options_exit_2(csv: Path, args: list[str], message: str) -> None:
    code, _, err = run(csv, *args)
    assert code == 2
    assert err.startswith(message)
    assert csv.read_text() == BASIC


def test_json_error_report(csv: Path) -> None:
    code, out, _ = run(csv, "-o", "json", "--deployment", "nope")
    assert code == 2
    assert json.loads(out)["error"] == {
        "message": "no deployment named 'nope'; deployments: demo-operator",
        "file": str(csv),
        "line": 10,
        "column": 7,
    }


def test_missing_path(tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "absent.yaml")
    assert code == 2
    assert err == f"{tmp_path / 'absent.yaml'}: error: no such file or directory\n"


def test_file_mode_is_kept(csv: Path) -> None:
    csv.chmod(0o640)
    assert run(csv)[0] == 0
    assert csv.stat().st_mode & 0o777 == 0o640


def test_help_names_every_option() -> None:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["patch-csv", "--help"])
    assert result.exit_code == 0
    for option in [
        "--token-auth",
        "--no-token-auth",
        "--deployment",
        "--container",
        "--force",
        "--no-credentials-requests",
        "--version",
        "--replaces",
        "--skip-range",
        "--operator-image",
        "--related-image",
        "--created-at",
        "--channels",
        "--default-channel",
        "--check",
        "--diff",
        "--output",
    ]:
        assert option in result.stdout


def test_directory_without_csv_is_refused(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text("kind: ConfigMap\n")
    code, _, err = run(tmp_path)
    assert code == 2
    assert err == (
        f"{tmp_path}: error: not a bundle directory (no manifests/) and no "
        "ClusterServiceVersion file in it\n"
    )


def test_channels_need_annotations_yaml(csv: Path) -> None:
    code, _, err = run(csv, "--channels", "stable")
    assert code == 2
    annotations = csv.parent.parent / "metadata" / "annotations.yaml"
    assert err == (
        f"{annotations}: error: --channels/--default-channel need the bundle's "
        "metadata/annotations.yaml\n"
    )
    assert csv.read_text() == BASIC


def test_yaml_without_csv_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.clusterserviceversion.yaml"
    path.write_text("kind: ConfigMap\n")
    code, _, err = run(path)
    assert (code, err) == (2, f"{path}: error: no ClusterServiceVersion document\n")
