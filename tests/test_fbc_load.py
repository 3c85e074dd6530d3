"""Loading catalogs like opm: walk, .indexignore, JSON streams, multi-document YAML,
BOM, positions, and input errors with file and line."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_tools.errors import InputError
from bundle_tools.fbc.indexignore import IgnoreRules
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
        "schema: olm.bundle\nbase: &b {kind: K, v: 1}\nmerged:\n  <<: *b\n  v: 2\n"
        "created: 2024-01-02\nflag: yes\nnum: 1.5\n1: one\nempty:\nraw: !!binary aGVsbG8=\n"
        "go: [y, N, 1e3, 1.5e3, 0o17, 0X1F, 017, 08, 1_000, '1e3', 1:20, 0xFFFFFFFFFFFFFFFFFF]\n"
        "n: norway\n"
    )
    (blob,) = load_file(write(tmp_path, "c.yaml", text), "c.yaml")
    assert blob.data["go"] == [
        True, False, 1000.0, 1500.0, 15, 31, 15, 8.0, 1000, "1e3", "1:20", "0xFFFFFFFFFFFFFFFFFF"
    ]  # fmt: skip
    assert blob.data["false"] == "norway"  # go-yaml v2 resolves the key n as false
    assert blob.data["merged"] == {"v": 2, "kind": "K"}
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
        ("schema: 3\n", "blob schema is a number, not a string", 1),
        ("- schema: olm.package\n", "document is a list", 1),
        ("---\n---\n" + PACKAGE, "empty YAML document", 2),
        ('{"schema": "olm.package"}\n{"schema": ', "invalid JSON", 2),
        ('{"schema": "a"}\n---\nschema: b\n', "read as a stream of JSON objects", 2),
        ("schema: a\nname: \0\n", "binary file (NUL byte), not YAML or JSON text", 2),
        ('{"schema": "olm.package"}\n[1, 2]\n', "JSON value is not an object", 2),
        ("a: &x [*x]\nschema: s\n", "recursive alias", 1),
        # deeper than Python 3.13's C recursion limit too (3000 levels parse there)
        ('{"schema": ' + "[" * 30000 + "]" * 30000 + "}", "document nested too deeply", 1),
        (PACKAGE + "---\n# only a comment\n", "comment-only YAML document", 4),
        ("# nothing but a comment\n", "comment-only YAML document", 1),
    ],
    ids=["yaml-syntax", "no-schema", "schema-type", "list", "empty-doc", "json-syntax",
         "json-then-yaml", "binary",
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


def ignored(text: str, path: str, domain: tuple[str, ...] = ()) -> bool:
    rules = IgnoreRules()
    rules.add(text, domain)
    return rules.is_ignored(path.split("/"))


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.md", "a/README.md", True),
        ("/top.yaml", "top.yaml", True),
        ("/top.yaml", "sub/top.yaml", False),
        ("./README.md", "README.md", False),
        ("objects/", "objects", False),
        ("objects/", "p/objects/x.json", True),
        ("a/**/b.json", "a/x/y/b.json", True),
        ("a/**/b.json", "a/b.json", True),
        ("a/*/b.json", "a/x/y/b.json", False),
        ("a/b", "a/b/c.json", True),
        ("file[0-9].json", "file7.json", True),
        ("file[^0-9].json", "file7.json", False),
        ("file[^0-9].json", "filex.json", True),
        # Go filepath.Match: "!" opening a class is a member, not a negation
        ("file[!0-9].json", "filex.json", False),
        ("file[!0-9].json", "file!.json", True),
        ("file[!0-9].json", "file5.json", True),
        ("\\#literal", "#literal", True),
        ("\\*.md", "a.md", False),
        ("bad[", "bad[", False),
        ("!", "a", False),
        ("*.JSON", "x.json", False),
        # re-included below an excluded directory: each file is matched on its own
        ("objects/\n!objects/keep.json", "objects/keep.json", False),
        ("*\n!*.yaml", "p/catalog.yaml", False),
        ("!x\nx", "x", True),
    ],
)
def test_gitignore_patterns(pattern: str, path: str, expected: bool) -> None:
    assert ignored(pattern, path) is expected


def test_ignore_domain_and_last_match_wins() -> None:
    rules = IgnoreRules()
    rules.add("*.json\n", ("p",))
    rules.add("!keep.json\n", ("p",))
    assert rules.is_ignored(["p", "x.json"])
    assert not rules.is_ignored(["p", "keep.json"])
    assert not rules.is_ignored(["q", "x.json"])
    assert not rules.is_ignored(["p"])


def test_joelanford_ignore_upstream_expectations(tmp_path: Path) -> None:
    """The file expectations of github.com/joelanford/ignore's own test (the matcher opm
    uses), on a real directory walked by load_catalog."""
    write(tmp_path, ".indexignore", "# a anywhere\na\n\n/ignore\n\n/really/**/file1\n")
    write(tmp_path, "dir1/.indexignore", "  b\n/ignore\n!a\n")
    files = ["a", "b", "c", "dir1/a", "dir1/b", "dir1/c", "really/file1", "really/file2"]
    files += [f"{d}/{n}" for d in ("ignore", "dir1/ignore") for n in "abc"]
    files += [f"really/long/path/to/file{n}" for n in "12"]
    for rel in files:
        write(tmp_path, rel, f"schema: {rel}\n")
    loaded = [get_field(b.data, "schema") for b in load_catalog(tmp_path)]
    assert loaded == [
        "b",
        "c",
        "dir1/a",
        "dir1/c",
        "dir1/ignore/a",
        "really/file2",
        "really/long/path/to/file2",
    ]


@pytest.mark.parametrize("name", ["community-v4.20", "community-v4.16", "lightspeed-4.16"])
def test_real_catalogs_load(name: str) -> None:
    blobs = load_catalog(shared_path("corpus", "catalogs", name))
    schemas = {get_field(b.data, "schema") for b in blobs}
    assert schemas == {"olm.package", "olm.channel", "olm.bundle"}
    assert all(b.duplicate_keys == () for b in blobs)


def test_schema_of_wrong_type_points_at_its_value(tmp_path: Path) -> None:
    write(tmp_path, "c.yaml", PACKAGE + "---\nname: x\nschema: [a]\n")
    with pytest.raises(InputError) as caught:
        load_catalog(tmp_path)
    assert (
        str(caught.value) == f"{tmp_path}/c.yaml:6:1: error: blob schema is an array, not a string"
    )


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "README.md",
            "# Catalog\n\nRendered by bundle-tools.\n",
            "README.md:3:1: error: document is a str, not an object with a schema field (opm "
            "parses every file under a catalog, whatever its name; list README.md in an "
            ".indexignore to skip it)",
        ),
        (
            "notes.txt",
            "a: 1\n",
            "notes.txt:1:1: error: blob missing root schema field (opm parses every file under "
            "a catalog, whatever its name; list notes.txt in an .indexignore to skip it)",
        ),
        ("bad.yaml", "text\n", "bad.yaml:1:1: error: document is a str, not an object with a "
         "schema field"),
    ],
)  # fmt: skip
def test_non_catalog_file_errors_say_how_to_skip_them(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    write(tmp_path, "p/catalog.yaml", PACKAGE)
    write(tmp_path, name, text)
    with pytest.raises(InputError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value) == f"{tmp_path}/{expected}"
    write(tmp_path, ".indexignore", name + "\n")
    assert [b.path for b in load_catalog(tmp_path)] == [f"{tmp_path}/p/catalog.yaml"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda root: (root / "linked").symlink_to(root.parent / "elsewhere"),
            "symbolic link to a directory: opm does not walk into it and fails reading it",
        ),
        (lambda root: (root / "linked").symlink_to(root / "gone.yaml"), "dangling symbolic link"),
        (lambda root: os.mkfifo(root / "linked"), "not a regular file"),
    ],
    ids=["dir-symlink", "dangling", "fifo"],
)
def test_paths_opm_cannot_load_are_errors_unless_ignored(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    root = tmp_path / "catalog"
    write(root, "p/catalog.yaml", PACKAGE)
    write(tmp_path, "elsewhere/other.yaml", PACKAGE)
    make(root)
    with pytest.raises(InputError) as caught:
        load_catalog(root)
    assert str(caught.value) == f"{root}/linked: error: {message}"
    write(root, ".indexignore", "linked\n")
    assert len(load_catalog(root)) == 1


def test_symlinked_file_is_loaded(tmp_path: Path) -> None:
    target = write(tmp_path, "outside/catalog.yaml", PACKAGE)
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "catalog.yaml").symlink_to(target)
    assert [get_field(b.data, "name") for b in load_catalog(tmp_path / "catalog")] == ["p"]


def test_unreadable_indexignore_is_an_input_error(tmp_path: Path) -> None:
    write(tmp_path, "catalog.yaml", PACKAGE)
    (tmp_path / ".indexignore").symlink_to(tmp_path / "missing")
    with pytest.raises(InputError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path}/.indexignore: error: cannot read file: No such file or directory"
    )


def test_unreadable_file_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "catalog.yaml", PACKAGE)
    real = os.open

    def open_file(name: str | Path, flags: int, *args: int) -> int:
        if Path(name) == path:
            raise PermissionError(13, "Permission denied")
        return real(name, flags, *args)

    monkeypatch.setattr(os, "open", open_file)
    with pytest.raises(InputError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value) == f"{path}: error: cannot read file: Permission denied"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: None, "catalog directory does not exist"),
        (lambda root: root.write_text(PACKAGE), "catalog directory is a file"),
    ],
)
def test_root_that_is_not_a_directory(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    root = tmp_path / "catalog"
    make(root)
    with pytest.raises(InputError) as caught:
        load_catalog(root)
    assert str(caught.value) == f"{root}: error: {message}"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_yaml_with_byte_order_mark_loads(tmp_path: Path, encoding: str) -> None:
    text = "\ufeff" + PACKAGE if encoding == "utf-16-be" else PACKAGE
    write(tmp_path, "c.yaml", text.encode(encoding))
    (blob,) = load_catalog(tmp_path)
    assert blob.data == {"schema": "olm.package", "name": "p", "defaultChannel": "stable"}
    assert blob.position(("defaultChannel",)) == (3, 17)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"schema: olm.package\nname: caf\xe9\n", "2:10: error: invalid YAML: incomplete UTF-8"),
        (
            b"schema: olm.package\nname: \x01x\n",
            "2:7: error: invalid YAML: control character U+0001 is not allowed",
        ),
    ],
)
def test_undecodable_bytes_have_line_and_column(tmp_path: Path, data: bytes, expected: str) -> None:
    write(tmp_path, "c.yaml", data)
    with pytest.raises(InputError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path}/c.yaml:{expected}")


def test_backtracking_bomb_pattern_matches_like_its_glob() -> None:
    bomb = "a*a*a*a*a*a*a*a*a*a*a*a*z"
    assert ignored(bomb, "a" * 200 + "/" + "a" * 200) is False
    assert ignored(bomb, "x/" + "a" * 200 + "z") is True
    assert ignored(bomb, "a" * 11 + "z") is False


def _reference_ignored(lines: list[str], path: str) -> bool:
    """The per-line evaluation the matcher replaces: last matching line decides."""
    from pathspec import GitIgnoreSpec

    decision = False
    for line in lines:
        try:
            spec = GitIgnoreSpec.from_lines([line.replace("[!", "[\\!")])
        except ValueError:
            continue
        included = spec.check_file(path).include
        if included is not None:
            decision = included
    return decision


_LINE = st.lists(st.sampled_from(["a", "b", "*", "?", "/", "**", "[ab]", "!"]), max_size=5)
_PATH = st.lists(st.sampled_from(["a", "b", "ab", "ba", "aab"]), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE.map("".join), max_size=6), _PATH.map("/".join))
def test_compiled_matcher_agrees_with_line_by_line_matching(lines: list[str], path: str) -> None:
    kept = [line.strip() for line in lines if line.strip()]
    assert ignored("\n".join(lines), path) is _reference_ignored(kept, path)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: os.mkfifo(p), "not a regular file but a FIFO"),
        (lambda p: p.symlink_to("/dev/zero"), "not a regular file but a character device"),
        (
            lambda p: p.write_text("x\n" * 600_000),
            "file too large: 1200000 bytes (at most 1048576)",
        ),
    ],
    ids=["fifo", "dev-zero", "too-large"],
)
def test_indexignore_must_be_a_small_regular_file(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    write(tmp_path, "p/catalog.yaml", PACKAGE)
    make(tmp_path / "p" / ".indexignore")
    with pytest.raises(InputError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value) == f"{tmp_path}/p/.indexignore: error: {message}"


def test_catalog_files_linked_to_each_other_are_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    with pytest.raises(InputError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path}/a.yaml: error: cannot follow symbolic link: Too many levels of symbolic links"
    )
