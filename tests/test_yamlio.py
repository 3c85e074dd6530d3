"""yamlio: positions, input errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.errors import InputError
from bundle_tools.yamlio import (
    compose_documents,
    first_document_end,
    load_documents,
    load_file,
    locate,
    pointer,
    read_source,
    split_pointer,
)

from .conftest import shared_path

DOC = """\
apiVersion: v1
metadata:
  annotations:
    a: "x"
spec:
  items:
  - name: one
  - name: two
"""


def test_locate_points_at_values_keys_and_items(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text(DOC)
    data = load_file(path)[0].data
    assert locate(data, ["metadata", "annotations", "a"]) == (4, 8)
    assert locate(data, ["spec", "items"]) == (6, 3)
    assert locate(data, ["spec", "items", 1]) == (8, 5)
    assert locate(data, ["spec", "items", 1, "name"]) == (8, 11)
    assert locate(data, ["spec", "missing", "deeper"]) == (5, 1)


def test_pointer_escaping_round_trips() -> None:
    parts = ["metadata", "annotations", "features.operators.openshift.io/token-auth-aws", "~x"]
    text = pointer(parts)
    assert text == "/metadata/annotations/features.operators.openshift.io~1token-auth-aws/~0x"
    assert split_pointer(text) == parts


def test_duplicate_key_is_an_input_error_with_both_lines() -> None:
    case = shared_path("cases", "patch-unparseable-input", "csv-duplicate-key")
    with pytest.raises(InputError) as info:
        load_file(case / "widget-operator.clusterserviceversion.yaml")
    assert (info.value.line, info.value.column) == (11, 3)
    assert "duplicate key 'annotations' (first defined at line 4)" in str(info.value)


def test_tab_indentation_is_an_input_error_at_its_line() -> None:
    case = shared_path("cases", "patch-unparseable-input", "csv-tab-indent")
    with pytest.raises(InputError) as info:
        load_file(case / "widget-operator.clusterserviceversion.yaml")
    assert (info.value.line, info.value.column) == (20, 1)
    assert "tab character" in info.value.message


def test_bom_and_crlf_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\r\nb: 2\r\n")
    source = read_source(path)
    assert (source.bom, source.newline, source.text) == (True, "\r\n", "a: 1\r\nb: 2\r\n")
    assert source.encode(source.text) == path.read_bytes()


def test_non_utf8_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(InputError) as info:
        read_source(path)
    assert (info.value.line, info.value.column) == (2, 7)
    assert info.value.message == "file is not UTF-8 text: byte 0xE9 cannot be decoded"


def test_compose_documents_gives_data_and_nodes_from_one_parse(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text("a: 1\n---\n" + DOC)
    source = read_source(path)
    composed = compose_documents(source)
    assert [d.document.data for d in composed] == [d.data for d in load_documents(source)]
    assert [d.document.index for d in composed] == [0, 1]
    value = composed[1].node.value[1][1].value[0][1].value[0][1]
    assert (value.value, value.style) == ("x", '"')
    assert source.text[value.start_mark.index : value.end_mark.index] == '"x"'
    assert locate(composed[1].document.data, ["spec", "items", 1, "name"]) == (10, 11)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("a: 1\na: 2\n", "2:1", "invalid YAML: duplicate key 'a' (first defined at line 1)"),
        (
            "x:\n  q: 1\n  a: 1\n  b:\n    a: 0\n  a: 3\n",
            "6:3",
            "invalid YAML: duplicate key 'a' (first defined at line 3)",
        ),
        (
            "l:\n- q: 0\n  n: 1\n  n: 2\n",
            "4:3",
            "invalid YAML: duplicate key 'n' (first defined at line 3)",
        ),
        ("{a: 1, a: 2}\n", "1:8", "invalid YAML: duplicate key 'a'"),
        ("a:\n\t- x\n", "2:1", "invalid YAML: tab character used for indentation"),
        ("a: [1\n", "2:1", "invalid YAML: while parsing a flow sequence"),
        ("a: 1\nb: x\x07y\n", "2:5", "invalid YAML: control character U+0007 is not allowed"),
    ],
)
def test_compose_documents_input_errors(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        compose_documents(read_source(path))
    assert str(info.value).startswith(f"{path}:{where}: error: {message}")
    if "control character" not in message:  # load_documents reports those without position
        with pytest.raises(InputError) as loaded:
            load_documents(read_source(path))
        assert str(loaded.value) == str(info.value)


def test_compose_documents_refuses_deep_nesting_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 400 + "]" * 400 + "\n")
    with pytest.raises(InputError) as info:
        compose_documents(read_source(path))
    message = "invalid YAML: collections nested more than 128 deep"
    assert str(info.value) == f"{path}:1:131: error: {message}"


def test_load_documents_refuses_deep_nesting_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError) as info:
        load_file(path)
    assert info.value.message == "invalid YAML: collections nested too deeply"


MERGED = """\
base: &base
  x: 1
  y: [1]
c:
  <<: *base
  z: 2
d:
  <<: [*base, {q: 3}]
empty:
next: 1
"""


def test_locate_keys_brought_in_by_merge_keys_and_empty_values(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MERGED, encoding="utf-8")
    (doc,) = load_file(tmp_path / "m.yaml")
    data = doc.data
    assert locate(data, ("c", "x")) == (2, 6)  # where the anchored mapping spells it
    assert locate(data, ("c", "y", 0)) == (3, 7)
    assert locate(data, ("c", "z")) == (6, 6)
    assert locate(data, ("d", "q")) == (8, 19)
    assert locate(data, ("d", "missing")) == (7, 1)
    assert locate(data, ("empty",)) == (9, 1)  # the key, not the next line


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("a: 1\n", None),
        ("a: 1\n---\nb: 2\n", 5),
        ("---\na: 1\n---\nb: 2\n", 9),  # a leading separator opens the first document
        ("# license\n---\na: 1\n", 10),  # a comment line is a document of its own
        ("a: 1\n--- # next\nb: 2\n", 5),
        ("a: 1\r\n---\r\nb: 2\r\n", 6),
        ("a: 1\n--- b: 2\n", None),  # the reader refuses text after the separator
        ("a: |\n  ---x\n", None),
    ],
)
def test_first_document_end_follows_the_kubernetes_yaml_reader(text: str, end: int | None) -> None:
    assert first_document_end(text) == end
