"""YAML input and output: the only module that parses YAML for bundles (the catalog
loader, ``fbc/load.py``, has its own go-yaml flavoured reader).

Two loaders with one result (see :func:`compose_documents`):

* the fast path composes with libyaml (PyYAML's C ``CParser``, with marks) and builds
  plain Python data (:class:`YamlMap`, :class:`YamlSeq`, ``str``, ``int``, ``float``,
  ``bool``, ``None``, dates), resolving plain scalars by ruamel.yaml's YAML 1.2 rules
  (the exact path's rules; a differential test holds them equal). Texts of at least
  :data:`COMPACT_SIZE` characters are composed from libyaml's events into compact
  nodes instead (:class:`CompactScalar`...; a test holds them equal to libyaml's);
* the exact path is ruamel.yaml's pure-Python round-trip loader (``CommentedMap`` with
  ``.lc`` positions). It reads the files the fast path does not model (explicit tags,
  merge keys, ``%`` directives) and, for texts up to :data:`EXACT_RETRY_LIMIT`, gives the
  message of a syntax error.

Positions are 0-based inside and 1-based at this module's boundary. Every failure of the
parser or of a scalar's construction (an integer of more than 4,300 digits, an impossible
date, ``!!int notanint``, a recursive alias, a collection used as a mapping key, a lone
surrogate, excessive aliasing) raises :class:`~bundle_tools.errors.InputError` with the
file, line and column. A key repeated in a mapping is either an InputError (the
default) or, with ``duplicates="keep"``, recorded in :attr:`Document.duplicates` with the
last value kept, as Kubernetes (sigs.k8s.io/yaml) and opm keep it.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import itertools
import re
import sys
import warnings
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yaml._yaml import CParser
from yaml.composer import ComposerError
from yaml.error import MarkedYAMLError as LibyamlMarkedError
from yaml.error import YAMLError as LibyamlError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode, SequenceNode

from bundle_tools.errors import InputError
from bundle_tools.findings import escape_pointer_part as escape_pointer_part
from bundle_tools.findings import pointer as pointer
from bundle_tools.gcpause import paused
from bundle_tools.readfile import BUNDLE_FILE_LIMIT, read_regular

BOM = "\ufeff"
#: Texts up to this many characters that libyaml refuses are parsed again by the exact
#: path, whose messages the project's users know (and which reads a few YAML 1.2
#: constructs libyaml, a YAML 1.1 parser, refuses). Larger texts get libyaml's message,
#: so a hostile input never meets the pure-Python parser's super-linear corners.
EXACT_RETRY_LIMIT = 512 * 1024

#: Bounds on alias expansion, as Kubernetes' YAML decoder (sigs.k8s.io/yaml goyaml.v2
#: ``decode.go``, the fix of CVE-2019-11253) sets them: once more than 100 aliases and
#: 1,000 nodes are decoded, the share of nodes reached through aliases may be at most 99 %
#: up to 400,000 decoded nodes, falling linearly to 10 % at 4,000,000.
ALIAS_RATIO_RANGE = (400_000, 4_000_000)
#: Texts of at least this many characters leave their loaded tree out of the cyclic
#: collector's scans (:mod:`bundle_tools.gcpause`): it holds no cycles, and scanning
#: millions of objects after a large load cost more than the load. From 64 KiB on (a bundle's CRDs),
#: the collections the tree triggered when loading it cost more than the load too:
#: validate of community-kubevirt-hyperconverged 1.18.1 took 0.70 s with 1 MiB here,
#: 0.46 s with 64 KiB (medians, 2 cores at load 4; issue 10).
FREEZE_SIZE = 1 << 16
#: Texts of at least this many characters are composed into compact nodes (slots, marks
#: packed in one integer: loaded, about 60 % of the memory of PyYAML's nodes and their
#: marks, so patch-csv of a 60 MiB CSV peaks at 1.2 GB instead of 1.75) at about 1.4
#: times the CPU of libyaml's own composer, which smaller texts keep.
COMPACT_SIZE = 4 << 20
#: Collections nested deeper than this are refused (real manifests nest about 40 deep;
#: rules, JSON Schema and alias counting walk the tree recursively).
MAX_DEPTH = 128


def new_yaml() -> Any:
    """A fresh ruamel.yaml round-trip loader (the exact path); never shared, since
    ruamel's YAML objects keep state. Duplicate keys are found on the node tree
    (:func:`compose_documents`), so ruamel's own check is off."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = True
    yaml.width = 1 << 20
    return yaml


@dataclass(frozen=True, slots=True)
class SourceText:
    """A decoded text file. ``text`` has no byte-order mark and keeps its own line
    endings; ``bom`` tells whether the file started with one, ``newline`` is ``"\\r\\n"``
    when the file uses CRLF line endings, else ``"\\n"``."""

    path: Path
    text: str
    bom: bool
    newline: str

    def encode(self, text: str) -> bytes:
        """Encode ``text`` (same conventions as :attr:`text`) with this file's BOM."""
        return ((BOM if self.bom else "") + text).encode("utf-8")


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A key repeated in one mapping. ``parts`` is the path of the mapping (keys and
    sequence indexes from the document root), ``key`` the repeated key, ``first`` and
    ``repeat`` the 1-based ``(line, column)`` of its first and its last spelling (the
    value kept), ``same`` whether every spelling has an equal value."""

    parts: tuple[Any, ...]
    key: Any
    first: tuple[int, int]
    repeat: tuple[int, int]
    same: bool


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document of a file: ``data`` is the loaded tree (fast path:
    :class:`YamlMap`/:class:`YamlSeq`/plain scalars; exact path: ruamel's
    ``CommentedMap``/``CommentedSeq``/scalars; ``None`` for an empty document), ``index``
    its 0-based position in the stream, ``duplicates`` the keys repeated in its mappings
    (only with ``duplicates="keep"``; the data holds their last values)."""

    source: SourceText
    index: int
    data: Any
    duplicates: tuple[DuplicateKey, ...] = ()

    @property
    def path(self) -> Path:
        """The file the document was read from (``SourceText.path``)."""
        return self.source.path


class NotUTF8Error(InputError):
    """A file that is not UTF-8 text, positioned at its first undecodable byte."""


def read_source(path: str | Path) -> SourceText:
    """Read ``path`` as UTF-8 (with or without BOM).

    Raises InputError when the file is missing, unreadable, not a regular file (a FIFO,
    a device) or larger than :data:`~bundle_tools.readfile.BUNDLE_FILE_LIMIT` bytes,
    NotUTF8Error when it is not UTF-8.
    """
    path = Path(path)
    raw = read_regular(path, BUNDLE_FILE_LIMIT)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - before.rfind(b"\n")
        raise NotUTF8Error(
            f"file is not UTF-8 text: byte 0x{raw[exc.start]:02X} cannot be decoded",
            path,
            line,
            column,
        ) from None
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\n"
    return SourceText(path=path, text=text, bom=bom, newline=newline)


class YamlMap(dict):  # type: ignore[type-arg]
    """A mapping built by the fast path: a ``dict`` that also holds its libyaml ``node``
    (``node.value`` is the list of ``(key node, value node)``, with marks), from which
    :func:`locate` finds positions."""

    __slots__ = ("_entries", "node")


class YamlSeq(list):  # type: ignore[type-arg]
    """A sequence built by the fast path: a ``list`` with its libyaml ``node``."""

    __slots__ = ("node",)


class QuotedStr(str):
    """A string the text spells quoted or as a block scalar (``"true"``, ``'1'``,
    ``|``), as ruamel's round-trip ``ScalarString`` subclasses mark them: a value whose
    type is exactly ``str`` was a plain scalar (rules tell ``"true"`` from ``true`` this
    way, as YAML 1.1 readers such as go-yaml v2 do)."""

    __slots__ = ()


class _Resolved(str):
    """A tag the fast resolver gave a node (explicit tags from the text are plain
    ``str``), so the builder tells ``!!str 1`` (read by the exact path) from ``"1"``."""

    __slots__ = ()


_STR = _Resolved("tag:yaml.org,2002:str")
_SEQ = _Resolved("tag:yaml.org,2002:seq")
_MAP = _Resolved("tag:yaml.org,2002:map")
_NULL = _Resolved("tag:yaml.org,2002:null")
_BOOL = _Resolved("tag:yaml.org,2002:bool")
_INT = _Resolved("tag:yaml.org,2002:int")
_FLOAT = _Resolved("tag:yaml.org,2002:float")
_TIMESTAMP = _Resolved("tag:yaml.org,2002:timestamp")
#: ``<<`` and ``=``: merge keys and YAML 1.1 value keys, left to the exact path.
_EXACT_ONLY = _Resolved("tag:yaml.org,2002:merge")

#: Plain scalars ruamel.yaml resolves by the YAML 1.2 rules of its ``resolver.py``
#: (``implicit_resolvers`` for version (1, 2)): whole words first, then patterns for
#: scalars that start like a number.
_WORDS = {
    **dict.fromkeys(("true", "True", "TRUE", "false", "False", "FALSE"), _BOOL),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), _NULL),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), _FLOAT),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"), _FLOAT),
    "<<": _EXACT_ONLY,
    "=": _EXACT_ONLY,
}
_NUMERIC = (
    (
        _FLOAT,
        re.compile(
            r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
            r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
        ),
    ),
    (_INT, re.compile(r"[-+]?0b[01_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+")),
    (
        _TIMESTAMP,
        re.compile(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
            r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
            r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
        ),
    ),
)
_NUMBER_START = frozenset("-+.0123456789")
_DECIMAL = re.compile(r"[1-9][0-9]*|0")


def _resolve_plain(value: str) -> _Resolved:
    """The tag ruamel.yaml (YAML 1.2) gives the plain scalar ``value``."""
    tag = _WORDS.get(value)
    if tag is not None:
        return tag
    if value[0] in _NUMBER_START:
        for tag, pattern in _NUMERIC:
            # ruamel matches ``^(?:...)$``: ``$`` also matches before a final newline
            if pattern.fullmatch(value) or (value.endswith("\n") and pattern.fullmatch(value[:-1])):
                return tag
    return _STR


#: A node's marks are packed in one integer: its start mark's index, line and column
#: (bits 0-39, 40-79, 80-119; texts are far smaller), its end mark's index (bits
#: 120-159) and whether libyaml moved the end mark to the start of a line past the end
#: of a text that does not end with a line break (bit 160): at the end of the stream
#: libyaml starts a new line, and the block ends, empty values and the end of the
#: document found there get that mark. The end mark's line and column are found from
#: the text when asked for (rarely: edits use its index).
_FIELD_BITS = 40
_FIELD = (1 << _FIELD_BITS) - 1
_END = 3 * _FIELD_BITS
_MOVED = 4 * _FIELD_BITS
#: A line break as libyaml counts lines (``SKIP_LINE``: CRLF, CR, LF, NEL, LS, PS).
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(slots=True)
class Mark:
    """A 0-based position in a text: ``index`` (characters), ``line`` and ``column``."""

    index: int
    line: int
    column: int


class _Lines:
    """Lines and columns of libyaml's marks in one text, from the line starts found when
    an end mark's line or column is first asked for. libyaml does not count a byte-order
    mark that starts the text."""

    __slots__ = ("offset", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 1 if text.startswith(BOM) else 0
        self.starts: array[int] | None = None

    def line_start(self, index: int) -> tuple[int, int]:
        """``(line, index of its first character)`` of libyaml's ``index``."""
        starts = self.starts
        if starts is None:
            found = (m.end() for m in _BREAK.finditer(self.text))
            starts = self.starts = array("q", itertools.chain((self.offset,), found))
        line = bisect.bisect_right(starts, index + self.offset) - 1
        return line, starts[line] - self.offset

    def last(self) -> int:
        """libyaml's index of the end of the text when its marks there may be moved to a
        new line (the text does not end with a line break), else -1."""
        text = self.text
        if len(text) > self.offset and text[-1] not in "\r\n\x85\u2028\u2029":
            return len(text) - self.offset
        return -1


class _EndMark:
    """The end mark of a compact node: ``index`` at once, ``line`` and ``column`` from
    the text when asked for (edits use the index)."""

    __slots__ = ("index", "lines", "moved")

    def __init__(self, index: int, lines: _Lines, moved: int) -> None:
        self.index = index
        self.lines = lines
        self.moved = moved

    @property
    def line(self) -> int:
        """0-based line (the next one when libyaml moved the mark, see :data:`_MOVED`)."""
        return self.lines.line_start(self.index)[0] + self.moved

    @property
    def column(self) -> int:
        """0-based column (0 when libyaml moved the mark)."""
        return 0 if self.moved else self.index - self.lines.line_start(self.index)[1]


class _Node:
    """A node of the fast path: ``tag`` (a :class:`_Resolved` tag, or the explicit tag's
    text), ``value`` (a scalar's text, a sequence's nodes, a mapping's ``(key node,
    value node)`` pairs) and its start and end marks (packed in ``marks``, see
    :data:`_FIELD_BITS`; the end mark's line and column from the text's ``lines``)."""

    __slots__ = ("lines", "marks", "tag", "value")
    id: str

    def __init__(self, tag: str, value: Any, marks: int, lines: _Lines) -> None:
        self.tag = tag
        self.value = value
        self.marks = marks
        self.lines = lines

    @property
    def start_mark(self) -> Mark:
        """Where the node starts (its properties, ``&anchor`` or tag, included)."""
        marks = self.marks
        return Mark(
            marks & _FIELD, marks >> _FIELD_BITS & _FIELD, marks >> 2 * _FIELD_BITS & _FIELD
        )

    @property
    def end_mark(self) -> _EndMark:
        """Just past the node's last character."""
        marks = self.marks
        return _EndMark(marks >> _END & _FIELD, self.lines, marks >> _MOVED)


def _moved(mark: Any) -> int:
    """The moved bit (:data:`_MOVED`) of an end ``mark`` at the end of a text that may
    have one (:meth:`_Lines.last`)."""
    return 1 << _MOVED if mark.column == 0 else 0


class CompactScalar(_Node):
    """A scalar node; ``style`` is ``""`` (plain), ``'``, ``"``, ``|`` or ``>``."""

    __slots__ = ("style",)
    id = "scalar"


class CompactSequence(_Node):
    """A sequence node; ``flow_style`` is True for ``[...]``."""

    __slots__ = ("flow_style",)
    id = "sequence"


class CompactMapping(_Node):
    """A mapping node; ``flow_style`` is True for ``{...}``."""

    __slots__ = ("flow_style",)
    id = "mapping"


class _Composer(CParser):
    """libyaml's C composer with the fast resolver (no path resolvers)."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Path-based resolvers are not used."""

    def ascend_resolver(self) -> None:
        """Path-based resolvers are not used."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> _Resolved:
        """Tag of a node without an explicit tag: by :func:`_resolve_plain` for a plain
        scalar, else str, seq or map."""
        if kind is ScalarNode:
            return _resolve_plain(value) if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP


def _compose(text: str, compact: bool | None = None) -> Iterator[Any]:
    """The root node of each document of ``text``: libyaml's (PyYAML ``ScalarNode``...),
    or with ``compact`` (by default for texts of :data:`COMPACT_SIZE` characters or more)
    compact nodes composed from libyaml's events as libyaml's composer composes them: the
    same tags (resolved by :func:`_resolve_plain`), values, styles and marks; an alias is
    the node object of its anchor; an undefined alias or an anchor defined twice in a
    document is the same ``ComposerError``. Raises libyaml's YAMLError."""
    if compact is None:
        compact = len(text) >= COMPACT_SIZE
    parser = CParser(text) if compact else _Composer(text)
    try:
        if not compact:
            while parser.check_node():
                yield parser.get_node()
            return
        parser.get_event()  # the stream start
        while parser.get_event().__class__ is not StreamEndEvent:  # a document start
            yield _compose_document(parser, text)
    finally:
        parser.dispose()


def _compose_document(parser: Any, text: str) -> _Node:
    """The root node of the document whose start event ``parser`` just gave (its end
    event is read too)."""
    get = parser.get_event
    lines = _Lines(text)
    last = lines.last()
    anchors: dict[str, tuple[_Node, Any]] = {}
    root: Any = None
    parents: list[_Node] = []  # the open collections, innermost last
    key: Any = None  # the key node of the open mapping's pending pair
    keys: list[Any] = []  # the pending keys of the enclosing mappings
    while True:
        event = get()
        cls = event.__class__
        node: Any
        if cls is MappingEndEvent or cls is SequenceEndEvent:
            node = parents.pop()
            end = event.end_mark.index
            node.marks |= end << _END if end != last else end << _END | _moved(event.end_mark)
            key = keys.pop()
            continue
        if cls is AliasEvent:
            known = anchors.get(event.anchor)
            if known is None:
                raise ComposerError(None, None, "found undefined alias", event.start_mark)
            node = known[0]
        else:
            mark = event.start_mark
            start = mark.index | mark.line << _FIELD_BITS | mark.column << 2 * _FIELD_BITS
            if cls is ScalarEvent:
                tag = event.tag
                if tag is None or tag == "!":
                    tag = _resolve_plain(event.value) if event.implicit[0] else _STR
                end = event.end_mark.index
                if end == last:
                    start |= _moved(event.end_mark)
                node = CompactScalar(tag, event.value, start | end << _END, lines)
                node.style = event.style
            elif cls is MappingStartEvent:
                tag = _MAP if event.tag is None or event.tag == "!" else event.tag
                node = CompactMapping(tag, [], start, lines)
                node.flow_style = event.flow_style
            elif cls is SequenceStartEvent:
                tag = _SEQ if event.tag is None or event.tag == "!" else event.tag
                node = CompactSequence(tag, [], start, lines)
                node.flow_style = event.flow_style
            else:  # the document's end
                return root
        if cls is not AliasEvent and event.anchor is not None:
            if event.anchor in anchors:
                raise ComposerError(
                    "found duplicate anchor; first occurrence",
                    anchors[event.anchor][1],
                    "second occurrence",
                    event.start_mark,
                )
            anchors[event.anchor] = (node, event.start_mark)
        if not parents:
            root = node
        elif parents[-1].id == "sequence":
            parents[-1].value.append(node)
        elif key is None:
            key = node
        else:
            parents[-1].value.append((key, node))
            key = None
        if cls is MappingStartEvent or cls is SequenceStartEvent:
            parents.append(node)
            keys.append(key)
            key = None


class _NeedsExact(Exception):
    """The fast path met a construct it leaves to the exact path."""


def _mark(node: Any) -> tuple[int, int]:
    """1-based ``(line, column)`` of a node's start."""
    return node.start_mark.line + 1, node.start_mark.column + 1


@functools.cache
def _exact_scalars() -> Any:
    """ruamel.yaml's round-trip constructor, for the scalars whose exact type the fast
    path takes from it (ints other than plain decimals, floats, timestamps)."""
    return new_yaml().constructor


def _exact_scalar(node: Any) -> Any:
    """``node`` (a resolved int, float or timestamp) constructed by ruamel.yaml exactly
    as the round-trip loader constructs it (``ScalarInt``, ``ScalarFloat``,
    ``TimeStamp``...)."""
    from ruamel.yaml.nodes import ScalarNode as RuamelScalar
    from ruamel.yaml.tag import Tag

    constructor = _exact_scalars()
    scalar = RuamelScalar(Tag(suffix=str(node.tag)), node.value, style=node.style)
    return constructor.yaml_constructors[str(node.tag)](constructor, scalar)


class _Builder:
    """Turns libyaml nodes into :class:`YamlMap`/:class:`YamlSeq`/scalars. Aliases share
    one object; a recursive alias, a collection as a key or a scalar that cannot be
    constructed is an InputError; repeated keys keep the last value and are listed."""

    __slots__ = ("aliased", "depth", "duplicates", "memo", "path", "text")

    def __init__(self, path: Path, text: str = "") -> None:
        self.path = path
        self.text = text
        self.memo: dict[int, Any] = {}
        self.aliased = False
        self.duplicates: list[Any] = []
        self.depth = 0

    def build(self, node: Any) -> Any:
        tag = node.tag
        if tag is _STR:
            if node.style:
                if node.style == '"' and _SURROGATE.search(node.value):
                    raise _surrogate(node, self.path)
                node.value = QuotedStr(node.value)  # one string for the node and the data
            return node.value
        cls = node.__class__
        if cls is ScalarNode or cls is CompactScalar:
            return self.scalar(node)
        key = id(node)
        known = self.memo.get(key)
        if known is not None:
            self.aliased = True
            if known is _OPEN:
                raise _recursive(node, self.path, self.text)
            return known
        if tag is not _MAP and tag is not _SEQ:
            raise _NeedsExact
        self.memo[key] = _OPEN
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep(node, self.path)
        if cls is SequenceNode or cls is CompactSequence:
            seq = YamlSeq([self.build(item) for item in node.value])
            seq.node = node
            self.memo[key] = seq
            self.depth -= 1
            return seq
        mapping = YamlMap()
        mapping.node = node
        for key_node, value_node in node.value:
            if key_node.tag is _STR:
                name = key_node.value
                if key_node.style:
                    if key_node.style == '"' and _SURROGATE.search(name):
                        raise _surrogate(key_node, self.path)
                    name = QuotedStr(name)
            elif key_node.id == "scalar":
                name = self.scalar(key_node)
                if name.__class__ is not str and not _hashable(name):
                    raise _collection_key(key_node, self.path)
            else:
                raise _collection_key(key_node, self.path)
            mapping[name] = self.build(value_node)
        if len(mapping) != len(node.value):
            self.duplicates.append(node)
        self.memo[key] = mapping
        self.depth -= 1
        return mapping

    def scalar(self, node: Any) -> Any:
        tag, value = node.tag, node.value
        if tag is _NULL:
            return None
        if tag is _BOOL:
            return value in ("true", "True", "TRUE")
        if tag is _INT and _DECIMAL.fullmatch(value):
            return _construct(node, self.path, int, value)
        if tag is _INT or tag is _FLOAT or tag is _TIMESTAMP:
            return _construct(node, self.path, _exact_scalar, node)
        raise _NeedsExact


_OPEN = object()


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _construct(node: Any, path: Path, function: Any, argument: Any) -> Any:
    """``function(argument)``; a failure (a number past Python's 4,300-digit limit, an
    impossible date, a malformed number) is an InputError at ``node``."""
    try:
        return function(argument)
    except (ValueError, OverflowError, IndexError, TypeError) as exc:
        raise _unreadable(node, path, exc) from None
    except Exception as exc:
        if "ruamel" in type(exc).__module__:
            raise _unreadable(node, path, exc) from None
        raise


def _what(tag: str) -> str:
    """``"an integer"`` for ``tag:yaml.org,2002:int`` (message wording)."""
    suffix = str(tag).rsplit(":", 1)[-1]
    names = {"int": "an integer", "float": "a float", "timestamp": "a date or timestamp"}
    return names.get(suffix, f"a {suffix}" if suffix else "that type")


def _unreadable(node: Any, path: Path, exc: BaseException) -> InputError:
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0] if str(exc) else ""
    shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return InputError(
        f"invalid YAML: {shown!r} cannot be read as {_what(node.tag)}"
        + (f" ({reason})" if reason else ""),
        path,
        *_mark(node),
    )


def _recursive(node: Any, path: Path, text: str) -> InputError:
    """A collection that contains itself through an alias (go-yaml refuses it too)."""
    name = _anchor_name(node, text)
    return InputError(
        f"recursive YAML alias: the node anchored &{name} contains *{name}", path, *_mark(node)
    )


#: A UTF-16 surrogate code point, which only a ``"\\ud800"`` escape can put in a string:
#: it has no UTF-8 encoding (nothing could write or print it).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate(node: Any, path: Path) -> InputError:
    return InputError(
        "invalid YAML: the escape of a lone UTF-16 surrogate (\\ud800-\\udfff) is not a character",
        path,
        *_mark(node),
    )


def _too_deep(node: Any, path: Path) -> InputError:
    return InputError(
        f"invalid YAML: collections nested more than {MAX_DEPTH} deep", path, *_mark(node)
    )


def _check_tree(root: Any, path: Path) -> None:
    """The exact path's checks of what the fast builder checks as it goes: collections
    nested deeper than :data:`MAX_DEPTH`, collections used as mapping keys and escaped
    lone surrogates raise InputError."""
    stack = [(root, 0)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if node.id == "scalar":
            if node.style == '"' and _SURROGATE.search(node.value):
                raise _surrogate(node, path)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        if depth >= MAX_DEPTH:
            raise _too_deep(node, path)
        if node.id == "sequence":
            stack.extend((child, depth + 1) for child in node.value)
            continue
        for key, value in node.value:
            if key.id != "scalar":
                raise _collection_key(key, path)
            stack.extend(((key, depth + 1), (value, depth + 1)))


def _collection_key(node: Any, path: Path) -> InputError:
    kind = "sequence" if node.id == "sequence" else "mapping"
    return InputError(
        f"invalid YAML: a {kind} used as a mapping key (Kubernetes objects are JSON: "
        "keys are strings)",
        path,
        *_mark(node),
    )


def _marked_error(exc: Exception, marked: bool, source: SourceText) -> InputError:
    """An InputError for a YAML parser error ``exc`` of PyYAML or ruamel.yaml (both carry
    ``problem_mark``/``context_mark`` with 0-based ``line``/``column``, and, when
    ``marked``, ``context``/``problem`` texts), at the problem's 1-based line and
    column when the parser gives one."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if marked:
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    else:
        message = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
    if "'\\t'" in message:
        message = "tab character used for indentation or inside a plain token: " + message
    if mark is None:
        return InputError(f"invalid YAML: {message}", source.path)
    return InputError(f"invalid YAML: {message}", source.path, mark.line + 1, mark.column + 1)


def _libyaml_error(exc: LibyamlError, source: SourceText) -> InputError:
    """An InputError for a failure of the fast path (libyaml)."""
    return _marked_error(exc, isinstance(exc, LibyamlMarkedError), source)


def _exact_error(exc: Exception, source: SourceText) -> InputError:
    """An InputError for a failure of the exact path (ruamel.yaml)."""
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    if isinstance(exc, ReaderError):
        # a control character: the reader gives an offset, not a line and column
        before = source.text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - before.rfind("\n")
        return InputError(
            f"invalid YAML: control character U+{exc.character:04X} is not allowed",
            source.path,
            line,
            column,
        )
    return _marked_error(exc, isinstance(exc, MarkedYAMLError), source)


@dataclass(frozen=True, slots=True)
class ComposedDocument:
    """A :class:`Document` with the node tree it was built from. ``node`` is a libyaml
    (fast path) or ruamel (exact path) node: ``.id`` is ``"mapping"`` (``.value`` a list
    of ``(key node, value node)``), ``"sequence"`` (a list of nodes) or ``"scalar"`` (the
    text, ``.style`` its quote or block indicator, ``.tag``); ``.start_mark``/``.end_mark``
    hold the 0-based ``line``, ``column`` and character ``index`` into
    ``document.source.text``. An alias is the same node object as its anchor; ``anchors``
    maps ``id(node)`` of each node an alias refers to to its anchor name."""

    document: Document
    node: Any
    anchors: dict[int, str]


def _compose_fast(source: SourceText) -> list[tuple[Any, Any, list[Any], dict[int, str]]]:
    """``(node, data, mapping nodes with repeated keys, anchors)`` per document, by
    libyaml (anchors: see :attr:`ComposedDocument.anchors`).
    Raises _NeedsExact, InputError or libyaml's YAMLError."""
    text = source.text
    if text.startswith("%") or "\n%" in text:
        raise _NeedsExact  # a directive (%YAML 1.1 changes how scalars resolve)
    out = []
    for node in _compose(text):
        builder = _Builder(source.path, text)
        data = builder.build(node)
        if builder.aliased:
            _check_aliases(node, source)
        # scalar aliases share their node too: look for them when the text may anchor
        anchors = _anchors(node, text) if builder.aliased or _may_anchor(text) else {}
        repeated = [(m, _spellings(m)) for m in builder.duplicates]
        out.append((node, data, repeated, anchors))
    return out


def _compose_exact(source: SourceText) -> list[tuple[Any, Any, list[Any], dict[int, str]]]:
    """Like :func:`_compose_fast`, by ruamel.yaml's round-trip loader. A mapping with
    repeated keys keeps the last value: earlier pairs are dropped from its node before
    construction. Raises InputError, ruamel's YAMLError or RecursionError."""
    from ruamel.yaml.error import ReusedAnchorWarning, YAMLError

    yaml = new_yaml()
    out = []
    try:
        with warnings.catch_warnings():
            # YAML 1.2 lets a later anchor of the same name win, as go-yaml does
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            nodes = list(yaml.compose_all(source.text))
        for node in nodes:
            _check_tree(node, source.path)
            _check_aliases(node, source)
            repeated = [(m, _spellings(m)) for m in _repeated_mappings(node)]
            for mapping, _ in repeated:
                mapping.value = _last_pairs(mapping.value)
            try:
                data = yaml.constructor.construct_document(node)
            except (YAMLError, ValueError, OverflowError, IndexError, TypeError) as exc:
                raise _construction_error(node, source.path, exc) from None
            out.append((node, data, repeated, _anchors(node, source.text)))
    except (YAMLError, LibyamlError) as exc:
        raise _exact_error(exc, source) from None
    return out


def syntax_error(path: str | Path, text: str) -> InputError | None:
    """The InputError for YAML ``text`` that libyaml refused, worded the same by every
    loader (the bundle loader and the catalog loader): ruamel.yaml's composer re-reads
    the text because its message names the offending token at its 1-based line and
    column (``found character '|' that cannot start any token``, where libyaml says
    ``found character that cannot start any token``). None when ``text`` is longer than
    :data:`EXACT_RETRY_LIMIT` characters or ruamel.yaml reads it without a syntax error
    (the caller then words libyaml's error)."""
    from ruamel.yaml.error import ReusedAnchorWarning, YAMLError
    from ruamel.yaml.reader import ReaderError

    if len(text) > EXACT_RETRY_LIMIT:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            for _ in new_yaml().compose_all(text):
                pass
    except (YAMLError, ReaderError) as exc:
        return _exact_error(exc, SourceText(path=Path(path), text=text, bom=False, newline="\n"))
    except RecursionError:
        return None
    return None


def _construction_error(root: Any, path: Path, exc: Exception) -> InputError:
    """An InputError naming the node whose construction failed: the mark ruamel gives,
    else the first scalar the fast path cannot construct either."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        problem = getattr(exc, "problem", None) or "cannot be constructed"
        return InputError(f"invalid YAML: {problem}", path, mark.line + 1, mark.column + 1)
    for node in _walk(root):
        if node.id != "scalar":
            continue
        try:
            _exact_scalar(node) if node.tag.rsplit(":", 1)[-1] in _EXACT_TAGS else None
        except Exception as inner:
            return _unreadable(node, path, inner)
    return InputError(f"invalid YAML: {exc}", path, *_mark(root))


_EXACT_TAGS = frozenset(("int", "float", "timestamp", "bool", "null", "binary"))


def _walk(root: Any) -> Iterator[Any]:
    """Every node under ``root`` once, depth first (aliases not followed again)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if node.id == "mapping":
            for key, value in reversed(node.value):
                stack.extend((value, key))
        elif node.id == "sequence":
            stack.extend(reversed(node.value))


def _repeated_mappings(root: Any) -> list[Any]:
    """The mapping nodes under ``root`` that spell a key twice (same scalar text)."""
    out = []
    for node in _walk(root):
        if node.id == "mapping":
            keys = [k.value for k, _ in node.value if k.id == "scalar"]
            if len(set(keys)) != len(keys):
                out.append(node)
    return out


def _last_pairs(pairs: list[Any]) -> list[Any]:
    """``pairs`` with each repeated scalar key once: at its first place, with its last
    spelling and value (what the fast path's ``dict`` holds)."""
    last = {k.value: (k, v) for k, v in pairs if k.id == "scalar"}
    out, placed = [], set()
    for key, value in pairs:
        if key.id != "scalar":
            out.append((key, value))
        elif key.value not in placed:
            placed.add(key.value)
            out.append(last[key.value])
    return out


def _spellings(node: Any) -> list[tuple[str, tuple[int, int], tuple[int, int], bool]]:
    """``(key, first position, last position, every value equal)`` of each scalar key a
    mapping node spells more than once."""
    spelled: dict[str, list[tuple[Any, Any]]] = {}
    for key, value in node.value:
        if key.id == "scalar":
            spelled.setdefault(key.value, []).append((key, value))
    out = []
    for name, pairs in spelled.items():
        if len(pairs) > 1:
            shapes = [_shape(value) for _, value in pairs]
            same = all(shape == shapes[0] for shape in shapes)
            out.append((name, _mark(pairs[0][0]), _mark(pairs[-1][0]), same))
    return out


def _check_aliases(root: Any, source: SourceText) -> None:
    """Raise InputError when decoding ``root`` with every alias expanded would reach
    more nodes through aliases than :data:`ALIAS_RATIO_RANGE` allows (or a collection
    contains itself). Counts are memoized per node: linear in the node tree."""
    counts: dict[int, tuple[int, int]] = {}
    first_alias: list[Any] = []

    def count(node: Any, seen: set[int]) -> tuple[int, int]:
        key = id(node)
        if key in seen:  # an alias: its target decoded again
            if key not in counts:
                raise _recursive(node, source.path, source.text)
            if not first_alias:
                first_alias.append(node)
            decoded, _ = counts[key]
            return decoded + 1, decoded  # every node of the target is reached through it
        seen.add(key)
        decoded, aliases = 1, 0
        if node.id != "scalar":
            children = node.value
            for child in children:
                for part in child if node.id == "mapping" else (child,):
                    d, a = count(part, seen)
                    decoded, aliases = decoded + d, aliases + a
        counts[key] = (decoded, aliases)
        return decoded, aliases

    try:
        decoded, aliases = count(root, set())
    except RecursionError:
        raise InputError("invalid YAML: collections nested too deeply", source.path) from None
    low, high = ALIAS_RATIO_RANGE
    if decoded <= low:
        allowed = 0.99
    elif decoded >= high:
        allowed = 0.10
    else:
        allowed = 0.99 - 0.89 * (decoded - low) / (high - low)
    if aliases > 100 and decoded > 1000 and aliases / decoded > allowed:
        raise InputError(
            f"invalid YAML: excessive aliasing: {decoded:,} nodes with aliases expanded, "
            f"{aliases / decoded:.0%} through aliases (Kubernetes' YAML decoder refuses "
            "such a document)",
            source.path,
            *_mark(first_alias[0] if first_alias else root),
        )


def _anchors(root: Any, text: str) -> dict[int, str]:
    """``id(node)`` -> anchor name for every node an alias refers to (read from the
    text at the node's start, where its properties are)."""
    out: dict[int, str] = {}
    seen: set[int] = set()
    for node in _walk_all(root):
        if id(node) in seen and id(node) not in out:
            out[id(node)] = _anchor_name(node, text)
        seen.add(id(node))
    return out


def _anchor_name(node: Any, text: str) -> str:
    """The anchor of ``node``: ruamel's ``.anchor``, else read from the text at the
    node's start (where libyaml marks its properties)."""
    name = getattr(node, "anchor", None)
    if name is None:
        found = _ANCHOR.match(text, node.start_mark.index)
        name = found.group(1) if found else "?"
    return str(name)


_AMPERSAND = re.compile(r"&[^\s,\[\]{}]")


def _may_anchor(text: str) -> bool:
    """True when ``text`` may hold an anchor property (``&name`` where a node may
    start): a cheap gate before the walk that names the anchors of aliased scalars."""
    return any(
        found.start() == 0 or text[found.start() - 1] in " \t\r\n[{,:-"
        for found in _AMPERSAND.finditer(text)
    )


_ANCHOR = re.compile(r"(?:![^\s]*\s+)?&([^\s,\[\]{}]+)")


def _walk_all(root: Any) -> Iterator[Any]:
    """Every node occurrence under ``root``: an alias yields its target again (not its
    children)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.id == "mapping":
            for key, value in reversed(node.value):
                stack.extend((value, key))
        elif node.id == "sequence":
            stack.extend(reversed(node.value))


def _duplicate_records(
    root: Any, data: Any, repeated: list[tuple[Any, list[Any]]]
) -> list[DuplicateKey]:
    """:class:`DuplicateKey` records for the ``(mapping node, its spellings)`` of
    ``repeated`` (found while loading ``root``), with the path of each mapping."""
    if not repeated:
        return []
    paths: dict[int, tuple[Any, ...]] = {}
    _collect_paths(root, data, (), {id(node) for node, _ in repeated}, paths, set())
    out = [
        DuplicateKey(paths.get(id(node), ()), key, first, last, same)
        for node, spellings in repeated
        for key, first, last, same in spellings
    ]
    return sorted(out, key=lambda d: d.repeat)


def _collect_paths(
    node: Any, data: Any, parts: tuple[Any, ...], wanted: set[int], out: dict, seen: set[int]
) -> None:
    """Record in ``out`` the first path (data keys and indexes) of each node of
    ``wanted``."""
    if id(node) in seen or node.id == "scalar":
        return
    seen.add(id(node))
    if id(node) in wanted:
        out[id(node)] = parts
    if node.id == "sequence":
        for i, child in enumerate(node.value):
            item = data[i] if isinstance(data, list) and i < len(data) else None
            _collect_paths(child, item, (*parts, i), wanted, out, seen)
        return
    if not isinstance(data, dict):
        return
    for key, value in node.value:
        name = key.value if key.id == "scalar" else None
        if name not in data:
            name = next((k for k in data if str(k) == name), name)
        _collect_paths(value, data.get(name), (*parts, name), wanted, out, seen)


def _shape(node: Any) -> Any:
    """A comparable form of the value a node spells (tag and text, recursively)."""
    if node.id == "scalar":
        return (str(node.tag), node.value)
    if node.id == "sequence":
        return [_shape(child) for child in node.value]
    return [(_shape(k), _shape(v)) for k, v in node.value]


def _duplicate_error(source: SourceText, duplicate: DuplicateKey) -> InputError:
    return InputError(
        f"invalid YAML: duplicate key {duplicate.key!r} "
        f"(first defined at line {duplicate.first[0]})",
        source.path,
        *duplicate.repeat,
    )


def compose_documents(
    source: SourceText, duplicates: str = "error", *, exact: bool = False
) -> list[ComposedDocument]:
    """Parse every YAML document of ``source`` once, keeping the node tree (with
    character offsets, for text edits) and the data.

    The fast path (libyaml) reads the text unless it holds a construct only the exact
    path models (an explicit tag, a merge key ``<<``, a ``%`` directive); a text libyaml
    refuses goes to the exact path too when it is at most :data:`EXACT_RETRY_LIMIT`
    characters long. ``duplicates``: ``"error"`` raises InputError at the second
    spelling of a repeated key; ``"keep"`` keeps the last value and lists every repeat
    in :attr:`Document.duplicates`. ``exact`` forces the exact path (the reference of
    the differential test).

    Raises InputError (file, 1-based line and column) on syntax errors, repeated keys
    (by default), tabs used as indentation, control characters, scalars that cannot be
    constructed, recursive or excessive aliases, collections used as keys, and (file
    only) collections nested too deeply.
    """
    # parsing allocates no cycles; the collector would rescan the growing tree
    with paused(freeze=len(source.text) >= FREEZE_SIZE):
        try:
            try:
                if exact:
                    raise _NeedsExact
                composed = _compose_fast(source)
            except LibyamlError as exc:
                if len(source.text) > EXACT_RETRY_LIMIT:
                    raise _libyaml_error(exc, source) from None
                composed = _compose_exact(source)
            except _NeedsExact:
                composed = _compose_exact(source)
        except RecursionError:
            message = "invalid YAML: collections nested too deeply"
            raise InputError(message, source.path) from None
    documents = []
    for index, (node, data, repeated, anchors) in enumerate(composed):
        found = tuple(_duplicate_records(node, data, repeated))
        if found and duplicates == "error":
            raise _duplicate_error(source, found[0])
        document = Document(source, index, data, found)
        documents.append(ComposedDocument(document, node, anchors))
    return documents


def load_documents(
    source: SourceText, duplicates: str = "error", *, exact: bool = False
) -> list[Document]:
    """Parse every YAML document of ``source`` with positions (the data of
    :func:`compose_documents`, same options and errors)."""
    return [d.document for d in compose_documents(source, duplicates, exact=exact)]


_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def first_document_end(text: str) -> int | None:
    """The offset in ``text`` where Kubernetes' YAML reader ends the first document it
    hands to the decoder (k8s.io/apimachinery ``util/yaml`` ``YAMLReader.Read``, which
    opm's and OLM's ``YAMLOrJSONDecoder`` use): the start of the first line after the
    first that begins with ``---`` followed only by spaces or a ``#`` comment. ``None``
    when there is no such line, or when a ``---`` line carries anything else (the
    reader fails on it)."""
    offset = 0
    for index, found in enumerate(_LINE.finditer(text)):
        line = found.group(0)
        if line.startswith("---"):
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                return None
            if index > 0:
                return offset
        offset += len(line)
    return None


def load_file(path: str | Path, duplicates: str = "error") -> list[Document]:
    """:func:`read_source` then :func:`load_documents` (``duplicates`` as there)."""
    return load_documents(read_source(path), duplicates)


def split_pointer(text: str) -> list[str]:
    """Inverse of :func:`pointer` (tokens come back as strings)."""
    if not text:
        return []
    if not text.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {text!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in text[1:].split("/")]


def _node_start(node: Any) -> tuple[int, int] | None:
    """0-based start of a loaded collection: its node's mark (fast path) or ruamel's
    ``.lc`` (exact path); ``None`` for a scalar or plain data."""
    if isinstance(node, YamlMap | YamlSeq):
        return node.node.start_mark.line, node.node.start_mark.column
    lc = getattr(node, "lc", None)
    if lc is not None and lc.line is not None and lc.col is not None:
        return lc.line, lc.col
    return None


def _key_source(node: Any, key: Any) -> Any:
    """The exact path's mapping whose text holds ``key`` of ``node``: ``node`` itself or,
    for a key a merge key brings in, the merged mapping that provides it (the first one,
    as YAML merge does); ``None`` when ``node`` has no such key."""
    from ruamel.yaml.comments import CommentedMap, merge_attrib

    if key in (node.lc.data or {}):
        return node
    for merged in getattr(node, merge_attrib, ()):
        if isinstance(merged, CommentedMap) and key in merged:
            return _key_source(merged, key)
    return None


def _fast_entry(mapping: YamlMap, key: Any) -> tuple[Any, Any] | None:
    """``(key node, value node)`` of ``key`` in a fast-path mapping: its last spelling,
    the one whose value was kept; ``None`` when absent. The first lookup indexes the
    mapping's keys."""
    entries = getattr(mapping, "_entries", None)
    if entries is None:
        entries = {}
        scalar = _Builder(Path()).scalar
        for key_node, value_node in mapping.node.value:
            if key_node.id == "scalar":
                name = key_node.value if key_node.tag is _STR else scalar(key_node)
                entries[(name.__class__ if not isinstance(name, str) else str, name)] = (
                    key_node,
                    value_node,
                )
        mapping._entries = entries
    return entries.get((key.__class__ if not isinstance(key, str) else str, key))


def _entry_positions(node: Any, key: Any) -> tuple[int, int, int, int] | None:
    """0-based ``(key line, key column, value line, value column)`` of ``key`` in a
    loaded mapping, ``None`` when it has no such key."""
    if isinstance(node, YamlMap):
        entry = _fast_entry(node, key) if key in node else None
        if entry is None:
            return None
        key_node, value_node = entry
        kmark, vmark = key_node.start_mark, value_node.start_mark
        return kmark.line, kmark.column, vmark.line, vmark.column
    source = _key_source(node, key)
    return None if source is None else tuple(source.lc.data[key])


def _item_position(node: Any, index: int) -> tuple[int, int]:
    """0-based ``(line, column)`` of item ``index`` of a loaded sequence."""
    if isinstance(node, YamlSeq):
        mark = node.node.value[index].start_mark
        return mark.line, mark.column
    return tuple(node.lc.item(index))  # type: ignore[return-value]


def locate(root: Any, parts: Sequence[str | int]) -> tuple[int, int]:
    """1-based ``(line, column)`` of the node at ``parts`` below ``root`` (data of
    either loader).

    For a mapping key whose value is a scalar the value's position is returned, for a
    collection value the key's position. When the path leaves the tree (a missing key),
    the position of the deepest node that exists is returned, so a finding about a
    missing field points at its parent. A repeated key is found at its last spelling
    (whose value is kept); a key that a merge key (``<<: *anchor``) brings in is found
    where the anchored mapping spells it; an empty (null) value is located at its key,
    since the parser places it on the next line.
    """
    pos = _node_start(root) or (0, 0)
    node = root
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, dict) and _node_start(node) is not None:
            found = _entry_positions(node, part)
            if found is None:
                break
            kline, kcol, vline, vcol = found
            child = node[part]
            scalar = child is not None and not isinstance(child, dict | list)
            pos = (vline, vcol) if (last and scalar) else (kline, kcol)
            node = child
        elif isinstance(node, list) and _node_start(node) is not None:
            try:
                index = int(part)
            except (TypeError, ValueError):
                break
            if not 0 <= index < len(node):
                break
            pos = _item_position(node, index)
            node = node[index]
        else:
            break
    return pos[0] + 1, pos[1] + 1


def plain_data(data: Any) -> Any:
    """``data`` as plain Python values: fast-path data as it is (:class:`YamlMap` and
    :class:`YamlSeq` are ``dict`` and ``list``), exact-path data through :func:`to_plain`
    (ruamel's string, number and boolean subclasses compare by type)."""
    if isinstance(data, YamlMap | YamlSeq) or not isinstance(data, dict | list):
        return data
    return to_plain(data)


def iter_locations(
    root: Any, prefix: tuple[Any, ...] = (), at: tuple[int, int] | None = None
) -> Iterator[tuple[tuple[Any, ...], tuple[int, int]]]:
    """``(path, (line, column))`` of every node of a loaded tree in one walk, depth
    first: for each path what :func:`locate` gives (1-based)."""
    start = _node_start(root)
    if at is None:
        at = (start[0] + 1, start[1] + 1) if start else (1, 1)
    yield prefix, at
    if start is None:
        return
    if isinstance(root, dict):
        for key, child in root.items():
            kline, kcol, vline, vcol = _entry_positions(root, key)  # type: ignore[misc]
            scalar = child is not None and not isinstance(child, dict | list)
            where = (vline + 1, vcol + 1) if scalar else (kline + 1, kcol + 1)
            yield from iter_locations(child, (*prefix, key), where)
    elif isinstance(root, list):
        for index, child in enumerate(root):
            line, col = _item_position(root, index)
            yield from iter_locations(child, (*prefix, index), (line + 1, col + 1))


def iter_pointer_nodes(
    root: Any, prefix: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every ``(path, node)`` of the tree, depth first, the root first."""
    yield prefix, root
    if isinstance(root, dict):
        for key, value in root.items():
            yield from iter_pointer_nodes(value, (*prefix, key))
    elif isinstance(root, list):
        for index, value in enumerate(root):
            yield from iter_pointer_nodes(value, (*prefix, index))


def to_plain(node: Any) -> Any:
    """A copy of a loaded tree as plain JSON-compatible data, for JSON Schema validation.

    Mappings become ``dict``, sequences ``list`` (structure and order kept, so JSON paths
    are unchanged); ruamel scalar subclasses become their plain type (an anchored boolean,
    ``ScalarBoolean``, is an ``int`` subclass and becomes ``bool``); a ``TaggedScalar``
    becomes its value; YAML timestamps and dates become ISO 8601 strings, as Kubernetes
    and opm (go-yaml v2 decoding into ``interface{}``) see them. Plain data passes through
    unchanged.
    """
    if isinstance(node, dict):
        return {key: to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_plain(value) for value in node]
    if isinstance(node, bool) or node is None:
        return node
    scalarbool = sys.modules.get("ruamel.yaml.scalarbool")
    if scalarbool is not None and isinstance(node, scalarbool.ScalarBoolean):
        return bool(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    comments = sys.modules.get("ruamel.yaml.comments")
    if comments is not None and isinstance(node, comments.TaggedScalar):
        return to_plain(node.value)
    if isinstance(node, datetime.date):
        return node.isoformat()
    return node
