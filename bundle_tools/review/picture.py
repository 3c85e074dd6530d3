"""Upgrade-graph pictures of channels (:class:`~bundle_tools.fbc.graph.ChannelGraph`):
Mermaid flowcharts (render in GitHub and GitLab Markdown), Graphviz DOT and plain text.

Every form draws an arrow from the bundle a user has installed to the bundle it may
upgrade to, labelled with the field that makes the edge (``replaces``, ``skips``; a
``skipRange`` edge is dashed) and marks the channel head, deprecated bundles and
channels (``olm.deprecations``) and bundles with no upgrade path to the head. Output is
deterministic: channels by package then name, entries in file order, edges by the
declaring entry, kind and source.
"""

from __future__ import annotations

from collections.abc import Sequence

from bundle_tools.fbc.graph import REPLACES, SKIP_RANGE, SKIPS, ChannelGraph, Edge

#: Marker words, in the order they are listed after a bundle name.
HEAD, DEPRECATED, UNREACHABLE = "head", "deprecated", "no path to head"


def _markers(graph: ChannelGraph, name: str) -> list[str]:
    marks = []
    if name == graph.head:
        marks.append(HEAD)
    if name in graph.deprecated:
        marks.append(DEPRECATED)
    if name in graph.unreachable:
        marks.append(UNREACHABLE)
    return marks


def _label(graph: ChannelGraph, name: str) -> str:
    marks = _markers(graph, name)
    return f"{name} ({', '.join(marks)})" if marks else name


def _title(graph: ChannelGraph) -> str:
    suffix = " (deprecated)" if graph.channel_deprecated else ""
    return f"{graph.package} / {graph.channel}{suffix}"


def _sorted_edges(graph: ChannelGraph) -> list[Edge]:
    position = {name: i for i, name in enumerate(graph.entries)}
    kinds = {REPLACES: 0, SKIPS: 1, SKIP_RANGE: 2}
    return sorted(
        graph.edges, key=lambda e: (position[e.target], kinds[e.kind], position[e.source])
    )


def _mermaid_text(value: str) -> str:
    return value.replace('"', "#quot;")


def mermaid(graphs: Sequence[ChannelGraph]) -> str:
    """One Mermaid ``flowchart LR`` holding a subgraph per channel; node ids are
    ``c<channel index>_<entry index>``; the head, deprecated and unreachable bundles get
    the classes ``head``, ``deprecated`` and ``unreachable`` and their markers in the
    label. Returns the text with a final newline."""
    lines = ["flowchart LR"]
    classes: dict[str, list[str]] = {HEAD: [], DEPRECATED: [], UNREACHABLE: []}
    for c, graph in enumerate(graphs):
        ids = {name: f"c{c}_{i}" for i, name in enumerate(graph.entries)}
        lines.append(f'  subgraph c{c}["{_mermaid_text(_title(graph))}"]')
        for name in graph.entries:
            node = ids[name]
            label = _mermaid_text(_label(graph, name))
            lines.append(
                f'    {node}(["{label}"])' if name == graph.head else f'    {node}["{label}"]'
            )
            for mark in _markers(graph, name):
                classes[mark].append(node)
        lines.append("  end")
        for edge in _sorted_edges(graph):
            arrow = f"-. {edge.kind} .->" if edge.kind == SKIP_RANGE else f"-- {edge.kind} -->"
            lines.append(f"  {ids[edge.source]} {arrow} {ids[edge.target]}")
    lines += [
        "  classDef head stroke-width:3px",
        "  classDef deprecated fill:#fde2e1,stroke-dasharray:4 2",
        "  classDef unreachable fill:#eeeeee,color:#777777",
    ]
    classes_map = {HEAD: "head", DEPRECATED: "deprecated", UNREACHABLE: "unreachable"}
    lines += [
        f"  class {','.join(nodes)} {classes_map[mark]}" for mark, nodes in classes.items() if nodes
    ]
    return "\n".join(lines) + "\n"


def _dot_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_DOT_STYLES = ((HEAD, "bold"), (DEPRECATED, "filled"))


def dot(graphs: Sequence[ChannelGraph]) -> str:
    """One Graphviz ``digraph`` with a ``cluster`` subgraph per channel; the head is
    bold with a double border, deprecated bundles filled pink, unreachable ones grey,
    ``skipRange`` edges dashed. Node ids are ``<channel index>:<bundle name>``."""
    lines = ["digraph upgrades {", "  rankdir=LR;", "  node [shape=box];"]
    for c, graph in enumerate(graphs):
        lines.append(f"  subgraph cluster_{c} {{")
        lines.append(f"    label={_dot_text(_title(graph))};")
        if graph.channel_deprecated:
            lines.append("    style=dashed;")
        for name in graph.entries:
            attrs = [f"label={_dot_text(_label(graph, name))}"]
            marks = _markers(graph, name)
            styles = [style for mark, style in _DOT_STYLES if mark in marks]
            if styles:
                attrs.append(f'style="{",".join(styles)}"')
            if HEAD in marks:
                attrs.append("peripheries=2")
            if DEPRECATED in marks:
                attrs.append('fillcolor="#fde2e1"')
            if UNREACHABLE in marks:
                attrs += ["color=gray", "fontcolor=gray"]
            lines.append(f"    {_dot_text(f'{c}:{name}')} [{', '.join(attrs)}];")
        lines.append("  }")
        for edge in _sorted_edges(graph):
            attrs = [f"label={_dot_text(edge.kind)}"]
            if edge.kind == SKIP_RANGE:
                attrs.append("style=dashed")
            lines.append(
                f"  {_dot_text(f'{c}:{edge.source}')} -> {_dot_text(f'{c}:{edge.target}')} "
                f"[{', '.join(attrs)}];"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


def text(graphs: Sequence[ChannelGraph]) -> str:
    """Plain text: per channel a title line with the head, then each entry with its
    markers and the bundles it upgrades from, by edge kind."""
    lines: list[str] = []
    for graph in graphs:
        head = graph.head or "none (not exactly one head)"
        lines.append(f"{_title(graph)}: head {head}, {len(graph.entries)} entries")
        incoming: dict[tuple[str, str], list[str]] = {}
        for edge in _sorted_edges(graph):
            incoming.setdefault((edge.target, edge.kind), []).append(edge.source)
        for name in graph.entries:
            lines.append(f"  {_label(graph, name)}")
            for kind in (REPLACES, SKIPS, SKIP_RANGE):
                sources = incoming.get((name, kind))
                if sources:
                    lines.append(f"    {kind}: {', '.join(sources)}")
    return "\n".join(lines) + "\n" if lines else ""


FORMS = {"mermaid": mermaid, "dot": dot, "text": text}
