"""Every real CSV of ``../shared/corpus``: the patch is idempotent and changes no
pre-existing line except the token-auth annotation (refusals must be genuine: several
deployments or containers without a ``manager``, or invalid YAML)."""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path

import pytest

from bundle_tools.errors import InputError
from bundle_tools.patch import Change, PatchOptions, find_targets, patch_csv_text
from bundle_tools.yamlio import SourceText, read_source

from .conftest import SHARED, shared_path

ANNOTATION = "features.operators.openshift.io/token-auth-aws"
BUNDLES = sorted(p for p in (SHARED / "corpus" / "bundles").glob("*/*") if p.is_dir())
GENUINE_REFUSALS = ("deployments and none chosen", "none named 'manager'", "invalid YAML")


def assert_clean_patch(
    source: SourceText, options: PatchOptions, once: str, changes: list[Change]
) -> None:
    """The patch result ``once`` changed something, no pre-existing line but the
    annotation, and is a fixed point."""
    assert changes
    diff = difflib.unified_diff(source.text.splitlines(), once.splitlines(), lineterm="", n=0)
    removed = [d for d in diff if d.startswith("-") and not d.startswith("---")]
    assert [d for d in removed if ANNOTATION not in d] == []
    assert patch_csv_text(dataclasses.replace(source, text=once), options) == (once, [])


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
    assert_clean_patch(source, options, once, changes)


@pytest.mark.parametrize(
    ("bundle", "deployment", "container"),
    [
        ("dynatrace-operator/0.11.0", "dynatrace-operator", None),
        ("etcd/0.9.4", None, "etcd-operator"),
        ("cert-manager/1.14.2-rc1", "cert-manager", None),
        ("flux/2.3.0", "source-controller", None),
    ],
)
def test_corpus_refusals_resolve_with_a_choice(
    bundle: str, deployment: str | None, container: str | None
) -> None:
    path = shared_path("corpus", "bundles", *bundle.split("/"))
    options = PatchOptions(
        token_auth=("aws", "azure", "gcp"), deployment=deployment, container=container
    )
    source = read_source(find_targets(path, options).csv)
    assert_clean_patch(source, options, *patch_csv_text(source, options))
