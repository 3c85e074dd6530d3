"""Derive ``bundle_tools/rules/csv_required.py``: how OLM sends each required field of
``schemas/csv.schema.json`` when a bundle's CSV leaves it out.

Usage::

    python scripts/derive_csv_required.py OLM_GIT_DIR [REV] > bundle_tools/rules/csv_required.py
    ruff format bundle_tools/rules/csv_required.py

``OLM_GIT_DIR`` is a git directory of operator-framework/operator-lifecycle-manager (the
``fetch`` snapshot is a bare repository; ``REV`` defaults to ``HEAD``); the Go types are
read from its ``vendor/`` tree: operator-framework/api ``pkg/operators/v1alpha1`` (the
``ClusterServiceVersion`` that OLM's InstallPlan ``json.Unmarshal``s the bundle's CSV
into and creates with its typed client, ``pkg/controller/operators/catalog``
``ExecutePlan``) and the k8s.io types it embeds.

For each required field of the schema (the CRD's ``required``, which the API server
checks on the object OLM sends), the script walks the schema and the Go types side by
side and computes what encoding/json writes for the field's Go zero value:

- ``omitted``: the field's tag has ``omitempty`` (or ``omitzero``) and its zero value is
  empty: the key is absent, the API server refuses the CSV;
- ``null``: a nil pointer, slice or map (or a type whose ``MarshalJSON`` writes ``null``)
  in a field the CRD does not mark ``nullable``: the API server prunes the ``null`` before
  validation and refuses the CSV for the missing field;
- ``invalid``: the zero value is written but the field's schema refuses it (``""``
  outside an enum or below ``minLength``, a zero-valued struct whose own required
  fields go out as ``null``): the API server refuses the CSV;
- ``zero``: the zero value is written and the schema accepts it: the CSV is created;
- ``status``: under ``status``, which the API server drops when OLM creates the CSV (the
  CRD enables the status subresource): nothing to refuse.

The rule (CSV001) maps ``omitted``, ``null`` and ``invalid`` to errors and ``zero`` and
``status`` to warnings; what OLM builds from a zero-filled field (a Deployment, a Role,
a webhook configuration) is decided there (``OLM_BUILDS``), not here.

Types whose JSON is not their fields (a ``MarshalJSON`` method) must be listed in
``CUSTOM_JSON``; the script stops on any other, and on a schema field the Go type lacks.
``tests/test_rules_schema.py`` checks that the table covers the schema, and re-derives it
at the commit it names when ``OLM_GIT_DIR`` points at an OLM git directory.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "schemas" / "csv.schema.json"
ROOT_PACKAGE = "github.com/operator-framework/api/pkg/operators/v1alpha1"
ROOT_TYPE = "ClusterServiceVersion"

#: JSON written for the zero value of a type with its own ``MarshalJSON``.
CUSTOM_JSON: dict[tuple[str, str], Any] = {
    ("k8s.io/apimachinery/pkg/util/intstr", "IntOrString"): 0,
    ("k8s.io/apimachinery/pkg/api/resource", "Quantity"): "0",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "Time"): None,
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "MicroTime"): None,
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "Duration"): "0s",
    ("k8s.io/apimachinery/pkg/runtime", "RawExtension"): None,
    ("github.com/operator-framework/api/pkg/lib/version", "OperatorVersion"): "0.0.0",
}
BASIC_ZERO: dict[str, Any] = {
    "string": "",
    "bool": False,
    **{t: 0 for t in ("int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16")},
    **{t: 0 for t in ("uint32", "uint64", "float32", "float64", "byte", "rune")},
}
_NIL = object()  # a nil pointer, slice or map: JSON null
_OMIT = object()  # left out by omitempty


@dataclass
class Field:
    """One struct field: Go name (empty when embedded), type expression, JSON name and
    options (``inline``, ``omitempty``, ``omitzero``)."""

    go_name: str
    type_expr: str
    json_name: str
    options: set[str]
    embedded: bool


@dataclass
class Package:
    """The declarations of one Go package: ``structs`` (name -> fields), ``named`` (name
    -> underlying type expression), ``imports`` (alias -> import path), ``marshalers``
    (type names with a ``MarshalJSON`` method)."""

    path: str
    structs: dict[str, list[Field]] = field(default_factory=dict)
    named: dict[str, str] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)
    marshalers: set[str] = field(default_factory=set)


_TAG = re.compile(r'json:"([^"]*)"')
_FIELD = re.compile(r"^(\w+)\s+([^`]+?)\s*(`[^`]*`)?\s*(//.*)?$")
_EMBEDDED = re.compile(r"^(\*?[\w.]+)\s*(`[^`]*`)?\s*(//.*)?$")
_IMPORT = re.compile(r'^\s*(?:(\w+)\s+)?"([^"]+)"')


class GoTree:
    """Go packages read from ``vendor/`` of a git directory at a revision."""

    def __init__(self, git_dir: str, rev: str) -> None:
        self.git_dir, self.rev = git_dir, rev
        listing = self._git("ls-tree", "-r", "--name-only", rev, "vendor/")
        self.files = [f for f in listing.splitlines() if f.endswith(".go")]
        self.packages: dict[str, Package] = {}

    def _git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", self.git_dir, *args], capture_output=True, text=True, check=True
        ).stdout

    def package(self, path: str) -> Package:
        """The parsed package of import path ``path``."""
        if path not in self.packages:
            prefix = f"vendor/{path}/"
            package = Package(path)
            for name in self.files:
                rest = name[len(prefix) :] if name.startswith(prefix) else None
                if rest and "/" not in rest and not rest.endswith("_test.go"):
                    _parse(self._git("show", f"{self.rev}:{name}"), package)
            self.packages[path] = package
        return self.packages[path]


def _parse(text: str, package: Package) -> None:
    """Add the type declarations, imports and MarshalJSON receivers of one Go file
    (block comments removed first)."""
    lines = re.sub(r"/\*.*?\*/", "", text, flags=re.S).splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("import ("):
            i += 1
            while not lines[i].startswith(")"):
                if found := _IMPORT.match(lines[i]):
                    alias = found.group(1) or found.group(2).rsplit("/", 1)[-1]
                    package.imports[alias] = found.group(2)
                i += 1
        elif line.startswith("import "):
            if found := _IMPORT.match(line[len("import ") :]):
                package.imports[found.group(1) or found.group(2).rsplit("/", 1)[-1]] = found.group(
                    2
                )
        elif found := re.match(r"^type (\w+) struct \{\s*$", line):
            fields, i = _struct_body(lines, i + 1)
            package.structs[found.group(1)] = fields
        elif found := re.match(r"^type (\w+) =? ?(.+?)\s*(//.*)?$", line):
            if not found.group(2).startswith(("struct", "interface", "func", "(")):
                package.named[found.group(1)] = found.group(2)
        elif found := re.match(r"^func \((?:\w+ )?\*?(\w+)\) MarshalJSON\(", line):
            package.marshalers.add(found.group(1))
        i += 1


def _struct_body(lines: list[str], i: int) -> tuple[list[Field], int]:
    """The fields of a struct whose body starts at line ``i``; ``(fields, index of the
    closing brace)``. Raises ValueError on a nested anonymous struct."""
    fields = []
    while lines[i] != "}":
        text = lines[i].strip()
        i += 1
        if not text or text.startswith("//"):
            continue
        if text.endswith("{"):
            raise ValueError(f"anonymous struct field not supported: {text}")
        if re.match(r"^[a-z_]\w*(,\s*\w+)*\s", text):
            continue  # unexported: encoding/json ignores it
        found = _FIELD.match(text)
        embedded = found is None or found.group(2).startswith("//")
        if embedded:
            found = _EMBEDDED.match(text)
            if found is None:
                raise ValueError(f"cannot read struct field: {text}")
            go_name, type_expr, tag = "", found.group(1), found.group(2) or ""
        else:
            go_name, type_expr, tag = found.group(1), found.group(2), found.group(3) or ""
        tag_found = _TAG.search(tag)
        name, *options = (tag_found.group(1) if tag_found else "").split(",")
        if name == "-":
            continue
        if embedded and not name and "inline" not in options:
            options.append("inline")  # encoding/json flattens an untagged embedded struct
        fields.append(Field(go_name, type_expr.strip(), name or go_name, set(options), embedded))
    return fields, i


class Deriver:
    """Walk the CSV schema and the Go types together."""

    def __init__(self, tree: GoTree) -> None:
        self.tree = tree

    def resolve(self, package: Package, expr: str) -> tuple[str, Package | None, str]:
        """``(kind, package, name)`` of a type expression: kind ``pointer``, ``slice``,
        ``map``, ``basic`` or ``named``; for the first three ``name`` is the element type
        expression (in ``package``)."""
        if expr.startswith("*"):
            return "pointer", package, expr[1:]
        if expr.startswith("[]"):
            return "slice", package, expr[2:]
        if expr.startswith("map["):
            depth, j = 0, 3
            while True:
                depth += {"[": 1, "]": -1}.get(expr[j], 0)
                if depth == 0:
                    break
                j += 1
            return "map", package, expr[j + 1 :]
        if expr in BASIC_ZERO or expr in ("interface{}", "any"):
            return "basic", None, expr
        if "." in expr:
            alias, name = expr.split(".", 1)
            return "named", self.tree.package(package.imports[alias]), name
        return "named", package, expr

    def fields(self, package: Package, name: str) -> list[tuple[Field, Package]]:
        """The JSON fields of struct ``name``, embedded inline structs flattened."""
        out = []
        for f in package.structs[name]:
            if f.embedded and "inline" in f.options:
                _, inner_pkg, inner = self.resolve(package, f.type_expr.lstrip("*"))
                assert inner_pkg is not None
                out.extend(self.fields(inner_pkg, inner))
            else:
                out.append((f, package))
        return out

    def zero(self, package: Package, expr: str) -> Any:
        """The JSON encoding/json writes for the zero value of ``expr``: a value, or
        :data:`_NIL` for ``null``."""
        kind, pkg, name = self.resolve(package, expr)
        if kind in ("pointer", "slice", "map"):
            return _NIL
        if kind == "basic":
            return None if name in ("interface{}", "any") else BASIC_ZERO[name]
        assert pkg is not None
        if (pkg.path, name) in CUSTOM_JSON:
            value = CUSTOM_JSON[pkg.path, name]
            return _NIL if value is None else value
        if name in pkg.marshalers:
            raise ValueError(f"{pkg.path}.{name} has MarshalJSON: add it to CUSTOM_JSON")
        if name in pkg.named:
            return self.zero(pkg, pkg.named[name])
        if name in pkg.structs:
            out = {}
            for f, fpkg in self.fields(pkg, name):
                value = self.written(fpkg, f)
                if value is not _OMIT:
                    out[f.json_name] = None if value is _NIL else value
            return out
        raise ValueError(f"unknown type {pkg.path}.{name}")

    def written(self, package: Package, f: Field) -> Any:
        """What encoding/json writes for field ``f`` at its zero value: a value,
        :data:`_NIL` or :data:`_OMIT`."""
        value = self.zero(package, f.type_expr)
        empty = value is _NIL or (value in ("", 0, False) and type(value) is not dict)
        if ("omitempty" in f.options and empty) or "omitzero" in f.options:
            return _OMIT
        return value

    def element(self, package: Package, expr: str) -> tuple[Package, str]:
        """The struct behind ``expr`` (through pointers, slices, maps and named types)."""
        kind, pkg, name = self.resolve(package, expr)
        assert pkg is not None
        if kind in ("pointer", "slice", "map"):
            return self.element(pkg, name)
        if name in pkg.named:
            return self.element(pkg, pkg.named[name])
        return pkg, name

    def walk(self, schema: dict, package: Package, type_name: str, path: str, out: dict) -> None:
        """Decide every required field below ``schema`` (the schema of Go struct
        ``type_name``); ``out`` maps parent path -> {field: how}."""
        props = schema.get("properties", {})
        fields = {f.json_name: (f, p) for f, p in self.fields(package, type_name)}
        for name in schema.get("required", []):
            if name not in fields:
                raise ValueError(f"{path or '/'}: schema requires {name!r}, Go type lacks it")
            f, fpkg = fields[name]
            out.setdefault(path, {})[name] = self.decide(props.get(name, {}), fpkg, f, path)
        for name, sub in props.items():
            if name not in fields:
                continue
            f, fpkg = fields[name]
            child = f"{path}/{name}" if path else name
            node, expr = sub, f.type_expr
            while True:
                kind, pkg, inner = self.resolve(fpkg, expr)
                if kind == "slice" and "items" in node:
                    node, expr, child = node["items"], inner, f"{child}/[]"
                    continue
                if kind == "pointer":
                    expr = inner
                    continue
                if kind == "named" and pkg is not None and inner in pkg.named:
                    fpkg, expr = pkg, pkg.named[inner]
                    continue
                break
            is_struct = kind == "named" and pkg is not None and inner in pkg.structs
            if is_struct and (node.get("properties") or node.get("required")):
                self.walk(node, pkg, inner, child, out)

    def decide(self, schema: dict, package: Package, f: Field, parent: str) -> str:
        """``status``, ``omitted``, ``null``, ``invalid`` or ``zero`` (module docstring)."""
        if parent == "status" or parent.startswith("status/"):
            return "status"
        value = self.written(package, f)
        if value is _OMIT:
            return "omitted"
        types = schema.get("type")
        nullable = isinstance(types, list) and "null" in types
        if value is _NIL:
            return "zero" if nullable else "null"
        return "zero" if Draft202012Validator(schema).is_valid(value) else "invalid"


def render(decisions: dict[str, dict[str, str]], commit: str) -> str:
    """The generated module's text (``commit``: the OLM commit read)."""
    lines = [
        '"""How OLM sends each required field of ``schemas/csv.schema.json`` when a bundle\'s',
        "CSV leaves it out, by parent path (``[]`` for any list index) and field name:",
        "``omitted``, ``null``, ``invalid`` (the API server refuses the CSV), ``zero`` (created",
        "with the field's empty value) or ``status`` (dropped on create).",
        "",
        "Generated by ``scripts/derive_csv_required.py`` (do not edit) from",
        f"operator-lifecycle-manager {commit} ``vendor/``",
        "and ``schemas/csv.schema.json``.",
        '"""',
        "",
        "REQUIRED_FIELDS: dict[str, dict[str, str]] = {",
    ]
    for parent in sorted(decisions):
        key = _split_string(parent, 8)
        fields = ", ".join(f'"{n}": "{how}"' for n, how in sorted(decisions[parent].items()))
        lines.append(f"    {key}: {{{fields}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _split_string(text: str, indent: int, width: int = 84) -> str:
    """``text`` as a Python string literal, cut at ``/`` into implicitly joined pieces
    that fit the line length."""
    pieces, current = [], ""
    for part in text.split("/"):
        candidate = f"{current}/{part}" if current else part
        if len(candidate) > width and current:
            pieces.append(current + "/")
            current = part
        else:
            current = candidate
    pieces.append(current)
    if len(pieces) == 1:
        return json.dumps(pieces[0])
    pad = " " * indent
    return "(\n" + "\n".join(f"{pad}{json.dumps(p)}" for p in pieces) + f"\n{pad[:-4]})"


def derive(git_dir: str, rev: str = "HEAD") -> tuple[str, dict[str, dict[str, str]]]:
    """``(commit, decisions)``: the OLM commit read and, by parent path, each required
    field's kind (module docstring)."""
    tree = GoTree(git_dir, rev)
    commit = tree._git("rev-parse", rev).strip()
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    decisions: dict[str, dict[str, str]] = {}
    deriver = Deriver(tree)
    root = tree.package(ROOT_PACKAGE)
    for name in ("metadata", "spec", "status"):
        f = next(f for f, _ in deriver.fields(root, ROOT_TYPE) if f.json_name == name)
        pkg, type_name = deriver.element(root, f.type_expr)
        deriver.walk(schema["properties"][name], pkg, type_name, name, decisions)
    return commit, decisions


def main(argv: list[str]) -> int:
    """Print the generated module for the OLM git directory of ``argv``."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    commit, decisions = derive(argv[0], argv[1] if len(argv) > 1 else "HEAD")
    sys.stdout.write(render(decisions, commit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
