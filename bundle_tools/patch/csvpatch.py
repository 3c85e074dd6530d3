"""What ``patch-csv`` changes: CCO short-lived token support and release fields.

Token auth (facts: ``docs/token-auth.md`` sections 1-2, from the OpenShift
"token_auth" operator docs and the CCO code):

- ``metadata.annotations["features.operators.openshift.io/token-auth-<cloud>"]`` is the
  string ``"true"`` for each chosen cloud;
- the operator pod has volume ``bound-sa-token``: a projected ``serviceAccountToken``
  with ``audience: openshift``, ``expirationSeconds: 3600``, ``path: token``; the
  operator container mounts it read-only at ``/var/run/secrets/openshift/serviceaccount``;
- ``spec.install.spec.clusterPermissions`` for the deployment's service account reads
  ``config.openshift.io/infrastructures`` and ``operator.openshift.io/cloudcredentials``
  and manages ``cloudcredential.openshift.io/credentialsrequests``.

Release fields replace the usual ``yq`` edits: ``spec.version`` and the ``.vX.Y.Z``
suffix of ``metadata.name``, ``spec.replaces``, ``olm.skipRange``, the operator image
(and ``containerImage``), ``RELATED_IMAGE_*`` env vars with ``spec.relatedImages``,
``createdAt``, and the channel annotations of ``metadata/annotations.yaml``.

Everything here is pure: functions take a :class:`~bundle_tools.yamlio.SourceText` and
:class:`PatchOptions` and return the new text with the list of :class:`Change`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import semver

from bundle_tools.bundle import (
    CHANNELS_KEY,
    CSV_KIND,
    DEFAULT_CHANNEL_KEY,
    find_csv_path,
    is_csv,
    manifest_paths,
)
from bundle_tools.errors import InputError, UsageError
from bundle_tools.patch.textedit import PathParts, YamlText, node_value
from bundle_tools.semver_range import RangeError, parse_range
from bundle_tools.yamlio import SourceText, load_documents, pointer, read_source

CLOUDS = ("aws", "azure", "gcp")
TOKEN_AUTH_PREFIX = "features.operators.openshift.io/token-auth-"
VOLUME_NAME = "bound-sa-token"
MOUNT_PATH = "/var/run/secrets/openshift/serviceaccount"
TOKEN_VOLUME = {
    "name": VOLUME_NAME,
    "projected": {
        "sources": [
            {
                "serviceAccountToken": {
                    "audience": "openshift",
                    "expirationSeconds": 3600,
                    "path": "token",
                }
            }
        ]
    },
}
TOKEN_MOUNT = {"mountPath": MOUNT_PATH, "name": VOLUME_NAME, "readOnly": True}
READ_VERBS = ("get", "list", "watch")
#: ``(apiGroup, resource, verbs)`` granted in clusterPermissions.
CLUSTER_RULES = (
    ("config.openshift.io", "infrastructures", READ_VERBS),
    ("operator.openshift.io", "cloudcredentials", READ_VERBS),
)
CREDENTIALS_RULE = (
    "cloudcredential.openshift.io",
    "credentialsrequests",
    ("create", "delete", "get", "list", "patch", "update", "watch"),
)
DEFAULT_CONTAINER = "manager"
DEPLOYMENTS = ("spec", "install", "spec", "deployments")
CLUSTER_PERMISSIONS = ("spec", "install", "spec", "clusterPermissions")
ANNOTATIONS = ("metadata", "annotations")
_NAME_VERSION = re.compile(r"(?P<base>.+)\.v(?P<version>\d+\.\d+\.\d+\S*)")
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


def _get(data: Any, parts: PathParts, default: Any = None) -> Any:
    for part in parts:
        in_dict = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if not (in_dict or in_list):
            return default
        data = data[part]
    return data


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types (so the string ``"true"`` differs from ``True``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@dataclass(slots=True)
class _Planner:
    """Records edits of one document in a :class:`YamlText` and the matching changes."""

    edit: YamlText
    doc: int
    data: Any
    changes: list[Change] = field(default_factory=list)
    appended: dict[PathParts, int] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return str(self.edit.source.path)

    def error(self, message: str, parts: PathParts) -> InputError:
        return InputError(message, self.edit.source.path, *self.edit.position(self.doc, parts))

    def set(self, parts: PathParts, new: Any) -> None:
        old = _get(self.data, parts, _MISSING)
        if old is not _MISSING and _same(old, new):
            return
        self.edit.set(self.doc, parts, new)
        self.changes.append(Change(self.file, pointer(parts), _or_none(old), new))

    def append(self, parts: PathParts, items: list[Any]) -> None:
        start = len(_get(self.data, parts) or []) + self.appended.get(parts, 0)
        self.appended[parts] = self.appended.get(parts, 0) + len(items)
        self.edit.append(self.doc, parts, items)
        for offset, item in enumerate(items):
            self.changes.append(Change(self.file, pointer((*parts, start + offset)), None, item))

    def replace_item(self, parts: PathParts, new: Any) -> None:
        self.edit.replace_item(self.doc, parts, new)
        self.changes.append(Change(self.file, pointer(parts), _get(self.data, parts), new))


def _or_none(value: Any) -> Any:
    return None if value is _MISSING else value


def _planner(source: SourceText, want_csv: bool) -> _Planner:
    docs = load_documents(source)
    index = next((d.index for d in docs if is_csv(d.data)), None) if want_csv else 0
    if index is None or not docs:
        what = "no ClusterServiceVersion document" if want_csv else "empty file"
        raise InputError(what, source.path)
    edit = YamlText(source)
    return _Planner(edit, index, node_value(edit.roots[index]))


def _names(items: list[Any]) -> list[str]:
    return [str(i.get("name")) for i in items if isinstance(i, dict)]


def _choose_deployment(plan: _Planner, options: PatchOptions) -> int:
    deployments = _get(plan.data, DEPLOYMENTS)
    if not isinstance(deployments, list) or not deployments:
        raise plan.error("the CSV has no spec.install.spec.deployments", DEPLOYMENTS)
    names = _names(deployments)
    if options.deployment is not None:
        if options.deployment not in names:
            raise plan.error(
                f"no deployment named {options.deployment!r}; deployments: {', '.join(names)}",
                DEPLOYMENTS,
            )
        return names.index(options.deployment)
    if len(deployments) == 1:
        return 0
    wanted = options.container or DEFAULT_CONTAINER
    having = [
        i
        for i, d in enumerate(deployments)
        if wanted in _names(_get(d, ("spec", "template", "spec", "containers")) or [])
    ]
    if len(having) == 1:
        return having[0]
    raise plan.error(
        f"{len(deployments)} deployments and none chosen: {', '.join(names)}; "
        "pick the operator's with --deployment NAME",
        DEPLOYMENTS,
    )


def _choose_container(plan: _Planner, pod: PathParts, options: PatchOptions) -> int:
    containers = _get(plan.data, (*pod, "containers"))
    if not isinstance(containers, list) or not containers:
        raise plan.error("the deployment's pod spec has no containers", pod)
    names = _names(containers)
    if options.container is not None:
        if options.container not in names:
            raise plan.error(
                f"no container named {options.container!r}; containers: {', '.join(names)}",
                (*pod, "containers"),
            )
        return names.index(options.container)
    if len(containers) == 1:
        return 0
    if DEFAULT_CONTAINER in names:
        return names.index(DEFAULT_CONTAINER)
    raise plan.error(
        f"{len(containers)} containers and none named {DEFAULT_CONTAINER!r}: "
        f"{', '.join(names)}; pick the operator's with --container NAME",
        (*pod, "containers"),
    )


def _normalized_volume(volume: Any) -> Any:
    """``volume`` with the Kubernetes default ``expirationSeconds: 3600`` filled in."""
    volume = copy.deepcopy(volume)
    for source in _get(volume, ("projected", "sources")) or []:
        token = source.get("serviceAccountToken") if isinstance(source, dict) else None
        if isinstance(token, dict):
            token.setdefault("expirationSeconds", 3600)
    return volume


def _patch_volume(plan: _Planner, pod: PathParts, force: bool) -> None:
    volumes = _get(plan.data, (*pod, "volumes")) or []
    for i, volume in enumerate(volumes):
        if isinstance(volume, dict) and volume.get("name") == VOLUME_NAME:
            if _same(_normalized_volume(volume), TOKEN_VOLUME):
                return
            if not force:
                raise plan.error(
                    f"volume {VOLUME_NAME!r} already exists with other content than the "
                    "projected serviceAccountToken (audience openshift, path token) this "
                    "patch adds; use --force to replace it",
                    (*pod, "volumes", i),
                )
            plan.replace_item((*pod, "volumes", i), TOKEN_VOLUME)
            return
    plan.append((*pod, "volumes"), [TOKEN_VOLUME])


def _patch_mount(plan: _Planner, container: PathParts, force: bool) -> None:
    mounts = _get(plan.data, (*container, "volumeMounts")) or []
    for i, mount in enumerate(mounts):
        if not isinstance(mount, dict):
            continue
        if mount.get("name") == VOLUME_NAME or mount.get("mountPath") == MOUNT_PATH:
            if _same(mount, TOKEN_MOUNT):
                return
            if not force:
                raise plan.error(
                    f"volumeMount {mount.get('name')!r} at {mount.get('mountPath')!r} "
                    f"conflicts with the {VOLUME_NAME!r} mount at {MOUNT_PATH} this patch "
                    "adds; use --force to replace it",
                    (*container, "volumeMounts", i),
                )
            plan.replace_item((*container, "volumeMounts", i), TOKEN_MOUNT)
            return
    plan.append((*container, "volumeMounts"), [TOKEN_MOUNT])


def _covered_verbs(rules: list[Any], group: str, resource: str) -> set[str] | None:
    """Verbs granted on ``group/resource`` by ``rules`` (None = all, via ``*``); rules
    limited by ``resourceNames`` do not count."""
    verbs: set[str] = set()
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("resourceNames"):
            continue
        groups, resources = rule.get("apiGroups") or [], rule.get("resources") or []
        if (group in groups or "*" in groups) and (resource in resources or "*" in resources):
            granted = {str(v) for v in rule.get("verbs") or []}
            if "*" in granted:
                return None
            verbs |= granted
    return verbs


def _patch_cluster_permissions(plan: _Planner, account: str, with_credentials: bool) -> None:
    needed = CLUSTER_RULES + ((CREDENTIALS_RULE,) if with_credentials else ())
    entries = _get(plan.data, CLUSTER_PERMISSIONS) or []
    mine = [
        i
        for i, e in enumerate(entries)
        if isinstance(e, dict) and e.get("serviceAccountName") == account
    ]
    if not mine:
        rules = [{"apiGroups": [g], "resources": [r], "verbs": list(v)} for g, r, v in needed]
        plan.append(CLUSTER_PERMISSIONS, [{"rules": rules, "serviceAccountName": account}])
        return
    every_rule = [r for i in mine for r in entries[i].get("rules") or []]
    rules_path = (*CLUSTER_PERMISSIONS, mine[0], "rules")
    own_rules = _get(plan.data, rules_path) or []
    new_rules = []
    for group, resource, verbs in needed:
        covered = _covered_verbs(every_rule, group, resource)
        missing = [v for v in verbs if covered is not None and v not in covered]
        if not missing:
            continue
        exact = [
            j
            for j, r in enumerate(own_rules)
            if isinstance(r, dict)
            and r.get("apiGroups") == [group]
            and r.get("resources") == [resource]
            and not r.get("resourceNames")
        ]
        if exact:
            verbs_path = (*rules_path, exact[0], "verbs")
            old = list(_get(plan.data, verbs_path) or [])
            plan.edit.append(plan.doc, verbs_path, missing)
            plan.changes.append(Change(plan.file, pointer(verbs_path), old, old + missing))
        else:
            new_rules.append({"apiGroups": [group], "resources": [resource], "verbs": missing})
    if new_rules:
        plan.append(rules_path, new_rules)


def _env_name(name: str) -> str:
    return "RELATED_IMAGE_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def _patch_related_image(plan: _Planner, container: PathParts, name: str, ref: str) -> None:
    env_name = _env_name(name)
    found = False
    for d, deployment in enumerate(_get(plan.data, DEPLOYMENTS) or []):
        pod = _get(deployment, ("spec", "template", "spec")) or {}
        for kind in ("initContainers", "containers"):
            for c, box in enumerate(pod.get(kind) or []):
                env_list = box.get("env") if isinstance(box, dict) else None
                for e, env in enumerate(env_list or []):
                    if isinstance(env, dict) and env.get("name") == env_name:
                        found = True
                        path = (*DEPLOYMENTS, d, "spec", "template", "spec", kind, c, "env", e)
                        plan.set((*path, "value"), ref)
    if not found:
        plan.append((*container, "env"), [{"name": env_name, "value": ref}])
    related = _get(plan.data, ("spec", "relatedImages")) or []
    key = _env_name(name)
    for i, entry in enumerate(related):
        if isinstance(entry, dict) and _env_name(str(entry.get("name"))) == key:
            plan.set(("spec", "relatedImages", i, "image"), ref)
            return
    plan.append(("spec", "relatedImages"), [{"image": ref, "name": name}])


def _patch_version(plan: _Planner, version: str) -> None:
    plan.set(("spec", "version"), version)
    name = _get(plan.data, ("metadata", "name"))
    match = _NAME_VERSION.fullmatch(str(name)) if isinstance(name, str) else None
    if match is None:
        raise plan.error(
            f"metadata.name {name!r} has no .vX.Y.Z suffix to set the version in",
            ("metadata", "name"),
        )
    plan.set(("metadata", "name"), f"{match['base']}.v{version}")


def patch_csv_text(source: SourceText, options: PatchOptions) -> tuple[str, list[Change]]:
    """Apply ``options`` to the CSV document of ``source``.

    Returns the new text (identical to ``source.text`` when nothing changes) and the
    changes in the order they were planned. Raises InputError (file and line) for
    invalid YAML, a file without a CSV, an ambiguous or unknown deployment/container,
    a conflicting volume or mount without ``force``, or an edit through a YAML alias;
    UsageError for invalid option values.
    """
    options.check()
    plan = _planner(source, want_csv=True)
    pod: PathParts = ()
    container: PathParts = ()
    if options.needs_container:
        deployment = _choose_deployment(plan, options)
        pod = (*DEPLOYMENTS, deployment, "spec", "template", "spec")
        container = (*pod, "containers", _choose_container(plan, pod, options))
    for cloud in options.token_auth:
        plan.set((*ANNOTATIONS, TOKEN_AUTH_PREFIX + cloud), "true")
    if options.token_auth:
        _patch_volume(plan, pod, options.force)
        _patch_mount(plan, container, options.force)
        account = _get(plan.data, (*pod, "serviceAccountName")) or "default"
        _patch_cluster_permissions(plan, str(account), options.credentials_requests)
    if options.version is not None:
        _patch_version(plan, options.version)
    if options.replaces is not None:
        plan.set(("spec", "replaces"), options.replaces)
    if options.skip_range is not None:
        plan.set((*ANNOTATIONS, "olm.skipRange"), options.skip_range)
    if options.operator_image is not None:
        plan.set((*container, "image"), options.operator_image)
        plan.set((*ANNOTATIONS, "containerImage"), options.operator_image)
    for name, ref in options.related_images:
        _patch_related_image(plan, container, name, ref)
    if options.created_at is not None:
        plan.set((*ANNOTATIONS, "createdAt"), options.created_at)
    return plan.edit.result(), plan.changes


def patch_annotations_text(source: SourceText, options: PatchOptions) -> tuple[str, list[Change]]:
    """Set the channel annotations of a bundle's ``metadata/annotations.yaml``.

    ``--channels`` becomes the comma-separated ``channels.v1`` value. Raises InputError
    for invalid YAML or an empty file, UsageError when the default channel is not one
    of the bundle's channels.
    """
    options.check()
    plan = _planner(source, want_csv=False)
    root = ("annotations",)
    if options.channels is not None:
        plan.set((*root, CHANNELS_KEY), ",".join(options.channels))
    if options.default_channel is not None:
        channels = options.channels or str(_get(plan.data, (*root, CHANNELS_KEY)) or "").split(",")
        if options.default_channel not in channels:
            raise UsageError(
                f"--default-channel {options.default_channel!r} is not one of the bundle's "
                f"channels ({','.join(channels)})"
            )
        plan.set((*root, DEFAULT_CHANNEL_KEY), options.default_channel)
    return plan.edit.result(), plan.changes


@dataclass(frozen=True, slots=True)
class Targets:
    """Files ``patch-csv PATH`` edits: the CSV and, for channel options, the bundle's
    ``metadata/annotations.yaml`` (None when not needed)."""

    csv: Path
    annotations: Path | None


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


def find_targets(path: Path, options: PatchOptions) -> Targets:
    """Resolve ``PATH``: a bundle directory (its one ``*clusterserviceversion*`` manifest,
    else the CSV ``find_csv_path`` finds), a directory holding one CSV file, or a CSV file.
    Raises InputError when the path does not exist, holds no CSV, or the channel options
    are used without a ``metadata/annotations.yaml`` next to ``manifests/``."""
    if path.is_dir() and (path / "manifests").is_dir():
        named = [p for p in manifest_paths(path) if "clusterserviceversion" in p.name.lower()]
        csv = named[0] if len(named) == 1 else find_csv_path(path)
        root = path
    elif path.is_dir():
        csv, root = _csv_in_directory(path), path
    elif path.is_file():
        csv, root = path, path.parent.parent
    else:
        raise InputError("no such file or directory", path)
    annotations = None
    if options.channels is not None or options.default_channel is not None:
        annotations = root / "metadata" / "annotations.yaml"
        if not annotations.is_file():
            raise InputError(
                "--channels/--default-channel need the bundle's metadata/annotations.yaml",
                annotations,
            )
    return Targets(csv=csv, annotations=annotations)
