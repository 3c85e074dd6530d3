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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bundle_tools.fbc.model import Entry


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
