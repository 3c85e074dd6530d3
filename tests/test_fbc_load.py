"""Loading catalogs like opm: walk, .indexignore, JSON streams, multi-document YAML,
BOM, positions, and input errors with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.errors import InputError
from bundle_tools.fbc.indexignore import Pattern, is_ignored, parse_ignore_file
from bundle_tools.fbc.load import get_field, load_catalog, load_file

from .conftest import shared_path

PACKAGE = "schema: olm.package\nname: p\ndefaultChannel: stable\n"


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_json_stream_in_yaml_named_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "p/catalog.yaml",
        '\n  {"schema": "olm.package", "name": "p"}\n{"schema": "olm.channel",\n "name": "c"}'
        '{"schema": "olm.bundle", "name": "b"}\n',
    )
    blobs = load_catalog(tmp_path)
    assert [(b.data["schema"], b.line) for b in blobs] == [
        ("olm.package", 2),
        ("olm.channel", 3),
        ("olm.bundle", 4),
    ]
    assert [b.position(("name",)) for b in blobs] == [(2, 37), (4, 10), (4, 47)]


def test_json_fast_path_lines_and_positions(tmp_path: Path) -> None:
    text = (
        '{\n    "schema": "olm.package",\n    "name": "p"\n}\n'
        '{\n    "schema": "olm.bundle",\n    "name": "b",\n    "properties": [\n'
        '        {"type": "olm.package", "value": {"version": "v1"}}\n    ]\n}\n'
    )
    blobs = load_file(write(tmp_path, "c.json", text), "c.json")
    assert [b.line for b in blobs] == [1, 5]
    assert blobs[1].position(("name",)) == (7, 13)
    assert blobs[1].position(("properties", 0, "value", "version")) == (9, 54)
    assert blobs[1].location("missing").line == 5


def test_multi_document_yaml_with_bom_and_positions(tmp_path: Path) -> None:
    text = "---\n" + PACKAGE + "---\nschema: olm.channel\nname: stable\nentries:\n- name: b\n"
    blobs = load_file(write(tmp_path, "c.yaml", b"\xef\xbb\xbf" + text.encode()), "c.yaml")
    assert [(b.data["schema"], b.line) for b in blobs] == [("olm.package", 2), ("olm.channel", 6)]
    assert blobs[1].position(("entries", 0, "name")) == (9, 9)
    assert blobs[1].position(("entries", 0)) == (9, 3)


def test_yaml_values_follow_go_yaml(tmp_path: Path) -> None:
    text = (
        "schema: olm.bundle\nbase: &b {kind: K, n: 1}\nmerged:\n  <<: *b\n  n: 2\n"
        "created: 2024-01-02\nflag: yes\nnum: 1.5\n1: one\nempty:\nraw: !!binary aGVsbG8=\n"
    )
    (blob,) = load_file(write(tmp_path, "c.yaml", text), "c.yaml")
    assert blob.data["merged"] == {"n": 2, "kind": "K"}
    assert blob.data["created"] == "2024-01-02"
    assert (blob.data["flag"], blob.data["num"], blob.data["1"], blob.data["empty"]) == (
        True,
        1.5,
        "one",
        None,
    )
    assert blob.data["raw"] == "hello"


def test_duplicate_keys_recorded(tmp_path: Path) -> None:
    text = "schema: olm.package\nname: a\nicon:\n  mediatype: x\n  mediatype: y\nname: b\n"
    (blob,) = load_file(write(tmp_path, "c.yaml", text), "c.yaml")
    assert blob.data["name"] == "b"
    assert blob.duplicate_keys == ((5, 3, "mediatype"), (6, 1, "name"))


def test_case_insensitive_fields() -> None:
    assert get_field({"Schema": "olm.package"}, "schema") == "olm.package"
    assert get_field({"schema": "a", "SCHEMA": "b"}, "schema") == "a"
    assert get_field({"other": 1}, "schema") is None


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("schema: olm.package\nname: [unclosed\n", "invalid YAML", 3),
        ("name: p\n", "blob missing root schema field", 1),
        ("schema: 3\n", "blob schema is not a string", 1),
        ("- schema: olm.package\n", "document is a list", 1),
        ("---\n---\n" + PACKAGE, "empty YAML document", 2),
        ('{"schema": "olm.package"}\n{"schema": ', "invalid JSON", 2),
        ('{"schema": "olm.package"}\n[1, 2]\n', "JSON value is not an object", 2),
        ("a: &x [*x]\nschema: s\n", "recursive alias", 1),
        ('{"schema": ' + "[" * 3000 + "]" * 3000 + "}", "maximum recursion depth", 1),
        (PACKAGE + "---\n# only a comment\n", "comment-only YAML document", 4),
        ("# nothing but a comment\n", "comment-only YAML document", 1),
    ],
    ids=["yaml-syntax", "no-schema", "schema-type", "list", "empty-doc", "json-syntax",
         "json-array", "recursive-alias", "deep-json", "trailing-comment-doc", "comment-file"],
)  # fmt: skip
def test_input_errors_name_file_and_line(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    write(tmp_path, "pkg/catalog.yaml", text)
    with pytest.raises(InputError) as caught:
        load_catalog(tmp_path)
    error = caught.value
    assert message in error.message
    assert (error.path, error.line) == (str(tmp_path / "pkg" / "catalog.yaml"), line)


def test_trailing_separator_and_leading_separator_are_fine(tmp_path: Path) -> None:
    write(tmp_path, "c.yaml", "---\n" + PACKAGE + "---\n")
    write(tmp_path, "empty.yaml", "")
    write(tmp_path, "separator.yaml", "---\n")
    assert len(load_catalog(tmp_path)) == 1


def test_every_file_is_loaded_unless_ignored(tmp_path: Path) -> None:
    write(tmp_path, "p/catalog.yaml", PACKAGE)
    write(tmp_path, "p/notes.txt", "schema: olm.other\nname: n\n")
    write(tmp_path, "p/objects/big.json", '{"schema": "x"}')
    write(tmp_path, "p/objects/keep.json", '{"schema": "kept"}')
    write(tmp_path, "README.md", "# not a blob\n")
    write(tmp_path, ".indexignore", "# docs\nREADME.md\n\nobjects/\n")
    write(tmp_path, "p/.indexignore", "!objects/keep.json\n")
    schemas = [get_field(b.data, "schema") for b in load_catalog(tmp_path)]
    assert schemas == ["olm.package", "olm.other", "kept"]


@pytest.mark.parametrize(
    ("pattern", "path", "ignored"),
    [
        ("*.md", ["a", "README.md"], True),
        ("/top.yaml", ["top.yaml"], True),
        ("/top.yaml", ["sub", "top.yaml"], False),
        ("objects/", ["objects"], False),
        ("objects/", ["p", "objects", "x.json"], True),
        ("a/**/b.json", ["a", "x", "y", "b.json"], True),
        ("a/*/b.json", ["a", "x", "y", "b.json"], False),
        ("file[0-9].json", ["file7.json"], True),
        ("file[^0-9].json", ["file7.json"], False),
        ("\\#literal", ["#literal"], True),
        ("bad[", ["bad["], False),
    ],
)
def test_gitignore_patterns(pattern: str, path: list[str], ignored: bool) -> None:
    assert is_ignored(parse_ignore_file(pattern, ()), path) is ignored


def test_ignore_domain_and_last_match_wins() -> None:
    patterns = [Pattern.parse("*.json", ("p",)), Pattern.parse("!keep.json", ("p",))]
    assert is_ignored(patterns, ["p", "x.json"])
    assert not is_ignored(patterns, ["p", "keep.json"])
    assert not is_ignored(patterns, ["q", "x.json"])


@pytest.mark.parametrize("name", ["community-v4.20", "community-v4.16", "lightspeed-4.16"])
def test_real_catalogs_load(name: str) -> None:
    blobs = load_catalog(shared_path("corpus", "catalogs", name))
    schemas = {get_field(b.data, "schema") for b in blobs}
    assert schemas == {"olm.package", "olm.channel", "olm.bundle"}
    assert all(b.duplicate_keys == () for b in blobs)
