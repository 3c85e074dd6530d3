"""Shared pieces of ``patch-csv``: the options, the change records and the planner that
turns decisions on a parsed document into :class:`~bundle_tools.patch.textedit.YamlText`
edits plus :class:`Change` entries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import semver

from bundle_tools.bundle import is_csv
from bundle_tools.errors import InputError, UsageError
from bundle_tools.patch.textedit import PathParts, YamlText, node_value
from bundle_tools.semver_range import RangeError, parse_range
from bundle_tools.yamlio import SourceText, load_documents, pointer

CLOUDS = ("aws", "azure", "gcp")
DEPLOYMENTS = ("spec", "install", "spec", "deployments")
ANNOTATIONS = ("metadata", "annotations")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
_MISSING = object()


@dataclass(frozen=True, slots=True, kw_only=True)
class PatchOptions:
    """What to change. ``token_auth`` lists clouds (``aws``, ``azure``, ``gcp``); empty
    means no token-auth edits at all. ``related_images`` holds ``(NAME, image ref)``
    pairs; ``created_at`` an RFC 3339 UTC timestamp; ``channels`` the channel names.
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
    created_at: str | None = None
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
                semver.Version.parse(self.version)
            except ValueError:
                raise UsageError(
                    f"--version {self.version!r} is not a strict semantic version "
                    "(MAJOR.MINOR.PATCH[-PRE][+BUILD], no 'v' prefix, no leading zeros)"
                ) from None
        if self.skip_range is not None:
            try:
                parse_range(self.skip_range)
            except RangeError as exc:
                raise UsageError(f"--skip-range {self.skip_range!r}: {exc}") from None
        for option, value in (
            ("--replaces", self.replaces),
            ("--operator-image", self.operator_image),
            ("--default-channel", self.default_channel),
        ):
            if value is not None and not value.strip():
                raise UsageError(f"{option} must not be empty")
        for name, ref in self.related_images:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) or not ref.strip():
                raise UsageError(f"--related-image {name}={ref}: expected NAME=IMAGE-REF")
        if self.created_at is not None and not _TIMESTAMP.fullmatch(self.created_at):
            raise UsageError(
                f"--created-at {self.created_at!r}: expected an RFC 3339 UTC timestamp "
                "like 2024-05-01T12:00:00Z, or 'now'"
            )
        if self.channels is not None and (not self.channels or not all(self.channels)):
            raise UsageError("--channels needs a comma-separated list of channel names")
        if self.channels and self.default_channel and self.default_channel not in self.channels:
            raise UsageError(
                f"--default-channel {self.default_channel!r} is not one of --channels "
                f"{','.join(self.channels)}"
            )

    @property
    def needs_container(self) -> bool:
        """True when an edit targets the operator container."""
        return bool(self.token_auth or self.operator_image or self.related_images)


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


def get_path(data: Any, parts: PathParts, default: Any = None) -> Any:
    """The value at ``parts`` in plain data (dicts and lists), ``default`` when absent."""
    for part in parts:
        in_dict = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if not (in_dict or in_list):
            return default
        data = data[part]
    return data


def same_value(a: Any, b: Any) -> bool:
    """Equal values of equal types (so the string ``"true"`` differs from ``True``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@dataclass(slots=True)
class Planner:
    """Records edits of one document (``doc`` index in ``edit``) and the matching changes.

    ``data`` is the document as plain Python values (as parsed, before any edit);
    ``appended`` counts items already appended per sequence path, so reported indices
    stay right when several items go to one sequence. Changes whose value is already
    there are skipped, which makes every patch idempotent.
    """

    edit: YamlText
    doc: int
    data: Any
    changes: list[Change] = field(default_factory=list)
    appended: dict[PathParts, int] = field(default_factory=dict)

    @property
    def file(self) -> str:
        """The edited file, as reported in changes."""
        return str(self.edit.source.path)

    def error(self, message: str, parts: PathParts) -> InputError:
        """An InputError at the deepest existing node of ``parts``."""
        return InputError(message, self.edit.source.path, *self.edit.position(self.doc, parts))

    def set(self, parts: PathParts, new: Any) -> None:
        """Set a scalar (or add a missing key) unless it already holds ``new``."""
        old = get_path(self.data, parts, _MISSING)
        if old is not _MISSING and same_value(old, new):
            return
        self.edit.set(self.doc, parts, new)
        self.changes.append(Change(self.file, pointer(parts), _or_none(old), new))

    def append(self, parts: PathParts, items: list[Any]) -> None:
        """Append ``items`` to a sequence (created when missing), one change per item."""
        start = len(get_path(self.data, parts) or []) + self.appended.get(parts, 0)
        self.appended[parts] = self.appended.get(parts, 0) + len(items)
        self.edit.append(self.doc, parts, items)
        for offset, item in enumerate(items):
            self.changes.append(Change(self.file, pointer((*parts, start + offset)), None, item))

    def extend(self, parts: PathParts, items: list[Any]) -> None:
        """Append ``items`` to an existing list of scalars, reported as one change of
        the whole list (``verbs: [get]`` -> ``[get, list]``)."""
        old = list(get_path(self.data, parts) or [])
        self.edit.append(self.doc, parts, items)
        self.changes.append(Change(self.file, pointer(parts), old, old + items))

    def replace_item(self, parts: PathParts, new: Any) -> None:
        """Replace a whole block-sequence item (``--force``)."""
        self.edit.replace_item(self.doc, parts, new)
        self.changes.append(Change(self.file, pointer(parts), get_path(self.data, parts), new))


def _or_none(value: Any) -> Any:
    return None if value is _MISSING else value


def open_document(source: SourceText, want_csv: bool) -> Planner:
    """Parse ``source`` and return a planner for its CSV document (``want_csv``) or its
    first document. Raises InputError for invalid YAML (with line and column), a file
    without a CSV, or an empty file."""
    docs = load_documents(source)
    index = next((d.index for d in docs if is_csv(d.data)), None) if want_csv else 0
    if index is None or not docs:
        what = "no ClusterServiceVersion document" if want_csv else "empty file"
        raise InputError(what, source.path)
    edit = YamlText(source)
    return Planner(edit, index, node_value(edit.roots[index]))
