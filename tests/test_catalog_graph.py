"""``catalog graph``: the channel upgrade graph (edges of every kind, head, deprecated and
unreachable bundles as OLM resolves them) and its Mermaid, DOT and text pictures."""

from __future__ import annotations

from pathlib import Path

import pytest
import semver
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.fbc.check import load_model
from bundle_tools.fbc.graph import SKIP_RANGE, Edge, catalog_graphs, channel_graph
from bundle_tools.fbc.model import Entry
from bundle_tools.fbc.render import add_to_catalog, render_bundle
from bundle_tools.review.picture import dot, mermaid, text

from .conftest import shared_path

runner = CliRunner()

#: Package ``op``: channel ``stable`` where v1.1.0 replaces v1.0.0, v1.1.1 (deprecated)
#: replaces v1.1.0, v1.2.0 replaces v1.1.0 and skips v1.1.1, v2.0.0 replaces v1.2.0 with
#: skipRange >=1.0.0 <2.0.0; channel ``old`` (deprecated): v1.0.0 replaces v0.9.0.
SMALL = """---
schema: olm.package
name: op
defaultChannel: stable
---
schema: olm.channel
package: op
name: stable
entries:
- name: op.v1.0.0
- name: op.v1.1.0
  replaces: op.v1.0.0
- name: op.v1.1.1
  replaces: op.v1.1.0
- name: op.v1.2.0
  replaces: op.v1.1.0
  skips: [op.v1.1.1]
- name: op.v2.0.0
  replaces: op.v1.2.0
  skipRange: '>=1.0.0 <2.0.0'
---
schema: olm.channel
package: op
name: old
entries:
- name: op.v0.9.0
- name: op.v1.0.0
  replaces: op.v0.9.0
---
schema: olm.deprecations
package: op
entries:
- reference: {schema: olm.bundle, name: op.v1.1.1}
  message: broken, use 1.2.0
- reference: {schema: olm.channel, name: old}
  message: use stable
"""


def _bundles(*versions: str) -> str:
    return "".join(
        f"""---
schema: olm.bundle
package: op
name: op.v{v}
image: quay.io/example/op-bundle:{v}
properties:
- type: olm.package
  value: {{packageName: op, version: {v}}}
"""
        for v in versions
    )


@pytest.fixture
def small(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    (root / "op").mkdir(parents=True)
    (root / "op" / "catalog.yaml").write_text(
        SMALL + _bundles("0.9.0", "1.0.0", "1.1.0", "1.1.1", "1.2.0", "2.0.0")
    )
    return root


def test_small_catalog_edges_and_marks(small: Path) -> None:
    old, stable = catalog_graphs(load_model(small))
    assert (stable.channel, stable.head) == ("stable", "op.v2.0.0")
    assert stable.order == ("op.v2.0.0", "op.v1.2.0", "op.v1.1.0", "op.v1.0.0")
    assert set(stable.edges) == {
        Edge("op.v1.0.0", "op.v1.1.0", "replaces"),
        Edge("op.v1.1.0", "op.v1.1.1", "replaces"),
        Edge("op.v1.1.0", "op.v1.2.0", "replaces"),
        Edge("op.v1.1.1", "op.v1.2.0", "skips"),
        Edge("op.v1.2.0", "op.v2.0.0", "replaces"),
        *(Edge(f"op.v{v}", "op.v2.0.0", SKIP_RANGE) for v in ("1.0.0", "1.1.0", "1.1.1", "1.2.0")),
    }
    assert stable.deprecated == {"op.v1.1.1"} and not stable.channel_deprecated
    assert stable.unreachable == ()
    assert old.channel_deprecated and old.head == "op.v1.0.0" and old.unreachable == ()


def test_small_catalog_mermaid(small: Path) -> None:
    assert mermaid(catalog_graphs(load_model(small), channel="stable")) == (
        "flowchart LR\n"
        '  subgraph c0["op / stable"]\n'
        '    c0_0["op.v1.0.0"]\n'
        '    c0_1["op.v1.1.0"]\n'
        '    c0_2["op.v1.1.1 (deprecated)"]\n'
        '    c0_3["op.v1.2.0"]\n'
        '    c0_4(["op.v2.0.0 (head)"])\n'
        "  end\n"
        "  c0_0 -- replaces --> c0_1\n"
        "  c0_1 -- replaces --> c0_2\n"
        "  c0_1 -- replaces --> c0_3\n"
        "  c0_2 -- skips --> c0_3\n"
        "  c0_3 -- replaces --> c0_4\n"
        "  c0_0 -. skipRange .-> c0_4\n"
        "  c0_1 -. skipRange .-> c0_4\n"
        "  c0_2 -. skipRange .-> c0_4\n"
        "  c0_3 -. skipRange .-> c0_4\n"
        "  classDef head stroke-width:3px\n"
        "  classDef deprecated fill:#fde2e1,stroke-dasharray:4 2\n"
        "  classDef unreachable fill:#eeeeee,color:#777777\n"
        "  class c0_4 head\n"
        "  class c0_2 deprecated\n"
    )


def test_small_catalog_dot(small: Path) -> None:
    assert dot(catalog_graphs(load_model(small), channel="old")) == (
        "digraph upgrades {\n"
        "  rankdir=LR;\n"
        "  node [shape=box];\n"
        "  subgraph cluster_0 {\n"
        '    label="op / old (deprecated)";\n'
        "    style=dashed;\n"
        '    "0:op.v0.9.0" [label="op.v0.9.0"];\n'
        '    "0:op.v1.0.0" [label="op.v1.0.0 (head)", style="bold", peripheries=2];\n'
        "  }\n"
        '  "0:op.v0.9.0" -> "0:op.v1.0.0" [label="replaces"];\n'
        "}\n"
    )


def test_small_catalog_text(small: Path) -> None:
    assert text(catalog_graphs(load_model(small))) == (
        "op / old (deprecated): head op.v1.0.0, 2 entries\n"
        "  op.v0.9.0\n"
        "  op.v1.0.0 (head)\n"
        "    replaces: op.v0.9.0\n"
        "op / stable: head op.v2.0.0, 5 entries\n"
        "  op.v1.0.0\n"
        "  op.v1.1.0\n"
        "    replaces: op.v1.0.0\n"
        "  op.v1.1.1 (deprecated)\n"
        "    replaces: op.v1.1.0\n"
        "  op.v1.2.0\n"
        "    replaces: op.v1.1.0\n"
        "    skips: op.v1.1.1\n"
        "  op.v2.0.0 (head)\n"
        "    replaces: op.v1.2.0\n"
        "    skipRange: op.v1.0.0, op.v1.1.0, op.v1.1.1, op.v1.2.0\n"
    )


def _entry(name: str, replaces: str | None = None, skips: tuple[str, ...] = ()) -> Entry:
    return Entry(0, name, replaces, list(skips), None)


def test_skipped_bundle_is_never_an_upgrade_target() -> None:
    """olm-docs issue 243: v4 replaces v3, v3 skips v2, v2 replaces v1: OLM never
    upgrades to a bundle some entry skips, so v1 is stuck (v2 still reaches v3)."""
    entries = [_entry("v1"), _entry("v2", "v1"), _entry("v3", skips=("v2",)), _entry("v4", "v3")]
    graph = channel_graph("p", "c", entries, {})
    assert graph.order == ("v4", "v3")
    assert graph.upgrade_path("v2", None) == ["v2", "v3", "v4"]
    assert graph.upgrade_path("v1", None) is None
    assert graph.unreachable == ("v1",)


def test_olm_prefers_the_candidate_nearest_the_head() -> None:
    """Both v1.1.0 (replaces) and v1.2.0 (skipRange) upgrade v1.0.0: OLM takes v1.2.0."""
    entries = [
        _entry("v1.0.0"),
        _entry("v1.1.0", "v1.0.0"),
        Entry(0, "v1.2.0", "v1.1.0", [], "<1.2.0"),
    ]
    graph = channel_graph("p", "c", entries, {"v1.0.0": "1.0.0", "v1.1.0": "1.1.0"})
    assert graph.candidates("v1.0.0", semver.Version(1, 0, 0)) == ["v1.2.0", "v1.1.0"]
    assert graph.upgrade_path("v1.0.0", semver.Version(1, 0, 0)) == ["v1.0.0", "v1.2.0"]
    assert graph.upgrade_path("gone.v0.5.0", semver.Version(0, 5, 0)) == ["gone.v0.5.0", "v1.2.0"]
    assert graph.upgrade_path("gone.v3.0.0", semver.Version(3, 0, 0)) is None


def test_two_heads_leave_every_bundle_without_a_path() -> None:
    graph = channel_graph("p", "c", [_entry("a"), _entry("b")], {})
    assert graph.head is None and graph.order is None
    assert graph.unreachable == ("a", "b")


def test_cli_forms_and_unknown_package(small: Path) -> None:
    result = runner.invoke(app, ["catalog", "graph", str(small), "--channel", "old", "-o", "dot"])
    assert result.exit_code == 0
    assert result.stdout == dot(catalog_graphs(load_model(small), channel="old"))
    result = runner.invoke(app, ["catalog", "graph", str(small)])
    assert result.exit_code == 0 and result.stdout.startswith("flowchart LR\n")
    result = runner.invoke(app, ["catalog", "graph", str(small), "--package", "nope"])
    assert result.exit_code == 2
    assert "no channel found" in result.stderr and "package 'nope'" in result.stderr


def test_community_catalog_packages_render_in_every_form() -> None:
    root = shared_path("corpus", "catalogs", "community-v4.20")
    graphs = catalog_graphs(load_model(root))
    assert len({g.package for g in graphs}) == 37 and len(graphs) == 85
    for form in (mermaid, dot, text):
        out = form(graphs)
        assert all(g.channel in out for g in graphs)
    clusterpulse = {g.channel: g for g in graphs if g.package == "clusterpulse"}
    # opm v1.46's semver template: v0.3.0 replaces and skips v0.2.3, so OLM never
    # offers v0.2.3 and users of v0.1.1-v0.2.2 stay where they are.
    assert clusterpulse["fast-v0"].unreachable == tuple(
        f"clusterpulse.v0.{v}" for v in ("1.1", "2.0", "2.1", "2.2")
    )


def test_pelorus_chain_renders(tmp_path: Path) -> None:
    root = shared_path("corpus", "bundles", "pelorus-operator")
    catalog = tmp_path / "catalog"
    for version in ("0.0.1", "0.0.2", "0.0.3", "0.0.4", "0.0.5"):
        rendered = render_bundle(
            root / version, f"quay.io/pelorus/pelorus-operator-bundle:{version}"
        )
        add_to_catalog(rendered, catalog, channels=[], default_channel=None, fmt="yaml")
    (graph,) = catalog_graphs(load_model(catalog))
    assert (graph.package, graph.channel, graph.head) == (
        "pelorus-operator",
        "alpha",
        "pelorus-operator.v0.0.5",
    )
    assert graph.unreachable == ()
    out = mermaid([graph])
    assert "c0_3 -- replaces --> c0_4" in out and "c0_0 -- skips --> c0_4" in out
    assert graph.upgrade_path("pelorus-operator.v0.0.1", None) == [
        "pelorus-operator.v0.0.1",
        "pelorus-operator.v0.0.5",
    ]
