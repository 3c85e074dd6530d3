"""scripts/check_schemas.py: the metaschema check of ``nox -s validate``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

SCRIPT = REPO / "scripts" / "check_schemas.py"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def check(directory: Path) -> subprocess.CompletedProcess[str]:
    """Run scripts/check_schemas.py on ``directory``."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(directory)], capture_output=True, text=True, check=False
    )


def test_valid_invalid_and_wrong_draft(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text(json.dumps({"$schema": DRAFT, "type": "object"}))
    assert check(tmp_path).returncode == 0
    (tmp_path / "bad.json").write_text(json.dumps({"$schema": DRAFT, "type": "thing"}))
    (tmp_path / "old.json").write_text(
        json.dumps({"$schema": "http://json-schema.org/draft-07/schema#"})
    )
    result = check(tmp_path)
    assert result.returncode == 1
    assert result.stdout == "3 schemas checked, 2 invalid\n"
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'bad.json'}: ") and lines[0].endswith("at /type")
    assert lines[1].startswith(f"{tmp_path / 'old.json'}: $schema is")


def test_repository_schemas_are_valid() -> None:
    result = check(REPO / "schemas")
    assert result.returncode == 0, result.stderr
