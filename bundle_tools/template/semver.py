"""The ``olm.semver`` catalog template: channels, edges and the default channel computed
from bundle versions exactly as opm does (operator-registry
``alpha/template/semver/semver.go``: ``generateChannels``, ``linkChannels`` and
``highwaterChannel.gt``; v1.26.5 and HEAD compute the same channels and edges for the
same channel kinds).

This module is pure: it gets each archetype's bundles as ``{bundle name: version}`` and
returns channel blobs; reading the template and rendering its images is
:mod:`bundle_tools.template.engine`'s job.

- Archetypes, least to most stable: ``candidate``, ``fast``, ``stable``. Each bundle of an
  archetype goes into ``<archetype>-v<X>`` (major channels) and/or
  ``<archetype>-v<X>.<Y>`` (minor channels; which kinds a template asks for is
  :mod:`bundle_tools.template.engine`'s reading of it).
- Entries: ascending version within each channel.
- Edges (``linkChannels``): all (bundle, channel) pairs sorted by archetype, stream kind
  and version and walked in pairs. When archetype, kind, major or minor changes between
  ``prev`` and ``cur``, ``prev`` (the highest patch of its minor) gets ``replaces`` = the
  highest patch of the previous minor (within the same major) and ``skips`` = every
  earlier bundle of that major except the replaced one, sorted as strings. The
  accumulation restarts at each archetype, kind or major change; the last pair gets the
  same treatment when it shares archetype, kind and major.
- Default channel (``highwaterChannel``): each channel is scored once, when created, by
  (archetype, the version of its first bundle, the preferred stream kind
  ``defaultChannelTypePreference``, minor over major); the highest wins. See
  :func:`generate_channels` for the one case where opm v1.26.5 differs.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import semver

ARCHETYPES = ("candidate", "fast", "stable")
MINOR, MAJOR = "minor", "major"
#: ``streamTypePriorities`` of opm v1.27.1 and later (higher is preferred for the default
#: channel).
_KIND_PRIORITY = {MINOR: 2, MAJOR: 1, "": 0}


@dataclass(frozen=True, slots=True)
class SemverOptions:
    """The channel kinds to generate, major and/or minor (minor when both are off, as
    opm v1.27.1 and later do; v1.26.5 panics in ``linkChannels`` then), and the stream
    kind preferred for the default channel (``minor``, ``major``; ``""`` follows the
    generated kinds, minor first)."""

    major: bool = False
    minor: bool = False
    preference: str = ""

    @property
    def kinds(self) -> tuple[str, ...]:
        """The generated stream kinds, major first."""
        if not self.major and not self.minor:
            return (MINOR,)
        return tuple(k for k, on in ((MAJOR, self.major), (MINOR, self.minor)) if on)

    @property
    def preferred(self) -> str:
        """The effective default-channel kind preference."""
        return self.preference or (MINOR if MINOR in self.kinds else MAJOR)


@dataclass(frozen=True, slots=True)
class _Tuple:
    arch: int
    kind: str
    channel: str
    name: str
    version: semver.Version


def channel_name(archetype: str, kind: str, version: semver.Version) -> str:
    """``stable-v1`` (major) or ``stable-v1.2`` (minor) for ``version`` 1.2.x."""
    if kind == MAJOR:
        return f"{archetype}-v{version.major}"
    return f"{archetype}-v{version.major}.{version.minor}"


def _score(arch: int, version: semver.Version, kind: str, preferred: str) -> tuple:
    """Sort key of a default-channel candidate (``highwaterChannel.gt``, v1.27.1 and
    later)."""
    return (arch, version, kind == preferred, _KIND_PRIORITY[kind])


def generate_channels(
    package: str,
    bundles: Mapping[str, Mapping[str, semver.Version]],
    options: SemverOptions,
) -> tuple[list[dict[str, object]], str]:
    """The ``olm.channel`` blobs (sorted by name) and the default channel name for
    ``bundles``: archetype -> {bundle name -> version}. Archetypes missing or empty
    produce no channel; the default channel is ``""`` when there is no bundle.

    The default channel differs from opm v1.26.5 in one case, by design: when major and
    minor channels are both generated and the winning bundle starts both (a major and a
    minor channel of the same archetype and version, e.g. ``stable-v1`` and
    ``stable-v1.0`` for 1.0.0 as the newest minor), v1.26.5 keeps whichever of the two it
    meets first, and it walks them in Go map order (``generateChannels`` ranges over
    ``channelNameKeys``, a ``map[streamType]string``; its ``highwaterChannel.gt``
    compares only archetype and version, so the second channel never wins): a random
    choice, seen as either channel across runs of the same template. This takes the
    choice opm makes since v1.27.1 (operator-registry commit 7629c6f9, #1095:
    ``highwaterChannel.gt`` prefers the kind ``defaultChannelTypePreference`` names, and
    without one the minor channel when minor channels are generated): always one of the
    two channels v1.26.5 may print.
    """
    channels: dict[str, list[dict[str, object]]] = {}
    entries: dict[tuple[str, str], dict[str, object]] = {}
    tuples: list[_Tuple] = []
    best: tuple | None = None
    default = ""
    for arch, archetype in enumerate(ARCHETYPES):
        versions = bundles.get(archetype) or {}
        for name in sorted(versions, key=lambda n: (versions[n], n)):
            version = versions[name]
            for kind in options.kinds:
                channel = channel_name(archetype, kind, version)
                if channel not in channels:
                    channels[channel] = []
                    score = _score(arch, version, kind, options.preferred)
                    if best is None or score > best:
                        best, default = score, channel
                entries[(channel, name)] = {"name": name}
                channels[channel].append(entries[(channel, name)])
                tuples.append(_Tuple(arch, kind, channel, name, version))
    _link(sorted(tuples, key=lambda t: (t.arch, -_KIND_PRIORITY[t.kind], t.version)), entries)
    blobs = [
        {"schema": "olm.channel", "name": name, "package": package, "entries": channels[name]}
        for name in sorted(channels)
    ]
    return blobs, default


def _set_edges(entry: dict[str, object], replaces: str, skips: set[str]) -> None:
    if replaces:
        entry["replaces"] = replaces
    rest = sorted(skips - {replaces})
    if rest:
        entry["skips"] = rest


def _link(ordered: list[_Tuple], entries: Mapping[tuple[str, str], dict[str, object]]) -> None:
    """``linkChannels``: set ``replaces``/``skips`` on the entries of ``ordered``."""
    replaces, skips = "", set()
    for prev, cur in itertools.pairwise(ordered):
        regroup = prev.arch != cur.arch or prev.kind != cur.kind
        new_major = regroup or prev.version.major != cur.version.major
        if new_major or prev.version.minor != cur.version.minor:
            _set_edges(entries[(prev.channel, prev.name)], replaces, skips)
        if new_major:
            replaces, skips = "", set()
        else:
            if prev.version.minor != cur.version.minor:
                replaces = prev.name
            skips.add(prev.name)
    if len(ordered) > 1:
        last, before = ordered[-1], ordered[-2]
        if (last.arch, last.kind, last.version.major) == (
            before.arch,
            before.kind,
            before.version.major,
        ):
            _set_edges(entries[(last.channel, last.name)], replaces, skips)
