"""``patch-csv``: lossless, idempotent edits of a ClusterServiceVersion.

:mod:`~bundle_tools.patch.csvpatch` decides what changes (token auth, release fields);
:mod:`~bundle_tools.patch.textedit` applies the changes to the original text so that
every other byte stays as it was.
"""

from bundle_tools.patch.csvpatch import (
    Change,
    PatchOptions,
    Targets,
    created_at_now,
    find_targets,
    patch_annotations_text,
    patch_csv_text,
)

__all__ = [
    "Change",
    "PatchOptions",
    "Targets",
    "created_at_now",
    "find_targets",
    "patch_annotations_text",
    "patch_csv_text",
]
