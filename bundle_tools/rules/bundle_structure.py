"""``BND`` rules: the registry+v1 bundle layout that opm and OLM read.

Layout (operator-registry ``docs/design/operator-bundle.md``)::

    manifests/   one Kubernetes object per file: exactly one CSV, CRDs, other objects
    metadata/annotations.yaml   annotations: {mediatype, package, channels, default channel}

PASS: ``manifests/widget.clusterserviceversion.yaml`` (one CSV) and an
``annotations.yaml`` with ``mediatype.v1: registry+v1``, ``package.v1: widget``,
``channels.v1: stable``, ``channel.default.v1: stable``.
FAIL: no ``annotations.yaml``; two CSVs; ``channel.default.v1: fast`` with
``channels.v1: stable``; a ServiceAccount manifest named like the CSV deployment's
``serviceAccountName``.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bundle_tools.bundle import (
    CHANNELS_KEY,
    DEFAULT_CHANNEL_KEY,
    MEDIATYPE_KEY,
    PACKAGE_KEY,
    is_csv,
)
from bundle_tools.csv_model import as_list, get_path
from bundle_tools.findings import Location, Severity
from bundle_tools.names import channel_name_problem, package_name_problem
from bundle_tools.rules import Hit, rule
from bundle_tools.yamlio import NotUTF8Error

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext

ANNOTATIONS_FILE = "metadata/annotations.yaml"
OPERATOR_BUNDLE_DOC = "operator-registry docs/design/operator-bundle.md"


@rule(
    "BND001",
    severity=Severity.ERROR,
    summary="metadata/annotations.yaml is present and holds an `annotations:` mapping",
    source=OPERATOR_BUNDLE_DOC,
)
def annotations_present(ctx: BundleContext) -> Iterator[Hit]:
    """opm reads the package and channels of a bundle from ``metadata/annotations.yaml``;
    without it ``opm render`` / ``opm index add`` refuse the bundle image."""
    doc = ctx.bundle.annotations
    if doc is None:
        state = "is empty" if (ctx.bundle.root / ANNOTATIONS_FILE).is_file() else "is missing"
        yield Hit(
            message=f"{ANNOTATIONS_FILE} {state}: opm cannot tell the bundle's package "
            "and channels and refuses the bundle",
            location=ctx.file_at(ANNOTATIONS_FILE),
        )
    elif not isinstance(get_path(doc.data, ("annotations",)), dict):
        yield Hit(
            message=f"{ANNOTATIONS_FILE} has no `annotations:` mapping",
            location=ctx.at(doc, ("annotations",)),
        )


@rule(
    "BND002",
    severity=Severity.ERROR,
    summary="manifests/ holds exactly one ClusterServiceVersion",
    source=OPERATOR_BUNDLE_DOC,
)
def one_csv(ctx: BundleContext) -> Iterator[Hit]:
    """A registry+v1 bundle carries exactly one CSV; opm rejects a bundle with several
    ("more than one ClusterServiceVersion") and one with none."""
    csvs = [doc for doc, data in ctx.objects() if is_csv(data)]
    if not csvs:
        yield Hit(
            message="no ClusterServiceVersion in manifests/: OLM has nothing to install",
            location=ctx.file_at("manifests"),
        )
    for doc in csvs[1:]:
        yield Hit(
            message="second ClusterServiceVersion in the bundle (first in "
            f"{ctx.path_of(csvs[0].path)}): opm refuses bundles with more than one CSV",
            location=ctx.at(doc, ("kind",)),
        )


@rule(
    "BND003",
    severity=Severity.ERROR,
    summary="mediatype annotation is `registry+v1`",
    source=OPERATOR_BUNDLE_DOC,
)
def mediatype(ctx: BundleContext) -> Iterator[Hit]:
    """``operators.operatorframework.io.bundle.mediatype.v1`` tells opm how to read the
    bundle; only ``registry+v1`` (manifests/ + metadata/) is handled by OLM v0 bundles."""
    doc = ctx.bundle.annotations
    if doc is None or not isinstance(get_path(doc.data, ("annotations",)), dict):
        return
    value = ctx.bundle.annotation_values.get(MEDIATYPE_KEY)
    if value != "registry+v1":
        shown = "missing" if value is None else f"{value!r}"
        yield Hit(
            message=f"{MEDIATYPE_KEY} is {shown}, expected 'registry+v1'",
            location=ctx.at(doc, ("annotations", MEDIATYPE_KEY)),
        )


@rule(
    "BND004",
    severity=Severity.ERROR,
    summary="package, channels and default-channel annotations are set and consistent",
    source=OPERATOR_BUNDLE_DOC + "; opm validate (default channel must be a channel)",
)
def package_channels(ctx: BundleContext) -> Iterator[Hit]:
    """The package and a comma-separated, non-empty channel list are required, and no
    channel name may be empty or have surrounding whitespace (errors): opm splits the
    list on ``,`` without trimming (operator-registry ``pkg/registry/types.go``
    ``GetChannels``), so ``alpha, stable`` publishes a channel ``" stable"`` that
    subscribers of ``stable`` never see. A default channel that is not one of this
    bundle's channels is a warning: opm builds the package only when another bundle
    provides that channel."""
    doc = ctx.bundle.annotations
    if doc is None or not isinstance(get_path(doc.data, ("annotations",)), dict):
        return
    values = ctx.bundle.annotation_values
    for key in (PACKAGE_KEY, CHANNELS_KEY):
        value = values.get(key)
        if not isinstance(value, str) or not value.strip():
            yield Hit(
                message=f"{key} is missing or empty: opm cannot place the bundle in a "
                "package and channel",
                location=ctx.at(doc, ("annotations", key)),
            )
    channels = ctx.channels()
    for channel in dict.fromkeys(channels):
        if problem := channel_name_problem(channel):
            yield Hit(
                message=f"{CHANNELS_KEY} {values[CHANNELS_KEY]!r}: channel name "
                f"{channel!r} {problem}",
                location=ctx.at(doc, ("annotations", CHANNELS_KEY)),
                hint="separate channels with a comma and no spaces ('alpha,stable')",
            )
    default = values.get(DEFAULT_CHANNEL_KEY)
    if isinstance(default, str) and (problem := channel_name_problem(default)):
        yield Hit(
            message=f"default channel {default!r} {problem}",
            location=ctx.at(doc, ("annotations", DEFAULT_CHANNEL_KEY)),
        )
    elif default is not None and channels and default not in channels:
        yield Hit(
            message=f"default channel {default!r} is not one of this bundle's channels "
            f"{channels}: the catalog build fails unless another bundle of the package "
            "provides that channel",
            location=ctx.at(doc, ("annotations", DEFAULT_CHANNEL_KEY)),
            severity=Severity.WARNING,
        )


@rule(
    "BND005",
    severity=Severity.WARNING,
    summary="a manifest file holds one YAML document (OLM reads only the first)",
    source="operator-registry pkg/configmap bundle loader (one object decoded per file)",
)
def one_document_per_file(ctx: BundleContext) -> Iterator[Hit]:
    """OLM's bundle unpacker stores each manifest file in a ConfigMap entry and decodes one
    object per entry: objects after the first YAML document of a file are never
    installed. Empty documents (a leading or trailing ``---``) are ignored."""
    for path, docs in ctx.bundle.manifests.items():
        objects = [d for d in docs if d.data is not None]
        for doc in objects[1:]:
            kind = get_path(doc.data, ("kind",))
            yield Hit(
                message=f"{path.name} holds {len(objects)} YAML documents; this one "
                f"(kind {kind}) is never installed: OLM decodes only the first object of a "
                "manifest file",
                location=ctx.at(doc),
                hint="split the file: one object per file in manifests/",
            )


@rule(
    "BND006",
    severity=Severity.ERROR,
    summary="no bundled ServiceAccount shares the name of a CSV deployment's serviceAccountName",
    source="operator-framework/api validateServiceAccounts (api#144); OLM SA ownership "
    "check (operator-lifecycle-manager#1904)",
)
def service_account_duplicate(ctx: BundleContext) -> Iterator[Hit]:
    """A deployment's ``serviceAccountName`` is the account the CSV's ``permissions``
    and ``clusterPermissions`` name; the InstallPlan creates those accounts for the CSV.
    A bundled ServiceAccount of the same name is a second definition of it, owned through
    the bundle's objects: on an upgrade it still belongs to the previous CSV and OLM's
    requirement check keeps the new CSV Pending ("Service account is owned by another
    ClusterServiceVersion", operator-lifecycle-manager
    pkg/controller/operators/olm/requirements.go ``permissionStatus``; #1904).
    ``operator-sdk bundle validate`` rejects such a bundle (operator-framework/api
    pkg/validation/internal/bundle.go ``validateServiceAccounts``)."""
    names = {}
    for parts, deployment in ctx.deployments():
        name = get_path(deployment, ("spec", "template", "spec", "serviceAccountName"))
        if isinstance(name, str) and name:
            names.setdefault(name, (parts, deployment.get("name")))
    for doc, data in ctx.objects():
        if data.get("kind") != "ServiceAccount":
            continue
        name = get_path(data, ("metadata", "name"))
        if isinstance(name, str) and name in names:
            _, deployment = names[name]
            yield Hit(
                message=f"ServiceAccount {name!r} has the name of "
                f"the serviceAccountName of CSV deployment {deployment!r}: operator-sdk bundle "
                "validate rejects the bundle, and on an upgrade the previous CSV still owns "
                "this copy, so the new CSV stays Pending (ServiceAccount ownership requirement)",
                location=ctx.at(doc, ("metadata", "name")),
                hint="remove this manifest; list its RBAC under the CSV's permissions or "
                "clusterPermissions instead",
            )


#: Why each missing field breaks a manifest object.
_OBJECT_FIELDS = {
    ("apiVersion",): "OLM cannot map it to an API to create it",
    ("kind",): "opm and OLM cannot decode it (Object 'Kind' is missing)",
    ("metadata", "name"): "the API server refuses an object without a name",
}


@rule(
    "BND007",
    severity=Severity.ERROR,
    summary="every manifest document is a Kubernetes object with apiVersion, kind and "
    "metadata.name",
    source="k8s.io/apimachinery unstructured decoding; OLM InstallPlan object creation",
)
def kubernetes_objects(ctx: BundleContext) -> Iterator[Hit]:
    """opm and OLM decode each manifest as an unstructured Kubernetes object: without
    ``kind`` decoding fails, without ``apiVersion`` the InstallPlan cannot create it, and
    the API server refuses an object without ``metadata.name``. The CSV's own
    ``apiVersion`` is only a warning: OLM decodes the CSV by kind and creates it with its
    typed client. Keys are case-sensitive (``ApiVersion:`` is not ``apiVersion:``)."""
    for docs in ctx.bundle.manifests.values():
        for doc in docs:
            if doc.data is None:
                continue
            if not isinstance(doc.data, dict):
                yield Hit(
                    message="manifest document is not a mapping (Kubernetes object)",
                    location=ctx.at(doc),
                )
                continue
            for parts, consequence in _OBJECT_FIELDS.items():
                value = get_path(doc.data, parts)
                if isinstance(value, str) and value:
                    continue
                lenient = is_csv(doc.data) and parts == ("apiVersion",)
                if lenient:
                    consequence = (
                        "OLM still creates it as operators.coreos.com/v1alpha1, "
                        "other tools cannot read it"
                    )
                near = [
                    k for k in doc.data if k != parts[0] and str(k).lower() == str(parts[0]).lower()
                ]
                yield Hit(
                    message=f"object has no {'.'.join(map(str, parts))}: {consequence}",
                    location=ctx.at(doc, parts),
                    hint=f"rename key {near[0]!r} to {parts[0]!r}" if near else None,
                    severity=Severity.WARNING if lenient else None,
                )


#: Kinds OLM's catalog operator creates from a bundle (``ExecutePlan`` built-ins plus its
#: ``supportedKinds``); NetworkPolicy is accepted by recent OLM releases.
SUPPORTED_KINDS = frozenset(
    {
        "ClusterServiceVersion",
        "CustomResourceDefinition",
        "Secret",
        "ConfigMap",
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding",
        "ServiceAccount",
        "Service",
        "PrometheusRule",
        "ServiceMonitor",
        "PodDisruptionBudget",
        "PriorityClass",
        "VerticalPodAutoscaler",
        "ConsoleYAMLSample",
        "ConsoleQuickStart",
        "ConsoleCLIDownload",
        "ConsoleLink",
        "NetworkPolicy",
    }
)


@rule(
    "BND009",
    severity=Severity.WARNING,
    summary="every manifest object is of a kind OLM installs from a bundle",
    source="operator-lifecycle-manager pkg/controller/operators/catalog (ExecutePlan, "
    "supportedKinds)",
)
def supported_kinds(ctx: BundleContext) -> Iterator[Hit]:
    """OLM's InstallPlan creates only a fixed set of kinds from a bundle; any other object
    (a Deployment, a Namespace, a Job...) marks its step UnsupportedResource and fails
    the InstallPlan. The set grows with OLM releases, hence a warning. CredentialsRequests
    are CRQ001's."""
    for doc, data in ctx.objects():
        kind = data.get("kind")
        if isinstance(kind, str) and kind not in SUPPORTED_KINDS and kind != "CredentialsRequest":
            yield Hit(
                message=f"OLM does not install {kind} objects from a bundle: the InstallPlan "
                "fails (UnsupportedResource)",
                location=ctx.at(doc, ("kind",)),
                hint="create it from the operator at runtime, or describe it in the CSV",
            )


DEPENDENCY_TYPES = ("olm.package", "olm.gvk", "olm.label", "olm.constraint")


def _dependency_problem(entry: object) -> tuple[tuple[str, ...], str] | None:
    """``(path inside the entry, problem)`` of a malformed dependency, else ``None``."""
    from bundle_tools.semver_range import parse_range

    if not isinstance(entry, dict):
        return (), f"{entry!r} is not a mapping with type and value"
    kind = get_path(entry, ("type",))
    if kind not in DEPENDENCY_TYPES:
        return ("type",), f"type {kind!r} is not one of {', '.join(DEPENDENCY_TYPES)}"
    if kind == "olm.package":
        name = get_path(entry, ("value", "packageName"))
        if not isinstance(name, str) or not name:
            return ("value", "packageName"), "olm.package dependency has no packageName string"
        version = get_path(entry, ("value", "version"))
        try:
            parse_range(str(version) if version is not None else "")
        except ValueError as exc:
            return ("value", "version"), f"version {version!r} is not a semver range ({exc})"
    if kind == "olm.gvk":
        for field in ("group", "version", "kind"):
            value = get_path(entry, ("value", field))
            if not isinstance(value, str) or not value:
                return ("value", field), f"olm.gvk dependency has no {field} string"
    return None


@rule(
    "BND010",
    severity=Severity.ERROR,
    summary="metadata dependencies are well-formed (type, package and semver range, GVK)",
    source="operator-registry pkg/lib/bundle ValidateBundleDependencies; olm-docs "
    "Concepts/olm-architecture/dependency-resolution",
)
def dependencies(ctx: BundleContext) -> Iterator[Hit]:
    """Each ``dependencies:`` entry of a ``metadata/`` file has a known ``type``; an
    ``olm.package`` dependency names a package and a blang/semver range, an ``olm.gvk``
    dependency a group, version and kind. opm's bundle validation rejects anything else
    and OLM's resolver cannot satisfy it, so the install is blocked. A list opm cannot
    decode at all (so it drops the whole file) is BND013's."""
    for doc in ctx.metadata.values():
        entries = get_path(doc.data, ("dependencies",))
        if _undecodable_list(entries) is not None:
            continue
        for i, entry in enumerate(as_list(entries)):
            problem = _dependency_problem(entry)
            if problem is not None:
                parts, message = problem
                yield Hit(
                    message=f"dependency {i}: {message}",
                    location=ctx.at(doc, ("dependencies", i, *parts)),
                )


#: Keys of a ``metadata/`` file that opm decodes into a list of ``{type, value}``
#: entries (operator-registry ``pkg/registry/types.go``: ``DependenciesFile``,
#: ``PropertiesFile``; ``Type string``, ``Value json.RawMessage``).
TYPED_LISTS = ("dependencies", "properties")


def _undecodable_list(value: object) -> tuple[tuple[int | str, ...], str] | None:
    """``(path below the key, problem)`` when opm cannot decode ``value`` into
    ``[]struct{Type string; Value json.RawMessage}``, else ``None``. sigs.k8s.io/yaml
    converts YAML to JSON guided by the target type, so a scalar ``type`` (``5``,
    ``true``) becomes a string and ``null`` the zero value; what fails is a value that
    is not a list, an entry that is not a mapping and a ``type`` that is a list or a
    mapping (checked with opm v1.26.5 ``render`` on bundle images built from each
    case)."""
    if value is None:
        return None
    if not isinstance(value, list):
        return (), f"is {reprlib.repr(value)}, not a list"
    for i, entry in enumerate(value):
        if entry is not None and not isinstance(entry, dict):
            return (i,), f"entry {i} is {reprlib.repr(entry)}, not a mapping"
        kind = entry.get("type") if isinstance(entry, dict) else None
        if isinstance(kind, list | dict):
            shape = "list" if isinstance(kind, list) else "mapping"
            return (i, "type"), f"entry {i} has a {shape} as its type"
    return None


@rule(
    "BND013",
    severity=Severity.WARNING,
    summary="every manifest and metadata/ file opm reads is YAML it can decode (else opm "
    "skips it: the object, or the dependencies or properties, are dropped)",
    source="operator-registry pkg/registry/parse.go bundleParser.addManifests/addMetadata "
    "and pkg/lib/bundle/validate.go ValidateBundleFormat (decode errors ignored, file "
    "skipped); pkg/configmap loadBundle (OLM's bundle unpacking: skipping due to decode error)",
)
def undecodable_files(ctx: BundleContext) -> Iterator[Hit]:
    """opm decodes every ``metadata/`` file as an annotations, dependencies and
    properties file (``decodeFileFS``: k8s.io/apimachinery ``YAMLOrJSONDecoder``, then
    encoding/json into operator-registry's types) and keeps the first that decodes with
    content, and every manifest as an object; a file that fails is skipped without a
    word ("Could not find optional dependencies file", "failed to decode"). ``opm
    render``, ``opm index add`` and ``opm alpha bundle validate`` publish such a bundle,
    and OLM installs it, without the object or the dependencies or properties the file
    declares: a warning at the YAML error, or at the ``dependencies``/``properties`` value
    that json cannot decode. (An unreadable CSV or ``annotations.yaml`` is an input error:
    opm refuses a bundle without them; an owned CRD that is skipped is CSV010's error.)
    go-yaml refuses text that is not UTF-8 ("invalid leading UTF-8 octet"), so such a
    YAML file is skipped the same way (see :func:`~bundle_tools.bundle.read_like_opm`).

    They decode a file's first document only, as Kubernetes' YAML reader splits it: a
    YAML error past it is a warning too, saying that part is never read (the first is
    checked), and a file whose first document is only comments before a ``---`` line (a
    license header) is skipped like a broken one (opm v1.26.5 renders such a manifest's
    bundle without the object).
    """
    for path, error in ctx.bundle.undecodable.items():
        manifest = path.parent.name == "manifests"
        if path in ctx.bundle.manifests or (not manifest and path.name in ctx.metadata):
            what = (
                "in a later document, which opm and OLM never read (they decode only a "
                "file's first document)"
            )
            hint = "put each object in a file of its own, with valid YAML"
        else:
            lost = (
                "the object it holds" if manifest else "the dependencies or properties it declares"
            )
            what = f"opm skips this file, so the bundle is published and installed without {lost}"
            hint = (
                "save the file as UTF-8 so that opm reads it"
                if isinstance(error, NotUTF8Error)
                else "fix the YAML so that opm reads the file"
            )
        yield Hit(
            message=f"{error.message}: {what}",
            location=Location(path=ctx.path_of(path), line=error.line, column=error.column),
            hint=hint,
        )
    for doc in ctx.metadata.values():
        for key in TYPED_LISTS:
            problem = _undecodable_list(get_path(doc.data, (key,)))
            if problem is not None:
                parts, text = problem
                yield Hit(
                    message=f"{key} {text}: opm cannot decode it and skips this file as "
                    f"a {key} file, so every one of its {key} is dropped",
                    location=ctx.at(doc, (key, *parts)),
                    hint=f"make {key} a list of mappings, each with a scalar type and a value",
                )


@rule(
    "BND011",
    severity=Severity.ERROR,
    summary="the package annotation is a DNS-1123 label",
    source="operator-registry alpha/declcfg/declcfg_to_model.go ConvertToModel "
    "(validation.IsDNS1123Label, opm v1.41+)",
)
def package_name(ctx: BundleContext) -> Iterator[Hit]:
    """opm refuses a package whose name is not a DNS-1123 label (lowercase letters,
    digits and ``-``, at most 63 characters) when it builds the catalog model, so a
    bundle whose package annotation is not one can never be published. A missing package
    is BND004's."""
    doc = ctx.bundle.annotations
    package = ctx.bundle.annotation_values.get(PACKAGE_KEY)
    if doc is None or not isinstance(package, str) or not package.strip():
        return
    if problem := package_name_problem(package):
        yield Hit(
            message=f"package name {package!r} {problem}: opm refuses it in a catalog",
            location=ctx.at(doc, ("annotations", PACKAGE_KEY)),
        )
