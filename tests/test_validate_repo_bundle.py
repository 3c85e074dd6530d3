"""The repository's bundle/ passes the gate before and after ``patch-csv`` (what
``nox -s validate`` runs), with no warning either."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bundle_tools.cli import app

from .conftest import REPO, copy_writable


def test_bundle_validates_clean_before_and_after_patch_csv(tmp_path: Path) -> None:
    runner = CliRunner()
    before = runner.invoke(app, ["validate", "--fail-on", "warning", str(REPO / "bundle")])
    assert before.exit_code == 0, before.stdout
    patched = copy_writable(REPO / "bundle", tmp_path / "bundle")
    assert runner.invoke(app, ["patch-csv", str(patched)]).exit_code == 0
    after = runner.invoke(app, ["validate", "--fail-on", "warning", "-o", "json", str(patched)])
    assert after.exit_code == 0, after.stdout
    # only actionable findings: the token-auth description reminder (token-auth-aws is now
    # "true"); no console-defect guess, no CSV-name remark on an established name
    assert [f["rule"] for f in json.loads(after.stdout)["findings"]] == ["STS008"]
