"""Reading, checking and rendering catalog templates (``opm alpha render-template``).

A template file is checked against ``schemas/olm.semver.schema.json`` or
``schemas/olm.template.basic.schema.json`` first; violations are reported as findings
with file, line and column (:class:`TemplateError`). Rendering then asks the injected
``render_bundle(image)`` for each bundle image (once per image) and builds the catalog:

- ``olm.semver`` (operator-registry ``alpha/template/semver/semver.go`` ``Render``):
  minor channels unless ``generateMinorChannels: false``, major channels with
  ``generateMajorChannels: true`` (v1.26.5 ``readFile`` presets ``GenerateMinorChannels``
  to true before decoding, so ``generateMajorChannels: true`` alone gives both kinds;
  v1.27.1 and later give only major channels then);
  the bundles of ``candidate``, ``fast`` and ``stable``; all of one package (the first
  bundle's ``olm.package``); no two bundles of one archetype with the same name or with
  versions that differ only in build metadata; then one ``olm.package`` with the default
  channel and the channels of :func:`bundle_tools.template.semver.generate_channels`.
- ``olm.template.basic`` (``alpha/template/basic/basic.go`` ``Render``): the blobs of
  ``entries``; each ``olm.bundle`` carries only ``schema`` and ``image`` (``package``,
  ``properties`` and ``relatedImages`` are refused, ``name`` is ignored) and is replaced
  by the rendered bundle; every other blob passes through. A plain FBC stream whose
  bundles name only images (what opm v1.26.5's ``render-template basic`` reads) is
  accepted too.

The result is a list of blobs; :func:`dump_catalog` prints them as opm v1.26.5 does.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from bundle_tools import yamlio
from bundle_tools.errors import BundleToolsError, InputError
from bundle_tools.fbc.graph import ChannelGraph
from bundle_tools.fbc.load import Blob, get_field, load_blobs
from bundle_tools.fbc.model import BUNDLE, PACKAGE
from bundle_tools.findings import Finding, Location, Severity
from bundle_tools.rules import Hit
from bundle_tools.schemas import schema_hits
from bundle_tools.template.semver import ARCHETYPES, SemverOptions, generate_channels
from bundle_tools.versions import parse_strict

SEMVER = "olm.semver"
BASIC = "olm.template.basic"
#: The rule id of template schema findings.
RULE = "TPL001"
#: The rule id of warnings about fields opm drops from a basic template's blobs.
DROPPED_RULE = "TPL002"

#: How rendered template bundles list their ``olm.bundle.object`` properties: in
#: manifest-file order, as opm v1.26.5's ``render-template`` does (see
#: :func:`bundle_tools.fbc.render.bundle_properties`).
OBJECT_ORDER = "files"

#: ``render_bundle(image) -> olm.bundle blob``; raises BundleToolsError when the image
#: cannot be rendered.
BundleRenderer = Callable[[str], dict[str, Any]]


class TemplateError(InputError):
    """A template that breaks its schema: ``findings`` holds every violation (rule
    ``TPL001``, error, with file, line and column); the message is the first one."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        first = findings[0].location
        super().__init__(findings[0].message, first.path, first.line, first.column)
        self.findings = list(findings)


@dataclass(frozen=True, slots=True)
class Template:
    """A loaded template: ``schema`` (``olm.semver`` or ``olm.template.basic``), the
    blobs of its file (one for both schemas, several for a plain FBC stream) and
    ``warnings`` (rule ``TPL002``: fields opm drops, see :func:`load_template`)."""

    path: str
    schema: str
    blobs: list[Blob]
    warnings: tuple[Finding, ...] = ()


def _go_keys(obj: Any, names: Sequence[str]) -> Any:
    """``obj`` with keys that match ``names`` case-insensitively renamed to them, as Go's
    ``encoding/json`` matches struct fields (other keys unchanged)."""
    if not isinstance(obj, dict):
        return obj
    lower = {n.lower(): n for n in names}
    return {(k if k in names else lower.get(k.lower(), k)): v for k, v in obj.items()}


def _semver_shape(data: Any) -> Any:
    """The semver template with Go field names applied at every level."""
    top = _go_keys(
        data,
        (
            "schema",
            "generateMajorChannels",
            "generateMinorChannels",
            "defaultChannelTypePreference",
            *ARCHETYPES,
        ),
    )
    for archetype in ARCHETYPES:
        group = _go_keys(top.get(archetype), ("bundles",))
        if isinstance(group, dict) and isinstance(group.get("bundles"), list):
            group["bundles"] = [_go_keys(b, ("image",)) for b in group["bundles"]]
        if archetype in top:
            top[archetype] = group
    return top


def load_template(path: str | Path) -> Template:
    """Read the template file ``path`` and check it against its schema.

    Raises InputError when the file cannot be parsed (as a catalog file is) and
    :class:`TemplateError` with every schema violation. A basic template's package,
    channel, channel entry or bundle with a field opm's Go structs do not have
    (:func:`bundle_tools.fbc.write.dropped_fields`; opm drops it silently, a misspelt
    ``replace`` included) gets a warning finding, positioned, with the nearest field name.
    """
    blobs = load_blobs(Path(path), str(path))
    schemas = [get_field(b.data, "schema") for b in blobs]
    hits = []
    if len(blobs) == 1 and schemas[0] in (SEMVER, BASIC):
        schema = schemas[0]
        shape = _semver_shape(blobs[0].data) if schema == SEMVER else blobs[0].data
        hits = schema_hits(schema, shape, str(path), blobs[0].position)
    else:
        schema = BASIC
        for blob in blobs:
            wrapped = {"schema": BASIC, "entries": [blob.data]}
            hits += schema_hits(BASIC, wrapped, str(path), lambda p, b=blob: b.position(p[2:]))
    if hits:
        raise TemplateError([_finding(h, blobs, schema) for h in hits])
    warnings = () if schema == SEMVER else tuple(_dropped(str(path), blobs))
    return Template(str(path), schema, blobs, warnings)


def _basic_entries(blobs: Sequence[Blob]) -> list[tuple[Any, Blob, tuple[str | int, ...]]]:
    """``(entry, its blob, its path in the blob)`` of each entry of a basic template:
    the ``entries`` of an ``olm.template.basic`` blob, else every blob of the stream."""
    if len(blobs) == 1 and get_field(blobs[0].data, "schema") == BASIC:
        blob = blobs[0]
        return [(e, blob, ("entries", i)) for i, e in enumerate(get_field(blob.data, "entries"))]
    return [(b.data, b, ()) for b in blobs]


def _dropped(path: str, blobs: Sequence[Blob]) -> Iterator[Finding]:
    from bundle_tools.fbc.write import dropped_fields

    for data, blob, parts in _basic_entries(blobs):
        for keys, known in dropped_fields(data):
            key = str(keys[-1])
            near = difflib.get_close_matches(key, known.split(", "), n=1)
            line, column = blob.position((*parts, *keys))
            what = get_field(data, "schema") + (" entry" if len(keys) > 1 else "")
            yield Finding(
                rule=DROPPED_RULE,
                severity=Severity.WARNING,
                message=f'{what} has no field "{key}" in opm ({known}): '
                "opm drops it" + (f'; did you mean "{near[0]}"?' if near else ""),
                location=Location(
                    path=path,
                    pointer=yamlio.pointer([*parts, *keys]),
                    line=line,
                    column=column,
                ),
            )


_UNEXPECTED = re.compile(r"\('([^']*)' was unexpected\)")


#: Keys asked for as semver template fields that no opm version has, and what to say.
_NOT_SEMVER_FIELDS = {
    "avoidskippatch": "avoidSkipPatch is in no opm version (v1.26.5 to HEAD); opm's only "
    "skip-patch behaviour is the semver-skippatch mode of the sqlite `opm index add --mode`",
}


def _finding(hit: Hit, blobs: Sequence[Blob], schema: str) -> Finding:
    """A schema hit as a finding; an unexpected key (which the schema reports at its
    parent) is placed at the key itself when the template has a single blob. In an
    ``olm.semver`` template it is named as opm refuses it: ``readFile`` decodes with
    ``yaml.UnmarshalStrict`` (v1.26.5 and HEAD) and stops with ``json: unknown field``."""
    location = hit.location
    message = hit.message
    match = _UNEXPECTED.search(hit.message)
    if match and schema == SEMVER:
        key = match[1]
        message = (
            f'unknown field "{key}": opm reads olm.semver templates strictly and stops '
            f'there (json: unknown field "{key}")'
        )
        if hint := _NOT_SEMVER_FIELDS.get(key.lower()):
            message += f"; {hint}"
    if match and len(blobs) == 1:
        tokens = yamlio.split_pointer(location.pointer)
        parts = [*(int(t) if t.isdigit() else t for t in tokens), match[1]]
        line, column = blobs[0].position(parts)
        location = Location(
            path=location.path, pointer=yamlio.pointer(parts), line=line, column=column
        )
    return Finding(rule=RULE, severity=Severity.ERROR, message=message, location=location)


def _error(template: Template, message: str, parts: Sequence[str | int] = ()) -> InputError:
    blob = template.blobs[0]
    line, column = blob.position(parts)
    return InputError(message, template.path, line, column)


def _render(
    template: Template, render_bundle: BundleRenderer, image: str, parts: Sequence[str | int]
) -> dict[str, Any]:
    try:
        return render_bundle(image)
    except BundleToolsError as exc:
        detail = exc.located() if isinstance(exc, InputError) else str(exc)
        raise _error(template, f'cannot render bundle image "{image}": {detail}', parts) from None


def _package_version(bundle: dict[str, Any]) -> tuple[str, str] | None:
    """``(packageName, version)`` of the bundle's only ``olm.package`` property."""
    found = [
        p.get("value")
        for p in get_field(bundle, "properties") or []
        if isinstance(p, dict) and p.get("type") == PACKAGE
    ]
    if len(found) != 1 or not isinstance(found[0], dict):
        return None
    return found[0].get("packageName"), found[0].get("version")


def render_semver(template: Template, render_bundle: BundleRenderer) -> list[dict[str, Any]]:
    """Render an ``olm.semver`` template: the package, its channels, its bundles.

    Raises InputError (with the template line of the offending bundle) when an image
    cannot be rendered or its bundle breaks a rule listed in the module docstring.
    """
    data = _semver_shape(template.blobs[0].data)
    options = SemverOptions(
        major=data.get("generateMajorChannels") is True,
        # opm v1.26.5 readFile sets GenerateMinorChannels before decoding the template
        minor=data.get("generateMinorChannels") is not False,
        preference=data.get("defaultChannelTypePreference") or "",
    )
    rendered: dict[str, dict[str, Any]] = {}
    package: str | None = None
    versions: dict[str, dict[str, semver.Version]] = {}
    for archetype in ARCHETYPES:
        versions[archetype] = {}
        stripped: dict[str, str] = {}
        group = data.get(archetype) or {}
        for i, entry in enumerate(group.get("bundles") or []):
            parts = (archetype, "bundles", i, "image")
            image = entry["image"]
            if image not in rendered:
                rendered[image] = _render(template, render_bundle, image, parts)
            bundle = rendered[image]
            name = get_field(bundle, "name")
            found = _package_version(bundle)
            if found is None:
                raise _error(
                    template, f'bundle "{name}" must have exactly one olm.package property', parts
                )
            package_name, text = found
            try:
                version = parse_strict(text)
            except (TypeError, ValueError) as exc:
                raise _error(
                    template, f'bundle "{name}" has invalid version "{text}": {exc}', parts
                ) from None
            if package is None:
                package = package_name
            elif package_name != package:
                raise _error(
                    template,
                    f'bundle "{name}" belongs to package "{package_name}", not "{package}" '
                    "(all bundles of a semver template are of one package)",
                    parts,
                )
            if name in versions[archetype]:
                raise _error(template, f'duplicate bundle name "{name}" in {archetype}', parts)
            key = str(version.replace(build=None))
            if key in stripped:
                raise _error(
                    template,
                    f'bundle version "{version}" cannot be ordered against "{stripped[key]}" '
                    f"in {archetype}: versions differ only by build metadata",
                    parts,
                )
            stripped[key] = str(version)
            versions[archetype][name] = version
    if package is None:
        raise _error(template, "no bundles specified: candidate, fast and stable are all empty")
    channels, default = generate_channels(package, versions, options)
    package_blob = {"schema": "olm.package", "name": package, "defaultChannel": default}
    return [package_blob, *channels, *rendered.values()]


def render_basic(template: Template, render_bundle: BundleRenderer) -> list[dict[str, Any]]:
    """Render an ``olm.template.basic`` template (or a plain FBC stream): each bundle
    entry replaced by its rendered bundle, every other blob unchanged. Raises
    InputError naming the entry when its image cannot be rendered."""
    out = []
    for data, blob, parts in _basic_entries(template.blobs):
        if get_field(data, "schema") != BUNDLE:
            out.append(data)
            continue
        image = get_field(data, "image")
        try:
            out.append(render_bundle(image))
        except BundleToolsError as exc:
            detail = exc.located() if isinstance(exc, InputError) else str(exc)
            line, column = blob.position((*parts, "image"))
            raise InputError(
                f'cannot render bundle image "{image}": {detail}', template.path, line, column
            ) from None
    return out


def bundle_images(template: Template) -> set[str]:
    """The bundle image references ``template`` names: the images of every archetype's
    ``bundles`` of a semver template, of every ``olm.bundle`` entry of a basic one."""
    if template.schema == SEMVER:
        data = _semver_shape(template.blobs[0].data)
        groups = [data.get(archetype) or {} for archetype in ARCHETYPES]
        images = [entry["image"] for group in groups for entry in group.get("bundles") or []]
    else:
        entries = _basic_entries(template.blobs)
        images = [get_field(d, "image") for d, _, _ in entries if get_field(d, "schema") == BUNDLE]
    return {image for image in images if isinstance(image, str)}


def render_template(template: Template, render_bundle: BundleRenderer) -> list[dict[str, Any]]:
    """Render ``template`` with ``render_bundle``; see :func:`render_semver` and
    :func:`render_basic`."""
    if template.schema == SEMVER:
        return render_semver(template, render_bundle)
    return render_basic(template, render_bundle)


def directory_renderer(
    bundles: dict[str, Path], metadata: str = "csv", fallback: BundleRenderer | None = None
) -> BundleRenderer:
    """A :data:`BundleRenderer` for bundle images whose content is at hand as bundle
    directories: ``bundles`` maps an image reference to its directory (rendered with
    :func:`bundle_tools.fbc.render.render_bundle`, ``metadata`` ``csv`` or ``objects``,
    objects in :data:`OBJECT_ORDER`).
    Other images go to ``fallback`` (e.g. :func:`bundle_tools.template.pull.
    registry_renderer`); without one they raise InputError."""
    from bundle_tools.fbc.render import render_bundle

    def render(image: str) -> dict[str, Any]:
        if image in bundles:
            source = bundles[image]
            return render_bundle(source, image, metadata, OBJECT_ORDER).blob  # type: ignore[arg-type]
        if fallback is None:
            raise InputError(f"no --bundle directory given for {image}")
        return fallback(image)

    return render


def dump_catalog(blobs: Sequence[dict[str, Any]], fmt: str) -> str:
    """Rendered ``blobs`` as opm v1.26.5's ``render-template`` prints them, ``fmt``
    ``json`` or ``yaml``: its writer's blob order and shapes
    (:data:`bundle_tools.fbc.write.OPM_V1_26_5`: only packages, channels and bundles are
    Go structs, so fields they do not have are dropped, and an ``olm.deprecations`` blob
    is written with sorted keys among the other blobs, by schema, as v1.26.5 writes any
    blob it has no type for). Raises ValueError for a value JSON cannot hold (NaN,
    infinities)."""
    from bundle_tools.fbc.write import OPM_V1_26_5, dump_json, dump_yaml, order_blobs

    dump = dump_json if fmt == "json" else dump_yaml
    return dump(order_blobs(blobs, OPM_V1_26_5), OPM_V1_26_5)


def write_catalog(blobs: Sequence[dict[str, Any]], catalog_dir: str | Path, fmt: str) -> list[Path]:
    """Write rendered ``blobs`` as ``catalog_dir/<package>/catalog.<fmt>`` (``json`` or
    ``yaml``), one file per package, replacing what the file held; all files are
    written or none (:func:`~bundle_tools.safewrite.write_files`, under
    :func:`~bundle_tools.safewrite.locked`). Returns the paths written, by package.
    Raises UsageError when a blob has no package or a package already keeps its catalog
    file in the other format; InputError when a file cannot be written. Each file holds
    what :func:`dump_catalog` prints for its package."""
    from bundle_tools.errors import UsageError
    from bundle_tools.safewrite import Write, locked, read_original, write_files

    packages: dict[str, list[dict[str, Any]]] = {}
    for blob in blobs:
        schema = get_field(blob, "schema")
        name = get_field(blob, "name" if schema == PACKAGE else "package")
        if not isinstance(name, str) or not name:
            raise UsageError(
                f"a rendered {schema} blob names no package: --catalog cannot place it; "
                "print the catalog instead"
            )
        packages.setdefault(name, []).append(blob)
    root = Path(catalog_dir)
    with locked(root) as lock_dir:
        writes = []
        for package, group in sorted(packages.items()):
            path = root / package / f"catalog.{fmt}"
            other = path.with_suffix(".json" if fmt == "yaml" else ".yaml")
            if other.exists():
                raise UsageError(f"{other} exists; write with -o {other.suffix[1:]}")
            text = dump_catalog(group, fmt)
            writes.append(Write(path, text.encode("utf-8"), read_original(path), root))
        write_files(writes, journal=lock_dir)
    return [w.path for w in writes]


def graphs_of(blobs: Sequence[dict[str, Any]]) -> list[ChannelGraph]:
    """The upgrade graphs (:func:`bundle_tools.fbc.graph.catalog_graphs`) of rendered
    ``blobs``, read back through the catalog loader from a temporary file."""
    from bundle_tools.fbc.check import load_model
    from bundle_tools.fbc.graph import catalog_graphs
    from bundle_tools.fbc.write import dump_json

    with tempfile.TemporaryDirectory(prefix="bundle-tools-template-") as root:
        (Path(root) / "catalog.json").write_text(dump_json(blobs), encoding="utf-8")
        return catalog_graphs(load_model(root))
