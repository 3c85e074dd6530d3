"""Developer and CI sessions. ``nox -s tests`` is the test command of README.md and CI;
``nox -s validate`` is the pre-merge gate over this repository's ``bundle/``."""

from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests", "validate"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def install(session: nox.Session, *groups: str) -> None:
    """Install bundle-tools from this checkout plus the named dependency groups."""
    extra = [req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)]
    session.install(".", *extra)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (tests using ../shared skip when it is absent)."""
    install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def validate(session: nox.Session) -> None:
    """Pre-merge gate: bundle/ validates (before and after patch-csv), the JSON schemas
    are valid against their metaschema, and catalog/ validates once it exists. Fails on
    any error-level finding."""
    install(session)
    session.run("python", "scripts/check_schemas.py", "schemas")
    session.run("bundle-tools", "validate", "bundle")
    patched = Path(session.create_tmp()) / "patched-bundle"
    shutil.rmtree(patched, ignore_errors=True)
    shutil.copytree("bundle", patched)
    session.run("bundle-tools", "patch-csv", str(patched))
    session.run("bundle-tools", "validate", str(patched))
    if Path("catalog").is_dir():
        session.run("bundle-tools", "catalog", "validate", "catalog")


@nox.session(default=False)
def corpus(session: nox.Session) -> None:
    """How often each validate rule fires over ../shared/corpus/bundles (or the path in
    posargs); fails on a crash or traceback."""
    install(session)
    session.run("python", "scripts/corpus.py", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Run every benchmark script of bench/ (see bench/run.py); ``-- FILTER ARGS...``
    runs the scripts whose name contains FILTER with ARGS (e.g.
    ``nox -s bench -- catalog --sizes 500,1000 --repeat 1``)."""
    install(session)
    session.run("python", "bench/run.py", *session.posargs)


@nox.session(default=False)
def schemas(session: nox.Session) -> None:
    """Regenerate schemas/csv.schema.json from ../shared's copy of OLM's CSV CRD."""
    src = Path("..", "shared", "reference", "olm-crds")
    src /= "operators.coreos.com_clusterserviceversions.yaml"
    if not src.is_file():
        session.error(f"{src} not found: the generator needs OLM's CSV CRD")
    install(session)
    session.run("python", "-m", "bundle_tools.schemagen", str(src), "-o", "schemas/csv.schema.json")
