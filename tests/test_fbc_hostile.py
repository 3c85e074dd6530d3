"""Hostile catalog files (issue 9, kinds 1 and 2): valid-but-hostile YAML and JSON, alias
bombs and long lines give exit 0, 1 or 2 from ``catalog validate``, never a traceback; an
input error names file, line and column; nothing runs for long. Each case is checked
against what opm v1.26.5 (go-yaml v2, sigs.k8s.io/yaml, encoding/json) does with it."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.errors import InputError
from bundle_tools.fbc.load import load_file

runner = CliRunner()

PACKAGE = "schema: olm.package\nname: p\ndefaultChannel: stable\n"
BUNDLE = (
    "schema: olm.bundle\nname: p.v1.0.0\npackage: p\nimage: quay.io/example/p:v1\n"
    "properties:\n- type: olm.package\n  value: {packageName: p, version: 1.0.0}\n"
)
CHANNEL = "schema: olm.channel\npackage: p\nname: stable\nentries:\n- name: p.v1.0.0\n"
POSITIONED = re.compile(r"^(?P<path>\S+):(?P<line>\d+):(?P<column>\d+): error: ", re.MULTILINE)


def alias_bomb(levels: int) -> str:
    """The billion-laughs document: each level a list of nine aliases of the one above."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def run(tmp_path: Path, name: str, text: str | bytes) -> tuple[int, str, float]:
    """``catalog validate`` on a catalog of ``name`` (holding ``text``) beside a valid
    package: exit code, stderr, seconds; fails on any exception but SystemExit."""
    root = tmp_path / "catalog"
    (root / "p").mkdir(parents=True, exist_ok=True)
    (root / "p" / "catalog.yaml").write_text(f"---\n{PACKAGE}---\n{CHANNEL}---\n{BUNDLE}")
    path = root / "p" / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    start = time.perf_counter()
    result = runner.invoke(app, ["catalog", "validate", str(root)])
    seconds = time.perf_counter() - start
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback on {text[:200]!r}") from result.exception
    assert result.exit_code in (0, 1, 2), result.exit_code
    if result.exit_code == 2:
        match = POSITIONED.search(result.stderr)
        assert match, result.stderr
        assert match["path"] == str(path)
    return result.exit_code, result.stderr, seconds


def positioned_error(tmp_path: Path, text: str | bytes, name: str = "hostile.yaml") -> str:
    code, stderr, _ = run(tmp_path, name, text)
    assert code == 2, stderr
    return stderr.strip()


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        # go-yaml v2 refuses a value that does not fit its explicit tag (resolve.go)
        ("x: 1\nv: !!int notanint\n", "2:4", "cannot decode !!str `notanint` as a !!int"),
        ("v: !!float nope\n", "1:4", "cannot decode !!str `nope` as a !!float"),
        ("v: !!bool 1\n", "1:4", "cannot decode !!int `1` as a !!bool"),
        ("v: !!null x\n", "1:4", "cannot decode !!str `x` as a !!null"),
        ("v: !!timestamp 2026-02-30\n", "1:4", "cannot decode !!str `2026-02-30` as a !!timestamp"),
        ("v: !!binary '!!!'\n", "1:4", "!!binary value contains invalid base64 data"),
        # go-yaml v2: "anchor 'r' value contains itself" (reported at the anchored node)
        ("r: &r {<<: *r}\n", "1:4", "recursive alias"),
        ("r: &r [*r]\n", "1:4", "recursive alias"),
        ("v:\n  <<: 5\n", "2:7", "map merge requires map or sequence of maps as the value"),
        # sigs.k8s.io/yaml: "Unsupported map key"; go-yaml v2: "invalid map key"
        ("~: x\n", "1:1", "map key null cannot be a JSON object key"),
        ("18446744073709551615: x\n", "1:1", "map key 18446744073709551615 cannot be"),
        ("? [a]\n: x\n", "1:3", "map key a list cannot be a JSON object key"),
        # libyaml and go-yaml refuse a surrogate escape
        ('v: "\\ud800"\n', "1:7", "invalid Unicode character escape code"),
        ('v: "\\ud83d\\ude00"\n', "1:7", "invalid Unicode character escape code"),
    ],
)
def test_hostile_yaml_is_a_positioned_input_error(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    stderr = positioned_error(tmp_path, f"schema: olm.package\nname: q\n{text}")
    line, column = where.split(":")
    assert f":{int(line) + 2}:{column}: error: " in stderr
    assert message in stderr


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # go-yaml v2: ParseInt and ParseUint fail, ParseFloat overflows: a string
        ("9" * 5000, "9" * 5000),
        ("1e400", "1e400"),
        # a plain impossible date is no timestamp, so a string
        ("2026-02-30", "2026-02-30"),
        # the non-specific tag keeps the text
        ("! 0777", "0777"),
        ("0777", 511),
        ("!!float 1", 1.0),
    ],
)
def test_hostile_but_valid_yaml_values_read_as_go_yaml_reads_them(
    tmp_path: Path, text: str, value: object
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(f"schema: x\nv: {text}\n")
    assert load_file(path, "c.yaml")[0].data["v"] == value
    assert run(tmp_path, "other.yaml", f"schema: x\nv: {text}\n")[0] == 0


def test_merge_keys_apply_in_document_order(tmp_path: Path) -> None:
    # go-yaml v2 decodes a << value into the map at its place: it overwrites the keys
    # before it, the keys after it overwrite it; earlier maps of a list win
    path = tmp_path / "c.yaml"
    path.write_text(
        "schema: x\nb: &b {k: base, m: base}\nc: &c {k: c, z: c}\n"
        "v: {k: before, <<: [*b, *c], m: after}\n"
    )
    assert load_file(path, "c.yaml")[0].data["v"] == {"k": "base", "m": "after", "z": "c"}


def test_float_map_keys_are_written_as_go_formats_them(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("schema: x\nv: {1.5: a, 1e3: b, 1e6: c, 0.1: d, .inf: e, 1: f, true: g}\n")
    keys = list(load_file(path, "c.yaml")[0].data["v"])
    assert keys == ["1.5", "1000", "1e+06", "0.1", ".inf", "1", "true"]


def test_lone_surrogate_in_json_becomes_the_replacement_character(tmp_path: Path) -> None:
    # Go's encoding/json replaces an invalid surrogate escape with U+FFFD
    path = tmp_path / "c.json"
    path.write_text('{"schema": "x", "v": "a\\ud800b", "w": "\\ud83d\\ude00"}\n')
    data = load_file(path, "c.json")[0].data
    assert (data["v"], data["w"]) == ("a\ufffdb", "\U0001f600")
    assert run(tmp_path, "other.json", path.read_text())[0] == 0


def test_json_number_of_more_than_4300_digits_is_a_positioned_error(tmp_path: Path) -> None:
    # Go's encoding/json cannot hold it in a float64: opm refuses the file
    stderr = positioned_error(tmp_path, '{"schema": "x",\n "v": ' + "9" * 5000 + "}\n", "c.json")
    assert ":2:7: error: " in stderr


@pytest.mark.parametrize("levels", [8, 9])
def test_alias_bomb_is_refused_fast_with_its_position(tmp_path: Path, levels: int) -> None:
    text = "schema: x\n" + alias_bomb(levels)
    assert len(text) < 600
    code, stderr, seconds = run(tmp_path, "bomb.yaml", text)
    assert code == 2
    assert "document contains excessive aliasing" in stderr
    assert seconds < 10


def test_moderate_aliasing_is_accepted(tmp_path: Path) -> None:
    # go-yaml v2 allows it: under 1,000 decoded nodes
    assert run(tmp_path, "ok.yaml", "schema: x\n" + alias_bomb(2))[0] == 0


@pytest.mark.parametrize("size", [1 << 20, 4 << 20])
def test_one_long_line_loads_quickly(tmp_path: Path, size: int) -> None:
    for text in (
        f"schema: x\n# {'c' * size}\n",
        f"schema: x\nv: {'w ' * (size // 2)}\n",
        f"schema: x\nv: '{'q' * size}'\n",
        f'{{"schema": "x", "v": "{"j" * size}"}}\n',
    ):
        assert run(tmp_path, "long.yaml", text)[2] < 10


HOSTILE_VALUES = [
    "9" * 4400,
    "-" + "1" * 4400,
    "1e400",
    "0x" + "f" * 40,
    "2026-02-30",
    "!!int notanint",
    "!!float nope",
    "!!timestamp 2021-13-01",
    "!!binary x",
    '"\\ud800"',
    "*undefined",
    "&a [*a]",
    "{<<: 1}",
    "~",
    "[a, [b, {c: d}]]",
    "y",
    "0777",
    "'\u2028'",
    "\u0085",
    "\t",
]
HOSTILE_KEYS = ["~", "[a]", "{a: 1}", "1.5", "18446744073709551616", "y", "<<", "!!int x", "&k k"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.sampled_from(HOSTILE_KEYS),
    value=st.sampled_from(HOSTILE_VALUES),
    where=st.sampled_from(["top", "nested", "list", "property"]),
)
def test_hostile_catalog_files_exit_cleanly(
    tmp_path_factory: pytest.TempPathFactory, key: str, value: str, where: str
) -> None:
    body = {
        "top": f"{key}: {value}\n",
        "nested": f"m:\n  {key}: {value}\n",
        "list": f"m:\n- {value}\n- {key}: {value}\n",
        "property": f"properties:\n- type: {key}\n  value: {value}\n",
    }[where]
    tmp_path = tmp_path_factory.mktemp("hostile")
    code, stderr, seconds = run(tmp_path, "h.yaml", f"---\nschema: olm.bundle\n{body}")
    assert seconds < 10
    if code == 2:
        assert POSITIONED.search(stderr)


def test_positioned_errors_name_a_line_inside_the_file(tmp_path: Path) -> None:
    text = "schema: x\n" + alias_bomb(9)
    stderr = positioned_error(tmp_path, text, "bomb.yaml")
    match = POSITIONED.search(stderr)
    assert match and 1 <= int(match["line"]) <= text.count("\n")


def test_load_file_raises_input_error_not_value_error(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("schema: x\nv: !!int notanint\n")
    with pytest.raises(InputError) as caught:
        load_file(path, "c.yaml")
    assert (caught.value.line, caught.value.column) == (2, 4)
