"""Developer and CI sessions. ``nox -s tests`` is the test command of README.md and CI;
``nox -s validate`` is the pre-merge gate over this repository's ``bundle/``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests", "validate"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
#: The Python versions bundle-tools supports (the classifiers of pyproject.toml).
PYTHONS = ["3.11", "3.12", "3.13"]


def install(session: nox.Session, *groups: str) -> None:
    """Install bundle-tools from this checkout plus the named dependency groups."""
    extra = [req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)]
    session.install(".", *extra)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (tests using ../shared skip when it is absent)."""
    install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHONS, default=False)
def matrix(session: nox.Session) -> None:
    """The test suite on each supported Python (3.11, 3.12, 3.13); a version with no
    interpreter is skipped, or fails under CI (nox's --error-on-missing-interpreters)."""
    install(session, "test")
    session.run("pytest", *session.posargs)


def lowest_pins() -> list[str]:
    """``NAME==VERSION`` for every dependency of pyproject.toml at its declared lower
    bound (``NAME>=VERSION``): the oldest versions bundle-tools claims to work with."""
    pins = []
    for requirement in PYPROJECT["project"]["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([^,;\s]+)(?:,[^;]*)?(;.*)?", requirement)
        if match is None:
            raise ValueError(f"{requirement!r} has no >= lower bound")
        pins.append(f"{match[1]}=={match[2]}{match[3] or ''}")
    return pins


@nox.session(python=PYTHONS[0], default=False)
def lowest(session: nox.Session) -> None:
    """The test suite with every direct dependency at its declared lower bound (their
    own dependencies at the newest versions that fit), on the oldest supported Python."""
    extra = nox.project.dependency_groups(PYPROJECT, "test")
    session.install(".", *extra, *lowest_pins())
    session.run("python", "-m", "pip", "freeze")
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
def opm_goldens(session: nox.Session) -> None:
    """Regenerate the opm v1.26.5 goldens of ``catalog template`` (tests/data/opm-template)
    with the opm binary named by ``OPM``; see scripts/opm_template_goldens.py."""
    install(session)
    session.run("python", "scripts/opm_template_goldens.py", *session.posargs)


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
