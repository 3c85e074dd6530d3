"""``patch-csv``: lossless, idempotent edits of a ClusterServiceVersion.

- :mod:`~bundle_tools.patch.csvpatch`: entry points (CSV text, annotations.yaml text,
  which files a path names);
- :mod:`~bundle_tools.patch.tokenauth` and :mod:`~bundle_tools.patch.release`: what
  changes, decided on the parsed document;
- :mod:`~bundle_tools.patch.model`: options, change records, the planner;
- :mod:`~bundle_tools.patch.textedit`: applies the edits to the original text so that
  every other byte stays as it was.
"""

from bundle_tools.patch.csvpatch import (
    Targets,
    find_targets,
    patch_annotations_text,
    patch_csv_text,
)
from bundle_tools.patch.model import Change, PatchOptions, created_at_now

__all__ = [
    "Change",
    "PatchOptions",
    "Targets",
    "created_at_now",
    "find_targets",
    "patch_annotations_text",
    "patch_csv_text",
]
