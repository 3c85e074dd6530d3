"""YAML input and output: the only module that imports ruamel.yaml.

Loading keeps positions (ruamel round-trip nodes carry 0-based ``.lc`` data; this module
converts to 1-based at its boundary). Syntax errors, duplicate keys and tabs used as
indentation raise :class:`~bundle_tools.errors.InputError` with the file, line and column:
nothing is silently repaired (no last-key-wins merge).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import (
    CommentedBase,
    CommentedMap,
    CommentedSeq,
    TaggedScalar,
    merge_attrib,
)
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean

from bundle_tools.errors import InputError
from bundle_tools.findings import escape_pointer_part as escape_pointer_part
from bundle_tools.findings import pointer as pointer

BOM = "\ufeff"


def new_yaml() -> YAML:
    """A fresh round-trip loader; never shared, since ruamel's YAML objects keep state."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
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
class Document:
    """One YAML document of a file: ``data`` is the ruamel round-trip tree
    (``CommentedMap``/``CommentedSeq``/scalars; ``None`` for an empty document),
    ``index`` its 0-based position in the stream."""

    source: SourceText
    index: int
    data: Any

    @property
    def path(self) -> Path:
        """The file the document was read from (``SourceText.path``)."""
        return self.source.path


def read_source(path: str | Path) -> SourceText:
    """Read ``path`` as UTF-8 (with or without BOM).

    Raises InputError when the file is missing, unreadable or not UTF-8.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - before.rfind(b"\n")
        raise InputError(
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


def _first_key_line(text: str, exc: DuplicateKeyError, key: str) -> int | None:
    """1-based line where the block mapping that ``exc`` names first spells ``key`` (the
    parser marks only the mapping's start and the repeat); ``None`` when not found (a
    flow mapping, an escaped key)."""
    start, repeat = exc.context_mark, exc.problem_mark
    spelled = re.compile(rf"""(['"]?){re.escape(key)}\1[ \t]*:(\s|$)""")
    lines = text.splitlines()
    for number in range(start.line, min(repeat.line, len(lines))):
        line = lines[number]
        if line[: repeat.column].strip() in ("", "-") and spelled.match(line, repeat.column):
            return number + 1
    return None


def _input_error(exc: YAMLError, source: SourceText) -> InputError:
    path = source.path
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if isinstance(exc, DuplicateKeyError):
        found = re.match(r'found duplicate key "(.*?)" with value', exc.problem or "")
        message = f"duplicate key {found.group(1)!r}" if found else "duplicate key"
        first = None
        if found and exc.context_mark is not None and exc.problem_mark is not None:
            first = _first_key_line(source.text, exc, found.group(1))
        if first is not None:
            message += f" (first defined at line {first})"
    elif isinstance(exc, MarkedYAMLError):
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    else:
        message = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
    if "'\\t'" in message:
        message = "tab character used for indentation or inside a plain token: " + message
    if mark is None:
        return InputError(f"invalid YAML: {message}", path)
    return InputError(f"invalid YAML: {message}", path, mark.line + 1, mark.column + 1)


def load_documents(source: SourceText) -> list[Document]:
    """Parse every YAML document of ``source`` with positions (the data of
    :func:`compose_documents`).

    Raises InputError (file, 1-based line and column) on syntax errors, duplicate keys,
    tabs used as indentation, control characters and collections nested too deeply.
    """
    return [composed.document for composed in compose_documents(source)]


@dataclass(frozen=True, slots=True)
class ComposedDocument:
    """A :class:`Document` with the node tree it was constructed from. ``node`` is a
    ruamel node: ``.id`` is ``"mapping"`` (``.value`` a list of ``(key node, value
    node)``), ``"sequence"`` (a list of nodes) or ``"scalar"`` (the text, ``.style`` its
    quote or block indicator, ``.tag``); ``.start_mark``/``.end_mark`` hold the 0-based
    ``line``, ``column`` and character ``index`` into ``document.source.text``. An alias
    is the same node object as its anchor."""

    document: Document
    node: Any


def compose_documents(source: SourceText) -> list[ComposedDocument]:
    """Parse every YAML document of ``source`` once, keeping both the node tree (with
    character offsets, for text edits) and the round-trip data :func:`load_documents`
    returns; the same checks apply.

    Raises InputError (file, 1-based line and column) on syntax errors, duplicate keys
    and tabs used as indentation, control characters, and (file only) for collections
    nested too deeply to parse.
    """
    yaml = new_yaml()
    documents: list[ComposedDocument] = []
    try:
        for index, node in enumerate(yaml.compose_all(source.text)):
            data = yaml.constructor.construct_document(node)
            documents.append(ComposedDocument(Document(source, index, data), node))
    except ReaderError as exc:
        # a control character: the reader gives an offset, not a line and column
        before = source.text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - before.rfind("\n")
        raise InputError(
            f"invalid YAML: control character U+{exc.character:04X} is not allowed",
            source.path,
            line,
            column,
        ) from None
    except YAMLError as exc:
        raise _input_error(exc, source) from None
    except RecursionError:
        raise InputError("invalid YAML: collections nested too deeply", source.path) from None
    return documents


def load_file(path: str | Path) -> list[Document]:
    """:func:`read_source` then :func:`load_documents`."""
    return load_documents(read_source(path))


def split_pointer(text: str) -> list[str]:
    """Inverse of :func:`pointer` (tokens come back as strings)."""
    if not text:
        return []
    if not text.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {text!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in text[1:].split("/")]


def _node_start(node: Any) -> tuple[int, int] | None:
    if isinstance(node, CommentedBase) and getattr(node, "lc", None) is not None:
        line, col = node.lc.line, node.lc.col
        if line is not None and col is not None:
            return line, col
    return None


def _key_source(node: CommentedMap, key: Any) -> CommentedMap | None:
    """The mapping whose text holds ``key`` of ``node``: ``node`` itself or, for a key a
    merge key brings in, the merged mapping that provides it (the first one, as YAML merge
    does); ``None`` when ``node`` has no such key."""
    if key in (node.lc.data or {}):
        return node
    for merged in getattr(node, merge_attrib, ()):
        if isinstance(merged, CommentedMap) and key in merged:
            return _key_source(merged, key)
    return None


def locate(root: Any, parts: Sequence[str | int]) -> tuple[int, int]:
    """1-based ``(line, column)`` of the node at ``parts`` below ``root``.

    For a mapping key whose value is a scalar the value's position is returned, for a
    collection value the key's position. When the path leaves the tree (a missing key),
    the position of the deepest node that exists is returned, so a finding about a
    missing field points at its parent. A key that a merge key (``<<: *anchor``) brings in
    is found where the anchored mapping spells it; an empty (null) value is located at its
    key, since the parser places it on the next line.
    """
    pos = _node_start(root) or (0, 0)
    node = root
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, CommentedMap):
            key = part
            source = _key_source(node, key)
            if source is None:
                break
            kline, kcol, vline, vcol = source.lc.data[key]
            child = node[key]
            scalar = child is not None and not isinstance(child, CommentedMap | CommentedSeq)
            pos = (vline, vcol) if (last and scalar) else (kline, kcol)
            node = child
        elif isinstance(node, CommentedSeq):
            try:
                index = int(part)
            except (TypeError, ValueError):
                break
            if not 0 <= index < len(node):
                break
            pos = tuple(node.lc.item(index))  # type: ignore[assignment]
            node = node[index]
        else:
            break
    return pos[0] + 1, pos[1] + 1


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
    if isinstance(node, ScalarBoolean):
        return bool(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, TaggedScalar):
        return to_plain(node.value)
    if isinstance(node, datetime.date):
        return node.isoformat()
    return node
