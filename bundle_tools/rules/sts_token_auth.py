"""``STS`` rules: short-lived cloud credentials through the Cloud Credential Operator
(rules T1-T10 of ``docs/token-auth.md``; T3 is CSV014, T7 is CSV012).

A CSV that sets ``features.operators.openshift.io/token-auth-<cloud>: "true"`` promises
the CCO flow: the operator creates a CredentialsRequest (RBAC in ``clusterPermissions``),
mounts a projected ServiceAccount token with audience ``openshift`` at
``/var/run/secrets/openshift/serviceaccount`` and reads ``ROLEARN`` & co. from the
Subscription, not from hard-coded env.

PASS: token-auth-aws "true", clusterPermissions granting ``cloudcredential.openshift.io``
``credentialsrequests`` create/get/update, a ``bound-sa-token`` projected volume.
FAIL: token-auth-aws "true" without that RBAC; ``expirationSeconds: 300``; ``ROLEARN`` set
in the deployment's env.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bundle_tools.csv_model import CLOUDS, TOKEN_AUDIENCE, TOKEN_MOUNT_PATH, as_list, get_path
from bundle_tools.findings import Severity
from bundle_tools.rules import Hit, rule
from bundle_tools.rules.feature_annotations import PREFIX, feature_keys

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext, Parts

CR_GROUP = "cloudcredential.openshift.io"
CR_RESOURCE = "credentialsrequests"
CR_VERBS = frozenset({"create", "get", "update"})
#: Env vars the console puts into Subscription.spec.config.env (OLM injects them).
SUBSCRIPTION_ENV = (
    "ROLEARN",
    "CLIENTID",
    "TENANTID",
    "SUBSCRIPTIONID",
    "RESOURCEGROUP",
    "PROJECT_NUMBER",
    "POOL_ID",
    "PROVIDER_ID",
    "SERVICE_ACCOUNT_EMAIL",
)
DOCS = "OpenShift docs osdk-cco-{aws-sts,azure,gcp}-enabling"


def token_auth_clouds(ctx: BundleContext) -> list[str]:
    """Clouds whose ``token-auth-<cloud>`` annotation is exactly ``"true"``."""
    features = feature_keys(ctx)
    return [c for c in CLOUDS if features.get(f"token-auth-{c}") == "true"]


def _annotation_parts(cloud: str) -> Parts:
    return ("metadata", "annotations", f"{PREFIX}token-auth-{cloud}")


def _grants_credentials_requests(policy: dict[str, Any]) -> bool:
    groups = {str(g) for g in as_list(policy.get("apiGroups"))}
    resources = {str(r) for r in as_list(policy.get("resources"))}
    verbs = {str(v) for v in as_list(policy.get("verbs"))}
    return (
        bool(groups & {CR_GROUP, "*"})
        and bool(resources & {CR_RESOURCE, "*"})
        and ("*" in verbs or verbs >= CR_VERBS)
    )


def _credentials_request_grant(ctx: BundleContext, scope: str) -> Parts | None:
    """Path of the first ``scope`` rule granting create/get/update on CredentialsRequests."""
    return next(
        (parts for parts, policy in ctx.rbac_rules(scope) if _grants_credentials_requests(policy)),
        None,
    )


@rule(
    "STS001",
    severity=Severity.ERROR,
    summary="token-auth `true` comes with clusterPermissions on credentialsrequests "
    "(create, get, update)",
    source=f"{DOCS} (T1)",
)
def credentials_request_rbac(ctx: BundleContext) -> Iterator[Hit]:
    """In the CCO flow the operator creates a CredentialsRequest in
    ``openshift-cloud-credential-operator``, outside its own namespace: without a
    ``clusterPermissions`` rule granting ``create``, ``get`` and ``update`` on
    ``cloudcredential.openshift.io`` ``credentialsrequests`` the call fails with
    "forbidden ... at the cluster scope" and the operator never gets cloud credentials.
    When the grant sits under namespaced ``permissions`` STS002 reports it instead."""
    if ctx.csv is None or _credentials_request_grant(ctx, "clusterPermissions"):
        return
    if _credentials_request_grant(ctx, "permissions"):
        return
    for cloud in token_auth_clouds(ctx):
        yield Hit(
            message=f'token-auth-{cloud} is "true" but clusterPermissions grant no '
            f"create/get/update on {CR_GROUP} {CR_RESOURCE}: the operator cannot create its "
            "CredentialsRequest (forbidden at the cluster scope)",
            location=ctx.at(ctx.csv, _annotation_parts(cloud)),
            hint=f"add to clusterPermissions: apiGroups [{CR_GROUP}], resources "
            f"[{CR_RESOURCE}], verbs [create, delete, get, list, patch, update, watch]",
        )


@rule(
    "STS002",
    severity=Severity.WARNING,
    summary="credentialsrequests RBAC is in clusterPermissions, not only in permissions",
    source=f"{DOCS}; Kubernetes RBAC; oadp-operator#1106 (T2)",
)
def credentials_request_rbac_namespaced(ctx: BundleContext) -> Iterator[Hit]:
    """A Role only grants inside the operator's namespace, while the documented
    CredentialsRequest lives in ``openshift-cloud-credential-operator``."""
    if not token_auth_clouds(ctx) or _credentials_request_grant(ctx, "clusterPermissions"):
        return
    parts = _credentials_request_grant(ctx, "permissions")
    if parts is not None and ctx.csv is not None:
        yield Hit(
            message=f"{CR_RESOURCE} are granted only under namespaced permissions: creating "
            "the CredentialsRequest in openshift-cloud-credential-operator is forbidden",
            location=ctx.at(ctx.csv, parts),
            hint="move this rule to clusterPermissions",
        )


def _token_sources(volume: Any) -> list[tuple[int, dict[str, Any]]]:
    """``(index, serviceAccountToken)`` of a projected volume's token sources."""
    sources = get_path(volume, ("projected", "sources"))
    return [
        (i, s["serviceAccountToken"])
        for i, s in enumerate(sources if isinstance(sources, list) else [])
        if isinstance(s, dict) and isinstance(s.get("serviceAccountToken"), dict)
    ]


def _token_mounts(ctx: BundleContext) -> Iterator[tuple[Parts, dict[str, Any], Parts, Any]]:
    """``(mount path, mount, volume path, volume)`` for each volumeMount at the openshift
    token directory; the volume is ``None`` when the pod does not define it."""
    for parts, container, pod_parts, pod in ctx.containers():
        for j, mount in enumerate(as_list(container.get("volumeMounts"))):
            if str(get_path(mount, ("mountPath",)) or "").rstrip("/") != TOKEN_MOUNT_PATH:
                continue
            volumes = as_list(pod.get("volumes"))
            index = next(
                (k for k, v in enumerate(volumes) if get_path(v, ("name",)) == mount.get("name")),
                None,
            )
            volume = volumes[index] if index is not None else None
            yield (*parts, "volumeMounts", j), mount, (*pod_parts, "volumes", index or 0), volume


@rule(
    "STS003",
    severity=Severity.WARNING,
    summary="the openshift token mount is a read-only projected serviceAccountToken "
    "with path `token`",
    source="OpenShift docs osdk-cco-gcp-enabling; CCO ccoctl (T4)",
)
def token_volume_shape(ctx: BundleContext) -> Iterator[Hit]:
    """The CredentialsRequest's ``cloudTokenPath`` is
    ``/var/run/secrets/openshift/serviceaccount/token``: the volume mounted there must be
    a projected ``serviceAccountToken`` source with ``path: token``, mounted read-only.
    (A missing volume is CSV012.)"""
    if ctx.csv is None:
        return
    for mount_parts, mount, volume_parts, volume in _token_mounts(ctx):
        if volume is None:
            continue
        sources = _token_sources(volume)
        if not sources:
            yield Hit(
                message=f"volume {volume.get('name')!r} mounted at {TOKEN_MOUNT_PATH} is not a "
                "projected serviceAccountToken: no cloud token file appears there",
                location=ctx.at(ctx.csv, volume_parts),
            )
        for i, source in sources:
            if source.get("path") != "token":
                yield Hit(
                    message=f"serviceAccountToken path is {source.get('path')!r}, not "
                    f"'token': the CCO credentials point at {TOKEN_MOUNT_PATH}/token",
                    location=ctx.at(
                        ctx.csv,
                        (*volume_parts, "projected", "sources", i, "serviceAccountToken", "path"),
                    ),
                )
        if mount.get("readOnly") is not True:
            yield Hit(
                message=f"the token mount at {TOKEN_MOUNT_PATH} is not readOnly: true",
                location=ctx.at(ctx.csv, mount_parts),
            )


def _projected_tokens(ctx: BundleContext) -> Iterator[tuple[Parts, dict[str, Any], str]]:
    """``(path, serviceAccountToken, volume name)`` of every projected token source."""
    for pod_parts, pod in ctx.pod_specs():
        for k, volume in enumerate(as_list(pod.get("volumes"))):
            for i, source in _token_sources(volume):
                parts = (*pod_parts, "volumes", k, "projected", "sources", i, "serviceAccountToken")
                yield parts, source, str(get_path(volume, ("name",)))


@rule(
    "STS004",
    severity=Severity.WARNING,
    summary="token-auth `true` with no projected ServiceAccount token volume in the CSV",
    source='openshift/enhancements tokenized-auth ("optional" volume); OpenShift docs GCP '
    "enabling (T5)",
)
def token_volume_present(ctx: BundleContext) -> Iterator[Hit]:
    """Whoever calls the cloud needs a token with audience ``openshift``. When no CSV
    deployment projects one, the operator must inject it into its operands at runtime
    (or it does not call the cloud itself): a reminder, not a failure."""
    if ctx.csv is None or any(True for _ in _projected_tokens(ctx)):
        return
    for cloud in token_auth_clouds(ctx):
        yield Hit(
            message=f'token-auth-{cloud} is "true" but no CSV deployment projects a '
            f"ServiceAccount token (audience {TOKEN_AUDIENCE}): operands must get one at runtime",
            location=ctx.at(ctx.csv, _annotation_parts(cloud)),
        )


@rule(
    "STS005",
    severity=Severity.ERROR,
    summary="projected token expirationSeconds >= 600; audience `openshift` at the "
    "openshift token path",
    source="Kubernetes ServiceAccountTokenProjection; CCO ccoctl audiences (T6)",
)
def token_projection(ctx: BundleContext) -> Iterator[Hit]:
    """The API server refuses ``expirationSeconds`` below 600 ("must be at least 10
    minutes"): the Deployment is not created (error). ccoctl trusts the audience
    ``openshift`` on every cloud (``sts.amazonaws.com`` only on AWS): another audience at
    the openshift token path is rejected by the cloud's STS (warning)."""
    if ctx.csv is None:
        return
    for parts, source, _ in _projected_tokens(ctx):
        seconds = source.get("expirationSeconds")
        if isinstance(seconds, int) and seconds < 600:
            yield Hit(
                message=f"expirationSeconds {seconds} is below the minimum 600: the API "
                "server refuses the Deployment",
                location=ctx.at(ctx.csv, (*parts, "expirationSeconds")),
            )
    for _, _, volume_parts, volume in _token_mounts(ctx):
        for i, source in _token_sources(volume):
            if source.get("audience") != TOKEN_AUDIENCE:
                yield Hit(
                    message=f"token audience {source.get('audience')!r} is not "
                    f"{TOKEN_AUDIENCE!r}: cloud STS rejects it (Incorrect token audience)",
                    location=ctx.at(
                        ctx.csv,
                        (
                            *volume_parts,
                            "projected",
                            "sources",
                            i,
                            "serviceAccountToken",
                            "audience",
                        ),
                    ),
                    severity=Severity.WARNING,
                )


@rule(
    "STS006",
    severity=Severity.WARNING,
    summary="no hard-coded ROLEARN/CLIENTID/... env in CSV deployments",
    source="OLM doc/design/subscription-config.md; OpenShift console (T8)",
)
def hard_coded_cloud_env(ctx: BundleContext) -> Iterator[Hit]:
    """The console collects ``ROLEARN`` (AWS), ``CLIENTID``/``TENANTID``/
    ``SUBSCRIPTIONID``/``RESOURCEGROUP`` (Azure) and ``PROJECT_NUMBER``/``POOL_ID``/
    ``PROVIDER_ID``/``SERVICE_ACCOUNT_EMAIL`` (GCP) into ``Subscription.spec.config.env``,
    which OLM injects into every container. A value baked into the CSV is a placeholder
    at best, a wrong account at worst."""
    if ctx.csv is None:
        return
    for parts, container, _, _ in ctx.containers():
        for j, env in enumerate(as_list(container.get("env"))):
            name = get_path(env, ("name",))
            if name in SUBSCRIPTION_ENV and "value" in env:
                yield Hit(
                    message=f"container {container.get('name')!r} hard-codes {name}: it comes "
                    "from the Subscription's spec.config.env at install time",
                    location=ctx.at(ctx.csv, (*parts, "env", j, "name")),
                    hint=f"remove {name} from the CSV",
                )


SETUP_WORDS = ("sts", "role", "arn", "workload identity", "credential", "token")


@rule(
    "STS008",
    severity=Severity.INFO,
    summary="token-auth `true`: spec.description explains the cloud role setup",
    source="OpenShift docs token_auth role modules; openshift/enhancements tokenized-auth (T10)",
)
def setup_instructions(ctx: BundleContext) -> Iterator[Hit]:
    """Users must create the cloud role (or identity) before subscribing; the
    description shown in OperatorHub is where they look for how."""
    clouds = token_auth_clouds(ctx)
    if ctx.csv is None or not clouds:
        return
    description = str(get_path(ctx.csv_data, ("spec", "description")) or "").lower()
    if not any(word in description for word in SETUP_WORDS):
        yield Hit(
            message="spec.description does not explain the cloud role/identity setup for "
            f"token auth ({', '.join(clouds)})",
            location=ctx.at(ctx.csv, ("spec", "description")),
        )
