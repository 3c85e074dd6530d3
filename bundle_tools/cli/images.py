"""``bundle-tools bundle build`` and ``bundle-tools catalog build``: thin Typer commands
over :mod:`bundle_tools.images`, plus the registry options every registry command
shares."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bundle_tools.cli import exit_on_input_error
from bundle_tools.cli.options import choice

if TYPE_CHECKING:
    from bundle_tools.findings import Report
    from bundle_tools.imageref import ImageReference
    from bundle_tools.images.oci import Image, Platform
    from bundle_tools.images.registry import RegistryClient, RegistryOptions

Tag = Annotated[
    str,
    typer.Option(
        "--tag", "-t", metavar="REF", help="Image reference to build, e.g. quay.io/org/bundle:v1."
    ),
]
Labels = Annotated[
    list[str] | None,
    typer.Option("--label", metavar="KEY=VALUE", help="Extra image label key=value (repeatable)."),
]
Platforms = Annotated[
    list[str] | None,
    typer.Option(
        "--platform",
        metavar="OS/ARCH",
        help="os/arch[/variant] (repeatable; several give an image index). Default linux/amd64.",
    ),
]
Push = Annotated[
    bool,
    typer.Option("--push", help="Push to the registry of --tag (default when no other output)."),
]
OciLayout = Annotated[
    Path | None,
    typer.Option(
        "--oci-layout",
        metavar="DIR",
        help="Write an OCI image layout directory (no push then, unless --push).",
    ),
]
OciArchive = Annotated[
    Path | None,
    typer.Option(
        "--oci-archive",
        metavar="PATH",
        help="Write an OCI layout tar archive (no push then, unless --push).",
    ),
]
NoValidate = Annotated[
    bool, typer.Option("--no-validate", help="Build even when validation finds errors.")
]
PlainHttp = Annotated[
    bool, typer.Option("--plain-http", help="Talk HTTP, not HTTPS, to the registry.")
]
TlsVerify = Annotated[
    str,
    typer.Option(
        "--tls-verify", metavar="true|false", help="Verify the registry's TLS certificate."
    ),
]
CaFile = Annotated[
    Path | None,
    typer.Option("--ca-file", metavar="PATH", help="PEM file of CAs trusted for the registry."),
]


class BuildOutput(StrEnum):
    """``--output`` choices of the build commands."""

    text = "text"
    json = "json"


OutputOption = Annotated[
    BuildOutput,
    typer.Option(
        "--output", "-o", help="text: REF@DIGEST; json: an object.", **choice(BuildOutput)
    ),
]


def registry_options(plain_http: bool, tls_verify: str, ca_file: Path | None) -> RegistryOptions:
    """``RegistryOptions`` from the shared command-line options. Raises UsageError when
    ``--tls-verify`` is not true or false."""
    from bundle_tools.errors import UsageError

    value = tls_verify.strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise UsageError(f"--tls-verify takes true or false, not {tls_verify!r}")
    from bundle_tools.images.registry import RegistryOptions

    return RegistryOptions(
        plain_http=plain_http, tls_verify=value in ("true", "1"), ca_file=ca_file
    )


def _refuse_errors(report: Report) -> None:
    """Exit 2 on an input error, 1 (report on stderr) on error findings."""
    from bundle_tools.findings import Severity
    from bundle_tools.report import RENDERERS

    for error in report.errors.values():
        raise error
    if report.exit_code(Severity.ERROR):
        typer.echo(RENDERERS["text"](report, Severity.ERROR), err=True, nl=False)
        typer.echo("error: validation failed; fix the errors or pass --no-validate", err=True)
        raise typer.Exit(1)


@dataclass(frozen=True, slots=True)
class _Outputs:
    """What a build writes, parsed before any work: ``ref`` (from --tag), its ``tag``
    name, ``platforms``, ``push``, ``layout``/``archive`` paths, ``registry`` options."""

    ref: ImageReference
    tag: str
    platforms: list[Platform]
    push: bool
    layout: Path | None
    archive: Path | None
    registry: RegistryOptions


def _outputs(
    tag: str,
    platforms: list[str] | None,
    push: bool,
    layout: Path | None,
    archive: Path | None,
    registry: RegistryOptions,
) -> _Outputs:
    """Parse --tag and --platform; raises UsageError when invalid."""
    from bundle_tools.imageref import parse_option
    from bundle_tools.images.build import image_tag
    from bundle_tools.images.oci import Platform

    ref = parse_option(tag, "--tag")
    return _Outputs(
        ref=ref,
        tag=image_tag(ref),
        platforms=[Platform.parse(p) for p in platforms or ["linux/amd64"]],
        push=push or not (layout or archive),
        layout=layout,
        archive=archive,
        registry=registry,
    )


def _emit(
    kind: str,
    build: Callable[[list[Platform], RegistryClient | None], Image],
    outputs: _Outputs,
    output: BuildOutput,
    needs_registry: bool = False,
) -> None:
    """Build (``build(platforms, client)``; ``client`` is ``None`` unless pushing or
    ``needs_registry``), write every output, print the pinned reference (or the JSON
    object). httpx is imported only when a registry is used."""
    from bundle_tools.images.oci import write_archive, write_layout

    with ExitStack() as stack:
        client = None
        if outputs.push or needs_registry:
            from bundle_tools.images.registry import RegistryClient

            client = stack.enter_context(RegistryClient(outputs.registry))
        image = build(outputs.platforms, client)
        if outputs.layout:
            write_layout(outputs.layout, image, outputs.tag)
            typer.echo(f"wrote {kind} image to oci:{outputs.layout}:{outputs.tag}", err=True)
        if outputs.archive:
            write_archive(outputs.archive, image, outputs.tag)
            typer.echo(f"wrote {kind} image to oci-archive:{outputs.archive}", err=True)
        if client is not None and outputs.push:
            client.push_image(outputs.ref, image)
    pinned = f"{outputs.ref.name}@{image.digest}"
    if output is BuildOutput.json:
        result = {
            "reference": pinned,
            "digest": image.digest,
            "mediaType": image.media_type,
            "size": image.size,
        }
        typer.echo(json.dumps(result))
    else:
        typer.echo(pinned)


def bundle_build(
    bundle: Annotated[
        Path, typer.Argument(metavar="BUNDLE", help="Bundle directory (manifests/, metadata/).")
    ],
    tag: Tag,
    label: Labels = None,
    platform: Platforms = None,
    push: Push = False,
    oci_layout: OciLayout = None,
    oci_archive: OciArchive = None,
    output: OutputOption = BuildOutput.text,
    no_validate: NoValidate = False,
    plain_http: PlainHttp = False,
    tls_verify: TlsVerify = "true",
    ca_file: CaFile = None,
) -> None:
    """Build a bundle image (FROM scratch: /manifests, /metadata, /tests/scorecard; one
    label per metadata/annotations.yaml entry) without a container daemon, and push it.

    The bundle is validated first: error findings refuse the build (exit 1) unless
    --no-validate. Prints REF@DIGEST. Same input, same digest (SOURCE_DATE_EPOCH sets
    the timestamps, default 0). Exit 2 on bad input or a registry failure.
    """
    with exit_on_input_error(output is BuildOutput.json):
        from bundle_tools.fbc.dockerfile import parse_labels
        from bundle_tools.images.build import build_bundle_image

        registry = registry_options(plain_http, tls_verify, ca_file)
        outputs = _outputs(tag, platform, push, oci_layout, oci_archive, registry)
        labels = parse_labels(label or [], "--label")
        if not no_validate:
            from bundle_tools.validate import validate_bundles

            _refuse_errors(validate_bundles([bundle]))
        _emit(
            "bundle",
            lambda platforms, _client: build_bundle_image(bundle, platforms, labels),
            outputs,
            output,
        )


def catalog_build(
    catalog: Annotated[
        Path, typer.Argument(metavar="CATALOG", help="FBC directory to put at /configs.")
    ],
    tag: Tag,
    base_image: Annotated[
        str,
        typer.Option(
            "--base-image",
            metavar="REF",
            help="scratch, or an image with /bin/opm (pulled; the image runs opm serve /configs).",
        ),
    ] = "scratch",
    label: Labels = None,
    platform: Platforms = None,
    push: Push = False,
    oci_layout: OciLayout = None,
    oci_archive: OciArchive = None,
    output: OutputOption = BuildOutput.text,
    no_validate: NoValidate = False,
    plain_http: PlainHttp = False,
    tls_verify: TlsVerify = "true",
    ca_file: CaFile = None,
) -> None:
    """Build a catalog image (/configs and its label) without a container daemon, and
    push it.

    On scratch (default) the image has no entrypoint: serve it with the CatalogSource
    grpcPodConfig.extractContent (`catalog install-manifests --extract-content`). With
    --base-image (the opm image) the entrypoint is `/bin/opm serve /configs
    --cache-dir=/tmp/cache`, as `opm generate dockerfile` writes. The catalog is
    validated first (errors refuse with exit 1 unless --no-validate).
    """
    with exit_on_input_error(output is BuildOutput.json):
        from bundle_tools.errors import InputError, require_path
        from bundle_tools.fbc.dockerfile import parse_labels
        from bundle_tools.imageref import parse_option
        from bundle_tools.images.build import build_catalog_image, pull_base

        registry = registry_options(plain_http, tls_verify, ca_file)
        outputs = _outputs(tag, platform, push, oci_layout, oci_archive, registry)
        labels = parse_labels(label or [], "--label")
        base = None if base_image == "scratch" else parse_option(base_image, "--base-image")
        require_path(catalog)
        if not catalog.is_dir():
            raise InputError("not a catalog directory", catalog)
        if not no_validate:
            from bundle_tools.fbc.check import check_catalog

            _refuse_errors(check_catalog(catalog))

        def build(platforms: list[Platform], client: RegistryClient | None) -> Image:
            bases = pull_base(client, base, platforms) if base and client else None
            return build_catalog_image(catalog, platforms, labels, bases)

        _emit("catalog", build, outputs, output, needs_registry=base is not None)
