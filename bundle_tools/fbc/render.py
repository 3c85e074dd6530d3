"""Rendering a registry+v1 bundle directory into FBC blobs, with the content ``opm render``
produces (operator-registry ``alpha/action/render.go``, ``pkg/registry/parse.go``,
``registry_to_model.go``, ``bundle.go``, ``csv.go``), and adding it to a catalog.

Reading the bundle:

* ``manifests/``: top-level files in name order, names starting with ``.`` skipped; only
  the first YAML/JSON document of each file; files that do not decode to an object with
  a ``kind`` are skipped. The first ``ClusterServiceVersion`` is the CSV; later ones are
  left out (``bundleParser.addManifests``: "Only include the first CSV").
* ``metadata/``: files in name order; the first whose document has ``annotations:``
  with a package, channels or default-channel key is the annotations file; likewise the
  first non-empty ``dependencies:`` and ``properties:`` (whatever the file is named).
* Every owned CRD of the CSV (``plural.group``, version, kind) must come with a CRD
  manifest.

The ``olm.bundle`` blob: ``name`` (CSV ``metadata.name``), ``package`` (annotation),
``image`` (the given reference), properties and relatedImages as :func:`render_bundle`
documents. The ``olm.channel`` entry takes ``replaces`` and ``skips`` from the CSV spec
and ``skipRange`` from its ``olm.skipRange`` annotation.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bundle_tools.bundle import (
    CHANNELS_KEY,
    CSV_KIND,
    DEFAULT_CHANNEL_KEY,
    PACKAGE_KEY,
    is_bundle_file,
)
from bundle_tools.errors import InputError, UsageError
from bundle_tools.fbc.load import get_field, load_catalog, load_file, load_first_document
from bundle_tools.fbc.model import (
    BUNDLE,
    BUNDLE_OBJECT,
    CHANNEL,
    CSV_METADATA,
    PACKAGE,
)
from bundle_tools.fbc.write import dump_json, dump_yaml, go_json, order_blobs
from bundle_tools.gcpause import paused
from bundle_tools.imageref import reference_problem
from bundle_tools.names import channel_name_problem, package_name_problem, split_channels
from bundle_tools.safewrite import Write, read_original, write_files

Metadata = Literal["csv", "objects"]
#: Order of the ``olm.bundle.object`` properties: ``sorted`` by value (opm since v1.28.0, the
#: published community catalogs) or ``files`` (manifest-file order, opm v1.26.5).
ObjectOrder = Literal["sorted", "files"]
Format = Literal["yaml", "json"]
CRD_KIND = "CustomResourceDefinition"
SKIP_RANGE_ANNOTATION = "olm.skipRange"
PROPERTIES_ANNOTATION = "olm.properties"
_ANNOTATION_KEYS = (PACKAGE_KEY, CHANNELS_KEY, DEFAULT_CHANNEL_KEY)


@dataclass(slots=True)
class BundleSource:
    """A bundle directory as opm reads it: ``manifests`` is ``[(file name, object)]`` in
    name order (opm's ``Bundle.Objects``: no CSV after the first); ``csv`` the first
    ClusterServiceVersion object and ``csv_file`` its file;
    ``annotations`` the string values of the annotations file, ``annotations_file`` its
    path; ``dependencies`` and ``properties`` the ``[{type, value}]`` lists of
    ``metadata/`` (empty when absent)."""

    root: Path
    manifests: list[tuple[str, dict[str, Any]]]
    csv: dict[str, Any]
    csv_file: str
    annotations: dict[str, str]
    dependencies: list[Any] = field(default_factory=list)
    properties: list[Any] = field(default_factory=list)
    annotations_file: Path | None = None


def _first_object(path: Path) -> dict[str, Any] | None:
    """The first document of ``path`` when it is an object. A file that does not parse
    raises InputError: opm skips it silently (a CSV with a syntax error becomes "no csv
    in bundle", a broken CRD a missing ``olm.gvk``, a broken ``dependencies.yaml`` lost
    dependencies), here it names the file and line and writes nothing, rather than
    publish a catalog entry without what the author wrote. (``bundle-tools validate``
    reports such a file other than the CSV and ``annotations.yaml`` as a BND013 warning
    and checks the rest of the bundle, since the cluster installs it.)"""
    value = load_first_document(path)
    return value if isinstance(value, dict) else None


def read_bundle(root: str | Path) -> BundleSource:
    """Read bundle directory ``root``. Raises InputError when ``manifests/`` or
    ``metadata/`` is missing, a file of either does not parse, no manifest decodes,
    there is no CSV or no annotations file, or an owned CRD has no manifest."""
    root = Path(root)
    for sub in ("manifests", "metadata"):
        if not (root / sub).is_dir():
            raise InputError(f"not a bundle directory: no {sub}/ directory", root)
    manifests: list[tuple[str, dict[str, Any]]] = []
    csv_file, csv = "", {}
    for path in sorted((root / "manifests").iterdir()):
        if path.name.startswith(".") or not is_bundle_file(path):
            continue
        obj = _first_object(path)
        if obj is None or not isinstance(obj.get("kind"), str) or not obj["kind"]:
            continue
        if obj["kind"] == CSV_KIND:
            if csv:
                continue
            csv_file, csv = path.name, obj
        manifests.append((path.name, obj))
    if not manifests:
        raise InputError("no bundle objects found", root / "manifests")
    if not csv:
        raise InputError("no csv in bundle", root / "manifests")
    source = BundleSource(root, manifests, csv, csv_file, {})
    found_annotations = False
    for path in sorted((root / "metadata").iterdir()):
        obj = _first_object(path) if is_bundle_file(path) else None
        if obj is None:
            continue
        annotations = get_field(obj, "annotations")
        if not found_annotations and isinstance(annotations, dict):
            values = {k: v for k, v in annotations.items() if isinstance(v, str)}
            if any(values.get(k) for k in _ANNOTATION_KEYS):
                source.annotations, found_annotations = values, True
                source.annotations_file = path
        for key in ("dependencies", "properties"):
            items = get_field(obj, key)
            if not getattr(source, key) and isinstance(items, list) and items:
                setattr(source, key, items)
    if not found_annotations:
        raise InputError("could not find annotations file", root / "metadata")
    _check_owned_crds(source)
    return source


def _spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = get_field(obj, "spec")
    return spec if isinstance(spec, dict) else {}


def _path(obj: Any, *names: str) -> Any:
    for name in names:
        if not isinstance(obj, dict):
            return None
        obj = get_field(obj, name)
    return obj


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _is_key(key: tuple[Any, ...]) -> bool:
    """True when every part of an API key is a string or unset (a list or mapping there,
    which no Go decoder accepts, names no API and cannot be hashed)."""
    return all(part is None or isinstance(part, str) for part in key)


def provided_apis(source: BundleSource) -> set[tuple[str, str, str, str]]:
    """``(group, version, kind, plural)`` of every API the bundle provides: each CRD
    manifest version (``spec.versions[].name``, plus ``spec.version`` of v1beta1 CRDs) and
    each owned ``apiservicedefinition`` of the CSV (parts that are no string: none)."""
    provided = set()
    for _, obj in source.manifests:
        if obj.get("kind") != CRD_KIND:
            continue
        spec = _spec(obj)
        group, kind = get_field(spec, "group"), _path(spec, "names", "kind")
        plural = _path(spec, "names", "plural")
        versions = [_path(v, "name") for v in _list(get_field(spec, "versions"))]
        if get_field(spec, "version"):
            versions.append(get_field(spec, "version"))
        keys = [(group, v, kind, plural) for v in versions if v]
        provided.update(key for key in keys if _is_key(key))
    for api in _list(_path(_spec(source.csv), "apiservicedefinitions", "owned")):
        key = (_path(api, "group"), _path(api, "version"), _path(api, "kind"), _path(api, "name"))
        if _is_key(key):
            provided.add(key)
    return provided


def _check_owned_crds(source: BundleSource) -> None:
    provided = provided_apis(source)
    for owned in _list(_path(_spec(source.csv), "customresourcedefinitions", "owned")):
        name = str(_path(owned, "name") or "")
        plural, _, group = name.partition(".")
        if not group:
            raise InputError(
                f"error parsing owned CRD name {name!r} (expected plural.group)",
                source.root / "manifests" / source.csv_file,
            )
        key = (group, _path(owned, "version"), _path(owned, "kind"), plural)
        if not _is_key(key) or key not in provided:
            raise InputError(
                f"couldn't find owned CRD {group}/{key[1]}/{key[2]} ({plural}) in bundle",
                source.root / "manifests" / source.csv_file,
            )


@dataclass(frozen=True, slots=True)
class _Property:
    type: str
    value: Any
    text: str  # compact JSON of the value: the dedupe and sort key


def _built(kind: str, value: dict[str, Any]) -> _Property:
    """A property opm builds from a Go struct: field order kept, no HTML escaping."""
    return _Property(kind, value, _compact(value))


def _converted(kind: str, value: Any) -> _Property:
    """A property read from YAML: keys sorted and HTML escaped (YAML -> JSON -> map)."""
    return _Property(kind, value, go_json(value))


def _gvk(group: Any, kind: Any, version: Any) -> dict[str, Any]:
    return {"group": group or "", "kind": kind or "", "version": version or ""}


def _annotations(csv: dict[str, Any]) -> dict[str, Any]:
    value = _path(csv, "metadata", "annotations")
    return value if isinstance(value, dict) else {}


def _csv_properties(source: BundleSource) -> list[_Property]:
    text = _annotations(source.csv).get(PROPERTIES_ANNOTATION)
    if text is None:
        return []
    try:
        items = json.loads(text) if isinstance(text, str) else None
    except json.JSONDecodeError:
        items = None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError(
            f"failed to unmarshal the {PROPERTIES_ANNOTATION} annotation: not a JSON array "
            "of {type, value} objects",
            source.root / "manifests" / source.csv_file,
        )
    return [
        _Property(str(get_field(i, "type")), get_field(i, "value"), _compact(get_field(i, "value")))
        for i in items
    ]


def _compact(value: Any) -> str:
    """Compact JSON of ``value`` in its own key order, unescaped (raw property text)."""
    return go_json(value, escape_html=False, sort_keys=False)


def _gvk_key(value: Any) -> tuple[str, str, str]:
    return (
        str(_path(value, "group") or ""),
        str(_path(value, "kind") or ""),
        str(_path(value, "version") or ""),
    )


def _package_property(value: Any) -> _Property:
    """``olm.package`` rebuilt from its fields (``MustBuildPackageRelease``)."""
    package = {
        "packageName": str(_path(value, "packageName") or ""),
        "version": str(_path(value, "version") or ""),
    }
    release = _path(value, "release")
    if release not in (None, ""):
        package["release"] = release if isinstance(release, str) else go_json(release)
    return _built(PACKAGE, package)


def bundle_properties(
    source: BundleSource, metadata: Metadata, object_order: ObjectOrder = "sorted"
) -> list[dict[str, Any]]:
    """The ``properties`` of the rendered ``olm.bundle``, as opm's
    ``ObjectsAndPropertiesFromBundle`` builds them.

    The bundle's own properties are ``metadata/`` ``properties:``, the derived
    ``olm.package`` (``packageName`` from the annotation, ``version`` and optional
    ``release`` from the CSV) and the CSV ``olm.properties`` annotation, de-duplicated on
    type and value. Of these, ``olm.gvk`` values join the provided APIs (each CRD
    version and owned API service) as one set, the last ``olm.package`` is kept (rebuilt
    from its fields), the rest pass through. ``dependencies:`` ``olm.gvk`` join the
    required APIs (the CSV's required CRDs and API services) as ``olm.gvk.required``,
    ``olm.package`` becomes ``olm.package.required`` (``versionRange`` = its
    ``version``), other types pass through. Sorted by type, then by the compact JSON of
    the value; then the metadata: one ``olm.csv.metadata`` (``metadata="csv"``) or one
    ``olm.bundle.object`` per manifest (``metadata="objects"``), last.

    The objects' order: ``sorted`` by their base64 text, as opm writes them since v1.28.0
    (``ObjectsAndPropertiesFromBundle`` sorts them with the other properties and
    ``moveBundleObjectsToEndOfPropertySlices`` moves them last; all 221 such bundles of
    the community catalogs in ``../shared/corpus`` have them so), or ``files``: the order
    opm v1.26.5 writes (``action.Render.Run`` calls ``renderBundleObjects``, which drops
    the sorted objects and appends ``Bundle.Objects``: the manifests in file name order,
    the CSV at its file's place).
    """
    spec = _spec(source.csv)
    derived = {
        "packageName": source.annotations.get(PACKAGE_KEY, ""),
        "version": get_field(spec, "version"),
        "release": get_field(spec, "release"),
    }
    own = [
        _converted(kind, _path(p, "value"))
        for p in source.properties
        if isinstance(kind := _path(p, "type"), str) and kind
    ]
    own += [_package_property(derived), *_csv_properties(source)]
    provided = {_gvk_key(_gvk(g, k, v)) for g, v, k, _ in provided_apis(source)}
    required: set[tuple[str, str, str]] = set()
    package = _package_property(derived)
    other: dict[tuple[str, str], _Property] = {}
    for prop in own:
        if prop.type == "olm.gvk":
            provided.add(_gvk_key(prop.value))
        elif prop.type == PACKAGE:
            package = _package_property(prop.value)
        else:
            other.setdefault((prop.type, prop.text), prop)
    package_required = []
    for dep in source.dependencies:
        kind, value = _path(dep, "type"), _path(dep, "value")
        if kind == "olm.gvk":
            required.add(_gvk_key(value))
        elif kind == PACKAGE:
            package_required.append(
                _built(
                    "olm.package.required",
                    {
                        "packageName": str(_path(value, "packageName") or ""),
                        "versionRange": str(_path(value, "version") or ""),
                    },
                )
            )
        elif isinstance(kind, str) and kind:
            other.setdefault((kind, go_json(value)), _converted(kind, value))
    required |= required_apis(source)
    props = [
        package,
        *(_built("olm.gvk", _gvk(*key)) for key in provided),
        *(_built("olm.gvk.required", _gvk(*key)) for key in required),
        *package_required,
        *other.values(),
    ]
    out = [
        {"type": p.type, "value": p.value} for p in sorted(props, key=lambda p: (p.type, p.text))
    ]
    if metadata == "csv":
        out.append({"type": CSV_METADATA, "value": csv_metadata(source.csv)})
    else:
        objects = [base64.b64encode(go_json(obj).encode()).decode() for _, obj in source.manifests]
        if object_order == "sorted":
            objects.sort()
        out += [{"type": BUNDLE_OBJECT, "value": {"data": data}} for data in objects]
    return out


def required_apis(source: BundleSource) -> set[tuple[str, str, str]]:
    """``(group, kind, version)`` of the CSV's required CRDs (group: ``name`` after the
    first ``.``) and required API services."""
    spec = _spec(source.csv)
    required = set()
    for crd in _list(_path(spec, "customresourcedefinitions", "required")):
        group = str(_path(crd, "name") or "").partition(".")[2]
        required.add(_gvk_key(_gvk(group, _path(crd, "kind"), _path(crd, "version"))))
    for api in _list(_path(spec, "apiservicedefinitions", "required")):
        required.add(_gvk_key(api))
    return required


# Go struct shapes of olm.csv.metadata (operator-framework/api v1alpha1): (json name,
# omitempty, nested shape). A nested shape is a field tuple (struct), ("list", shape)
# or None (a plain value).
_Fields = tuple[tuple[str, bool, Any], ...]
_DESCRIPTOR: _Fields = (
    ("path", False, None),
    ("displayName", True, None),
    ("description", True, None),
    ("x-descriptors", True, None),
    ("value", True, None),
)
_RESOURCE: _Fields = (("name", False, None), ("kind", False, None), ("version", False, None))
_DESCRIBED: _Fields = (
    ("displayName", True, None),
    ("description", True, None),
    ("resources", True, ("list", _RESOURCE)),
    ("statusDescriptors", True, ("list", _DESCRIPTOR)),
    ("specDescriptors", True, ("list", _DESCRIPTOR)),
    ("actionDescriptors", True, ("list", _DESCRIPTOR)),
)
_CRD: _Fields = (("name", False, None), ("version", False, None), ("kind", False, None))
_API_SERVICE: _Fields = (
    ("name", False, None),
    ("group", False, None),
    ("version", False, None),
    ("kind", False, None),
    ("deploymentName", True, None),
    ("containerPort", True, None),
)
_APP_LINK: _Fields = (("name", True, None), ("url", True, None))


def _owned_required(item: _Fields) -> _Fields:
    return (("owned", True, ("list", item)), ("required", True, ("list", item)))


_CSV_METADATA: _Fields = (
    ("annotations", True, "map"),
    ("apiServiceDefinitions", False, _owned_required(_API_SERVICE + _DESCRIBED)),
    ("crdDescriptions", False, _owned_required(_CRD + _DESCRIBED)),
    ("description", True, None),
    ("displayName", True, None),
    ("installModes", True, ("list", (("type", False, None), ("supported", False, "bool")))),
    ("keywords", True, None),
    ("labels", True, "map"),
    ("links", True, ("list", _APP_LINK)),
    ("maintainers", True, ("list", (("name", True, None), ("email", True, None)))),
    ("maturity", True, None),
    ("minKubeVersion", True, None),
    (
        "nativeAPIs",
        True,
        ("list", (("group", False, None), ("version", False, None), ("kind", False, None))),
    ),
    ("provider", False, _APP_LINK),
)


def _go_empty(value: Any) -> bool:
    return value is None or value is False or value == 0 or value in ("", [], {})


def _shape(value: Any, shape: Any) -> Any:
    if shape is None:
        return value
    if shape == "map":
        return dict(sorted(value.items())) if isinstance(value, dict) else value
    if shape == "bool":
        return False if value is None else value
    if isinstance(shape[0], str) and shape[0] == "list":
        return [_shape(v, shape[1]) for v in value] if isinstance(value, list) else value
    source = value if isinstance(value, dict) else {}
    out = {}
    for name, omitempty, nested in shape:
        item = get_field(source, name)
        if omitempty and _go_empty(item):
            continue
        out[name] = _shape(item, nested) if item is not None or nested else ""
    return out


def csv_metadata(csv: dict[str, Any]) -> dict[str, Any]:
    """The ``olm.csv.metadata`` value opm builds from a CSV (``MustBuildCSVMetadata``):
    annotations and labels from ``metadata``, the rest from ``spec``, in Go struct
    order, empty optional fields omitted, ``apiServiceDefinitions``,
    ``crdDescriptions`` and ``provider`` always present (``{}`` when empty)."""
    spec = _spec(csv)
    fields = {name: get_field(spec, name) for name, _, _ in _CSV_METADATA}
    fields["apiServiceDefinitions"] = get_field(spec, "apiservicedefinitions")
    fields["crdDescriptions"] = get_field(spec, "customresourcedefinitions")
    for key in ("annotations", "labels"):
        fields[key] = _path(csv, "metadata", key)
    return _shape(fields, _CSV_METADATA)


def related_images(source: BundleSource, image: str) -> list[dict[str, str]]:
    """``relatedImages`` as opm computes them: the CSV ``spec.relatedImages``, the bundle
    image when not listed, each container and init container image of a ``deployment``
    install strategy when not already present; sorted by image alone, as
    ``action.Render.Run`` does (``sort.Slice`` on ``Image``, v1.26.5 and HEAD).

    One image listed under several names is a tie; this sort keeps such entries in CSV
    order. So does Go's for up to 12 related images (``sort.Slice`` insertion-sorts
    short slices, a stable sort); with more, Go's pdqsort may order the tied entries
    otherwise (seen on a crafted bundle with 20 entries), which is not reproduced here."""
    spec = get_field(source.csv, "spec")
    listed = spec.get("relatedImages") if isinstance(spec, dict) else None
    out = [
        {"name": str(get_field(r, "name") or ""), "image": str(get_field(r, "image") or "")}
        for r in _list(listed)
        if isinstance(r, dict)
    ]
    seen = {r["image"] for r in out}
    if image and image not in seen:
        out.append({"name": "", "image": image})
    install = _path(spec, "install")
    if _path(install, "strategy") == "deployment":
        for deployment in _list(_path(install, "spec", "deployments")):
            pod = _path(deployment, "spec", "template", "spec")
            for container in _list(_path(pod, "containers")) + _list(_path(pod, "initContainers")):
                container_image = str(_path(container, "image") or "")
                if container_image not in seen:
                    out.append({"name": "", "image": container_image})
                seen.add(container_image)
    return sorted(out, key=lambda r: r["image"])


@dataclass(frozen=True, slots=True)
class RenderedBundle:
    """One rendered bundle: its ``package``, ``name``, the ``olm.bundle`` ``blob``, the
    channel ``entry`` (``{name, replaces?, skips?, skipRange?}``), the channels and the
    default channel its annotations declare."""

    package: str
    name: str
    blob: dict[str, Any]
    entry: dict[str, Any]
    channels: tuple[str, ...]
    default_channel: str | None


def render_bundle(
    bundle_dir: str | Path,
    image: str,
    metadata: Metadata = "csv",
    object_order: ObjectOrder = "sorted",
) -> RenderedBundle:
    """Render bundle directory ``bundle_dir`` with bundle image ``image`` (``metadata``
    and ``object_order`` as :func:`bundle_properties` takes them). Raises InputError
    for unreadable bundles and UsageError for an invalid image reference."""
    problem = reference_problem(image)
    if problem:
        raise UsageError(f"invalid --image {image!r}: {problem}")
    source = read_bundle(bundle_dir)
    package = source.annotations.get(PACKAGE_KEY, "")
    name = _path(source.csv, "metadata", "name")
    csv_path = source.root / "manifests" / source.csv_file
    if not package:
        raise InputError(f"annotations have no {PACKAGE_KEY}", source.annotations_file)
    if problem := package_name_problem(package):
        # opm validate rejects it too; here it would also name a directory outside --catalog
        raise InputError(
            f"package name {package!r} ({PACKAGE_KEY}) {problem}", source.annotations_file
        )
    if not isinstance(name, str) or not name:
        raise InputError("the CSV has no metadata.name", csv_path)
    try:
        properties = bundle_properties(source, metadata, object_order)
    except ValueError as exc:
        raise InputError(f"cannot encode the bundle as JSON: {exc}", source.root) from None
    blob: dict[str, Any] = {
        "schema": BUNDLE,
        "name": name,
        "package": package,
        "image": image,
        "properties": properties,
    }
    images = related_images(source, image)
    if images:
        blob["relatedImages"] = images
    spec = get_field(source.csv, "spec")
    spec = spec if isinstance(spec, dict) else {}
    entry: dict[str, Any] = {"name": name}
    replaces = spec.get("replaces")
    if isinstance(replaces, str) and replaces:
        entry["replaces"] = replaces
    skips = [s for s in _list(spec.get("skips")) if isinstance(s, str)]
    if skips:
        entry["skips"] = skips
    skip_range = _annotations(source.csv).get(SKIP_RANGE_ANNOTATION)
    if isinstance(skip_range, str) and skip_range:
        entry["skipRange"] = skip_range
    listed = source.annotations.get(CHANNELS_KEY, "")
    channels = tuple(split_channels(listed))
    for channel in channels:
        if problem := channel_name_problem(channel):
            # opm would publish the name as written; trimming silently would differ (BND004)
            raise InputError(
                f"{CHANNELS_KEY} {listed!r}: channel name {channel!r} {problem}; fix the "
                "annotation (no spaces around commas)",
                source.annotations_file,
            )
    default = source.annotations.get(DEFAULT_CHANNEL_KEY) or None
    return RenderedBundle(package, name, blob, entry, channels, default)


@dataclass(frozen=True, slots=True)
class RenderResult:
    """What :func:`add_to_catalog` did: the file written, whether its bytes changed, the
    bundle and the channels it was added to, and whether it replaced an earlier blob."""

    path: Path
    changed: bool
    bundle: str
    channels: tuple[str, ...]
    replaced: bool


def add_to_catalog(
    rendered: RenderedBundle,
    catalog_dir: str | Path,
    *,
    channels: Sequence[str] = (),
    default_channel: str | None = None,
    fmt: Format = "yaml",
) -> RenderResult:
    """Write ``rendered`` into ``catalog_dir/<package>/catalog.<fmt>``.

    The ``olm.package`` blob is created when missing (``defaultChannel``:
    ``default_channel``, else the bundle's default channel when the bundle goes into it,
    else the first of the channels) or kept (``defaultChannel`` replaced only when
    ``default_channel`` is given, which must then name a channel of the package). The bundle
    blob and its entry in each channel (``channels``, else the bundle's channels
    annotation) replace earlier ones of the same name in place; new entries are
    appended; missing channels are created. Blobs are written in opm's writer order.
    The caller holds :func:`~bundle_tools.safewrite.locked` on ``catalog_dir``; the file
    is written by :func:`~bundle_tools.safewrite.write_files` (a new package directory
    appears with its file, or not at all).
    Raises UsageError when no channel is known, ``default_channel`` is not a channel
    of the package after adding the bundle, the package already uses the other
    format or has blobs in other files of the catalog; InputError when a file of the
    catalog cannot be loaded (checked before writing), a path on the way is not a
    directory, or the file cannot be written.
    """
    channel_names = tuple(dict.fromkeys(channels or rendered.channels))
    if not channel_names:
        raise UsageError(f"bundle {rendered.name} declares no channel; pass --channel")
    directory = Path(catalog_dir) / rendered.package
    path = directory / f"catalog.{fmt}"
    other = directory / f"catalog.{'json' if fmt == 'yaml' else 'yaml'}"
    for where in (Path(catalog_dir), directory):
        if os.path.lexists(where) and not where.is_dir():
            raise InputError("not a directory: cannot hold the package's catalog file", where)
    if other.exists() and not path.exists():
        raise UsageError(f"{other} exists; render with --format {other.suffix[1:]}")
    _refuse_split_package(Path(catalog_dir), path, rendered.package)
    original = read_original(path)
    blobs = [b.data for b in load_file(path, str(path))] if original is not None else []
    replaced = any(_is(b, BUNDLE, rendered.package, rendered.name) for b in blobs)
    blobs = [b for b in blobs if not _is(b, BUNDLE, rendered.package, rendered.name)]
    blobs.append(rendered.blob)
    package = next((b for b in blobs if _is(b, PACKAGE, None, rendered.package)), None)
    if package is None:
        package = {"schema": PACKAGE, "name": rendered.package}
        blobs.append(package)
        annotated = rendered.default_channel if rendered.default_channel in channel_names else None
        package["defaultChannel"] = default_channel or annotated or channel_names[0]
    elif default_channel:
        package["defaultChannel"] = default_channel
    for channel_name in channel_names:
        channel = next((b for b in blobs if _is(b, CHANNEL, rendered.package, channel_name)), None)
        if channel is None:
            channel = {"schema": CHANNEL, "name": channel_name, "package": rendered.package}
            blobs.append(channel)
        entries = get_field(channel, "entries")
        entries = entries if isinstance(entries, list) else []
        index = next(
            (i for i, e in enumerate(entries) if get_field(e, "name") == rendered.name), None
        )
        if index is None:
            entries.append(dict(rendered.entry))
        else:
            entries[index] = dict(rendered.entry)
        channel["entries"] = entries
    if default_channel:
        known = sorted(
            str(get_field(b, "name")) for b in blobs if _is_channel_of(b, rendered.package)
        )
        if default_channel not in known:
            raise UsageError(
                f"--default-channel {default_channel} is not a channel of package "
                f"{rendered.package} (channels: {', '.join(known)})"
            )
    ordered = order_blobs(blobs)
    try:
        text = dump_yaml(ordered) if fmt == "yaml" else dump_json(ordered)
    except ValueError as exc:
        raise InputError(f"cannot write the catalog as {fmt.upper()}: {exc}", path) from None
    write = Write(path, text.encode("utf-8"), original, Path(catalog_dir))
    changed = write_files([write])[0]
    return RenderResult(path, changed, rendered.name, channel_names, replaced)


def _refuse_split_package(catalog_dir: Path, path: Path, package: str) -> None:
    """Load the whole catalog before anything is written: InputError when a file of it
    does not load (validating afterwards would fail with the new file already
    written), UsageError when files other than ``path`` hold blobs of ``package`` (in
    its directory or elsewhere: rendering into ``path`` would duplicate its package,
    channels or bundle)."""
    if not catalog_dir.is_dir():
        return
    with paused():
        blobs = load_catalog(catalog_dir)
    for blob in blobs:
        if blob.source.path == path:
            continue
        schema = get_field(blob.data, "schema")
        owner = get_field(blob.data, "name" if schema == PACKAGE else "package")
        if owner == package:
            raise UsageError(
                f"package {package} also has blobs in {blob.path}; catalog render keeps a "
                f"package in one file ({path})"
            )


def _is_channel_of(blob: dict[str, Any], package: str) -> bool:
    return get_field(blob, "schema") == CHANNEL and get_field(blob, "package") == package


def _is(blob: dict[str, Any], schema: str, package: str | None, name: str) -> bool:
    return (
        get_field(blob, "schema") == schema
        and (package is None or get_field(blob, "package") == package)
        and get_field(blob, "name") == name
    )
