"""``KUBE001``: no manifest or CSV API reference uses a Kubernetes API that is removed (or
deprecated) in the Kubernetes releases the bundle targets.

Sources: the Kubernetes Deprecated API Migration Guide
(https://kubernetes.io/docs/reference/using-api/deprecation-guide/), every removal from
v1.16 to v1.32 (see :data:`LIFECYCLES` for how each row was checked), a superset of what
operator-framework/api models (``pkg/validation/internal/removed_apis.go``:
``getRemovedAPIsOn1_22From``, ``_1_25From``, ``_1_26From``, which ``operator-sdk bundle
validate`` runs); the certified
operator guide, "Managing OpenShift Versions", for ``com.redhat.openshift.versions``;
operator-lifecycle-manager ``pkg/controller/operators/openshift/helpers.go``
``MaxOpenShiftVersion`` for the ``olm.maxOpenShiftVersion`` property (blang ``ParseTolerant``).

What is checked, each at the spelling that names the API (file:line:col):

- every manifest object's ``apiVersion`` + ``kind`` (a ``v1beta1`` CustomResourceDefinition,
  a ``policy/v1beta1`` PodDisruptionBudget...);
- the CSV's ``spec.nativeAPIs[]`` (``group``/``version``/``kind``) and its owned and
  required CRD descriptions (group from the name after its first dot, ``version``, ``kind``).

The targeted Kubernetes minors form a range ``[low, high]``: OpenShift 4.N is Kubernetes
1.(N+13) from 4.3 on, 4.1 and 4.2 are 1.13 and 1.14 (:func:`kube_minor`).
``com.redhat.openshift.versions`` gives ``v4.N`` (4.N and later), ``=v4.N`` (4.N only),
``v4.N-v4.M`` (both included) or the legacy comma list (its lowest version and later); the
``olm.maxOpenShiftVersion`` property of the CSV ``olm.properties`` annotation caps
``high`` (OLM blocks cluster upgrades past it); ``spec.minKubeVersion`` raises ``low``.

Severity, per API found (removed in 1.R, deprecated since 1.D):

- error when the declared range reaches 1.R: an OpenShift label or ``maxOpenShiftVersion``
  is declared and ``high`` is unbounded or ``>= R``, or ``low >= R`` (no targeted release
  serves the API). The bundle is published to, or installs on, a cluster that refuses it.
- warning when the range is declared and reaches 1.D but stops before 1.R (the API is
  only deprecated there), and when no upper end is declared at all (no OpenShift label,
  no ``maxOpenShiftVersion``: only ``minKubeVersion`` or nothing): like operator-sdk, the
  bundle claims every later release, but its author has not said it ships to one without
  the API, so the finding asks rather than blocks.
- nothing when the declared range ends before 1.D.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bundle_tools.csv_model import as_dict, as_list, get_path
from bundle_tools.findings import Severity
from bundle_tools.rules import Hit, rule
from bundle_tools.versions import parse_go_semver, parse_tolerant

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext
    from bundle_tools.yamlio import Document


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """When Kubernetes 1.x deprecated (``deprecated``) and stopped serving (``removed``)
    one kind at one API version; ``replacement`` the API version to migrate to (``""``:
    none in Kubernetes), ``section`` the anchor of the deprecation guide's section."""

    deprecated: int
    removed: int
    replacement: str
    section: str


#: ``(apiVersion, kind)`` -> :class:`Lifecycle`, every removal of the Kubernetes
#: Deprecated API Migration Guide (https://kubernetes.io/docs/reference/using-api/
#: deprecation-guide/, sections v1.16 to v1.32): removed-in, replacement and section from
#: the guide. The guide gives no deprecated-in; that is the minor the API server starts
#: answering with a deprecation warning, the ``APILifecycleDeprecated`` of k8s.io/api's
#: ``zz_generated.prerelease-lifecycle.go`` for the kind (read in the copies vendored by
#: operator-lifecycle-manager master and, for the kinds k8s.io/api has since deleted,
#: operator-registry v1.26.5's k8s.io/api v0.26.1; apiextensions-apiserver and
#: kube-aggregator for CRDs and APIServices). Where the two disagree on removal, the
#: guide wins: none do. Two rows the guide's sections do not name: extensions/v1beta1
#: PodSecurityPolicy (removed in 1.16 per its lifecycle tags; the guide's v1.16 section
#: omits it) and apps/v1beta1 ReplicaSet (named by the guide's v1.16 section, though
#: k8s.io/api never defined that type; deprecated-in taken from apps/v1beta1's 1.8).
#: One replacement is not the guide's: its v1.26 section sends flowcontrol v1beta1 to
#: v1beta2, itself removed in 1.29; the row gives v1beta3, the lifecycle tags' choice.
#: Verified row by row against the guide (kubernetes/website
#: ``content/en/docs/reference/using-api/deprecation-guide.md``, sections v1.16-v1.32).
_TABLE = """\
[networkpolicy-v116]
extensions/v1beta1                   NetworkPolicy                   9 16 networking.k8s.io/v1
[daemonset-v116]
extensions/v1beta1                   DaemonSet                       8 16 apps/v1
apps/v1beta2                         DaemonSet                       9 16 v1
[deployment-v116]
extensions/v1beta1                   Deployment                      8 16 apps/v1
apps/v1beta1                         Deployment                      8 16 v1
apps/v1beta2                         Deployment                      9 16 v1
[statefulset-v116]
apps/v1beta1                         StatefulSet                     8 16 v1
apps/v1beta2                         StatefulSet                     9 16 v1
[replicaset-v116]
extensions/v1beta1                   ReplicaSet                      8 16 apps/v1
apps/v1beta1                         ReplicaSet                      8 16 v1
apps/v1beta2                         ReplicaSet                      9 16 v1
[v1-16]
extensions/v1beta1                   PodSecurityPolicy              11 16 policy/v1beta1
[webhook-resources-v122]
admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration   16 22 v1
admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration 16 22 v1
[customresourcedefinition-v122]
apiextensions.k8s.io/v1beta1         CustomResourceDefinition       16 22 v1
[apiservice-v122]
apiregistration.k8s.io/v1beta1       APIService                     19 22 v1
[tokenreview-v122]
authentication.k8s.io/v1beta1        TokenReview                    19 22 v1
[subjectaccessreview-resources-v122]
authorization.k8s.io/v1beta1         LocalSubjectAccessReview       19 22 v1
authorization.k8s.io/v1beta1         SelfSubjectAccessReview        19 22 v1
authorization.k8s.io/v1beta1         SubjectAccessReview            19 22 v1
authorization.k8s.io/v1beta1         SelfSubjectRulesReview         19 22 v1
[certificatesigningrequest-v122]
certificates.k8s.io/v1beta1          CertificateSigningRequest      19 22 v1
[lease-v122]
coordination.k8s.io/v1beta1          Lease                          19 22 v1
[ingress-v122]
extensions/v1beta1                   Ingress                        14 22 networking.k8s.io/v1
networking.k8s.io/v1beta1            Ingress                        19 22 v1
[ingressclass-v122]
networking.k8s.io/v1beta1            IngressClass                   19 22 v1
[rbac-resources-v122]
rbac.authorization.k8s.io/v1beta1    ClusterRole                    17 22 v1
rbac.authorization.k8s.io/v1beta1    ClusterRoleBinding             17 22 v1
rbac.authorization.k8s.io/v1beta1    Role                           17 22 v1
rbac.authorization.k8s.io/v1beta1    RoleBinding                    17 22 v1
[priorityclass-v122]
scheduling.k8s.io/v1beta1            PriorityClass                  14 22 v1
[storage-resources-v122]
storage.k8s.io/v1beta1               CSIDriver                      19 22 v1
storage.k8s.io/v1beta1               CSINode                        17 22 v1
storage.k8s.io/v1beta1               StorageClass                   19 22 v1
storage.k8s.io/v1beta1               VolumeAttachment               19 22 v1
[cronjob-v125]
batch/v1beta1                        CronJob                        21 25 v1
[endpointslice-v125]
discovery.k8s.io/v1beta1             EndpointSlice                  21 25 v1
[event-v125]
events.k8s.io/v1beta1                Event                          22 25 v1
[horizontalpodautoscaler-v125]
autoscaling/v2beta1                  HorizontalPodAutoscaler        22 25 v2
[poddisruptionbudget-v125]
policy/v1beta1                       PodDisruptionBudget            21 25 v1
[psp-v125]
policy/v1beta1                       PodSecurityPolicy              21 25 -
[runtimeclass-v125]
node.k8s.io/v1beta1                  RuntimeClass                   22 25 v1
[flowcontrol-resources-v126]
flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema                     23 26 v1beta3
flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration     23 26 v1beta3
[horizontalpodautoscaler-v126]
autoscaling/v2beta2                  HorizontalPodAutoscaler        23 26 v2
[csistoragecapacity-v127]
storage.k8s.io/v1beta1               CSIStorageCapacity             24 27 v1
[flowcontrol-resources-v129]
flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema                     26 29 v1
flowcontrol.apiserver.k8s.io/v1beta2 PriorityLevelConfiguration     26 29 v1
[flowcontrol-resources-v132]
flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema                     29 32 v1
flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration     29 32 v1
"""


def _parse_table(text: str) -> dict[tuple[str, str], Lifecycle]:
    """:data:`LIFECYCLES` from :data:`_TABLE`: ``[section]`` lines name the guide's
    section of the rows below them; a row is ``apiVersion kind deprecated removed
    replacement``, the replacement a version of the same group (``v1``), another
    ``group/version``, or ``-`` for none."""
    table, section = {}, ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
            continue
        api_version, kind, deprecated, removed, replacement = line.split()
        group = api_version.rpartition("/")[0]
        if replacement == "-":
            replacement = ""
        elif "/" not in replacement:
            replacement = f"{group}/{replacement}"
        table[api_version, kind] = Lifecycle(int(deprecated), int(removed), replacement, section)
    return table


LIFECYCLES: dict[tuple[str, str], Lifecycle] = _parse_table(_TABLE)

GUIDE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"
OPENSHIFT_VERSIONS_KEY = "com.redhat.openshift.versions"
MAX_OPENSHIFT_VERSION = "olm.maxOpenShiftVersion"
#: OpenShift 4.N ships Kubernetes 1.(N + 13) from 4.3 on (4.3: 1.16, 4.9: 1.22, 4.12:
#: 1.25, 4.16: 1.29); 4.1 and 4.2 shipped 1.13 and 1.14 (Red Hat knowledge base, "What
#: version of the Kubernetes API is included with each OpenShift 4.x release?").
OPENSHIFT_TO_KUBE = 13
_EARLY_OPENSHIFT = {1: 13, 2: 14}


def kube_minor(openshift_minor: int) -> int:
    """The Kubernetes 1.x minor OpenShift 4.``openshift_minor`` ships."""
    return _EARLY_OPENSHIFT.get(openshift_minor, openshift_minor + OPENSHIFT_TO_KUBE)


def first_openshift(kube: int) -> int:
    """The first OpenShift 4.x minor that ships Kubernetes 1.``kube`` or later."""
    return next(n for n in range(1, kube + 1) if kube_minor(n) >= kube)


_OPENSHIFT = re.compile(r"v?4\.(\d+)")


def lifecycle(api_version: str, kind: str) -> tuple[int, int] | None:
    """``(deprecated minor, removed minor)`` of Kubernetes 1.x for ``api_version``
    (``group/version``, or ``version`` for the core group) and ``kind``; ``None`` when
    the API is served by every release (or is not a Kubernetes API)."""
    known = LIFECYCLES.get((api_version, kind))
    return None if known is None else (known.deprecated, known.removed)


@dataclass(frozen=True, slots=True)
class Target:
    """The Kubernetes 1.x minors a bundle targets: ``low`` (``None``: any), ``high``
    (``None``: unbounded), ``declared`` when an OpenShift label or ``maxOpenShiftVersion``
    says where the bundle ships, ``what`` the words naming where the range comes from."""

    low: int | None
    high: int | None
    declared: bool
    what: str


def _openshift_minor(text: str) -> int | None:
    """The N of ``v4.N`` (``None`` when ``text`` is not that shape)."""
    match = _OPENSHIFT.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def openshift_range(value: str) -> tuple[int, int | None] | None:
    """``(low, high)`` OpenShift 4.x minors of a ``com.redhat.openshift.versions`` value
    (``high`` ``None``: that release and later); ``None`` when unparseable."""
    text = value.strip()
    if text.startswith("="):
        only = _openshift_minor(text[1:])
        return None if only is None else (only, only)
    if "," in text:
        minors = [_openshift_minor(part) for part in text.split(",")]
        return None if None in minors else (min(m for m in minors if m is not None), None)
    low, dash, high = text.partition("-")
    first, last = _openshift_minor(low), _openshift_minor(high) if dash else None
    if first is None or (dash and last is None):
        return None
    return first, last


def max_openshift_minor(annotations: dict[str, Any]) -> int | None:
    """The OpenShift 4.x minor of the ``olm.maxOpenShiftVersion`` property in the CSV
    ``olm.properties`` annotation (a JSON list of ``{type, value}``), read as OLM reads
    it (blang ``ParseTolerant``); ``None`` when absent or unreadable."""
    raw = annotations.get("olm.properties")
    try:
        properties = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    for prop in as_list(properties):
        if as_dict(prop).get("type") == MAX_OPENSHIFT_VERSION:
            try:
                version = parse_tolerant(str(as_dict(prop).get("value")))
            except ValueError:
                return None
            return version.minor if version.major == 4 else None
    return None


def target(ctx: BundleContext) -> Target:
    """The Kubernetes range ``ctx``'s bundle targets (see the module docstring)."""
    low: int | None = None
    high: int | None = None
    declared, what = False, []
    label = ctx.bundle.annotation_values.get(OPENSHIFT_VERSIONS_KEY)
    parsed = openshift_range(label) if isinstance(label, str) else None
    if parsed is not None:
        low = kube_minor(parsed[0])
        high = None if parsed[1] is None else kube_minor(parsed[1])
        declared = True
        what.append(f"{OPENSHIFT_VERSIONS_KEY} {label!r}")
    cap = max_openshift_minor(ctx.csv_annotations())
    if cap is not None:
        capped = kube_minor(cap)
        high = capped if high is None else min(high, capped)
        declared = True
        what.append(f"{MAX_OPENSHIFT_VERSION} 4.{cap}")
    min_kube = get_path(ctx.csv_data, ("spec", "minKubeVersion"))
    if isinstance(min_kube, str):
        try:
            major, minor, _ = parse_go_semver(min_kube.removeprefix("v"))
        except ValueError:
            major = 0
        if major == 1 and (low is None or minor > low):
            low = minor
            what.append(f"minKubeVersion {min_kube}")
    return Target(low, high, declared, ", ".join(what) or "no declared target")


def _span(tgt: Target) -> str:
    """The range as Kubernetes releases (``1.22-1.25``, ``1.22+``, ``any release``)."""
    low = f"1.{tgt.low}" if tgt.low is not None else "1.0"
    if tgt.high is None:
        if tgt.low is None:
            return "any Kubernetes release"
        return f"Kubernetes {low}+"
    return f"Kubernetes {low}-1.{tgt.high}"


def judge(tgt: Target, deprecated: int, removed: int) -> Severity | None:
    """The severity of using an API deprecated in 1.``deprecated`` and removed in
    1.``removed`` across ``tgt`` (see the module docstring); ``None``: nothing to say."""
    if tgt.low is not None and tgt.low >= removed:
        return Severity.ERROR
    if tgt.declared:
        if tgt.high is None or tgt.high >= removed:
            return Severity.ERROR
        return Severity.WARNING if tgt.high >= deprecated else None
    return Severity.WARNING


def _references(ctx: BundleContext) -> Iterator[tuple[Document, tuple[str | int, ...], str, str]]:
    """``(document, path of the version spelling, apiVersion, kind)`` of every API the
    bundle uses: each manifest object, each CSV ``nativeAPIs`` entry and each owned or
    required CRD description."""
    for doc, data in ctx.objects():
        api_version, kind = data.get("apiVersion"), data.get("kind")
        if isinstance(api_version, str) and isinstance(kind, str):
            yield doc, ("apiVersion",), api_version, kind
    if ctx.csv is None:
        return
    spec = as_dict(ctx.csv_data.get("spec"))
    for i, api in enumerate(as_list(spec.get("nativeAPIs"))):
        group, version, kind = (as_dict(api).get(k) for k in ("group", "version", "kind"))
        if isinstance(version, str) and isinstance(kind, str):
            gv = f"{group}/{version}" if group else version
            yield ctx.csv, ("spec", "nativeAPIs", i, "version"), gv, kind
    crds = as_dict(spec.get("customresourcedefinitions"))
    for section in ("owned", "required"):
        for i, crd in enumerate(as_list(crds.get(section))):
            name, version, kind = (as_dict(crd).get(k) for k in ("name", "version", "kind"))
            if isinstance(name, str) and isinstance(version, str) and isinstance(kind, str):
                group = name.partition(".")[2]
                path = ("spec", "customresourcedefinitions", section, i, "version")
                yield ctx.csv, path, f"{group}/{version}", kind


@rule(
    "KUBE001",
    severity=Severity.ERROR,
    summary="no manifest, nativeAPIs entry or CRD description uses a Kubernetes API removed "
    "in the targeted releases (OpenShift label, maxOpenShiftVersion, minKubeVersion); "
    "warning when only deprecated there or when no upper end is declared",
    source="Kubernetes Deprecated API Migration Guide (v1.16-v1.32 removals) and k8s.io/api "
    "zz_generated.prerelease-lifecycle.go (deprecated-in); operator-framework/api "
    "pkg/validation/internal/removed_apis.go (getRemovedAPIsOn1_22From/_1_25From/_1_26From); "
    "certified operator guide 'Managing OpenShift Versions'; operator-lifecycle-manager "
    "pkg/controller/operators/openshift/helpers.go MaxOpenShiftVersion",
)
def removed_apis(ctx: BundleContext) -> Iterator[Hit]:
    """One hit per API reference whose lifecycle meets the bundle's target range."""
    tgt = target(ctx)
    for doc, parts, api_version, kind in _references(ctx):
        known = LIFECYCLES.get((api_version, kind))
        if known is None:
            continue
        severity = judge(tgt, known.deprecated, known.removed)
        if severity is None:
            continue
        state = (
            f"deprecated since Kubernetes 1.{known.deprecated} (removed in 1.{known.removed}, "
            "after the targeted releases)"
            if tgt.high is not None and tgt.high < known.removed
            else f"removed in Kubernetes 1.{known.removed}"
        )
        action = (
            f"migrate {kind} to {known.replacement}"
            if known.replacement
            else f"remove the {kind}: Kubernetes has no replacement API"
        )
        yield Hit(
            message=f"{kind} {api_version} is {state}; the bundle targets {_span(tgt)} "
            f"({tgt.what})",
            location=ctx.at(doc, parts),
            hint=f"{action} (deprecation guide: {GUIDE}#{known.section})"
            + (
                ""
                if tgt.declared
                else f", or declare {OPENSHIFT_VERSIONS_KEY} / {MAX_OPENSHIFT_VERSION} below "
                f"OpenShift 4.{first_openshift(known.removed)}"
            ),
            severity=severity,
        )
