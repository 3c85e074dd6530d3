"""``catalog install-manifests`` and ``catalog dockerfile``: exact documents, validation
of every user-supplied value, no line injection."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bundle_tools.cli import app

runner = CliRunner()
ARN = "arn:aws:iam::123456789012:role/quay"
BASE = ["catalog", "install-manifests", "--catalog-image", "quay.io/example/catalog:v1"]


def install(*args: str) -> tuple[int, list[dict], str]:
    result = runner.invoke(app, [*BASE, "--package", "quay-operator", "--channel", "stable", *args])
    docs = list(yaml.safe_load_all(result.stdout)) if result.exit_code == 0 else []
    return result.exit_code, docs, result.stderr


def test_aws_role_arn_documents() -> None:
    code, docs, _ = install("--role-arn", ARN)
    assert code == 0
    assert [(d["apiVersion"], d["kind"]) for d in docs] == [
        ("operators.coreos.com/v1alpha1", "CatalogSource"),
        ("operators.coreos.com/v1", "OperatorGroup"),
        ("operators.coreos.com/v1alpha1", "Subscription"),
    ]
    source, group, subscription = docs
    assert source["metadata"] == {
        "name": "quay-operator-catalog",
        "namespace": "openshift-marketplace",
    }
    assert (source["spec"]["sourceType"], source["spec"]["image"]) == (
        "grpc",
        "quay.io/example/catalog:v1",
    )
    assert group["metadata"]["namespace"] == "quay-operator"
    assert group["spec"] == {"targetNamespaces": ["quay-operator"]}
    assert subscription["spec"]["config"]["env"] == [{"name": "ROLEARN", "value": ARN}]
    assert {
        k: subscription["spec"][k] for k in ("channel", "name", "source", "sourceNamespace")
    } == {
        "channel": "stable",
        "name": "quay-operator",
        "source": "quay-operator-catalog",
        "sourceNamespace": "openshift-marketplace",
    }


def test_namespace_option_and_no_identity() -> None:
    code, docs, _ = install("--namespace", "quay-test")
    assert code == 0
    assert [d["metadata"]["namespace"] for d in docs] == [
        "openshift-marketplace",
        "quay-test",
        "quay-test",
    ]
    assert "config" not in docs[2]["spec"]


def test_azure_env() -> None:
    ids = ["11111111-2222-3333-4444-555555555555", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"]
    code, docs, _ = install(
        "--azure-client-id", ids[0], "--azure-tenant-id", ids[1],
        "--azure-subscription-id", ids[0], "--azure-resource-group", "rg-quay",
    )  # fmt: skip
    assert code == 0
    assert docs[2]["spec"]["config"]["env"] == [
        {"name": "CLIENTID", "value": ids[0]},
        {"name": "TENANTID", "value": ids[1]},
        {"name": "SUBSCRIPTIONID", "value": ids[0]},
        {"name": "RESOURCEGROUP", "value": "rg-quay"},
    ]


def test_gcp_env() -> None:
    email = "quay@my-project.iam.gserviceaccount.com"
    code, docs, _ = install(
        "--gcp-project-number", "123456789012", "--gcp-pool-id", "quay-pool",
        "--gcp-provider-id", "quay-provider", "--gcp-service-account-email", email,
    )  # fmt: skip
    assert code == 0
    assert docs[2]["spec"]["config"]["env"] == [
        {"name": "PROJECT_NUMBER", "value": "123456789012"},
        {"name": "POOL_ID", "value": "quay-pool"},
        {"name": "PROVIDER_ID", "value": "quay-provider"},
        {"name": "SERVICE_ACCOUNT_EMAIL", "value": email},
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role-arn", "arn:aws:iam::12345:role/quay"], "invalid --role-arn"),
        (["--role-arn", "arn:aws:iam::123456789012:user/quay"], "invalid --role-arn"),
        (["--role-arn", ARN + "\nkind: Secret"], "invalid --role-arn"),
        (["--role-arn", "arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/quay"], "invalid --role-arn"),
        (["--role-arn", ARN + " x"], "invalid --role-arn"),
        (["--azure-client-id", "not-a-guid"], "Azure needs"),
        (
            ["--azure-client-id", "x", "--azure-tenant-id", "y", "--azure-subscription-id", "z"],
            "invalid --azure-client-id",
        ),
        (["--gcp-project-number", "12a"], "GCP needs"),
        (["--role-arn", ARN, "--gcp-pool-id", "pool"], "options for AWS and GCP given"),
        (["--namespace", "Bad_NS"], "invalid --namespace"),
    ],
    ids=["short-account", "not-role", "newline", "arabic-digits", "space", "azure-partial",
         "azure-guid", "gcp-partial", "two-clouds", "namespace"],
)  # fmt: skip
def test_invalid_values_exit_2(args: list[str], message: str) -> None:
    code, _, stderr = install(*args)
    assert code == 2
    assert message in stderr


def test_invalid_catalog_image_and_channel() -> None:
    result = runner.invoke(
        app,
        ["catalog", "install-manifests", "--catalog-image", "quay.io/x/y:bad tag",
         "--package", "p", "--channel", "stable"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "invalid --catalog-image" in result.stderr
    code, _, stderr = install("--channel", "stable\n- evil")
    assert code == 2 and "invalid --channel 'stable\\n- evil': channel name holds control" in stderr
    code, _, stderr = install("--channel", " stable")
    assert code == 2 and "invalid --channel ' stable': channel name has surrounding" in stderr


def test_channel_is_any_name_opm_publishes() -> None:
    """A Subscription's spec.channel must equal a catalog channel name, and opm takes
    names from the bundle annotation as written: ``fast-1.2+x`` and ``Fast Track`` too."""
    for channel in ("fast-1.2+x", "Fast Track"):
        code, docs, _ = install("--channel", channel)
        assert code == 0
        subscription = next(d for d in docs if d["kind"] == "Subscription")
        assert subscription["spec"]["channel"] == channel


EXPECTED_DOCKERFILE = """\
# The builder image is expected to contain
# /bin/opm (with serve subcommand)
FROM quay.io/operator-framework/opm:latest as builder

# Copy FBC root into image at /configs and pre-populate serve cache
ADD catalog /configs
RUN ["/bin/opm", "serve", "/configs", "--cache-dir=/tmp/cache", "--cache-only"]

FROM registry.example.com/base:1
# The base image is expected to contain
# /bin/opm (with serve subcommand) and /bin/grpc_health_probe

# Configure the entrypoint and command
ENTRYPOINT ["/bin/opm"]
CMD ["serve", "/configs", "--cache-dir=/tmp/cache"]

COPY --from=builder /configs /configs
COPY --from=builder /tmp/cache /tmp/cache

# Set FBC-specific label for the location of the FBC root directory
# in the image
LABEL operators.operatorframework.io.index.configs.v1=/configs

# Set other custom labels
LABEL "a.example.com/x"="1"
LABEL "b"="two words"
"""


def test_dockerfile_written_once(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    labels = ["-l", "b=two words", "-l", "a.example.com/x=1"]
    args = ["catalog", "dockerfile", str(tmp_path / "catalog")]
    args += ["--base-image", "registry.example.com/base:1", *labels]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    path = tmp_path / "catalog.Dockerfile"
    assert path.read_text() == EXPECTED_DOCKERFILE
    again = runner.invoke(app, args)  # the same content again: nothing to do
    assert (again.exit_code, again.stdout) == (0, f"{path}: unchanged\n")
    path.write_text("old")
    other = runner.invoke(app, args)
    assert other.exit_code == 2
    assert other.stderr == f"{path}: error: file already exists (use --force to overwrite)\n"
    assert path.read_text() == "old"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert path.read_text() == EXPECTED_DOCKERFILE
    printed = runner.invoke(app, [*args, "--stdout"])
    assert printed.stdout == EXPECTED_DOCKERFILE


def test_dockerfile_scratch_base(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    args = ["catalog", "dockerfile", str(tmp_path / "catalog"), "--stdout"]
    text = runner.invoke(app, [*args, "--base-image", "scratch"]).stdout
    assert "FROM scratch\n# OLMv0 CatalogSources that use binary-less images must set:\n" in text
    assert "#       cacheDir: /tmp/cache\n\nCOPY --from=builder /configs /configs\n" in text
    assert "ENTRYPOINT" not in text
    refused = runner.invoke(app, [*args, "--builder-image", "scratch"])
    assert refused.exit_code == 2 and "cannot be scratch" in refused.stderr


@pytest.mark.parametrize(
    "option",
    [
        ["--base-image", "quay.io/x/y:1\nRUN curl evil"],
        ["--builder-image", "quay.io/x/Y:1"],
        ["-l", "a=b\nRUN x"],
        ["-l", 'a=b" RUN x'],
        ["-l", "a=$(id)"],
        ["-l", "novalue"],
        ["-l", "bad key=1"],
    ],
    ids=["base-newline", "builder-upper", "label-newline", "label-quote", "label-dollar",
         "label-no-value", "label-key-space"],
)  # fmt: skip
def test_dockerfile_rejects_injection(tmp_path: Path, option: list[str]) -> None:
    (tmp_path / "catalog").mkdir()
    result = runner.invoke(app, ["catalog", "dockerfile", str(tmp_path / "catalog"), *option])
    assert result.exit_code == 2
    assert not (tmp_path / "catalog.Dockerfile").exists()


@pytest.mark.parametrize(
    "name",
    ["my catalog", "*", "?", "[a]", "--chown=0:0", "a\u2028b", "a\u0085b", "a\u00a0b", "$x"],
)
def test_dockerfile_rejects_unsafe_directory_name(tmp_path: Path, name: str) -> None:
    """ADD reads its sources as patterns and flags, and Go's unicode.IsSpace splits its
    arguments at NEL and no-break spaces too."""
    (tmp_path / name).mkdir()
    result = runner.invoke(app, ["catalog", "dockerfile", str(tmp_path / name)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "cannot be used in a Dockerfile" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [name]


@pytest.mark.parametrize("value", ["a\u2028b", "a\u0085b", "a\x7fb"])
def test_dockerfile_rejects_labels_other_readers_split(tmp_path: Path, value: str) -> None:
    (tmp_path / "catalog").mkdir()
    result = runner.invoke(
        app, ["catalog", "dockerfile", str(tmp_path / "catalog"), "-l", f"k={value}"]
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1


def test_dockerfile_never_follows_a_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog.Dockerfile").symlink_to(tmp_path / "target")
    for force in ([], ["--force"]):
        result = runner.invoke(app, ["catalog", "dockerfile", str(tmp_path / "catalog"), *force])
        assert result.exit_code == 2
        assert not (tmp_path / "target").exists()
    assert result.stderr == (
        f"{tmp_path}/catalog.Dockerfile: error: dangling symbolic link to "
        f"'{tmp_path}/target': refusing to write through it\n"
    )


def test_dockerfile_next_to_a_symlinked_catalog_not_its_target(tmp_path: Path) -> None:
    """opm takes filepath.Abs of the directory (no symlink resolution): the Dockerfile
    lands beside the link and ADDs the link's name."""
    (tmp_path / "elsewhere" / "real").mkdir(parents=True)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "catalog").symlink_to(tmp_path / "elsewhere" / "real")
    result = runner.invoke(app, ["catalog", "dockerfile", str(tmp_path / "repo" / "catalog")])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {tmp_path}/repo/catalog.Dockerfile\n"
    assert "\nADD catalog /configs\n" in (tmp_path / "repo" / "catalog.Dockerfile").read_text()
    assert not (tmp_path / "elsewhere" / "real.Dockerfile").exists()
