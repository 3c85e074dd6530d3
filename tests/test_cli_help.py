"""Help and messages every command shares: plain wrapped help at any width (never a cut
description, no Rich box, no colour), placeholders users know, shell completion, one
message for a missing path, one for a YAML syntax error, and choice errors without a
library prefix."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bundle_tools.cli import app

#: A metavar a user reads as a word: PATH, REF, KEY=VALUE, NAME,..., a|b|c.
PLACEHOLDER = re.compile(r"[A-Za-z0-9_=|,./-]+")


def walk(prefix: list[str], group: Any) -> Iterator[tuple[list[str], Any]]:
    """``(argv, click command)`` of every leaf command below ``group``."""
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from walk([*prefix, name], command)
        else:
            yield [*prefix, name], command


TREE = dict((" ".join(argv), command) for argv, command in walk([], typer.main.get_command(app)))
COMMANDS = [name.split() for name in TREE]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("columns", ["40", "80", "200"])
@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_help_wraps_every_description_whole(argv: list[str], columns: str) -> None:
    result = CliRunner(env={"COLUMNS": columns, "TERMINAL_WIDTH": columns}).invoke(
        app, [*argv, "--help"]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "…" not in out
    assert not re.search(r"[╭╮╰╯│─]", out)
    assert "\x1b[" not in out
    for param in TREE[" ".join(argv)].params:
        if param.help:
            assert squeeze(param.help) in squeeze(out), (param.name, out)


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_placeholders_are_words(argv: list[str]) -> None:
    for param in TREE[" ".join(argv)].params:
        if param.param_type_name == "option" and getattr(param, "is_flag", False):
            continue
        assert param.metavar is not None, f"{' '.join(argv)}: {param.name} has no metavar"
        assert PLACEHOLDER.fullmatch(param.metavar), param.metavar


def test_group_help_lists_each_command_whole() -> None:
    for group in ([], ["catalog"]):
        out = CliRunner(env={"COLUMNS": "60"}).invoke(app, [*group, "--help"]).stdout
        assert "..." not in out.split("Commands:")[1]


def test_the_catalog_summary_names_its_commands_in_both_helps() -> None:
    names = [argv[1] for argv in COMMANDS if argv[0] == "catalog"]
    assert {"template", "build"} <= set(names)
    listed = squeeze(f"catalog File-based catalogs (FBC): {', '.join(names)}. bundle")
    assert listed in squeeze(CliRunner().invoke(app, ["--help"]).stdout)
    own = squeeze(CliRunner().invoke(app, ["catalog", "--help"]).stdout)
    assert squeeze(f"File-based catalogs (FBC): {', '.join(names)}. Options:") in own


def test_shell_completion_is_offered() -> None:
    root = CliRunner().invoke(app, ["--help"])
    assert "--install-completion" in root.stdout
    # from a bash, as a user runs it: typer detects the shell it is started from
    program = Path(sys.executable).parent / "bundle-tools"
    script = subprocess.run(
        ["bash", "-c", f"{shlex.quote(str(program))} --show-completion; exit $?"],
        capture_output=True,
        text=True,
        env={**os.environ, "SHELL": "/bin/bash"},
    )
    assert script.returncode == 0, script.stderr
    assert "_BUNDLE_TOOLS_COMPLETE=complete_bash" in script.stdout


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        ("bundle-tools cat", ["catalog"]),
        ("bundle-tools catalog t", ["template"]),
        ("bundle-tools validate --output ", ["text", "json", "sarif", "junit"]),
        ("bundle-tools validate --output s", ["sarif"]),
        ("bundle-tools catalog render --format ", ["yaml", "json"]),
    ],
)
def test_bash_completion_offers_commands_and_choice_values(words: str, offered: list) -> None:
    program = Path(sys.executable).parent / "bundle-tools"
    reply = subprocess.run(
        [str(program)],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "_BUNDLE_TOOLS_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (not words.endswith(" "))),
        },
    )
    assert (reply.returncode, reply.stdout.split()) == (0, offered), reply.stderr


def test_choice_error_has_no_library_prefix() -> None:
    result = CliRunner().invoke(app, ["validate", "--output", "xml", "bundle"])
    assert result.exit_code == 2
    assert "Invalid value for '--output' / '-o': 'xml' is not one of text, json, sarif, junit" in (
        result.stderr
    )
    assert "Value error" not in result.output


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "{}"],
        ["patch-csv", "{}"],
        ["catalog", "validate", "{}"],
        ["catalog", "dockerfile", "{}"],
        ["catalog", "graph", "{}"],
        ["catalog", "diff", "{}", "{}"],
        ["catalog", "render", "{}", "--catalog", "c"],
        ["catalog", "build", "{}", "--tag", "q.io/a/c:1"],
        ["bundle", "build", "{}", "--tag", "q.io/a/b:1"],
    ],
    ids=" ".join,
)
def test_a_missing_path_reads_the_same_everywhere(argv: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(app, [a.replace("{}", str(missing)) for a in argv])
    assert result.exit_code == 2
    assert result.stderr == f"{missing}: error: no such file or directory\n"


#: A flow sequence holding a character no YAML token starts with, at line 4, column 22.
BROKEN = "keywords: [registry, |containers, quay]\n"
BROKEN_TAIL = (
    ":4:22: error: invalid YAML: while scanning for the next token "
    "found character '|' that cannot start any token\n"
)


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "{bundle}"],
        ["patch-csv", "{bundle}"],
        ["catalog", "render", "{bundle}", "--image", "q.io/a/b:1"],
        ["catalog", "validate", "{catalog}"],
    ],
    ids=" ".join,
)
def test_a_yaml_syntax_error_reads_the_same_everywhere(argv: list[str], tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "manifests").mkdir(parents=True)
    (bundle / "metadata").mkdir()
    broken = "apiVersion: operators.coreos.com/v1alpha1\nkind: ClusterServiceVersion\nx: 1\n"
    (bundle / "manifests" / "op.clusterserviceversion.yaml").write_text(broken + BROKEN)
    (bundle / "metadata" / "annotations.yaml").write_text("annotations: {}\n")
    catalog = tmp_path / "catalog"
    (catalog / "op").mkdir(parents=True)
    (catalog / "op" / "catalog.yaml").write_text("schema: olm.package\nname: op\nx: 1\n" + BROKEN)
    paths = {"bundle": bundle, "catalog": catalog}
    result = CliRunner().invoke(app, [a.format(**paths) for a in argv])
    assert result.exit_code == 2
    broken_file = (
        "manifests/op.clusterserviceversion.yaml" if "{bundle}" in argv else "op/catalog.yaml"
    )
    assert result.stderr.endswith(f"{broken_file}{BROKEN_TAIL}"), result.stderr


#: Commands that read a bundle directory, each with a metadata file it reads (patch-csv
#: reads metadata/annotations.yaml only, for --channels).
BUNDLE_READERS = [
    (["validate", "{}"], "metadata/dependencies.yaml"),
    (["patch-csv", "{}", "--channels", "stable"], "metadata/annotations.yaml"),
    (["catalog", "render", "{}", "--image", "q.io/a/b:1"], "metadata/dependencies.yaml"),
    (
        ["bundle", "build", "{}", "--tag", "q.io/a/b:1", "--oci-layout", "{}/../out"],
        "metadata/dependencies.yaml",
    ),
]


@pytest.mark.parametrize(
    ("argv", "where"),
    [(argv, "manifests/extra.yaml") for argv, _ in BUNDLE_READERS] + BUNDLE_READERS,
    ids=lambda v: " ".join(v) if isinstance(v, list) else v,
)
def test_a_fifo_in_a_bundle_is_an_input_error(argv: list[str], where: str, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(Path(__file__).parent.parent / "bundle", bundle)
    fifo = bundle / where
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    result = CliRunner().invoke(app, [a.replace("{}", str(bundle)) for a in argv])
    assert result.exit_code == 2
    assert result.stderr.endswith(f"{fifo}: error: not a regular file but a FIFO\n"), result.stderr
