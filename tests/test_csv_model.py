"""csv_model.get_path: the one path reader of patch-csv and validate."""

from __future__ import annotations

from bundle_tools.csv_model import get_path

DATA = {"spec": {"items": ["a", "b"], "scalar": "x"}}


def test_get_path_reads_mappings_and_sequences() -> None:
    assert get_path(DATA, ("spec", "items", 1)) == "b"
    assert get_path(DATA, ()) is DATA


def test_get_path_leaves_the_tree_with_the_default() -> None:
    assert get_path(DATA, ("spec", "items", -1)) is None  # no Python negative indexing
    assert get_path(DATA, ("spec", "items", 2), "none") == "none"
    assert get_path(DATA, ("spec", "scalar", "deeper")) is None
    assert get_path(DATA, ("spec", "items", "0")) is None
