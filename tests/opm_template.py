"""The opm comparison of ``catalog template``, shared by ``tests/test_template_opm.py`` and
``scripts/opm_template_goldens.py`` (which regenerates the goldens).

Cases: a ``semver`` and a ``basic`` template (``tests/data/opm-template/<kind>-<package>.
yaml``) for each of three corpus packages whose five bundles (``../shared/corpus/
bundles/<package>/<version>``) are built and pushed by ``bundle build``'s code to a local
registry as ``<host>/<package>/bundle:<version>``. The goldens ``<kind>-<package>.
<json|yaml>.xz`` hold what opm v1.26.5 printed for them (``opm alpha render-template
<kind> --use-http <template> -o <json|yaml>``), xz-compressed.

Host normalisation: the registry listens on a free port, so the templates and goldens
hold ``${REGISTRY}`` where the images' ``127.0.0.1:<port>`` goes. :func:`restore` puts the
host in (templates), :func:`normalise` takes it out (outputs); the token occurs nowhere
else, so the substitution is reversible. The output's order does not depend on the port:
images sort by the whole reference, and no other image of these bundles starts with
``127.0.0.1:``.
"""

from __future__ import annotations

import lzma
from pathlib import Path

PACKAGES = ("pelorus-operator", "dynatrace-operator", "automotive-infra")
KINDS = ("semver", "basic")
FORMATS = ("json", "yaml")
DATA = Path(__file__).parent / "data" / "opm-template"
TOKEN = "${REGISTRY}"
#: The opm the goldens come from.
OPM_VERSION = "v1.26.5"


def cases() -> list[tuple[str, str, str]]:
    """Every ``(kind, package, format)`` compared."""
    return [(k, p, f) for p in PACKAGES for k in KINDS for f in FORMATS]


def template_file(kind: str, package: str) -> Path:
    """The stored template (with :data:`TOKEN` for the registry host)."""
    return DATA / f"{kind}-{package}.yaml"


def golden_file(kind: str, package: str, fmt: str) -> Path:
    """The stored, normalised and xz-compressed opm output."""
    return DATA / f"{kind}-{package}.{fmt}.xz"


def restore(text: str, host: str) -> str:
    """``text`` with :data:`TOKEN` replaced by the registry ``host`` (``127.0.0.1:PORT``)."""
    return text.replace(TOKEN, host)


def normalise(text: str, host: str) -> str:
    """``text`` with the registry ``host`` replaced by :data:`TOKEN`. Raises ValueError
    when the token is in ``text`` already (the substitution could not be undone)."""
    if TOKEN in text:
        raise ValueError(f"{TOKEN} occurs in the output: normalising would not be reversible")
    return text.replace(host, TOKEN)


def read_golden(kind: str, package: str, fmt: str) -> str:
    """The normalised opm output of a case."""
    return lzma.decompress(golden_file(kind, package, fmt).read_bytes()).decode("utf-8")


def write_golden(kind: str, package: str, fmt: str, text: str) -> Path:
    """Store the normalised opm output ``text`` of a case; returns its path."""
    path = golden_file(kind, package, fmt)
    path.write_bytes(lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
    return path


def write_template(kind: str, package: str, host: str, directory: Path) -> Path:
    """The case's template with ``host`` restored, written into ``directory``."""
    path = directory / template_file(kind, package).name
    path.write_text(restore(template_file(kind, package).read_text(), host))
    return path


def opm_command(opm: str, kind: str, template: Path, fmt: str) -> list[str]:
    """The opm command line of a case (plain HTTP to the local registry)."""
    return [opm, "alpha", "render-template", kind, "--use-http", str(template), "-o", fmt]


def push_bundles(corpus: Path, host: str) -> dict[str, Path]:
    """Build each bundle of :data:`PACKAGES` under ``corpus`` (``<package>/<version>``)
    as ``bundle build`` does (linux/amd64) and push it to the plain-HTTP registry
    ``host``; returns image reference -> bundle directory."""
    from bundle_tools.imageref import parse_reference
    from bundle_tools.images.build import build_bundle_image
    from bundle_tools.images.oci import Platform
    from bundle_tools.images.registry import RegistryClient, RegistryOptions

    pushed = {}
    with RegistryClient(RegistryOptions(plain_http=True)) as client:
        for package in PACKAGES:
            for bundle in sorted((corpus / package).iterdir()):
                image = f"{host}/{package}/bundle:{bundle.name}"
                built = build_bundle_image(bundle, [Platform.parse("linux/amd64")])
                client.push_image(parse_reference(image), built)
                pushed[image] = bundle
    return pushed
