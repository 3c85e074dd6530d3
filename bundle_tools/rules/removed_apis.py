"""``KUBE001``: no manifest or CSV API reference uses a Kubernetes API that is removed (or
deprecated) in the Kubernetes releases the bundle targets.

Sources: the Kubernetes deprecated API migration guide
(https://kubernetes.io/docs/reference/using-api/deprecation-guide/) as operator-framework/api
models it (``pkg/validation/internal/removed_apis.go``: ``getRemovedAPIsOn1_22From``,
``_1_25From``, ``_1_26From``, which ``operator-sdk bundle validate`` runs), extended with the
guide's later removals (1.27, 1.29, 1.32) and its earlier ones (1.16); the certified
operator guide, "Managing OpenShift Versions", for ``com.redhat.openshift.versions``;
operator-lifecycle-manager ``pkg/controller/operators/openshift/helpers.go``
``MaxOpenShiftVersion`` for the ``olm.maxOpenShiftVersion`` property (blang ``ParseTolerant``).

What is checked, each at the spelling that names the API (file:line:col):

- every manifest object's ``apiVersion`` + ``kind`` (a ``v1beta1`` CustomResourceDefinition,
  a ``policy/v1beta1`` PodDisruptionBudget...);
- the CSV's ``spec.nativeAPIs[]`` (``group``/``version``/``kind``) and its owned and
  required CRD descriptions (group from the name after its first dot, ``version``, ``kind``).

The targeted Kubernetes minors form a range ``[low, high]``: OpenShift 4.N is Kubernetes
1.(N+13). ``com.redhat.openshift.versions`` gives ``v4.N`` (4.N and later), ``=v4.N`` (4.N
only), ``v4.N-v4.M`` (both included) or the legacy comma list (its lowest version and
later); the ``olm.maxOpenShiftVersion`` property of the CSV ``olm.properties`` annotation
caps ``high`` (OLM blocks cluster upgrades past it); ``spec.minKubeVersion`` raises ``low``.

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

#: ``group/version`` -> (kinds, deprecated in minor, removed in minor) of Kubernetes 1.x,
#: from the deprecation guide. The empty group is the core group.
REMOVED: dict[str, tuple[frozenset[str], int, int]] = {
    "extensions/v1beta1": (
        frozenset({"DaemonSet", "Deployment", "ReplicaSet", "NetworkPolicy", "PodSecurityPolicy"}),
        9,
        16,
    ),
    "apps/v1beta1": (frozenset({"Deployment", "StatefulSet", "ReplicaSet"}), 9, 16),
    "apps/v1beta2": (frozenset({"DaemonSet", "Deployment", "StatefulSet", "ReplicaSet"}), 9, 16),
    "admissionregistration.k8s.io/v1beta1": (
        frozenset({"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}),
        16,
        22,
    ),
    "apiextensions.k8s.io/v1beta1": (frozenset({"CustomResourceDefinition"}), 16, 22),
    "apiregistration.k8s.io/v1beta1": (frozenset({"APIService"}), 19, 22),
    "authentication.k8s.io/v1beta1": (frozenset({"TokenReview"}), 19, 22),
    "authorization.k8s.io/v1beta1": (
        frozenset({"LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview"}),
        19,
        22,
    ),
    "certificates.k8s.io/v1beta1": (frozenset({"CertificateSigningRequest"}), 19, 22),
    "coordination.k8s.io/v1beta1": (frozenset({"Lease"}), 19, 22),
    "networking.k8s.io/v1beta1": (frozenset({"Ingress", "IngressClass"}), 19, 22),
    "rbac.authorization.k8s.io/v1beta1": (
        frozenset({"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}),
        17,
        22,
    ),
    "scheduling.k8s.io/v1beta1": (frozenset({"PriorityClass"}), 14, 22),
    "batch/v1beta1": (frozenset({"CronJob"}), 21, 25),
    "discovery.k8s.io/v1beta1": (frozenset({"EndpointSlice"}), 21, 25),
    "events.k8s.io/v1beta1": (frozenset({"Event"}), 19, 25),
    "autoscaling/v2beta1": (frozenset({"HorizontalPodAutoscaler"}), 22, 25),
    "policy/v1beta1": (frozenset({"PodDisruptionBudget", "PodSecurityPolicy"}), 21, 25),
    "node.k8s.io/v1beta1": (frozenset({"RuntimeClass"}), 20, 25),
    "autoscaling/v2beta2": (frozenset({"HorizontalPodAutoscaler"}), 23, 26),
    "flowcontrol.apiserver.k8s.io/v1beta1": (
        frozenset({"FlowSchema", "PriorityLevelConfiguration"}),
        23,
        26,
    ),
    "storage.k8s.io/v1beta1": (
        frozenset({"CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"}),
        19,
        22,
    ),
    "flowcontrol.apiserver.k8s.io/v1beta2": (
        frozenset({"FlowSchema", "PriorityLevelConfiguration"}),
        26,
        29,
    ),
    "flowcontrol.apiserver.k8s.io/v1beta3": (
        frozenset({"FlowSchema", "PriorityLevelConfiguration"}),
        29,
        32,
    ),
}
#: storage.k8s.io/v1beta1 CSIStorageCapacity outlived the rest of its group version.
_LATE_REMOVALS: dict[tuple[str, str], tuple[int, int]] = {
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): (24, 27),
}

OPENSHIFT_VERSIONS_KEY = "com.redhat.openshift.versions"
MAX_OPENSHIFT_VERSION = "olm.maxOpenShiftVersion"
#: OpenShift 4.N ships Kubernetes 1.(N + 13).
OPENSHIFT_TO_KUBE = 13
_OPENSHIFT = re.compile(r"v?4\.(\d+)")


def lifecycle(api_version: str, kind: str) -> tuple[int, int] | None:
    """``(deprecated minor, removed minor)`` of Kubernetes 1.x for ``api_version``
    (``group/version``, or ``version`` for the core group) and ``kind``; ``None`` when
    the API is served by every release (or is not a Kubernetes API)."""
    late = _LATE_REMOVALS.get((api_version, kind))
    if late is not None:
        return late
    entry = REMOVED.get(api_version)
    if entry is None or kind not in entry[0]:
        return None
    return entry[1], entry[2]


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
        low = parsed[0] + OPENSHIFT_TO_KUBE
        high = None if parsed[1] is None else parsed[1] + OPENSHIFT_TO_KUBE
        declared = True
        what.append(f"{OPENSHIFT_VERSIONS_KEY} {label!r}")
    cap = max_openshift_minor(ctx.csv_annotations())
    if cap is not None:
        capped = cap + OPENSHIFT_TO_KUBE
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
    source="Kubernetes deprecation guide as modelled by operator-framework/api "
    "pkg/validation/internal/removed_apis.go (getRemovedAPIsOn1_22From/_1_25From/_1_26From); "
    "certified operator guide 'Managing OpenShift Versions'; operator-lifecycle-manager "
    "pkg/controller/operators/openshift/helpers.go MaxOpenShiftVersion",
)
def removed_apis(ctx: BundleContext) -> Iterator[Hit]:
    """One hit per API reference whose lifecycle meets the bundle's target range."""
    tgt = target(ctx)
    for doc, parts, api_version, kind in _references(ctx):
        known = lifecycle(api_version, kind)
        if known is None:
            continue
        deprecated, removed = known
        severity = judge(tgt, deprecated, removed)
        if severity is None:
            continue
        state = (
            f"deprecated since Kubernetes 1.{deprecated} (removed in 1.{removed}, after the "
            "targeted releases)"
            if tgt.high is not None and tgt.high < removed
            else f"removed in Kubernetes 1.{removed}"
        )
        yield Hit(
            message=f"{kind} {api_version} is {state}; the bundle targets {_span(tgt)} "
            f"({tgt.what})",
            location=ctx.at(doc, parts),
            hint=f"migrate {kind} to a served API version (deprecation guide: "
            f"https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v1-{removed})"
            + (
                ""
                if tgt.declared
                else f", or declare {OPENSHIFT_VERSIONS_KEY} / {MAX_OPENSHIFT_VERSION} below "
                f"OpenShift 4.{removed - OPENSHIFT_TO_KUBE}"
            ),
            severity=severity,
        )
