"""Token-auth edits (facts: ``docs/token-auth.md`` sections 1-2, from the OpenShift
"token_auth" operator docs and the Cloud Credential Operator code):

- ``metadata.annotations["features.operators.openshift.io/token-auth-<cloud>"]`` is the
  string ``"true"`` for each chosen cloud;
- the operator pod has volume ``bound-sa-token``: a projected ``serviceAccountToken``
  with ``audience: openshift``, ``expirationSeconds: 3600``, ``path: token``; the
  operator container mounts it read-only at ``/var/run/secrets/openshift/serviceaccount``;
- ``spec.install.spec.clusterPermissions`` for the deployment's service account reads
  ``config.openshift.io/infrastructures`` and ``operator.openshift.io/cloudcredentials``
  and manages ``cloudcredential.openshift.io/credentialsrequests``.

Also the choice of the operator deployment and container, shared with the release fields.
"""

from __future__ import annotations

import copy
from typing import Any

from bundle_tools.csv_model import TOKEN_AUDIENCE, TOKEN_MOUNT_PATH
from bundle_tools.patch.model import (
    ANNOTATIONS,
    DEPLOYMENTS,
    PatchOptions,
    Planner,
    get_path,
    same_value,
)
from bundle_tools.patch.textedit import PathParts

TOKEN_AUTH_PREFIX = "features.operators.openshift.io/token-auth-"
VOLUME_NAME = "bound-sa-token"
TOKEN_VOLUME = {
    "name": VOLUME_NAME,
    "projected": {
        "sources": [
            {
                "serviceAccountToken": {
                    "audience": TOKEN_AUDIENCE,
                    "expirationSeconds": 3600,
                    "path": "token",
                }
            }
        ]
    },
}
TOKEN_MOUNT = {"mountPath": TOKEN_MOUNT_PATH, "name": VOLUME_NAME, "readOnly": True}
READ_VERBS = ("get", "list", "watch")
#: ``(apiGroup, resource, verbs)`` granted in clusterPermissions.
CLUSTER_RULES = (
    ("config.openshift.io", "infrastructures", READ_VERBS),
    ("operator.openshift.io", "cloudcredentials", READ_VERBS),
)
CREDENTIALS_RULE = (
    "cloudcredential.openshift.io",
    "credentialsrequests",
    ("create", "delete", "get", "list", "patch", "update", "watch"),
)
DEFAULT_CONTAINER = "manager"
CLUSTER_PERMISSIONS = ("spec", "install", "spec", "clusterPermissions")


def _names(plan: Planner, parts: PathParts) -> list[str]:
    """The ``name`` of each item of the list of objects at ``parts``."""
    return [str(plan.value((*parts, i, "name"))) for i, _ in plan.entries(parts)]


def choose_deployment(plan: Planner, options: PatchOptions) -> int:
    """Index of the operator deployment: ``--deployment``, else the only one, else the
    only one with a container named ``--container`` (default ``manager``). Raises
    InputError listing the deployments when the choice is unknown or ambiguous."""
    deployments = plan.entries(DEPLOYMENTS)
    if not deployments:
        raise plan.error("the CSV has no spec.install.spec.deployments", DEPLOYMENTS)
    names = _names(plan, DEPLOYMENTS)
    if options.deployment is not None:
        if options.deployment not in names:
            raise plan.error(
                f"no deployment named {options.deployment!r}; deployments: {', '.join(names)}",
                DEPLOYMENTS,
            )
        return names.index(options.deployment)
    if len(deployments) == 1:
        return 0
    wanted = options.container or DEFAULT_CONTAINER
    having = [
        i
        for i, _ in deployments
        if wanted in _names(plan, (*DEPLOYMENTS, i, "spec", "template", "spec", "containers"))
    ]
    if len(having) == 1:
        return having[0]
    raise plan.error(
        f"{len(deployments)} deployments and none chosen: {', '.join(names)}; "
        "pick the operator's with --deployment NAME",
        DEPLOYMENTS,
    )


def choose_container(plan: Planner, pod: PathParts, options: PatchOptions) -> int:
    """Index of the operator container in ``pod``: ``--container``, else the only one,
    else the one named ``manager``. Raises InputError listing the containers when the
    choice is unknown or ambiguous."""
    plan.mapping(pod)
    containers = plan.entries((*pod, "containers"))
    if not containers:
        raise plan.error("the deployment's pod spec has no containers", pod)
    names = _names(plan, (*pod, "containers"))
    if options.container is not None:
        if options.container not in names:
            raise plan.error(
                f"no container named {options.container!r}; containers: {', '.join(names)}",
                (*pod, "containers"),
            )
        return names.index(options.container)
    if len(containers) == 1:
        return 0
    if DEFAULT_CONTAINER in names:
        return names.index(DEFAULT_CONTAINER)
    raise plan.error(
        f"{len(containers)} containers and none named {DEFAULT_CONTAINER!r}: "
        f"{', '.join(names)}; pick the operator's with --container NAME",
        (*pod, "containers"),
    )


def _normalized_volume(volume: Any) -> Any:
    """``volume`` with the Kubernetes default ``expirationSeconds: 3600`` filled in."""
    volume = copy.deepcopy(volume)
    for source in get_path(volume, ("projected", "sources")) or []:
        token = source.get("serviceAccountToken") if isinstance(source, dict) else None
        if isinstance(token, dict):
            token.setdefault("expirationSeconds", 3600)
    return volume


def patch_volume(plan: Planner, pod: PathParts, force: bool) -> None:
    """Add :data:`TOKEN_VOLUME` to ``pod`` unless an equal one is there. Raises
    InputError for another volume of that name unless ``force`` (then it is replaced)."""
    volumes = (*pod, "volumes")
    for i, volume in plan.entries(volumes):
        if plan.value((*volumes, i, "name")) == VOLUME_NAME:
            if same_value(_normalized_volume(volume), TOKEN_VOLUME):
                return
            if not force:
                raise plan.error(
                    f"volume {VOLUME_NAME!r} already exists with other content than the "
                    "projected serviceAccountToken (audience openshift, path token) this "
                    "patch adds; use --force to replace it",
                    (*volumes, i),
                )
            plan.replace_item((*volumes, i), TOKEN_VOLUME)
            return
    plan.append(volumes, [TOKEN_VOLUME])


def patch_mount(plan: Planner, container: PathParts, force: bool) -> None:
    """Add :data:`TOKEN_MOUNT` to ``container`` unless an equal one is its only mount of
    that volume name or at that path. Every other such mount is a conflict: InputError
    naming them all unless ``force``; with ``force`` the first becomes
    :data:`TOKEN_MOUNT` and the others are removed (Kubernetes rejects two mounts at one
    path)."""
    path = (*container, "volumeMounts")
    mounts = dict(plan.entries(path))
    clashing = [
        i
        for i in mounts
        if plan.value((*path, i, "name")) == VOLUME_NAME
        or plan.value((*path, i, "mountPath")) == TOKEN_MOUNT_PATH
    ]
    if not clashing:
        plan.append(path, [TOKEN_MOUNT])
        return
    if len(clashing) == 1 and same_value(mounts[clashing[0]], TOKEN_MOUNT):
        return
    if not force:
        others = [i for i in clashing if not same_value(mounts[i], TOKEN_MOUNT)]
        named = ", ".join(
            f"{mounts[i].get('name')!r} at {mounts[i].get('mountPath')!r}" for i in others
        )
        what = "volumeMount" if len(others) == 1 else "volumeMounts"
        verb = "conflicts" if len(others) == 1 else "conflict"
        raise plan.error(
            f"{what} {named} {verb} with the {VOLUME_NAME!r} mount at {TOKEN_MOUNT_PATH} this "
            "patch adds; use --force to replace it",
            (*path, others[0]),
        )
    first, *extra = clashing
    if not same_value(mounts[first], TOKEN_MOUNT):
        plan.replace_item((*path, first), TOKEN_MOUNT)
    for i in extra:
        plan.remove_item((*path, i))


def _covered_verbs(
    plan: Planner, rules: list[PathParts], group: str, resource: str
) -> set[str] | None:
    """Verbs granted on ``group/resource`` by the policy rules at ``rules`` (None = all,
    via ``*``); rules limited by ``resourceNames`` do not count."""
    verbs: set[str] = set()
    for rule in rules:
        if plan.value((*rule, "resourceNames")):
            continue
        groups = plan.strings((*rule, "apiGroups"))
        resources = plan.strings((*rule, "resources"))
        if (group in groups or "*" in groups) and (resource in resources or "*" in resources):
            granted = set(plan.strings((*rule, "verbs")))
            if "*" in granted:
                return None
            verbs |= granted
    return verbs


def patch_cluster_permissions(plan: Planner, account: str, with_credentials: bool) -> None:
    """Grant :data:`CLUSTER_RULES` (and :data:`CREDENTIALS_RULE` when
    ``with_credentials``) to service account ``account`` in clusterPermissions.

    Verbs already granted by any rule of the account's entries (``*`` included, rules
    limited by ``resourceNames`` excluded) are not added again; missing verbs go into a
    rule with exactly the same apiGroups and resources, else into a new rule of the
    account's first entry; an account without an entry gets a new one.
    """
    needed = CLUSTER_RULES + ((CREDENTIALS_RULE,) if with_credentials else ())
    mine = [
        i
        for i, _ in plan.entries(CLUSTER_PERMISSIONS)
        if plan.value((*CLUSTER_PERMISSIONS, i, "serviceAccountName")) == account
    ]
    if not mine:
        rules = [{"apiGroups": [g], "resources": [r], "verbs": list(v)} for g, r, v in needed]
        plan.append(CLUSTER_PERMISSIONS, [{"rules": rules, "serviceAccountName": account}])
        return
    every_rule = [
        (*CLUSTER_PERMISSIONS, i, "rules", j)
        for i in mine
        for j, _ in plan.entries((*CLUSTER_PERMISSIONS, i, "rules"))
    ]
    rules_path = (*CLUSTER_PERMISSIONS, mine[0], "rules")
    new_rules = []
    for group, resource, verbs in needed:
        covered = _covered_verbs(plan, every_rule, group, resource)
        missing = [v for v in verbs if covered is not None and v not in covered]
        if not missing:
            continue
        exact = [
            j
            for j, _ in plan.entries(rules_path)
            if plan.strings((*rules_path, j, "apiGroups")) == [group]
            and plan.strings((*rules_path, j, "resources")) == [resource]
            and not plan.value((*rules_path, j, "resourceNames"))
        ]
        if exact:
            plan.extend((*rules_path, exact[0], "verbs"), missing)
        else:
            new_rules.append({"apiGroups": [group], "resources": [resource], "verbs": missing})
    if new_rules:
        plan.append(rules_path, new_rules)


def patch_token_auth(
    plan: Planner, pod: PathParts, container: PathParts, options: PatchOptions
) -> None:
    """All token-auth edits for ``options.token_auth`` (no-op when empty): annotations,
    the token volume of ``pod``, its mount in ``container`` and clusterPermissions for
    the pod's service account (:func:`service_account`). Raises
    InputError for a conflicting volume or mount unless ``options.force``."""
    for cloud in options.token_auth:
        plan.set((*ANNOTATIONS, TOKEN_AUTH_PREFIX + cloud), "true")
    if not options.token_auth:
        return
    patch_volume(plan, pod, options.force)
    patch_mount(plan, container, options.force)
    patch_cluster_permissions(plan, service_account(plan, pod), options.credentials_requests)


def service_account(plan: Planner, pod: PathParts) -> str:
    """The service account the pod runs as: ``serviceAccountName``, else the deprecated
    ``serviceAccount`` (which Kubernetes copies into it), else ``default``."""
    return (
        plan.string((*pod, "serviceAccountName"))
        or plan.string((*pod, "serviceAccount"))
        or "default"
    )
