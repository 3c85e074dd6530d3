"""``catalog template`` byte for byte against opm v1.26.5, the reference of issue 11.

Three corpus packages (pelorus-operator, dynatrace-operator, automotive-infra; five
bundles each) are built and pushed by ``bundle build``'s code to a local registry
(``tests/registry_helpers.py``: the distribution registry on 127.0.0.1); a semver and a
basic template of each (``tests/data/opm-template/``) are rendered by
``bundle-tools catalog template TEMPLATE --plain-http --metadata objects -o json|yaml``.

- :func:`test_output_equals_the_opm_goldens`: our bytes equal the goldens, which opm
  v1.26.5 produced (runs wherever the registry and ``../shared`` are, CI included).
- :func:`test_output_equals_opm_run_now`: when ``OPM`` names an opm binary (v1.26.5),
  that opm renders the same templates against the same registry now and our bytes
  equal its bytes (skipped without ``OPM``: CI machines have no opm).
- :func:`test_rendered_catalog_validates`: ``--catalog DIR`` writes each result (opm's
  ``--metadata objects`` and this project's default ``csv``) and ``catalog validate``
  accepts it.
- :func:`test_local_bundle_directories_give_the_golden_bytes`: ``--bundle IMAGE=DIR``
  (no pull) gives the same bytes.

How the goldens were produced: ``OPM=/work/opm python scripts/opm_template_goldens.py``
(also ``nox -s opm_goldens``), with ``/work/opm`` built from operator-registry tag
v1.26.5 (``go build ./cmd/opm``); for every template and format it ran
``opm alpha render-template <semver|basic> --use-http <template> -o <json|yaml>`` and
stored stdout with the registry's ``127.0.0.1:<port>`` replaced by ``${REGISTRY}``
(``tests/opm_template.py``: the substitution and why it is reversible), xz-compressed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app

from . import opm_template
from .conftest import shared_path

runner = CliRunner()
CASES = [pytest.param(*c, id="-".join(c)) for c in opm_template.cases()]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The registry host with every case's bundle pushed, and a rendered-bundle cache
    directory shared by the module's renders (each image is pulled once)."""
    from .registry_helpers import start_registry

    corpus = shared_path("corpus", "bundles")
    root = tmp_path_factory.mktemp("opm-template")
    started = start_registry(root / "registry")
    try:
        opm_template.push_bundles(corpus, started.host)
        yield started.host, root / "cache"
    finally:
        started.stop()


def _ours(registry: tuple[str, Path], tmp_path: Path, kind: str, package: str, fmt: str) -> str:
    host, cache = registry
    template = opm_template.write_template(kind, package, host, tmp_path)
    args = ["catalog", "template", str(template), "--plain-http", "--metadata", "objects"]
    result = runner.invoke(app, [*args, "-o", fmt], env={"BUNDLE_TOOLS_CACHE": str(cache)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("kind", "package", "fmt"), CASES)
def test_output_equals_the_opm_goldens(
    registry: tuple[str, Path], tmp_path: Path, kind: str, package: str, fmt: str
) -> None:
    ours = _ours(registry, tmp_path, kind, package, fmt)
    golden = opm_template.read_golden(kind, package, fmt)
    assert opm_template.normalise(ours, registry[0]) == golden
    assert opm_template.restore(golden, registry[0]) == ours


@pytest.mark.parametrize(("kind", "package", "fmt"), CASES)
def test_output_equals_opm_run_now(
    registry: tuple[str, Path], tmp_path: Path, kind: str, package: str, fmt: str
) -> None:
    opm = os.environ.get("OPM")
    if not opm:
        pytest.skip("OPM is not set (an opm v1.26.5 binary to compare with)")
    ours = _ours(registry, tmp_path, kind, package, fmt)
    template = opm_template.write_template(kind, package, registry[0], tmp_path)
    command = opm_template.opm_command(opm, kind, template, fmt)
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert ours == run.stdout
    assert opm_template.normalise(run.stdout, registry[0]) == (
        opm_template.read_golden(kind, package, fmt)
    ), "opm's output moved from the goldens: regenerate them (nox -s opm_goldens)"


@pytest.mark.parametrize("metadata", ["objects", "csv"])
@pytest.mark.parametrize("package", opm_template.PACKAGES)
@pytest.mark.parametrize("kind", opm_template.KINDS)
def test_rendered_catalog_validates(
    registry: tuple[str, Path], tmp_path: Path, kind: str, package: str, metadata: str
) -> None:
    host, cache = registry
    template = opm_template.write_template(kind, package, host, tmp_path)
    catalog = tmp_path / "catalog"
    args = ["catalog", "template", str(template), "--plain-http", "--metadata", metadata]
    result = runner.invoke(
        app, [*args, "--catalog", str(catalog)], env={"BUNDLE_TOOLS_CACHE": str(cache)}
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"wrote {catalog / package / 'catalog.json'}\n")
    checked = runner.invoke(app, ["catalog", "validate", str(catalog)])
    assert checked.exit_code == 0, checked.stdout
    assert checked.stdout.endswith("1 checked, 0 errors, 0 warnings, 0 infos: passed\n")


@pytest.mark.parametrize(("kind", "package"), [("semver", "dynatrace-operator")])
def test_local_bundle_directories_give_the_golden_bytes(
    registry: tuple[str, Path], tmp_path: Path, kind: str, package: str
) -> None:
    """``--bundle IMAGE=DIR`` renders each image from its corpus directory: the same
    bytes as pulling it, the objects in opm v1.26.5's file order too."""
    host = registry[0]
    template = opm_template.write_template(kind, package, host, tmp_path)
    corpus = shared_path("corpus", "bundles", package)
    local = [f"--bundle={host}/{package}/bundle:{d.name}={d}" for d in corpus.iterdir()]
    args = ["catalog", "template", str(template), "--metadata", "objects", "-o", "yaml"]
    result = runner.invoke(app, [*args, *local])
    assert result.exit_code == 0, result.stderr
    assert opm_template.normalise(result.stdout, host) == opm_template.read_golden(
        kind, package, "yaml"
    )
