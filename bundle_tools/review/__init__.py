"""Reviewing catalogs and catalog changes: upgrade-graph pictures (:mod:`.picture`:
Mermaid, Graphviz DOT, text) and the catalog diff with its upgrade-path check
(:mod:`.diff`). Both read the channel model of :mod:`bundle_tools.fbc.graph`."""
