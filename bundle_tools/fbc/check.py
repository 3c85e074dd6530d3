"""``catalog validate``: load a catalog directory, build the model, run the FBC rules."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bundle_tools.errors import InputError
from bundle_tools.fbc.load import load_catalog
from bundle_tools.fbc.model import Catalog
from bundle_tools.findings import Report
from bundle_tools.gcpause import paused
from bundle_tools.rules import run_rules


def load_model(root: str | Path) -> Catalog:
    """Load the FBC directory ``root`` into a :class:`Catalog`. Raises InputError when a
    file cannot be loaded (syntax errors, documents without ``schema``) and when the
    directory holds no blob at all (opm passes an empty directory, but a catalog image
    built from it serves nothing: almost always a wrong path or an over-eager
    ``.indexignore``)."""
    with paused(freeze=True):
        blobs = load_catalog(root)
        if not blobs:
            raise InputError("no FBC blobs found: the catalog is empty", root)
        return Catalog.from_blobs(blobs)


def check_catalog(
    root: str | Path,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    profile: str | None = None,
) -> Report:
    """Validate the FBC directory ``root``; return a :class:`Report` whose findings carry
    file, line and column. Raises InputError as :func:`load_model` does."""
    catalog = load_model(root)
    with paused():
        findings = run_rules("catalog", catalog, select=select, ignore=ignore, profile=profile)
    return Report(targets=[str(root)], findings=findings)
