"""``bundle-tools validate`` core: load bundle directories, run the bundle rules, return a
:class:`~bundle_tools.findings.Report`.

Rules receive a read-only :class:`BundleContext`: the parsed bundle plus accessors for the
parts of a CSV that several rules read (annotations, deployments, pod specs, containers,
RBAC rules) and :meth:`BundleContext.at`, which turns a document and a path inside it into
a :class:`~bundle_tools.findings.Location` with a 1-based line and column. Rules never do
I/O and never print.

Input errors (missing path or ``manifests/``, unreadable file, YAML syntax error,
duplicate key in any manifest or ``metadata/*.yaml`` file) raise
:class:`~bundle_tools.errors.InputError` from :func:`load_context`; they are not findings.
:func:`validate_bundles` keeps each one in ``Report.errors`` and checks the other bundles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bundle_tools.bundle import CHANNELS_KEY, Bundle, load_bundle
from bundle_tools.csv_model import ANNOTATIONS, DEPLOYMENTS, as_dict, as_list, get_path
from bundle_tools.errors import InputError
from bundle_tools.findings import Location, Report
from bundle_tools.yamlio import Document, load_file, locate, pointer

#: Profiles accepted by ``--profile``: ``default``; ``certified`` turns Red Hat
#: certification demands into errors; ``strict`` also turns legal-but-ineffective
#: content (e.g. cluster-scoped RBAC under namespaced ``permissions``) into errors.
PROFILES = ("default", "certified", "strict")

#: Suffixes of the ``metadata/`` files opm reads. opm decodes every file of ``metadata/``
#: by content, not by name (operator-registry ``bundleParser.addMetadata``): the first
#: one with ``annotations:``, ``dependencies:`` or ``properties:`` provides them.
METADATA_SUFFIXES = (".yaml", ".yml", ".json")

Parts = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class BundleContext:
    """What a bundle rule reads. ``bundle`` is the parsed directory, ``display`` the bundle
    path as the user gave it (finding paths are ``display/<relative path>``), ``profile``
    the ``--profile`` name, ``metadata`` the first document of every other file of
    ``metadata/`` (``dependencies.yaml``, ``properties.yaml``...) by file name."""

    bundle: Bundle
    display: str
    profile: str = "default"
    metadata: dict[str, Document] = field(default_factory=dict)

    # -- locations -------------------------------------------------------------------
    def path_of(self, path: Path) -> str:
        """``path`` (inside the bundle) as shown in findings: ``display/<relative path>``."""
        try:
            relative = path.relative_to(self.bundle.root)
        except ValueError:
            return str(path)
        return str(Path(self.display) / relative)

    def at(self, doc: Document, parts: Sequence[str | int] = ()) -> Location:
        """Location of the node at ``parts`` of ``doc`` (its parent's position when the
        node is missing)."""
        line, column = locate(doc.data, parts)
        return Location(
            path=self.path_of(doc.path), pointer=pointer(parts), line=line, column=column
        )

    def file_at(self, relative: str) -> Location:
        """Location of a file or directory of the bundle that has no parsed content (a
        missing file): no line or column."""
        return Location(path=str(Path(self.display) / relative))

    # -- documents -------------------------------------------------------------------
    @property
    def csv(self) -> Document | None:
        """The CSV document, ``None`` when the bundle has none."""
        return self.bundle.csv

    @property
    def csv_data(self) -> dict[str, Any]:
        """The CSV mapping (``{}`` when there is no CSV)."""
        return as_dict(self.bundle.csv.data) if self.bundle.csv else {}

    def objects(self) -> Iterator[tuple[Document, dict[str, Any]]]:
        """Every manifest document whose content is a mapping, in file order."""
        for docs in self.bundle.manifests.values():
            for doc in docs:
                if isinstance(doc.data, dict):
                    yield doc, doc.data

    def csv_annotations(self) -> dict[str, Any]:
        """The CSV's ``metadata.annotations`` mapping (``{}`` when absent)."""
        return as_dict(get_path(self.csv_data, ANNOTATIONS))

    def channels(self) -> list[str]:
        """The channel names of the channels annotation, split on commas and stripped
        (empty names kept, so a rule can report them); ``[]`` when unset."""
        value = self.bundle.annotation_values.get(CHANNELS_KEY)
        return [c.strip() for c in value.split(",")] if isinstance(value, str) else []

    # -- install strategy ------------------------------------------------------------
    def install_spec(self) -> dict[str, Any]:
        """``spec.install.spec`` of the CSV (``{}`` when absent)."""
        return as_dict(get_path(self.csv_data, ("spec", "install", "spec")))

    def deployments(self) -> Iterator[tuple[Parts, dict[str, Any]]]:
        """``(path, deployment)`` for each ``spec.install.spec.deployments[]`` entry
        (mapping with ``name`` and ``spec``)."""
        for i, deployment in enumerate(as_list(get_path(self.csv_data, DEPLOYMENTS))):
            if isinstance(deployment, dict):
                yield (*DEPLOYMENTS, i), deployment

    def pod_specs(self) -> Iterator[tuple[Parts, dict[str, Any]]]:
        """``(path, pod spec)`` of each deployment's ``spec.template.spec``."""
        for parts, deployment in self.deployments():
            pod = get_path(deployment, ("spec", "template", "spec"))
            if isinstance(pod, dict):
                yield (*parts, "spec", "template", "spec"), pod

    def containers(self) -> Iterator[tuple[Parts, dict[str, Any], Parts, dict[str, Any]]]:
        """``(path, container, pod path, pod spec)`` for every container and init
        container of every deployment."""
        for pod_parts, pod in self.pod_specs():
            for key in ("initContainers", "containers"):
                for i, container in enumerate(as_list(pod.get(key))):
                    if isinstance(container, dict):
                        yield (*pod_parts, key, i), container, pod_parts, pod

    def rbac_rules(self, scope: str) -> Iterator[tuple[Parts, dict[str, Any]]]:
        """``(path, policy rule)`` of every rule under ``spec.install.spec.<scope>``
        (``permissions`` or ``clusterPermissions``)."""
        base: Parts = ("spec", "install", "spec", scope)
        for i, entry in enumerate(as_list(self.install_spec().get(scope))):
            for j, policy in enumerate(as_list(as_dict(entry).get("rules"))):
                if isinstance(policy, dict):
                    yield (*base, i, "rules", j), policy


def load_context(path: str | Path, profile: str = "default") -> BundleContext:
    """Parse bundle directory ``path`` into a :class:`BundleContext`.

    Raises InputError when it has no ``manifests/`` directory or any manifest or
    ``metadata/`` file cannot be read or parsed. For an optional metadata file the
    message adds what opm would do: skip the file and silently drop what it declares.
    """
    if not Path(path).exists():
        raise InputError("no such file or directory", path)
    if not Path(path).is_dir():
        raise InputError(
            "not a bundle directory: give the directory that holds manifests/ and metadata/",
            path,
        )
    bundle = load_bundle(path)
    metadata = {}
    directory = bundle.root / "metadata"
    files = sorted(directory.iterdir()) if directory.is_dir() else []
    for file in files:
        if file.name == "annotations.yaml" or file.name.startswith("."):
            continue
        if not file.is_file() or file.suffix.lower() not in METADATA_SUFFIXES:
            continue
        try:
            docs = load_file(file)
        except InputError as exc:
            raise InputError(
                f"{exc.message} (opm skips a metadata file it cannot parse, silently "
                "dropping the dependencies or properties it declares)",
                exc.path,
                exc.line,
                exc.column,
            ) from None
        if docs:
            metadata[file.name] = docs[0]
    return BundleContext(bundle=bundle, display=str(path), profile=profile, metadata=metadata)


def validate_bundles(
    paths: Iterable[str | Path],
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    profile: str = "default",
    courier: bool = False,
) -> Report:
    """Run every bundle rule kept by ``select``/``ignore`` (ids or prefixes) on each
    bundle directory of ``paths`` under ``profile`` (one of :data:`PROFILES`); with
    ``courier``, also operator-courier's verification (``COURIER`` findings, filtered by
    the same ``select``/``ignore``).

    Returns a Report whose targets are the paths as given (a path given twice is checked
    once); a bundle that cannot be loaded (see :func:`load_context`) gets its InputError in
    ``Report.errors`` and the others are still checked. Raises UsageError when ``courier``
    is asked for and operator-courier is not installed.
    """
    from bundle_tools.rules import matches, run_rules

    select, ignore = list(select), list(ignore)
    report = Report()
    for path in dict.fromkeys(str(p) for p in paths):
        report.targets.append(path)
        try:
            context = load_context(path, profile)
        except InputError as exc:
            report.errors[path] = exc
            continue
        report.extend(run_rules("bundle", context, select=select, ignore=ignore, profile=profile))
        if courier:
            from bundle_tools.courier import run_courier

            report.extend(
                f
                for f in run_courier(context)
                if (not select or matches(f.rule, select)) and not matches(f.rule, ignore)
            )
    return report
