"""The read-only view of one bundle that every bundle rule receives: :class:`BundleContext`,
the parsed bundle plus accessors for the parts of a CSV that several rules read
(annotations, deployments, pod specs, containers, RBAC rules) and location helpers
(:meth:`BundleContext.at`, :meth:`BundleContext.file_at`) that turn a document and a path
inside it into a :class:`~bundle_tools.findings.Location` with a 1-based line and column.

It sits beside the bundle model, below the rules and below ``validate.py`` (which loads
bundles, runs the rules and collects findings), so rules never import the orchestrator.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bundle_tools.bundle import CHANNELS_KEY, Bundle
from bundle_tools.csv_model import (
    ANNOTATIONS,
    APISERVICES,
    DEPLOYMENTS,
    WEBHOOKS,
    apiservice_name,
    as_dict,
    as_list,
    get_path,
)
from bundle_tools.findings import Location
from bundle_tools.names import split_channels
from bundle_tools.yamlio import Document, locate, pointer

#: A path inside a parsed document: mapping keys and sequence indexes.
Parts = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class BundleContext:
    """What a bundle rule reads. ``bundle`` is the parsed directory, ``display`` the bundle
    path as the user gave it (finding paths are ``display/<relative path>``), ``profile``
    the ``--profile`` name, ``metadata`` the first document of every other file of
    ``metadata/`` (``dependencies.yaml``, ``properties.yaml``...) by file name (the files
    that do not parse are in ``bundle.undecodable``)."""

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
        """The channel names of the channels annotation split on commas as opm splits it
        (operator-registry ``AnnotationsFile.GetChannels``: no trimming, so ``"a, b"``
        gives ``"a"`` and ``" b"``; empty names kept, so a rule can report them); ``[]``
        when unset or empty."""
        value = self.bundle.annotation_values.get(CHANNELS_KEY)
        return split_channels(value) if isinstance(value, str) else []

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

    def deployment_names(self) -> set[str]:
        """The ``name`` of every install strategy deployment that has a string one."""
        return {n for _, d in self.deployments() if isinstance(n := d.get("name"), str)}

    def stray_deployment_names(
        self, descriptions: Iterator[tuple[Parts, dict[str, Any]]]
    ) -> Iterator[tuple[Parts, dict[str, Any], str]]:
        """``(path, description, phrase)`` for each of ``descriptions`` (webhook or
        APIService ``(path, description)`` pairs) whose ``deploymentName`` is no install
        strategy deployment: the path of its ``deploymentName`` (of the description when
        unset) and a phrase naming it and the deployments there are."""
        names = self.deployment_names()
        known = ", ".join(sorted(names)) or "none"
        for parts, desc in descriptions:
            name = desc.get("deploymentName")
            if isinstance(name, str) and name in names:
                continue
            shown = "no deploymentName" if name is None else f"deploymentName {name!r}"
            yield (
                parts if name is None else (*parts, "deploymentName"),
                desc,
                f"{shown}, which is not a deployment of the install strategy ({known})",
            )

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

    def webhook_definitions(self) -> Iterator[tuple[Parts, dict[str, Any]]]:
        """``(path, webhook description)`` of every mapping under
        ``spec.webhookdefinitions``."""
        for i, desc in enumerate(as_list(get_path(self.csv_data, WEBHOOKS))):
            if isinstance(desc, dict):
                yield (*WEBHOOKS, i), desc

    def apiservice_definitions(self, which: str) -> Iterator[tuple[Parts, dict[str, Any]]]:
        """``(path, APIService description)`` of every mapping under
        ``spec.apiservicedefinitions.<which>`` (``owned`` or ``required``)."""
        for i, desc in enumerate(as_list(get_path(self.csv_data, (*APISERVICES, which)))):
            if isinstance(desc, dict):
                yield (*APISERVICES, which, i), desc

    def installed_apiservices(self) -> dict[str, tuple[Parts, dict[str, Any]]]:
        """The APIService descriptions OLM's installer serves, by APIService name
        (operator-framework/api ``GetAllAPIServiceDescriptions``, which
        operator-lifecycle-manager ``parseStrategiesAndUpdateStatus`` hands the installer):
        every required one, then every owned one over it, the last entry of a name
        winning; values are ``(path, description)``."""
        chosen: dict[str, tuple[Parts, dict[str, Any]]] = {}
        for which in ("required", "owned"):
            for parts, desc in self.apiservice_definitions(which):
                chosen[apiservice_name(desc)] = (parts, desc)
        return chosen

    def rbac_rules(self, scope: str) -> Iterator[tuple[Parts, dict[str, Any]]]:
        """``(path, policy rule)`` of every rule under ``spec.install.spec.<scope>``
        (``permissions`` or ``clusterPermissions``)."""
        base: Parts = ("spec", "install", "spec", scope)
        for i, entry in enumerate(as_list(self.install_spec().get(scope))):
            for j, policy in enumerate(as_list(as_dict(entry).get("rules"))):
                if isinstance(policy, dict):
                    yield (*base, i, "rules", j), policy
