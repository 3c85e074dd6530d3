"""The manifests a test install from a catalog image needs: a ``CatalogSource`` (gRPC,
serving the image), an ``OperatorGroup`` and a ``Subscription`` whose
``spec.config.env`` carries the cloud identity OLM injects into the operator's
containers for short-lived token auth (``../shared/docs/token-auth.md`` section 3: the
names the OpenShift console sets):

* AWS: ``ROLEARN`` (``arn:<partition>:iam::<12 digits>:role/<name>``),
* Azure: ``CLIENTID``, ``TENANTID``, ``SUBSCRIPTIONID`` (GUIDs), optional
  ``RESOURCEGROUP``,
* GCP: ``PROJECT_NUMBER`` (digits), ``POOL_ID``, ``PROVIDER_ID`` (workload identity
  pool and provider ids), ``SERVICE_ACCOUNT_EMAIL``.

Every value is validated and the YAML is produced by a YAML dumper from plain data, so
no value can add lines, keys or documents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from bundle_tools.bundle import is_csv
from bundle_tools.csv_model import as_dict, as_list
from bundle_tools.errors import UsageError
from bundle_tools.fbc.decode import decode_base64
from bundle_tools.fbc.graph import heads
from bundle_tools.fbc.model import BUNDLE_OBJECT, CSV_METADATA, Catalog
from bundle_tools.imageref import reference_problem
from bundle_tools.names import (
    aws_role_arn_problem,
    channel_name_problem,
    dns1123_label_problem,
    package_name_problem,
)

MARKETPLACE_NAMESPACE = "openshift-marketplace"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_RESOURCE_GROUP = re.compile(r"[\w().-]{1,90}", re.ASCII)
_PROJECT_NUMBER = re.compile(r"[0-9]{1,20}")
_POOL_ID = re.compile(r"[a-z0-9][a-z0-9-]{2,30}[a-z0-9]")
_SA_EMAIL = re.compile(r"[a-z0-9][a-z0-9.-]*@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com")


def _check(value: str, pattern: re.Pattern[str], option: str, shape: str) -> str:
    if not pattern.fullmatch(value):
        raise UsageError(f"invalid {option} {value!r}: expected {shape}")
    return value


@dataclass(frozen=True, slots=True)
class CloudIdentity:
    """The ``spec.config.env`` entries for one cloud, as ``[(name, value)]``."""

    env: tuple[tuple[str, str], ...]

    @classmethod
    def aws(cls, role_arn: str) -> CloudIdentity:
        """``ROLEARN``; raises UsageError unless it looks like an IAM role ARN."""
        if problem := aws_role_arn_problem(role_arn):
            raise UsageError(f"invalid --role-arn {role_arn!r}: {problem}")
        return cls((("ROLEARN", role_arn),))

    @classmethod
    def azure(
        cls, client_id: str, tenant_id: str, subscription_id: str, resource_group: str | None
    ) -> CloudIdentity:
        """``CLIENTID``, ``TENANTID``, ``SUBSCRIPTIONID`` (GUIDs), ``RESOURCEGROUP`` when
        given; raises UsageError on malformed values."""
        env = [
            ("CLIENTID", _check(client_id, _GUID, "--azure-client-id", "a GUID")),
            ("TENANTID", _check(tenant_id, _GUID, "--azure-tenant-id", "a GUID")),
            (
                "SUBSCRIPTIONID",
                _check(subscription_id, _GUID, "--azure-subscription-id", "a GUID"),
            ),
        ]
        if resource_group is not None:
            shape = "1-90 letters, digits, '_', '-', '.', '(' or ')'"
            env.append(
                (
                    "RESOURCEGROUP",
                    _check(resource_group, _RESOURCE_GROUP, "--azure-resource-group", shape),
                )
            )
        return cls(tuple(env))

    @classmethod
    def gcp(
        cls, project_number: str, pool_id: str, provider_id: str, service_account_email: str
    ) -> CloudIdentity:
        """``PROJECT_NUMBER``, ``POOL_ID``, ``PROVIDER_ID``, ``SERVICE_ACCOUNT_EMAIL``;
        raises UsageError on malformed values."""
        pool_shape = "4-32 lowercase letters, digits or '-', alphanumeric at both ends"
        return cls(
            (
                (
                    "PROJECT_NUMBER",
                    _check(project_number, _PROJECT_NUMBER, "--gcp-project-number", "digits"),
                ),
                ("POOL_ID", _check(pool_id, _POOL_ID, "--gcp-pool-id", pool_shape)),
                ("PROVIDER_ID", _check(provider_id, _POOL_ID, "--gcp-provider-id", pool_shape)),
                (
                    "SERVICE_ACCOUNT_EMAIL",
                    _check(
                        service_account_email,
                        _SA_EMAIL,
                        "--gcp-service-account-email",
                        "<name>@<project>.iam.gserviceaccount.com",
                    ),
                ),
            )
        )


def select_identity(
    *,
    role_arn: str | None = None,
    azure: Sequence[str | None] = (None, None, None, None),
    gcp: Sequence[str | None] = (None, None, None, None),
) -> CloudIdentity | None:
    """The identity of the one cloud whose options are given (``azure`` = client,
    tenant, subscription, resource group; ``gcp`` = project number, pool, provider,
    service account email). Raises UsageError when options of several clouds are mixed
    or a cloud's required options are incomplete."""
    chosen = [
        name
        for name, given in (
            ("AWS", role_arn is not None),
            ("Azure", any(v is not None for v in azure)),
            ("GCP", any(v is not None for v in gcp)),
        )
        if given
    ]
    if len(chosen) > 1:
        raise UsageError(f"options for {' and '.join(chosen)} given; pick one cloud")
    if role_arn is not None:
        return CloudIdentity.aws(role_arn)
    if chosen == ["Azure"]:
        client, tenant, subscription, group = azure
        if client is None or tenant is None or subscription is None:
            raise UsageError(
                "Azure needs --azure-client-id, --azure-tenant-id and --azure-subscription-id"
            )
        return CloudIdentity.azure(client, tenant, subscription, group)
    if chosen == ["GCP"]:
        if any(v is None for v in gcp):
            raise UsageError(
                "GCP needs --gcp-project-number, --gcp-pool-id, --gcp-provider-id and "
                "--gcp-service-account-email"
            )
        project, pool, provider, email = (str(v) for v in gcp)
        return CloudIdentity.gcp(project, pool, provider, email)
    return None


#: OLM's install mode types, in the order a test install prefers them.
INSTALL_MODES = ("OwnNamespace", "AllNamespaces", "SingleNamespace", "MultiNamespace")
#: Where OpenShift installs AllNamespaces operators: its OperatorGroup
#: ``global-operators`` (no targetNamespaces) is already there.
GLOBAL_OPERATORS_NAMESPACE = "openshift-operators"


def supported_install_modes(csv: Any) -> list[str]:
    """The ``spec.installModes`` types a CSV (a mapping, or the ``olm.csv.metadata``
    value, which holds ``installModes`` at its top) marks ``supported: true``, in
    :data:`INSTALL_MODES` order (fields of the wrong type mark none)."""
    spec = as_dict(csv.get("spec", csv)) if isinstance(csv, dict) else {}
    supported = {
        m.get("type")
        for m in as_list(spec.get("installModes"))
        if isinstance(m, dict) and m.get("supported") is True and isinstance(m.get("type"), str)
    }
    return [mode for mode in INSTALL_MODES if mode in supported]


def catalog_install_modes(catalog: Catalog, package: str, channel: str) -> list[str]:
    """The install modes (:func:`supported_install_modes`) of the head of ``channel`` in
    ``package``, read from its ``olm.csv.metadata`` property or, in the
    ``olm.bundle.object`` form, from the CSV among its objects. Raises UsageError when
    the catalog has no such channel, the channel has no single head, or the head's
    bundle carries no CSV metadata."""
    found = catalog.channel_index.get((package, channel))
    if found is None:
        raise UsageError(f"the catalog has no channel {channel!r} in package {package!r}")
    names = heads(found.entries)
    if len(names) != 1:
        raise UsageError(f"channel {channel!r} has {len(names)} heads; fix the catalog first")
    bundle = catalog.bundle_index.get((package, names[0]))
    for prop in bundle.properties if bundle else []:
        if prop.type == CSV_METADATA and isinstance(prop.value, dict):
            return supported_install_modes(prop.value)
        if prop.type == BUNDLE_OBJECT and isinstance(prop.value, dict):
            data = prop.value.get("data")
            try:
                obj = yaml.safe_load(decode_base64(data)) if isinstance(data, str) else None
            except (ValueError, yaml.YAMLError):
                obj = None
            if is_csv(obj):
                return supported_install_modes(obj)
    raise UsageError(f"the channel head {names[0]!r} carries no CSV metadata (installModes)")


@dataclass(frozen=True, slots=True)
class InstallMode:
    """How the operator is installed: ``mode`` (an :data:`INSTALL_MODES` type),
    ``namespace`` of the Subscription, ``targets`` the OperatorGroup's
    ``targetNamespaces`` (empty for AllNamespaces) and ``operator_group`` False when the
    namespace already has one (``openshift-operators``)."""

    mode: str
    namespace: str
    targets: tuple[str, ...]
    operator_group: bool


def choose_install_mode(
    supported: Sequence[str] | None,
    *,
    package: str,
    mode: str | None = None,
    namespace: str | None = None,
    targets: Sequence[str] = (),
) -> InstallMode:
    """Decide the install: ``mode`` when given (it must be in ``supported`` when that is
    known), else the first supported of OwnNamespace, AllNamespaces, SingleNamespace,
    MultiNamespace (OwnNamespace when ``supported`` is None: nothing was read).
    AllNamespaces without ``namespace`` goes to ``openshift-operators`` with no
    OperatorGroup of its own; SingleNamespace and MultiNamespace watch ``targets``
    (one, or at least one). Raises UsageError for an unknown or unsupported mode, a
    bundle that supports none, or targets that do not fit the mode (see
    olm-docs Concepts/crds/operatorgroup: target namespace selection)."""
    if mode is not None and mode not in INSTALL_MODES:
        raise UsageError(f"--install-mode {mode!r}: choose from {', '.join(INSTALL_MODES)}")
    if supported is not None and not supported:
        raise UsageError("the CSV supports no install mode (spec.installModes)")
    if mode is not None and supported is not None and mode not in supported:
        raise UsageError(f"--install-mode {mode}: the CSV supports only {', '.join(supported)}")
    if mode is None:
        mode = supported[0] if supported else "OwnNamespace"
    if mode == "AllNamespaces":
        if targets:
            raise UsageError("--target-namespace does not apply to AllNamespaces")
        if namespace is None:
            return InstallMode(mode, GLOBAL_OPERATORS_NAMESPACE, (), False)
        return InstallMode(mode, namespace, (), True)
    namespace = namespace or package
    if mode == "OwnNamespace":
        if targets and tuple(targets) != (namespace,):
            raise UsageError("OwnNamespace watches only its own namespace: drop --target-namespace")
        return InstallMode(mode, namespace, (namespace,), True)
    if not targets:
        raise UsageError(f"{mode} needs the namespaces to watch: give --target-namespace")
    if mode == "SingleNamespace" and len(targets) != 1:
        raise UsageError("SingleNamespace watches one namespace: give --target-namespace once")
    return InstallMode(mode, namespace, tuple(dict.fromkeys(targets)), True)


def install_manifests(
    *,
    catalog_image: str,
    package: str,
    channel: str,
    namespace: str | None = None,
    identity: CloudIdentity | None = None,
    extract_content: bool = False,
    install: InstallMode | None = None,
) -> list[dict[str, Any]]:
    """``[CatalogSource, OperatorGroup, Subscription]`` as plain data.

    The CatalogSource ``<package>-catalog`` lives in ``openshift-marketplace``; the
    OperatorGroup and the Subscription live in the install's namespace (``install``,
    default: OwnNamespace in ``namespace``, else the package name), which must exist;
    the OperatorGroup targets ``install.targets`` (none for AllNamespaces) and is left
    out when the namespace has one already (``openshift-operators``). With
    ``extract_content`` the CatalogSource sets ``spec.grpcPodConfig.extractContent``
    (``catalogDir: /configs``, no ``cacheDir``): OLM copies the catalog out of an image
    without ``opm`` (``bundle-tools catalog build`` on scratch) and serves it with its
    own ``opm``, building the cache at start (operator-framework/api CatalogSource
    ``ExtractContentConfig``; OLM adds ``--cache.from`` only when ``cacheDir`` is set).
    Raises UsageError for
    an invalid image reference, package, namespace or channel name.
    """
    problem = reference_problem(catalog_image)
    if problem:
        raise UsageError(f"invalid --catalog-image {catalog_image!r}: {problem}")
    install = install or choose_install_mode(None, package=package, namespace=namespace)
    namespace = install.namespace
    checks = [("--package", package), ("--namespace", namespace)]
    checks += [("--target-namespace", target) for target in install.targets]
    for option, value in checks:
        problem = (
            package_name_problem(value) if option == "--package" else dns1123_label_problem(value)
        )
        if problem:
            raise UsageError(f"invalid {option} {value!r}: {problem}")
    if problem := channel_name_problem(channel):
        raise UsageError(f"invalid --channel {channel!r}: channel name {problem}")
    source = f"{package}-catalog"
    subscription: dict[str, Any] = {
        "channel": channel,
        "name": package,
        "source": source,
        "sourceNamespace": MARKETPLACE_NAMESPACE,
        "installPlanApproval": "Automatic",
    }
    if identity is not None:
        subscription["config"] = {"env": [{"name": n, "value": v} for n, v in identity.env]}
    catalog_spec: dict[str, Any] = {
        "sourceType": "grpc",
        "image": catalog_image,
        "displayName": f"{package} test catalog",
        "publisher": "bundle-tools",
    }
    if extract_content:
        catalog_spec["grpcPodConfig"] = {"extractContent": {"catalogDir": "/configs"}}
    group_spec = {"targetNamespaces": list(install.targets)} if install.targets else {}
    groups = [
        {
            "apiVersion": "operators.coreos.com/v1",
            "kind": "OperatorGroup",
            "metadata": {"name": package, "namespace": namespace},
            "spec": group_spec,
        }
    ]
    return [
        {
            "apiVersion": "operators.coreos.com/v1alpha1",
            "kind": "CatalogSource",
            "metadata": {"name": source, "namespace": MARKETPLACE_NAMESPACE},
            "spec": catalog_spec,
        },
        *(groups if install.operator_group else []),
        {
            "apiVersion": "operators.coreos.com/v1alpha1",
            "kind": "Subscription",
            "metadata": {"name": package, "namespace": namespace},
            "spec": subscription,
        },
    ]


def dump_manifests(documents: Sequence[dict[str, Any]]) -> str:
    """A YAML stream, keys in Kubernetes order (as built), ``---`` before each document."""
    return yaml.safe_dump_all(
        documents, explicit_start=True, sort_keys=False, default_flow_style=False, width=1 << 16
    )
