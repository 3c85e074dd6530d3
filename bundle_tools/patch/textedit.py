"""Lossless edits of YAML text: decide on the parsed tree, change only the affected bytes.

A whole-document round trip (load, modify, dump) reformats lines it never meant to touch
(multi-line plain scalars, mixed sequence indentation, folded base64). :class:`YamlText`
instead composes the text into position-carrying nodes and turns each edit into a text
splice:

- replacing a scalar rewrites only that scalar's characters, keeping its quote style;
- new mapping keys and sequence items are rendered as whole lines, in the indentation
  style of the block they go into, and inserted after the last line of the preceding
  entry (in sorted position when the mapping's keys are sorted, else at its end);
- an empty flow collection (``volumes: []``) that gains content becomes a block
  collection; a non-empty flow collection gets its new items in flow style.

Every other byte (comments, blank lines, quotes, line endings, long lines) stays
identical by construction. Paths are tuples of mapping keys (``str``) and sequence
indices (``int``) from a document root.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from bundle_tools.errors import InputError
from bundle_tools.yamlio import SourceText, compose_documents

PathParts = tuple[str | int, ...]

_BOOL_NULL = re.compile(r"(?i:y|n|yes|no|true|false|on|off|null|~)")
_NUMBER = re.compile(
    r"[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?i:inf|nan)|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+"
)
_TIMESTAMP = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[Tt ].*)?")
_PLAIN = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./:@+=~ -]*")
#: node properties before a scalar's text: anchors (``&name``) and tags (``!!str``)
_PROPERTIES = re.compile(r"(?:[&!]\S*\s+)*")
#: between a key and its value's start mark: the colon and any tag written before the
#: anchor (nothing else, so a ``!`` inside a comment is never taken for a tag)
_TAG_BEFORE = re.compile(r"\s*:\s*((?:!\S*\s+)*)")
_EMPTY_VALUE = re.compile(r":[ ]*(?:\[[ ]*\]|\{[ ]*\}|~|null|Null|NULL)?")


def _plain_ok(value: str) -> bool:
    """True when ``value`` can be written as a plain scalar and reads back as the same
    string under YAML 1.1 and 1.2 (no bool/null/number/timestamp look-alikes)."""
    return (
        bool(_PLAIN.fullmatch(value))
        and not value.endswith((" ", ":"))
        and ": " not in value
        and " #" not in value
        and not _BOOL_NULL.fullmatch(value)
        and not _NUMBER.fullmatch(value)
        and not _TIMESTAMP.fullmatch(value)
    )


def render_scalar(value: Any, style: str | None = None) -> str:
    """YAML text of a scalar: ``None`` -> ``null``, bools -> ``true``/``false``, numbers as
    is, strings plain when safe, else double-quoted. ``style`` ``"'"`` or ``'"'`` forces
    that quote style for a string (the style of a scalar being replaced)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if style == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if style == '"' or not _plain_ok(text):
        return json.dumps(text, ensure_ascii=False)
    return text


def render_flow(value: Any, quote: str | None = None) -> str:
    """Flow-style YAML text of ``value`` (``{a: 1, b: [x, y]}``); ``quote`` forces a
    quote style on strings (to match the collection's existing items)."""
    if isinstance(value, dict):
        pairs = (f"{render_key(k)}: {render_flow(v, quote)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render_flow(v, quote) for v in value) + "]"
    return render_scalar(value, quote)


def render_key(key: str) -> str:
    """A mapping key, quoted only when it has to be."""
    return render_scalar(key)


@dataclass(frozen=True, slots=True)
class Style:
    """Indentation of rendered blocks: ``map_indent`` columns between a key and the keys
    of its nested mapping, ``seq_indent`` columns between a key and the ``-`` of its
    block sequence (0 = the ``-`` sits under the key, as kubebuilder writes it),
    ``dash_width`` columns from a ``-`` to its item's content (2 for ``- x``, 4 for
    ``-   x``)."""

    map_indent: int = 2
    seq_indent: int = 0
    dash_width: int = 2

    def block(self, value: Any, col: int) -> list[str]:
        """Lines (no newline) of ``value`` as a block collection whose entries start at
        column ``col``."""
        pad = " " * col
        if isinstance(value, list):
            lines: list[str] = []
            dash = pad + "-".ljust(self.dash_width)
            for item in value:
                if isinstance(item, dict) and item:
                    inner = self.block(item, col + self.dash_width)
                    lines.append(dash + inner[0][col + self.dash_width :])
                    lines.extend(inner[1:])
                else:
                    lines.append(dash + self._inline(item))
            return lines
        lines = []
        for key, item in value.items():
            head = pad + render_key(key) + ":"
            if isinstance(item, dict) and item:
                lines.append(head)
                lines.extend(self.block(item, col + self.map_indent))
            elif isinstance(item, list) and item:
                lines.append(head)
                lines.extend(self.block(item, col + self.seq_indent))
            else:
                lines.append(head + " " + self._inline(item))
        return lines

    @staticmethod
    def _inline(value: Any) -> str:
        if isinstance(value, dict | list):
            return render_flow(value)
        return render_scalar(value)


@dataclass(slots=True)
class _Pending:
    """Additions to one existing collection node: new keys (mapping) or new items."""

    node: Any
    key: Any  # the key node whose value ``node`` is (None for a sequence item or root)
    keys: dict[str, Any]
    items: list[Any]


class YamlText:
    """Edits of one YAML text, applied as splices by :meth:`result`.

    ``source`` is parsed once (:func:`~bundle_tools.yamlio.compose_documents`):
    :attr:`documents` holds each document's data and node tree (``duplicates`` as
    ``compose_documents`` takes it). Raises InputError (with line and column) for
    invalid YAML, duplicate keys (by default) or tabs, a bare CR line ending
    (lines are spliced as LF or CRLF lines), and for an edit that
    cannot be made without touching unrelated bytes: through a YAML alias, or into an
    empty value that is not a plain mapping value. Edits address nodes by
    ``(document index, path)``.
    """

    def __init__(self, source: SourceText, duplicates: str = "error") -> None:
        self.source = source
        self.text = source.text
        #: JSON manifests (``.json``) get JSON syntax in every flow collection they gain.
        self.json = source.path.suffix.lower() == ".json"
        self.documents = compose_documents(source, duplicates)
        bare_cr = re.search(r"\r(?!\n)", self.text)
        if bare_cr:
            before = self.text[: bare_cr.start()]
            breaks = list(re.finditer(r"\r\n|\r|\n", before))
            column = bare_cr.start() - (breaks[-1].end() if breaks else 0) + 1
            raise InputError(
                "line ends with a bare CR (classic Mac OS line ending); convert the file to "
                "LF or CRLF line endings",
                source.path,
                len(breaks) + 1,
                column,
            )
        self.roots = [d.node for d in self.documents]
        #: anchor names of the nodes aliases refer to, by ``id(node)``
        self._anchors = {k: v for d in self.documents for k, v in d.anchors.items()}
        self._aliases: set[tuple[int, int]] = set()
        #: ids of the anchored nodes that some alias refers to
        self._aliased: set[int] = set()
        #: a block scalar that ends the text (its chomping matters when lines follow it)
        self._final_block: Any = None
        seen: set[int] = set()
        for root in self.roots:
            self._survey(root, seen)
        #: the file's prevailing indentation, for blocks with no local example
        self.style = self._style_of([(None, root) for root in self.roots], Style())
        self._replacements: list[tuple[int, int, str, int]] = []
        self._pending: dict[int, _Pending] = {}

    def _anchor(self, node: Any) -> str:
        """The anchor name of a node that an alias refers to."""
        return self._anchors.get(id(node), "?")

    def _survey(self, node: Any, seen: set[int]) -> None:
        """Record alias slots: ``(id(parent), index)`` of a node object met again."""
        seen.add(id(node))
        if node.id == "scalar":
            if node.style in ("|", ">") and node.end_mark.index == len(self.text):
                self._final_block = node
            return
        for i, child in enumerate(node.value):
            child = child[1] if node.id == "mapping" else child
            if id(child) in seen:
                self._aliases.add((id(node), i))
                self._aliased.add(id(child))
            else:
                self._survey(child, seen)

    def _style_of(self, nodes: list[tuple[Any, Any]], default: Style) -> Style:
        """The indentation most used by the ``(key or None, node)`` collections and the
        block collections under them; each measure falls back to ``default`` where there
        is no example."""
        counts = {"map": Counter[int](), "seq": Counter[int](), "dash": Counter[int]()}
        for key, node in nodes:
            self._measure(key, node, counts)
        return Style(
            map_indent=_most_common(counts["map"], default.map_indent),
            seq_indent=_most_common(counts["seq"], default.seq_indent),
            dash_width=_most_common(counts["dash"], default.dash_width),
        )

    def _measure(self, key: Any, node: Any, counts: dict[str, Counter[int]]) -> None:
        """Count the indentation of block collection ``node`` under ``key`` and, below
        it, of every collection it holds (aliases skipped)."""
        if node.id == "scalar" or node.flow_style or not node.value:
            return
        first = node.value[0][0] if node.id == "mapping" else node.value[0]
        start = first.start_mark  # one mark object each (a compact node builds it)
        if node.id == "sequence":
            col, width = self._dash(node)
            if width:
                counts["dash"][width] += 1
        else:
            col = start.column
        if key is not None and start.line > (key_start := key.start_mark).line:
            counts["map" if node.id == "mapping" else "seq"][col - key_start.column] += 1
        for i, child in enumerate(node.value):
            child_key, child = child if node.id == "mapping" else (None, child)
            if (id(node), i) not in self._aliases:
                self._measure(child_key, child, counts)

    # -- positions ---------------------------------------------------------------------

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _line_after(self, index: int) -> int:
        """Offset of the start of the line after the one holding ``index - 1``."""
        if index > 0 and self.text[index - 1] == "\n":
            return index
        newline = self.text.find("\n", index)
        return len(self.text) if newline < 0 else newline + 1

    def _dash(self, seq: Any) -> tuple[int, int | None]:
        """Column of the ``-`` of a block sequence's first item and the columns from it
        to the item's content (None when the content starts on the next line)."""
        first = seq.value[0]
        index = first.start_mark.index
        before = self.text[self._line_start(index) : index]
        dash = before.rstrip()
        if not dash.endswith("-"):
            return seq.start_mark.column, None
        width = len(before) - len(dash) + 1
        return len(dash) - 1, None if _is_empty(first) else width

    def _end(self, node: Any) -> int:
        """Offset just past the last character of ``node``'s own text."""
        if node.id == "scalar" or node.flow_style or not node.value:
            return node.end_mark.index
        return self._slot_end(node, len(node.value) - 1)

    def _slot_end(self, node: Any, index: int) -> int:
        """End offset of entry ``index`` of block collection ``node``: for a mapping, of
        the key and its value (an empty value ends with its key); for a sequence, of the
        item (an empty item ends after its ``-``). An alias ends after ``*name``."""
        if node.id == "mapping":
            key, child = node.value[index]
            if (id(node), index) in self._aliases:
                return self._alias_end(child, key.end_mark.index)
            if _is_empty(child):
                return key.end_mark.index
            return self._end(child)
        if (id(node), index) not in self._aliases:
            child = node.value[index]
            return child.start_mark.index if _is_empty(child) else self._end(child)
        # the text of ``*name`` is found after the item before it: walk back over alias
        # items without recursion (a sequence may hold thousands), then forward
        first = index
        while first > 0 and (id(node), first - 1) in self._aliases:
            first -= 1
        floor = self._slot_end(node, first - 1) if first else node.start_mark.index
        for i in range(first, index + 1):
            floor = self._alias_end(node.value[i], floor)
        return floor

    def _alias_end(self, target: Any, floor: int) -> int:
        """End offset of the first ``*name`` alias of ``target`` after offset ``floor``."""
        name = "*" + self._anchor(target)
        return self.text.index(name, floor) + len(name)

    def _error(self, message: str, node: Any) -> InputError:
        mark = node.start_mark
        return InputError(message, self.source.path, mark.line + 1, mark.column + 1)

    # -- lookups -----------------------------------------------------------------------

    def _walk(self, doc: int, parts: PathParts) -> tuple[list[tuple[Any, Any]], PathParts]:
        """Follow ``parts``: the ``(node, key node)`` chain that exists and the rest of
        the path that does not. Raises InputError when the path passes a YAML alias."""
        chain: list[tuple[Any, Any]] = [(self.roots[doc], None)]
        for i, part in enumerate(parts):
            node = chain[-1][0]
            if node.id == "mapping" and isinstance(part, str):
                found = [(j, k, v) for j, (k, v) in enumerate(node.value) if k.value == part]
                if not found:
                    return chain, parts[i:]
                j, key, child = found[0]
            elif node.id == "sequence" and isinstance(part, int) and part < len(node.value):
                j, key, child = part, None, node.value[part]
            else:
                return chain, parts[i:]
            if (id(node), j) in self._aliases:
                raise self._error(
                    f"cannot edit {'/'.join(map(str, parts[: i + 1]))}: it is a YAML alias "
                    f"(*{self._anchor(child)}); edit the anchored node instead",
                    key if key is not None else node,
                )
            chain.append((child, key))
        return chain, ()

    def node(self, doc: int, parts: PathParts) -> Any | None:
        """The composed node at ``parts`` (None when the path does not exist)."""
        chain, rest = self._walk(doc, parts)
        return None if rest else chain[-1][0]

    def position(self, doc: int, parts: PathParts) -> tuple[int, int]:
        """1-based ``(line, column)`` of the deepest existing node on ``parts`` (of its
        key, for a mapping value)."""
        chain, _ = self._walk(doc, parts)
        node, key = chain[-1]
        mark = (key or node).start_mark
        return mark.line + 1, mark.column + 1

    # -- edits -------------------------------------------------------------------------

    def _pending_for(self, node: Any, key: Any) -> _Pending:
        return self._pending.setdefault(id(node), _Pending(node, key, {}, []))

    def set(self, doc: int, parts: PathParts, value: Any) -> None:
        """Set the value at ``parts``: an existing scalar is rewritten in place (its quote
        style kept; a plain scalar that would not read back as ``value`` becomes
        double-quoted), a missing key is added (with missing parents as nested
        mappings). An existing collection is replaced only through :meth:`replace_item`.
        """
        chain, rest = self._walk(doc, parts)
        node, key = chain[-1]
        if _is_null(node) and key is not None and (rest or isinstance(value, dict | list)):
            nested = _nest(rest, value)
            pending = self._pending_for(node, key)
            if isinstance(nested, dict):
                for name, item in nested.items():
                    _merge(pending.keys, name, item)
            else:
                pending.items.extend(nested)
            return
        if not rest:
            if node.id != "scalar":
                raise self._error(_wrong_kind(parts, node, "a scalar"), key or node)
            self._replace_scalar(node, key, value)
            return
        if node.id != "mapping" or not all(isinstance(p, str) for p in rest):
            found = parts[: len(parts) - len(rest)]
            raise self._error(_wrong_kind(found, node, "a mapping"), key or node)
        _merge(self._pending_for(node, key).keys, str(rest[0]), _nest(rest[1:], value))

    def append(self, doc: int, parts: PathParts, items: list[Any]) -> None:
        """Append ``items`` to the sequence at ``parts`` (created when missing)."""
        chain, rest = self._walk(doc, parts)
        node, key = chain[-1]
        if rest or _is_null(node):
            self.set(doc, parts, list(items))
        elif node.id != "sequence":
            raise self._error(_wrong_kind(parts, node, "a sequence"), key or node)
        else:
            self._pending_for(node, key).items.extend(items)

    def _item(self, doc: int, parts: PathParts) -> tuple[Any, int]:
        """The sequence node and index of the item at ``parts`` (last part an index), to
        replace or remove. Raises InputError when the item is an alias or holds an anchor
        that an alias refers to (the alias would lose its target)."""
        seq, index = self.node(doc, parts[:-1]), parts[-1]
        if seq is None or seq.id != "sequence" or not isinstance(index, int):
            raise ValueError(f"not a sequence item: {parts}")
        where = "/".join(map(str, parts))
        if (id(seq), index) in self._aliases:
            anchor = self._anchor(seq.value[index])
            raise self._error(
                f"cannot replace or remove {where}: it is a YAML alias (*{anchor}); "
                "edit the anchored node instead",
                seq,
            )
        anchored = self._aliased_inside(seq.value[index])
        if anchored is not None:
            raise self._error(
                f"cannot replace or remove {where}: it holds anchor &{self._anchor(anchored)}, "
                "which an alias refers to",
                anchored,
            )
        return seq, index

    def _aliased_inside(self, node: Any) -> Any | None:
        """The first node at or under ``node`` that an alias refers to, else None."""
        if id(node) in self._aliased:
            return node
        children = [] if node.id == "scalar" else node.value
        for child in children:
            for part in child if node.id == "mapping" else (child,):
                found = self._aliased_inside(part)
                if found is not None:
                    return found
        return None

    def _block_item_span(self, seq: Any, index: int) -> tuple[int, int]:
        """Offsets of the whole lines of block-sequence item ``index``."""
        item = seq.value[index]
        start = self._line_start(item.start_mark.index)
        return start, self._line_after(self._end(item))

    def replace_item(self, doc: int, parts: PathParts, value: Any) -> None:
        """Replace the whole sequence item at ``parts`` (last part an index) with
        ``value``: in a block sequence rendered at the item's own indentation, in a flow
        sequence as a flow collection in its place."""
        seq, index = self._item(doc, parts)
        item = seq.value[index]
        if seq.flow_style:
            if not self.json:
                text = render_flow(value)
            elif item.start_mark.line == seq.start_mark.line:
                text = self._json(value, None, 0)
            else:
                text = self._json(value, self._json_indent, item.start_mark.column)
            self._replacements.append((item.start_mark.index, self._end(item), text, 0))
            return
        start, end = self._block_item_span(seq, index)
        col = self.text.rfind("-", start, item.start_mark.index) - start
        lines = self.style.block([value], col)
        self._replacements.append((start, end, self._join(lines, end), col))

    def remove_item(self, doc: int, parts: PathParts) -> None:
        """Remove the sequence item at ``parts``: its whole lines in a block sequence
        (comments on other lines stay), the item and one separating comma in a flow
        sequence. Removing the last item of a block sequence is refused (InputError):
        the key would be left without a value."""
        seq, index = self._item(doc, parts)
        item = seq.value[index]
        if not seq.flow_style:
            if len(seq.value) == 1:
                raise self._error("cannot remove the only item of a block sequence", item)
            start, end = self._block_item_span(seq, index)
            if end == len(self.text) and not self.text.endswith("\n"):
                start -= len(self.source.newline)  # the file keeps ending without one
        elif index:
            start, end = self._end(seq.value[index - 1]), self._end(item)
        elif len(seq.value) > 1:
            start, end = item.start_mark.index, seq.value[1].start_mark.index
        else:
            start, end = item.start_mark.index, self._end(item)
        self._replacements.append((start, end, "", 0))

    def _replace_scalar(self, node: Any, key: Any, value: Any) -> None:
        """Rewrite one scalar's characters; a block scalar (``|``, ``>``) becomes a flow
        scalar on its key's line, the blank lines after its content stay. The scalar's
        anchor is kept, its tag dropped."""
        start, end = node.start_mark.index, node.end_mark.index
        style = node.style if node.style in ("'", '"') else None
        text = render_scalar(value, style)
        if start == end:
            if key is None:
                raise self._error("cannot fill an empty sequence item in place", node)
            colon = self.text.index(":", key.end_mark.index) + 1
            self._replacements.append((colon, colon, " " + text, 0))
            return
        if node.style in ("|", ">"):
            end = start + len(self.text[start:end].rstrip())
        # an anchor (``&name``) stays, so aliases of the scalar keep resolving; a tag
        # (``!!str``) goes, as the new text resolves to the value's own type. A tag
        # written before the anchor lies before the node's start mark.
        if key is not None:
            before = _TAG_BEFORE.fullmatch(self.text, key.end_mark.index, start)
            start = before.start(1) if before else start
        properties = _PROPERTIES.match(self.text, start, end)
        assert properties is not None  # the pattern also matches the empty string
        anchors = [p for p in properties.group().split() if p.startswith("&")]
        self._replacements.append((start, end, "".join(a + " " for a in anchors) + text, 0))

    # -- rendering ---------------------------------------------------------------------

    def _join(self, lines: list[str], at: int) -> str:
        """``lines`` as text to insert at offset ``at``; at the end of a text without a
        final newline the line break goes before them, so the text still ends without
        one."""
        newline = self.source.newline
        body = "".join(line + newline for line in lines)
        if at == len(self.text) and self.text and not self.text.endswith("\n"):
            self._strip_final_block()
            return newline + body[: -len(newline)]
        return body

    def _strip_final_block(self) -> None:
        """A block scalar that ends the text without a line break gains one when lines
        are added after it; its chomping indicator becomes ``-`` (strip) so its value
        stays the same (``|`` -> ``|-``, ``>+2`` -> ``>2-``)."""
        node, self._final_block = self._final_block, None
        if node is None:
            return
        start = node.start_mark.index
        header = re.match(r"[|>][-+0-9]*", self.text[start:])
        assert header is not None  # a block scalar starts with its indicator
        indicator = header.group()
        new = indicator[0] + "".join(c for c in indicator[1:] if c.isdigit()) + "-"
        if new != indicator:
            self._replacements.append((start, start + len(indicator), new, 0))

    def _insert_lines(self, at: int, lines: list[str], col: int) -> None:
        self._replacements.append((at, at, self._join(lines, at), col))

    def _render_pending(self, pending: _Pending) -> None:
        node = pending.node
        if self.json:
            self._extend_json(pending, self._json_indent)
        elif node.id == "scalar" or (node.flow_style and not node.value and not self.json):
            self._expand_empty(pending)
        elif node.flow_style:
            self._extend_flow(pending)
        elif node.id == "sequence":
            col, width = self._dash(node)
            style = self._style_of([(pending.key, node)], self.style)
            style = replace(style, dash_width=width or style.dash_width)
            lines = style.block(pending.items, col)
            self._insert_lines(self._line_after(self._end(node)), lines, col)
        else:
            self._insert_keys(node, pending.keys)

    def _extend_flow(self, pending: _Pending) -> None:
        """New entries of a flow collection go after its last entry, in flow style, with
        the quote style of that entry (JSON syntax in a ``.json`` file)."""
        node = pending.node
        last = (
            (node.value[-1][1] if node.id == "mapping" else node.value[-1]) if node.value else None
        )
        if self.json:
            pieces = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in pending.keys.items()]
            pieces += [json.dumps(v) for v in pending.items]
        else:
            quoted = last is not None and last.id == "scalar" and last.style in ("'", '"')
            quote = last.style if quoted else None
            pieces = [f"{render_key(k)}: {render_flow(v, quote)}" for k, v in pending.keys.items()]
            pieces += [render_flow(v, quote) for v in pending.items]
        if last is None:
            at, text = node.end_mark.index - 1, ", ".join(pieces)
        else:
            at, text = self._end(last), "".join(", " + p for p in pieces)
        self._replacements.append((at, at, text, 0))

    @functools.cached_property
    def _json_indent(self) -> int | None:
        """Indentation step of a pretty-printed JSON file (the columns from the root's
        opening brace to its first entry, which starts a line), None when the root's
        entries are not on lines of their own (compact JSON, or not JSON)."""
        root = self.roots[0] if self.roots else None
        if root is None or root.id == "scalar" or not root.value:
            return None
        first = root.value[0][0] if root.id == "mapping" else root.value[0]
        if first.start_mark.line == root.start_mark.line:
            return None
        step = first.start_mark.column - self._indent_of(root.start_mark.index)
        return step if step > 0 else None

    def _indent_of(self, index: int) -> int:
        """Columns of leading spaces on the line holding ``index``."""
        start = self._line_start(index)
        line = self.text[start:index]
        return len(line) - len(line.lstrip(" "))

    def _json(self, value: Any, step: int | None, col: int) -> str:
        """``value`` as JSON: on one line when ``step`` is None, else indented by ``step``
        with its continuation lines starting at column ``col`` (the file's line ending)."""
        text = json.dumps(value, indent=step, ensure_ascii=False)
        return text if step is None else text.replace("\n", self.source.newline + " " * col)

    def _extend_json(self, pending: _Pending, step: int | None) -> None:
        """New keys or items of a collection in a JSON file. In pretty-printed JSON
        (``step`` = its indentation step) each goes on lines of its own at the
        indentation of the collection's entries, nested content indented by ``step``, as
        ``json.dumps(indent=step)`` writes it; a collection written on one line, or any
        in compact JSON (``step`` None), keeps its new entries on that line. An empty
        collection or a ``null`` that gains content becomes the new collection."""
        node, newline = pending.node, self.source.newline
        entries = node.value if node.id != "scalar" else []
        if entries:
            last = entries[-1][0] if node.id == "mapping" else entries[-1]
            if step is None or last.start_mark.line == node.start_mark.line:
                self._extend_flow(pending)
                return
        elif node.id == "scalar" and not _is_null(node):
            raise self._error("cannot add content to this value in place", node)
        outer = self._indent_of(node.start_mark.index)
        col = 0 if step is None else last.start_mark.column if entries else outer + step
        pieces = [
            f"{json.dumps(k, ensure_ascii=False)}: {self._json(v, step, col)}"
            for k, v in pending.keys.items()
        ]
        pieces += [self._json(v, step, col) for v in pending.items]
        if step is None:
            separator, body = ", ", ", ".join(pieces)
        else:
            separator = "," + newline + " " * col
            body = newline + " " * col + separator.join(pieces) + newline + " " * outer
        if entries:
            at = self._end(entries[-1][1] if node.id == "mapping" else entries[-1])
            self._replacements.append((at, at, "".join(separator + p for p in pieces), 0))
        elif node.id == "scalar":
            opening, closing = ("{", "}") if pending.keys else ("[", "]")
            span = (node.start_mark.index, node.end_mark.index)
            self._replacements.append((*span, opening + body + closing, 0))
        else:
            inside = (node.start_mark.index + 1, node.end_mark.index - 1)
            self._replacements.append((*inside, body, 0))

    def _insert_keys(self, node: Any, keys: dict[str, Any]) -> None:
        """New keys go in sorted position when the existing keys are sorted (as
        operator-sdk writes them), else after the last entry; each after the last line of
        the entry before it, so comments above the next key stay with that key."""
        names = [k.value for k, _ in node.value]
        ordered = names == sorted(names)
        first = node.value[0][0]
        col = first.start_mark.column
        first_line = self._line_start(first.start_mark.index)
        before_first = self.text[first_line : first.start_mark.index]
        if before_first.strip() == "?":  # an explicit key (``? key``): keys align with "?"
            col = before_first.index("?")
        first_starts_line = before_first.strip() in ("", "?")
        style = self._style_of([(None, node)], self.style)
        groups: dict[int, list[str]] = {}
        for name, value in sorted(keys.items()) if ordered else keys.items():
            position = bisect.bisect(names, name) if ordered else len(names)
            if position == 0 and first_starts_line:
                at = first_line
            else:
                at = self._line_after(self._slot_end(node, max(position, 1) - 1))
            groups.setdefault(at, []).extend(style.block({name: value}, col))
        for at, lines in groups.items():
            self._insert_lines(at, lines, col)

    def _expand_empty(self, pending: _Pending) -> None:
        """A mapping value that is empty (``key:``, ``key: null``, ``key: []``,
        ``key: {}``) and gains content becomes ``key:`` followed by a block collection."""
        node, key = pending.node, pending.key
        empty = _is_empty(node)
        span = self.text[key.end_mark.index : node.end_mark.index] if key else ""
        if key is None or not (empty or _EMPTY_VALUE.fullmatch(span)):
            raise self._error("cannot add content to this empty value in place", node)
        if empty:
            after = self._line_after(key.end_mark.index)
        else:
            self._replacements.append((key.end_mark.index, node.end_mark.index, ":", 0))
            after = self._line_after(node.end_mark.index)
        if pending.keys:
            col = key.start_mark.column + self.style.map_indent
            lines = self.style.block(pending.keys, col)
        else:
            col = key.start_mark.column + self.style.seq_indent
            lines = self.style.block(pending.items, col)
        self._insert_lines(after, lines, col)

    def result(self) -> str:
        """The edited text (the original when nothing was changed).

        Splices are applied from the end of the text backwards; insertions at the same
        offset are ordered deepest first, so a nested block's new lines precede the new
        lines of the mapping that contains it."""
        for pending in self._pending.values():
            self._render_pending(pending)
        self._pending.clear()
        ordered = sorted(self._replacements, key=lambda r: (r[0], r[1], -r[3]), reverse=True)
        self._replacements.clear()
        text = self.text
        if any(later[1] > earlier[0] for earlier, later in pairwise(ordered)):
            for start, end, new, _ in ordered:  # overlapping splices: one after the other
                text = text[:start] + new + text[end:]
            return text
        pieces, cursor = [], len(text)
        for start, end, new, _ in ordered:  # disjoint splices: one copy of the text
            pieces += (text[end:cursor], new)
            cursor = start
        pieces.append(text[:cursor])
        return "".join(reversed(pieces))


def _wrong_kind(parts: PathParts, node: Any, expected: str) -> str:
    """``spec/install: expected a mapping, found a sequence`` (for an edit that needs
    another kind of node at ``parts``)."""
    where = "/".join(map(str, parts)) or "the document"
    return f"{where}: expected {expected}, found a {node.id}"


def _nest(parts: PathParts, value: Any) -> Any:
    """``value`` wrapped in one mapping per key of ``parts`` (``("a", "b"), 1`` ->
    ``{"a": {"b": 1}}``)."""
    for part in reversed(parts):
        value = {part: value}
    return value


def _is_empty(node: Any) -> bool:
    """True for a scalar with no text at all (``key:`` or a lone ``-``)."""
    return node.id == "scalar" and node.start_mark.index == node.end_mark.index


def _is_null(node: Any) -> bool:
    return node.id == "scalar" and node.tag.endswith(":null")


def _most_common(counter: Counter[int], default: int) -> int:
    return counter.most_common(1)[0][0] if counter else default


def _merge(target: dict[str, Any], key: str, value: Any) -> None:
    """Merge ``value`` into ``target[key]`` (dicts merged, lists extended, else set)."""
    current = target.get(key)
    if isinstance(current, dict) and isinstance(value, dict):
        for k, v in value.items():
            _merge(current, k, v)
    elif isinstance(current, list) and isinstance(value, list):
        current.extend(value)
    else:
        target[key] = value
