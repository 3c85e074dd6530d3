"""``bundle-tools patch-csv`` as a user runs it: modes, reports, release fields and every
refusal (exit 2, ``PATH:LINE:COL: error: ...`` on stderr, file untouched)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
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

TWO_MOUNTS = BASIC.replace(
    "                image: example.com/demo:1.0.0\n",
    "                image: example.com/demo:1.0.0\n                volumeMounts:\n"
    "                - name: bound-sa-token\n"
    "                  mountPath: /token\n"
    "                - name: cache\n"
    "                  mountPath: /cache\n"
    "                - name: creds\n"
    "                  mountPath: /var/run/secrets/openshift/serviceaccount\n",
)

FLOW_VOLUME = BASIC.replace(
    "              serviceAccountName: demo\n",
    "              serviceAccountName: demo\n"
    "              volumes: [{name: cache, emptyDir: {}}, {name: bound-sa-token, emptyDir: {}}]\n",
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
    before = datetime.now(UTC).replace(microsecond=0)
    assert (
        run(csv, "--no-token-auth", "--replaces", "demo-operator.v0.9.0", "--created-at", "now")[0]
        == 0
    )
    value = yaml.safe_load(csv.read_text())["metadata"]["annotations"]["createdAt"]
    stamp = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= stamp <= datetime.now(UTC)


def test_created_at_now_changes_only_with_other_changes(csv: Path) -> None:
    args = ["--annotation", "quay-version=v3.7.0", "--created-at", "now"]
    assert run(csv, *args)[0] == 0
    patched = csv.read_bytes()
    assert b"createdAt:" in patched
    # a rerun with the same inputs, later: nothing else changes, so neither does createdAt
    assert run(csv, *args, "--check") == (0, "unchanged: nothing to do\n", "")
    assert run(csv, *args)[0] == 0
    assert csv.read_bytes() == patched
    # nothing else to change at all: createdAt is not added either
    assert run(csv, "--no-token-auth", "--created-at", "now")[:2] == (
        0,
        "unchanged: nothing to do\n",
    )
    # an explicit timestamp is set on its own
    code, out, _ = run(csv, "--no-token-auth", "--created-at", "2020-01-01T00:00:00Z")
    assert code == 0 and "/metadata/annotations/createdAt" in out


def test_created_at_now_follows_a_channel_change(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "manifests").mkdir(parents=True)
    (bundle / "metadata").mkdir()
    csv = bundle / "manifests" / "demo.clusterserviceversion.yaml"
    csv.write_text(BASIC)
    (bundle / "metadata" / "annotations.yaml").write_text(
        "annotations:\n  operators.operatorframework.io.bundle.channels.v1: alpha\n"
    )
    code, out, _ = run(bundle, "--no-token-auth", "--channels", "stable", "--created-at", "now")
    assert code == 0
    assert "/metadata/annotations/createdAt" in out
    assert "createdAt" in yaml.safe_load(csv.read_text())["metadata"]["annotations"]


def test_annotation_sets_csv_annotations(csv: Path) -> None:
    code, out, _ = run(
        csv,
        "--no-token-auth",
        "--annotation",
        "quay-version=v3.7.0",
        "--annotation",
        "example.com/note=a=b",
    )
    assert code == 0
    assert out.splitlines()[:2] == [
        f'{csv}: /metadata/annotations/quay-version: null -> "v3.7.0"',
        f'{csv}: /metadata/annotations/example.com~1note: null -> "a=b"',
    ]
    assert yaml.safe_load(csv.read_text())["metadata"]["annotations"] == {
        "features.operators.openshift.io/token-auth-aws": "false",
        "quay-version": "v3.7.0",
        "example.com/note": "a=b",
    }
    assert run(csv, "--no-token-auth", "--annotation", "quay-version=v3.7.0")[:2] == (
        0,
        "unchanged: nothing to do\n",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("novalue", "error: --annotation 'novalue': expected KEY=VALUE\n"),
        (
            "Bad Key=x",
            "error: --annotation Bad Key=x: name 'Bad Key' must be 1-63 letters, digits, "
            "'-', '_' or '.', starting and ending with a letter or digit\n",
        ),
        (
            "Example.com/k=x",
            "error: --annotation Example.com/k=x: prefix 'Example.com' is not a DNS-1123 "
            "subdomain (lowercase letters, digits, '-' and '.', each dot-separated part starting "
            "and ending with a letter or digit, at most 253 characters)\n",
        ),
        (
            "createdAt=x",
            "error: --annotation createdAt=...: use --created-at, which checks the value\n",
        ),
        (
            "olm.skipRange=x",
            "error: --annotation olm.skipRange=...: use --skip-range, which checks the value\n",
        ),
    ],
)
def test_annotation_refuses_bad_keys(csv: Path, value: str, message: str) -> None:
    before = csv.read_bytes()
    assert run(csv, "--annotation", value) == (2, "", message)
    assert csv.read_bytes() == before


def test_annotation_given_twice_is_refused(csv: Path) -> None:
    code, _, err = run(csv, "--annotation", "a=1", "--annotation", "a=2")
    assert (code, err) == (2, "error: --annotation a is given twice; give it once\n")


def test_no_related_images_entry(csv: Path) -> None:
    args = ["--no-token-auth", "--related-image", "db=example.com/db:2"]
    assert run(csv, *args, "--no-related-images-entry")[0] == 0
    data = yaml.safe_load(csv.read_text())
    assert "relatedImages" not in data["spec"]
    assert run(csv, *args)[0] == 0
    data = yaml.safe_load(csv.read_text())
    assert data["spec"]["relatedImages"] == [{"image": "example.com/db:2", "name": "db"}]
    # an existing entry still follows the new image
    assert (
        run(
            csv,
            "--no-token-auth",
            "--related-image",
            "db=example.com/db:3",
            "--no-related-images-entry",
        )[0]
        == 0
    )
    data = yaml.safe_load(csv.read_text())
    assert data["spec"]["relatedImages"] == [{"image": "example.com/db:3", "name": "db"}]


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


def test_force_leaves_one_token_mount_when_several_conflict(tmp_path: Path) -> None:
    csv = write(tmp_path, TWO_MOUNTS)
    code, out, _ = run(csv, "--force", "-o", "json")
    assert code == 0
    mounts_pointer = "/spec/install/spec/deployments/0/spec/template/spec/containers/0/volumeMounts"
    assert [c for c in json.loads(out)["changes"] if "volumeMounts" in c["pointer"]] == [
        {
            "file": str(csv),
            "pointer": mounts_pointer + "/0",
            "old": {"name": "bound-sa-token", "mountPath": "/token"},
            "new": {
                "mountPath": "/var/run/secrets/openshift/serviceaccount",
                "name": "bound-sa-token",
                "readOnly": True,
            },
        },
        {
            "file": str(csv),
            "pointer": mounts_pointer + "/2",
            "old": {"name": "creds", "mountPath": "/var/run/secrets/openshift/serviceaccount"},
            "new": None,
        },
    ]
    assert (
        "                volumeMounts:\n"
        "                - mountPath: /var/run/secrets/openshift/serviceaccount\n"
        "                  name: bound-sa-token\n"
        "                  readOnly: true\n"
        "                - name: cache\n"
        "                  mountPath: /cache\n"
        "              serviceAccountName: demo\n"
    ) in csv.read_text()
    assert run(csv, "--check")[0] == 0


def test_force_replaces_conflicting_volume_in_flow_sequence(tmp_path: Path) -> None:
    csv = write(tmp_path, FLOW_VOLUME)
    assert run(csv, "--force")[0] == 0
    assert (
        "              volumes: [{name: cache, emptyDir: {}}, {name: bound-sa-token, projected: "
        "{sources: [{serviceAccountToken: {audience: openshift, expirationSeconds: 3600, "
        "path: token}}]}}]\n"
    ) in csv.read_text()
    assert run(csv, "--check")[0] == 0


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
            BASIC,
            ["--no-token-auth", "--version", "1.0.1", "--container", "nope"],
            "15:15",
            "no container named 'nope'; containers: manager",
        ),
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
                '    features.operators.openshift.io/token-auth-aws: "false"\n', "  - note\n"
            ),
            [],
            "4:3",
            "metadata/annotations: expected a mapping, found a sequence",
        ),
        (
            BASIC.replace('token-auth-aws: "false"', "token-auth-aws: {v: x}"),
            [],
            "5:5",
            "metadata/annotations/features.operators.openshift.io/token-auth-aws: "
            "expected a scalar, found a mapping",
        ),
        (
            BASIC.replace(
                "      deployments:\n", "      clusterPermissions: {}\n      deployments:\n"
            ),
            [],
            "10:7",
            "spec/install/spec/clusterPermissions: expected a sequence, found a mapping",
        ),
        (
            BASIC.replace("image: example.com/demo:1.0.0\n", "env: none\n"),
            ["--no-token-auth", "--related-image", "db=example.com/db:2"],
            "17:17",
            "spec/install/spec/deployments/0/spec/template/spec/containers/0/env: "
            "expected a sequence, found a scalar",
        ),
        (
            TWO_MOUNTS,
            [],
            "19:19",
            "volumeMounts 'bound-sa-token' at '/token', 'creds' at "
            "'/var/run/secrets/openshift/serviceaccount' conflict with the 'bound-sa-token' "
            "mount at /var/run/secrets/openshift/serviceaccount this patch adds; use --force "
            "to replace it",
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
            "metadata.name 'demo-operator' has no .vX.Y.Z (or .X.Y.Z) suffix to set the version in",
        ),
        (
            # the suffix is split as CSV004/CSV018 split it: a strict semantic version
            BASIC.replace("demo-operator.v1.0.0", "demo-operator.v1.02.0"),
            ["--no-token-auth", "--version", "1.0.1"],
            "6:3",
            "metadata.name 'demo-operator.v1.02.0' has no .vX.Y.Z (or .X.Y.Z) suffix to set "
            "the version in",
        ),
        (
            BASIC,
            ["--no-token-auth", "--version", "1.0.1+build.5"],
            "6:3",
            "--version 1.0.1+build.5: metadata.name would be 'demo-operator.v1.0.1+build.5', "
            "which is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', each "
            "dot-separated part starting and ending with a letter or digit, at most 253 "
            "characters)",
        ),
        (
            BASIC,
            ["--no-token-auth", "--version", "1.0.1-RC1"],
            "6:3",
            "--version 1.0.1-RC1: metadata.name would be 'demo-operator.v1.0.1-RC1', "
            "which is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', each "
            "dot-separated part starting and ending with a letter or digit, at most 253 "
            "characters)",
        ),
        (
            BASIC.replace("  annotations:\n", "  annotations: &notes\n    loop: *notes\n"),
            [],
            "4:16",
            "recursive YAML alias: the node anchored &notes contains *notes",
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
        (["--skip-range", "<=v1"], "error: --skip-range '<=v1': unknown comparison operator"),
        (
            ["--skip-range", ">=1.0.0 <2.0.0||>=3.0.0"],
            "error: --skip-range '>=1.0.0 <2.0.0||>=3.0.0': '<2.0.0||>=3.0.0': separate "
            "comparators and '||' with spaces, as in '<2.0.0 || >=3.0.0'\n",
        ),
        (["--token-auth", "aws", "--no-token-auth"], "error: --token-auth and --no-token-auth"),
        (["--replaces", "demo.v1 #x"], "error: --replaces 'demo.v1 #x' is not a DNS-1123"),
        # CSV004's check, before anything is written (issue 8: --replaces 3.15.2 was written)
        (["--replaces", "3.15.2"], "error: --replaces '3.15.2' does not end with a strict"),
        (["--replaces", "op.v" + "1" * 60 + ".0.0"], "error: --replaces 'op.v111"),
        (["--replaces", "demo-operator.v1.0.0"], "error: --replaces 'demo-operator.v1.0.0' names"),
        (["--replaces", "demo\nkind: Evil"], "error: --replaces 'demo\\nkind: Evil' is not"),
        (["--operator-image", "a/b:1\nc: d"], "error: --operator-image 'a/b:1\\nc: d' is not an"),
        (["--operator-image", "Quay.io/A/B"], "error: --operator-image 'Quay.io/A/B' is not an"),
        (["--related-image", "db=x y"], "error: --related-image db='x y' is not an image"),
        (
            ["--related-image", "RELATED_IMAGE_DB=a/b:1"],
            "error: --related-image RELATED_IMAGE_DB=a/b:1: give NAME without the RELATED_IMAGE_ "
            "prefix (--related-image DB=...)",
        ),
        (
            ["--related-image", "quay-db=a/b:1", "--related-image", "QUAY_DB=a/b:2"],
            "error: --related-image quay-db and QUAY_DB both set RELATED_IMAGE_QUAY_DB",
        ),
        (["--created-at", "2024-13-45T99:00:00Z"], "error: --created-at '2024-13-45T99:00:00Z'"),
        (["--channels", "stable,,fast"], "error: invalid --channels '': channel name is empty"),
        (["--channels", "a\tb"], "error: invalid --channels 'a\\tb': channel name holds control"),
        (["--default-channel", " "], "error: invalid --default-channel ' ': channel name is empty"),
        (
            ["--default-channel", "a,b"],
            "error: invalid --default-channel 'a,b': channel name holds a comma, which "
            "separates the channels annotation: opm reads two channels",
        ),
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


@pytest.mark.parametrize(
    "args",
    [
        ["--operator-image", "quay.io/org/op:v1.2.3"],
        ["--operator-image", "localhost:5000/op"],
        ["--operator-image", "quay.io/org/op@sha256:" + "ab" * 32],
        ["--operator-image", "quay.io/org/op:v1@sha256:" + "ab" * 32],
        ["--related-image", "quay-db=registry.redhat.io/rhel8/postgresql-13:1-56"],
        ["--version", "1.2.3-rc.1"],
        ["--created-at", "2024-02-29T23:59:59+02:00"],
    ],
)
def test_valid_release_values_are_accepted(csv: Path, args: list[str]) -> None:
    assert run(csv, "--no-token-auth", *args)[0] == 0


def test_check_with_diff_prints_diff_and_exits_1(csv: Path) -> None:
    code, out, _ = run(csv, "--check", "--diff")
    assert code == 1
    assert csv.read_text() == BASIC
    assert '+    features.operators.openshift.io/token-auth-aws: "true"' in out.splitlines()
    assert run(csv)[0] == 0
    assert run(csv, "--check", "--diff")[:2] == (0, "")


def test_symlinked_csv_updates_target_and_keeps_link(tmp_path: Path) -> None:
    target = write(tmp_path, BASIC)
    link = tmp_path / "link.yaml"
    link.symlink_to(target.name)
    assert run(link)[0] == 0
    assert link.is_symlink()
    assert link.readlink() == Path(target.name)
    assert yaml.safe_load(target.read_text())["metadata"]["annotations"] == {
        "features.operators.openshift.io/token-auth-aws": "true"
    }
    assert run(link, "--check")[0] == 0


def test_unreadable_file_is_an_input_error(csv: Path) -> None:
    csv.chmod(0)
    try:
        if os.access(csv, os.R_OK):
            pytest.skip("running with permission overrides (root)")
        code, _, err = run(csv)
    finally:
        csv.chmod(0o644)
    assert (code, err) == (2, f"{csv}: error: cannot read file: Permission denied\n")


def test_related_image_name_maps_to_env_var_and_keeps_entry_name(csv: Path) -> None:
    assert run(csv, "--no-token-auth", "--related-image", "quay-db.v2=example.com/db:2")[0] == 0
    data = yaml.safe_load(csv.read_text())
    container = data["spec"]["install"]["spec"]["deployments"][0]["spec"]["template"]["spec"][
        "containers"
    ][0]
    assert container["env"] == [{"name": "RELATED_IMAGE_QUAY_DB_V2", "value": "example.com/db:2"}]
    assert data["spec"]["relatedImages"] == [{"image": "example.com/db:2", "name": "quay-db.v2"}]


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


def _bundle(tmp_path: Path, annotations: str) -> Path:
    bundle = tmp_path / "bundle"
    (bundle / "manifests").mkdir(parents=True)
    (bundle / "metadata").mkdir()
    (bundle / "manifests" / "demo.clusterserviceversion.yaml").write_text(BASIC)
    (bundle / "metadata" / "annotations.yaml").write_text(annotations)
    return bundle


CHANNEL_ANNOTATIONS = (
    "annotations:\n"
    "  operators.operatorframework.io.bundle.channel.default.v1: alpha\n"
    "  operators.operatorframework.io.bundle.channels.v1: alpha\n"
)


def test_channels_drop_spaces_around_names(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS)
    assert run(bundle, "--no-token-auth", "--channels", " alpha , fast")[0] == 0
    assert (bundle / "metadata" / "annotations.yaml").read_text() == (
        CHANNEL_ANNOTATIONS.replace("channels.v1: alpha", 'channels.v1: "alpha,fast"')
    )


def test_channel_names_with_inner_spaces_are_written_as_opm_reads_them(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS)
    args = ("--no-token-auth", "--channels", "fast track,alpha")
    assert run(bundle, *args)[0] == 0
    assert (bundle / "metadata" / "annotations.yaml").read_text() == (
        CHANNEL_ANNOTATIONS.replace("channels.v1: alpha", 'channels.v1: "fast track,alpha"')
    )


def test_default_channel_is_checked_against_the_annotation_as_opm_splits_it(
    tmp_path: Path,
) -> None:
    """opm does not trim ``"alpha, stable"``: its channels are ``alpha`` and ``" stable"``,
    so ``stable`` is not one of them."""
    text = CHANNEL_ANNOTATIONS.replace("channels.v1: alpha", 'channels.v1: "alpha, stable"')
    bundle = _bundle(tmp_path, text)
    code, _, err = run(bundle, "--no-token-auth", "--default-channel", "stable")
    assert (code, err) == (
        2,
        "error: --default-channel 'stable' is not one of the bundle's channels (alpha, stable)\n",
    )
    assert (bundle / "metadata" / "annotations.yaml").read_text() == text


def test_channels_that_drop_the_default_channel_are_refused(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS)
    code, _, err = run(bundle, "--no-token-auth", "--channels", "stable")
    assert code == 2
    assert err == (
        "error: the default channel 'alpha' is not one of the bundle's channels (stable); "
        "set one with --default-channel\n"
    )
    assert (bundle / "metadata" / "annotations.yaml").read_text() == CHANNEL_ANNOTATIONS
    args = ("--no-token-auth", "--channels", "stable", "--default-channel", "stable")
    assert run(bundle, *args)[0] == 0


def test_file_with_two_csv_documents_is_refused(tmp_path: Path) -> None:
    text = "kind: ConfigMap\n---\n" + BASIC + "---\n" + BASIC
    path = write(tmp_path, text)
    code, _, err = run(path)
    assert code == 2
    assert err == (
        f"{path}:24:1: error: 2 ClusterServiceVersion documents in one file (documents 2, 3); "
        "which one to patch is ambiguous\n"
    )
    assert path.read_text() == text


def test_csv_after_a_leading_document_is_patched_alone(tmp_path: Path) -> None:
    head = "# config\nkind: ConfigMap\nmetadata: {name: x}\n---\n"
    path = write(tmp_path, head + BASIC + "---\nkind: Secret\n")
    assert run(path)[0] == 0
    text = path.read_text()
    assert text.startswith(head) and text.endswith("\n---\nkind: Secret\n")
    docs = list(yaml.safe_load_all(text))
    assert docs[1]["metadata"]["annotations"] == {
        "features.operators.openshift.io/token-auth-aws": "true"
    }
    assert run(path, "--check")[0] == 0


@pytest.mark.parametrize(
    ("pod_lines", "account"),
    [
        ("              serviceAccount: legacy\n", "legacy"),
        ("              serviceAccountName: demo\n              serviceAccount: legacy\n", "demo"),
        ("", "default"),
    ],
)
def test_cluster_permissions_go_to_the_pod_service_account(
    tmp_path: Path, pod_lines: str, account: str
) -> None:
    csv = write(tmp_path, BASIC.replace("              serviceAccountName: demo\n", pod_lines))
    assert run(csv)[0] == 0
    install = yaml.safe_load(csv.read_text())["spec"]["install"]["spec"]
    assert [e["serviceAccountName"] for e in install["clusterPermissions"]] == [account]


@pytest.mark.parametrize("second", ["old.clusterserviceversion.yaml", "copy.csv.yaml"])
def test_bundle_with_two_csv_files_is_refused(tmp_path: Path, second: str) -> None:
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS)
    (bundle / "manifests" / second).write_text(BASIC)
    code, _, err = run(bundle)
    assert code == 2
    names = sorted(["demo.clusterserviceversion.yaml", second])
    assert err == (
        f"{bundle / 'manifests'}: error: 2 CSV files in manifests/ "
        f"({names[0]}, {names[1]}); a bundle holds "
        "one: remove the others or pass the CSV file as PATH\n"
    )
    assert (bundle / "manifests" / "demo.clusterserviceversion.yaml").read_text() == BASIC


@pytest.mark.parametrize(
    ("name", "new_name"),
    [
        ("demo-operator.v1.0.0", "demo-operator.v2.0.0-rc.1"),
        ("prometheusoperator.0.22.2", "prometheusoperator.2.0.0-rc.1"),
        ("crossplane.1.5.1-up.1", "crossplane.2.0.0-rc.1"),
        ("demo.v2.v1.0.0", "demo.v2.v2.0.0-rc.1"),
    ],
)
def test_version_keeps_the_name_suffix_form(tmp_path: Path, name: str, new_name: str) -> None:
    csv = write(tmp_path, BASIC.replace("demo-operator.v1.0.0", name))
    assert run(csv, "--no-token-auth", "--version", "2.0.0-rc.1")[0] == 0
    assert yaml.safe_load(csv.read_text())["metadata"]["name"] == new_name


def test_special_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "csv.yaml"
    os.mkfifo(fifo)
    assert run(fifo)[::2] == (2, f"{fifo}: error: not a regular file or a directory\n")


def test_diff_of_file_without_final_newline_applies_with_patch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, BASIC.rstrip("\n"))
    monkeypatch.chdir(tmp_path)
    args = ("--no-token-auth", "--version", "1.0.1")
    code, out, _ = run("demo.clusterserviceversion.yaml", "--diff", *args)
    assert code == 0
    assert out.splitlines()[-4:] == [
        "-  version: 1.0.0",
        "\\ No newline at end of file",
        "+  version: 1.0.1",
        "\\ No newline at end of file",
    ]
    if shutil.which("patch") is None:
        pytest.skip("no patch(1) to apply the diff")
    applied = subprocess.run(["patch", "-p1"], input=out, text=True, capture_output=True)
    assert applied.returncode == 0, applied.stderr
    assert run("demo.clusterserviceversion.yaml", *args)[1] == "unchanged: nothing to do\n"


RELATED = BASIC.replace(
    "                image: example.com/demo:1.0.0\n",
    "                image: example.com/demo:1.0.0\n"
    "                env:\n"
    "                - name: RELATED_IMAGE_DB\n"
    "                  value: example.com/postgres:13\n",
).replace(
    "  version: 1.0.0\n",
    "  version: 1.0.0\n"
    "  relatedImages:\n"
    "  - name: manager\n"
    "    image: example.com/demo:1.0.0\n"
    "  - name: postgres\n"
    "    image: example.com/postgres:13\n",
)


def test_related_images_follow_the_images_they_listed(tmp_path: Path) -> None:
    csv = write(tmp_path, RELATED)
    args = ["--no-token-auth", "--operator-image", "example.com/demo:2.0.0"]
    args += ["--related-image", "db=example.com/postgres:15"]
    assert run(csv, *args)[0] == 0
    data = yaml.safe_load(csv.read_text())
    assert data["spec"]["relatedImages"] == [
        {"name": "manager", "image": "example.com/demo:2.0.0"},
        {"name": "postgres", "image": "example.com/postgres:15"},
    ]
    assert data["metadata"]["annotations"]["containerImage"] == "example.com/demo:2.0.0"
    assert run(csv, *args)[1] == "unchanged: nothing to do\n"


def test_options_that_set_one_value_twice_are_refused(tmp_path: Path) -> None:
    csv = write(tmp_path, RELATED)
    args = ["--no-token-auth", "--operator-image", "example.com/demo:2.0.0"]
    code, _, err = run(csv, *args, "--related-image", "manager=example.com/demo:3.0.0")
    assert code == 2
    assert err == (
        "error: /spec/relatedImages/0/image would be set to both 'example.com/demo:2.0.0' "
        "and 'example.com/demo:3.0.0'; the options contradict each other\n"
    )
    assert csv.read_text() == RELATED


def test_anchored_annotation_keeps_its_anchor(tmp_path: Path) -> None:
    text = BASIC.replace('token-auth-aws: "false"', 'token-auth-aws: &aws "false"').replace(
        "  version: 1.0.0\n", "  version: 1.0.0\n  x-aws: *aws\n"
    )
    csv = write(tmp_path, text)
    assert run(csv)[0] == 0
    assert '    features.operators.openshift.io/token-auth-aws: &aws "true"\n' in csv.read_text()
    assert yaml.safe_load(csv.read_text())["spec"]["x-aws"] == "true"
    assert run(csv, "--check")[0] == 0


def test_force_refuses_to_drop_an_aliased_mount(tmp_path: Path) -> None:
    text = OTHER_MOUNT.replace(
        "                - name: creds\n",
        "                - &creds\n                  name: creds\n",
    ).replace("  version: 1.0.0\n", "  version: 1.0.0\n  x-mount: *creds\n")
    csv = write(tmp_path, text)
    code, _, err = run(csv, "--force")
    assert code == 2
    assert err == (
        f"{csv}:19:19: error: cannot replace or remove spec/install/spec/deployments/0/spec/"
        "template/spec/containers/0/volumeMounts/0: it holds anchor &creds, which an alias "
        "refers to\n"
    )
    assert csv.read_text() == text


def test_channels_of_a_csv_given_relative_to_manifests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS)
    monkeypatch.chdir(bundle / "manifests")
    code, out, _ = run(
        "demo.clusterserviceversion.yaml", "--no-token-auth", "--channels", "alpha,b"
    )
    assert code == 0
    assert out.splitlines()[0] == (
        "../metadata/annotations.yaml: /annotations/operators.operatorframework.io.bundle."
        'channels.v1: "alpha" -> "alpha,b"'
    )


def test_channels_of_a_manifests_directory(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS)
    code, out, _ = run(bundle / "manifests", "--no-token-auth", "--channels", "alpha,b")
    assert code == 0
    assert out.splitlines()[0].startswith(f"{bundle / 'metadata' / 'annotations.yaml'}: ")
