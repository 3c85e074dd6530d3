"""Generate ``schemas/csv.schema.json`` from OLM's ClusterServiceVersion CRD.

Usage::

    python -m bundle_tools.schemagen SRC > schemas/csv.schema.json
    python -m bundle_tools.schemagen SRC -o schemas/csv.schema.json   # atomic write

``SRC`` is ``operators.coreos.com_clusterserviceversions.yaml`` from operator-framework/api
``crds/``. The generator takes the ``openAPIV3Schema`` of the CRD's ``v1alpha1`` version
(what the Kubernetes API server enforces when a CSV is created) and turns it into a JSON
Schema draft 2020-12 document:

- description prose is dropped (keeps the file small and free of copied text);
- ``x-kubernetes-int-or-string`` becomes ``type: [integer, string]`` (or keeps the CRD's own
  ``anyOf`` of the two, which says the same);
- ``x-kubernetes-preserve-unknown-fields`` adds nothing: JSON Schema allows unknown
  properties unless told otherwise, and structural CRDs prune them rather than reject them,
  so no schema here ever sets ``additionalProperties: false``;
- ``x-kubernetes-list-type: set`` becomes ``uniqueItems: true`` (the API server rejects
  duplicates in such lists); ``map``/``atomic`` list and map types add no JSON Schema keyword;
- ``nullable: true`` adds ``"null"`` to the type, and so does being an optional property:
  the API server prunes ``null`` values of non-nullable fields instead of rejecting them;
- ``format: int32`` / ``int64`` become ``minimum``/``maximum`` bounds, ``format: byte``
  (base64 in Go) is dropped, other formats (``date-time``) stay as annotations;
- an ``x-kubernetes-validations`` CEL rule of the form ``self.matches('<re>')`` becomes a
  ``pattern``; any other CEL rule is listed in a ``$comment`` at that node (not checked).

The wrapper around it requires ``apiVersion`` (const ``operators.coreos.com/v1alpha1``),
``kind`` (const ``ClusterServiceVersion``), ``metadata.name`` and ``spec``, and types
``metadata`` like Kubernetes ``ObjectMeta`` (``labels`` and ``annotations`` map strings to
strings). The output is deterministic (source key order, 2-space indent, final newline).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bundle_tools.errors import InputError
from bundle_tools.safewrite import write_file

DRAFT = "https://json-schema.org/draft/2020-12/schema"
CSV_API_VERSION = "operators.coreos.com/v1alpha1"
CSV_KIND = "ClusterServiceVersion"

#: Integer bounds for the Kubernetes ``format`` values that carry a width.
INT_FORMATS: dict[str, tuple[int, int]] = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}
#: Go-specific formats with no JSON Schema meaning (``byte`` is base64 in Go).
DROPPED_FORMATS = frozenset({"byte"})

#: OpenAPI keywords copied as they are (their values are not schemas).
PLAIN_KEYWORDS = (
    "type",
    "enum",
    "const",
    "default",
    "required",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "uniqueItems",
    "multipleOf",
)
#: Keywords whose value is a list of schemas.
SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf")
#: Keywords dropped outright: prose and Kubernetes hints with no validation meaning here.
IGNORED_KEYWORDS = frozenset(
    {
        "description",
        "title",
        "example",
        "externalDocs",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource",
        "x-kubernetes-list-map-keys",
        "x-kubernetes-map-type",
    }
)

CEL_MATCHES = re.compile(r"^self\.matches\('((?:[^'\\]|\\.)*)'\)$")

OBJECT_META: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "namespace": {"type": ["string", "null"]},
        "labels": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
        "annotations": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
    },
}


class SchemaGenError(ValueError):
    """The source is not a CRD this generator understands (message says what is missing)."""


def _cel_pattern(rule: str) -> str | None:
    """The regular expression of a ``self.matches('<re>')`` CEL rule, else None."""
    found = CEL_MATCHES.match(rule.strip())
    if found is None:
        return None
    # CEL single-quoted strings use backslash escapes: '\\.' is the regex '\.'.
    return re.sub(r"\\(.)", r"\1", found.group(1))


def convert(node: Mapping[str, Any]) -> dict[str, Any]:
    """Convert one OpenAPI v3 (structural CRD) schema node to JSON Schema 2020-12.

    Raises SchemaGenError on a keyword the generator does not know, so a new CRD feature
    is noticed instead of silently dropped.
    """
    out: dict[str, Any] = {}
    comments: list[str] = []
    for key, value in node.items():
        if key in IGNORED_KEYWORDS:
            continue
        if key in PLAIN_KEYWORDS:
            out[key] = value
        elif key == "properties":
            required = set(node.get("required", ()))
            out[key] = {
                name: convert(sub) if name in required else allow_null(convert(sub))
                for name, sub in value.items()
            }
        elif key == "items":
            out[key] = convert(value)
        elif key == "additionalProperties":
            out[key] = value if isinstance(value, bool) else convert(value)
        elif key in SCHEMA_LIST_KEYWORDS:
            out[key] = [convert(sub) for sub in value]
        elif key == "not":
            out[key] = convert(value)
        elif key == "format":
            if value in INT_FORMATS:
                low, high = INT_FORMATS[value]
                out.setdefault("minimum", low)
                out.setdefault("maximum", high)
            elif value not in DROPPED_FORMATS:
                out[key] = value
        elif key == "nullable":
            continue  # applied below, once "type" is known
        elif key == "x-kubernetes-int-or-string":
            continue  # applied below, unless the CRD spells it as anyOf itself
        elif key == "x-kubernetes-list-type":
            if value == "set":
                out["uniqueItems"] = True
        elif key == "x-kubernetes-validations":
            for check in value:
                pattern = _cel_pattern(check["rule"])
                if pattern is not None and "pattern" not in node:
                    out["pattern"] = pattern
                else:
                    comments.append(f"not checked (CEL): {check['rule']}")
        else:
            raise SchemaGenError(f"unsupported CRD schema keyword {key!r}")
    if node.get("x-kubernetes-int-or-string") and "anyOf" not in out:
        out["type"] = ["integer", "string"]
    if node.get("nullable"):
        allow_null(out)
    if comments:
        out["$comment"] = "; ".join(comments)
    return out


def allow_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` also accepting ``null`` (modified in place and returned).

    The API server prunes a ``null`` value of a non-nullable optional field before
    validation, so such a field may be written as ``null`` (Kubernetes CRD docs,
    "Defaulting and Nullable").
    """
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if "null" not in types:
            schema["type"] = [*types, "null"]
    elif "anyOf" in schema:
        schema["anyOf"].append({"type": "null"})
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"].append(None)
    return schema


def _provenance(src: Path) -> str:
    """``<file> (<repo>, commit <sha>)`` when a README.md beside ``src`` (or one level
    up) names the repository and commit it was copied from, else just the file name."""
    for readme in (src.parent / "README.md", src.parent.parent / "README.md"):
        if not readme.is_file():
            continue
        text = readme.read_text(encoding="utf-8")
        commit = re.search(r"\b([0-9a-f]{40})\b", text)
        repo = re.search(r"\bfrom\s+([\w.-]+/[\w.-]+)", text)
        if commit and repo:
            return f"{src.name} ({repo.group(1)}, commit {commit.group(1)})"
    return src.name


def crd_version_schema(crd: Mapping[str, Any], version: str) -> Mapping[str, Any]:
    """The ``openAPIV3Schema`` of ``version`` in a CRD document.

    Raises SchemaGenError when the document is not a CRD or lacks that version or schema.
    """
    if not isinstance(crd, Mapping) or crd.get("kind") != "CustomResourceDefinition":
        raise SchemaGenError("source is not a CustomResourceDefinition")
    for entry in crd.get("spec", {}).get("versions", []):
        if entry.get("name") == version:
            schema = entry.get("schema", {}).get("openAPIV3Schema")
            if isinstance(schema, Mapping):
                return schema
            raise SchemaGenError(f"version {version} has no openAPIV3Schema")
    raise SchemaGenError(f"CRD has no version {version}")


def generate(src: Path, provenance: str | None = None) -> dict[str, Any]:
    """The CSV JSON Schema (a JSON-ready dict) generated from the CRD file ``src``.

    ``provenance`` overrides the source description in ``$comment`` (default: read from
    the README.md beside ``src``). Raises SchemaGenError on an unexpected CRD and
    OSError/yaml.YAMLError when ``src`` cannot be read or parsed.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    crd = yaml.load(src.read_text(encoding="utf-8"), Loader=loader)
    body = convert(crd_version_schema(crd, CSV_API_VERSION.rsplit("/", 1)[1]))
    properties = dict(body.get("properties", {}))
    properties["apiVersion"] = {"type": "string", "const": CSV_API_VERSION}
    properties["kind"] = {"type": "string", "const": CSV_KIND}
    properties["metadata"] = OBJECT_META
    required = ["apiVersion", "kind", "metadata", "spec"]
    required += [r for r in body.get("required", []) if r not in required]
    source = provenance or _provenance(src)
    return {
        "$schema": DRAFT,
        "$comment": (
            f"Generated by `python -m bundle_tools.schemagen` from {source}: the v1alpha1 "
            "openAPIV3Schema the API server enforces. Do not edit by hand."
        ),
        "title": f"{CSV_KIND} ({CSV_API_VERSION})",
        **{k: v for k, v in body.items() if k not in ("properties", "required")},
        "required": required,
        "properties": properties,
    }


def render(schema: Mapping[str, Any]) -> str:
    """The JSON text written to ``schemas/csv.schema.json``."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: print the generated schema (or write it to ``--output``); exit 2
    on a source that cannot be read or converted, writing nothing."""
    parser = argparse.ArgumentParser(prog="python -m bundle_tools.schemagen", description=__doc__)
    parser.add_argument("src", type=Path, help="operators.coreos.com_clusterserviceversions.yaml")
    parser.add_argument("--provenance", help="source description for $comment")
    parser.add_argument(
        "-o", "--output", type=Path, help="write here (atomically) instead of to stdout"
    )
    args = parser.parse_args(argv)
    try:
        text = render(generate(args.src, args.provenance))
    except (OSError, yaml.YAMLError, SchemaGenError) as exc:
        print(f"{args.src}: error: {exc}", file=sys.stderr)
        return 2
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            write_file(args.output, text.encode("utf-8"))
        except InputError as exc:
            print(exc, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
