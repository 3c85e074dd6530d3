"""The text-splice engine on small inputs: scalar quoting, in-place replacement, where new
keys and items go, empty and null values, aliases, block scalars, documents, EOF."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.errors import InputError
from bundle_tools.patch.textedit import YamlText, render_scalar
from bundle_tools.yamlio import SourceText, load_documents


def editor(text: str, name: str = "t.yaml") -> YamlText:
    newline = "\r\n" if "\r\n" in text else "\n"
    source = SourceText(path=Path(name), text=text, bom=False, newline=newline)
    load_documents(source)
    return YamlText(source)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        ("quay.io/x/y@sha256:abc", "quay.io/x/y@sha256:abc"),
        ("true", '"true"'),
        ("No", '"No"'),
        ("null", '"null"'),
        ("", '""'),
        ("1.0", '"1.0"'),
        ("0755", '"0755"'),
        ("1_000", '"1_000"'),
        ("1.2.3", "1.2.3"),
        ("2024-05-01T12:00:00Z", '"2024-05-01T12:00:00Z"'),
        (">=1.0.0 <1.2.0", '">=1.0.0 <1.2.0"'),
        ("a: b", '"a: b"'),
        ("a #b", '"a #b"'),
        ("- x", '"- x"'),
        ("*alias", '"*alias"'),
        ("x,y", '"x,y"'),
        ("ünï", '"ünï"'),
        (True, "true"),
        (3600, "3600"),
        (None, "null"),
    ],
)
def test_render_scalar(value: object, text: str) -> None:
    assert render_scalar(value) == text


def test_render_scalar_keeps_requested_quote_style() -> None:
    assert render_scalar("true", "'") == "'true'"
    assert render_scalar("it's", "'") == "'it''s'"
    assert render_scalar("plain", '"') == '"plain"'


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a: 'false'  # keep\n", "a: 'true'  # keep\n"),
        ('a: "false"\n', 'a: "true"\n'),
        ("a: false\n", 'a: "true"\n'),
        ("a: “false”\n", 'a: "true"\n'),
        ("a:\nb: 1\n", 'a: "true"\nb: 1\n'),
    ],
)
def test_scalar_replaced_in_place(before: str, after: str) -> None:
    edit = editor(before)
    edit.set(0, ("a",), "true")
    assert edit.result() == after


def test_new_key_in_sorted_mapping_goes_in_order_before_comments_of_next_key() -> None:
    edit = editor("m:\n  a: 1\n\n  # about c\n  c: 3\n")
    edit.set(0, ("m", "b"), 2)
    assert edit.result() == "m:\n  a: 1\n  b: 2\n\n  # about c\n  c: 3\n"


def test_new_key_before_first_key_and_at_end_of_unsorted_mapping() -> None:
    edit = editor("m:\n  b: 1\n  c: 2\nn:\n  z: 1\n  y: 2\n")
    edit.set(0, ("m", "a"), 0)
    edit.set(0, ("n", "a"), 0)
    assert edit.result() == "m:\n  a: 0\n  b: 1\n  c: 2\nn:\n  z: 1\n  y: 2\n  a: 0\n"


def test_new_key_in_sequence_item_mapping_never_goes_on_the_dash_line() -> None:
    edit = editor("- b: 1\n  c: 2\n")
    edit.set(0, (0, "a"), 0)
    assert edit.result() == "- b: 1\n  a: 0\n  c: 2\n"


def test_nested_new_keys_merge_into_one_block() -> None:
    edit = editor("metadata:\n  name: x\n")
    edit.set(0, ("metadata", "annotations", "k1"), "v1")
    edit.set(0, ("metadata", "annotations", "k2"), "v2")
    assert edit.result() == "metadata:\n  annotations:\n    k1: v1\n    k2: v2\n  name: x\n"


def test_items_follow_local_sequence_style() -> None:
    edit = editor("a:\n    -   p: 1\n        q: 2\nb: 0\n")
    edit.append(0, ("a",), [{"p": 3, "q": 4}])
    assert edit.result() == "a:\n    -   p: 1\n        q: 2\n    -   p: 3\n        q: 4\nb: 0\n"


def test_items_go_after_block_scalar_of_last_item() -> None:
    edit = editor("a:\n- s: |+\n    text\n\n# trailing\nb: 0\n")
    edit.append(0, ("a",), ["m"])
    assert edit.result() == "a:\n- s: |+\n    text\n\n- m\n# trailing\nb: 0\n"


def test_items_go_after_an_alias_that_ends_the_block() -> None:
    edit = editor("x: &v 1\na:\n- *v\nb: 0\n")
    edit.append(0, ("a",), [2])
    assert edit.result() == "x: &v 1\na:\n- *v\n- 2\nb: 0\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("  a: []  # note\n", "  a:  # note\n  - v\n"),
        ("  a: null\n", "  a:\n  - v\n"),
        ("  a: ~\n", "  a:\n  - v\n"),
        ("  a:\n", "  a:\n  - v\n"),
    ],
)
def test_empty_value_becomes_block_sequence(before: str, after: str) -> None:
    edit = editor(f"m:\n{before}  b: 1\n")
    edit.append(0, ("m", "a"), ["v"])
    assert edit.result() == f"m:\n{after}  b: 1\n"


def test_empty_flow_mapping_becomes_block_mapping() -> None:
    edit = editor("m:\n  a: {}\n  b: 1\n")
    edit.set(0, ("m", "a", "k"), "v")
    assert edit.result() == "m:\n  a:\n    k: v\n  b: 1\n"


def test_flow_sequence_gains_items_in_flow_style_with_same_quotes() -> None:
    edit = editor("verbs: ['get']  # read\n")
    edit.append(0, ("verbs",), ["list", "watch"])
    assert edit.result() == "verbs: ['get', 'list', 'watch']  # read\n"


def test_crlf_and_missing_final_newline() -> None:
    edit = editor("a:\r\n- x\r\nb: 1")
    edit.append(0, ("a",), ["z"])
    edit.set(0, ("c",), 2)
    assert edit.result() == "a:\r\n- x\r\n- z\r\nb: 1\r\nc: 2"


def test_edits_in_second_document_leave_first_alone() -> None:
    edit = editor("a: 1\n---\nb: 1\n")
    edit.set(1, ("b",), 2)
    assert edit.result() == "a: 1\n---\nb: 2\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a: |\n  text\n\nb: 1\n", 'a: "true"\n\nb: 1\n'),
        ("a: >-\n  folded\n  text\n", 'a: "true"\n'),
        ("a: |+\n  kept\n\n", 'a: "true"\n\n'),
    ],
)
def test_block_scalar_becomes_flow_scalar(before: str, after: str) -> None:
    edit = editor(before)
    edit.set(0, ("a",), "true")
    assert edit.result() == after


def test_alias_on_the_path_is_refused_with_position() -> None:
    edit = editor("x: &p\n  k: 1\ny: *p\n")
    with pytest.raises(InputError, match=r"cannot edit y: it is a YAML alias \(\*p\)") as info:
        edit.set(0, ("y", "k"), 2)
    assert (info.value.line, info.value.column) == (3, 1)


def test_no_edits_is_identity() -> None:
    text = "# c\r\na:   'x'   # y\r\n\r\nb:\r\n    - 1\r\n"
    assert editor(text).result() == text
