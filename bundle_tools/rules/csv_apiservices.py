"""``APS`` rules: what OLM refuses or cannot build when it installs the APIServices of a
CSV's ``spec.apiservicedefinitions`` (aggregated API servers run by the operator).

Each rule is one rejection in OLM's code (operator-lifecycle-manager @992bb097):

- ``pkg/controller/operators/olm/requirements.go`` ``requirementStatus``: an owned
  APIService whose ``deploymentName`` is no deployment of the install strategy gets the
  status ``DeploymentNotFound``, and the CSV stays Pending (RequirementsNotMet);
- ``pkg/controller/install/apiservice.go`` ``createOrUpdateAPIService`` creates the
  APIService ``<version>.<group>``, which the API server validates (kube-aggregator
  ``pkg/apis/apiregistration/validation`` ``ValidateAPIService``: ``version`` a DNS-1035
  label, ``group`` a DNS-1123 subdomain, empty only for version ``v1``); a refusal fails
  the install (ComponentFailed);
- operator-framework/api ``ClusterServiceVersion.GetAllAPIServiceDescriptions`` (what
  ``pkg/controller/operators/olm/operator.go`` ``parseStrategiesAndUpdateStatus`` hands
  the installer) keeps one description per ``<version>.<group>``, the last owned one, and
  adds the *required* ones: the installer then creates or adopts a required APIService as
  if it were owned, and fails on one that another party serves ("pre-existing APIService
  ... is not adoptable", ``IsAPIServiceAdoptable``);
- ``pkg/controller/operators/olm/apiservices.go`` ``updateDeploymentSpecsWithAPIServiceData``
  reads the serving certificate Secret of every owned entry's deployment; a deployment
  whose entry lost to another for the same ``<version>.<group>`` has none, so the CSV
  never leaves Installing (NeedsReinstall, again and again).

The Service OLM builds per serving deployment (name, ports) is ``INS003``'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bundle_tools.csv_model import apiservice_name
from bundle_tools.findings import Severity
from bundle_tools.names import dns1035_label_problem, dns1123_subdomain_problem
from bundle_tools.rules import Hit, rule

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext

OLM = "operator-lifecycle-manager "
API = "operator-framework/api "
#: The one version an APIService without a group may have (the legacy core API).
CORE_VERSION = "v1"


@rule(
    "APS001",
    severity=Severity.ERROR,
    summary="every owned APIService's deploymentName names a deployment of the install strategy",
    source=OLM + "pkg/controller/operators/olm/requirements.go requirementStatus "
    "(DeploymentNotFound, CSV Pending with RequirementsNotMet)",
)
def apiservice_deployment(ctx: BundleContext) -> Iterator[Hit]:
    """OLM's requirement check looks up each owned APIService's ``deploymentName`` among
    the install strategy's deployments; when it is not there (or not set) the requirement
    is ``DeploymentNotFound`` and the CSV stays Pending for good."""
    if ctx.csv is None:
        return
    owned = ctx.apiservice_definitions("owned")
    for parts, desc, phrase in ctx.stray_deployment_names(owned):
        yield Hit(
            message=f"owned APIService {apiservice_name(desc)} ({desc.get('kind')}) has "
            f"{phrase}: OLM reports DeploymentNotFound and the CSV stays Pending "
            "(RequirementsNotMet)",
            location=ctx.at(ctx.csv, parts),
        )


def _group_version_problem(desc: dict[str, Any]) -> tuple[str, str] | None:
    """``(key, reason)`` of the first field of ``desc`` that kube-aggregator's
    ``ValidateAPIService`` refuses in the APIService OLM builds, or ``None``; fields that
    are not strings are the schema rule's (CSV001)."""
    group, version = desc.get("group"), desc.get("version")
    if isinstance(version, str) and (problem := dns1035_label_problem(version)):
        return "version", f"version {version!r} {problem}"
    if not isinstance(group, str):
        return None
    if not group and version != CORE_VERSION:
        return "group", f"an empty group is allowed only with version {CORE_VERSION!r}"
    if group and (problem := dns1123_subdomain_problem(group)):
        return "group", f"group {group!r} {problem}"
    return None


@rule(
    "APS002",
    severity=Severity.ERROR,
    summary="every owned APIService has a group and version the API server accepts",
    source=OLM + "pkg/controller/install/apiservice.go createOrUpdateAPIService; "
    "kubernetes kube-aggregator pkg/apis/apiregistration/validation ValidateAPIService",
)
def apiservice_group_version(ctx: BundleContext) -> Iterator[Hit]:
    """OLM creates the APIService ``<version>.<group>`` with the entry's group and
    version; the API server refuses a version that is not a DNS-1035 label (``v1beta1``),
    a group that is not a DNS-1123 subdomain, and an empty group unless the version is
    ``v1``. The install then fails (ComponentFailed)."""
    if ctx.csv is None:
        return
    for parts, desc in ctx.apiservice_definitions("owned"):
        problem = _group_version_problem(desc)
        if problem is None:
            continue
        key, reason = problem
        yield Hit(
            message=f"owned APIService {apiservice_name(desc)} ({desc.get('kind')}): "
            f"{reason}: the API server refuses the APIService and the install fails",
            location=ctx.at(ctx.csv, (*parts, key)),
        )


@rule(
    "APS003",
    severity=Severity.ERROR,
    summary="owned APIServices of one group and version share one deploymentName and containerPort",
    source=API + "pkg/operators/v1alpha1/clusterserviceversion_types.go "
    "GetAllAPIServiceDescriptions (one per <version>.<group>, the last wins); "
    + OLM
    + "pkg/controller/operators/olm/apiservices.go updateDeploymentSpecsWithAPIServiceData",
)
def shared_apiservice(ctx: BundleContext) -> Iterator[Hit]:
    """Kinds of one group and version are served by one APIService, so OLM keeps only the
    last owned entry of each ``<version>.<group>`` and serves it from that entry's
    deployment and port. An earlier entry naming another deployment leaves that deployment
    without a serving certificate, and OLM's install check, which wants one for every
    owned entry, sends the CSV back to Pending (NeedsReinstall) for ever (an error; only a
    warning when a webhook of that deployment makes OLM create the certificate anyway). An
    earlier entry with another ``containerPort`` is ignored (a warning)."""
    if ctx.csv is None:
        return
    serving = ctx.installed_apiservices()
    descriptions = [*serving.values(), *ctx.webhook_definitions()]
    certified = {n for _, d in descriptions if isinstance(n := d.get("deploymentName"), str)}
    for parts, desc in ctx.apiservice_definitions("owned"):
        name = apiservice_name(desc)
        last_parts, last = serving[name]
        if last_parts == parts:
            continue
        where = f"owned APIService {name} ({desc.get('kind')})"
        deployment, kept = desc.get("deploymentName"), last.get("deploymentName")
        if deployment != kept:
            certificate = isinstance(deployment, str) and deployment in certified
            yield Hit(
                message=f"{where} names deployment {deployment!r}, but OLM serves {name} "
                f"from {kept!r}, the deployment of its last entry"
                + (
                    ""
                    if certificate
                    else f": {deployment!r} gets no serving certificate and the CSV never "
                    "leaves Installing (NeedsReinstall)"
                ),
                location=ctx.at(ctx.csv, (*parts, "deploymentName")),
                severity=Severity.WARNING if certificate else None,
                hint="serve every kind of one group and version from one deployment",
            )
        elif desc.get("containerPort") != last.get("containerPort"):
            yield Hit(
                message=f"{where} sets containerPort {desc.get('containerPort')!r}, but OLM "
                f"serves {name} on {last.get('containerPort')!r}, the port of its last entry",
                location=ctx.at(ctx.csv, (*parts, "containerPort")),
                severity=Severity.WARNING,
            )


@rule(
    "APS004",
    severity=Severity.ERROR,
    summary="no required APIService that the CSV does not also own",
    source=API + "pkg/operators/v1alpha1/clusterserviceversion_types.go "
    "GetAllAPIServiceDescriptions (owned and required); "
    + OLM
    + "pkg/controller/install/deployment.go createOrUpdateCertResourcesForDeployment, "
    "pkg/controller/install/apiservice.go createOrUpdateAPIService (IsAPIServiceAdoptable)",
)
def required_apiservice(ctx: BundleContext) -> Iterator[Hit]:
    """OLM waits until each required APIService exists and is Available; its installer,
    which receives required and owned descriptions alike (sorted by name), then creates
    the first deployment and updates every description's APIService as if the CSV owned
    it. An APIService served by someone else (no OLM owner labels of this CSV or the one
    it replaces) is "not adoptable": the install stops there (ComponentFailed), so the
    other deployments, the owned APIServices after it and the webhooks are never created
    and the CSV never reaches Succeeded (an error). With one deployment and nothing after
    it, OLM's check of the Failed CSV later finds the deployment running and marks it
    Succeeded (a warning)."""
    if ctx.csv is None or not ctx.deployment_names():
        return
    serving = ctx.installed_apiservices()
    foreign = sorted(name for name, (parts, _) in serving.items() if parts[2] == "required")
    if not foreign:
        return
    blocked = [
        *(f"APIService {n}" for n in sorted(serving) if n > foreign[0] and n not in foreign),
        *(f"webhook {d.get('generateName')}" for _, d in ctx.webhook_definitions()),
        *(f"deployment {d.get('name')}" for _, d in list(ctx.deployments())[1:]),
    ]
    consequence = (
        f"the install stops there and never creates {', '.join(blocked)}: the CSV never "
        "reaches Succeeded"
        if blocked
        else "the install fails once (ComponentFailed) before OLM finds the one deployment "
        "running and marks the CSV Succeeded"
    )
    for name in foreign:
        parts, desc = serving[name]
        yield Hit(
            message=f"required APIService {name} ({desc.get('kind')}): OLM's installer "
            f"updates it as if the CSV owned it, which fails when another party serves it "
            f"('pre-existing APIService {name} is not adoptable'): {consequence}",
            location=ctx.at(ctx.csv, parts),
            severity=None if blocked else Severity.WARNING,
            hint="list the API under spec.nativeAPIs instead: OLM only checks that it is served",
        )
