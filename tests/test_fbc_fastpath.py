"""The catalog YAML fast path (``yaml_rs``, YAML 1.2) against the exact loader (libyaml
with go-yaml v2 scalar rules): over every corpus catalog file, a generated set of YAML
1.1 edge cases and a hypothesis sweep of plain scalars, the loader ``catalog validate``
uses gives exactly what the exact loader gives: the same values (types and key order
included), duplicate keys, blob lines and positions, or the same input error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_tools.errors import InputError
from bundle_tools.fbc.load import SourceFile, _load_yaml, _load_yaml_exact, _load_yaml_fast

from .conftest import REPO, SHARED

CORPUS = SHARED / "corpus" / "catalogs"
HEAD = "schema: olm.package\nname: p\n"


def outcome(loader: Any, data: bytes) -> Any:
    """What ``loader`` makes of ``data``: per blob its JSON text (types and key order),
    duplicate keys, line and the position of every top-level key; or the input error."""
    source = SourceFile(Path("c.yaml"), "c.yaml", data)
    try:
        blobs = loader(source)
    except InputError as exc:
        return "error", str(exc)
    return [
        (
            json.dumps(blob.data),
            blob.duplicate_keys,
            blob.line,
            [blob.position((key,)) for key in blob.data],
        )
        for blob in blobs
    ]


def assert_same(data: bytes) -> None:
    assert outcome(_load_yaml, data) == outcome(_load_yaml_exact, data)


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.yaml")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not corpus_files(), reason=f"{CORPUS} not available")
def test_corpus_catalog_files_load_the_same_and_mostly_fast() -> None:
    fast_bytes = total = 0
    for path in corpus_files():
        data = path.read_bytes()
        assert outcome(_load_yaml, data) == outcome(_load_yaml_exact, data), path
        total += len(data)
        if _load_yaml_fast(SourceFile(path, str(path), data)) is not None:
            fast_bytes += len(data)
    # the fast path must stay the one real catalogs take (it is the whole speed-up)
    assert fast_bytes > 0.95 * total


VALUES = [
    # YAML 1.1 booleans (go-yaml v2) that YAML 1.2 reads as strings, and 1.2 booleans
    *[
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "oN",
        "true",
        "True",
        "TRUE",
        "tRUE",
        "false",
    ],
    # octal, radix prefixes, underscores, sexagesimals, exponents, 64-bit edges
    *[
        "0777",
        "0o17",
        "0O17",
        "0x1F",
        "0X1F",
        "-0x1F",
        "08",
        "0b101",
        "-0b101",
        "1_000",
        "_1",
        "0_x3",
        ".5_5",
        "._5",
        ".8e_+1",
    ],
    *[
        "1:20",
        "1:20:30.5",
        "190:20:30",
        "12e03",
        "1e3",
        "1E3",
        "+1",
        "-0",
        "1.",
        ".5",
        "+.5",
        "-.5",
        "1e400",
        "-1e400",
        "1e-400",
    ],
    *["9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616"],
    *["-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890"],
    "9" * 5000,
    # special floats and nulls
    *[
        ".inf",
        "-.Inf",
        "+.INF",
        ".NaN",
        ".nan",
        "-.nan",
        "+.nan",
        "inf",
        "nan",
        "~",
        "null",
        "Null",
        "NULL",
        "nULL",
    ],
    "",
    # timestamps (go-yaml v2 keeps them as strings for an interface{}), impossible dates
    *["2021-01-01", "2026-02-30", "2001-12-14t21:59:43.10-05:00", "2021-1-2T3:04:05Z"],
    # quoted and block scalars, escapes
    '"yes"',
    "'on'",
    '"0777"',
    '"x\\/y"',
    '"\\x41\\u00e9\\U0001F600"',
    '"\\ud800"',
    '"\\ud83d\\ude00"',
    '"\\q"',
    "|-\n  on\n  0777",
    ">\n  folded\n  text\n\n  para",
    "|+\n  keep\n\n",
    "|",
    "|-",
    "|+",
    ">",
    '"\\n"',
    "[>x, |y, ?z, :w, x:]",
    "{?x: 1}",
    "[a, -]",
    # tags
    "!!str 123",
    "!!int '12'",
    "!!int notanint",
    "!!float nope",
    "!!float 1",
    "!!bool yes",
    "!!null ''",
    "!!binary aGVsbG8=",
    "!!binary '!!!'",
    "!!timestamp 2021-01-01",
    "!custom x",
    "! 0777",
    "!!map {a: 1}",
    # flow collections
    "[on, off, 1, a]",
    "{a: 1, b: [y, n]}",
    '{"a":0777, "b":on}',
    "{a: 1, a: 2}",
    "[a, [b, [c]]]",
    "{}",
    "[]",
    # plain text look-alikes
    "Hi! there",
    "R&D",
    "a&b",
    "b:c",
    "b#c",
    "-b",
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_value_edge_cases_load_as_the_exact_loader_does(value: str) -> None:
    assert_same(f"{HEAD}v: {value}\n".encode())
    assert_same(f"{HEAD}v:\n- {value}\n".encode())


KEYS = [
    *[
        "y",
        "on",
        "off",
        "No",
        "1",
        "1.5",
        "-1",
        "0777",
        "1e3",
        "true",
        "~",
        "null",
        "_1",
        "0_x3",
        "<<",
    ],
    '"yes"',
    "'1'",
    "a b",
    "[a]",
    "{a: 1}",
    "!!str 1",
    "&k key",
    "a" * 1100,
    '"' + "a" * 1100 + '"',
]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: repr(k)[:40])
def test_key_edge_cases_load_as_the_exact_loader_does(key: str) -> None:
    assert_same(f"{HEAD}{key}: v\n".encode())
    assert_same(f"{HEAD}m: {{{key}: v}}\n".encode())
    assert_same(f"{HEAD}? {key}\n: v\n".encode())


STRUCTURES = [
    # anchors, aliases, merge keys (single, list, order against explicit keys)
    "base: &b {x: 1, y: 1}\nv:\n  <<: *b\n  y: 2\n",
    "base: &b {x: 1}\nother: &o {x: 2, z: 3}\nv:\n  <<: [*b, *o]\n",
    "base: &b {x: 1}\nv: {x: 0, <<: *b}\n",
    "base: &b [1]\nv:\n  <<: *b\n",
    "a: &x [1, 2]\nb: *x\n",
    "a: &x on\nb: *x\n",
    "b: *missing\n",
    "r: &r {<<: *r}\n",
    "r: &r [*r]\n",
    # duplicate keys, nested and at the top
    "v: 1\nv: 2\n",
    "m:\n  a: 1\n  b: 2\n  a: 3\n",
    "Name: q\n",
    # whitespace and line breaks
    "v:\tx\n",
    "v: x\t\n",
    "m:\n\ta: 1\n",
    "v: a\u0085b\n",
    "v: a\u2028b\n",
    "v: a\u2029b\n",
    "v: x\ufeffy\n",
    "v: bell\x07\n",
    "# comment\n",
    "v: 'multi\n  line'\n",
    'v: "multi\n  line\\\n  escaped"\n',
    "v: plain\n  continued\n",
    "m:\n    a: 1\n  b: 2\n",
    "v: [a,\n  b]\n",
]


@pytest.mark.parametrize("body", STRUCTURES, ids=repr)
def test_structure_edge_cases_load_as_the_exact_loader_does(body: str) -> None:
    assert_same(f"{HEAD}{body}".encode())
    assert_same(f"{HEAD}{body}".replace("\n", "\r\n").encode())
    assert_same(b"\xef\xbb\xbf" + f"{HEAD}{body}".encode())


STREAMS = [
    f"{HEAD}---\n{HEAD}",
    f"---\n{HEAD}---\n{HEAD}",
    f"--- \n{HEAD}--- # comment\n{HEAD}",
    f"# comment only\n---\n{HEAD}",
    f"~\n---\n{HEAD}",
    f"{HEAD}---\n",
    f"{HEAD}---\n---\n{HEAD}",
    f"{HEAD}---\n# only a comment\n",
    f"{HEAD}...\n---\n{HEAD}",
    f"%YAML 1.1\n---\n{HEAD}",
    f"%TAG !e! tag:example.com,2000:\n---\n{HEAD}",
    "--- {schema: olm.package, name: p}\n",
    f"--- |\n  text\n---\n{HEAD}",
    f"- {HEAD}",
    "",
    "# nothing\n",
    f"{HEAD}---x\n",
    f"{HEAD}v: |\n  ---\n",
    f"{HEAD}v: 'a\n---\nb'\n",
]


@pytest.mark.parametrize("text", STREAMS, ids=repr)
def test_document_stream_edge_cases_load_as_the_exact_loader_does(text: str) -> None:
    assert_same(text.encode())


def test_fast_path_takes_plain_catalog_yaml() -> None:
    data = f"{HEAD}---\nschema: olm.bundle\nname: b\nproperties: []\n".encode()
    blobs = _load_yaml_fast(SourceFile(Path("c.yaml"), "c.yaml", data))
    assert blobs is not None
    assert [(b.data["schema"], b.line, b.position(("name",))) for b in blobs] == [
        ("olm.package", 1, (2, 7)),
        ("olm.bundle", 4, (5, 7)),
    ]


PLAIN = st.text(alphabet="0123456789_.+-eExXoObByYnNsSfFtTuUrRlL:~ <>!&*#'\"[]{},", max_size=8)


@settings(max_examples=300, deadline=None)
@given(key=PLAIN, value=PLAIN)
def test_random_plain_scalars_load_as_the_exact_loader_does(key: str, value: str) -> None:
    assert_same(f"{HEAD}{key}: {value}\nw: [{value}]\n".encode())


def test_catalog_validate_imports_only_what_it_uses(tmp_path: Path) -> None:
    # issue 10: the catalog path imports neither ruamel.yaml nor jsonschema unless a
    # finding needs a message, nor PyYAML unless a file needs the exact loader, nor
    # pydantic (typer >= 0.29 would)
    root = tmp_path / "catalog"
    (root / "p").mkdir(parents=True)
    (root / "p" / "catalog.yaml").write_text(
        "---\nschema: olm.package\nname: p\ndefaultChannel: stable\n---\n"
        "schema: olm.channel\npackage: p\nname: stable\nentries:\n- name: p.v1.0.0\n---\n"
        "schema: olm.bundle\nname: p.v1.0.0\npackage: p\nimage: quay.io/example/p:v1\n"
        "properties:\n- type: olm.package\n  value:\n    packageName: p\n    version: 1.0.0\n"
    )
    code = (
        "import sys\nfrom bundle_tools.cli import app\n"
        "try:\n    app(['catalog', 'validate', sys.argv[1]])\nexcept SystemExit as exc:\n"
        "    print(exc.code)\nprint(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True
    )
    code_line, modules = done.stdout.splitlines()[-2:]
    assert code_line == "0"
    loaded = {name.split(".")[0] for name in modules.split()}
    assert loaded.isdisjoint({"ruamel", "jsonschema", "yaml", "pydantic"})
    assert "yaml_rs" in loaded


def _modules_after(argv: list[str]) -> set[str]:
    """The modules loaded by a process that runs ``bundle-tools ARGV`` through the app."""
    code = (
        "import sys\nfrom bundle_tools.cli import app\n"
        "try:\n    app(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_cli_start_up_imports_no_image_machinery() -> None:
    # issue 10: every command builds the CLI; only `bundle build`/`catalog build` and
    # image pulls need the OCI writer, tar and the HTTP client
    for argv in (["--help"], ["catalog", "validate", "--help"], ["validate", "--help"]):
        loaded = _modules_after(argv)
        assert loaded.isdisjoint({"bundle_tools.images.oci", "tarfile", "httpx"}), argv
    assert "bundle_tools.cli.images" in _modules_after(["catalog", "build", "--help"])


def test_cli_builds_only_the_invoked_command() -> None:
    # issue 10: group help lists the commands from their short help; a run imports the
    # module of the one command it invokes
    commands = {"bundle_tools.cli.patch", "bundle_tools.cli.validate", "bundle_tools.cli.catalog"}
    assert _modules_after(["--help"]).isdisjoint(commands)
    assert _modules_after(["catalog", "--help"]).isdisjoint(commands)
    assert _modules_after(["validate", "--help"]) & commands == {"bundle_tools.cli.validate"}
    assert _modules_after(["catalog", "graph", "--help"]) & commands == {"bundle_tools.cli.catalog"}


def test_validate_of_a_clean_bundle_imports_no_jsonschema() -> None:
    # issue 10: the compiled schema check passes the repository's bundle, so the
    # jsonschema package (about 0.1 s of start-up) is imported only to explain a failure
    loaded = _modules_after(["validate", str(REPO / "bundle")])
    assert "bundle_tools.rules.csv_schema" in loaded
    assert not any(name.split(".")[0] == "jsonschema" for name in loaded)
