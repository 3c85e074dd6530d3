"""Regenerate the opm goldens of ``catalog template`` (``nox -s opm_goldens``).

Usage: ``OPM=/path/to/opm python scripts/opm_template_goldens.py [CORPUS_BUNDLES]``
(default ``../shared/corpus/bundles``). ``OPM`` must be opm v1.26.5 (the reference of
``catalog template``; build it from operator-registry tag v1.26.5 with
``go build ./cmd/opm``). Starts the distribution registry (``docker-registry``) on
127.0.0.1, pushes the bundles of ``tests/opm_template.py``'s packages with ``bundle
build``'s code, runs ``opm alpha render-template KIND --use-http TEMPLATE -o FORMAT`` for
every template of ``tests/data/opm-template/`` and both formats, and writes each output,
the registry host replaced by ``${REGISTRY}``, as ``<kind>-<package>.<format>.xz`` there.
Exits 1 when opm fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import opm_template  # noqa: E402
import registry_helpers  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpus" / "bundles"


def main(argv: list[str]) -> int:
    """Regenerate every golden; returns the process exit code."""
    opm = os.environ.get("OPM")
    if not opm:
        print("set OPM to an opm v1.26.5 binary", file=sys.stderr)
        return 2
    corpus = Path(argv[0]) if argv else DEFAULT
    with tempfile.TemporaryDirectory(prefix="opm-goldens-") as tmp:
        registry = registry_helpers.start_registry(Path(tmp) / "registry")
        try:
            opm_template.push_bundles(corpus, registry.host)
            for kind, package, fmt in opm_template.cases():
                template = opm_template.write_template(kind, package, registry.host, Path(tmp))
                command = opm_template.opm_command(opm, kind, template, fmt)
                run = subprocess.run(command, capture_output=True, text=True, check=False)
                if run.returncode != 0:
                    print(f"{' '.join(command)}: {run.stderr}", file=sys.stderr)
                    return 1
                text = opm_template.normalise(run.stdout, registry.host)
                print(opm_template.write_golden(kind, package, fmt, text).relative_to(ROOT))
        finally:
            registry.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
