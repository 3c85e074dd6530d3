"""The typed decode ``opm`` applies when it loads a catalog (``alpha/declcfg/load.go``):
known schemas are unmarshalled into Go structs, so a value of the wrong JSON type fails
the load, base64 fields must be padded standard base64 and ``olm.bundle.object`` data
must decode to a YAML or JSON object.

The shapes live in the JSON schemas of ``schemas/`` (:mod:`bundle_tools.schemas`). This
module makes checking them cheap enough for catalogs of tens of MB:
:func:`bundle_tools.schemas.is_valid` answers valid/invalid with a compiled validator
(``jsonschema_rs``, about 100 times faster than ``jsonschema`` here: 12 ms instead of
1.1 s on community-v4.20), so only the rare invalid blob goes through
:func:`bundle_tools.schemas.schema_hits` for positioned messages, after
:func:`fold_keys` (Go matches struct fields case-insensitively).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

#: FBC schemas with a JSON schema in ``schemas/``.
FBC_SCHEMAS = ("olm.package", "olm.channel", "olm.bundle", "olm.deprecations")


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    while isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node[part]
        schema, ref = node, node.get("$ref")
    return schema


def _fields(schema: dict[str, Any], value: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """The ``properties`` of ``schema`` that apply to object ``value``: its own, plus
    those of the ``then`` (or ``else``) branch its ``if`` selects, recursively (the
    property schemas key their value shapes on ``type`` this way)."""
    fields = dict(schema.get("properties", {}))
    condition = schema.get("if")
    if isinstance(condition, dict):
        branch = schema.get("then" if _if_holds(condition, value) else "else")
        if isinstance(branch, dict):
            fields.update(_fields(_resolve(branch, root), value, root))
    return fields


def _if_holds(condition: dict[str, Any], value: dict[str, Any]) -> bool:
    """Whether ``value`` meets an ``if`` made of ``required`` keys and ``const`` values,
    keys matched case-insensitively."""
    folded = {key.casefold(): item for key, item in value.items()}
    if any(name.casefold() not in folded for name in condition.get("required", ())):
        return False
    return all(
        "const" not in sub or folded.get(name.casefold(), _ABSENT) == sub["const"]
        for name, sub in condition.get("properties", {}).items()
    )


_ABSENT = object()


def fold_keys(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """A copy of ``value`` whose object keys that equal a field of ``schema`` only under
    case folding (``Schema``, ``DefaultChannel``, a property's ``Value``) are renamed to
    the field, following ``properties``, ``items``, local ``$ref`` and the ``if``/
    ``then``/``else`` branch that applies; other keys unchanged."""
    root = root or schema
    schema = _resolve(schema, root)
    if isinstance(value, list):
        items = schema.get("items")
        return [fold_keys(v, items, root) if isinstance(items, dict) else v for v in value]
    if not isinstance(value, dict):
        return value
    fields = _fields(schema, value, root)
    names = {name.casefold(): name for name in fields}
    out = {}
    for key, item in value.items():
        name = key if key in fields else names.get(key.casefold(), key)
        sub = fields.get(name)
        out[name] = fold_keys(item, sub, root) if isinstance(sub, dict) else item
    return out


def decode_base64(text: str) -> bytes:
    """Go ``encoding/base64`` StdEncoding as ``encoding/json`` applies it to ``[]byte``:
    padded standard alphabet, ``\\r`` and ``\\n`` ignored. Raises ValueError."""
    try:
        return base64.b64decode(text.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"illegal base64 data: {exc}") from None


def manifest_problem(data: bytes) -> str | None:
    """Why decoded ``olm.bundle.object`` data is not a YAML or JSON object, or None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "data is not UTF-8 text"
    if text.lstrip()[:1] == "{":
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            return f"data is not JSON: {exc}"
    else:
        import yaml  # only catalogs with olm.bundle.object pay its import

        try:
            value = yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError as exc:
            return f"data is not YAML: {str(exc).splitlines()[0]}"
    return None if isinstance(value, dict) else "data is not a JSON or YAML object"
