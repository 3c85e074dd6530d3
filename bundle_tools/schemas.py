"""The JSON Schemas of ``schemas/`` and the mapping from schema violations to rule hits.

Schema names: ``csv`` (ClusterServiceVersion), ``annotations`` (``metadata/annotations.yaml``),
``olm.package``, ``olm.channel``, ``olm.bundle``, ``olm.deprecations`` (FBC blobs),
``olm.semver`` and ``olm.template.basic`` (catalog templates). Each is the file
``<name>.schema.json``, found first in the installed package (``bundle_tools/data/schemas/``,
force-included into the wheel) and then in the checkout's ``schemas/`` beside the package.

:func:`schema_hits` validates one instance and turns the relevant errors into
:class:`~bundle_tools.rules.Hit` values located at the offending node; rules of the
``validate`` and ``catalog validate`` families call it with their own position lookup.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bundle_tools.findings import Location, pointer
from bundle_tools.rules import Hit

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

#: Every schema this package ships, by name.
SCHEMA_NAMES: tuple[str, ...] = (
    "csv",
    "annotations",
    "olm.package",
    "olm.channel",
    "olm.bundle",
    "olm.deprecations",
    "olm.semver",
    "olm.template.basic",
)
SUFFIX = ".schema.json"
PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent / "schemas"
#: Longest value text quoted in a message; longer values are cut with "...".
MAX_VALUE_CHARS = 60
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")

#: ``position(parts) -> (line, column)``, 1-based, of the node at JSON path ``parts``.
Position = Callable[[Sequence[str | int]], tuple[int, int]]


def schema_dirs() -> list[Path]:
    """Directories searched for schema files, in order: the packaged copy
    (``bundle_tools/data/schemas`` of an installed wheel), then the checkout's ``schemas/``.
    The package directory is found from this file (the wheel installs real files), not
    through ``importlib.resources``, whose import costs every command start-up time."""
    return [PACKAGE_DIR / "data" / "schemas", CHECKOUT_DIR]


def schema_path(name: str) -> Path:
    """The file of schema ``name`` (one of :data:`SCHEMA_NAMES`).

    Raises ValueError for an unknown name and FileNotFoundError when no searched
    directory holds the file (a broken installation).
    """
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r} (known: {', '.join(SCHEMA_NAMES)})")
    searched = []
    for directory in schema_dirs():
        candidate = directory / f"{name}{SUFFIX}"
        if candidate.is_file():
            return candidate
        searched.append(str(candidate))
    raise FileNotFoundError(f"schema {name!r} not found; searched {', '.join(searched)}")


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed JSON Schema ``name`` (cached; treat it as read-only). Raises as
    :func:`schema_path`."""
    return json.loads(schema_path(name).read_text(encoding="utf-8"))


@functools.cache
def _compiled(name: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(load_schema(name))


def is_valid(name: str, instance: Any) -> bool:
    """True when plain JSON data ``instance`` (dicts, lists, str, int, float, bool,
    None, as :func:`bundle_tools.yamlio.to_plain` returns) matches schema ``name``, by
    a compiled validator (``jsonschema_rs``: on a large CSV about 1 ms, where importing
    and building ``jsonschema``'s validator costs about 100 ms of start-up). False also
    when the compiled validator cannot take a value (a non-string key, an integer
    beyond 64 bits) or rejects what ``jsonschema`` accepts (NaN, a pattern's ``$``
    before a final newline), so a caller runs :func:`schema_hits` for the full,
    authoritative check whenever this is False. Raises as :func:`schema_path`."""
    try:
        return bool(_compiled(name).is_valid(instance))
    except ValueError:
        return False


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A cached draft 2020-12 validator for schema ``name``. Raises as :func:`schema_path`.
    (``jsonschema`` is imported here, not with the module: ``catalog validate`` loads
    schemas for its compiled check and needs ``jsonschema`` only for messages.)"""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


def dotted(parts: Iterable[str | int]) -> str:
    """A readable path: ``spec.installModes[0].supported``,
    ``metadata.annotations["olm.skipRange"]``; ``"(document)"`` for the root."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif IDENTIFIER.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text or "(document)"


def describe(value: Any) -> str:
    """A short rendering of an instance for messages: scalars as Python literals cut to
    :data:`MAX_VALUE_CHARS`, collections as ``an object``/``an array``, None as ``null``."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 4] + "...'"
    return text


def _types(expected: str | list[str]) -> list[str]:
    return [expected] if isinstance(expected, str) else list(expected)


def _type_names(expected: Iterable[str]) -> str:
    """``"integer or string"``; ``null`` is left out (it only marks an optional field)."""
    return " or ".join(n for n in expected if n != "null") or "null"


def _string_hint(value: Any) -> str | None:
    """How to turn ``value`` into the string the schema expects (None for null); a float
    is not echoed back, since YAML has already lost its spelling (``4.10`` reads as 4.1)."""
    if isinstance(value, bool):
        return f'quote the value so YAML reads it as a string: "{describe(value)}"'
    if isinstance(value, int | float):
        return "quote the value as written so YAML reads it as a string"
    if isinstance(value, dict | list):
        return "encode it as one quoted JSON string"
    return None


def _relevant(error: ValidationError) -> ValidationError:
    """For an anyOf/oneOf failure, the branch error that explains it best (recursively),
    ignoring branches that only reject the instance's type; any other error as it is."""
    from jsonschema.exceptions import best_match

    while error.validator in ("anyOf", "oneOf") and error.context:
        # A branch that rejects the instance's type says least about what was meant.
        deeper = [e for e in error.context if not (e.validator == "type" and not e.relative_path)]
        if not deeper:
            return error  # every branch rejected the type: one combined type message
        error = best_match(deeper)
    return error


def _message(error: ValidationError) -> tuple[str, str | None]:
    """``(message, hint)`` for one relevant error, without the path prefix."""
    value = error.instance
    if error.validator == "type":
        expected = _types(error.validator_value)
        message = f"{describe(value)} is not of type {_type_names(expected)}"
        return message, _string_hint(value) if "string" in expected else None
    if error.validator in ("anyOf", "oneOf") and error.context:
        expected = [t for e in error.context for t in _types(e.validator_value)]
        return f"{describe(value)} is not of type {_type_names(expected)}", None
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in value]
        names = ", ".join(repr(k) for k in missing)
        return f"missing required field{'s' if len(missing) > 1 else ''} {names}", None
    if error.validator == "const":
        return f"{describe(value)} must be {json.dumps(error.validator_value)}", None
    if error.validator == "enum":
        choices = ", ".join(json.dumps(c) for c in error.validator_value)
        return f"{describe(value)} is not one of {choices}", None
    if error.validator == "pattern" and "contentEncoding" in error.schema:
        return f"{describe(value)} is not valid {error.schema['contentEncoding']} data", None
    if error.validator == "minLength" and error.validator_value == 1:
        return "must not be empty", None
    if error.validator == "minItems" and error.validator_value == 1:
        return "must have at least one item", None
    message = error.message
    full = repr(value)
    if len(full) > MAX_VALUE_CHARS and full in message:
        message = message.replace(full, describe(value), 1)
    return message, None


def schema_hits(name: str, instance: Any, path: str, position: Position) -> list[Hit]:
    """Validate ``instance`` against schema ``name``; one :class:`Hit` per relevant error.

    ``instance`` may be a ruamel round-trip tree (converted with
    :func:`bundle_tools.yamlio.to_plain`, so mappings, anchored booleans, floats, tagged
    scalars and timestamps get their JSON types) or plain JSON data. ``path`` is the file
    path recorded in each location; ``position(parts)`` returns the 1-based ``(line,
    column)`` of the node at JSON path ``parts`` (e.g. ``lambda parts:
    yamlio.locate(doc.data, parts)``). Each hit's pointer is the error's
    ``absolute_path`` (for a missing field: its parent), its message
    ``<dotted path>: <what is wrong>`` (``spec.installModes[0].supported: 'yes' is not of
    type boolean``). anyOf/oneOf failures give one message, never one per branch. Hits
    are ordered by position, duplicates dropped. Raises as :func:`schema_path`.
    """
    from bundle_tools.yamlio import to_plain

    plain = to_plain(instance)
    if is_valid(name, plain):
        return []
    hits: dict[tuple[str, str], Hit] = {}
    for raw in validator(name).iter_errors(plain):
        error = _relevant(raw)
        parts = list(error.absolute_path)
        message, hint = _message(error)
        line, column = position(parts)
        text = f"{dotted(parts)}: {message}"
        key = (pointer(parts), text)
        if key not in hits:
            hits[key] = Hit(
                message=text,
                location=Location(path=path, pointer=key[0], line=line, column=column),
                hint=hint,
            )
    return sorted(
        hits.values(), key=lambda h: (h.location.line or 0, h.location.column or 0, h.message)
    )
