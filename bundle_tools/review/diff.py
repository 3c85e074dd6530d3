"""``catalog diff``: what changed between two catalogs, and whether every user still has an
upgrade path.

Changes, per package: added or removed packages, the default channel, channels (added,
removed, entries added or removed, entries whose ``replaces``/``skips``/``skipRange``
changed, the head), bundles (added, removed, changed ``image``, ``relatedImages`` or
properties by type) and deprecations (references added or removed).

The **upgrade-path check** asks, for every bundle an OLD channel offered, whether OLM
still upgrades a user on it to the NEW channel's head (:meth:`ChannelGraph.upgrade_path`,
which follows OLM's resolver). A bundle that had a path in OLD and has none in NEW is an
error (``DIFF001``) that names the path it had; a removed channel (``DIFF002``, with the
added channel that holds most of its bundles when it looks renamed) or package
(``DIFF003``) leaves its subscribers without any update, since a Subscription names its
package and channel (``resolver.go``: ``no operators found in channel``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bundle_tools.fbc.graph import ChannelGraph, catalog_graphs, deprecated_names
from bundle_tools.fbc.load import get_field
from bundle_tools.fbc.model import Bundle, Catalog
from bundle_tools.findings import Severity

#: Version of the JSON document :func:`to_json` returns.
JSON_VERSION = 1


@dataclass(frozen=True, slots=True)
class PathFinding:
    """One upgrade-path problem: ``rule`` (``DIFF001`` lost path, ``DIFF002`` channel
    removed, ``DIFF003`` package removed), ``severity``, ``package``, ``channel``,
    ``bundle`` (``None`` for the channel and package rules), ``message`` and ``path``
    (the upgrade path the bundle had in OLD, ``[bundle, ..., old head]``)."""

    rule: str
    severity: Severity
    package: str
    channel: str | None
    bundle: str | None
    message: str
    path: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``{rule, severity, package, channel, bundle, message, path}``."""
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "package": self.package,
            "channel": self.channel,
            "bundle": self.bundle,
            "message": self.message,
            "path": list(self.path),
        }


@dataclass(frozen=True, slots=True)
class EntryChange:
    """A channel entry present in both catalogs whose upgrade fields differ: ``fields``
    maps ``replaces``/``skips``/``skipRange`` to ``(old, new)``."""

    name: str
    fields: dict[str, tuple[Any, Any]]


@dataclass(slots=True)
class ChannelChange:
    """One channel's change: ``status`` ``added``, ``removed`` or ``changed``; entry names
    added and removed, :class:`EntryChange` list, ``head`` ``(old, new)`` when it moved,
    ``deprecated`` ``(old, new)`` when that changed, ``renamed_to`` for a removed
    channel whose bundles now sit mostly in one added channel; ``graph`` the NEW graph
    (the OLD one for a removed channel)."""

    name: str
    status: str
    graph: ChannelGraph
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[EntryChange] = field(default_factory=list)
    head: tuple[str | None, str | None] | None = None
    deprecated: tuple[bool, bool] | None = None
    renamed_to: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape (see :func:`to_json`)."""
        return {
            "name": self.name,
            "status": self.status,
            "head": _pair(self.head),
            "deprecated": _pair(self.deprecated),
            "renamedTo": self.renamed_to,
            "entries": {
                "added": self.added,
                "removed": self.removed,
                "changed": [
                    {"name": c.name, **{k: _pair(v) for k, v in c.fields.items()}}
                    for c in self.changed
                ],
            },
        }


@dataclass(slots=True)
class PackageChange:
    """One package's change: ``status`` ``added``, ``removed`` or ``changed``;
    ``default_channel`` ``(old, new)`` when it changed; channel changes by name; bundle
    names added and removed; ``changed_bundles`` maps a bundle name to the sorted fields
    that changed (``image``, ``relatedImages``, ``properties:<type>``); deprecation
    references (``"olm.bundle x"``, ``"olm.channel c"``, ``"olm.package"``) added and
    removed."""

    name: str
    status: str
    default_channel: tuple[str | None, str | None] | None = None
    channels: list[ChannelChange] = field(default_factory=list)
    added_bundles: list[str] = field(default_factory=list)
    removed_bundles: list[str] = field(default_factory=list)
    changed_bundles: dict[str, list[str]] = field(default_factory=dict)
    deprecations_added: list[str] = field(default_factory=list)
    deprecations_removed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape (see :func:`to_json`)."""
        return {
            "name": self.name,
            "status": self.status,
            "defaultChannel": _pair(self.default_channel),
            "channels": [c.to_dict() for c in self.channels],
            "bundles": {
                "added": self.added_bundles,
                "removed": self.removed_bundles,
                "changed": [{"name": n, "fields": f} for n, f in self.changed_bundles.items()],
            },
            "deprecations": {
                "added": self.deprecations_added,
                "removed": self.deprecations_removed,
            },
        }


@dataclass(slots=True)
class CatalogDiff:
    """The diff of two catalogs: ``old`` and ``new`` as the user named them, the
    :class:`PackageChange` of every package that changed (sorted by name) and the
    upgrade-path findings (sorted by package, channel, bundle)."""

    old: str
    new: str
    packages: list[PackageChange]
    findings: list[PathFinding]

    @property
    def failed(self) -> bool:
        """Whether a finding is an error (the command then exits 1)."""
        return any(f.severity is Severity.ERROR for f in self.findings)


def _pair(value: tuple[Any, Any] | None) -> dict[str, Any] | None:
    return None if value is None else {"old": value[0], "new": value[1]}


def _by_name(graphs: Iterable[ChannelGraph]) -> dict[tuple[str, str], ChannelGraph]:
    return {(g.package, g.channel): g for g in graphs}


def _entry_fields(catalog: Catalog, package: str, channel: str) -> dict[str, dict[str, Any]]:
    found = catalog.channel_index[(package, channel)]
    fields: dict[str, dict[str, Any]] = {}
    for entry in found.entries:
        if entry.name and entry.name not in fields:
            fields[entry.name] = {
                "replaces": entry.replaces,
                "skips": sorted(s for s in entry.skips if isinstance(s, str)),
                "skipRange": entry.skip_range,
            }
    return fields


def _channel_change(
    old: Catalog, new: Catalog, old_graph: ChannelGraph, new_graph: ChannelGraph
) -> ChannelChange | None:
    package, channel = new_graph.package, new_graph.channel
    before = _entry_fields(old, package, channel)
    after = _entry_fields(new, package, channel)
    change = ChannelChange(channel, "changed", new_graph)
    change.added = sorted(after.keys() - before.keys())
    change.removed = sorted(before.keys() - after.keys())
    for name in sorted(before.keys() & after.keys()):
        differs = {
            key: (before[name][key], after[name][key])
            for key in ("replaces", "skips", "skipRange")
            if before[name][key] != after[name][key]
        }
        if differs:
            change.changed.append(EntryChange(name, differs))
    if old_graph.head != new_graph.head:
        change.head = (old_graph.head, new_graph.head)
    if old_graph.channel_deprecated != new_graph.channel_deprecated:
        change.deprecated = (old_graph.channel_deprecated, new_graph.channel_deprecated)
    changed = change.added or change.removed or change.changed or change.head or change.deprecated
    return change if changed else None


def _properties(bundle: Bundle) -> dict[str | None, list[Any]]:
    grouped: dict[str | None, list[Any]] = {}
    for prop in bundle.properties:
        grouped.setdefault(prop.type, []).append(prop.value)
    return grouped


def bundle_changes(old: Bundle, new: Bundle) -> list[str]:
    """Sorted names of what differs between two versions of a bundle: ``image``,
    ``relatedImages`` and ``properties:<type>`` for each property type whose values
    differ (in number, order or content)."""
    changed = []
    if old.image != new.image:
        changed.append("image")
    if get_field(old.blob.data, "relatedImages") != get_field(new.blob.data, "relatedImages"):
        changed.append("relatedImages")
    before, after = _properties(old), _properties(new)
    changed += [
        f"properties:{kind}"
        for kind in before.keys() | after.keys()
        if before.get(kind) != after.get(kind)
    ]
    return sorted(changed)


def _deprecation_refs(catalog: Catalog, package: str) -> set[str]:
    whole, channels, bundles = deprecated_names(catalog, package)
    refs = {f"olm.channel {c}" for c in channels} | {f"olm.bundle {b}" for b in bundles}
    return refs | ({"olm.package"} if whole else set())


def _package_change(
    old: Catalog,
    new: Catalog,
    name: str,
    old_graphs: dict[tuple[str, str], ChannelGraph],
    new_graphs: dict[tuple[str, str], ChannelGraph],
) -> PackageChange | None:
    in_old, in_new = name in old.package_index, name in new.package_index
    status = "changed" if in_old and in_new else "added" if in_new else "removed"
    change = PackageChange(name, status)
    before = old.package_index[name].default_channel if in_old else None
    after = new.package_index[name].default_channel if in_new else None
    if before != after:
        change.default_channel = (before, after)
    old_channels = {c for p, c in old_graphs if p == name}
    new_channels = {c for p, c in new_graphs if p == name}
    for channel in sorted(old_channels | new_channels):
        if channel not in new_channels:
            change.channels.append(ChannelChange(channel, "removed", old_graphs[(name, channel)]))
        elif channel not in old_channels:
            graph = new_graphs[(name, channel)]
            change.channels.append(
                ChannelChange(channel, "added", graph, added=list(graph.entries))
            )
        else:
            found = _channel_change(
                old, new, old_graphs[(name, channel)], new_graphs[(name, channel)]
            )
            if found is not None:
                change.channels.append(found)
    for removed in (c for c in change.channels if c.status == "removed"):
        removed.renamed_to = _renamed(removed.graph, change.channels)
    old_bundles = {b.name: b for b in old.package_bundles.get(name, []) if b.name}
    new_bundles = {b.name: b for b in new.package_bundles.get(name, []) if b.name}
    change.added_bundles = sorted(new_bundles.keys() - old_bundles.keys())
    change.removed_bundles = sorted(old_bundles.keys() - new_bundles.keys())
    for bundle in sorted(old_bundles.keys() & new_bundles.keys()):
        fields = bundle_changes(old_bundles[bundle], new_bundles[bundle])
        if fields:
            change.changed_bundles[bundle] = fields
    refs_before, refs_after = _deprecation_refs(old, name), _deprecation_refs(new, name)
    change.deprecations_added = sorted(refs_after - refs_before)
    change.deprecations_removed = sorted(refs_before - refs_after)
    if status == "changed" and not (
        change.default_channel
        or change.channels
        or change.added_bundles
        or change.removed_bundles
        or change.changed_bundles
        or change.deprecations_added
        or change.deprecations_removed
    ):
        return None
    return change


def _renamed(removed: ChannelGraph, channels: list[ChannelChange]) -> str | None:
    """The added channel holding most of ``removed``'s entries (at least half), if any."""
    entries = set(removed.entries)
    best = max(
        (c for c in channels if c.status == "added"),
        key=lambda c: (len(entries & set(c.graph.entries)), c.name),
        default=None,
    )
    if best is None or 2 * len(entries & set(best.graph.entries)) < len(entries):
        return None
    return best.name


def _path_findings(
    old: Catalog,
    new: Catalog,
    old_graphs: dict[tuple[str, str], ChannelGraph],
    new_graphs: dict[tuple[str, str], ChannelGraph],
    packages: dict[str, PackageChange],
) -> list[PathFinding]:
    findings: list[PathFinding] = []
    for (package, channel), before in old_graphs.items():
        if package not in new.package_index:
            if channel == min(c for p, c in old_graphs if p == package):
                findings.append(
                    PathFinding(
                        "DIFF003",
                        Severity.ERROR,
                        package,
                        None,
                        None,
                        f'package "{package}" is removed: its subscribers get no more updates',
                    )
                )
            continue
        after = new_graphs.get((package, channel))
        if after is None:
            renamed = next(
                (c.renamed_to for c in packages[package].channels if c.name == channel), None
            )
            hint = f' (its bundles are now in channel "{renamed}")' if renamed else ""
            findings.append(
                PathFinding(
                    "DIFF002",
                    Severity.ERROR,
                    package,
                    channel,
                    None,
                    f"{package} / {channel}: channel is removed{hint}; subscriptions to it get no "
                    "more updates until they name another channel",
                )
            )
            continue
        for name in before.entries:
            version = before.versions.get(name)
            had = before.upgrade_path(name, version)
            if had is not None and after.upgrade_path(name, version) is None:
                findings.append(
                    PathFinding(
                        "DIFF001",
                        Severity.ERROR,
                        package,
                        channel,
                        name,
                        f'{package} / {channel}: users on "{name}" can no longer upgrade to '
                        f'the head "{after.head}" (they had {" -> ".join(had)})'
                        if after.head
                        else f'{package} / {channel}: users on "{name}" can no longer '
                        f"upgrade: the channel has no single head (they had {' -> '.join(had)})",
                        tuple(had),
                    )
                )
    return sorted(findings, key=lambda f: (f.package, f.channel or "", f.bundle or "", f.rule))


def diff_catalogs(old: Catalog, new: Catalog, old_name: str, new_name: str) -> CatalogDiff:
    """Compare two catalog models; ``old_name``/``new_name`` are how the user named them
    (shown in the output). Never raises on catalog content: what OLM could not resolve
    shows as a lost upgrade path."""
    old_graphs, new_graphs = _by_name(catalog_graphs(old)), _by_name(catalog_graphs(new))
    names = sorted(old.package_index.keys() | new.package_index.keys())
    changes = {}
    for name in names:
        change = _package_change(old, new, name, old_graphs, new_graphs)
        if change is not None:
            changes[name] = change
    findings = _path_findings(old, new, old_graphs, new_graphs, changes)
    return CatalogDiff(old_name, new_name, list(changes.values()), findings)


# --- output ------------------------------------------------------------------------


def to_json(diff: CatalogDiff) -> dict[str, Any]:
    """The versioned JSON document: ``{"version": 1, "old", "new", "status": "clean" |
    "failed", "summary": {"packages": {added, removed, changed}, "errors"}, "packages":
    [{name, status, defaultChannel: {old, new} | null, channels: [{name, status, head,
    deprecated, renamedTo, entries: {added, removed, changed: [{name, replaces?, skips?,
    skipRange?: {old, new}}]}}], bundles: {added, removed, changed: [{name, fields}]},
    deprecations: {added, removed}}], "findings": [PathFinding.to_dict()]}``. Lists are
    sorted; absent values are ``null``."""
    counts = {s: sum(p.status == s for p in diff.packages) for s in ("added", "removed", "changed")}
    return {
        "version": JSON_VERSION,
        "old": diff.old,
        "new": diff.new,
        "status": "failed" if diff.failed else "clean",
        "summary": {
            "packages": counts,
            "errors": sum(f.severity is Severity.ERROR for f in diff.findings),
        },
        "packages": [p.to_dict() for p in diff.packages],
        "findings": [f.to_dict() for f in diff.findings],
    }


def _value(value: Any) -> str:
    if value is None or value == []:
        return "(none)"
    return ", ".join(value) if isinstance(value, list) else str(value)


def _channel_lines(change: ChannelChange) -> list[str]:
    lines = []
    if change.renamed_to:
        lines.append(f'its bundles are now in channel "{change.renamed_to}"')
    if change.head:
        lines.append(f"head: {_value(change.head[0])} -> {_value(change.head[1])}")
    if change.deprecated:
        lines.append("deprecated" if change.deprecated[1] else "no longer deprecated")
    if change.added and change.status != "added":
        lines.append(f"entries added: {', '.join(change.added)}")
    if change.removed:
        lines.append(f"entries removed: {', '.join(change.removed)}")
    lines += [
        f"{c.name}: "
        + "; ".join(f"{k} {_value(old)} -> {_value(new)}" for k, (old, new) in c.fields.items())
        for c in change.changed
    ]
    return lines


def _package_lines(change: PackageChange) -> list[str]:
    lines = []
    if change.default_channel:
        old, new = change.default_channel
        lines.append(f"default channel: {_value(old)} -> {_value(new)}")
    for label, names in (
        ("bundles added", change.added_bundles),
        ("bundles removed", change.removed_bundles),
        ("deprecated", change.deprecations_added),
        ("no longer deprecated", change.deprecations_removed),
    ):
        if names:
            lines.append(f"{label}: {', '.join(names)}")
    lines += [f"{name} changed: {', '.join(f)}" for name, f in change.changed_bundles.items()]
    return lines


def to_text(diff: CatalogDiff) -> str:
    """Plain text: per changed package its changes, per changed channel its changes, then
    the findings as ``severity RULE message`` and a last summary line."""
    lines = [f"{diff.old} -> {diff.new}"]
    for package in diff.packages:
        lines.append(f"package {package.name}: {package.status}")
        lines += [f"  {line}" for line in _package_lines(package)]
        for channel in package.channels:
            lines.append(f"  channel {channel.name}: {channel.status}")
            lines += [f"    {line}" for line in _channel_lines(channel)]
    lines += [f"{f.severity} {f.rule} {f.message}" for f in diff.findings]
    errors = sum(f.severity is Severity.ERROR for f in diff.findings)
    lines.append(
        f"{errors} upgrade-path error{'s' if errors != 1 else ''}"
        if errors
        else "no upgrade path lost"
    )
    return "\n".join(lines) + "\n"


def _counts(added: int, removed: int, changed: int) -> str:
    return f"+{added} -{removed} ~{changed}"


def to_markdown(diff: CatalogDiff) -> str:
    """Markdown for a pull-request comment: a title, the verdict, a summary table (one
    row per changed package), the upgrade-path errors with the path each bundle had,
    then per changed channel its changes and its graph as a Mermaid block (the NEW graph;
    the OLD one for a removed channel)."""
    from bundle_tools.review.picture import mermaid

    errors = [f for f in diff.findings if f.severity is Severity.ERROR]
    lines = [f"### Catalog diff: `{diff.old}` → `{diff.new}`", ""]
    if errors:
        lines.append(f"**{len(errors)} upgrade-path error{'s' if len(errors) != 1 else ''}**")
    else:
        lines.append("No upgrade path lost." if diff.packages else "No changes.")
    if diff.packages:
        lines += [
            "",
            "| package | status | default channel | channels | bundles | deprecations | errors |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for p in diff.packages:
            default = (
                f"{_value(p.default_channel[0])} → {_value(p.default_channel[1])}"
                if p.default_channel
                else ""
            )
            channels = _counts(
                *(sum(c.status == s for c in p.channels) for s in ("added", "removed", "changed"))
            )
            bundles = _counts(len(p.added_bundles), len(p.removed_bundles), len(p.changed_bundles))
            deprecations = f"+{len(p.deprecations_added)} -{len(p.deprecations_removed)}"
            count = sum(f.package == p.name for f in errors)
            lines.append(
                f"| {p.name} | {p.status} | {default} | {channels} | {bundles} "
                f"| {deprecations} | {count} |"
            )
    if errors:
        lines += ["", "#### Upgrade-path errors", ""]
        lines += [f"- `{f.rule}` {f.message}" for f in errors]
    for p in diff.packages:
        details = _package_lines(p)
        if details:
            lines += ["", f"#### {p.name}", ""]
            lines += [f"- {line}" for line in details]
        for c in p.channels:
            lines += ["", f"#### {p.name} / {c.name} ({c.status})", ""]
            lines += [f"- {line}" for line in _channel_lines(c)]
            lines += ["", "```mermaid", mermaid([c.graph]).rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"


def json_text(diff: CatalogDiff) -> str:
    """:func:`to_json` as indented JSON text with a final newline."""
    return json.dumps(to_json(diff), indent=2) + "\n"


FORMS = {"markdown": to_markdown, "json": json_text, "text": to_text}
