"""``bundle-tools validate`` core: load bundle directories, run the bundle rules, return a
:class:`~bundle_tools.findings.Report`.

This module only loads, runs and collects: rules receive a read-only
:class:`~bundle_tools.context.BundleContext` (defined below the rules, in
``bundle_tools.context``) and never do I/O or print.

Input errors (missing path or ``manifests/``, unreadable file, YAML syntax error in the
CSV or in ``metadata/annotations.yaml``) raise :class:`~bundle_tools.errors.InputError`
from :func:`load_context`; they are not findings. Two faults the cluster tolerates are
findings instead, and the rest of the bundle is checked: a key repeated in a mapping (the
last value is kept, as the cluster keeps it; BND012) and a YAML syntax error in any other
manifest or ``metadata/`` file, or one that is not UTF-8 (opm skips that file; BND013).
:func:`validate_bundles` keeps each one in ``Report.errors`` and checks the other bundles.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bundle_tools.bundle import is_bundle_file, load_bundle, read_like_opm
from bundle_tools.context import BundleContext
from bundle_tools.errors import InputError, require_path
from bundle_tools.findings import Report

#: Profiles accepted by ``--profile``: ``default``; ``certified`` turns Red Hat
#: certification demands into errors; ``strict`` also turns legal-but-ineffective
#: content (e.g. cluster-scoped RBAC under namespaced ``permissions``) into errors.
PROFILES = ("default", "certified", "strict")

#: Suffixes of the ``metadata/`` files opm reads. opm decodes every file of ``metadata/``
#: by content, not by name (operator-registry ``bundleParser.addMetadata``): the first
#: one with ``annotations:``, ``dependencies:`` or ``properties:`` provides them.
METADATA_SUFFIXES = (".yaml", ".yml", ".json")


def load_context(path: str | Path, profile: str = "default") -> BundleContext:
    """Parse bundle directory ``path`` into a :class:`BundleContext`.

    Raises InputError when it has no ``manifests/`` directory, a file cannot be read
    (missing, special, too large), or the CSV or ``annotations.yaml`` is not UTF-8 YAML.
    Any other manifest (see :func:`~bundle_tools.bundle.load_bundle`) or ``metadata/``
    file that is not YAML, or not UTF-8 (see :func:`~bundle_tools.bundle.read_like_opm`),
    goes to ``Bundle.undecodable`` with its error:
    opm's bundle parser skips a file it cannot decode and publishes the bundle without it
    (operator-registry ``pkg/registry/parse.go`` ``bundleParser.addManifests``,
    ``addMetadata``).
    """
    require_path(path)
    if not Path(path).is_dir():
        raise InputError(
            "not a bundle directory: give the directory that holds manifests/ and metadata/",
            path,
        )
    bundle = load_bundle(path, duplicates="keep")  # repeated keys: BND012 findings
    metadata = {}
    directory = bundle.root / "metadata"
    files = sorted(directory.iterdir()) if directory.is_dir() else []
    for file in files:
        if file.name == "annotations.yaml" or file.name.startswith("."):
            continue
        if file.suffix.lower() not in METADATA_SUFFIXES or not is_bundle_file(file):
            continue
        docs, error = read_like_opm(file)
        if error is not None:
            bundle.undecodable[file] = error  # a BND013 finding
        if docs:
            metadata[file.name] = docs[0]
    return BundleContext(
        bundle=bundle,
        display=str(path),
        profile=profile,
        metadata=metadata,
    )


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
