"""File-based catalogs (FBC): loading, the catalog model, the upgrade graph, rendering
bundles into catalogs, deterministic writing, and the files a test install needs.

Modules: :mod:`.load` (walk a catalog directory like ``opm``: ``.indexignore``, JSON
streams, multi-document YAML, positions), :mod:`.indexignore`, :mod:`.decode` (the
typed decode ``opm`` applies to known schemas), :mod:`.model`, :mod:`.graph` (channel
heads, replaces chain, cycles, stranded bundles), :mod:`.reference` (image references),
:mod:`.render`, :mod:`.write`, :mod:`.dockerfile` and :mod:`.install`. Versions and
ranges come from :mod:`bundle_tools.semver_range` and ``semver``.
"""
