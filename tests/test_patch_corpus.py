"""Every real CSV of ``../shared/corpus``: the patch is idempotent and changes no
pre-existing line except the token-auth annotation (refusals must be genuine: several
deployments or containers without a ``manager``, or invalid YAML)."""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path

import pytest

from bundle_tools.errors import InputError
from bundle_tools.patch import PatchOptions, find_targets, patch_csv_text
from bundle_tools.yamlio import read_source

from .conftest import SHARED, shared_path

ANNOTATION = "features.operators.openshift.io/token-auth-aws"
BUNDLES = sorted(p for p in (SHARED / "corpus" / "bundles").glob("*/*") if p.is_dir())
GENUINE_REFUSALS = ("deployments and none chosen", "none named 'manager'", "invalid YAML")


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_patch_is_idempotent_without_collateral_changes(bundle: Path) -> None:
    shared_path("corpus", "bundles")
    options = PatchOptions()
    try:
        source = read_source(find_targets(bundle, options).csv)
        once, changes = patch_csv_text(source, options)
    except InputError as exc:
        assert any(reason in exc.message for reason in GENUINE_REFUSALS), str(exc)
        assert exc.line is not None
        return
    assert changes
    diff = difflib.unified_diff(source.text.splitlines(), once.splitlines(), lineterm="", n=0)
    removed = [d for d in diff if d.startswith("-") and not d.startswith("---")]
    assert [d for d in removed if ANNOTATION not in d] == []
    assert patch_csv_text(dataclasses.replace(source, text=once), options) == (once, [])
