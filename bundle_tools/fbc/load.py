"""Loading a file-based catalog directory the way ``opm`` does (``alpha/declcfg/load.go``),
fast, with file and line for every blob.

* Every regular file under the root is parsed, whatever its name, except files named
  ``.indexignore`` and paths those files exclude (:mod:`.indexignore`).
* A file whose first non-space byte is ``{`` is a JSON stream (concatenated objects);
  anything else is multi-document YAML. A UTF-8 byte-order mark is accepted.
* Each document must be an object with a non-empty string ``schema`` (keys match
  case-insensitively, as Go's ``encoding/json`` does).

Speed: a YAML file goes through ``yaml_rs`` (a compiled YAML 1.2 parser, about four times
faster than composing with libyaml here) when a scan of its bytes finds nothing that YAML
1.2 and go-yaml v2 may read differently (:data:`EXACT_ONLY`: YAML 1.1 booleans, octal,
underscored, long or overflowing numbers, merge keys, tags, anchors, directives, tabs,
CR, control and YAML 1.1 line-break characters), each document parsed on its own, and its
result is taken only when every document is an object without duplicate keys whose keys
are all strings and whose integers fit 64 bits. Every other file, and every file the fast
parser refuses, goes through the exact loader: libyaml's C composer (go-yaml v2 is a port
of libyaml) with a resolver that applies go-yaml v2's scalar rules and a direct
node-to-object builder. JSON goes through ``orjson``, split at top-level ``}\\n{``
boundaries. Positions (a blob's first line, and every node below it) are found lazily,
only for blobs that get a finding, by composing that file (or that JSON object) with the
exact composer and walking its nodes, so they are the same whichever loader read the data.

Parse errors raise :class:`~bundle_tools.errors.InputError` with file, line and column.
Duplicate mapping keys are not fatal (Go keeps the last one): each blob lists them in
:attr:`Blob.duplicate_keys` for a rule to report.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import itertools
import json
import math
import os
import re
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import yaml_rs

from bundle_tools.errors import InputError
from bundle_tools.fbc.decode import decode_base64
from bundle_tools.fbc.indexignore import IGNORE_FILE, IgnoreRules
from bundle_tools.findings import Location, pointer
from bundle_tools.goyaml import GO_BOOLEANS
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
    **{text: (_BOOL, value) for text, value in GO_BOOLEANS.items()},
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
    """``(tag, value)`` of the plain YAML scalar ``text`` as go-yaml v2 resolves it
    (``resolve.go``): a bool, null, int (within 64 bits, signed or unsigned), float or,
    failing all, the string itself (``y`` is ``True``, ``1e3`` is ``1000.0``, ``0o17`` is
    ``15``, ``1e400`` and a 5,000-digit number are strings: Go's ``ParseFloat`` refuses
    what overflows)."""
    known = _GO_TABLE.get(text)
    if known is not None:
        return known
    if not text or text[0] not in _NUMBER_START:
        return _STR, text
    if text[0] == ".":
        # go-yaml hands the text as written (underscores kept) to ParseFloat
        if "_" in text and not _underscores_ok(text):
            return _STR, text
        return _go_float(text.replace("_", ""), text)
    plain = text.replace("_", "")
    match = _GO_INT.fullmatch(plain)
    if match and len(plain) <= _INT_MAX_CHARS:
        sign, digits = match.groups()
        if len(digits) > 1 and digits[0] == "0":
            base = _INT_BASES.get(digits[1].lower(), 8)
            number = int(digits[2:] if base != 8 or digits[1] in "oO" else digits[1:], base)
        else:
            number = int(digits)
        number = -number if sign == "-" else number
        if -(2**63) <= number < 2**64:
            return _INT, number
    return _go_float(plain, text)


#: Longer than any 64-bit integer in any base Go accepts (``-0b`` and 64 binary
#: digits): such text is never an int, and is not handed to ``int()`` (whose
#: 4,300-digit limit would raise).
_INT_MAX_CHARS = 67


def _go_float(plain: str, text: str) -> tuple[str, Any]:
    """``(float tag, value)`` when ``plain`` is a YAML-style float that Go's
    ``ParseFloat`` accepts (not overflowing to infinity), else ``(str tag, text)``."""
    if _GO_FLOAT.fullmatch(plain):
        value = float(plain)
        if not math.isinf(value):
            return _FLOAT, value
    return _STR, text


def _underscores_ok(text: str) -> bool:
    """Go ``strconv``'s rule for ``_`` in a decimal number: only between two digits."""
    previous = "^"
    for char in text.lstrip("+-"):
        if char.isdigit():
            previous = "0"
        elif char == "_":
            if previous != "0":
                return False
            previous = "_"
        elif previous == "_":
            return False
        else:
            previous = "!"
    return previous != "_"


#: A top-level ``}`` and ``{`` separated by whitespace holding a newline: JSON strings
#: cannot hold a raw newline and ``}`` inside a value is followed by ``,``, ``]`` or ``}``,
#: so this only matches between two top-level objects of a JSON stream.
_JSON_BOUNDARY = re.compile(rb"\}[ \t\r]*\n\s*\{")
_NEWLINE = re.compile(b"\n")


#: PyYAML and its node classes, imported on first use by :func:`_import_yaml`: only the
#: exact loader and position lookups need them (the fast path saves their start-up).
yaml: Any = None
nodes: Any = None


def _import_yaml() -> None:
    global yaml, nodes
    if yaml is None:
        import yaml as yaml_module
        from yaml import nodes as nodes_module

        yaml, nodes = yaml_module, nodes_module


@functools.cache
def _composer_class() -> type:
    from yaml._yaml import CParser

    class Composer(CParser):
        """libyaml's C composer with a lean tag resolver (no path resolvers)."""

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            """Path-based resolvers are not used."""

        def ascend_resolver(self) -> None:
            """Path-based resolvers are not used."""

        def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
            """Tag of a node without an explicit one: null/bool/int/float/merge for plain
            scalars as go-yaml v2 resolves them (:func:`go_scalar`), else str, seq or
            map."""
            if kind is nodes.ScalarNode:
                if not implicit[0]:
                    return _STR
                known = _GO_TABLE.get(value)
                if known is not None:
                    return known[0]
                return go_scalar(value)[0] if value[0] in _NUMBER_START else _STR
            return _SEQ if kind is nodes.SequenceNode else _MAP

    return Composer


def _composer(data: bytes) -> Any:
    """libyaml's composer over ``data`` with go-yaml v2's plain scalar resolution."""
    _import_yaml()
    return _composer_class()(data)


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
#: Explicit tags go-yaml v2 resolves (``resolvableTag``); any other tag leaves the
#: scalar a string.
_RESOLVABLE = frozenset((_STR, _BOOL, _INT, _FLOAT, _NULL, _TIMESTAMP))
#: The layouts go-yaml v2 accepts for ``!!timestamp`` (``allowedTimestampFormats``).
_GO_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))"
    r"|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?))?"
)
#: A node's properties holding the non-specific tag ``!`` (``! 12`` is the string "12").
_NON_SPECIFIC = re.compile(r"(?:&\S+[ \t]+)?!(?:[ \t]|$)")


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _go_timestamp(text: str) -> bool:
    """Whether Go's ``time.Parse`` accepts ``text`` in one of go-yaml v2's layouts."""
    match = _GO_TIMESTAMP.fullmatch(text)
    if match is None:
        return False
    numbers = [int(g) for g in match.groups() if g is not None]
    try:
        datetime.datetime(*numbers)
    except ValueError:
        return False
    return True


def _go_float_key(value: float) -> str:
    """A float map key as sigs.k8s.io/yaml writes it: Go ``FormatFloat(f, 'g', -1,
    32)`` (the shortest digits that round-trip as a 32-bit float; exponent form below
    1e-4 and from 1e6 on), ``.inf``, ``-.inf``, ``.nan``."""
    if math.isnan(value):
        return ".nan"
    if abs(value) >= 3.4028235677973366e38:
        return ".inf" if value > 0 else "-.inf"
    single = struct.unpack("f", struct.pack("f", value))[0]
    if single == 0:
        return "-0" if math.copysign(1, single) < 0 else "0"
    for precision in range(9):
        text = f"{abs(single):.{precision}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == abs(single):
            break
    mantissa, exponent = text.split("e")
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    power = int(exponent)
    sign = "-" if single < 0 else ""
    if power < -4 or power >= 6:
        fraction = f".{digits[1:]}" if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{fraction}e{'-' if power < 0 else '+'}{abs(power):02d}"
    point = power + 1
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


#: go-yaml v2's bound on alias expansion (``decode.go``: "document contains excessive
#: aliasing"): once more than 100 decoded nodes came through aliases and more than 1,000
#: were decoded, the share through aliases may not exceed 99 % up to 400,000 decoded
#: nodes, falling linearly to 10 % at 4,000,000.
def _alias_ratio(decoded: int) -> float:
    if decoded <= 400_000:
        return 0.99
    if decoded >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * (decoded - 400_000) / 3_600_000


def check_aliasing(root: Any, path: str) -> None:
    """Refuse the composed document ``root`` as go-yaml v2 (so opm) does when alias
    expansion dominates decoding, counting without expanding: a few hundred bytes of
    nested aliases (an "alias bomb") otherwise expand to billions of nodes for every
    consumer of the decoded value. Raises InputError at the anchored node whose
    expansion crosses the bound. Cost: linear in the composed (unexpanded) nodes."""
    sizes: dict[int, int] = {}
    counts = [1, 0]  # nodes decoded (the document node first), of them through aliases

    def check(node: Any) -> None:
        decoded, aliased = counts
        if aliased > 100 and decoded > 1000 and aliased / decoded > _alias_ratio(decoded):
            mark = node.start_mark
            raise InputError(
                "invalid YAML: document contains excessive aliasing (the node anchored "
                "here is expanded too often)",
                path,
                mark.line + 1,
                mark.column + 1,
            )

    def visit(node: Any) -> None:
        start = counts[0]
        counts[0] += 1
        check(node)
        if node.__class__ is nodes.MappingNode:
            children = []
            for key, value in node.value:
                if key.tag == _MERGE:  # go-yaml decodes a merge value, not the << key
                    merged = value.value if value.__class__ is nodes.SequenceNode else [value]
                    children.extend(
                        reversed(merged) if value.__class__ is nodes.SequenceNode else merged
                    )
                else:
                    children += (key, value)
        elif node.__class__ is nodes.SequenceNode:
            children = node.value
        else:
            children = ()
        for child in children:
            size = sizes.get(id(child))
            if size is None:
                visit(child)
                continue
            counts[0] += 1 + size  # the alias node, then its target again
            counts[1] += size
            check(child)
        sizes[id(node)] = counts[0] - start

    visit(root)


class _Builder:
    """Turns composed nodes into JSON-like Python values (dict, list, str, int, float,
    bool, None) as go-yaml v2 decodes them into an ``interface{}`` and sigs.k8s.io/yaml
    turns that into JSON: plain and explicitly tagged scalars (``resolve.go``: a tag
    the value does not fit is an error), merge keys in document order (``<<`` values
    overwrite the keys before them), map keys converted to strings (a null, unsigned
    64-bit or collection key is an error). Aliases share one object; a recursive alias
    is an error. Duplicate keys keep the last value and are recorded as ``(line, column,
    key)`` (1-based). Errors are InputError at the node."""

    __slots__ = ("_lines", "data", "duplicates", "memo", "path")

    def __init__(self, path: str, data: bytes = b"") -> None:
        self.path = path
        self.data = data
        self.memo: dict[int, Any] = {}
        self.duplicates: list[tuple[int, int, str]] = []
        self._lines: list[str] | None = None

    def error(self, node: Any, message: str) -> InputError:
        mark = node.start_mark
        return InputError(f"invalid YAML: {message}", self.path, mark.line + 1, mark.column + 1)

    def build(self, node: Any) -> Any:
        tag = node.tag
        cls = node.__class__
        if cls is nodes.ScalarNode:
            return node.value if tag == _STR else self._scalar(node, tag)
        known = self.memo.get(id(node))
        if known is not None:
            if known is _IN_PROGRESS:
                raise self.error(node, "recursive alias")
            return known
        self.memo[id(node)] = _IN_PROGRESS
        if cls is nodes.SequenceNode:
            value: Any = [self.build(item) for item in node.value]
        else:
            value = self._mapping(node)
        self.memo[id(node)] = value
        return value

    def _scalar(self, node: Any, tag: str) -> Any:
        text = node.value
        if tag == _BINARY:
            try:
                return decode_base64(text).decode("utf-8", "replace")
            except ValueError:
                raise self.error(node, "!!binary value contains invalid base64 data") from None
        if tag not in _RESOLVABLE:
            return text
        resolved, value = go_scalar(text)
        if resolved == tag:
            return value if tag == _STR or not self._non_specific(node) else text
        if tag == _TIMESTAMP and _go_timestamp(text):
            return text  # go-yaml v2 keeps a timestamp a string in an interface{}
        if tag == _FLOAT and resolved == _INT and -(2**63) <= value < 2**63:
            return float(value)
        raise self.error(node, f"cannot decode {_short(resolved)} `{text}` as a {_short(tag)}")

    def _non_specific(self, node: Any) -> bool:
        """Whether the plain-resolved ``node`` carries the non-specific tag ``!``
        (libyaml resolves it like an untagged plain scalar; go-yaml keeps it a string)."""
        if b"!" not in self.data:
            return False
        if self._lines is None:
            self._lines = self.data.decode("utf-8", "replace").split("\n")
        mark = node.start_mark
        line = self._lines[mark.line] if mark.line < len(self._lines) else ""
        return _NON_SPECIFIC.match(line, mark.column) is not None

    def _key(self, node: Any) -> str:
        key = self.build(node)
        cls = key.__class__
        if cls is str:
            return key
        if cls is bool:
            return "true" if key else "false"
        if cls is int and key < 2**63:
            return str(key)
        if cls is float:
            return _go_float_key(key)
        what = "null" if key is None else f"{key}" if cls is int else f"a {_json_name(key)}"
        raise self.error(node, f"map key {what} cannot be a JSON object key (opm refuses it)")

    def _mapping(self, node: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        explicit: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self._merge(value_node, out)
                continue
            key = self._key(key_node)
            if key in explicit:
                mark = key_node.start_mark
                self.duplicates.append((mark.line + 1, mark.column + 1, key))
            explicit.add(key)
            out[key] = self.build(value_node)
        return out

    def _merge(self, node: Any, out: dict[str, Any]) -> None:
        """A ``<<`` value into ``out``: a mapping, or a sequence of mappings of which
        the earlier take precedence (go-yaml v2 ``merge``)."""
        sources = reversed(node.value) if node.__class__ is nodes.SequenceNode else [node]
        for source in sources:
            if source.__class__ is not nodes.MappingNode:
                raise self.error(source, "map merge requires map or sequence of maps as the value")
            out.update(self.build(source))


def _json_name(value: Any) -> str:
    return "list" if isinstance(value, list) else "mapping"


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
            parser = _composer(self.data)
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
        """1-based line where the blob starts (of its first key for YAML, found by
        composing the file when the fast loader read it; 1 when that fails)."""
        if self._line is None:
            if self._span is not None:
                self._line = self.source.line_col(self._span[0])[0]
            else:
                root = self._node()
                self._line = root.start_mark.line + 1 if root is not None else 1
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
                    self._root = _composer(padding + self.source.data[start:end]).get_single_node()
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
    """The InputError for libyaml's error ``exc`` on file ``path`` holding ``data``:
    worded by :func:`bundle_tools.yamlio.syntax_error` (as ``validate`` words it) when
    that re-reads the text, else libyaml's own message at its mark."""
    from bundle_tools.yamlio import syntax_error

    try:
        shared = syntax_error(path, data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        shared = None
    if shared is not None:
        return shared
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


#: Bytes kept by :func:`_needs_exact`'s first pass (``bytes.translate`` deletes every
#: other byte at C speed): control characters (tab and CR included: go-yaml and YAML 1.2
#: differ on where they may stand), ``&`` and ``!`` (anchors, tags), ``%`` (directives)
#: and the lead bytes of NEL and the C1 controls, LS/PS, BOM and U+FFFE/U+FFFF, and
#: UTF-8-encoded surrogates.
_CONTROL = bytes([*range(0x0A), *range(0x0B, 0x20), 0x7F])
_SUSPECT = _CONTROL + b"&!%\xc2\xe2\xef\xed"
_NOT_SUSPECT = bytes(c for c in range(256) if c not in _SUSPECT)
#: Per suspect byte, what makes it matter: an anchor or tag (``&`` or ``!`` and no
#: blank: ``! `` is the non-specific tag, a string in both), a directive at a line
#: start, a YAML 1.1 line break or a character libyaml refuses.
_SUSPECT_CONTEXT = {
    ord("&"): re.compile(rb"&[^ \n]"),
    ord("!"): re.compile(rb"![^ \n]"),
    ord("%"): re.compile(rb"(?:\A|\n)%"),
    0xC2: re.compile(rb"\xc2[\x80-\x9f]"),
    0xE2: re.compile(rb"\xe2\x80[\xa8\xa9]"),
    0xEF: re.compile(rb"\xef(?:\xbb\xbf|\xbf[\xbe\xbf])"),
    0xED: re.compile(rb"\xed[\xa0-\xbf]"),
}
#: A ``\\u`` or ``\\U`` escape of a surrogate: go-yaml refuses each half, YAML 1.2 joins
#: a pair.
#: In a flow collection, libyaml reads ``|``, ``>``, ``:`` and ``?`` at the start of a
#: node as indicators where YAML 1.2 (``yaml_rs``) may read a plain scalar (``[>x]``,
#: ``[? a]``), and refuses ``x:`` before ``,``, ``]`` or ``}``. Each pattern starts with
#: a literal byte, which keeps the scan fast.
_FLOW_INDICATORS = (
    re.compile(rb"\[ *[|>:?]"),
    re.compile(rb"\{ *[|>:?]"),
    re.compile(rb", *[|>:?]"),
    re.compile(rb":[,\]}]"),
)
_SURROGATE_ESCAPE = re.compile(rb"\\(?:u[dD][89a-fA-F]|U0000[dD][89a-fA-F])")
#: Searched with ``re`` (a literal first byte makes its scan a fast C loop; ``bytes.find``
#: and ``in`` are slower here).
_DOCUMENT_END = re.compile(rb"\n\.\.\.")
_MARKER = re.compile(rb"\n---")
_CONTENT = re.compile(rb"^[ ]*[^ \n#]", re.MULTILINE)
#: Timestamps stay strings (as go-yaml v2 leaves them for an interface{}), a repeated
#: key or bytes that are not UTF-8 are refused (the exact loader then reports them).
_YAML_RS_OPTIONS: dict[str, Any] = {
    "parse_datetime": False,
    "duplicate_key_policy": yaml_rs.DuplicateKeyPolicy.Error,
    "encoder_errors": "strict",
}
#: Plain scalars go-yaml v2 reads as booleans and YAML 1.2 as strings, and the merge
#: key: a string among them in the fast result may have been plain (all are at most
#: three characters long); and a lone line break, what ``yaml_rs`` makes of an empty
#: block scalar (libyaml: an empty string).
_YAML11_WORDS = frozenset(
    [*(k for k, (tag, _) in _GO_TABLE.items() if tag in (_BOOL, _MERGE) and len(k) <= 3), "\n"]
)


def _load_yaml(source: SourceFile) -> list[Blob]:
    """Every blob of a YAML file: through ``yaml_rs`` when the file qualifies, else (or
    when it refuses the file) through the exact loader."""
    blobs = None if _needs_exact(source.data) else _load_yaml_fast(source)
    return _load_yaml_exact(source) if blobs is None else blobs


def _needs_exact(data: bytes) -> bool:
    """Whether the bytes hold what YAML 1.2 (``yaml_rs``) and go-yaml v2 may read
    differently and only shows in the text: control characters, tab, CR, YAML 1.1 line
    breaks (NEL, LS, PS), a byte-order mark, non-character or encoded surrogate inside,
    a surrogate escape, anchors and tags, directives and document-end markers, flow
    collection indicators the two grammars read differently. Every
    check is a C-speed scan (``translate``, a regex with a literal first byte), so this
    costs a few milliseconds per ten MB."""
    suspect = data.translate(None, _NOT_SUSPECT)
    if suspect.translate(None, _CONTROL) != suspect:
        return True
    if any(_SUSPECT_CONTEXT[c].search(data) for c in set(suspect)):
        return True
    if _SURROGATE_ESCAPE.search(data) or any(p.search(data) for p in _FLOW_INDICATORS):
        return True
    return data.startswith(b"...") or bool(_DOCUMENT_END.search(data))


def _document_starts(data: bytes) -> list[int]:
    """Offsets of the ``---`` lines (at column 0, then a blank or the end) of a YAML
    stream."""
    starts = [0] if data.startswith(b"---") else []
    starts += [m.start() + 1 for m in _MARKER.finditer(data)]
    return [i for i in starts if data[i + 3 : i + 4] in (b"", b" ", b"\n")]


def _load_yaml_fast(source: SourceFile) -> list[Blob] | None:
    """The blobs as ``yaml_rs`` reads them, each document separately (a ``---`` line at
    column 0 always starts one, in YAML 1.1 and 1.2 alike), or None when the file needs
    the exact loader: a document is not an object (an empty document, a list, null),
    the parser refuses it (syntax error, duplicate key), or the result holds a value
    whose plain spelling go-yaml v2 may read differently (:func:`_go_agrees`)."""
    data = source.data
    starts = _document_starts(data)
    values: list[dict[str, Any]] = []
    try:
        for start, end in zip([0, *starts], [*starts, len(data)], strict=True):
            value = yaml_rs.load(data[start:end], **_YAML_RS_OPTIONS)
            if value.__class__ is dict:
                values.append(value)
            elif value is not None or start or not starts or _CONTENT.search(data, 0, end):
                return None  # not an object, or not only comments before the first ---
    except ValueError:
        return None
    if not _go_agrees(values):
        return None
    return [Blob(value, source, index) for index, value in enumerate(values)]


def _go_agrees(values: list[Any]) -> bool:
    """Whether go-yaml v2 surely reads the same values, judged from the values alone:
    every key a string, no number at all (YAML 1.2 and go-yaml v2 differ on octal,
    underscores, 64-bit overflow; catalogs written by opm hold none), no string (key or
    value) that is a YAML 1.1 boolean, the merge key or a lone line break, that starts
    with ``:`` or ``?`` (a flow collection libyaml reads otherwise), or that is a number
    once its ``_`` are dropped (go-yaml drops them, YAML 1.2 does not). Values are
    checked in one pass (a set lookup of the first character each), keys at once."""
    mappings: list[dict[str, Any]] = []
    keep = mappings.append
    stack: list[Any] = list(values)
    pop, push = stack.pop, stack.append
    while stack:
        container = pop()
        if container.__class__ is dict:
            keep(container)
            container = container.values()
        for value in container:
            cls = value.__class__
            if cls is str:
                if value[:1] in _CHECK_FIRST and not _plain_agrees(value):
                    return False
            elif cls is dict or cls is list:
                push(value)
            elif cls is not bool and value is not None:
                return False
    try:
        keys = "\0" + "\0".join(itertools.chain.from_iterable(mappings))
    except TypeError:
        return False  # a key that is not a string
    return all(_plain_agrees(key) for key in _CHECK_KEY.findall(keys))


def _plain_agrees(text: str) -> bool:
    """Whether ``text``, had it been written plain, reads as this string in go-yaml v2
    and libyaml too."""
    if text[:1] in ":?" or (len(text) < 4 and text in _YAML11_WORDS):
        return False
    return "_" not in text or text[0] not in _NUMBER_START or go_scalar(text)[0] == _STR


#: First characters of the strings :func:`_plain_agrees` must look at.
_CHECK_FIRST = frozenset(":?\n" + "".join(w[0] for w in _YAML11_WORDS) + "".join(_NUMBER_START))
#: The keys (each after a ``\\0``) that start with one of those characters; the literal
#: first character keeps the scan fast.
_CHECK_KEY = re.compile("\0([" + re.escape("".join(sorted(_CHECK_FIRST))) + "][^\0]*)")


def _load_yaml_exact(source: SourceFile) -> list[Blob]:
    parser = _composer(source.data)
    builder = _Builder(source.display, source.data)
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
        if b"&" in source.data:
            check_aliasing(root, source.display)
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
    decoder = json.JSONDecoder(
        parse_constant=_reject_constant, parse_int=_json_int, parse_float=_json_float
    )
    surrogates = _SURROGATE_ESCAPE.search(source.data) is not None
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
        except _NumberOutOfRange as exc:
            at = text.find(exc.number, index)
            line = text.count("\n", 0, at) + 1
            column = at - text.rfind("\n", 0, at)
            raise InputError(f"invalid JSON: {exc}", source.display, line, column) from None
        except ValueError as exc:
            line = source.line_col(offset)[0]
            raise InputError(f"invalid JSON: {exc}", source.display, line) from None
        size = len(text[index:end].encode("utf-8", "surrogatepass"))
        if surrogates:
            value = _replace_lone_surrogates(value)
        blob = Blob(value, source, len(blobs), span=(offset, offset + size))
        if not isinstance(value, dict):
            raise InputError(
                "JSON value is not an object with a schema field", source.display, blob.line
            )
        blobs.append(blob)
        index, offset = end, offset + size


class _NumberOutOfRange(ValueError):
    """A JSON number Go's ``encoding/json`` cannot hold in a float64 (``number``: its
    text, to find its position)."""

    def __init__(self, number: str) -> None:
        shown = number if len(number) <= 24 else f"{number[:20]}... ({len(number)} characters)"
        super().__init__(f"number {shown} is out of range (opm reads numbers as 64-bit floats)")
        self.number = number


def _json_int(text: str) -> int | float:
    """A JSON integer as orjson gives it on the fast path: an int within 64 bits, else
    a float (as Go reads every number); out of float range is an error. Never ``int()``
    on thousands of digits (Python's limit raises there)."""
    if len(text) <= 20:
        number = int(text)
        if -(2**63) <= number < 2**64:
            return number
    return _json_float(text)


def _json_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _NumberOutOfRange(text)
    return number


def _replace_lone_surrogates(value: Any) -> Any:
    """``value`` with every unpaired surrogate in its strings (and keys) replaced by
    U+FFFD, as Go's ``encoding/json`` decodes an invalid ``\\uD800`` escape."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_replace_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_replace_lone_surrogates(k): _replace_lone_surrogates(v) for k, v in value.items()}
    return value


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
        return load_blobs(path, display)
    except InputError as exc:
        if path.suffix.lower() in CATALOG_SUFFIXES:
            raise
        hint = (
            f"{exc.message} (opm parses every file under a catalog, whatever its name; "
            f"list {path.name} in an .indexignore to skip it)"
        )
        raise InputError(hint, exc.path, exc.line, exc.column) from None


def load_blobs(path: Path, display: str) -> list[Blob]:
    """Every blob of the YAML or JSON file ``path`` (shown as ``display``), whatever its
    name. Raises InputError as :func:`load_file` does, without its catalog hint (for a
    file given by itself, such as a template)."""
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
    parser = _composer(source.data)
    try:
        if not parser.check_node():
            return None
        root = parser.get_node()
        builder = _Builder(str(path), source.data)
        value = builder.build(root)
        if b"&" in source.data:
            check_aliasing(root, str(path))
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
