"""File-based catalog (FBC) rules: what ``opm validate`` checks at operator-registry HEAD
(``alpha/declcfg/load.go``, ``declcfg_to_model.go``, ``alpha/model/model.go``), made
deterministic and reported all at once instead of fail-fast, plus a few stricter checks
(marked *stricter* in their summary) where opm checks too little.

Every rule receives a :class:`~bundle_tools.fbc.model.Catalog` and yields hits located at
the offending blob field (file, JSON pointer, line, column).

Example (``FBC027``, two heads because ``skipRange`` is not an edge)::

    entries:
    - name: op.v1.0.1
      replaces: op.v1.0.0
    - name: op.v1.0.2            # FAIL: heads op.v1.0.1, op.v1.0.2
      skipRange: '>=1.0.0 <1.0.2'
    - name: op.v1.0.2            # PASS: add `replaces: op.v1.0.1`
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from bundle_tools.fbc.decode import (
    FBC_SCHEMAS,
    decode_base64,
    fold_keys,
    manifest_problem,
)
from bundle_tools.fbc.graph import Chain, heads, replaces_chain
from bundle_tools.fbc.load import Blob, get_field
from bundle_tools.fbc.model import (
    BUNDLE,
    BUNDLE_OBJECT,
    CHANNEL,
    CSV_METADATA,
    PACKAGE,
    Bundle,
    Catalog,
    Channel,
    text,
)
from bundle_tools.findings import Location, Severity
from bundle_tools.imageref import reference_problem
from bundle_tools.names import package_name_problem
from bundle_tools.rules import Hit, rule
from bundle_tools.schemas import is_valid, load_schema, schema_hits
from bundle_tools.semver_range import parse_range
from bundle_tools.versions import parse_strict

OPM = "opm validate (operator-registry HEAD)"
OPM_LOAD = "opm validate, alpha/declcfg/load.go (operator-registry HEAD)"
OPM_MODEL = "opm validate, alpha/model/model.go (operator-registry HEAD)"
DOCS = "olm-docs file-based-catalogs.md"

_RELEASE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_RELEASE = re.compile(rf"{_RELEASE_ID}(?:\.{_RELEASE_ID})*")
RELEASE_MAX = 20


def _where(blob: Blob) -> str:
    return f"{blob.path}:{blob.line}"


def _channel_label(channel: Channel) -> str:
    return f'package "{channel.package}", channel "{channel.name}"'


def _blob_label(blob: Blob) -> str:
    schema = get_field(blob.data, "schema")
    name = text(blob.data, "name")
    package = text(blob.data, "package")
    if schema == PACKAGE:
        return f'package "{name}"'
    if schema == CHANNEL:
        return f'package "{package}", channel "{name}"'
    if schema == BUNDLE:
        return f'bundle "{name}"'
    return f'{schema} of package "{package}"'


# --- load and decode ---------------------------------------------------------------


@rule(
    "FBC001",
    severity=Severity.ERROR,
    summary="Known blobs match their JSON schema in schemas/ (opm's typed decode)",
    source=OPM_LOAD + ": Go struct unmarshal of olm.package/channel/bundle/deprecations",
    target="catalog",
)
def blob_schema(catalog: Catalog) -> Iterator[Hit]:
    """Field types and required fields of ``olm.package``, ``olm.channel``,
    ``olm.bundle`` and ``olm.deprecations`` blobs and of typed property values
    (``olm.package``, ``olm.gvk``, ``olm.csv.metadata``...), padded base64 icons. Keys
    match case-insensitively, as in Go."""
    for blob in catalog.blobs:
        name = get_field(blob.data, "schema")
        if name not in FBC_SCHEMAS or is_valid(name, blob.data):
            continue
        label = _blob_label(blob)
        for hit in schema_hits(
            name, fold_keys(blob.data, load_schema(name)), blob.path, blob.position
        ):
            yield Hit(message=f"{label}: {hit.message}", location=hit.location, hint=hit.hint)


@rule(
    "FBC002",
    severity=Severity.ERROR,
    summary="olm.bundle.object data is base64 of a YAML or JSON object",
    source=OPM_LOAD + ": readBundleObjects",
    target="catalog",
)
def bundle_object_data(catalog: Catalog) -> Iterator[Hit]:
    """opm decodes every ``olm.bundle.object`` when it loads a catalog; data that is not
    a manifest fails the load (invalid base64 is reported by ``FBC001``)."""
    for bundle in catalog.bundles:
        for prop in bundle.properties:
            data = text(prop.value, "data") if prop.type == BUNDLE_OBJECT else None
            if not data:
                continue
            try:
                problem = manifest_problem(decode_base64(data))
            except ValueError:
                continue
            if problem:
                yield Hit(
                    message=f'bundle "{bundle.name}": properties[{prop.index}] '
                    f"(olm.bundle.object): {problem}",
                    location=bundle.blob.location("properties", prop.index, "value", "data"),
                )


@rule(
    "FBC003",
    severity=Severity.ERROR,
    summary="No duplicate keys (case-folded at the top level; exact anywhere: stricter)",
    source=OPM_LOAD + " (v1.28+: duplicate keys for key); nested: stricter, opm keeps the last",
    target="catalog",
)
def duplicate_keys(catalog: Catalog) -> Iterator[Hit]:
    """Two top-level keys equal under case folding (``name`` and ``Name``) are an opm
    load error; a key repeated in any YAML mapping is reported too, since one value is
    silently dropped."""
    for blob in catalog.blobs:
        folded: dict[str, list[str]] = defaultdict(list)
        for key in blob.data:
            folded[key.casefold()].append(key)
        for keys in folded.values():
            if len(keys) > 1:
                yield Hit(
                    message=f'{_blob_label(blob)}: duplicate keys for key "{keys[0].lower()}": '
                    f"[{' '.join(sorted(keys))}]",
                    location=blob.location(keys[-1]),
                )
        for line, column, key in blob.duplicate_keys:
            yield Hit(
                message=f'{_blob_label(blob)}: duplicate key "{key}" (the last value wins)',
                location=Location(path=blob.path, line=line, column=column),
            )


# --- packages ----------------------------------------------------------------------


@rule(
    "FBC010",
    severity=Severity.ERROR,
    summary="Package name is set and a DNS-1123 label",
    source=OPM_MODEL + " (DNS-1123 since v1.41)",
    target="catalog",
)
def package_name(catalog: Catalog) -> Iterator[Hit]:
    """``olm.package`` ``name`` must be non-empty, ``[a-z0-9]([-a-z0-9]*[a-z0-9])?`` and at
    most 63 characters."""
    for package in catalog.packages:
        if not package.name:
            yield Hit(
                message="config contains package with no name",
                location=package.blob.location("name"),
            )
        elif problem := package_name_problem(package.name):
            yield Hit(
                message=f'invalid package name "{package.name}": {problem}',
                location=package.blob.location("name"),
            )


@rule(
    "FBC011",
    severity=Severity.ERROR,
    summary="Each package is defined once",
    source=OPM + ": declcfg_to_model.go duplicate package",
    target="catalog",
)
def duplicate_package(catalog: Catalog) -> Iterator[Hit]:
    """A second ``olm.package`` blob with the same name."""
    for package in catalog.packages:
        first = catalog.package_index.get(package.name or "")
        if first is not None and first is not package:
            yield Hit(
                message=f'duplicate package "{package.name}" '
                f"(first defined at {_where(first.blob)})",
                location=package.blob.location("name"),
            )


@rule(
    "FBC012",
    severity=Severity.ERROR,
    summary="defaultChannel is set and names a channel with at least one bundle",
    source=OPM_MODEL + ": default channel must be set; missing channel is created empty",
    target="catalog",
)
def default_channel(catalog: Catalog) -> Iterator[Hit]:
    """opm creates a missing default channel empty, so its error reads ``invalid channel
    "X": channel must contain at least one bundle``."""
    for package in catalog.package_index.values():
        if not package.default_channel:
            yield Hit(
                message=f'package "{package.name}": default channel must be set',
                location=package.blob.location("defaultChannel"),
            )
            continue
        channel = catalog.channel_index.get((package.name, package.default_channel))
        if channel is None or not channel.entries:
            state = "does not exist" if channel is None else "has no entries"
            yield Hit(
                message=f'package "{package.name}": default channel "{package.default_channel}" '
                f'{state}: invalid channel "{package.default_channel}": channel must contain '
                "at least one bundle",
                location=package.blob.location("defaultChannel"),
            )


@rule(
    "FBC013",
    severity=Severity.ERROR,
    summary="A package has at least one channel",
    source=OPM_MODEL,
    target="catalog",
)
def package_channels(catalog: Catalog) -> Iterator[Hit]:
    """``package "p" must contain at least one channel``."""
    for name, package in catalog.package_index.items():
        if name and not catalog.package_channels.get(name):
            yield Hit(
                message=f'package "{name}" must contain at least one channel',
                location=package.blob.location("name"),
            )


# --- channels ----------------------------------------------------------------------


@rule(
    "FBC020",
    severity=Severity.ERROR,
    summary="A channel names a known package",
    source=OPM + ": declcfg_to_model.go unknown package for channel",
    target="catalog",
)
def channel_package(catalog: Catalog) -> Iterator[Hit]:
    """``package`` must be set and name an ``olm.package`` blob."""
    yield from _unknown_package_hits(catalog, "channel", catalog.channels)


def _unknown_package_hits(
    catalog: Catalog, kind: str, members: Iterable[Channel] | Iterable[Bundle]
) -> Iterator[Hit]:
    """opm's ``package name must be set for <kind> "x"`` and ``unknown package "p" for
    <kind> "x"``, for channels or bundles (``kind``)."""
    for member in members:
        if not member.package:
            yield Hit(
                message=f'package name must be set for {kind} "{member.name}"',
                location=member.blob.location("package"),
            )
        elif member.package not in catalog.package_index:
            yield Hit(
                message=f'unknown package "{member.package}" for {kind} "{member.name}"',
                location=member.blob.location("package"),
            )


@rule(
    "FBC021",
    severity=Severity.ERROR,
    summary="A channel has a name, unique within its package",
    source=OPM + ": declcfg_to_model.go duplicate channel",
    target="catalog",
)
def duplicate_channel(catalog: Catalog) -> Iterator[Hit]:
    """``package "p" has duplicate channel "c"``, naming where the first one is."""
    yield from _duplicate_name_hits("channel", catalog.channels, catalog.channel_index)


def _duplicate_name_hits(
    kind: str,
    members: Iterable[Channel] | Iterable[Bundle],
    index: Mapping[tuple[str | None, str | None], Channel]
    | Mapping[tuple[str | None, str | None], Bundle],
) -> Iterator[Hit]:
    """A ``kind`` (channel or bundle) with no name, or whose ``(package, name)`` is
    already held by an earlier blob in ``index`` (the first one defined)."""
    for member in members:
        if not member.name:
            yield Hit(
                message=f'package "{member.package}" has a {kind} with no name',
                location=member.blob.location("name"),
            )
            continue
        first = index[(member.package, member.name)]
        if first is not member:
            yield Hit(
                message=f'package "{member.package}" has duplicate {kind} "{member.name}" '
                f"(first defined at {_where(first.blob)})",
                location=member.blob.location("name"),
            )


def _named_channels(catalog: Catalog) -> Iterator[Channel]:
    for channels in catalog.package_channels.values():
        yield from channels


@rule(
    "FBC022",
    severity=Severity.ERROR,
    summary="A channel has at least one entry",
    source=OPM_MODEL,
    target="catalog",
)
def channel_empty(catalog: Catalog) -> Iterator[Hit]:
    """``channel must contain at least one bundle``."""
    for channel in _named_channels(catalog):
        if not channel.entries:
            yield Hit(
                message=f"{_channel_label(channel)}: channel must contain at least one bundle",
                location=channel.blob.location("entries"),
            )


@rule(
    "FBC023",
    severity=Severity.ERROR,
    summary="Channel entries have a name, once per channel",
    source=OPM + ": declcfg_to_model.go duplicate entry",
    target="catalog",
)
def duplicate_entry(catalog: Catalog) -> Iterator[Hit]:
    """``invalid package "p", channel "c": duplicate entry "b"``."""
    for channel in catalog.channels:
        seen: set[str] = set()
        for entry in channel.entries:
            if not entry.name:
                yield Hit(
                    message=f"{_channel_label(channel)}: entries[{entry.index}] has no name",
                    location=channel.blob.location("entries", entry.index),
                )
            elif entry.name in seen:
                yield Hit(
                    message=f'invalid {_channel_label(channel)}: duplicate entry "{entry.name}"',
                    location=channel.blob.location("entries", entry.index, "name"),
                )
            else:
                seen.add(entry.name)


@rule(
    "FBC024",
    severity=Severity.ERROR,
    summary="Every channel entry has an olm.bundle blob in the same package",
    source=OPM + ": declcfg_to_model.go (opm checks only the last channel of each package;"
    " here every channel, deterministically)",
    target="catalog",
)
def entry_bundle(catalog: Catalog) -> Iterator[Hit]:
    """``no olm.bundle blobs found in package "p" for olm.channel entries [b]``."""
    for channel in catalog.channels:
        for entry in channel.entries:
            if entry.name and (channel.package, entry.name) not in catalog.bundle_index:
                yield Hit(
                    message=f'no olm.bundle blobs found in package "{channel.package}" for '
                    f'olm.channel entries [{entry.name}] (channel "{channel.name}")',
                    location=channel.blob.location("entries", entry.index, "name"),
                )


@rule(
    "FBC025",
    severity=Severity.ERROR,
    summary="No empty skips",
    source=OPM_MODEL + ": skip[i] is empty",
    target="catalog",
)
def empty_skip(catalog: Catalog) -> Iterator[Hit]:
    """An entry's ``skips`` may not contain ``""``."""
    for channel in catalog.channels:
        for entry in channel.entries:
            for i, skip in enumerate(entry.skips):
                if skip == "":
                    yield Hit(
                        message=f'{_channel_label(channel)}, entry "{entry.name}": '
                        f"skip[{i}] is empty",
                        location=channel.blob.location("entries", entry.index, "skips", i),
                    )


@rule(
    "FBC026",
    severity=Severity.ERROR,
    summary="skipRange parses as a blang/semver range",
    source=OPM_MODEL + " (v1.69+): invalid skipRange",
    target="catalog",
)
def skip_range(catalog: Catalog) -> Iterator[Hit]:
    """``skipRange`` follows blang/semver ``ParseRange``: no ``v`` prefix, space is AND,
    ``||`` is OR (``<v1.1.0`` and ``<=v0.10.1`` fail, ``>=1.0.0-0 <1.1.0`` passes)."""
    for channel in catalog.channels:
        for entry in channel.entries:
            if entry.skip_range is None:
                continue
            try:
                parse_range(entry.skip_range)
            except ValueError as exc:
                yield Hit(
                    message=f'{_channel_label(channel)}, bundle "{entry.name}": invalid skipRange '
                    f'"{entry.skip_range}": {exc}',
                    location=channel.blob.location("entries", entry.index, "skipRange"),
                )


@rule(
    "FBC027",
    severity=Severity.ERROR,
    summary="A channel has exactly one head",
    source=OPM_MODEL + ": Channel.Head (replaces and skips are edges, skipRange is not)",
    target="catalog",
)
def channel_head(catalog: Catalog) -> Iterator[Hit]:
    """Heads are entries no ``replaces``/``skips`` reaches; 0 or several is an error."""
    for channel in _named_channels(catalog):
        if not channel.entries:
            continue
        found = heads(channel.entries)
        if not found:
            message = "no channel head found in graph"
        elif len(found) > 1:
            message = f"multiple channel heads found in graph: {', '.join(found)}"
        else:
            continue
        yield Hit(
            message=f"{_channel_label(channel)}: {message}",
            location=channel.blob.location("entries"),
        )


def _head_chains(catalog: Catalog) -> Iterator[tuple[Channel, Chain]]:
    """Each named channel with exactly one head (FBC027 reports the others), paired with
    the replaces chain walked from that head."""
    for channel in _named_channels(catalog):
        found = heads(channel.entries)
        if len(found) == 1:
            yield channel, replaces_chain(channel.entries, found[0])


@rule(
    "FBC028",
    severity=Severity.ERROR,
    summary="The replaces chain from the head has no cycle",
    source=OPM_MODEL + ": validateReplacesChain",
    target="catalog",
)
def replaces_cycle(catalog: Catalog) -> Iterator[Hit]:
    """``detected cycle in replaces chain of upgrade graph: a -> b -> c -> a``, located at
    the entry whose ``replaces`` closes the loop."""
    for channel, chain in _head_chains(catalog):
        if chain.cycle is None:
            continue
        closer = next(e for e in channel.entries if e.name == chain.cycle[-2])
        yield Hit(
            message=f"{_channel_label(channel)}: detected cycle in replaces chain of upgrade "
            f"graph: {' -> '.join(chain.cycle)}",
            location=channel.blob.location("entries", closer.index, "replaces"),
        )


@rule(
    "FBC029",
    severity=Severity.ERROR,
    summary="No stranded bundles (off the replaces chain and not skipped)",
    source=OPM_MODEL + ": validateReplacesChain",
    target="catalog",
)
def stranded(catalog: Catalog) -> Iterator[Hit]:
    """Entries neither on the chain from the head nor skipped cannot be upgraded from."""
    for channel, chain in _head_chains(catalog):
        if chain.stranded:
            first = next(e for e in channel.entries if e.name == chain.stranded[0])
            yield Hit(
                message=f"{_channel_label(channel)}: channel contains one or more stranded "
                f"bundles: {', '.join(chain.stranded)}",
                location=channel.blob.location("entries", first.index, "name"),
            )


# --- bundles -----------------------------------------------------------------------


@rule(
    "FBC030",
    severity=Severity.ERROR,
    summary="A bundle names a known package",
    source=OPM + ": declcfg_to_model.go",
    target="catalog",
)
def bundle_package(catalog: Catalog) -> Iterator[Hit]:
    """``package name must be set for bundle "b"`` / ``unknown package``."""
    yield from _unknown_package_hits(catalog, "bundle", catalog.bundles)


@rule(
    "FBC031",
    severity=Severity.ERROR,
    summary="A bundle has a name, unique within its package",
    source=OPM + ": declcfg_to_model.go duplicate bundle",
    target="catalog",
)
def duplicate_bundle(catalog: Catalog) -> Iterator[Hit]:
    """``package "p" has duplicate bundle "b"``, naming where the first one is."""
    yield from _duplicate_name_hits("bundle", catalog.bundles, catalog.bundle_index)


def _package_property_index(bundle: Bundle) -> int | None:
    packages = bundle.packages
    return packages[0].index if packages else None


@rule(
    "FBC032",
    severity=Severity.ERROR,
    summary='A bundle has exactly one "olm.package" property, matching its package',
    source=OPM_MODEL,
    target="catalog",
)
def package_property(catalog: Catalog) -> Iterator[Hit]:
    """Exactly one ``olm.package`` property whose ``packageName`` is the bundle's
    ``package``."""
    for bundle in catalog.bundles:
        packages = bundle.packages
        if len(packages) != 1:
            where = ("properties", packages[1].index) if packages else ("properties",)
            yield Hit(
                message=f'bundle "{bundle.name}" must have exactly 1 "olm.package" property, '
                f"found {len(packages)}",
                location=bundle.blob.location(*where),
            )
        if packages:
            name = text(packages[0].value, "packageName")
            if bundle.package and name != bundle.package:
                yield Hit(
                    message=f'bundle "{bundle.name}": olm.package packageName "{name}" does not '
                    f'match the bundle package "{bundle.package}"',
                    location=bundle.blob.location(
                        "properties", packages[0].index, "value", "packageName"
                    ),
                )


@rule(
    "FBC033",
    severity=Severity.ERROR,
    summary="The olm.package version is strict semver (no v prefix, no leading zeros)",
    source=OPM_MODEL + ": blang/semver Parse",
    target="catalog",
)
def bundle_version(catalog: Catalog) -> Iterator[Hit]:
    """``version`` parses as SemVer 2.0 like blang ``semver.Parse``."""
    for bundle in catalog.bundles:
        index = _package_property_index(bundle)
        if index is None:
            continue
        version = bundle.version
        where = ("properties", index, "value", "version")
        if not version:
            yield Hit(
                message=f'bundle "{bundle.name}": olm.package version must be set',
                location=bundle.blob.location(*where),
            )
            continue
        problem = _version_problem(version)
        if problem:
            yield Hit(
                message=f'bundle "{bundle.name}": error parsing bundle version "{version}": '
                f"{problem}",
                location=bundle.blob.location(*where),
            )


def _version_problem(version: str) -> str | None:
    """Why blang/semver ``Parse`` rejects ``version``, or None."""
    try:
        parse_strict(version)
    except ValueError as exc:
        return str(exc)
    return None


@rule(
    "FBC034",
    severity=Severity.ERROR,
    summary="olm.package release is valid and matches the bundle name",
    source=OPM_MODEL + " (v1.62+)",
    target="catalog",
)
def bundle_release(catalog: Catalog) -> Iterator[Hit]:
    """``release`` has at most 20 characters of dot-separated pre-release identifiers
    (no leading zeros, no ``+``); with a release the bundle is named
    ``<package>-v<version>-<release>`` and the version has no build metadata."""
    for bundle in catalog.bundles:
        release = bundle.release
        index = _package_property_index(bundle)
        if not release or index is None:
            continue
        where = ("properties", index, "value", "release")
        if len(release) > RELEASE_MAX or not _RELEASE.fullmatch(release):
            yield Hit(
                message=f'bundle "{bundle.name}": invalid release "{release}": at most '
                f"{RELEASE_MAX} characters of dot-separated alphanumeric identifiers without "
                "leading zeros",
                location=bundle.blob.location(*where),
            )
            continue
        version = bundle.version or ""
        if "+" in version:
            yield Hit(
                message=f'bundle "{bundle.name}": version "{version}" has build metadata and a '
                f'release "{release}"; use one of them',
                location=bundle.blob.location(*where),
            )
        expected = f"{bundle.package}-v{version}-{release}"
        if bundle.name != expected:
            yield Hit(
                message=f'bundle "{bundle.name}": a bundle with a release must be named '
                f'"{expected}"',
                location=bundle.blob.location("name"),
            )


@rule(
    "FBC035",
    severity=Severity.ERROR,
    summary="Every bundle is in at least one channel",
    source=OPM_MODEL,
    target="catalog",
)
def bundle_in_channel(catalog: Catalog) -> Iterator[Hit]:
    """``package "p", bundle "b" not found in any channel entries``."""
    entries = {(c.package, e.name) for c in catalog.channels for e in c.entries}
    for bundle in catalog.bundles:
        if bundle.name and (bundle.package, bundle.name) not in entries:
            yield Hit(
                message=f'package "{bundle.package}", bundle "{bundle.name}" not found in any '
                "channel entries",
                location=bundle.blob.location("name"),
            )


@rule(
    "FBC036",
    severity=Severity.ERROR,
    summary="A bundle has an image (unless it carries its manifests inline)",
    source=OPM_MODEL + ": bundle image must be set",
    target="catalog",
)
def bundle_image(catalog: Catalog) -> Iterator[Hit]:
    """``image`` must be non-empty when the bundle has no ``olm.bundle.object``."""
    for bundle in catalog.bundles:
        if not bundle.image and not bundle.count(BUNDLE_OBJECT):
            yield Hit(
                message=f'bundle "{bundle.name}": bundle image must be set',
                location=bundle.blob.location("image"),
            )


@rule(
    "FBC037",
    severity=Severity.ERROR,
    summary="Bundle image and relatedImages are valid image references",
    source=OPM_MODEL + " (v1.64+): distribution/reference syntax",
    target="catalog",
)
def image_references(catalog: Catalog) -> Iterator[Hit]:
    """Non-empty ``image`` and ``relatedImages[].image`` parse as pull specs (lowercase
    repository, valid tag and digest)."""
    for bundle in catalog.bundles:
        places: list[tuple[tuple[str | int, ...], str | None]] = [(("image",), bundle.image)]
        related = get_field(bundle.blob.data, "relatedImages")
        if isinstance(related, list):
            places += [
                (("relatedImages", i, "image"), text(r, "image")) for i, r in enumerate(related)
            ]
        for parts, image in places:
            problem = reference_problem(image) if image else None
            if problem:
                yield Hit(
                    message=f'bundle "{bundle.name}": invalid image reference "{image}": {problem}',
                    location=bundle.blob.location(*parts),
                )


@rule(
    "FBC038",
    severity=Severity.ERROR,
    summary="No two bundles of a package share a version",
    source=OPM_MODEL + " (v1.47+): duplicate versions found in bundles",
    target="catalog",
)
def duplicate_version(catalog: Catalog) -> Iterator[Hit]:
    """Across all channels of a package, the version string (``version`` plus
    ``-release``; build metadata counts) is unique; reported at each later bundle."""
    for package, bundles in catalog.package_bundles.items():
        by_version: dict[str, list[Bundle]] = defaultdict(list)
        for bundle in bundles:
            if bundle.version:
                key = bundle.version + (f"-{bundle.release}" if bundle.release else "")
                by_version[key].append(bundle)
        for version, group in by_version.items():
            if len(group) < 2:
                continue
            names = ", ".join(sorted(b.name or "" for b in group))
            for bundle in group[1:]:
                yield Hit(
                    message=f'package "{package}": duplicate versions found in bundles: '
                    f"[{{{version}: [{names}]}}]",
                    location=bundle.blob.location(
                        "properties", _package_property_index(bundle) or 0, "value", "version"
                    ),
                )


# --- deprecations ------------------------------------------------------------------

_REFERENCE_SCHEMAS = (BUNDLE, CHANNEL, PACKAGE)


@rule(
    "FBC040",
    severity=Severity.ERROR,
    summary="olm.deprecations names a known package, at most once",
    source=OPM + " (v1.32+): declcfg_to_model.go deprecations",
    target="catalog",
)
def deprecation_package(catalog: Catalog) -> Iterator[Hit]:
    """``package`` set, an existing package, one ``olm.deprecations`` blob per package."""
    seen: dict[str, Blob] = {}
    for deprecation in catalog.deprecations:
        blob, package = deprecation.blob, deprecation.package
        if not package:
            yield Hit(
                message="package name must be set for olm.deprecations",
                location=blob.location("package"),
            )
        elif package not in catalog.package_index:
            yield Hit(
                message=f'cannot apply deprecations to an unknown package "{package}"',
                location=blob.location("package"),
            )
        elif package in seen:
            yield Hit(
                message=f'expected a maximum of one deprecation per package: "{package}" '
                f"(first at {_where(seen[package])})",
                location=blob.location("package"),
            )
        else:
            seen[package] = blob


@rule(
    "FBC041",
    severity=Severity.ERROR,
    summary="Deprecation entries reference existing bundles, channels or the package once, "
    "with a message",
    source=OPM + " (v1.32+): declcfg_to_model.go deprecations",
    target="catalog",
)
def deprecation_entries(catalog: Catalog) -> Iterator[Hit]:
    """Each entry: ``reference.schema`` is ``olm.bundle``, ``olm.channel`` or
    ``olm.package``; bundle and channel references name existing ones; a package
    reference has no name; no reference twice; ``message`` non-empty."""
    for deprecation in catalog.deprecations:
        package, blob = deprecation.package, deprecation.blob
        seen: set[tuple[str | None, str | None]] = set()
        for j, entry in enumerate(deprecation.entries):
            reference = get_field(entry, "reference") if isinstance(entry, dict) else None
            schema, name = text(reference, "schema"), text(reference, "name") or ""
            where = ("entries", j)
            label = f'package "{package}", deprecation entries[{j}]'
            if not text(entry, "message"):
                yield Hit(message=f"{label}: message must be set", location=blob.location(*where))
            if not schema:
                yield Hit(
                    message=f"{label}: reference schema must be set", location=blob.location(*where)
                )
                continue
            if (schema, name) in seen:
                yield Hit(
                    message=f'{label}: duplicate deprecation entry for {schema} "{name}"',
                    location=blob.location(*where, "reference"),
                )
            seen.add((schema, name))
            problem = _reference_problem(catalog, package, schema, name)
            if problem:
                yield Hit(
                    message=f"{label}: {problem}", location=blob.location(*where, "reference")
                )


def _reference_problem(catalog: Catalog, package: str | None, schema: str, name: str) -> str | None:
    if schema == BUNDLE and (package, name) not in catalog.bundle_index:
        return f'cannot deprecate bundle "{name}": bundle not found'
    if schema == CHANNEL and (package, name) not in catalog.channel_index:
        return f'cannot deprecate channel "{name}": channel not found'
    if schema == PACKAGE and name:
        return f'package reference must have an empty name (specified "{name}")'
    if schema not in _REFERENCE_SCHEMAS:
        return f'unknown reference schema "{schema}" (olm.bundle, olm.channel or olm.package)'
    return None


# --- stricter lint (not in opm) ----------------------------------------------------


@rule(
    "FBC050",
    severity=Severity.WARNING,
    summary="At most one olm.csv.metadata, not mixed with olm.bundle.object (stricter)",
    source=DOCS + " (opm does not check)",
    target="catalog",
)
def csv_metadata(catalog: Catalog) -> Iterator[Hit]:
    """A bundle's metadata comes either from one ``olm.csv.metadata`` or from
    ``olm.bundle.object`` manifests."""
    for bundle in catalog.bundles:
        metadata = [p for p in bundle.properties if p.type == CSV_METADATA]
        if len(metadata) > 1:
            yield Hit(
                message=f'bundle "{bundle.name}" has {len(metadata)} olm.csv.metadata '
                "properties; at most 1 is allowed",
                location=bundle.blob.location("properties", metadata[1].index),
            )
        if metadata and bundle.count(BUNDLE_OBJECT):
            yield Hit(
                message=f'bundle "{bundle.name}" mixes olm.csv.metadata with olm.bundle.object',
                location=bundle.blob.location("properties", metadata[0].index),
            )


@rule(
    "FBC051",
    severity=Severity.WARNING,
    summary="Other blobs are unique by schema, package and name (stricter)",
    source=DOCS + ': "schema+package+name must be unique" (opm checks only known schemas)',
    target="catalog",
)
def duplicate_other(catalog: Catalog) -> Iterator[Hit]:
    """Two blobs of an unknown schema with the same ``package`` and ``name``."""
    seen: dict[tuple[object, ...], Blob] = {}
    for blob in catalog.others:
        data = blob.data
        key = (get_field(data, "schema"), text(data, "package"), text(data, "name"))
        if key in seen:
            yield Hit(
                message=f'duplicate {key[0]} blob (package "{key[1]}", name "{key[2]}"; first at '
                f"{_where(seen[key])})",
                location=blob.location(),
            )
        else:
            seen[key] = blob


_REQUIRED_FIELDS = {
    "olm.gvk": ("group", "kind", "version"),
    "olm.gvk.required": ("group", "kind", "version"),
    "olm.package.required": ("packageName", "versionRange"),
}


@rule(
    "FBC052",
    severity=Severity.WARNING,
    summary="olm.gvk, olm.gvk.required and olm.package.required values are complete (stricter)",
    source=DOCS + " (cue schema; opm does not check)",
    target="catalog",
)
def required_values(catalog: Catalog) -> Iterator[Hit]:
    """Non-empty ``group``/``kind``/``version`` and ``packageName``; ``versionRange``
    parses as a blang/semver range (OLM's resolver parses it at install time)."""
    for bundle in catalog.bundles:
        for prop in bundle.properties:
            fields = _REQUIRED_FIELDS.get(prop.type or "")
            if fields is None or not isinstance(prop.value, dict):
                continue
            where = ("properties", prop.index, "value")
            for name in fields:
                if get_field(prop.value, name) in (None, ""):
                    yield Hit(
                        message=f'bundle "{bundle.name}": {prop.type} {name} must be set',
                        location=bundle.blob.location(*where, name),
                    )
            version_range = text(prop.value, "versionRange")
            if prop.type == "olm.package.required" and version_range:
                try:
                    parse_range(version_range)
                except ValueError as exc:
                    yield Hit(
                        message=f'bundle "{bundle.name}": olm.package.required versionRange: {exc}',
                        location=bundle.blob.location(*where, "versionRange"),
                    )


@rule(
    "FBC053",
    severity=Severity.WARNING,
    summary="A skipRange does not include the entry's own version (stricter)",
    source="OLM upgrade semantics (opm does not check)",
    target="catalog",
)
def skip_range_self(catalog: Catalog) -> Iterator[Hit]:
    """An entry whose ``skipRange`` matches its own bundle's version declares that it
    replaces itself: usually ``<=X`` written where ``<X`` was meant."""
    for channel in catalog.channels:
        for entry in channel.entries:
            bundle = catalog.bundle_index.get((channel.package, entry.name))
            if entry.skip_range is None or bundle is None or not bundle.version:
                continue
            try:
                included = bundle.version in parse_range(entry.skip_range)
            except ValueError:
                continue
            if included:
                yield Hit(
                    message=f'{_channel_label(channel)}, bundle "{entry.name}": skipRange '
                    f'"{entry.skip_range}" includes the bundle\'s own version {bundle.version}',
                    location=channel.blob.location("entries", entry.index, "skipRange"),
                )
