"""``CSV`` rules: what OLM reads from a ClusterServiceVersion beyond its schema.

Release fields (``spec.version``, ``metadata.name``, ``spec.replaces``, ``spec.skips``,
``olm.skipRange``, ``minKubeVersion``), install modes, ``alm-examples``, annotation value
types, owned CRDs against the bundled CRD manifests, the install strategy's deployments,
RBAC scope and ``spec.relatedImages``.

PASS: ``spec.version: 1.2.0``, ``metadata.name: widget.v1.2.0``,
``olm.skipRange: '>=1.0.0 <1.2.0'``, all four installModes listed.
FAIL: ``spec.version: v1.2.0``; ``olm.skipRange: '>=1.0.0 <v1.2.0'``;
``features.operators.openshift.io/token-auth-aws: false`` (a YAML boolean);
``nodes`` under namespaced ``permissions``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bundle_tools.bundle import PACKAGE_KEY
from bundle_tools.csv_model import as_list, get_path
from bundle_tools.findings import Severity
from bundle_tools.goyaml import GO_BOOLEANS
from bundle_tools.imageref import reference_problem
from bundle_tools.names import csv_name_problem, edge_problem, split_csv_name
from bundle_tools.rules import Hit, rule
from bundle_tools.versions import parse_go_semver, parse_strict
from bundle_tools.yamlio import to_plain

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext

OLM_CSV_DOC = "olm-docs Concepts/crds/clusterserviceversion"
UPGRADE_DOC = "olm-docs Concepts/olm-architecture/operator-catalog/creating-an-update-graph"
SKIP_RANGE_KEY = "olm.skipRange"
INSTALL_MODE_TYPES = ("OwnNamespace", "SingleNamespace", "MultiNamespace", "AllNamespaces")

#: Cluster-scoped resources by API group ("" = core) that a namespaced Role cannot grant.
CLUSTER_SCOPED: dict[str, frozenset[str]] = {
    "": frozenset({"nodes", "namespaces", "persistentvolumes", "componentstatuses"}),
    "rbac.authorization.k8s.io": frozenset({"clusterroles", "clusterrolebindings"}),
    "apiextensions.k8s.io": frozenset({"customresourcedefinitions"}),
    "apiregistration.k8s.io": frozenset({"apiservices"}),
    "admissionregistration.k8s.io": frozenset(
        {"mutatingwebhookconfigurations", "validatingwebhookconfigurations"}
    ),
    "storage.k8s.io": frozenset({"storageclasses", "csidrivers", "csinodes", "volumeattachments"}),
    "scheduling.k8s.io": frozenset({"priorityclasses"}),
    "certificates.k8s.io": frozenset({"certificatesigningrequests"}),
    "security.openshift.io": frozenset({"securitycontextconstraints"}),
    "config.openshift.io": frozenset(
        {
            "apiservers",
            "authentications",
            "builds",
            "clusteroperators",
            "clusterversions",
            "consoles",
            "dnses",
            "featuregates",
            "images",
            "infrastructures",
            "ingresses",
            "networks",
            "oauths",
            "operatorhubs",
            "projects",
            "proxies",
            "schedulers",
        }
    ),
    "operator.openshift.io": frozenset(
        {"cloudcredentials", "consoles", "kubeapiservers", "networks", "storages"}
    ),
}


def _strict_semver(text: str) -> bool:
    """Whether blang/semver ``Parse`` (as opm runs it) accepts ``text``
    (:func:`bundle_tools.versions.parse_strict`)."""
    try:
        parse_strict(text)
    except ValueError:
        return False
    return True


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@rule(
    "CSV002",
    severity=Severity.ERROR,
    summary="spec.version is strict semver (no `v` prefix, no leading zeros)",
    source=OLM_CSV_DOC + "; opm validate (olm.package version is strict semver)",
)
def version_semver(ctx: BundleContext) -> Iterator[Hit]:
    """The bundle's ``olm.package`` property carries ``spec.version``, and ``opm validate``
    requires it to be strict SemVer 2.0.0 (blang/semver ``Parse``): with ``v1.2.0``,
    ``1.2`` or ``1.02.0`` the catalog holding the bundle fails validation and cannot
    ship, and upgrade ordering by version is undefined."""
    if ctx.csv is None:
        return
    version = get_path(ctx.csv_data, ("spec", "version"))
    if version is None:
        yield Hit(message="spec.version is missing", location=ctx.at(ctx.csv, ("spec",)))
    elif not isinstance(version, str) or not _strict_semver(version):
        hint = None
        if isinstance(version, str) and version[:1] in "vV" and _strict_semver(version[1:]):
            hint = f"write {version[1:]!r} (no 'v' prefix)"
        yield Hit(
            message=f"spec.version {version!r} is not strict semver: opm validate rejects "
            "the catalog entry (olm.package version)",
            location=ctx.at(ctx.csv, ("spec", "version")),
            hint=hint,
        )


@rule(
    "CSV003",
    severity=Severity.WARNING,
    summary="metadata.name ends with spec.version (`<package>.v<version>`)",
    source="operator-sdk bundle layout convention; community-operators CI",
)
def name_matches_version(ctx: BundleContext) -> Iterator[Hit]:
    """CSV names follow ``<package>.v<version>``: upgrade edges (``replaces``, ``skips``)
    name CSVs, so a name that disagrees with ``spec.version`` makes the next release
    point at a version that does not exist. The version must be the name's whole last
    component (``op.v11.2.0`` does not end with version ``1.2.0``)."""
    if ctx.csv is None:
        return
    name = _text(get_path(ctx.csv_data, ("metadata", "name")))
    version = _text(get_path(ctx.csv_data, ("spec", "version")))
    if name and version and not _ends_with_version(name, version):
        yield Hit(
            message=f"metadata.name {name!r} does not end with spec.version {version!r}",
            location=ctx.at(ctx.csv, ("metadata", "name")),
            hint=f"name the CSV '<package>.v{version}'",
        )


def _ends_with_version(name: str, version: str) -> bool:
    """Whether ``name`` ends with ``version`` as a whole component: ``op.v1.2.0`` and
    ``op-1.2.0`` end with ``1.2.0``, ``op.v11.2.0`` does not."""
    if not name.endswith(version):
        return False
    return re.fullmatch(r"(.*[^0-9A-Za-z])?v?", name[: -len(version)]) is not None


@rule(
    "CSV017",
    severity=Severity.ERROR,
    summary="metadata.name is a DNS-1123 subdomain of at most 63 characters",
    source="operator-framework/api pkg/validation/internal/csv.go parseCSVNameFormat "
    "(IsDNS1123Subdomain + IsValidLabelValue); OLM olm.owner label",
)
def csv_name(ctx: BundleContext) -> Iterator[Hit]:
    """The CSV name is an object name (DNS-1123 subdomain) and OLM copies it into label
    values (``olm.owner`` on everything it creates for the CSV), which hold at most 63
    characters: a longer or uppercase name cannot be installed."""
    if ctx.csv is None:
        return
    name = get_path(ctx.csv_data, ("metadata", "name"))
    if not isinstance(name, str):
        return  # CSV001 reports a missing or mistyped name
    if problem := csv_name_problem(name):
        yield Hit(
            message=f"metadata.name {name!r} {problem}",
            location=ctx.at(ctx.csv, ("metadata", "name")),
        )


@rule(
    "CSV018",
    severity=Severity.INFO,
    summary="metadata.name is `<package>.v<version>` for the bundle's package",
    source="redhat-openshift-ecosystem/operator-pipelines operatorcert/static_tests/common/"
    "bundle.py check_operator_name (a Warn)",
    profiles={"certified": Severity.WARNING, "strict": Severity.WARNING},
)
def name_matches_package(ctx: BundleContext) -> Iterator[Hit]:
    """CSV names follow ``<package>.v<version>``; the community and certification
    pipelines (operator-pipelines ``check_operator_name``) warn when the CSV name starts
    with something other than the package annotation. Real packages install and ship
    that way (etcd's ``etcdoperator.v0.9.4``, project-quay's ``quay-operator.v3.x``) and
    renaming would break their upgrade edges, so it is info by default and a warning
    under ``certified``, like the pipeline, and it stays silent when ``spec.replaces``
    already uses the same prefix (an established name, nothing to act on). Names that
    carry no version are CSV003's."""
    if ctx.csv is None:
        return
    name = _text(get_path(ctx.csv_data, ("metadata", "name")))
    package = _text(ctx.bundle.annotation_values.get(PACKAGE_KEY))
    parts = split_csv_name(name or "")
    if not package or parts is None or parts[0] == package:
        return
    previous = split_csv_name(_text(get_path(ctx.csv_data, ("spec", "replaces"))) or "")
    if previous is not None and previous[0] == parts[0]:
        return  # an established name: renaming now would break the upgrade chain
    yield Hit(
        message=f"metadata.name {name!r} does not start with the package name {package!r}",
        location=ctx.at(ctx.csv, ("metadata", "name")),
        hint=f"name the CSV '{package}.v{parts[1]}'",
    )


@rule(
    "CSV004",
    severity=Severity.ERROR,
    summary="spec.replaces and spec.skips name CSVs (`<package>.v<semver>`)",
    source=UPGRADE_DOC,
)
def upgrade_edges(ctx: BundleContext) -> Iterator[Hit]:
    """``replaces`` and each ``skips`` entry are CSV ``metadata.name`` values. A value
    that is not a valid object name matches no CSV, so the upgrade edge is lost and
    subscribed clusters are stranded on the old version. An empty ``replaces`` means
    "no predecessor" and is accepted; a CSV that replaces itself is an edge cycle."""
    if ctx.csv is None:
        return
    own = get_path(ctx.csv_data, ("metadata", "name"))
    edges: list[tuple[tuple[str | int, ...], Any]] = []
    replaces = get_path(ctx.csv_data, ("spec", "replaces"))
    if replaces not in (None, ""):
        edges.append((("spec", "replaces"), replaces))
    skips = get_path(ctx.csv_data, ("spec", "skips"))
    if isinstance(skips, list):
        edges.extend((("spec", "skips", i), value) for i, value in enumerate(skips))
    for parts, value in edges:
        field = ".".join(map(str, parts))
        if not isinstance(value, str):
            problem = "is not a string"
        elif value == own:
            problem = "names this CSV itself (an upgrade cycle)"
        else:
            problem = edge_problem(value)
        if problem:
            yield Hit(
                message=f"{field} {value!r} {problem}",
                location=ctx.at(ctx.csv, parts),
            )


@rule(
    "CSV005",
    severity=Severity.ERROR,
    summary="olm.skipRange is a blang/semver range",
    source=UPGRADE_DOC + " (skipRange); blang/semver ParseRange; opm validate v1.69+",
)
def skip_range(ctx: BundleContext) -> Iterator[Hit]:
    """OLM and opm parse ``olm.skipRange`` with blang/semver ``ParseRange``: versions
    inside are strict semver (no ``v`` prefix, no leading zeros; ``x`` wildcards allowed).
    ``opm validate`` (v1.69+) rejects a catalog with an unparsable range ("invalid
    skipRange"), and OLM's resolver matches nothing with it, so the versions it meant to
    skip strand their subscribers."""
    from bundle_tools.semver_range import parse_range

    if ctx.csv is None or SKIP_RANGE_KEY not in ctx.csv_annotations():
        return
    value = ctx.csv_annotations()[SKIP_RANGE_KEY]
    if not isinstance(value, str):
        return  # reported by CSV009 (annotation values are strings)
    try:
        parse_range(value)
    except ValueError as exc:
        yield Hit(
            message=f"{SKIP_RANGE_KEY} {value!r} is not a valid semver range ({exc}): opm "
            "validate rejects it and OLM skips nothing",
            location=ctx.at(ctx.csv, ("metadata", "annotations", SKIP_RANGE_KEY)),
            hint="write versions without 'v' and leading zeros, e.g. '>=1.0.0 <1.2.0'",
        )


@rule(
    "CSV006",
    severity=Severity.ERROR,
    summary="spec.minKubeVersion is a version OLM can parse (MAJOR.MINOR.PATCH)",
    source="operator-lifecycle-manager pkg/controller/operators/olm/requirements.go "
    "minKubeVersionStatus (coreos/go-semver NewVersion after TrimPrefix 'v'); "
    "operator-framework/api pkg/validation/internal/csv.go validateMinKubeVersion",
)
def min_kube_version(ctx: BundleContext) -> Iterator[Hit]:
    """OLM checks ``minKubeVersion`` against the cluster with coreos/go-semver after
    dropping one leading ``v``: three numeric parts are required, so ``1.21`` fails the
    CSV's requirements ("CSV version parsing error", phase Pending) on every cluster.
    Absence or ``""`` is fine (any cluster). A leading ``v`` installs but
    ``operator-sdk bundle validate`` rejects it (blang ``Parse``): a warning."""
    if ctx.csv is None:
        return
    value = get_path(ctx.csv_data, ("spec", "minKubeVersion"))
    if value is None or value == "":
        return
    location = ctx.at(ctx.csv, ("spec", "minKubeVersion"))
    if not isinstance(value, str):
        yield Hit(
            message=f"spec.minKubeVersion {value!r} is not a string (quote it)",
            location=location,
        )
        return
    try:
        parse_go_semver(value.removeprefix("v"))
    except ValueError as exc:
        yield Hit(
            message=f"spec.minKubeVersion {value!r} is {exc}: OLM's requirements check "
            "fails ('CSV version parsing error') and the CSV never installs",
            location=location,
            hint="write a quoted MAJOR.MINOR.PATCH version such as '1.25.0'",
        )
        return
    if not _strict_semver(value):
        yield Hit(
            message=f"spec.minKubeVersion {value!r} installs (OLM drops a leading 'v'), but "
            "operator-sdk bundle validate rejects it (strict semver)",
            location=location,
            hint=f"write {value.removeprefix('v')!r}",
            severity=Severity.WARNING,
        )


@rule(
    "CSV007",
    severity=Severity.ERROR,
    summary="installModes list the four types once each, at least one supported",
    source=OLM_CSV_DOC + " (installModes); operator-lifecycle-manager "
    "pkg/controller/operators/olm/operator.go transitionCSVState (NewInstallModeSet: "
    "InvalidInstallModes; InstallModeSet.Supports: UnsupportedOperatorGroup); "
    "operator-framework/api pkg/validation/internal/csv.go validateInstallModes",
)
def install_modes(ctx: BundleContext) -> Iterator[Hit]:
    """OLM matches the OperatorGroup's target namespaces against ``installModes``. With no
    supported mode no OperatorGroup fits and the CSV fails (UnsupportedOperatorGroup); a
    repeated type fails it too (InvalidInstallModes: "InstallMode list contains
    duplicates"). An unknown type is a warning: neither OLM (``InstallModeSet.Supports``
    looks up the four known types only) nor operator-framework/api's
    ``validateInstallModes`` refuses it, but the mode it was meant to be is then
    unsupported; when no known type is supported, the CSV fails (the error above). A
    missing type is treated as unsupported by OLM and reported as a warning so the choice
    is explicit."""
    if ctx.csv is None:
        return
    modes = get_path(ctx.csv_data, ("spec", "installModes"))
    parts = ("spec", "installModes")
    if not isinstance(modes, list):
        yield Hit(
            message="spec.installModes is missing: no OperatorGroup can install the CSV",
            location=ctx.at(ctx.csv, parts),
        )
        return
    seen: set[str] = set()
    supported = False
    for i, mode in enumerate(modes):
        kind = get_path(mode, ("type",))
        if kind not in INSTALL_MODE_TYPES:
            yield Hit(
                message=f"unknown install mode type {kind!r}: OLM ignores it (one of "
                f"{INSTALL_MODE_TYPES})",
                location=ctx.at(ctx.csv, (*parts, i, "type")),
                severity=Severity.WARNING,
            )
            continue
        if kind in seen:
            yield Hit(
                message=f"install mode {kind} is listed twice",
                location=ctx.at(ctx.csv, (*parts, i, "type")),
            )
        seen.add(kind)
        supported = supported or get_path(mode, ("supported",)) is True
    if not supported:
        yield Hit(
            message="no install mode is supported: every OperatorGroup is rejected "
            "(UnsupportedOperatorGroup)",
            location=ctx.at(ctx.csv, parts),
        )
    missing = [t for t in INSTALL_MODE_TYPES if t not in seen]
    if missing:
        yield Hit(
            message=f"install modes {', '.join(missing)} are not listed (OLM treats them as "
            "unsupported)",
            location=ctx.at(ctx.csv, parts),
            hint="list all four types with supported: true or false",
            severity=Severity.WARNING,
        )


def _owned_kinds(ctx: BundleContext) -> set[tuple[str, str]]:
    """``{(group, kind)}`` of the CSV's owned CRDs (group taken from the CRD name) and
    owned APIServices."""
    out = set()
    owned = get_path(ctx.csv_data, ("spec", "customresourcedefinitions", "owned"))
    for entry in owned if isinstance(owned, list) else []:
        name, kind = get_path(entry, ("name",)), get_path(entry, ("kind",))
        if isinstance(name, str) and isinstance(kind, str):
            out.add((name.partition(".")[2], kind))
    apis = get_path(ctx.csv_data, ("spec", "apiservicedefinitions", "owned"))
    for entry in apis if isinstance(apis, list) else []:
        out.add((str(get_path(entry, ("group",))), str(get_path(entry, ("kind",)))))
    return out


@rule(
    "CSV008",
    severity=Severity.ERROR,
    summary="alm-examples is a JSON array of objects of owned kinds (CRDs or APIServices)",
    source=OLM_CSV_DOC + " (alm-examples); OpenShift console operand forms",
)
def alm_examples(ctx: BundleContext) -> Iterator[Hit]:
    """The console parses ``alm-examples`` to prefill "Create instance" forms; invalid
    JSON breaks every form of the operator (error). Examples whose ``apiVersion`` group
    and ``kind`` match no owned CRD are never shown (warning)."""
    annotations = ctx.csv_annotations()
    if ctx.csv is None or not isinstance(annotations.get("alm-examples"), str):
        return
    parts = ("metadata", "annotations", "alm-examples")
    text = annotations["alm-examples"]
    if not text.strip():
        return
    try:
        examples = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Hit(
            message=f"alm-examples is not valid JSON ({exc.msg} at character {exc.pos})",
            location=ctx.at(ctx.csv, parts),
        )
        return
    if not isinstance(examples, list) or not all(isinstance(e, dict) for e in examples):
        yield Hit(
            message="alm-examples is not a JSON array of objects", location=ctx.at(ctx.csv, parts)
        )
        return
    owned = _owned_kinds(ctx)
    if not owned:
        return
    for example in examples:
        group = str(example.get("apiVersion", "")).rpartition("/")[0]
        kind = example.get("kind")
        if (group, kind) not in owned:
            yield Hit(
                message=f"alm-examples entry kind {kind!r} ({example.get('apiVersion')}) is "
                "not an owned CRD: the console does not show it",
                location=ctx.at(ctx.csv, parts),
                severity=Severity.WARNING,
            )


def go_yaml_kind(value: Any) -> str | None:
    """The non-string type Go's YAML decoder gives ``value`` (``"boolean"``, ``"number"``,
    ``"list"``, ``"mapping"``), or ``None`` when Kubernetes reads it as a string (strings,
    timestamp-like plain scalars, which yaml.v2 keeps as strings, and null)."""
    import datetime

    if isinstance(value, bool) or (type(value) is str and value in GO_BOOLEANS):
        return "boolean"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, int | float) and not isinstance(value, datetime.date):
        return "number"
    return None


@rule(
    "CSV009",
    severity=Severity.ERROR,
    summary="every CSV annotation value is a string",
    source="Kubernetes ObjectMeta.annotations (map[string]string)",
)
def annotation_strings(ctx: BundleContext) -> Iterator[Hit]:
    """Annotations are ``map[string]string``: a value Go's YAML decoder reads as a boolean
    (``false``, and YAML 1.1's ``yes``/``on``...), a number, a list or a mapping makes the
    API server refuse the CSV ("cannot unmarshal bool into Go struct field
    ObjectMeta.metadata.annotations of type string") and opm fail on the bundle.
    Unquoted timestamps are fine: the Go decoder keeps them as strings."""
    if ctx.csv is None:
        return
    for key, value in ctx.csv_annotations().items():
        kind = go_yaml_kind(value)
        if kind is None:
            continue
        if kind in ("list", "mapping"):
            as_json = json.dumps(to_plain(value), ensure_ascii=False, default=str)
            quoted = "'" + as_json.replace("'", "''") + "'"  # a YAML single-quoted string
        else:
            quoted = f'"{str(value).lower() if isinstance(value, bool) else value}"'
        yield Hit(
            message=f"annotation {key!r} is a YAML {kind}, not a string: the API server "
            "refuses the CSV",
            location=ctx.at(ctx.csv, ("metadata", "annotations", key)),
            hint=f"quote the value: {key}: {quoted}",
        )


def _crd_versions(data: dict[str, Any]) -> dict[str, bool]:
    """``{version name: served}`` of a CRD manifest: each ``spec.versions[]`` entry (the
    first of a name, as OLM reads them; ``served`` must be ``true``), and a v1beta1
    ``spec.version``, which the API server serves."""
    versions: dict[str, bool] = {}
    for v in as_list(get_path(data, ("spec", "versions"))):
        if isinstance(v, dict) and v.get("name"):
            versions.setdefault(str(v["name"]), v.get("served") is True)
    single = get_path(data, ("spec", "version"))
    if single:
        versions.setdefault(str(single), True)
    return versions


@rule(
    "CSV010",
    severity=Severity.ERROR,
    summary="owned CRDs match the bundled CRD manifests (name, kind, served version)",
    source=OLM_CSV_DOC + " (customresourcedefinitions.owned); operator-lifecycle-manager "
    "pkg/controller/operators/olm/requirements.go requirementStatus (CRD version not served)",
)
def owned_crds(ctx: BundleContext) -> Iterator[Hit]:
    """Each ``spec.customresourcedefinitions.owned`` entry names a CRD shipped in
    ``manifests/`` whose ``spec.names.kind`` equals ``kind`` and which has the entry's
    ``version`` with ``served: true`` (extra versions are fine). Otherwise OLM's
    requirement check does not find the owned API ("CRD version not served") and the CSV
    stays Pending."""
    crds = {
        name: data
        for _, data in ctx.objects()
        if data.get("kind") == "CustomResourceDefinition"
        and isinstance(name := get_path(data, ("metadata", "name")), str)
    }
    owned = get_path(ctx.csv_data, ("spec", "customresourcedefinitions", "owned"))
    if ctx.csv is None or not isinstance(owned, list):
        return
    for i, entry in enumerate(owned):
        parts = ("spec", "customresourcedefinitions", "owned", i)
        name = get_path(entry, ("name",))
        crd = crds.get(name) if isinstance(name, str) else None
        if crd is None:
            yield Hit(
                message=f"owned CRD {name!r} has no CustomResourceDefinition manifest in "
                "the bundle: the CSV stays Pending waiting for it",
                location=ctx.at(ctx.csv, (*parts, "name")),
            )
            continue
        kind, crd_kind = get_path(entry, ("kind",)), get_path(crd, ("spec", "names", "kind"))
        if kind != crd_kind:
            yield Hit(
                message=f"owned CRD {name!r} has kind {kind!r} but its manifest says {crd_kind!r}",
                location=ctx.at(ctx.csv, (*parts, "kind")),
            )
        version, versions = get_path(entry, ("version",)), _crd_versions(crd)
        served = versions.get(version) if isinstance(version, str) else None
        if served is None:
            yield Hit(
                message=f"owned CRD {name!r} version {version!r} is not served by its "
                f"manifest (versions {list(versions)})",
                location=ctx.at(ctx.csv, (*parts, "version")),
            )
        elif not served:
            yield Hit(
                message=f"owned CRD {name!r} version {version!r} has served: false in its "
                "manifest: OLM reports 'CRD version not served' and the CSV stays Pending",
                location=ctx.at(ctx.csv, (*parts, "version")),
            )


@rule(
    "CSV011",
    severity=Severity.ERROR,
    summary="every deployment container has an image",
    source="Kubernetes PodSpec (containers[].image required by Deployments)",
)
def container_images(ctx: BundleContext) -> Iterator[Hit]:
    """The API server refuses a Deployment whose container has no image
    ("spec.template.spec.containers[0].image: Required value"), so the CSV install fails."""
    if ctx.csv is None:
        return
    for parts, container, _, _ in ctx.containers():
        image = container.get("image")
        if not isinstance(image, str) or not image.strip():
            yield Hit(
                message=f"container {container.get('name')!r} has no image: the API server "
                "refuses the Deployment",
                location=ctx.at(ctx.csv, (*parts, "image")),
            )


#: Volumes OLM adds to deployments serving owned APIServices or webhooks (OLM
#: ``pkg/controller/install/certresources.go``).
OLM_CERT_VOLUMES = frozenset({"apiservice-cert", "webhook-cert"})


def _injected_volumes(ctx: BundleContext) -> frozenset[str]:
    """Volume names OLM injects: the cert volumes when the CSV owns APIServices or defines
    webhooks, else none."""
    spec = ctx.csv_data.get("spec")
    owned_api = get_path(spec, ("apiservicedefinitions", "owned"))
    if owned_api or get_path(spec, ("webhookdefinitions",)):
        return OLM_CERT_VOLUMES
    return frozenset()


@rule(
    "CSV012",
    severity=Severity.ERROR,
    summary="every volumeMount names a volume of its pod",
    source="Kubernetes PodSpec validation; OLM deployment install",
)
def volume_mounts(ctx: BundleContext) -> Iterator[Hit]:
    """A volumeMount whose ``name`` is not one of the pod's ``volumes`` makes the API server
    refuse the Deployment ("volumeMounts[0].name: Not found"): the CSV install fails.
    ``apiservice-cert``/``webhook-cert`` count as defined when the CSV owns APIServices or
    webhooks: OLM injects them."""
    if ctx.csv is None:
        return
    injected = _injected_volumes(ctx)
    for parts, container, _, pod in ctx.containers():
        names = (get_path(v, ("name",)) for v in as_list(pod.get("volumes")))
        volumes = {name for name in names if isinstance(name, str)} | injected
        for j, mount in enumerate(as_list(container.get("volumeMounts"))):
            name = get_path(mount, ("name",))
            if not isinstance(name, str) or name not in volumes:
                yield Hit(
                    message=f"container {container.get('name')!r} mounts volume {name!r}, "
                    "which the pod does not define: the API server refuses the Deployment",
                    location=ctx.at(ctx.csv, (*parts, "volumeMounts", j, "name")),
                )


@rule(
    "CSV013",
    severity=Severity.WARNING,
    summary="every deployment sets serviceAccountName",
    source=OLM_CSV_DOC + " (install strategy permissions bind to serviceAccountName)",
)
def service_account_name(ctx: BundleContext) -> Iterator[Hit]:
    """OLM grants ``permissions``/``clusterPermissions`` to the ServiceAccounts they name;
    a pod without ``serviceAccountName`` runs as the namespace's ``default`` account and
    gets none of them."""
    if ctx.csv is None:
        return
    for parts, pod in ctx.pod_specs():
        if not pod.get("serviceAccountName") and not pod.get("serviceAccount"):
            deployment = get_path(ctx.csv_data, (*parts[:-3], "name"))
            yield Hit(
                message=f"deployment {deployment!r} sets no serviceAccountName: its pods run "
                "as 'default' without the CSV's permissions",
                location=ctx.at(ctx.csv, parts),
            )


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


@rule(
    "CSV014",
    severity=Severity.WARNING,
    summary="cluster-scoped resources are granted under clusterPermissions, not permissions",
    source="Kubernetes RBAC (a Role grants only namespaced resources); olm-docs "
    "Concepts/crds/operatorgroup; token-auth.md T3",
    profiles={"strict": Severity.ERROR},
)
def cluster_rbac_in_permissions(ctx: BundleContext) -> Iterator[Hit]:
    """OLM turns ``permissions`` into a Role per target namespace (a ClusterRole only in
    AllNamespaces mode). A Role cannot grant cluster-scoped resources (nodes,
    ``config.openshift.io`` objects...), so such a rule is legal but ineffective outside
    AllNamespaces mode: calls fail with "forbidden ... at the cluster scope"."""
    if ctx.csv is None:
        return
    for parts, policy in ctx.rbac_rules("permissions"):
        for group in _as_list(policy.get("apiGroups")):
            scoped = CLUSTER_SCOPED.get(group, frozenset())
            for k, resource in enumerate(_as_list(policy.get("resources"))):
                if resource.partition("/")[0] in scoped:
                    qualified = f"{group}/{resource}" if group else resource
                    yield Hit(
                        message=f"cluster-scoped resource {qualified} is granted under "
                        "namespaced permissions: it belongs in clusterPermissions (a Role "
                        "cannot grant it outside AllNamespaces mode)",
                        location=ctx.at(ctx.csv, (*parts, "resources", k)),
                        hint="move this rule to spec.install.spec.clusterPermissions",
                    )


@rule(
    "CSV015",
    severity=Severity.ERROR,
    summary="spec.relatedImages entries have a valid image reference and unique names",
    source="operator-framework/enhancements related-images; opm render (olm.bundle "
    "relatedImages); oc-mirror",
)
def related_images(ctx: BundleContext) -> Iterator[Hit]:
    """``spec.relatedImages`` lists the images disconnected mirroring copies. An entry
    without a valid image reference cannot be mirrored (error); two entries with the same
    ``name`` and different images are ambiguous (warning)."""
    images = get_path(ctx.csv_data, ("spec", "relatedImages"))
    if ctx.csv is None or not isinstance(images, list):
        return
    names: dict[str, str] = {}
    for i, entry in enumerate(images):
        parts = ("spec", "relatedImages", i)
        image = get_path(entry, ("image",))
        problem = reference_problem(image) if isinstance(image, str) else "not a string"
        if problem:
            yield Hit(
                message=f"relatedImages[{i}].image {image!r} is not a valid image reference "
                f"({problem}): opm validate rejects the catalog entry",
                location=ctx.at(ctx.csv, (*parts, "image")),
            )
            continue
        name = get_path(entry, ("name",))
        if isinstance(name, str) and name:
            if name in names and names[name] != image:
                yield Hit(
                    message=f"relatedImages name {name!r} is used for {names[name]!r} and "
                    f"{image!r}",
                    location=ctx.at(ctx.csv, (*parts, "name")),
                    severity=Severity.WARNING,
                )
            names.setdefault(name, image)


#: Kubernetes' limit on the total size of an object's annotations, keys plus values, in
#: bytes (k8s.io/apimachinery ``TotalAnnotationSizeLimitB``).
ANNOTATIONS_SIZE_LIMIT = 256 * 1024


@rule(
    "CSV016",
    severity=Severity.ERROR,
    summary="CSV annotations total at most 256 KiB (keys plus values)",
    source="k8s.io/apimachinery ValidateAnnotations (TotalAnnotationSizeLimitB, 256 KiB)",
)
def annotations_size(ctx: BundleContext) -> Iterator[Hit]:
    """The API server refuses an object whose annotations, keys plus values in UTF-8
    bytes, exceed 256 KiB ("metadata.annotations: Too long"): OLM cannot create the CSV
    and the install fails. A large ``alm-examples`` is the usual cause."""
    if ctx.csv is None:
        return
    sizes = {
        str(key): len(str(key).encode()) + len(value.encode())
        for key, value in ctx.csv_annotations().items()
        if isinstance(value, str)
    }
    total = sum(sizes.values())
    if total > ANNOTATIONS_SIZE_LIMIT:
        largest = max(sizes, key=sizes.__getitem__)
        yield Hit(
            message=f"metadata.annotations hold {total} bytes, over the API server's limit "
            f"of {ANNOTATIONS_SIZE_LIMIT}: OLM cannot create the CSV (largest: {largest}, "
            f"{sizes[largest]} bytes)",
            location=ctx.at(ctx.csv, ("metadata", "annotations")),
            hint="shorten the largest annotations (fewer or smaller alm-examples)",
        )
