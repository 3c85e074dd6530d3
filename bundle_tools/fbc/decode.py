"""The typed decode ``opm`` applies when it loads a catalog: known schemas and known
property types are unmarshalled into Go structs (``alpha/declcfg/declcfg.go``,
``alpha/property/property.go``, ``operator-framework/api`` ``v1alpha1``), so a value of
the wrong JSON type fails the load (``installModes[].supported`` must be a bool, a
``version`` must be a string, ``base64data`` must be padded standard base64).

A type *spec* is one of the singletons :data:`STRING`, :data:`BOOL`, :data:`INT32`,
:data:`BYTES`, :data:`ANY`, or ``[spec]`` (a JSON array of spec), ``{"*": spec}`` (a JSON
object with spec values, Go ``map[string]T``) or ``{field: spec, ...}`` (a Go struct:
fields match case-insensitively, unknown fields are ignored). ``null`` fits every spec,
as in Go. :func:`type_problems` yields ``(path, message)`` for each mismatch.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

import orjson
import yaml

STRING = "string"
BOOL = "bool"
INT32 = "int32"
BYTES = "base64 string"
ANY = "any JSON"

_APP_LINK = {"name": STRING, "url": STRING}
_GVK = {"group": STRING, "kind": STRING, "version": STRING}
_RESOURCE = {"name": STRING, "kind": STRING, "version": STRING}
_DESCRIPTOR = {
    "path": STRING,
    "displayName": STRING,
    "description": STRING,
    "x-descriptors": [STRING],
    "value": ANY,
}
_DESCRIBED = {
    "displayName": STRING,
    "description": STRING,
    "resources": [_RESOURCE],
    "statusDescriptors": [_DESCRIPTOR],
    "specDescriptors": [_DESCRIPTOR],
    "actionDescriptors": [_DESCRIPTOR],
}
_CRD_DESCRIPTION = {"name": STRING, "version": STRING, "kind": STRING, **_DESCRIBED}
_API_SERVICE_DESCRIPTION = {
    "name": STRING,
    "group": STRING,
    "version": STRING,
    "kind": STRING,
    "deploymentName": STRING,
    "containerPort": INT32,
    **_DESCRIBED,
}
CSV_METADATA = {
    "annotations": {"*": STRING},
    "apiServiceDefinitions": {
        "owned": [_API_SERVICE_DESCRIPTION],
        "required": [_API_SERVICE_DESCRIPTION],
    },
    "crdDescriptions": {"owned": [_CRD_DESCRIPTION], "required": [_CRD_DESCRIPTION]},
    "description": STRING,
    "displayName": STRING,
    "installModes": [{"type": STRING, "supported": BOOL}],
    "keywords": [STRING],
    "labels": {"*": STRING},
    "links": [_APP_LINK],
    "maintainers": [{"name": STRING, "email": STRING}],
    "maturity": STRING,
    "minKubeVersion": STRING,
    "nativeAPIs": [_GVK],
    "provider": _APP_LINK,
}

#: Value specs of the property types opm parses (``property.Parse``); other types only
#: need to be JSON.
PROPERTY_VALUES: dict[str, Any] = {
    "olm.package": {"packageName": STRING, "version": STRING, "release": STRING},
    "olm.package.required": {"packageName": STRING, "versionRange": STRING},
    "olm.gvk": _GVK,
    "olm.gvk.required": _GVK,
    "olm.channel": {"channelName": STRING},
    "olm.bundle.object": {"data": BYTES},
    "olm.csv.metadata": CSV_METADATA,
}

_PROPERTY = {"type": STRING, "value": ANY}
#: Top-level specs of the known schemas.
SCHEMAS: dict[str, Any] = {
    "olm.package": {
        "schema": STRING,
        "name": STRING,
        "defaultChannel": STRING,
        "icon": {"base64data": BYTES, "mediatype": STRING},
        "description": STRING,
        "properties": [_PROPERTY],
    },
    "olm.channel": {
        "schema": STRING,
        "package": STRING,
        "name": STRING,
        "entries": [{"name": STRING, "replaces": STRING, "skips": [STRING], "skipRange": STRING}],
        "properties": [_PROPERTY],
    },
    "olm.bundle": {
        "schema": STRING,
        "package": STRING,
        "name": STRING,
        "image": STRING,
        "properties": [_PROPERTY],
        "relatedImages": [{"name": STRING, "image": STRING}],
    },
    "olm.deprecations": {
        "schema": STRING,
        "package": STRING,
        "entries": [
            {"reference": {"schema": STRING, "name": STRING}, "message": STRING},
        ],
    },
}

Path = tuple[str | int, ...]


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def decode_base64(text: str) -> bytes:
    """Go ``encoding/base64`` StdEncoding as ``encoding/json`` applies it to ``[]byte``:
    padded standard alphabet, ``\\r`` and ``\\n`` ignored. Raises ValueError."""
    try:
        return base64.b64decode(text.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"illegal base64 data: {exc}") from None


def type_problems(value: Any, spec: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """``(path, message)`` for each place where ``value`` does not decode into ``spec``."""
    if value is None or spec is ANY:
        return
    if isinstance(spec, str):
        problem = _scalar_problem(value, spec)
        if problem:
            yield path, problem
    elif isinstance(spec, list):
        if not isinstance(value, list):
            yield path, f"expected array, got {_json_type(value)}"
            return
        for index, item in enumerate(value):
            yield from type_problems(item, spec[0], (*path, index))
    elif not isinstance(value, dict):
        yield path, f"expected object, got {_json_type(value)}"
    elif "*" in spec:
        for key, item in value.items():
            yield from type_problems(item, spec["*"], (*path, key))
    else:
        folded = {name.casefold(): (name, item_spec) for name, item_spec in spec.items()}
        for key, item in value.items():
            entry = spec.get(key) or folded.get(key.casefold(), (None, None))[1]
            if entry is not None:
                yield from type_problems(item, entry, (*path, key))


def _scalar_problem(value: Any, spec: str) -> str | None:
    if spec is STRING or spec is BYTES:
        if not isinstance(value, str):
            return f"expected {spec}, got {_json_type(value)}"
        if spec is BYTES:
            try:
                decode_base64(value)
            except ValueError as exc:
                return str(exc)
        return None
    if spec is BOOL:
        return None if isinstance(value, bool) else f"expected bool, got {_json_type(value)}"
    if isinstance(value, bool) or not isinstance(value, int):
        return f"expected integer, got {_json_type(value)}"
    if not -(1 << 31) <= value < 1 << 31:
        return f"integer {value} out of int32 range"
    return None


def manifest_problem(data: bytes) -> str | None:
    """Why the decoded ``olm.bundle.object`` data is not a YAML or JSON object, or None."""
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
        try:
            value = yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError as exc:
            return f"data is not YAML: {str(exc).splitlines()[0]}"
    return None if isinstance(value, dict) else "data is not a JSON or YAML object"
