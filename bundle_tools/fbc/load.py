"""Loading a file-based catalog directory the way ``opm`` does (``alpha/declcfg/load.go``),
fast, with file and line for every blob.

* Every regular file under the root is parsed, whatever its name, except files named
  ``.indexignore`` and paths those files exclude (:mod:`.indexignore`).
* A file whose first non-space byte is ``{`` is a JSON stream (concatenated objects);
  anything else is multi-document YAML. A UTF-8 byte-order mark is accepted.
* Each document must be an object with a non-empty string ``schema`` (keys match
  case-insensitively, as Go's ``encoding/json`` does).

Speed: YAML goes through libyaml's C composer with a lean resolver and a direct
node-to-object builder (about twice as fast as ``yaml.CSafeLoader``); JSON through
``orjson``, split at top-level ``}\\n{`` boundaries. Positions below the blob's first line
are found lazily, only for blobs that get a finding, by composing that file (or that JSON
object) again and walking its nodes.

Parse errors raise :class:`~bundle_tools.errors.InputError` with file, line and column.
Duplicate mapping keys are not fatal (Go keeps the last one): each blob lists them in
:attr:`Blob.duplicate_keys` for a rule to report.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import yaml
from yaml import nodes
from yaml._yaml import CParser
from yaml.constructor import SafeConstructor

from bundle_tools.errors import InputError
from bundle_tools.fbc.indexignore import IGNORE_FILE, IgnoreRules
from bundle_tools.findings import Location, pointer
from bundle_tools.readfile import CATALOG_FILE_LIMIT, IGNORE_FILE_LIMIT, read_regular

BOM = b"\xef\xbb\xbf"
#: UTF-16 byte-order marks: such files (PowerShell's ``>``) hold NUL bytes but are text;
#: libyaml, like go-yaml, decodes them.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_BINARY = "tag:yaml.org,2002:binary"

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"

#: Plain scalars go-yaml v2 (sigs.k8s.io/yaml, what opm reads YAML with) resolves by
#: table (``resolve.go``): YAML 1.1 booleans including ``y`` and ``n``, nulls,
#: infinities, NaN and the merge key. Timestamps stay strings, as sigs.k8s.io/yaml
#: leaves them; PyYAML's ``=`` value type and base-60 integers do not exist there.
_GO_TABLE: dict[str, tuple[str, Any]] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE"), (_BOOL, True)),
    **dict.fromkeys(("on", "On", "ON"), (_BOOL, True)),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE"), (_BOOL, False)),
    **dict.fromkeys(("off", "Off", "OFF"), (_BOOL, False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), (_NULL, None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), (_FLOAT, math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (_FLOAT, math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), (_FLOAT, -math.inf)),
    "<<": (_MERGE, "<<"),
}
#: Go ``strconv.ParseInt(s, 0, 64)`` syntax (after go-yaml drops every ``_``): decimal,
#: ``0x``/``0o``/``0b`` prefixes in either case, a leading ``0`` for octal.
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INT_BASES = {"x": 16, "o": 8, "b": 2}
_NUMBER_START = frozenset("0123456789+-.")


def go_scalar(text: str) -> tuple[str, Any]:
    """``(tag, value)`` of the plain YAML scalar ``text`` as go-yaml v2 resolves it: a
    bool, null, int (within 64 bits, signed or unsigned), float or, failing all, the
    string itself (``y`` is ``True``, ``1e3`` is ``1000.0``, ``0o17`` is ``15``)."""
    known = _GO_TABLE.get(text)
    if known is not None:
        return known
    if not text or text[0] not in _NUMBER_START:
        return _STR, text
    plain = text.replace("_", "")
    match = _GO_INT.fullmatch(plain)
    if match:
        sign, digits = match.groups()
        if len(digits) > 1 and digits[0] == "0":
            base = _INT_BASES.get(digits[1].lower(), 8)
            number = int(digits[2:] if base != 8 or digits[1] in "oO" else digits[1:], base)
        else:
            number = int(digits)
        number = -number if sign == "-" else number
        if -(2**63) <= number < 2**64:
            return _INT, number
    if _GO_FLOAT.fullmatch(plain):
        return _FLOAT, float(plain)
    return _STR, text


_SCALARS = SafeConstructor()
_CONSTRUCT = {
    _INT: lambda node: go_scalar(node.value)[1],
    _FLOAT: lambda node: go_scalar(node.value)[1],
    _BOOL: lambda node: go_scalar(node.value)[1],
    _NULL: lambda node: None,
    _BINARY: lambda node: _SCALARS.construct_yaml_binary(node).decode("utf-8", "replace"),
}
#: A top-level ``}`` and ``{`` separated by whitespace holding a newline: JSON strings
#: cannot hold a raw newline and ``}`` inside a value is followed by ``,``, ``]`` or ``}``,
#: so this only matches between two top-level objects of a JSON stream.
_JSON_BOUNDARY = re.compile(rb"\}[ \t\r]*\n\s*\{")
_NEWLINE = re.compile(b"\n")


class _Composer(CParser):
    """libyaml's C composer with a lean tag resolver (no path resolvers)."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Path-based resolvers are not used."""

    def ascend_resolver(self) -> None:
        """Path-based resolvers are not used."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        """Tag of a node without an explicit one: null/bool/int/float/merge for plain
        scalars as go-yaml v2 resolves them (:func:`go_scalar`), else str, seq or map."""
        if kind is nodes.ScalarNode:
            if not implicit[0]:
                return _STR
            known = _GO_TABLE.get(value)
            if known is not None:
                return known[0]
            return go_scalar(value)[0] if value[0] in _NUMBER_START else _STR
        return _SEQ if kind is nodes.SequenceNode else _MAP


def _key_text(key: Any) -> str:
    """A non-string mapping key as sigs.k8s.io/yaml turns it into a JSON object key."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


class _Builder:
    """Turns composed nodes into JSON-like Python values (dict, list, str, int, float,
    bool, None). Aliases share one object; a recursive alias is an InputError; duplicate
    keys keep the last value and are recorded as ``(line, column, key)`` (1-based)."""

    __slots__ = ("duplicates", "memo", "path")

    def __init__(self, path: str) -> None:
        self.path = path
        self.memo: dict[int, Any] = {}
        self.duplicates: list[tuple[int, int, str]] = []

    def build(self, node: Any) -> Any:
        if node.tag == _STR and node.__class__ is nodes.ScalarNode:
            return node.value
        cls = node.__class__
        if cls is nodes.ScalarNode:
            construct = _CONSTRUCT.get(node.tag)
            return construct(node) if construct is not None else node.value
        known = self.memo.get(id(node))
        if known is not None:
            if known is _IN_PROGRESS:
                mark = node.start_mark
                raise InputError(
                    "invalid YAML: recursive alias", self.path, mark.line + 1, mark.column + 1
                )
            return known
        self.memo[id(node)] = _IN_PROGRESS
        if cls is nodes.SequenceNode:
            value: Any = [self.build(item) for item in node.value]
        else:
            value = self._mapping(node)
        self.memo[id(node)] = value
        return value

    def _mapping(self, node: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: list[dict[str, Any]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                value = self.build(value_node)
                merged.extend(value if isinstance(value, list) else [value])
                continue
            key = self.build(key_node)
            if key.__class__ is not str:
                key = _key_text(key)
            if key in out:
                mark = key_node.start_mark
                self.duplicates.append((mark.line + 1, mark.column + 1, key))
            out[key] = self.build(value_node)
        for source in merged:
            if isinstance(source, dict):
                for key, value in source.items():
                    out.setdefault(key, value)
        return out


_IN_PROGRESS = object()


class SourceFile:
    """One catalog file: ``path`` on disk, ``display`` (the path shown in findings: the
    catalog argument joined with the relative path), the raw ``data`` (bytes, BOM
    removed) and whether it is a JSON stream. Newline offsets and re-composed YAML nodes
    are computed on first use, for positions."""

    __slots__ = ("_newlines", "_nodes", "data", "display", "is_json", "path")

    def __init__(self, path: Path, display: str, data: bytes) -> None:
        self.path = path
        self.display = display
        self.data = data[len(BOM) :] if data.startswith(BOM) else data
        self.is_json = self.data.lstrip()[:1] == b"{"
        self._newlines: list[int] | None = None
        self._nodes: list[Any] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of byte ``offset``."""
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(self.data)]
        index = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[index - 1] + 1 if index else 0
        return index + 1, offset - start + 1

    def yaml_nodes(self) -> list[Any]:
        """The composed root node of every YAML document (cached)."""
        if self._nodes is None:
            parser = _Composer(self.data)
            self._nodes = []
            while parser.check_node():
                self._nodes.append(parser.get_node())
        return self._nodes


class Blob:
    """One FBC blob: ``data`` (the JSON object), the :class:`SourceFile` it came from, its
    0-based ``index`` in that file, and ``line`` (1-based line of its first key for YAML,
    of its ``{`` for JSON). ``duplicate_keys`` lists ``(line, column, key)`` of repeated
    mapping keys (``()`` when none)."""

    __slots__ = ("_line", "_root", "_span", "data", "duplicate_keys", "index", "source")

    def __init__(
        self,
        data: dict[str, Any],
        source: SourceFile,
        index: int,
        *,
        line: int | None = None,
        span: tuple[int, int] | None = None,
        duplicate_keys: Sequence[tuple[int, int, str]] = (),
    ) -> None:
        self.data = data
        self.source = source
        self.index = index
        self._line = line
        self._span = span
        self._root: Any = None
        self.duplicate_keys = tuple(duplicate_keys)

    @property
    def path(self) -> str:
        """The file as shown in findings."""
        return self.source.display

    @property
    def line(self) -> int:
        """1-based line where the blob starts."""
        if self._line is None:
            self._line = self.source.line_col(self._span[0] if self._span else 0)[0]
        return self._line

    def position(self, parts: Sequence[str | int]) -> tuple[int, int]:
        """1-based ``(line, column)`` of the value at ``parts`` (a JSON path below the
        blob): the value's position for scalars, the key's for collections, the deepest
        existing parent for missing paths, the blob start when the file cannot be
        composed as YAML again."""
        root = self._node()
        if root is None:
            return self.line, 1
        mark = root.start_mark
        pos = (mark.line + 1, mark.column + 1)
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, nodes.MappingNode):
                found = _find_key(node, part)
                if found is None:
                    break
                key, node = found
                at = node if last and isinstance(node, nodes.ScalarNode) else key
            elif isinstance(node, nodes.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = at = node.value[part]
            else:
                break
            pos = (at.start_mark.line + 1, at.start_mark.column + 1)
        return pos

    def location(self, *parts: str | int) -> Location:
        """:class:`Location` (file, JSON pointer, line, column) of ``parts``."""
        line, column = self.position(parts)
        return Location(path=self.path, pointer=pointer(parts), line=line, column=column)

    def _node(self) -> Any:
        """The blob's composed root node (cached): from the re-composed YAML file, or for
        a JSON blob its byte span composed as YAML (JSON is YAML flow syntax), padded so
        marks keep file lines and columns. None when that fails."""
        if self._root is None:
            try:
                if not self.source.is_json:
                    self._root = self.source.yaml_nodes()[self.index]
                elif self._span is not None:
                    start, end = self._span
                    line, column = self.source.line_col(start)
                    padding = ("\n" * (line - 1) + " " * (column - 1)).encode()
                    self._root = _Composer(padding + self.source.data[start:end]).get_single_node()
            except (yaml.YAMLError, IndexError, ValueError):
                return None
        return self._root


def _find_key(node: Any, key: str | int) -> tuple[Any, Any] | None:
    """The last ``(key node, value node)`` of mapping ``node`` whose key is ``key``, else
    the last one equal under case folding (Go field matching)."""
    pairs = [(k, v) for k, v in reversed(node.value) if isinstance(k, nodes.ScalarNode)]
    exact = next(((k, v) for k, v in pairs if k.value == key), None)
    if exact is not None or not isinstance(key, str):
        return exact
    return next(((k, v) for k, v in pairs if k.value.casefold() == key.casefold()), None)


def _yaml_error(exc: yaml.YAMLError, path: str, data: bytes) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if isinstance(exc, yaml.MarkedYAMLError):
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    else:
        message = getattr(exc, "reason", None) or str(exc).splitlines()[0]
    if mark is not None:
        return InputError(f"invalid YAML: {message}", path, mark.line + 1, mark.column + 1)
    offset = getattr(exc, "position", None)
    if isinstance(offset, int):
        line = data.count(b"\n", 0, offset) + 1
        column = offset - data.rfind(b"\n", 0, offset)
        return InputError(f"invalid YAML: {message}", path, line, column)
    return InputError(f"invalid YAML: {message}", path)


def _load_yaml(source: SourceFile) -> list[Blob]:
    builder = _Builder(source.display)
    parser = _Composer(source.data)
    blobs: list[Blob] = []
    empty: Any = None
    try:
        while parser.check_node():
            root = parser.get_node()
            if empty is not None:
                mark = empty.start_mark
                raise InputError(
                    "empty YAML document", source.display, mark.line + 1, mark.column + 1
                )
            if _is_empty(root):
                empty = root
                continue
            blobs.append(_blob(builder, root, source, len(blobs)))
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source.display, source.data) from None
    tail = source.data.rstrip()
    if (empty is not None or not blobs) and tail and not tail.endswith(b"---"):
        separator = source.data.rfind(b"\n---") + 1
        line = source.data.count(b"\n", 0, separator) + 1 if separator else 1
        raise InputError("comment-only YAML document (no schema)", source.display, line)
    return blobs


def _blob(builder: _Builder, root: Any, source: SourceFile, index: int) -> Blob:
    line = root.start_mark.line + 1
    try:
        data = builder.build(root)
    except RecursionError:
        raise InputError("document nested too deeply", source.display, line) from None
    finally:
        builder.memo.clear()
    if not isinstance(data, dict):
        raise InputError(
            f"document is a {type(data).__name__}, not an object with a schema field",
            source.display,
            line,
            root.start_mark.column + 1,
        )
    blob = Blob(data, source, index, line=line, duplicate_keys=builder.duplicates)
    builder.duplicates.clear()
    return blob


def _is_empty(node: Any) -> bool:
    return isinstance(node, nodes.ScalarNode) and node.tag == _NULL and node.value == ""


def _load_json(source: SourceFile) -> list[Blob]:
    data = source.data
    view = memoryview(data)
    blobs = []
    start = len(data) - len(data.lstrip())
    for index, match in enumerate((*_JSON_BOUNDARY.finditer(data), None)):
        end = match.start() + 1 if match else len(data)
        try:
            value = orjson.loads(view[start:end])
        except orjson.JSONDecodeError:
            return _load_json_slow(source)
        if not isinstance(value, dict):
            return _load_json_slow(source)
        blobs.append(Blob(value, source, index, span=(start, end)))
        if match:
            start = match.end() - 1
    return blobs


def _load_json_slow(source: SourceFile) -> list[Blob]:
    """Stream decode with the standard library: exact error positions, and objects not
    separated by a newline."""
    try:
        text = source.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = source.data.count(b"\n", 0, exc.start) + 1
        raise InputError("file is not UTF-8 text", source.display, line) from None
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    blobs: list[Blob] = []
    index = 0
    offset = 0  # byte offset of ``index``
    while True:
        start = index
        while index < len(text) and text[index] in " \t\r\n":
            index += 1
        offset += index - start
        if index == len(text):
            return blobs
        try:
            value, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            stream = " (a file starting with '{' is read as a stream of JSON objects)"
            raise InputError(
                f"invalid JSON: {exc.msg}{stream if blobs else ''}",
                source.display,
                exc.lineno,
                exc.colno,
            ) from None
        except RecursionError:
            line = source.line_col(offset)[0]
            raise InputError("document nested too deeply", source.display, line) from None
        except ValueError as exc:
            line = source.line_col(offset)[0]
            raise InputError(f"invalid JSON: {exc}", source.display, line) from None
        size = len(text[index:end].encode("utf-8"))
        blob = Blob(value, source, len(blobs), span=(offset, offset + size))
        if not isinstance(value, dict):
            raise InputError(
                "JSON value is not an object with a schema field", source.display, blob.line
            )
        blobs.append(blob)
        index, offset = end, offset + size


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: Suffixes of files meant to hold FBC blobs; a load error in any other file (a
#: README.md, a Dockerfile) gets a hint about ``.indexignore``.
CATALOG_SUFFIXES = (".yaml", ".yml", ".json")


def load_file(path: Path, display: str) -> list[Blob]:
    """Every blob of one catalog file. Raises InputError on unreadable files, YAML or
    JSON syntax errors, documents that are not objects, and blobs without a string
    ``schema``; for a file whose name does not end in .yaml, .yml or .json the message
    says that opm parses it too and how to exclude it."""
    try:
        return _load_blobs(path, display)
    except InputError as exc:
        if path.suffix.lower() in CATALOG_SUFFIXES:
            raise
        hint = (
            f"{exc.message} (opm parses every file under a catalog, whatever its name; "
            f"list {path.name} in an .indexignore to skip it)"
        )
        raise InputError(hint, exc.path, exc.line, exc.column) from None


def _load_blobs(path: Path, display: str) -> list[Blob]:
    source = SourceFile(path, display, read_regular(path, CATALOG_FILE_LIMIT, display))
    nul = -1 if source.data[:2] in UTF16_BOMS else source.data.find(b"\0")
    if nul >= 0:
        line, column = source.line_col(nul)
        raise InputError("binary file (NUL byte), not YAML or JSON text", display, line, column)
    blobs = _load_json(source) if source.is_json else _load_yaml(source)
    for blob in blobs:
        schema = get_field(blob.data, "schema")
        if not isinstance(schema, str) or not schema:
            if schema in (None, ""):
                line, column = blob.position(())
                detail = "missing root schema field"
            else:
                line, column = blob.position(("schema",))
                detail = f"schema is {_json_type(schema)}, not a string"
            raise InputError(f"blob {detail}", display, line, column)
    return blobs


def _json_type(value: Any) -> str:
    """``value``'s JSON type with an article: "a number", "an array", ..."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "an array" if isinstance(value, list) else "an object"


def load_first_document(path: Path) -> Any:
    """The first document of a YAML or JSON file as a JSON-like value (``None`` for an
    empty file), as Kubernetes' ``YAMLOrJSONDecoder`` reads a manifest once. Raises
    InputError when the file is unreadable, that document does not parse, or it repeats
    a mapping key (Kubernetes' decoder keeps the last value silently; here, as in
    ``validate``, nothing is repaired)."""
    source = SourceFile(path, str(path), read_regular(path, CATALOG_FILE_LIMIT))
    if source.is_json:
        decoder = json.JSONDecoder(parse_constant=_reject_constant)
        try:
            text = source.data.decode("utf-8")
            return decoder.raw_decode(text, len(text) - len(text.lstrip()))[0]
        except UnicodeDecodeError:
            raise InputError("file is not UTF-8 text", path) from None
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
        except (ValueError, RecursionError) as exc:
            raise InputError(f"invalid JSON: {exc}", path) from None
    parser = _Composer(source.data)
    try:
        if not parser.check_node():
            return None
        root = parser.get_node()
        builder = _Builder(str(path))
        value = builder.build(root)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, str(path), source.data) from None
    except RecursionError:
        raise InputError("document nested too deeply", path) from None
    if builder.duplicates:
        line, column, key = builder.duplicates[0]
        raise InputError(f"invalid YAML: duplicate key {key!r}", path, line, column)
    return value


_MISSING = object()


def get_field(obj: dict[str, Any], name: str) -> Any:
    """``obj[name]`` with Go ``encoding/json`` matching: the exact key, else the last key
    equal under case folding; ``None`` when absent."""
    value = obj.get(name, _MISSING)
    if value is not _MISSING:
        return value
    folded = name.casefold()
    for key in reversed(obj):
        if key.casefold() == folded:
            return obj[key]
    return None


def _not_regular(entry: os.DirEntry[str]) -> str | None:
    """Why ``opm`` cannot load the walked non-directory ``entry`` (its ``fs.WalkDir``
    does not follow symbolic links to directories, then fails reading them as files;
    a dangling link fails to open, a link loop too), or None for a regular file or a
    link to one."""
    try:
        if entry.is_file():
            return None
    except OSError as exc:
        return f"cannot follow symbolic link: {exc.strerror or exc}"
    if entry.is_symlink():
        if entry.is_dir():
            return "symbolic link to a directory: opm does not walk into it and fails reading it"
        return "dangling symbolic link"
    return "not a regular file"


def _read_ignore_file(path: Path) -> str:
    return read_regular(path, IGNORE_FILE_LIMIT).decode("utf-8", errors="replace")


def iter_catalog_files(root: Path) -> Iterator[tuple[Path, tuple[str, ...]]]:
    """``(path, relative parts)`` of every file ``opm`` loads under ``root``, in walk
    (lexical) order: regular files (or links to them), not ``.indexignore``, not
    excluded by one. Raises InputError for a directory that cannot be listed, an
    ``.indexignore`` that cannot be read or is not a regular file of at most
    ``IGNORE_FILE_LIMIT`` bytes, and a path that is not excluded but cannot be loaded
    (a symbolic link to a directory, a dangling link, a FIFO or socket)."""
    files: list[tuple[tuple[str, ...], Path, str | None]] = []
    ignores = IgnoreRules()
    stack: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    while stack:
        directory, parts = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise InputError(f"cannot list directory: {exc.strerror or exc}", directory) from None
        subdirs = []
        for entry in entries:
            rel = (*parts, entry.name)
            if entry.is_dir(follow_symlinks=False):
                subdirs.append((Path(entry.path), rel))
            elif entry.name == IGNORE_FILE:
                ignores.add(_read_ignore_file(Path(entry.path)), parts)
            else:
                files.append((rel, Path(entry.path), _not_regular(entry)))
        stack.extend(reversed(subdirs))
    files.sort(key=lambda item: item[0])
    for rel, path, problem in files:
        if ignores.is_ignored(rel):
            continue
        if problem:
            raise InputError(problem, path)
        yield path, rel


def load_catalog(root: str | Path) -> list[Blob]:
    """Every blob of the catalog directory ``root``, files in lexical path order, blobs in
    file order. Raises InputError when ``root`` is not a directory or a file cannot be
    loaded (see :func:`load_file` and :func:`iter_catalog_files`)."""
    root_path = Path(root)
    if not root_path.is_dir():
        problem = "is a file" if root_path.exists() else "does not exist"
        raise InputError(f"catalog directory {problem}", root_path)
    blobs: list[Blob] = []
    for path, rel in iter_catalog_files(root_path):
        blobs.extend(load_file(path, os.path.join(str(root), *rel)))
    return blobs
