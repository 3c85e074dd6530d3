"""The house's one-way data flow: rules and the modules below them never import the
orchestrators (``validate.py``) or the CLI that run them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bundle_tools"
#: Modules no rule or core module may import: the orchestrator and the CLI layer.
UPWARD = ("bundle_tools.validate", "bundle_tools.cli")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if p.parent.name != "cli" and p.name not in {"validate.py", "__main__.py"}
    ),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_upward_import(path: Path) -> None:
    upward = {m for m in _imports(path) if m.startswith(UPWARD)}
    assert upward == set(), f"{path.name} imports {sorted(upward)}"
