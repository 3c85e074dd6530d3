"""Deterministic FBC output, in the order and shape ``opm``'s writer uses
(``alpha/declcfg/write.go``), so a catalog diff shows only what changed.

* Blob order: packages by name; for each, its ``olm.package`` blob(s), its channels by
  name, its bundles by name, its other blobs (stable by schema), its
  ``olm.deprecations``; blobs without a package last, in input order.
* ``form`` (each function, a :class:`Form`): :data:`CATALOG` by default;
  :data:`OPM_V1_26_5` writes as opm v1.26.5 does (no ``olm.deprecations`` type yet: such
  a blob is written as any other, keys sorted, among the other blobs; fields its structs
  do not know are dropped).
* JSON: each blob indented by 4 spaces and followed by a newline (Go ``json.Encoder``
  with ``SetIndent("", "    ")`` and HTML escaping off). Fields of known schemas follow
  the Go struct order (``schema``, ``name``, ``package``...; empty optional fields
  omitted, as ``omitempty`` does); property values and unknown blobs have sorted keys,
  as opm writes them after loading a catalog.
* YAML: ``---`` then the blob with all keys sorted, block style, lists not indented
  below their key, multi-line strings as literal blocks, long plain strings folded at
  80 columns (what ``sigs.k8s.io/yaml`` produces; compare semantically).

Go's encoder also escapes U+2028 and U+2029 and formats floats without a trailing
``.0``; :func:`go_json` reproduces that for compact, byte-exact values.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from bundle_tools.fbc.load import get_field, go_scalar
from bundle_tools.fbc.model import BUNDLE, CHANNEL, DEPRECATIONS, PACKAGE

#: Go struct field order and whether the field is ``omitempty``, per known schema.
_FIELDS: dict[str, tuple[tuple[str, bool], ...]] = {
    PACKAGE: (
        ("schema", False),
        ("name", False),
        ("defaultChannel", False),
        ("icon", True),
        ("description", True),
        ("properties", True),
    ),
    CHANNEL: (
        ("schema", False),
        ("name", False),
        ("package", False),
        ("entries", False),
        ("properties", True),
    ),
    BUNDLE: (
        ("schema", False),
        ("name", True),
        ("package", True),
        ("image", False),
        ("properties", True),
        ("relatedImages", True),
    ),
    DEPRECATIONS: (("schema", False), ("package", False), ("entries", False)),
}
_ENTRY_FIELDS = (("name", False), ("replaces", True), ("skips", True), ("skipRange", True))
_ICON_FIELDS = (("base64data", False), ("mediatype", False))
_PROPERTY_FIELDS = (("type", False), ("value", False))
_RELATED_IMAGE_FIELDS = (("name", False), ("image", False))
_REFERENCE_FIELDS = (("schema", False), ("name", True))
_DEPRECATION_ENTRY_FIELDS = (("reference", False), ("message", False))
_ZERO: dict[str, Any] = {"entries": None, "image": "", "defaultChannel": ""}


@dataclass(frozen=True, slots=True)
class Form:
    """How blobs are written: ``structs``, the schemas shaped as Go structs (field order,
    ``omitempty``; every other blob has sorted keys and is ordered among the package's
    other blobs); ``unknown``, whether the fields of such a blob that its Go struct does
    not have are kept (sorted, after the known ones) or dropped, as Go's decoder drops
    them."""

    structs: frozenset[str]
    unknown: bool


#: This project's writer (``catalog render`` and the rest): every schema of later opm
#: versions as a struct, and no field a user wrote is lost.
CATALOG = Form(frozenset(_FIELDS), unknown=True)
#: opm v1.26.5 (``alpha render-template``): only packages, channels and bundles are Go
#: structs (``declcfg.DeclarativeConfig``), their unknown fields gone; every other blob is
#: a ``Meta`` written back with sorted keys.
OPM_V1_26_5 = Form(frozenset({PACKAGE, CHANNEL, BUNDLE}), unknown=False)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or value is False


def sorted_value(value: Any) -> Any:
    """``value`` with the keys of every object sorted (recursively)."""
    if isinstance(value, dict):
        return {k: sorted_value(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sorted_value(v) for v in value]
    return value


#: ``shape(value, unknown)`` of a nested field (``unknown`` as :attr:`Form.unknown`).
_Shape = Callable[[Any, bool], Any]


def _struct(
    obj: Any, fields: tuple[tuple[str, bool], ...], nested: Mapping[str, _Shape], unknown: bool
) -> Any:
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    known = set()
    for name, omitempty in fields:
        value = get_field(obj, name)
        known.update(k for k in obj if k.casefold() == name.casefold())
        if value is None and not omitempty:
            value = _ZERO.get(name, "")
        if omitempty and _empty(value):
            continue
        shape = nested.get(name)
        out[name] = shape(value, unknown) if shape is not None else value
    if unknown:
        for key in sorted(set(obj) - known):
            out[key] = sorted_value(obj[key])
    return out


def _items(
    fields: tuple[tuple[str, bool], ...], nested: Mapping[str, _Shape] | None = None
) -> _Shape:
    def shape(value: Any, unknown: bool) -> Any:
        if not isinstance(value, list):
            return value
        return [_struct(item, fields, nested or {}, unknown) for item in value]

    return shape


def _one(fields: tuple[tuple[str, bool], ...]) -> _Shape:
    return lambda value, unknown: _struct(value, fields, {}, unknown)


_PROPERTIES = _items(_PROPERTY_FIELDS, {"value": lambda value, _: sorted_value(value)})
_NESTED: dict[str, Mapping[str, _Shape]] = {
    PACKAGE: {"icon": _one(_ICON_FIELDS), "properties": _PROPERTIES},
    CHANNEL: {"entries": _items(_ENTRY_FIELDS), "properties": _PROPERTIES},
    BUNDLE: {
        "properties": _PROPERTIES,
        "relatedImages": _items(_RELATED_IMAGE_FIELDS),
    },
    DEPRECATIONS: {
        "entries": _items(_DEPRECATION_ENTRY_FIELDS, {"reference": _one(_REFERENCE_FIELDS)})
    },
}


def dropped_fields(blob: Any, form: Form = OPM_V1_26_5) -> list[tuple[tuple[str | int, ...], str]]:
    """``(path, known)`` for each field of ``blob`` that :func:`canonical` drops under
    ``form`` (none when ``form.unknown``): a key of a struct schema's blob, or of a
    channel entry, that its Go struct does not have (matched case-insensitively, as Go
    does). ``path`` is the key's path in the blob; ``known`` the struct's field names,
    comma-separated."""
    schema = get_field(blob, "schema") if isinstance(blob, dict) else None
    if form.unknown or schema not in form.structs:
        return []
    found = []
    levels: list[tuple[tuple[str | int, ...], Any, tuple[tuple[str, bool], ...]]] = [
        ((), blob, _FIELDS[schema])
    ]
    if schema == CHANNEL and isinstance(entries := get_field(blob, "entries"), list):
        levels += [(("entries", i), e, _ENTRY_FIELDS) for i, e in enumerate(entries)]
    for path, obj, fields in levels:
        names = [name for name, _ in fields]
        folded = {name.casefold() for name in names}
        if isinstance(obj, dict):
            found += [
                ((*path, key), ", ".join(names)) for key in obj if str(key).casefold() not in folded
            ]
    return found


def canonical(blob: dict[str, Any], form: Form = CATALOG) -> dict[str, Any]:
    """The blob as opm writes it: Go struct field order and ``omitempty`` for the
    schemas of ``form.structs`` (unknown fields kept, sorted, after the known ones, or
    dropped, per ``form.unknown``), sorted keys elsewhere."""
    schema = get_field(blob, "schema")
    if schema not in form.structs:
        return sorted_value(blob)
    return _struct(blob, _FIELDS[schema], _NESTED[schema], form.unknown)


def order_blobs(blobs: Iterable[dict[str, Any]], form: Form = CATALOG) -> list[dict[str, Any]]:
    """Blobs in opm's writer order (see the module docstring)."""
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    loose: list[dict[str, Any]] = []
    for blob in blobs:
        schema = get_field(blob, "schema")
        package = get_field(blob, "name" if schema == PACKAGE else "package")
        if not isinstance(package, str) or not package:
            loose.append(blob)
            continue
        kind = schema if schema in form.structs else "other"
        groups.setdefault(package, {}).setdefault(kind, []).append(blob)
    out: list[dict[str, Any]] = []
    for package in sorted(groups):
        group = groups[package]
        out += group.get(PACKAGE, [])
        for kind in (CHANNEL, BUNDLE):
            out += sorted(group.get(kind, []), key=lambda b: str(get_field(b, "name") or ""))
        out += sorted(group.get("other", []), key=lambda b: str(get_field(b, "schema")))
        out += group.get(DEPRECATIONS, [])
    return out + loose


class _Dumper(yaml.CSafeDumper):
    """Block-style YAML with literal blocks for multi-line strings."""


_STR = "tag:yaml.org,2002:str"
#: Timestamps as go-yaml v2 resolves them (``parseTimestamp``): date only, ``T``-separated
#: with a zone, or space-separated without one. PyYAML's wider timestamp rule is dropped
#: from the dumper so a zone-less ``2025-06-24T14:07:09`` stays plain, as opm writes it.
_GO_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
    r"| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?)?"
)
_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Literal block for multi-line strings; double quotes for strings that would read
    back as another type (``""``, ``"true"``, ``"y"``, ``"1.0"``, ``"1e3"``, timestamps)
    in go-yaml v2, as it does (or in PyYAML, so both read them back as strings);
    otherwise the emitter picks plain or single quotes."""
    if "\n" in value:
        style: str | None = "|"
    elif (
        go_scalar(value)[0] != _STR
        or dumper.resolve(yaml.ScalarNode, value, (True, False)) != _STR
        or _GO_TIMESTAMP.fullmatch(value)
    ):
        style = '"'
    else:
        style = None
    return dumper.represent_scalar(_STR, value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(blobs: Iterable[dict[str, Any]], form: Form = CATALOG) -> str:
    """Blobs (already ordered) as a YAML stream, each document starting with ``---``:
    the :func:`canonical` fields (so ``image: ""`` is written as opm writes it), all keys
    sorted."""
    return yaml.dump_all(
        [sorted_value(canonical(b, form)) for b in blobs],
        Dumper=_Dumper,
        explicit_start=True,
        default_flow_style=False,
        sort_keys=True,
        allow_unicode=True,
        width=80,
        indent=2,
    )


_SEPARATORS = re.compile("[\u2028\u2029]")


def dump_json(blobs: Iterable[dict[str, Any]], form: Form = CATALOG) -> str:
    """Blobs (already ordered) as a JSON stream: :func:`canonical` shape, 4-space
    indent, a newline after each blob. Raises ValueError for NaN and infinities."""
    out = []
    for blob in blobs:
        shaped = canonical(blob, form)
        text = json.dumps(shaped, indent=4, ensure_ascii=False, allow_nan=False)
        out.append(_SEPARATORS.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")
    return "".join(out)


_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f\u2028\u2029<>&]')


def _go_string(text: str, escape_html: bool) -> str:
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in _HTML:
            return _HTML[char] if escape_html else char
        return _ESCAPES.get(char) or f"\\u{ord(char):04x}"

    return '"' + _NEEDS_ESCAPE.sub(escape, text) + '"'


def _go_float(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"json: unsupported value: {value}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = repr(value).replace("e-0", "e-")
        return text if "e" in text else f"{value:e}"
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def go_json(value: Any, *, escape_html: bool = True, sort_keys: bool = True) -> str:
    """Compact JSON as Go ``json.Marshal`` writes it: maps with sorted keys (unless
    ``sort_keys`` is false: then ``dict`` order, for struct-shaped values), ``<``/``>``/
    ``&`` escaped when ``escape_html``, U+2028/U+2029 always escaped, floats in Go's
    shortest form (``1`` not ``1.0``, ``1e+21``, ``1e-7``). Raises ValueError for NaN
    and infinities, which JSON cannot hold (Go's encoder refuses them too)."""
    if isinstance(value, str):
        return _go_string(value, escape_html)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, dict):
        keys = sorted(value) if sort_keys else list(value)
        return (
            "{"
            + ",".join(
                _go_string(str(k), escape_html)
                + ":"
                + go_json(value[k], escape_html=escape_html, sort_keys=sort_keys)
                for k in keys
            )
            + "}"
        )
    if isinstance(value, list | tuple):
        items = (go_json(v, escape_html=escape_html, sort_keys=sort_keys) for v in value)
        return "[" + ",".join(items) + "]"
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
