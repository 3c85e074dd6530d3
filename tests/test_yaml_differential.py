"""Differential test of the YAML loaders: the fast path (libyaml) against the exact path
(ruamel.yaml round trip) over every corpus bundle file and generated YAML 1.1 edge cases:
identical data (values and the types rules tell apart), positions of every node,
repeated keys and errors."""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import Any

import pytest
from yaml import YAMLError

from bundle_tools import yamlio
from bundle_tools.errors import InputError
from bundle_tools.yamlio import (
    CompactMapping,
    SourceText,
    _compose,
    compose_documents,
    iter_locations,
    iter_pointer_nodes,
    load_documents,
    locate,
    read_source,
    to_plain,
)

from .conftest import SHARED

CORPUS = SHARED / "corpus" / "bundles"
CORPUS_FILES = (
    sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in (".yaml", ".yml", ".json") and "/metadata/" not in str(p)
    )
    + sorted(CORPUS.glob("*/*/metadata/*"))
    if CORPUS.is_dir()
    else []
)


def kind(value: Any) -> str:
    """The distinction a rule can make on a loaded scalar: plain string, quoted string,
    bool, int, float, date, timestamp, null."""
    if isinstance(value, str):
        # ruamel marks an anchored plain scalar as a str subclass: still a plain scalar
        plain = type(value) is str or type(value).__name__ == "PlainScalarString"
        return "plain" if plain else "quoted"
    if isinstance(value, bool) or type(value).__name__ == "ScalarBoolean":
        return "bool"
    if isinstance(value, datetime.datetime):
        return "timestamp"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if value is None:
        return "null"
    return type(value).__name__


def shape(value: Any) -> Any:
    """``value`` with every scalar as ``(kind, plain value)``, key order kept."""
    if isinstance(value, dict):
        return [(shape(k), shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [shape(v) for v in value]
    plain = to_plain(value)
    if isinstance(plain, float) and math.isnan(plain):
        plain = "nan"
    return kind(value), plain


def outcome(source: SourceText, exact: bool) -> Any:
    """What a loader makes of ``source``: per document the data shape, the position of
    every node and the repeated keys; or the input error's position."""
    try:
        documents = load_documents(source, "keep", exact=exact)
    except InputError as exc:
        return ("error", exc.line, exc.column)
    return [
        (
            shape(doc.data),
            list(iter_locations(doc.data)),
            [(d.parts, d.key, d.first, d.repeat, d.same) for d in doc.duplicates],
        )
        for doc in documents
    ]


def assert_same(source: SourceText) -> None:
    fast, exact = outcome(source, exact=False), outcome(source, exact=True)
    assert fast == exact


@pytest.mark.parametrize(
    "path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES]
)
def test_corpus_file_loads_alike(path: Path) -> None:
    assert_same(read_source(path))


SCALARS = [
    # YAML 1.1 booleans are strings under YAML 1.2 (ruamel's and the fast path's rules)
    *("y", "Y", "yes", "No", "ON", "off", "true", "True", "FALSE", "tRue"),
    # integers: octal, hex, binary, underscores, signs, leading zeros, sexagesimal
    *("0o17", "017", "0x1F", "0x1f", "0b101", "1_000", "+12", "-0", "0", "007", "1:20"),
    *("190:20:30", "-1_2", "0x_", "0b_", "12_", "99999999999999999999"),
    # floats and their look-alikes
    *("1.5", ".5", "1e3", "1E3", "1.0e+3", "6.8523015e+5", "190:20:30.15", "1_0.5", "-.inf"),
    *(".Inf", "+.INF", ".NaN", ".nan", "-.nan", "1.", "._", "1e", "e3"),
    # nulls, timestamps, dates
    *("~", "null", "Null", "NULL", "nULL", "2002-12-14", "2001-12-14t21:59:43.10-05:00"),
    *("2001-12-14 21:59:43.10 -5", "2001-12-15T02:59:43.1Z", "2001-12-14T21:59:43Z"),
    *("2026-02-30", "2026-13-01", "12:30:00"),
    # strings that look like something else, quoted forms, merge and value indicators
    *('"true"', "'1'", '"0o17"', "'2002-12-14'", '"null"', "=", "a=b", "<<x", "x<<"),
    # tags, anchors and aliases
    *("!!str 123", "!!int '12'", "!!float 1", "!!bool true", "!foo bar", "! 12"),
    *("&a 1", "&b [1, 2]", "!!binary aGVsbG8=", "!!timestamp 2020-01-01", "!!int notanint"),
    # block scalars and flow collections
    *("|\n  line\n", ">-\n  folded\n  text\n", "|+\n  keep\n\n", "[a, 'b', 1, true, ~]"),
    *("{k: v, 'q': 2}", "[]", "{}", "[[1, [2]], {a: {b: [c]}}]"),
]


def document_with(scalar: str) -> str:
    """A manifest-like document holding ``scalar`` as a mapping value, a sequence item
    and inside a flow sequence where that is valid YAML."""
    block = "\n" in scalar
    item = scalar.replace("\n  ", "\n    ")
    text = f"apiVersion: v1\nvalue: {scalar}\n" + ("" if block else f"flow: [{scalar}]\n")
    return text + f"items:\n- {item}\n- key: {item}\n"


@pytest.mark.parametrize("scalar", SCALARS)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_edge_scalar_loads_alike(scalar: str, newline: str) -> None:
    text = document_with(scalar).replace("\n", newline)
    assert_same(SourceText(Path("edge.yaml"), text, False, newline))


DOCUMENTS = [
    # merge keys
    "base: &base\n  x: 1\n  y: [1]\nc:\n  <<: *base\n  z: 2\nd:\n  <<: [*base, {q: 3}]\n",
    # anchors and aliases of scalars and collections, keys through aliases
    "a: &x 1\nb: *x\nc: &m {k: v}\nd: *m\ne: [*x, *m]\n&k key: v\n",
    # repeated keys, equal and differing, nested, in flow mappings, through an alias
    "a: 1\nb: 2\na: 1\n",
    "m:\n  a: 1\n  b:\n    a: 0\n  a: 3\nl:\n- q: 0\n  n: 1\n  n: 2\n",
    "{a: 1, a: 2}\n",
    "x: &r {p: 1, p: 2}\ny: *r\n",
    # tabs inside values and after them, a BOM-less CRLF text, comments
    "a: x\ty\nb: 'q\tr'  # c\n\t\nc: 1\n",
    "# lead\na: 1 # tail\n# end\n",
    # keys that are not strings
    "1: a\nfalse: b\n~: c\n2002-12-14: d\n1.5: e\n",
    # multi-document streams, empty documents, document end markers
    "a: 1\n---\nb: 2\n...\n---\n",
    "--- |\n  text\n",
    "---\n---\na: 1\n",
    "",
    "# only a comment\n",
    # empty values in every place
    "a:\nb: \nc: ~\nd: []\ne: {}\nl:\n-\n- \n- x\n",
    # indentation variants
    "l:\n  - a\n  -   b\n  - c: 1\n    d: 2\nm:\n    deep:\n        x: 1\n",
    # quoted and escaped strings, unicode, long lines
    "a: \"\\u00e9\\t\\\\ \\x41\"\nb: 'it''s'\nc: caf\u00e9 \u2028x\nd: " + "x" * 5000 + "\n",
    # directives and explicit document starts
    "%YAML 1.1\n---\na: yes\nb: 017\nc: 1:20\n",
    "%YAML 1.2\n---\na: yes\n",
    # errors: syntax, tabs as indentation, recursion, constructs that cannot be built
    "a: [1\n",
    "a:\n\t- x\n",
    "r: &r {<<: *r}\n",
    "s: &s [*s]\n",
    "big: " + "9" * 5000 + "\n",
    "d: !!timestamp 2026-02-30\n",
    "[a]: 1\n",
    "? {a: 1}\n: 2\n",
    'x: "\\ud800"\n',
]


@pytest.mark.parametrize("text", DOCUMENTS, ids=range(len(DOCUMENTS)))
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_edge_document_loads_alike(text: str, newline: str) -> None:
    text = text.replace("\n", newline)
    assert_same(SourceText(Path("edge.yaml"), text, False, newline))


def test_iter_locations_gives_what_locate_gives() -> None:
    text = "a: 1\nb:\n  c: [x, {d: ~}]\n  e:\nf: &m {g: 1}\nh: *m\n'q': 2\n"
    (doc,) = load_documents(SourceText(Path("t.yaml"), text, False, "\n"))
    paths = [parts for parts, _ in iter_pointer_nodes(doc.data)]
    assert list(iter_locations(doc.data)) == [(p, locate(doc.data, p)) for p in paths]
    assert dict(iter_locations(doc.data))[("b", "c", 1, "d")] == (3, 11)  # null: its key


def tree(node: Any, seen: dict[int, int]) -> Any:
    """Everything a composed node holds (kind, tag, marks, value, style), recursively;
    an alias as the number of its target in walk order."""
    if id(node) in seen:
        return ("alias", seen[id(node)])
    seen[id(node)] = len(seen)
    start, end = node.start_mark, node.end_mark
    marks = (start.index, start.line, start.column, end.index, end.line, end.column)
    head = (node.id, str(node.tag), *marks)
    if node.id == "scalar":
        return (*head, node.value, node.style)
    if node.id == "sequence":
        return (*head, node.flow_style, [tree(child, seen) for child in node.value])
    pairs = [(tree(key, seen), tree(value, seen)) for key, value in node.value]
    return (*head, node.flow_style, pairs)


def composed(text: str, compact: bool) -> Any:
    """The trees of every document of ``text``, or the error that stops composing it."""
    try:
        return [tree(root, {}) for root in _compose(text, compact=compact)]
    except YAMLError as exc:
        return (type(exc).__name__, str(exc))


COMPOSE_EDGES = [
    *DOCUMENTS,
    *(document_with(scalar) for scalar in SCALARS),
    # marks at the end of a text without a final line break (libyaml moves them to a new
    # line), after a BOM libyaml does not count, after every line break libyaml counts
    *("a:", "a: b", "- a\n- ", "[a]", "a:\n  b: c", "a: |\n  x", "a: &x\nb: *x", "? a"),
    *("\ufeffa:", "\ufeff- a\n- b\n", "\ufeff\ufeffa: 1"),
    *("a: 1\x85b: 2\n", "a: 'x\u2028y'\nb: 3\n", 'a: "x\u2029y"\nb: 1', "a: 1\rb: 2\r"),
    *("a: x\x85  y\nb: z", "k: >\n  a\x85  b\n", 'a: "line\\\n  two"\nb: 1'),
    # anchors: undefined, defined twice, recursive, on keys
    *("a: *y\n", "a: &x 1\nb: &x 2\n", "&a [*a]\n", "&a a: *a\n", "- &a x\n- *a\n- *a\n"),
    "a: 1\n---\nb: &q 2\n---\nc: *q\n",
]


@pytest.mark.parametrize("text", COMPOSE_EDGES, ids=range(len(COMPOSE_EDGES)))
def test_compact_nodes_are_libyamls_nodes(text: str) -> None:
    # issue 10: large texts are composed from libyaml's events into compact nodes; every
    # tag, value, style, mark (index, line, column) and error is libyaml's composer's
    assert composed(text, compact=True) == composed(text, compact=False)


@pytest.mark.parametrize(
    "path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES]
)
def test_compact_nodes_are_libyamls_nodes_on_corpus_file(path: Path) -> None:
    text = read_source(path).text
    assert composed(text, compact=True) == composed(text, compact=False)


def test_texts_from_compact_size_load_as_compact_nodes_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = "  - name: widget{n}\n    spec: {{size: {n}, tags: [a, 'b']}}\n    note: |\n      x\n"
    text = "items:\n" + "".join(entry.format(n=n) for n in range(300))
    source = SourceText(Path("large.yaml"), text, False, "\n")
    monkeypatch.setattr(yamlio, "COMPACT_SIZE", len(text))
    (large,) = compose_documents(source)
    monkeypatch.setattr(yamlio, "COMPACT_SIZE", len(text) + 1)
    (small,) = compose_documents(source)
    assert isinstance(large.node, CompactMapping)
    assert not isinstance(small.node, CompactMapping)
    assert large.document.data == small.document.data
    assert list(iter_locations(large.document.data)) == list(iter_locations(small.document.data))
    assert locate(large.document.data, ["items", 299, "note"]) == (2 + 4 * 299 + 2, 11)
