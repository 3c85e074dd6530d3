"""The text-splice engine on small inputs: scalar quoting, in-place replacement, where new
keys and items go, empty and null values, aliases, block scalars, documents, EOF."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bundle_tools.errors import InputError
from bundle_tools.patch.textedit import YamlText, render_scalar
from bundle_tools.yamlio import SourceText


def editor(text: str, name: str = "t.yaml") -> YamlText:
    newline = "\r\n" if "\r\n" in text else "\n"
    source = SourceText(path=Path(name), text=text, bom=False, newline=newline)
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


@pytest.mark.parametrize(
    ("before", "index", "after"),
    [
        ("s: [a, {k: 1}, c]\n", 1, "s: [a, {k: v}, c]\n"),
        ("s: [{k: 1}]  # c\n", 0, "s: [{k: v}]  # c\n"),
        ('{"s": [1, 2]}\n', 1, '{"s": [1, {"k": "v"}]}\n'),
    ],
)
def test_flow_sequence_item_replaced_in_place(before: str, index: int, after: str) -> None:
    edit = editor(before, "t.json" if before.startswith("{") else "t.yaml")
    edit.replace_item(0, ("s", index), {"k": "v"})
    assert edit.result() == after


@pytest.mark.parametrize(
    ("before", "index", "after"),
    [
        ("s:\n- a: 1\n  b: 2\n# keep\n- c\nt: 0\n", 0, "s:\n# keep\n- c\nt: 0\n"),
        ("s:\n  - a\n  - b: |\n      x\n  - c\n", 1, "s:\n  - a\n  - c\n"),
        ("s:\n- a\n- b", 1, "s:\n- a"),
        ("s:\r\n- a\r\n- b", 1, "s:\r\n- a"),
        ("s: [a, b, c]\n", 1, "s: [a, c]\n"),
        ("s: [a, b, c]\n", 0, "s: [b, c]\n"),
        ("s: [a, b]\n", 1, "s: [a]\n"),
        ("s: [a]\n", 0, "s: []\n"),
    ],
)
def test_sequence_item_removed(before: str, index: int, after: str) -> None:
    edit = editor(before)
    edit.remove_item(0, ("s", index))
    assert edit.result() == after


def test_removing_the_only_block_item_is_refused() -> None:
    edit = editor("s:\n- a\nt: 0\n")
    with pytest.raises(InputError, match="cannot remove the only item") as info:
        edit.remove_item(0, ("s", 0))
    assert (info.value.line, info.value.column) == (2, 3)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("d: |\n  one line", "d: |-\n  one line\ne: 2"),
        ("d: >+2\n   kept", "d: >2-\n   kept\ne: 2"),
        ("d: |-  # note\n  x", "d: |-  # note\n  x\ne: 2"),
        ("d: |\n  one line\n", "d: |\n  one line\ne: 2\n"),
    ],
)
def test_block_scalar_at_end_of_file_keeps_its_value(before: str, after: str) -> None:
    edit = editor(before)
    edit.set(0, ("e",), 2)
    result = edit.result()
    assert result == after
    assert yaml.safe_load(result)["d"] == yaml.safe_load(before)["d"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("x: &v 1\na:\n- *v\n- *v\nb: 0\n", "x: &v 1\na:\n- *v\n- *v\n- 2\nb: 0\n"),
        ("a:\n-\n-\nb: 0\n", "a:\n-\n-\n- 2\nb: 0\n"),
        ("a:\n  -   \n  -  # c\nb: 0\n", "a:\n  -   \n  -  # c\n  - 2\nb: 0\n"),
        ("x: &v 1\na:\n- 0\n-\n- *v\nb: 0\n", "x: &v 1\na:\n- 0\n-\n- *v\n- 2\nb: 0\n"),
    ],
)
def test_items_go_after_aliases_and_empty_items(before: str, after: str) -> None:
    edit = editor(before)
    edit.append(0, ("a",), [2])
    assert edit.result() == after


def test_append_to_a_sequence_of_thousands_of_aliases() -> None:
    items = "".join("- *v\n" for _ in range(5000))
    edit = editor(f"x: &v 1\na:\n{items}b: 0\n")
    edit.append(0, ("a",), [2])
    assert edit.result() == f"x: &v 1\na:\n{items}- 2\nb: 0\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('a: &t "false"\nb: *t\n', 'a: &t "true"\nb: *t\n'),
        ("a: !!str &t false\nb: *t\n", 'a: &t "true"\nb: *t\n'),
        ("a: !!bool &t false\nb: *t\n", 'a: &t "true"\nb: *t\n'),
        ("a!: !!bool\n  false\n", 'a!: "true"\n'),
        ("a: # see !x\n  false\n", 'a: # see !x\n  "true"\n'),
        ('"a#": !!bool &t false\nb: *t\n', '"a#": &t "true"\nb: *t\n'),
        ("a: &t !!str false\nb: *t\n", 'a: &t "true"\nb: *t\n'),
        ("a: !!bool false\n", 'a: "true"\n'),
        ("a: &t |\n  x\nb: *t\n", 'a: &t "true"\nb: *t\n'),
    ],
)
def test_scalar_replacement_keeps_anchor_and_drops_tag(before: str, after: str) -> None:
    key = before.split(":")[0].strip('"')
    edit = editor(before)
    edit.set(0, (key,), "true")
    result = edit.result()
    assert result == after
    assert yaml.safe_load(result)[key] == "true"


@pytest.mark.parametrize(
    ("before", "index", "message", "where"),
    [
        (
            "x: &v {a: 1}\ns:\n- *v\n- b\n",
            0,
            r"cannot replace or remove s/0: it is a YAML alias \(\*v\)",
            (3, 1),
        ),
        (
            "s:\n- a: &v 1\n- b\nx: *v\n",
            0,
            "cannot replace or remove s/0: it holds anchor &v, which an alias refers to",
            (2, 6),
        ),
    ],
)
def test_items_tied_to_aliases_are_not_replaced_or_removed(
    before: str, index: int, message: str, where: tuple[int, int]
) -> None:
    for edit_item in ("replace", "remove"):
        edit = editor(before)
        with pytest.raises(InputError, match=message) as info:
            if edit_item == "replace":
                edit.replace_item(0, ("s", index), {"k": "v"})
            else:
                edit.remove_item(0, ("s", index))
        assert (info.value.line, info.value.column) == where


@pytest.mark.parametrize(
    ("text", "where"), [("a: 1\rb: 2\r", (1, 5)), ("a: 1\r\nb: 2\rc: 3\n", (2, 5))]
)
def test_bare_cr_line_endings_are_refused(text: str, where: tuple[int, int]) -> None:
    with pytest.raises(InputError, match="bare CR") as info:
        editor(text)
    assert (info.value.line, info.value.column) == where


def test_new_keys_align_with_explicit_keys() -> None:
    edit = editor("m:\n  ? b\n  : 1\n  ? d\n  : 2\n")
    edit.set(0, ("m", "a"), 0)
    edit.set(0, ("m", "c"), 0)
    assert edit.result() == "m:\n  a: 0\n  ? b\n  : 1\n  c: 0\n  ? d\n  : 2\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # pretty-printed: new keys and items on lines of their own, nested by the step
        (
            '{\n    "a": {\n        "k": 1\n    },\n    "s": [\n        1\n    ]\n}\n',
            '{\n    "a": {\n        "k": 1,\n        "n": {\n            "x": [\n'
            '                2\n            ]\n        }\n    },\n    "s": [\n        1,\n'
            '        {\n            "y": true\n        }\n    ]\n}\n',
        ),
        # empty collections and null open onto new lines at the file's step
        (
            '{\r\n  "a": {},\r\n  "s": null\r\n}',
            '{\r\n  "a": {\r\n    "n": {\r\n      "x": [\r\n        2\r\n      ]\r\n    }\r\n'
            '  },\r\n  "s": [\r\n    {\r\n      "y": true\r\n    }\r\n  ]\r\n}',
        ),
        # a collection written on one line keeps its new entries on that line
        (
            '{\n  "a": {"k": 1},\n  "s": [1]\n}\n',
            '{\n  "a": {"k": 1, "n": {"x": [2]}},\n  "s": [1, {"y": true}]\n}\n',
        ),
        # compact JSON stays compact
        (
            '{"a": {}, "s": null}',
            '{"a": {"n": {"x": [2]}}, "s": [{"y": true}]}',
        ),
    ],
)
def test_json_additions_follow_the_file_layout(before: str, after: str) -> None:
    edit = editor(before, "t.json")
    edit.set(0, ("a", "n"), {"x": [2]})
    edit.append(0, ("s",), [{"y": True}])
    assert edit.result() == after


def test_json_item_replaced_at_its_indentation() -> None:
    edit = editor('{\n  "s": [\n    1,\n    2\n  ]\n}\n', "t.json")
    edit.replace_item(0, ("s", 0), {"k": ["v"]})
    assert (
        edit.result()
        == '{\n  "s": [\n    {\n      "k": [\n        "v"\n      ]\n    },\n    2\n  ]\n}\n'
    )
