"""``patch-csv`` entry points: what to change in a CSV (token auth, release fields) and in
``metadata/annotations.yaml`` (channels), and which files a ``PATH`` names.

Everything here is pure apart from :func:`find_targets` (which looks at the file tree):
functions take a :class:`~bundle_tools.yamlio.SourceText` and :class:`PatchOptions` and
return the new text with the list of :class:`Change`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bundle_tools.bundle import (
    CHANNELS_KEY,
    CSV_KIND,
    DEFAULT_CHANNEL_KEY,
    find_csv_path,
    is_bundle_file,
)
from bundle_tools.errors import InputError, UsageError
from bundle_tools.names import split_channels
from bundle_tools.patch.digests import Resolver, pin_digests
from bundle_tools.patch.model import (
    ANNOTATIONS,
    DEPLOYMENTS,
    Change,
    PatchOptions,
    open_document,
)
from bundle_tools.patch.release import (
    patch_operator_image,
    patch_related_image,
    patch_version,
)
from bundle_tools.patch.textedit import PathParts
from bundle_tools.patch.tokenauth import choose_container, choose_deployment, patch_token_auth
from bundle_tools.yamlio import SourceText, read_source


def patch_csv_text(
    source: SourceText,
    options: PatchOptions,
    *,
    bundle_changed: bool = False,
    resolve_digest: Resolver | None = None,
) -> tuple[str, list[Change]]:
    """Apply ``options`` to the CSV document of ``source``. ``bundle_changed`` tells
    that other files of the bundle change in this run (for
    ``options.created_at_only_with_changes``). With ``resolve_digest``, every image
    reference is then pinned to the digest it gives (``--pin-digests``, see
    :mod:`bundle_tools.patch.digests`).

    Returns the new text (identical to ``source.text`` when nothing changes) and the
    changes in the order they were planned. Raises InputError (file and line) for
    invalid YAML, a file without a CSV, an ambiguous or unknown deployment/container,
    a conflicting volume or mount without ``force``, or an edit through a YAML alias;
    UsageError for invalid option values.
    """
    options.check()
    plan = open_document(source, want_csv=True)
    pod: PathParts = ()
    container: PathParts = ()
    if options.needs_container:
        deployment = choose_deployment(plan, options)
        pod = (*DEPLOYMENTS, deployment, "spec", "template", "spec")
        container = (*pod, "containers", choose_container(plan, pod, options))
    patch_token_auth(plan, pod, container, options)
    if options.version is not None:
        patch_version(plan, options.version)
    if options.replaces is not None:
        name = plan.planned.get(("metadata", "name"), plan.value(("metadata", "name")))
        if options.replaces == name:
            # CSV004: an edge from a CSV to itself is a cycle
            raise UsageError(f"--replaces {options.replaces!r} names this CSV itself")
        plan.set(("spec", "replaces"), options.replaces)
    if options.skip_range is not None:
        plan.set((*ANNOTATIONS, "olm.skipRange"), options.skip_range)
    if options.operator_image is not None:
        patch_operator_image(plan, container, options.operator_image)
    for name, ref in options.related_images:
        patch_related_image(plan, container, name, ref, new_entry=options.related_images_entry)
    for key, value in options.annotations:
        plan.set((*ANNOTATIONS, key), value)
    if resolve_digest is not None:
        pin_digests(plan, resolve_digest)
    if options.created_at is not None and (
        not options.created_at_only_with_changes or plan.changes or bundle_changed
    ):
        plan.set((*ANNOTATIONS, "createdAt"), options.created_at)
    return plan.result()


def patch_annotations_text(source: SourceText, options: PatchOptions) -> tuple[str, list[Change]]:
    """Set the channel annotations of a bundle's ``metadata/annotations.yaml``.

    ``--channels`` becomes the comma-separated ``channels.v1`` value. Raises InputError
    for invalid YAML or an empty file, UsageError when the default channel (given, or
    already in the file) would not be one of the bundle's channels.
    """
    options.check()
    plan = open_document(source, want_csv=False)
    root = ("annotations",)
    if options.channels is not None:
        plan.set((*root, CHANNELS_KEY), ",".join(options.channels))
    if options.channels is None and options.default_channel is None:
        return plan.result()
    current = str(plan.value((*root, CHANNELS_KEY)) or "")
    channels = options.channels or tuple(split_channels(current))
    default = options.default_channel or plan.value((*root, DEFAULT_CHANNEL_KEY))
    if default is not None and str(default) not in channels:
        option = "--default-channel" if options.default_channel else "the default channel"
        raise UsageError(
            f"{option} {str(default)!r} is not one of the bundle's channels "
            f"({','.join(channels)})"
            + ("" if options.default_channel else "; set one with --default-channel")
        )
    if options.default_channel is not None:
        plan.set((*root, DEFAULT_CHANNEL_KEY), options.default_channel)
    return plan.result()


@dataclass(frozen=True, slots=True)
class Targets:
    """Files ``patch-csv PATH`` edits: the CSV and, for channel options, the bundle's
    ``metadata/annotations.yaml`` (None when not needed); ``root`` is the bundle
    directory (links followed to write must stay inside it)."""

    csv: Path
    annotations: Path | None
    root: Path


def _csv_in_directory(path: Path) -> Path:
    """The one YAML file directly in ``path`` that mentions ``ClusterServiceVersion``
    (a directory holding a lone CSV rather than a bundle). Raises InputError when there
    is none or more than one."""
    found = [
        p
        for p in sorted(path.iterdir())
        if p.is_file() and p.suffix.lower() in (".yaml", ".yml") and CSV_KIND in read_source(p).text
    ]
    if len(found) != 1:
        what = "no ClusterServiceVersion file" if not found else "several CSV files"
        raise InputError(f"not a bundle directory (no manifests/) and {what} in it", path)
    return found[0]


def _bundle_root(csv: Path) -> Path:
    """The bundle directory of a CSV file named by ``PATH`` (or found in the directory
    ``PATH`` names): two levels up from the file (``bundle/manifests/x.yaml`` ->
    ``bundle``), also for a relative path such as ``x.yaml`` run inside manifests/ (whose
    lexical parent is ``.``)."""
    bundle = csv.absolute().parent.parent
    return bundle if csv.is_absolute() else Path(os.path.relpath(bundle))


def find_targets(path: Path, options: PatchOptions) -> Targets:
    """Resolve ``PATH``: a bundle directory (its one CSV, see ``find_csv_path``), a
    directory holding one CSV file (such as ``manifests/``), or a CSV file.
    Raises InputError when the path does not exist, holds no CSV or several CSV
    files, or the channel options
    are used without a ``metadata/annotations.yaml`` next to ``manifests/``."""
    if path.is_dir() and (path / "manifests").is_dir():
        csv, root = find_csv_path(path), path
    elif path.is_dir():
        csv = _csv_in_directory(path)
        root = _bundle_root(csv)
    elif path.is_file():
        csv, root = path, _bundle_root(path)
    elif path.exists():
        raise InputError("not a regular file or a directory", path)
    else:
        raise InputError("no such file or directory", path)
    annotations = None
    if options.channels is not None or options.default_channel is not None:
        annotations = root / "metadata" / "annotations.yaml"
        if not is_bundle_file(annotations):
            raise InputError(
                "--channels/--default-channel need the bundle's metadata/annotations.yaml",
                annotations,
            )
    return Targets(csv=csv, annotations=annotations, root=root)
