"""Reading a registry+v1 bundle directory: ``manifests/`` and ``metadata/``.

Layout (OLM bundle format, operator-registry ``docs/design/operator-bundle.md``)::

    <bundle>/manifests/   the CSV, CRDs and other objects, one file each
    <bundle>/metadata/annotations.yaml   annotations: {operators.operatorframework.io.bundle.*}
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bundle_tools.errors import InputError
from bundle_tools.readfile import refuse_special
from bundle_tools.yamlio import (
    Document,
    NotUTF8Error,
    SourceText,
    first_document_end,
    load_documents,
    load_file,
    read_source,
)

CSV_KIND = "ClusterServiceVersion"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")

#: Keys of ``metadata/annotations.yaml`` (operator-registry ``pkg/lib/bundle``).
PACKAGE_KEY = "operators.operatorframework.io.bundle.package.v1"
CHANNELS_KEY = "operators.operatorframework.io.bundle.channels.v1"
DEFAULT_CHANNEL_KEY = "operators.operatorframework.io.bundle.channel.default.v1"
MEDIATYPE_KEY = "operators.operatorframework.io.bundle.mediatype.v1"


def is_csv(data: Any) -> bool:
    """True when a parsed document is a ClusterServiceVersion (by ``kind``)."""
    return isinstance(data, dict) and data.get("kind") == CSV_KIND


def refuse_broken_link(path: Path) -> None:
    """Raise InputError when ``path`` is a symbolic link whose target does not exist, so a
    bundle file is never silently left out."""
    if path.is_symlink() and not path.exists():
        raise InputError("broken symbolic link: its target does not exist", path)


def is_bundle_file(path: Path) -> bool:
    """True when ``path``, listed in ``manifests/`` or ``metadata/``, is a regular file
    (False for a directory or a missing path). Raises InputError for a broken symbolic
    link or a special file (FIFO, device, socket), so none is silently left out."""
    refuse_broken_link(path)
    refuse_special(path)
    return path.is_file()


def manifest_paths(root: Path) -> list[Path]:
    """Regular files directly under ``root/manifests`` with a YAML or JSON suffix, sorted
    by name, hidden files skipped (as opm reads them).

    Raises InputError for a manifest name that is a broken symbolic link or a special
    file (see :func:`is_bundle_file`), rather than silently leaving that manifest out.
    """
    directory = root / "manifests"
    paths = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in MANIFEST_SUFFIXES:
            continue
        if is_bundle_file(path):
            paths.append(path)
    return paths


def find_csv_path(root: str | Path) -> Path:
    """Path of the one CSV file of bundle directory ``root``.

    A manifest named ``*clusterserviceversion*`` is taken as a CSV by its name; any other
    manifest whose text mentions ``ClusterServiceVersion`` is parsed and checked. Raises
    InputError when ``root`` has no ``manifests/`` directory, no CSV, or several CSV files
    (OLM keeps only the first; a tool that patched or rendered one would hide the other).
    """
    root = Path(root)
    if not (root / "manifests").is_dir():
        raise InputError("not a bundle directory: no manifests/ directory", root)
    found = []
    for path in manifest_paths(root):
        if "clusterserviceversion" in path.name.lower() or (
            CSV_KIND in read_source(path).text
            and any(is_csv(doc.data) for doc in load_file(path, duplicates="keep"))
        ):
            found.append(path)
    if not found:
        raise InputError("no ClusterServiceVersion found in manifests/", root / "manifests")
    if len(found) > 1:
        raise InputError(
            f"{len(found)} CSV files in manifests/ ({', '.join(p.name for p in found)}); "
            "a bundle holds one: remove the others or pass the CSV file as PATH",
            root / "manifests",
        )
    return found[0]


@dataclass(slots=True)
class Bundle:
    """A parsed bundle directory.

    ``manifests`` maps each manifest path to its YAML documents (every file of
    ``manifests/``, sorted); ``annotations`` is the ``metadata/annotations.yaml`` document
    or ``None`` when that file is absent; ``csv`` is the first ClusterServiceVersion
    document (``None`` when the bundle has none); ``undecodable`` maps each bundle file
    that is not YAML, and that opm skips rather than refuses (see :func:`load_bundle`),
    to its YAML error.
    """

    root: Path
    manifests: dict[Path, list[Document]] = field(default_factory=dict)
    annotations: Document | None = None
    csv: Document | None = None
    undecodable: dict[Path, InputError] = field(default_factory=dict)

    @property
    def annotation_values(self) -> dict[str, Any]:
        """The ``annotations:`` mapping of ``metadata/annotations.yaml`` (``{}`` if absent)."""
        data = self.annotations.data if self.annotations else None
        values = data.get("annotations") if isinstance(data, dict) else None
        return values if isinstance(values, dict) else {}


#: Why :func:`decode_like_opm` reads nothing from a file whose first document is only
#: comments (the message of its error, which points at the ``---`` line).
EMPTY_FIRST_DOCUMENT = (
    "the first document holds only comments and ends at this --- line; opm and OLM decode "
    "that empty document and nothing after it"
)


def read_like_opm(path: Path) -> tuple[list[Document], InputError | None]:
    """:func:`decode_like_opm` of bundle file ``path``; a YAML file that is not UTF-8
    (Latin-1 text in a description) gives ``([], error)`` too: go-yaml refuses invalid
    UTF-8 ("invalid leading UTF-8 octet"), so opm and OLM skip it like a YAML error.
    Raises InputError when the file cannot be read, or is not UTF-8 and starts with
    ``{``: Kubernetes' decoder reads that as JSON, whose decoder accepts invalid UTF-8."""
    try:
        source = read_source(path)
    except NotUTF8Error as error:
        if path.read_bytes().lstrip().startswith(b"{"):
            raise
        return [], error
    return decode_like_opm(source)


def decode_like_opm(source: SourceText) -> tuple[list[Document], InputError | None]:
    """The documents of a bundle file as opm and OLM decode it (repeated keys kept, the
    last value winning), and why part or all of it is lost: ``(every document, None)``;
    ``([first document], error)`` when a YAML error lies past the first document, which
    is all opm and OLM decode (``YAMLOrJSONDecoder``, see
    :func:`~bundle_tools.yamlio.first_document_end`); ``([], error)`` when the first
    document does not parse, or holds only comments before a ``---`` line (a license
    header): they decode an empty object and skip the file, with no error of their own
    (the error then points at that ``---`` line)."""
    end = first_document_end(source.text)
    if end is not None and _comments_only(source.text[:end]):
        line = source.text.count("\n", 0, end) + 1
        return [], InputError(EMPTY_FIRST_DOCUMENT, source.path, line, 1)
    try:
        return load_documents(source, "keep"), None
    except InputError as exc:
        if end is None or exc.line is None or exc.line <= source.text.count("\n", 0, end):
            return [], exc
        try:
            return load_documents(replace(source, text=source.text[:end]), "keep"), exc
        except InputError:
            return [], exc


def _comments_only(text: str) -> bool:
    """True when ``text`` holds no YAML content: blank lines, ``#`` comments and ``---``
    separators only."""
    return all(
        not line.strip() or line.lstrip().startswith("#") or line.startswith("---")
        for line in text.splitlines()
    )


def load_bundle(root: str | Path, duplicates: str = "error") -> Bundle:
    """Parse every manifest and ``metadata/annotations.yaml`` of bundle directory ``root``.

    With ``duplicates="keep"`` (reading the bundle as the cluster does, see
    :func:`read_like_opm`), a manifest that is not YAML goes to ``Bundle.undecodable``
    when its text does not mention ``ClusterServiceVersion``: opm's bundle parser skips a
    manifest it cannot decode (operator-registry ``bundleParser.addManifests``: "failed
    to decode"), and so does OLM's bundle loader (``pkg/configmap``: "skipping due to
    decode error"); the bundle is published and installed without that object. When only
    a later document is broken, the file's first document is kept (it is all they read)
    and the error recorded too; ``annotations.yaml`` is read the same way, so one whose
    first document is only comments gives no annotations. Raises InputError when
    ``root`` has no ``manifests/`` directory, a file cannot be read, the CSV or
    ``annotations.yaml`` does not parse (opm then refuses the bundle: no CSV, no
    annotations), or, unless ``duplicates`` is ``"keep"``, any manifest does not parse or
    repeats a key (see :func:`~bundle_tools.yamlio.compose_documents`).
    """
    root = Path(root)
    if not (root / "manifests").is_dir():
        raise InputError("not a bundle directory: no manifests/ directory", root)
    bundle = Bundle(root=root)
    for path in manifest_paths(root):
        if duplicates != "keep":
            docs = load_documents(read_source(path), duplicates)
        else:
            docs, error = read_like_opm(path)
            if error is not None:
                if not docs and CSV_KIND.encode() in path.read_bytes():
                    raise error
                bundle.undecodable[path] = error
                if not docs:
                    continue
        bundle.manifests[path] = docs
        if bundle.csv is None:
            bundle.csv = next((d for d in docs if is_csv(d.data)), None)
    annotations_path = root / "metadata" / "annotations.yaml"
    if is_bundle_file(annotations_path):
        if duplicates != "keep":
            docs = load_file(annotations_path, duplicates)
        else:
            docs, error = decode_like_opm(read_source(annotations_path))
            if error is not None and not docs and error.message != EMPTY_FIRST_DOCUMENT:
                raise error  # opm finds no annotations and refuses the bundle
            if error is not None:
                bundle.undecodable[annotations_path] = error  # BND013 (and BND001 if empty)
        bundle.annotations = docs[0] if docs else None
    return bundle
