"""``catalog diff``: changes between two catalogs and the upgrade-path check (a bundle
OLD offered must still reach NEW's head as OLM resolves upgrades)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.errors import InputError
from bundle_tools.fbc.check import load_model
from bundle_tools.review.diff import diff_catalogs, to_json, to_markdown, to_text
from bundle_tools.review.source import load_source

from .conftest import shared_path

runner = CliRunner()


def _catalog(root: Path, channels: dict[str, str], default: str, versions: list[str]) -> Path:
    """Write package ``op``: ``channels`` maps a channel name to its YAML entries list,
    ``versions`` are the bundles (image ``quay.io/example/op-bundle:<v>``)."""
    text = f"---\nschema: olm.package\nname: op\ndefaultChannel: {default}\n"
    for name, entries in channels.items():
        text += f"---\nschema: olm.channel\npackage: op\nname: {name}\nentries:\n{entries}"
    for v in versions:
        text += (
            f"---\nschema: olm.bundle\npackage: op\nname: op.v{v}\n"
            f"image: quay.io/example/op-bundle:{v}\nproperties:\n- type: olm.package\n"
            f"  value: {{packageName: op, version: {v}}}\n"
        )
    (root / "op").mkdir(parents=True)
    (root / "op" / "catalog.yaml").write_text(text)
    return root


CHAIN = """- name: op.v1.0.0
- name: op.v1.1.0
  replaces: op.v1.0.0
- name: op.v1.2.0
  replaces: op.v1.1.0
"""


@pytest.fixture
def old(tmp_path: Path) -> Path:
    return _catalog(tmp_path / "old", {"stable": CHAIN}, "stable", ["1.0.0", "1.1.0", "1.2.0"])


def _diff(old: Path, new: Path):
    return diff_catalogs(load_model(old), load_model(new), "old", "new")


def test_removed_bundle_strands_its_users(old: Path, tmp_path: Path) -> None:
    """v1.0.0 and v1.1.0 are pruned; v1.2.0 still replaces v1.1.0 but nothing replaces
    v1.0.0, so its users stay there."""
    entries = "- name: op.v1.2.0\n  replaces: op.v1.1.0\n"
    new = _catalog(tmp_path / "new", {"stable": entries}, "stable", ["1.2.0"])
    result = _diff(old, new)
    assert result.failed
    (finding,) = result.findings
    assert (finding.rule, finding.channel, finding.bundle) == ("DIFF001", "stable", "op.v1.0.0")
    assert finding.path == ("op.v1.0.0", "op.v1.1.0", "op.v1.2.0")
    assert finding.message == (
        'op / stable: users on "op.v1.0.0" can no longer upgrade to the head "op.v1.2.0" '
        "(they had op.v1.0.0 -> op.v1.1.0 -> op.v1.2.0)"
    )
    (package,) = result.packages
    assert package.removed_bundles == ["op.v1.0.0", "op.v1.1.0"]
    (channel,) = package.channels
    assert (channel.removed, channel.head) == (["op.v1.0.0", "op.v1.1.0"], None)
    cli = runner.invoke(app, ["catalog", "diff", str(old), str(new), "-o", "text"])
    assert cli.exit_code == 1
    assert 'error DIFF001 op / stable: users on "op.v1.0.0"' in cli.stdout


def test_new_head_with_skip_range_keeps_every_path(old: Path, tmp_path: Path) -> None:
    """v2.0.0's skipRange covers every old version, so pruning v1.0.0 and v1.1.0 strands
    nobody: OLM offers v2.0.0 to their users directly."""
    entries = (
        "- name: op.v1.2.0\n  replaces: op.v1.1.0\n"
        "- name: op.v2.0.0\n  replaces: op.v1.2.0\n  skipRange: '>=1.0.0 <2.0.0'\n"
    )
    new = _catalog(tmp_path / "new", {"stable": entries}, "stable", ["1.2.0", "2.0.0"])
    result = _diff(old, new)
    assert result.findings == [] and not result.failed
    (channel,) = result.packages[0].channels
    assert channel.head == ("op.v1.2.0", "op.v2.0.0")
    assert channel.added == ["op.v2.0.0"] and channel.removed == ["op.v1.0.0", "op.v1.1.0"]
    assert result.packages[0].added_bundles == ["op.v2.0.0"]
    cli = runner.invoke(app, ["catalog", "diff", str(old), str(new), "-o", "text"])
    assert cli.exit_code == 0 and cli.stdout.endswith("no upgrade path lost\n")


def test_renamed_channel_is_an_error_naming_the_new_channel(old: Path, tmp_path: Path) -> None:
    new = _catalog(tmp_path / "new", {"stable-v1": CHAIN}, "stable-v1", ["1.0.0", "1.1.0", "1.2.0"])
    result = _diff(old, new)
    (finding,) = result.findings
    assert (finding.rule, finding.channel, finding.bundle) == ("DIFF002", "stable", None)
    assert finding.message == (
        'op / stable: channel is removed (its bundles are now in channel "stable-v1"); '
        "subscriptions to it get no more updates until they name another channel"
    )
    (package,) = result.packages
    assert package.default_channel == ("stable", "stable-v1")
    assert [(c.name, c.status, c.renamed_to) for c in package.channels] == [
        ("stable", "removed", "stable-v1"),
        ("stable-v1", "added", None),
    ]


def test_changed_default_channel_is_reported_and_clean(old: Path, tmp_path: Path) -> None:
    fast = CHAIN + "- name: op.v1.3.0\n  replaces: op.v1.2.0\n"
    new = _catalog(
        tmp_path / "new",
        {"fast": fast, "stable": CHAIN},
        "fast",
        ["1.0.0", "1.1.0", "1.2.0", "1.3.0"],
    )
    document = to_json(_diff(old, new))
    assert document == {
        "version": 1,
        "old": "old",
        "new": "new",
        "status": "clean",
        "summary": {"packages": {"added": 0, "removed": 0, "changed": 1}, "errors": 0},
        "packages": [
            {
                "name": "op",
                "status": "changed",
                "defaultChannel": {"old": "stable", "new": "fast"},
                "channels": [
                    {
                        "name": "fast",
                        "status": "added",
                        "head": None,
                        "deprecated": None,
                        "renamedTo": None,
                        "entries": {
                            "added": ["op.v1.0.0", "op.v1.1.0", "op.v1.2.0", "op.v1.3.0"],
                            "removed": [],
                            "changed": [],
                        },
                    }
                ],
                "bundles": {"added": ["op.v1.3.0"], "removed": [], "changed": []},
                "deprecations": {"added": [], "removed": []},
            }
        ],
        "findings": [],
    }
    cli = runner.invoke(app, ["catalog", "diff", str(old), str(new), "-o", "json"])
    assert cli.exit_code == 0
    assert json.loads(cli.stdout) == {**document, "old": str(old), "new": str(new)}


def test_changed_entries_bundles_and_deprecations(old: Path, tmp_path: Path) -> None:
    entries = CHAIN.replace(
        "  replaces: op.v1.1.0\n", "  replaces: op.v1.1.0\n  skips: [op.v1.0.0]\n"
    )
    new = _catalog(tmp_path / "new", {"stable": entries}, "stable", ["1.0.0", "1.1.0", "1.2.0"])
    path = new / "op" / "catalog.yaml"
    path.write_text(
        path.read_text().replace("op-bundle:1.1.0", "op-bundle@sha256:" + "a" * 64)
        + "---\nschema: olm.deprecations\npackage: op\nentries:\n"
        "- reference: {schema: olm.bundle, name: op.v1.0.0}\n  message: old\n"
    )
    result = _diff(old, new)
    assert result.findings == []
    (package,) = result.packages
    assert package.changed_bundles == {"op.v1.1.0": ["image"]}
    assert package.deprecations_added == ["olm.bundle op.v1.0.0"]
    (channel,) = package.channels
    (change,) = channel.changed
    assert (change.name, change.fields) == ("op.v1.2.0", {"skips": ([], ["op.v1.0.0"])})
    assert "op.v1.2.0: skips (none) -> op.v1.0.0" in to_text(result)


def test_markdown_has_table_errors_and_mermaid(old: Path, tmp_path: Path) -> None:
    entries = "- name: op.v1.2.0\n  replaces: op.v1.1.0\n"
    new = _catalog(tmp_path / "new", {"stable": entries}, "stable", ["1.2.0"])
    markdown = to_markdown(_diff(old, new))
    assert markdown.startswith("### Catalog diff: `old` → `new`\n\n**1 upgrade-path error**\n")
    assert "| op | changed |  | +0 -0 ~1 | +0 -2 ~0 | +0 -0 | 1 |\n" in markdown
    assert '- `DIFF001` op / stable: users on "op.v1.0.0"' in markdown
    assert (
        "#### op / stable (changed)\n\n- entries removed: op.v1.0.0, op.v1.1.0\n\n"
        '```mermaid\nflowchart LR\n  subgraph c0["op / stable"]\n'
        '    c0_0(["op.v1.2.0 (head)"])\n  end\n'
    ) in markdown


def test_git_revision_source(old: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    repo = tmp_path / "repo"
    shutil.copytree(old, repo / "catalog")

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "catalog")
    (repo / "catalog" / "op" / "catalog.yaml").write_text(
        (repo / "catalog" / "op" / "catalog.yaml").read_text().replace("1.1.0", "1.1.5")
    )
    monkeypatch.chdir(repo)
    assert len(load_source("git:HEAD:catalog").bundles) == 3
    cli = runner.invoke(app, ["catalog", "diff", "git:HEAD:catalog", "catalog", "-o", "json"])
    document = json.loads(cli.stdout)
    assert cli.exit_code == 1 and document["old"] == "git:HEAD:catalog"
    # v1.1.0 became v1.1.5: v1.1.5 replaces v1.0.0, but nothing replaces v1.1.0 now
    assert [f["bundle"] for f in document["findings"]] == ["op.v1.1.0"]
    with pytest.raises(InputError, match="git archive failed"):
        load_source("git:nope:catalog")
    with pytest.raises(InputError, match="expected git:REV:PATH"):
        load_source("git:HEAD")
    # a revision that git would take for an option (here: write the archive to a file)
    written = tmp_path / "written:catalog"
    for rev in (f"--output={tmp_path / 'written'}", "-h", "--remote=x"):
        with pytest.raises(InputError, match="a revision cannot start with '-'") as caught:
            load_source(f"git:{rev}:catalog")
        assert caught.value.path == f"git:{rev}:catalog"
    assert not written.exists()
    (repo / "catalog" / "op" / "catalog.yaml").write_text("schema: [\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "broken")
    with pytest.raises(InputError) as caught:
        load_source("git:HEAD:catalog")
    assert caught.value.path == "git:HEAD:catalog/op/catalog.yaml" and caught.value.line


def test_community_catalogs_diff() -> None:
    root = shared_path("corpus", "catalogs")
    result = diff_catalogs(
        load_model(root / "community-v4.16"), load_model(root / "community-v4.20"), "a", "b"
    )
    assert [f.rule for f in result.findings] == [
        "DIFF002",
        "DIFF002",
        "DIFF003",
        "DIFF003",
        "DIFF003",
    ]
    same = diff_catalogs(
        load_model(root / "community-v4.20"), load_model(root / "community-v4.20"), "a", "a"
    )
    assert same.packages == [] and same.findings == []
