"""``validate --courier``: operator-courier's verification mapped to ``COURIER`` findings.

operator-courier (PyPI ``operator-courier``, the legacy App Registry tool) verifies the
*package manifest* layout: one flat directory holding the CSV, the CRDs and a
package file (``packageName``, ``channels[{name, currentCSV}]``,
``defaultChannel``). :func:`run_courier` builds that layout from a registry+v1 bundle in a
temporary directory (the CSV and CRD files only; the package and channels come from
``metadata/annotations.yaml``),
runs ``operatorcourier.api.build_and_verify`` and turns each error and warning into a
finding. Courier's messages carry no position; a finding points at the CSV node its
message names (``csv spec.install not defined`` -> ``/spec``), a package or channel
message at the annotation it came from, else at the CSV's first line.

operator-courier is an optional extra (``pip install 'bundle-tools[courier]'``), imported
only here and only when ``--courier`` is given.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bundle_tools.bundle import CHANNELS_KEY, DEFAULT_CHANNEL_KEY, PACKAGE_KEY
from bundle_tools.csv_model import get_path
from bundle_tools.errors import UsageError
from bundle_tools.findings import Finding, Location, Severity
from bundle_tools.names import select_default_channel

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext

RULE = "COURIER"
#: What a package-manifest directory holds besides the package file; courier reads
#: each file as one YAML document, so other objects are left out of the copy.
COURIER_KINDS = ("ClusterServiceVersion", "CustomResourceDefinition")
#: The package file's name in the copy: courier finds it by content, and a hidden name is
#: no manifest's (manifests/ files starting with ``.`` are not read), so none is overwritten.
PACKAGE_FILE = ".package.yaml"
#: A dotted CSV field path in a courier message (``spec.install.spec.deployments``).
_FIELD = re.compile(r"\b(?:spec|metadata)(?:\.[A-Za-z]+)*")


def import_courier() -> tuple[Any, type[Exception], type[Exception]]:
    """``(operatorcourier.api, OpCourierBadBundle, OpCourierError)``; raises UsageError
    when operator-courier is not installed or cannot be imported."""
    try:
        with warnings.catch_warnings():
            # operator-courier imports distutils, deprecated since Python 3.10
            warnings.simplefilter("ignore", DeprecationWarning)
            from operatorcourier import api
            from operatorcourier.errors import OpCourierBadBundle, OpCourierError
    except ImportError as exc:
        if exc.name in ("operatorcourier", "operatorcourier.api"):
            raise UsageError(
                "--courier needs operator-courier: pip install 'bundle-tools[courier]'"
            ) from None
        raise UsageError(
            f"operator-courier is installed but cannot be imported ({exc}); it needs "
            "Python's distutils, removed in Python 3.12, which setuptools provides again: "
            "pip install 'bundle-tools[courier]' (or pip install setuptools)"
        ) from None
    return api, OpCourierBadBundle, OpCourierError


def package_manifest(ctx: BundleContext) -> dict[str, Any]:
    """The package file content courier expects, from the bundle's
    annotations and CSV name: ``{packageName, channels: [{name, currentCSV}],
    defaultChannel}``: the package opm would publish from this bundle. Channel names are
    opm's reading of the annotation (:func:`~bundle_tools.names.split_channels`: no
    trimming, empty names kept; ``"alpha, stable"`` is ``alpha`` and `` stable``), the
    default channel the annotation's or, without one, opm's choice
    (:func:`~bundle_tools.names.select_default_channel`). operator-courier 2.1 checks
    neither channel names nor that the default channel is listed; BND004 reports both."""
    values = ctx.bundle.annotation_values
    csv_name = str(get_path(ctx.csv_data, ("metadata", "name")) or "")
    channels = ctx.channels()
    return {
        "packageName": str(values.get(PACKAGE_KEY, "")),
        "channels": [{"name": c, "currentCSV": csv_name} for c in channels],
        "defaultChannel": str(values.get(DEFAULT_CHANNEL_KEY) or select_default_channel(channels)),
    }


def _verify(api: Any, bad_bundle: type[Exception], error: type[Exception], flat: Path) -> dict:
    """Courier's ``{"errors": [str], "warnings": [str]}`` for directory ``flat``. Courier
    indexes the CSV without checking types (``metadata: 5`` or ``owned: 5`` raise
    TypeError inside it): any other exception it raises is one error naming it, since
    the bundle could not be verified (the CSV schema findings name the field)."""
    logger = logging.getLogger("operatorcourier")
    propagate, level = logger.propagate, logger.level
    logger.propagate, logger.level = False, logging.CRITICAL + 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dict(api.build_and_verify(source_dir=str(flat)).validation_dict)
    except bad_bundle as exc:
        info = exc.validation_info or {}
        return {
            "errors": list(info.get("errors") or [str(exc)]),
            "warnings": info.get("warnings", []),
        }
    except error as exc:
        return {"errors": [str(exc)], "warnings": []}
    except Exception as exc:  # courier's own fault on a field of the wrong type
        return {"errors": [f"verification failed: {type(exc).__name__}: {exc}"], "warnings": []}
    finally:
        logger.propagate, logger.level = propagate, level


def _location(ctx: BundleContext, message: str) -> Location:
    """Where a courier message points: a package or channel message at the annotation of
    ``metadata/annotations.yaml`` the package file was built from, a CSV message at the
    CSV field it names (else the CSV's first line)."""
    lowered = message.lower()
    if "package" in lowered or "channel" in lowered:
        key = CHANNELS_KEY if "channel" in lowered else PACKAGE_KEY
        if ctx.bundle.annotations is None:
            return ctx.file_at("metadata/annotations.yaml")
        return ctx.at(ctx.bundle.annotations, ("annotations", key))
    if ctx.csv is None:
        return ctx.file_at("manifests")
    found = _FIELD.search(message)
    parts = tuple(found.group(0).split(".")) if found else ()
    return ctx.at(ctx.csv, parts)


def run_courier(ctx: BundleContext) -> list[Finding]:
    """Run operator-courier's verification on a temporary package-manifest copy of the
    bundle of ``ctx``; return its errors (severity error) and warnings (warning) as
    ``COURIER`` findings. Raises UsageError when operator-courier is not installed."""
    import yaml

    api, bad_bundle, error = import_courier()
    manifest = package_manifest(ctx)
    with tempfile.TemporaryDirectory(prefix="bundle-tools-courier-") as tmp:
        flat = Path(tmp) / "package"  # never the package name: it may be a path
        flat.mkdir()
        for path, docs in ctx.bundle.manifests.items():
            if path.suffix.lower() in (".yaml", ".yml") and any(
                isinstance(d.data, dict) and d.data.get("kind") in COURIER_KINDS for d in docs
            ):
                shutil.copyfile(path, flat / path.name)
        (flat / PACKAGE_FILE).write_text(
            yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8"
        )
        result = _verify(api, bad_bundle, error, flat)
    findings = []
    for key, severity in (("errors", Severity.ERROR), ("warnings", Severity.WARNING)):
        for message in result.get(key, []):
            findings.append(
                Finding(
                    rule=RULE,
                    severity=severity,
                    message=f"operator-courier: {message}",
                    location=_location(ctx, message),
                )
            )
    return findings
