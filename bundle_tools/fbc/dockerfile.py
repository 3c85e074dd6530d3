"""The catalog image Dockerfile ``opm generate dockerfile`` writes at operator-registry HEAD
(``alpha/action/generate_dockerfile.go``): a builder stage that copies the FBC to
``/configs`` and pre-populates the serve cache, and a final stage running ``opm serve``
from that cache, labelled with the configs location. With ``scratch`` as base image the
final stage has no ``opm``: no entrypoint, and a comment on the CatalogSource
``grpcPodConfig.extractContent`` settings such an image needs.

Every user-supplied value is checked before it reaches the text: image references must
parse (``scratch`` is allowed as base image only), label keys are reverse-DNS-like,
label values and the directory name may not hold non-printable characters (control
characters, U+0085, U+2028), quotes, backslashes or ``$``, and the directory name no
white space, glob characters or a leading ``-``, so nothing can add a line or an
instruction, or make ``ADD`` read a pattern or a flag.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from bundle_tools.errors import UsageError
from bundle_tools.imageref import reference_problem

DEFAULT_IMAGE = "quay.io/operator-framework/opm:latest"
CONFIGS_LABEL = "operators.operatorframework.io.index.configs.v1"
_LABEL_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
#: Characters a label value (written inside double quotes) may not hold, besides the
#: non-printable ones.
_UNSAFE_LABEL = frozenset('"\\$')
#: Characters the catalog directory name (a bare ``ADD`` source) may not hold, besides
#: the non-printable and white-space ones: quotes, escapes, ``$`` (variables) and the
#: glob characters ``*``, ``?`` and ``[`` (``ADD`` sources are patterns).
_UNSAFE_NAME = frozenset("\"'\\$*?[")


def _unsafe(text: str, extra: frozenset[str], *, spaces: bool) -> bool:
    """True when ``text`` holds a character of ``extra``, a non-printable one (control
    characters, NEL U+0085, U+2028/U+2029: line breaks to other readers of the file;
    Docker itself splits lines only at ``\\n``) or, with ``spaces``, white space (which
    Docker's argument splitting, Go's ``unicode.IsSpace``, also finds in U+0085 and
    U+00A0)."""
    return any(c in extra or not c.isprintable() or (spaces and c.isspace()) for c in text)


def _image(value: str, option: str, *, scratch_ok: bool) -> str:
    if scratch_ok and value == "scratch":
        return value
    if value == "scratch":
        raise UsageError(f"{option} cannot be scratch: the builder runs /bin/opm")
    problem = reference_problem(value)
    if problem:
        raise UsageError(f"invalid {option} {value!r}: {problem}")
    return value


def parse_labels(values: Sequence[str], option: str = "--extra-labels") -> dict[str, str]:
    """``["a=1", "b=2,c=3"]`` -> ``{"a": "1", "b": "2", "c": "3"}`` (``k=v``, repeatable
    or comma-separated, like opm's ``--extra-labels``). Raises UsageError naming
    ``option`` for malformed or unsafe keys and values."""
    labels: dict[str, str] = {}
    for value in values:
        for item in value.split(","):
            key, sep, text = item.partition("=")
            if not sep or not _LABEL_KEY.fullmatch(key):
                raise UsageError(f"invalid {option} item {item!r}: expected key=value")
            if _unsafe(text, _UNSAFE_LABEL, spaces=False):
                raise UsageError(
                    f"invalid label value for {key!r}: non-printable characters (U+2028 and "
                    "U+0085 too), quotes, backslashes and '$' are not allowed"
                )
            labels[key] = text
    return labels


def generate_dockerfile(
    catalog_dir: str | Path,
    *,
    base_image: str = DEFAULT_IMAGE,
    builder_image: str = DEFAULT_IMAGE,
    labels: Mapping[str, str] | None = None,
) -> str:
    """Dockerfile text for the FBC directory ``catalog_dir``, built from its parent
    directory. Raises UsageError for invalid images or an unusable directory name;
    ``labels`` must come from :func:`parse_labels`."""
    name = _absolute(catalog_dir).name
    if not name or name.startswith("-") or _unsafe(name, _UNSAFE_NAME, spaces=True):
        raise UsageError(
            f"catalog directory name {name!r} cannot be used in a Dockerfile: ADD would read "
            "it as a flag or pattern, or split it (white space, quotes, '\\', '$', '*', '?', "
            "'[', control characters and a leading '-' are not allowed)"
        )
    base = _image(base_image, "--base-image", scratch_ok=True)
    builder = _image(builder_image, "--builder-image", scratch_ok=False)
    lines = [
        "# The builder image is expected to contain",
        "# /bin/opm (with serve subcommand)",
        f"FROM {builder} as builder",
        "",
        "# Copy FBC root into image at /configs and pre-populate serve cache",
        f"ADD {name} /configs",
        'RUN ["/bin/opm", "serve", "/configs", "--cache-dir=/tmp/cache", "--cache-only"]',
        "",
        f"FROM {base}",
    ]
    if base == "scratch":
        lines += [
            "# OLMv0 CatalogSources that use binary-less images must set:",
            "# spec:",
            "#   grpcPodConfig:",
            "#     extractContent:",
            "#       catalogDir: /configs",
            "#       cacheDir: /tmp/cache",
        ]
    else:
        lines += [
            "# The base image is expected to contain",
            "# /bin/opm (with serve subcommand) and /bin/grpc_health_probe",
            "",
            "# Configure the entrypoint and command",
            'ENTRYPOINT ["/bin/opm"]',
            'CMD ["serve", "/configs", "--cache-dir=/tmp/cache"]',
        ]
    lines += [
        "",
        "COPY --from=builder /configs /configs",
        "COPY --from=builder /tmp/cache /tmp/cache",
        "",
        "# Set FBC-specific label for the location of the FBC root directory",
        "# in the image",
        f"LABEL {CONFIGS_LABEL}=/configs",
    ]
    if labels:
        lines += ["", "# Set other custom labels"]
        lines += [f'LABEL "{key}"="{labels[key]}"' for key in sorted(labels)]
    return "\n".join(lines) + "\n"


def _absolute(catalog_dir: str | Path) -> Path:
    """``catalog_dir`` made absolute without resolving symbolic links, as Go's
    ``filepath.Abs`` in opm: a linked catalog keeps its own name and parent."""
    return Path(os.path.abspath(catalog_dir))


def dockerfile_path(catalog_dir: str | Path) -> Path:
    """``<parent>/<basename>.Dockerfile`` for ``catalog_dir``."""
    absolute = _absolute(catalog_dir)
    return absolute.parent / f"{absolute.name}.Dockerfile"
