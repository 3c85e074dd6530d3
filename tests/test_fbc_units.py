"""Units of the FBC package: image references, the Go-compatible JSON encoder and the
deterministic writer."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_tools.fbc.load import load_file, load_first_document
from bundle_tools.fbc.write import canonical, dump_json, dump_yaml, go_json, order_blobs


def test_go_json() -> None:
    value = {"b": [1, 1.0, 2.5, 1e21, 1e-7, True, None], "a": "x<y>&\u2028\n\x01"}
    assert go_json(value) == (
        '{"a":"x\\u003cy\\u003e\\u0026\\u2028\\n\\u0001","b":[1,1,2.5,1e+21,1e-7,true,null]}'
    )
    assert go_json({"b": 1, "a": "<"}, escape_html=False, sort_keys=False) == '{"b":1,"a":"<"}'


BLOBS = [
    {
        "schema": "olm.bundle",
        "name": "p.v2",
        "package": "p",
        "image": "i",
        "extra": {"z": 1, "a": 2},
    },
    {"schema": "example.com/x", "name": "loose"},
    {"schema": "olm.channel", "name": "stable", "package": "p", "entries": [{"name": "p.v1"}]},
    {"schema": "olm.bundle", "name": "p.v1", "package": "p", "image": "i", "properties": []},
    {"defaultChannel": "stable", "name": "p", "schema": "olm.package"},
    {"schema": "olm.channel", "name": "alpha", "package": "p", "entries": []},
    {"schema": "olm.package", "name": "a", "defaultChannel": "x"},
]


def test_order_blobs_like_opm() -> None:
    ordered = order_blobs(BLOBS)
    assert [(b["schema"], b["name"]) for b in ordered] == [
        ("olm.package", "a"),
        ("olm.package", "p"),
        ("olm.channel", "alpha"),
        ("olm.channel", "stable"),
        ("olm.bundle", "p.v1"),
        ("olm.bundle", "p.v2"),
        ("example.com/x", "loose"),
    ]


def test_json_writer_uses_go_struct_order() -> None:
    bundle = canonical(BLOBS[0])
    assert list(bundle) == ["schema", "name", "package", "image", "extra"]
    assert list(bundle["extra"]) == ["a", "z"]
    assert list(canonical(BLOBS[4])) == ["schema", "name", "defaultChannel"]
    text = dump_json([BLOBS[3]])
    assert text == (
        '{\n    "schema": "olm.bundle",\n    "name": "p.v1",\n    "package": "p",\n'
        '    "image": "i"\n}\n'
    )
    assert json.loads(text) == {
        "schema": "olm.bundle",
        "name": "p.v1",
        "package": "p",
        "image": "i",
    }


def test_yaml_writer_quoting_and_blocks(tmp_path: Path) -> None:
    blob = {
        "schema": "olm.x",
        "empty": "",
        "boolish": "true",
        "number": "1.0",
        "version": "1.0.0",
        "stamp": "2023-03-10T15:45:43Z",
        "local": "2025-06-24T14:07:09",
        "range": ">=1.0.0 <1.1.0",
        "text": "line one\nline two\n",
    }
    text = dump_yaml([blob])
    assert text == (
        "---\n"
        'boolish: "true"\n'
        'empty: ""\n'
        "local: 2025-06-24T14:07:09\n"
        'number: "1.0"\n'
        "range: '>=1.0.0 <1.1.0'\n"
        "schema: olm.x\n"
        'stamp: "2023-03-10T15:45:43Z"\n'
        "text: |\n  line one\n  line two\n"
        "version: 1.0.0\n"
    )
    path = tmp_path / "blob.yaml"
    path.write_text(text)
    assert load_first_document(path) == blob


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
    | st.sampled_from(
        ["yes", "~", "<<", "0x1F", "1e3", "2021-01-01", "2021-01-01T10:00:00", "1:20", "-", ""]
    )
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
blobs = st.lists(
    st.fixed_dictionaries(
        {"schema": st.sampled_from(["olm.bundle", "olm.channel", "example.com/x"])},
        optional={"name": st.text(min_size=1, max_size=10), "extra": json_values},
    ).map(lambda b: {**b, "package": "p"}),
    min_size=1,
    max_size=4,
)


@settings(deadline=None, max_examples=300)
@given(blobs=blobs)
def test_writers_round_trip_through_the_loader(tmp_path_factory, blobs: list[dict]) -> None:
    """What the YAML and JSON writers produce loads back (with opm's loading rules) to
    the same data, and writing that again gives the same text."""
    directory = tmp_path_factory.mktemp("rt")
    ordered = order_blobs(blobs)
    for name, dump in (("c.yaml", dump_yaml), ("c.json", dump_json)):
        path = directory / name
        text = dump(ordered)
        path.write_text(text, encoding="utf-8")
        loaded = [b.data for b in load_file(path, name)]
        assert loaded == [canonical(b) for b in ordered]
        assert dump(order_blobs(loaded)) == text


def test_yaml_writer_quotes_what_go_yaml_would_not_read_as_a_string() -> None:
    """opm reads YAML with go-yaml v2, where y, n, 1e3 and 0o17 are a bool, a float and
    an int: written plain they would break the typed decode of a string field."""
    names = ["y", "N", "1e3", "1.5e3", "0o17", "0X1F", "1:20", "yes", "plain", "1.0.0"]
    text = dump_yaml([{"schema": "olm.package", "name": "p", "keywords": names}])
    assert text.splitlines()[3:13] == [
        '- "y"',
        '- "N"',
        '- "1e3"',
        '- "1.5e3"',
        '- "0o17"',
        '- "0X1F"',
        '- "1:20"',
        '- "yes"',
        "- plain",
        "- 1.0.0",
    ]
