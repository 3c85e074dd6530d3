"""``INS`` rules: what OLM refuses or cannot build when it installs a CSV's install
strategy: the strategy name, the deployments, the Service in front of each deployment that
serves webhooks or APIServices, and the CRD names it parses on every sync.

Each rule is one rejection in OLM's code (operator-lifecycle-manager @992bb097):

- ``pkg/controller/install/resolver.go`` ``StrategyResolver.UnmarshalStrategy`` knows only
  the strategy ``deployment``; any other fails the CSV ("unrecognized install strategy",
  phase Failed, InvalidStrategy) from ``requirementAndPermissionStatus``;
- ``pkg/controller/install/deployment.go`` ``installDeployments`` creates one Deployment
  per entry, under the entry's name, which the API server validates (a DNS-1123
  subdomain); two entries of one name overwrite each other and ``checkForDeployments``
  compares each entry's spec hash with the one Deployment left;
- ``pkg/controller/install/certresources.go`` ``installCertRequirementsForDeployment``
  applies a Service ``<deployment>-service`` with one port per webhook or APIService of
  that deployment (``getServicePorts``: name and port the ``containerPort``, default 443,
  target the ``targetPort``), which the API server validates (Kubernetes
  ``pkg/apis/core/validation`` ``ValidateService``: a DNS-1035 name, unique port names,
  ports 1-65535); a refusal fails the install (ComponentFailed);
- the same ``installDeployments``: the API server refuses a Deployment whose selector is
  empty or does not select its own pod template's labels (Kubernetes
  ``pkg/apis/apps/validation`` ``ValidateDeploymentSpec``);
- ``pkg/controller/registry/resolver/rbac.go`` ``RBACForClusterServiceVersion`` (the
  InstallPlan's steps) creates a ServiceAccount only for each ``serviceAccountName`` of
  ``permissions`` and ``clusterPermissions``, under that name (a DNS-1123 subdomain);
- ``pkg/controller/operators/olm/labeler.go`` ``apiSurfaceOfCSV``, the first step of
  ``transitionCSVState``, splits every owned and required CRD name into
  ``<plural>.<group>``; a name without a dot stops every sync of the CSV before it gets a
  phase.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bundle_tools.csv_model import as_dict, as_list, get_path
from bundle_tools.findings import Severity
from bundle_tools.names import dns1035_label_problem, dns1123_subdomain_problem
from bundle_tools.rules import Hit, rule
from bundle_tools.yamlio import to_plain

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext, Parts

OLM = "operator-lifecycle-manager "
#: The only install strategy OLM implements (``v1alpha1.InstallStrategyNameDeployment``).
DEPLOYMENT_STRATEGY = "deployment"
#: Port of a webhook or APIService Service when ``containerPort`` is unset or not positive.
DEFAULT_PORT = 443
#: Highest TCP port number (k8s ``IsValidPortNum``).
PORT_MAX = 65535
#: Suffix of the Service OLM puts in front of a serving deployment (``install.ServiceName``).
SERVICE_SUFFIX = "-service"
CRDS: tuple[str, ...] = ("spec", "customresourcedefinitions")


@rule(
    "INS001",
    severity=Severity.ERROR,
    summary="spec.install.strategy is `deployment`",
    source=OLM + "pkg/controller/install/resolver.go StrategyResolver.UnmarshalStrategy "
    "(unrecognized install strategy; CSV Failed with InvalidStrategy)",
)
def strategy_name(ctx: BundleContext) -> Iterator[Hit]:
    """OLM implements one install strategy, ``deployment``; with any other name its
    requirement check fails and the CSV goes to phase Failed (InvalidStrategy: "install
    strategy invalid: unrecognized install strategy")."""
    parts = ("spec", "install", "strategy")
    name = get_path(ctx.csv_data, parts)
    if ctx.csv is None or not isinstance(name, str) or name == DEPLOYMENT_STRATEGY:
        return
    yield Hit(
        message=f"install strategy {name!r} is not {DEPLOYMENT_STRATEGY!r}, the only one OLM "
        "implements: the CSV fails (InvalidStrategy)",
        location=ctx.at(ctx.csv, parts),
    )


@rule(
    "INS002",
    severity=Severity.ERROR,
    summary="install strategy deployments have unique names that are DNS-1123 subdomains",
    source=OLM + "pkg/controller/install/deployment.go installDeployments, "
    "checkForDeployments (DeploymentUpdated); Kubernetes pkg/apis/apps/validation "
    "ValidateDeploymentName",
)
def deployment_names(ctx: BundleContext) -> Iterator[Hit]:
    """OLM creates a Deployment named after each entry: the API server refuses a name that
    is not a DNS-1123 subdomain and the install fails. Two entries of one name are one
    Deployment, written twice; when their specs differ, OLM's install check finds the spec
    hash of one entry on a Deployment made from the other and reinstalls for ever (an
    error); identical entries are redundant (a warning)."""
    if ctx.csv is None:
        return
    first: dict[str, dict[str, Any]] = {}
    for parts, deployment in ctx.deployments():
        name = deployment.get("name")
        if not isinstance(name, str):
            continue
        if problem := dns1123_subdomain_problem(name):
            yield Hit(
                message=f"deployment name {name!r} {problem}: the API server refuses the "
                "Deployment and the install fails",
                location=ctx.at(ctx.csv, (*parts, "name")),
            )
        if name not in first:
            first[name] = deployment
            continue
        same = to_plain(first[name].get("spec")) == to_plain(deployment.get("spec"))
        yield Hit(
            message=f"deployments[{parts[-1]}] repeats deployment {name!r}"
            + (
                " with the same spec: OLM applies it twice"
                if same
                else " with another spec: OLM writes one Deployment from both and its install "
                "check never passes (DeploymentUpdated, reinstalled for ever)"
            ),
            location=ctx.at(ctx.csv, (*parts, "name")),
            severity=Severity.WARNING if same else None,
        )


def _port(value: Any) -> int:
    """The Service port OLM derives from a ``containerPort`` (unset or not positive: 443)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return DEFAULT_PORT


def _served_by(ctx: BundleContext) -> dict[str, list[tuple[Parts, dict[str, Any], bool]]]:
    """``{deployment name: [(path, description, is a webhook)]}``: what OLM serves from each
    deployment, APIServices (as the installer keeps them) before webhooks."""
    served: dict[str, list[tuple[Parts, dict[str, Any], bool]]] = {}
    for parts, desc in ctx.installed_apiservices().values():
        served.setdefault(str(desc.get("deploymentName")), []).append((parts, desc, False))
    for parts, desc in ctx.webhook_definitions():
        served.setdefault(str(desc.get("deploymentName")), []).append((parts, desc, True))
    return served


def _where(parts: Parts) -> str:
    """``webhookdefinitions[2]``, ``apiservicedefinitions.owned[0]``: a description's
    path below ``spec`` as messages show it."""
    return ".".join(map(str, parts[1:-1])) + f"[{parts[-1]}]"


def _port_hits(
    ctx: BundleContext, service: str, entries: list[tuple[Parts, dict[str, Any], bool]]
) -> Iterator[Hit]:
    """Hits for the ports of ``service``: an APIService port or a target port out of
    range, or two entries with one port and different targets (two Service ports of one
    name)."""
    assert ctx.csv is not None
    targets: dict[int, tuple[Any, Parts]] = {}
    for parts, desc, webhook in entries:
        where = _where(parts)
        port = _port(desc.get("containerPort"))
        if port > PORT_MAX:
            if not webhook:  # a webhook's containerPort is bounded by the CSV CRD (CSV001)
                yield Hit(
                    message=f"{where}.containerPort {port} is above {PORT_MAX}: the API "
                    f"server refuses Service {service!r} and the install fails",
                    location=ctx.at(ctx.csv, (*parts, "containerPort")),
                )
            continue
        target = desc.get("targetPort") if webhook and "targetPort" in desc else port
        if isinstance(target, int) and not 0 < target <= PORT_MAX:
            yield Hit(
                message=f"{where}.targetPort {target} is not a port (1-{PORT_MAX}): the API "
                f"server refuses Service {service!r} and the install fails",
                location=ctx.at(ctx.csv, (*parts, "targetPort")),
            )
            continue
        if port not in targets:
            targets[port] = (target, parts)
        elif targets[port][0] != target:
            yield Hit(
                message=f"{where} serves port {port} with target {target!r}, but "
                f"{_where(targets[port][1])} serves it with target "
                f"{targets[port][0]!r}: OLM gives Service {service!r} two ports named "
                f"'{port}' and the API server refuses it",
                location=ctx.at(ctx.csv, (*parts, "targetPort" if webhook else "containerPort")),
                hint="use one targetPort per containerPort on a deployment",
            )


@rule(
    "INS003",
    severity=Severity.ERROR,
    summary="the Service OLM builds for a serving deployment is valid (DNS-1035 name, ports)",
    source=OLM + "pkg/controller/install/certresources.go installCertRequirementsForDeployment "
    "(ServiceName, getServicePorts, WithSelector(matchLabels)); Kubernetes "
    "pkg/apis/core/validation ValidateService",
)
def serving_service(ctx: BundleContext) -> Iterator[Hit]:
    """For each install strategy deployment that serves webhooks or APIServices, OLM
    applies a Service ``<deployment>-service`` with one port per distinct (containerPort,
    targetPort), named after the containerPort. The API server refuses the Service, and
    the install fails, when its name is not a DNS-1035 label (a deployment name with a
    dot, a leading digit, or more than 55 characters), a port is outside 1-65535, or two
    entries share a containerPort with different targetPorts (two ports of one name). The
    Service selects the deployment's pods by its selector's ``matchLabels`` only: without
    them it selects nothing and every webhook or APIService call fails."""
    if ctx.csv is None:
        return
    served = _served_by(ctx)
    seen: set[str] = set()
    for parts, deployment in ctx.deployments():
        name = deployment.get("name")
        if not isinstance(name, str) or name not in served or name in seen:
            continue
        seen.add(name)
        service = name + SERVICE_SUFFIX
        if problem := dns1035_label_problem(service):
            yield Hit(
                message=f"deployment {name!r} serves webhooks or APIServices, so OLM puts "
                f"Service {service!r} in front of it, which {problem}: the API server "
                "refuses the Service and the install fails",
                location=ctx.at(ctx.csv, (*parts, "name")),
                hint="rename the deployment (and every deploymentName naming it)",
            )
        if not get_path(deployment, ("spec", "selector", "matchLabels")):
            yield Hit(
                message=f"deployment {name!r} serves webhooks or APIServices but its selector "
                f"has no matchLabels: OLM copies only matchLabels into Service {service!r}, "
                "which then selects no pod, so every call to it fails",
                location=ctx.at(ctx.csv, (*parts, "spec", "selector")),
                hint="select the deployment's pods with matchLabels",
            )
        yield from _port_hits(ctx, service, served[name])


@rule(
    "INS004",
    severity=Severity.ERROR,
    summary="owned and required CRD names are `<plural>.<group>`",
    source=OLM + "pkg/controller/operators/olm/labeler.go apiSurfaceOfCSV (error parsing crd "
    "name; transitionCSVState stops before any phase)",
)
def crd_names(ctx: BundleContext) -> Iterator[Hit]:
    """On every sync OLM first splits each owned and required CRD name at its first dot
    into plural and group; a name without a dot makes that step fail, and OLM drops the
    sync with a log line: the CSV never gets a phase and nothing installs."""
    if ctx.csv is None:
        return
    for which in ("owned", "required"):
        for i, entry in enumerate(as_list(get_path(ctx.csv_data, (*CRDS, which)))):
            name = get_path(entry, ("name",))
            if isinstance(name, str) and "." not in name:
                yield Hit(
                    message=f"{which} CRD name {name!r} is not '<plural>.<group>': OLM cannot "
                    "parse it and never moves the CSV out of its first sync",
                    location=ctx.at(ctx.csv, (*CRDS, which, i, "name")),
                )


def _selects(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    """Whether a label selector (``matchLabels`` and ``matchExpressions`` with ``In``,
    ``NotIn``, ``Exists``, ``DoesNotExist``; k8s ``LabelSelectorAsSelector``) matches
    ``labels``; an operator it does not know counts as a match (the API server reports
    the selector itself)."""
    for key, value in as_dict(selector.get("matchLabels")).items():
        if key not in labels or labels[key] != value:
            return False
    for expression in as_list(selector.get("matchExpressions")):
        key = get_path(expression, ("key",))
        if not isinstance(key, str):
            continue
        operator = get_path(expression, ("operator",))
        values = as_list(get_path(expression, ("values",)))
        present = key in labels
        if (
            (operator == "In" and not (present and labels[key] in values))
            or (operator == "NotIn" and present and labels[key] in values)
            or (operator == "Exists" and not present)
            or (operator == "DoesNotExist" and present)
        ):
            return False
    return True


@rule(
    "INS005",
    severity=Severity.ERROR,
    summary="every deployment's selector is not empty and selects its pod template's labels",
    source=OLM + "pkg/controller/install/deployment.go installDeployments "
    "(CreateOrUpdateDeployment); Kubernetes pkg/apis/apps/validation ValidateDeploymentSpec "
    "(empty selector is invalid; selector does not match template labels)",
)
def deployment_selectors(ctx: BundleContext) -> Iterator[Hit]:
    """OLM creates each deployment as written: the API server refuses one whose selector
    has neither ``matchLabels`` nor ``matchExpressions`` ("empty selector is invalid for
    deployment") or does not match the labels of its own pod template ("`selector` does
    not match template `labels`"), and the install fails (ComponentFailed). A missing
    selector is CSV001's (required by the CSV CRD)."""
    if ctx.csv is None:
        return
    for parts, deployment in ctx.deployments():
        selector = get_path(deployment, ("spec", "selector"))
        if not isinstance(selector, dict):
            continue
        name = deployment.get("name")
        where = (*parts, "spec", "selector")
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            yield Hit(
                message=f"deployment {name!r} has an empty selector: the API server refuses "
                "the Deployment and the install fails",
                location=ctx.at(ctx.csv, where),
            )
            continue
        labels = as_dict(get_path(deployment, ("spec", "template", "metadata", "labels")))
        if not _selects(selector, labels):
            yield Hit(
                message=f"deployment {name!r}: its selector does not match its pod template "
                f"labels ({', '.join(f'{k}={v}' for k, v in labels.items()) or 'none'}): "
                "the API server refuses the Deployment and the install fails",
                location=ctx.at(ctx.csv, where),
                hint="give spec.template.metadata.labels every label the selector requires",
            )


#: The ServiceAccount every namespace has; OLM never creates it.
DEFAULT_ACCOUNT = "default"


@rule(
    "INS006",
    severity=Severity.WARNING,
    summary="every deployment's serviceAccountName is created with the install "
    "(permissions, clusterPermissions, a bundled ServiceAccount, or `default`)",
    source=OLM + "pkg/controller/registry/resolver/rbac.go RBACForClusterServiceVersion and "
    "steps.go NewServiceAccountStepResources (ServiceAccounts only for permissions and "
    "clusterPermissions); pkg/controller/install/deployment.go checkForDeployments",
)
def deployment_service_accounts(ctx: BundleContext) -> Iterator[Hit]:
    """The InstallPlan creates a ServiceAccount for each ``serviceAccountName`` of
    ``permissions`` and ``clusterPermissions`` (and the bundle's own ServiceAccount
    manifests), never for a deployment. A deployment running as another account gets no
    pods unless that account already exists in the namespace, so its Deployment never
    becomes available and the CSV fails its install check (a warning: the account may
    have been made beforehand)."""
    if ctx.csv is None:
        return
    spec = ctx.install_spec()
    created = {DEFAULT_ACCOUNT} | {
        name
        for scope in ("permissions", "clusterPermissions")
        for entry in as_list(spec.get(scope))
        if isinstance(name := get_path(entry, ("serviceAccountName",)), str)
    }
    created |= {
        name
        for _, data in ctx.objects()
        if data.get("kind") == "ServiceAccount"
        and isinstance(name := get_path(data, ("metadata", "name")), str)
    }
    for parts, pod in ctx.pod_specs():
        key = "serviceAccountName" if "serviceAccountName" in pod else "serviceAccount"
        account = pod.get(key)
        if not isinstance(account, str) or not account or account in created:
            continue
        deployment = get_path(ctx.csv_data, (*parts[:-3], "name"))
        yield Hit(
            message=f"deployment {deployment!r} runs as ServiceAccount {account!r}, which no "
            "permissions or clusterPermissions entry names and the bundle does not ship: OLM "
            "does not create it, so its pods cannot start unless it already exists",
            location=ctx.at(ctx.csv, (*parts, key)),
            hint=f"add a permissions entry with serviceAccountName: {account}",
        )


@rule(
    "INS007",
    severity=Severity.ERROR,
    summary="ServiceAccount names of permissions, clusterPermissions and deployments are "
    "DNS-1123 subdomains",
    source=OLM + "pkg/controller/registry/resolver/rbac.go RBACForClusterServiceVersion "
    "(a ServiceAccount per serviceAccountName); Kubernetes pkg/apis/core/validation "
    "ValidateServiceAccountName",
)
def service_account_names(ctx: BundleContext) -> Iterator[Hit]:
    """The InstallPlan creates a ServiceAccount named by each ``permissions`` and
    ``clusterPermissions`` entry, and each deployment's pods run as theirs: the API server
    refuses a ServiceAccount, or a Deployment, whose account name is empty or not a
    DNS-1123 subdomain, and the install fails."""
    if ctx.csv is None:
        return
    for scope in ("permissions", "clusterPermissions"):
        for i, entry in enumerate(as_list(ctx.install_spec().get(scope))):
            name = get_path(entry, ("serviceAccountName",))
            if isinstance(name, str) and (problem := dns1123_subdomain_problem(name)):
                yield Hit(
                    message=f"{scope}[{i}].serviceAccountName {name!r} {problem}: the "
                    "API server refuses the ServiceAccount OLM creates for it",
                    location=ctx.at(
                        ctx.csv, ("spec", "install", "spec", scope, i, "serviceAccountName")
                    ),
                )
    for parts, pod in ctx.pod_specs():
        name = pod.get("serviceAccountName")
        if isinstance(name, str) and name and (problem := dns1123_subdomain_problem(name)):
            yield Hit(
                message=f"deployment {get_path(ctx.csv_data, (*parts[:-3], 'name'))!r} runs "
                f"as ServiceAccount {name!r}, which {problem}: the API server refuses the "
                "Deployment",
                location=ctx.at(ctx.csv, (*parts, "serviceAccountName")),
            )
