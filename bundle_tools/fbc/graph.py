"""The upgrade graph of one channel, as ``opm`` checks it (``alpha/model/model.go``
``Channel.Head`` and ``validateReplacesChain``).

* Heads are the entries no other entry reaches through ``replaces`` or ``skips``
  (``skipRange`` is not an edge). A channel needs exactly one.
* The replaces chain starts at the head and follows ``replaces``; it stops before an edge
  whose target some entry skips or that names no entry of the channel. Reaching an entry
  already on the chain is a cycle.
* Stranded entries are neither on the chain nor skipped by any entry: nothing upgrades
  from them.

Entries are :class:`~bundle_tools.fbc.model.Entry` values; the first entry of a name
counts (duplicates are a separate finding).

:class:`ChannelGraph` is the channel as OLM resolves upgrades through it (every edge
kind, ``skipRange`` included, and the candidate order of OLM's resolver); the graph
pictures and ``catalog diff`` read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import semver

from bundle_tools.fbc.load import get_field
from bundle_tools.fbc.model import BUNDLE, CHANNEL, PACKAGE, Catalog, Entry, text
from bundle_tools.semver_range import Range, RangeError, parse_range
from bundle_tools.versions import parse_strict


def _by_name(entries: Sequence[Entry]) -> dict[str, Entry]:
    named: dict[str, Entry] = {}
    for entry in entries:
        if entry.name:
            named.setdefault(entry.name, entry)
    return named


def _skipped(entries: Sequence[Entry]) -> set[str]:
    return {s for e in entries for s in e.skips if isinstance(s, str)}


def heads(entries: Sequence[Entry]) -> list[str]:
    """Sorted names of the entries that no ``replaces`` or ``skips`` edge reaches."""
    incoming = _skipped(entries) | {e.replaces for e in entries if e.replaces}
    return sorted(name for name in _by_name(entries) if name not in incoming)


@dataclass(frozen=True, slots=True)
class Chain:
    """The replaces chain from a head: ``names`` in order from the head; ``cycle`` the
    loop ``[a, b, c, a]`` when the chain returns to an entry (else ``None``);
    ``stranded`` the sorted entries neither on the chain nor skipped (empty when there
    is a cycle)."""

    names: tuple[str, ...]
    cycle: tuple[str, ...] | None
    stranded: tuple[str, ...]


def replaces_chain(entries: Sequence[Entry], head: str) -> Chain:
    """Follow ``replaces`` from ``head`` (an entry name) through ``entries``."""
    named = _by_name(entries)
    skipped = _skipped(entries)
    chain: list[str] = []
    on_chain: set[str] = set()
    current: str | None = head
    while current is not None:
        if current in on_chain:
            loop = (*chain[chain.index(current) :], current)
            return Chain(tuple(chain), loop, ())
        chain.append(current)
        on_chain.add(current)
        target = named[current].replaces
        current = target if target and target not in skipped and target in named else None
    stranded = sorted(set(named) - on_chain - skipped)
    return Chain(tuple(chain), None, tuple(stranded))


# --- the upgrade graph as OLM resolves it -------------------------------------------

REPLACES = "replaces"
SKIPS = "skips"
SKIP_RANGE = "skipRange"


@dataclass(frozen=True, slots=True)
class Edge:
    """One upgrade edge of a channel: a user on ``source`` (an entry name) may upgrade
    to ``target`` (the entry that declares it) because ``target`` names ``source`` in its
    ``replaces`` or ``skips``, or ``source``'s bundle version is in ``target``'s
    ``skipRange``. ``kind`` is ``"replaces"``, ``"skips"`` or ``"skipRange"``."""

    source: str
    target: str
    kind: str


def upgrade_order(entries: Sequence[Entry]) -> list[str] | None:
    """The channel's entries as OLM orders its upgrade candidates, head first
    (operator-lifecycle-manager ``pkg/controller/registry/resolver/resolver.go``
    ``sortChannel``): from the single head follow ``replaces`` through entries of the
    channel, leaving out every name some entry ``skips``. ``None`` when there is not
    exactly one head or the walk meets a cycle (OLM refuses to resolve such a channel)."""
    found = heads(entries)
    if len(found) != 1:
        return None
    named = _by_name(entries)
    skipped = _skipped(entries)
    order: list[str] = []
    visited: set[str] = set()
    current: str | None = found[0]
    while current is not None:
        if current in visited:
            return None
        visited.add(current)
        if current not in skipped:
            order.append(current)
        target = named[current].replaces
        current = target if target in named else None
    return order


def _version(text: str | None) -> semver.Version | None:
    if text is None:
        return None
    try:
        return parse_strict(text)
    except ValueError:
        return None


def _range(text: str | None) -> Range | None:
    if text is None:
        return None
    try:
        return parse_range(text)
    except RangeError:
        return None


@dataclass(slots=True)
class ChannelGraph:
    """The upgrade graph of one channel of one package.

    ``entries`` are the channel's entry names (first of each name, in file order);
    ``versions`` maps an entry name to its bundle's ``olm.package`` version (absent when
    the bundle or its version is missing or not strict semver); ``edges`` every
    :class:`Edge` between two entries; ``head`` the single head (``None`` when there are
    none or several); ``order`` OLM's candidate order (:func:`upgrade_order`);
    ``deprecated`` the deprecated entry names and ``channel_deprecated`` whether the
    channel (or the whole package) is deprecated, from the package's ``olm.deprecations``
    blob; ``unreachable`` the sorted entries from which OLM's resolution
    (:meth:`upgrade_path`) does not lead to the head.
    """

    package: str
    channel: str
    entries: tuple[str, ...]
    versions: dict[str, semver.Version]
    edges: tuple[Edge, ...]
    head: str | None
    order: tuple[str, ...] | None
    deprecated: frozenset[str] = frozenset()
    channel_deprecated: bool = False
    unreachable: tuple[str, ...] = ()
    _replacing: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _ranges: list[tuple[str, Range]] = field(default_factory=list, repr=False)
    _memo: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def candidates(self, name: str, version: semver.Version | None) -> list[str]:
        """Entries OLM offers as the upgrade of an installed bundle ``name`` at
        ``version``, best first (``resolver.go`` ``getSubscriptionVariables``: channel
        entries whose ``replaces`` or ``skips`` name it (``ReplacesPredicate``) or whose
        ``skipRange`` holds its version (``SkipRangeIncludesPredicate``), taken in
        :func:`upgrade_order`; the solver prefers earlier candidates). The installed
        bundle need not be in this channel or catalog. Empty when OLM cannot order the
        channel."""
        if self.order is None:
            return []
        offered = set(self._replacing.get(name, ()))
        if version is not None:
            offered.update(target for target, rng in self._ranges if version in rng)
        offered.discard(name)
        return [entry for entry in self.order if entry in offered]

    def upgrade_path(self, name: str, version: semver.Version | None) -> list[str] | None:
        """The bundles OLM installs one after the other from ``name`` (at ``version``) up
        to the head, ``[name, ..., head]`` (``[name]`` when it is the head), taking the
        first candidate at each step; ``None`` when it gets stuck or loops first."""
        path = [name]
        seen = {name}
        offered = self.candidates(name, version)
        while path[-1] != self.head:
            if not offered or offered[0] in seen:
                return None
            path.append(offered[0])
            seen.add(offered[0])
            offered = self._next.get(offered[0], [])
        return path

    @property
    def _next(self) -> dict[str, list[str]]:
        """Candidates of each entry installed at its own version (memoised)."""
        if not self._memo:
            self._memo.update((n, self.candidates(n, self.versions.get(n))) for n in self.entries)
        return self._memo


def channel_graph(
    package: str,
    channel: str,
    entries: Sequence[Entry],
    versions: Mapping[str, str | None],
    deprecated: Iterable[str] = (),
    channel_deprecated: bool = False,
) -> ChannelGraph:
    """Build the :class:`ChannelGraph` of ``entries``; ``versions`` maps bundle names to
    their version strings (unparsable ones count as absent); ``deprecated`` names the
    deprecated bundles (those not in the channel are ignored)."""
    named = _by_name(entries)
    parsed = {n: v for n in named if (v := _version(versions.get(n))) is not None}
    edges: list[Edge] = []
    replacing: dict[str, list[str]] = {}
    ranges: list[tuple[str, Range]] = []
    for name, entry in named.items():
        targets = [(entry.replaces, REPLACES)] if entry.replaces else []
        targets += [(s, SKIPS) for s in entry.skips if isinstance(s, str) and s]
        for source, kind in targets:
            replacing.setdefault(source, []).append(name)
            if source in named and source != name:
                edges.append(Edge(source, name, kind))
        rng = _range(entry.skip_range)
        if rng is not None:
            ranges.append((name, rng))
            edges.extend(
                Edge(other, name, SKIP_RANGE)
                for other in named
                if other != name and other in parsed and parsed[other] in rng
            )
    found = heads(entries)
    order = upgrade_order(entries)
    graph = ChannelGraph(
        package=package,
        channel=channel,
        entries=tuple(named),
        versions=parsed,
        edges=tuple(edges),
        head=found[0] if len(found) == 1 else None,
        order=tuple(order) if order is not None else None,
        deprecated=frozenset(deprecated) & named.keys(),
        channel_deprecated=channel_deprecated,
        _replacing=replacing,
        _ranges=ranges,
    )
    graph.unreachable = tuple(
        sorted(n for n in named if graph.upgrade_path(n, parsed.get(n)) is None)
    )
    return graph


def deprecated_names(catalog: Catalog, package: str) -> tuple[bool, set[str], set[str]]:
    """``(package_deprecated, channel_names, bundle_names)`` from the ``olm.deprecations``
    blobs of ``package`` (entries whose ``reference.schema`` is ``olm.package``,
    ``olm.channel`` or ``olm.bundle``)."""
    whole, channels, bundles = False, set(), set()
    for deprecation in catalog.deprecations:
        if deprecation.package != package:
            continue
        for entry in deprecation.entries:
            reference = get_field(entry, "reference") if isinstance(entry, dict) else None
            schema, name = text(reference, "schema"), text(reference, "name")
            if schema == PACKAGE:
                whole = True
            elif schema == CHANNEL and name:
                channels.add(name)
            elif schema == BUNDLE and name:
                bundles.add(name)
    return whole, channels, bundles


def catalog_graphs(
    catalog: Catalog, package: str | None = None, channel: str | None = None
) -> list[ChannelGraph]:
    """The :class:`ChannelGraph` of every named channel of ``catalog`` (only ``package``
    / ``channel`` when given), sorted by package then channel name."""
    graphs = []
    for (package_name, channel_name), found in sorted(
        ((k, v) for k, v in catalog.channel_index.items() if k[0] and k[1]),
        key=lambda item: item[0],
    ):
        if package not in (None, package_name) or channel not in (None, channel_name):
            continue
        whole, channels, bundles = deprecated_names(catalog, package_name)
        versions = {
            b.name: b.version for b in catalog.package_bundles.get(package_name, []) if b.name
        }
        graphs.append(
            channel_graph(
                package_name,
                channel_name,
                found.entries,
                versions,
                deprecated=bundles,
                channel_deprecated=whole or channel_name in channels,
            )
        )
    return graphs
