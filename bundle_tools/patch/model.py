"""Shared pieces of ``patch-csv``: the options, the change records and the planner that
turns decisions on a parsed document into :class:`~bundle_tools.patch.textedit.YamlText`
edits plus :class:`Change` entries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bundle_tools.bundle import is_csv
from bundle_tools.csv_model import ANNOTATIONS as ANNOTATIONS  # re-exported to patch modules
from bundle_tools.csv_model import CLOUDS, get_path
from bundle_tools.csv_model import DEPLOYMENTS as DEPLOYMENTS  # re-exported to patch modules
from bundle_tools.errors import InputError, UsageError
from bundle_tools.imageref import reference_problem
from bundle_tools.names import edge_problem, listed_channel_problem, qualified_name_problem
from bundle_tools.patch.textedit import PathParts, YamlText
from bundle_tools.semver_range import RangeError, parse_range
from bundle_tools.versions import parse_strict
from bundle_tools.yamlio import SourceText, plain_data, pointer

_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
_MISSING = object()
#: Annotations that an option of their own sets (and checks).
_OWN_OPTION = {
    "olm.skipRange": "--skip-range",
    "createdAt": "--created-at",
    "containerImage": "--operator-image",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PatchOptions:
    """What to change. ``token_auth`` lists clouds (``aws``, ``azure``, ``gcp``); empty
    means no token-auth edits at all. ``related_images`` holds ``(NAME, image ref)``
    pairs (``related_images_entry`` False: no new ``spec.relatedImages`` entry for them);
    ``annotations`` ``(KEY, VALUE)`` pairs for ``metadata.annotations``; ``created_at``
    an RFC 3339 UTC timestamp, set only when the run changes something else when
    ``created_at_only_with_changes``; ``channels`` the channel names.
    Unset (None) release fields are left alone. :meth:`check` raises UsageError for
    values OLM would reject."""

    token_auth: tuple[str, ...] = ("aws",)
    deployment: str | None = None
    container: str | None = None
    force: bool = False
    credentials_requests: bool = True
    version: str | None = None
    replaces: str | None = None
    skip_range: str | None = None
    operator_image: str | None = None
    related_images: tuple[tuple[str, str], ...] = ()
    related_images_entry: bool = True
    annotations: tuple[tuple[str, str], ...] = ()
    created_at: str | None = None
    created_at_only_with_changes: bool = False
    channels: tuple[str, ...] | None = None
    default_channel: str | None = None

    def check(self) -> None:
        """Raise UsageError for an unknown cloud, a non-semver version, an invalid
        skipRange, an empty name or image, or a bad channel list."""
        for cloud in self.token_auth:
            if cloud not in CLOUDS:
                raise UsageError(f"--token-auth {cloud!r}: choose from {', '.join(CLOUDS)}")
        if self.version is not None:
            try:
                parse_strict(self.version)
            except ValueError as exc:
                raise UsageError(f"--version {self.version!r} is {exc}") from None
        if self.skip_range is not None:
            try:
                parse_range(self.skip_range)
            except RangeError as exc:
                reason = str(exc).removeprefix(f"{self.skip_range!r}: ")
                raise UsageError(f"--skip-range {self.skip_range!r}: {reason}") from None
        if self.replaces is not None and (problem := edge_problem(self.replaces)):
            # the check CSV004 makes of spec.replaces
            raise UsageError(f"--replaces {self.replaces!r} {problem} (like my-operator.v1.2.3)")
        if self.operator_image is not None:
            _check_image("--operator-image ", self.operator_image)
        env_names: dict[str, str] = {}
        for name, ref in self.related_images:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
                raise UsageError(
                    f"--related-image {name}={ref}: NAME must be letters, digits, '_', '-', '.'"
                )
            if name.upper().startswith("RELATED_IMAGE_"):
                raise UsageError(
                    f"--related-image {name}={ref}: give NAME without the RELATED_IMAGE_ "
                    f"prefix (--related-image {name[len('RELATED_IMAGE_') :]}=...)"
                )
            _check_image(f"--related-image {name}=", ref)
            env = related_image_env(name)
            if env in env_names:
                raise UsageError(
                    f"--related-image {env_names[env]} and {name} both set {env}; give it once"
                )
            env_names[env] = name
        self._check_annotations()
        if self.created_at is not None and not _valid_timestamp(self.created_at):
            raise UsageError(
                f"--created-at {self.created_at!r}: expected an RFC 3339 timestamp "
                "like 2024-05-01T12:00:00Z, or 'now'"
            )
        if self.channels == ():
            raise UsageError("--channels needs at least one channel name")
        listed = [("--channels", c) for c in self.channels or ()]
        for option, name in [*listed, ("--default-channel", self.default_channel)]:
            if name is not None and (problem := listed_channel_problem(name)):
                raise UsageError(f"invalid {option} {name!r}: channel name {problem}")
        if self.channels and self.default_channel and self.default_channel not in self.channels:
            raise UsageError(
                f"--default-channel {self.default_channel!r} is not one of --channels "
                f"{','.join(self.channels)}"
            )

    def _check_annotations(self) -> None:
        """Raise UsageError for an ``--annotation`` key that is not a qualified name, is
        given twice, or is set by an option of its own (which checks its value)."""
        seen: set[str] = set()
        for key, value in self.annotations:
            problem = qualified_name_problem(key)
            if problem:
                raise UsageError(f"--annotation {key}={value}: {problem}")
            if key in _OWN_OPTION:
                raise UsageError(
                    f"--annotation {key}=...: use {_OWN_OPTION[key]}, which checks the value"
                )
            if key in seen:
                raise UsageError(f"--annotation {key} is given twice; give it once")
            seen.add(key)

    @property
    def needs_container(self) -> bool:
        """True when an edit targets the operator container, or ``--deployment`` or
        ``--container`` names one (so a misspelt name is reported, not ignored)."""
        return bool(
            self.token_auth
            or self.operator_image
            or self.related_images
            or self.deployment is not None
            or self.container is not None
        )


def related_image_env(name: str) -> str:
    """The env var a ``--related-image`` NAME sets: ``RELATED_IMAGE_`` plus NAME
    upper-cased with every character other than letters and digits turned into ``_``
    (``quay-db`` -> ``RELATED_IMAGE_QUAY_DB``)."""
    return "RELATED_IMAGE_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def _check_image(option: str, ref: str) -> None:
    """Raise UsageError unless ``ref`` is an image reference, checked by the grammar CSV015
    and opm apply (:mod:`bundle_tools.imageref`)."""
    problem = reference_problem(ref)
    if problem:
        raise UsageError(
            f"{option}{ref!r} is not an image reference ({problem}; like "
            "quay.io/org/name:tag or quay.io/org/name@sha256:<64 hex digits>)"
        )


def _valid_timestamp(value: str) -> bool:
    """RFC 3339 shape and a real date and time (no month 13, no hour 25)."""
    if not _TIMESTAMP.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def created_at_now() -> str:
    """The current UTC time as CSVs write ``createdAt`` (``2024-05-01T12:00:00Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Change:
    """One intended edit: ``pointer`` (JSON pointer) in ``file``; ``old`` is None for an
    added value, ``new`` the value written (plain JSON types)."""

    file: str
    pointer: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON shape ``{"file", "pointer", "old", "new"}``."""
        return {"file": self.file, "pointer": self.pointer, "old": self.old, "new": self.new}


def same_value(a: Any, b: Any) -> bool:
    """Equal values of equal types (so the string ``"true"`` differs from ``True``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) and isinstance(b, str):  # quoted or plain, the same string
        return a == b
    return type(a) is type(b) and a == b


@dataclass(slots=True)
class Planner:
    """Records edits of one document (``doc`` index in ``edit``) and the matching changes.

    ``data`` is the document as plain Python values (as parsed, before any edit);
    ``appended`` counts items already appended per sequence path, so reported indices
    stay right when several items go to one sequence; ``planned`` holds the value set at
    each path. Changes whose value is already there are skipped, which makes every patch
    idempotent.
    """

    edit: YamlText
    doc: int
    data: Any
    changes: list[Change] = field(default_factory=list)
    appended: dict[PathParts, int] = field(default_factory=dict)
    planned: dict[PathParts, Any] = field(default_factory=dict)
    #: paths read or edited (a read covers the subtree below it)
    touched: set[PathParts] = field(default_factory=set)

    @property
    def file(self) -> str:
        """The edited file, as reported in changes."""
        return str(self.edit.source.path)

    def error(self, message: str, parts: PathParts) -> InputError:
        """An InputError at the deepest existing node of ``parts``."""
        return InputError(message, self.edit.source.path, *self.edit.position(self.doc, parts))

    # -- typed reads: every field patch-csv reads goes through these, so a value of the
    # -- wrong type is an input error at its position, never an exception

    def value(self, parts: PathParts) -> Any:
        """The value at ``parts`` (``None`` when missing), recorded as read. Raises
        InputError at the first node on the way that is not the mapping (for a key) or
        sequence (for an index) the path needs."""
        self.touched.add(parts)
        node = self.data
        for depth, part in enumerate(parts):
            if node is None:
                return None
            if not isinstance(node, list if isinstance(part, int) else dict):
                what = "a sequence" if isinstance(part, int) else "a mapping"
                where = parts[:depth]
                found = _describe(node)
                raise self.error(f"{_where(where)}: expected {what}, found {found}", where)
            if isinstance(node, dict):
                node = node.get(part)
            else:
                node = node[part] if 0 <= part < len(node) else None
        return node

    def mapping(self, parts: PathParts) -> dict[str, Any]:
        """The mapping at ``parts``; ``{}`` when missing or null. Raises InputError at
        the node when it is another type."""
        return self._typed(parts, dict, {}, "a mapping")

    def sequence(self, parts: PathParts) -> list[Any]:
        """The sequence at ``parts``; ``[]`` when missing or null. Raises InputError at
        the node when it is another type."""
        return self._typed(parts, list, [], "a sequence")

    def entries(self, parts: PathParts) -> list[tuple[int, dict[str, Any]]]:
        """``(index, mapping)`` of each item of the sequence at ``parts`` (as
        :meth:`sequence`). Raises InputError at an item that is not a mapping (the API
        server refuses such a list of objects)."""
        items = self.sequence(parts)
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.error(
                    f"{_where((*parts, index))}: expected a mapping, found {_describe(item)}",
                    (*parts, index),
                )
        return list(enumerate(items))

    def string(self, parts: PathParts) -> str | None:
        """The string at ``parts``; ``None`` when missing or null. Raises InputError at
        the node when it is another type (a number, a list)."""
        return self._typed(parts, str, None, "a string")

    def strings(self, parts: PathParts) -> list[str]:
        """The sequence of strings at ``parts`` (``apiGroups``, ``verbs``); ``[]`` when
        missing or null. Raises InputError at a node of another type."""
        items = self.sequence(parts)
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise self.error(
                    f"{_where((*parts, index))}: expected a string, found {_describe(item)}",
                    (*parts, index),
                )
        return items

    def _typed(self, parts: PathParts, kind: type, empty: Any, what: str) -> Any:
        found = self.value(parts)
        if found is None:
            return empty
        if not isinstance(found, kind):
            raise self.error(f"{_where(parts)}: expected {what}, found {_describe(found)}", parts)
        return found

    def result(self) -> tuple[str, list[Change]]:
        """The edited text and the changes, after :meth:`check_repeated_keys`."""
        self.check_repeated_keys()
        return self.edit.result(), self.changes

    def check_repeated_keys(self) -> None:
        """Raise InputError when a key repeated in a mapping of the document lies on a
        path this patch read or edited (the cluster keeps the last value, but which one
        the author meant is unknown); repeated keys elsewhere are left alone."""
        document = self.edit.documents[self.doc].document
        for repeated in document.duplicates:
            key_path = (*repeated.parts, repeated.key)
            for parts in sorted(self.touched, key=len):
                if parts[: len(key_path)] == key_path or key_path[: len(parts)] == parts:
                    raise InputError(
                        f"duplicate key {repeated.key!r} in {pointer(repeated.parts) or '/'} "
                        f"(first defined at line {repeated.first[0]}) lies on {pointer(parts)}, "
                        "which patch-csv reads or edits; the cluster keeps the last value: "
                        "remove the other spelling first",
                        self.edit.source.path,
                        *repeated.repeat,
                    )

    def set(self, parts: PathParts, new: Any) -> None:
        """Set a scalar (or add a missing key) unless it already holds ``new``. Raises
        UsageError when an earlier edit of this patch set the same path to another
        value (options that contradict each other)."""
        earlier = self.planned.setdefault(parts, new)
        if not same_value(earlier, new):
            raise UsageError(
                f"{pointer(parts)} would be set to both {earlier!r} and {new!r}; "
                "the options contradict each other"
            )
        self.value(parts)
        old = get_path(self.data, parts, _MISSING)
        if old is not _MISSING and same_value(old, new):
            return
        self.edit.set(self.doc, parts, new)
        self.changes.append(Change(self.file, pointer(parts), _or_none(old), new))

    def append(self, parts: PathParts, items: list[Any]) -> None:
        """Append ``items`` to a sequence (created when missing), one change per item."""
        start = len(self.sequence(parts)) + self.appended.get(parts, 0)
        self.appended[parts] = self.appended.get(parts, 0) + len(items)
        self.edit.append(self.doc, parts, items)
        for offset, item in enumerate(items):
            self.changes.append(Change(self.file, pointer((*parts, start + offset)), None, item))

    def extend(self, parts: PathParts, items: list[Any]) -> None:
        """Append ``items`` to an existing list of scalars, reported as one change of
        the whole list (``verbs: [get]`` -> ``[get, list]``)."""
        old = list(self.sequence(parts))
        self.edit.append(self.doc, parts, items)
        self.changes.append(Change(self.file, pointer(parts), old, old + items))

    def replace_item(self, parts: PathParts, new: Any) -> None:
        """Replace a whole sequence item (``--force``)."""
        self.touched.add(parts)
        self.edit.replace_item(self.doc, parts, new)
        self.changes.append(Change(self.file, pointer(parts), get_path(self.data, parts), new))

    def remove_item(self, parts: PathParts) -> None:
        """Remove a whole sequence item (``--force``); reported with ``new`` None."""
        self.touched.add(parts)
        self.edit.remove_item(self.doc, parts)
        self.changes.append(Change(self.file, pointer(parts), get_path(self.data, parts), None))


def _or_none(value: Any) -> Any:
    return None if value is _MISSING else value


def _where(parts: PathParts) -> str:
    """``spec/install/spec/deployments/0`` for a path (the wording of the text editor's
    refusals)."""
    return "/".join(map(str, parts)) or "the document"


def _describe(value: Any) -> str:
    """``a mapping``, ``a sequence`` or ``a scalar`` (message wording)."""
    if isinstance(value, dict):
        return "a mapping"
    return "a sequence" if isinstance(value, list) else "a scalar"


def open_document(source: SourceText, want_csv: bool) -> Planner:
    """Parse ``source`` and return a planner for its CSV document (``want_csv``) or its
    first document. Raises InputError for invalid YAML (with line and column), a
    recursive alias, a file without a CSV or with several, or an empty file."""
    edit = YamlText(source, duplicates="keep")
    csvs = [d.document.index for d in edit.documents if is_csv(d.document.data)]
    if want_csv and len(csvs) > 1:
        mark = edit.roots[csvs[1]].start_mark
        raise InputError(
            f"{len(csvs)} ClusterServiceVersion documents in one file "
            f"(documents {', '.join(str(i + 1) for i in csvs)}); which one to patch is "
            "ambiguous",
            source.path,
            mark.line + 1,
            mark.column + 1,
        )
    if not edit.documents or (want_csv and not csvs):
        what = "no ClusterServiceVersion document" if want_csv else "empty file"
        raise InputError(what, source.path)
    index = csvs[0] if want_csv else 0
    return Planner(edit, index, plain_data(edit.documents[index].document.data))
