"""The catalog model the FBC rules check: packages, channels (with entries), bundles
(with their ``olm.package`` version), deprecations and other blobs, each tied to the
:class:`~bundle_tools.fbc.load.Blob` it came from, plus lookup tables by name.

Building the model never fails: fields of the wrong JSON type read as absent (the
``FBC001`` schema rule reports them), duplicates are kept in the lists and only the first
occurrence is indexed (the duplicate rules report the others).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bundle_tools.fbc.load import Blob, get_field

PACKAGE = "olm.package"
CHANNEL = "olm.channel"
BUNDLE = "olm.bundle"
DEPRECATIONS = "olm.deprecations"
BUNDLE_OBJECT = "olm.bundle.object"
CSV_METADATA = "olm.csv.metadata"


def text(obj: Any, name: str) -> str | None:
    """String field ``name`` of ``obj`` (Go field matching), ``None`` when ``obj`` is not
    an object or the field is absent or not a string."""
    if not isinstance(obj, dict):
        return None
    value = get_field(obj, name)
    return value if isinstance(value, str) else None


def items(obj: Any, name: str) -> list[Any]:
    """List field ``name`` of ``obj``; ``[]`` when absent or not a list."""
    if not isinstance(obj, dict):
        return []
    value = get_field(obj, name)
    return value if isinstance(value, list) else []


@dataclass(slots=True, eq=False)
class Package:
    """An ``olm.package`` blob: ``name`` and ``default_channel`` (``None`` when unset)."""

    blob: Blob
    name: str | None
    default_channel: str | None


@dataclass(slots=True, eq=False)
class Entry:
    """One ``olm.channel`` entry; ``index`` is its position in ``entries``."""

    index: int
    name: str | None
    replaces: str | None
    skips: list[Any]
    skip_range: str | None


@dataclass(slots=True, eq=False)
class Channel:
    """An ``olm.channel`` blob with its entries."""

    blob: Blob
    package: str | None
    name: str | None
    entries: list[Entry]


@dataclass(slots=True, eq=False)
class Property:
    """One bundle property: ``type``, raw ``value``, ``index`` in ``properties``."""

    index: int
    type: str | None
    value: Any


@dataclass(slots=True, eq=False)
class Bundle:
    """An ``olm.bundle`` blob. ``packages`` are its ``olm.package`` properties; the
    version (and release) come from the first one."""

    blob: Blob
    package: str | None
    name: str | None
    image: str | None
    properties: list[Property]

    @property
    def packages(self) -> list[Property]:
        """The ``olm.package`` properties."""
        return [p for p in self.properties if p.type == PACKAGE]

    @property
    def version(self) -> str | None:
        """``version`` of the first ``olm.package`` property."""
        packages = self.packages
        return text(packages[0].value, "version") if packages else None

    @property
    def release(self) -> str | None:
        """``release`` of the first ``olm.package`` property (``None`` when unset)."""
        packages = self.packages
        return text(packages[0].value, "release") or None if packages else None

    def count(self, property_type: str) -> int:
        """How many properties of ``property_type`` the bundle has."""
        return sum(1 for p in self.properties if p.type == property_type)


@dataclass(slots=True, eq=False)
class Deprecation:
    """An ``olm.deprecations`` blob; ``entries`` are the raw entry objects."""

    blob: Blob
    package: str | None
    entries: list[Any]


@dataclass(slots=True)
class Catalog:
    """Every blob of a catalog by kind, in load order, with first-occurrence indexes:
    ``package_index[name]``, ``channel_index[(package, name)]``,
    ``bundle_index[(package, name)]``; ``package_channels[package]`` and
    ``package_bundles[package]`` list the indexed channels and bundles of each package."""

    blobs: list[Blob]
    packages: list[Package] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    bundles: list[Bundle] = field(default_factory=list)
    deprecations: list[Deprecation] = field(default_factory=list)
    others: list[Blob] = field(default_factory=list)
    package_index: dict[str, Package] = field(default_factory=dict)
    channel_index: dict[tuple[str | None, str | None], Channel] = field(default_factory=dict)
    bundle_index: dict[tuple[str | None, str | None], Bundle] = field(default_factory=dict)
    package_channels: dict[str | None, list[Channel]] = field(default_factory=dict)
    package_bundles: dict[str | None, list[Bundle]] = field(default_factory=dict)

    @classmethod
    def from_blobs(cls, blobs: Iterable[Blob]) -> Catalog:
        """Sort blobs into the model (never raises)."""
        catalog = cls(blobs=list(blobs))
        for blob in catalog.blobs:
            data = blob.data
            schema = get_field(data, "schema")
            if schema == PACKAGE:
                package = Package(blob, text(data, "name"), text(data, "defaultChannel"))
                catalog.packages.append(package)
                if package.name is not None:
                    catalog.package_index.setdefault(package.name, package)
            elif schema == CHANNEL:
                channel = Channel(
                    blob,
                    text(data, "package"),
                    text(data, "name"),
                    [
                        Entry(
                            i,
                            text(e, "name"),
                            text(e, "replaces") or None,
                            items(e, "skips"),
                            text(e, "skipRange") or None,
                        )
                        for i, e in enumerate(items(data, "entries"))
                    ],
                )
                catalog.channels.append(channel)
                catalog.channel_index.setdefault((channel.package, channel.name), channel)
            elif schema == BUNDLE:
                bundle = Bundle(
                    blob,
                    text(data, "package"),
                    text(data, "name"),
                    text(data, "image"),
                    [
                        Property(i, text(p, "type"), get_field(p, "value"))
                        for i, p in enumerate(items(data, "properties"))
                        if isinstance(p, dict)
                    ],
                )
                catalog.bundles.append(bundle)
                catalog.bundle_index.setdefault((bundle.package, bundle.name), bundle)
            elif schema == DEPRECATIONS:
                catalog.deprecations.append(
                    Deprecation(blob, text(data, "package"), items(data, "entries"))
                )
            else:
                catalog.others.append(blob)
        for (package_name, _), channel in catalog.channel_index.items():
            catalog.package_channels.setdefault(package_name, []).append(channel)
        for (package_name, _), bundle in catalog.bundle_index.items():
            catalog.package_bundles.setdefault(package_name, []).append(bundle)
        return catalog
