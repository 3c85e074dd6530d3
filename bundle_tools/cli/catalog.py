"""``bundle-tools catalog ...`` commands: thin wrappers that parse options, call one
function of :mod:`bundle_tools.fbc` and print its result."""

from __future__ import annotations

import os
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bundle_tools.cli import exit_on_input_error
from bundle_tools.cli.images import CaFile, PlainHttp, TlsVerify, registry_options
from bundle_tools.cli.options import (
    FailLevel,
    FailOn,
    Ignore,
    Output,
    OutputFormat,
    Select,
    choice,
    emit,
    rule_patterns,
)
from bundle_tools.errors import printable, require_path
from bundle_tools.findings import Finding, Severity


def _split(values: list[str] | None) -> list[str]:
    """Repeatable, comma-separated option values as one list (blanks dropped)."""
    return [p.strip() for value in values or [] for p in value.split(",") if p.strip()]


def validate(
    catalog: Annotated[Path, typer.Argument(metavar="CATALOG", help="FBC directory to validate.")],
    output: Output = OutputFormat.text,
    select: Select = None,
    ignore: Ignore = None,
    fail_on: FailOn = FailLevel.error,
) -> None:
    """Validate a file-based catalog like `opm validate`, and stricter.

    Exit 0 when clean, 1 when a finding reaches --fail-on, 2 on unreadable input or a
    usage error (such as a --select pattern that matches no catalog rule).
    """
    with exit_on_input_error(output is OutputFormat.json):
        require_path(catalog)
        from bundle_tools.fbc.check import check_catalog

        selected = rule_patterns(select, "catalog")
        ignored = rule_patterns(ignore, "catalog")
        report = check_catalog(catalog, select=selected, ignore=ignored)
    emit(report, output, fail_on)


class MetadataForm(StrEnum):
    """How ``catalog render`` carries the CSV metadata."""

    csv = "csv"
    objects = "objects"


class CatalogFormat(StrEnum):
    """File format of ``catalog render`` output."""

    yaml = "yaml"
    json = "json"


def render(
    bundle: Annotated[
        str,
        typer.Argument(
            help="Bundle directory (manifests/, metadata/), or a bundle image reference to "
            "pull and render (like opm render IMAGE).",
            metavar="BUNDLE",
        ),
    ],
    image: Annotated[
        str | None,
        typer.Option(
            metavar="REF",
            help="Bundle image reference to record, e.g. quay.io/org/op-bundle:v1.2.3 "
            "(required for a directory; default: the pulled reference).",
        ),
    ] = None,
    catalog: Annotated[
        Path,
        typer.Option(
            metavar="DIR", help="Catalog directory; writes DIR/<package>/catalog.<format>."
        ),
    ] = Path("catalog"),
    channel: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME",
            help="Channel to add the bundle to (repeatable; default: its annotation).",
        ),
    ] = None,
    default_channel: Annotated[
        str | None, typer.Option(metavar="NAME", help="Set the package's defaultChannel.")
    ] = None,
    fmt: Annotated[
        CatalogFormat,
        typer.Option("--format", help="Catalog file format.", **choice(CatalogFormat)),
    ] = (CatalogFormat.yaml),
    metadata: Annotated[
        MetadataForm,
        typer.Option(
            **choice(MetadataForm),
            help="csv: one olm.csv.metadata; objects: one olm.bundle.object per manifest.",
        ),
    ] = MetadataForm.csv,
    pin_digest: Annotated[
        bool,
        typer.Option(
            "--pin-digest",
            help="Record the image as REPOSITORY@DIGEST (its tag resolved in its registry).",
        ),
    ] = False,
    plain_http: PlainHttp = False,
    tls_verify: TlsVerify = "true",
    ca_file: CaFile = None,
) -> None:
    """Render a bundle into a file-based catalog, then validate the catalog.

    Creates or updates the olm.package, the bundle's olm.bundle blob and its entry in each
    channel (replaces, skips and skipRange from the CSV). Exit 1 when the catalog has
    errors afterwards, 2 on bad input.
    """
    with exit_on_input_error():
        from bundle_tools.fbc.check import check_catalog
        from bundle_tools.fbc.render import add_to_catalog, render_bundle
        from bundle_tools.images.pull import bundle_source
        from bundle_tools.safewrite import locked

        options = registry_options(plain_http, tls_verify, ca_file)
        with bundle_source(bundle, image, pin_digest, options) as (directory, recorded):
            rendered = render_bundle(directory, recorded, metadata.value)
        with locked(catalog):
            result = add_to_catalog(
                rendered,
                catalog,
                channels=_split(channel),
                default_channel=default_channel,
                fmt=fmt.value,
            )
        report = check_catalog(catalog)
    if not result.changed:
        typer.echo(printable(f"{result.path}: unchanged"))
        if report.exit_code(Severity.ERROR) == 0:
            raise typer.Exit(0)
    else:
        action = "replaced" if result.replaced else "added"
        typer.echo(
            printable(
                f"{result.path}: {action} {result.bundle} in channels {', '.join(result.channels)}"
            )
        )
    emit(report, OutputFormat.text, FailLevel.error)


def dockerfile(
    catalog: Annotated[
        Path, typer.Argument(metavar="CATALOG", help="FBC directory to build an image from.")
    ],
    base_image: Annotated[
        str,
        typer.Option(
            "--base-image", "-i", metavar="REF", help="Image of the final stage (may be scratch)."
        ),
    ] = "quay.io/operator-framework/opm:latest",
    builder_image: Annotated[
        str,
        typer.Option(
            "--builder-image",
            "-b",
            metavar="REF",
            help="Image with /bin/opm that builds the cache.",
        ),
    ] = "quay.io/operator-framework/opm:latest",
    extra_labels: Annotated[
        list[str] | None,
        typer.Option(
            "--extra-labels",
            "-l",
            metavar="KEY=VALUE",
            help="Extra image label key=value (repeatable).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing Dockerfile.")] = False,
    stdout: Annotated[
        bool, typer.Option(help="Print the Dockerfile instead of writing it.")
    ] = False,
) -> None:
    """Write <parent>/<name>.Dockerfile for a catalog image, as `opm generate dockerfile`.

    Two stages: the builder copies the catalog to /configs and pre-populates the serve
    cache; the final image runs `opm serve /configs` from that cache.
    """
    with exit_on_input_error():
        require_path(catalog)
        from bundle_tools.errors import InputError
        from bundle_tools.fbc.dockerfile import dockerfile_path, generate_dockerfile, parse_labels
        from bundle_tools.safewrite import Write, write_file, write_files

        if not catalog.is_dir():
            raise InputError("not a catalog directory", catalog)
        text = generate_dockerfile(
            catalog,
            base_image=base_image,
            builder_image=builder_image,
            labels=parse_labels(extra_labels or []),
        )
        if stdout:
            typer.echo(text, nl=False)
            return
        path = dockerfile_path(catalog)
        if os.path.isfile(path) and Path(path).read_bytes() == text.encode("utf-8"):
            typer.echo(printable(f"{path}: unchanged"))
            return
        if force:
            write_file(path, text.encode("utf-8"))
        elif os.path.lexists(path):
            raise InputError("file already exists (use --force to overwrite)", path)
        else:
            write_files([Write(path, text.encode("utf-8"), None)])
        typer.echo(printable(f"wrote {path}"))


class InstallModeChoice(StrEnum):
    """``--install-mode`` choices (OLM's install mode types)."""

    OwnNamespace = "OwnNamespace"
    SingleNamespace = "SingleNamespace"
    MultiNamespace = "MultiNamespace"
    AllNamespaces = "AllNamespaces"


def install_manifests(
    catalog_image: Annotated[
        str, typer.Option(metavar="REF", help="Catalog image the CatalogSource serves.")
    ],
    package: Annotated[str, typer.Option(metavar="NAME", help="Package to subscribe to.")],
    channel: Annotated[str, typer.Option(metavar="NAME", help="Channel to subscribe to.")],
    namespace: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Namespace of the OperatorGroup and Subscription (default: the package "
            "name; openshift-operators, with no OperatorGroup, for AllNamespaces).",
        ),
    ] = None,
    install_mode: Annotated[
        InstallModeChoice | None,
        typer.Option(
            **choice(InstallModeChoice),
            help="How OLM installs the operator; must be one the CSV supports (read from "
            "--catalog or --bundle). Default: OwnNamespace when supported, else "
            "AllNamespaces, else SingleNamespace, else MultiNamespace.",
        ),
    ] = None,
    target_namespace: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME",
            help="Namespace the operator watches, for SingleNamespace (once) or "
            "MultiNamespace (repeatable).",
        ),
    ] = None,
    catalog: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="FBC directory of the catalog image: the channel head's installModes "
            "decide the install mode.",
        ),
    ] = None,
    bundle: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Bundle directory whose CSV's installModes decide the install mode.",
        ),
    ] = None,
    role_arn: Annotated[
        str | None, typer.Option(metavar="ARN", help="AWS: IAM role ARN (ROLEARN).")
    ] = None,
    azure_client_id: Annotated[
        str | None, typer.Option(metavar="GUID", help="Azure: CLIENTID.")
    ] = None,
    azure_tenant_id: Annotated[
        str | None, typer.Option(metavar="GUID", help="Azure: TENANTID.")
    ] = None,
    azure_subscription_id: Annotated[
        str | None, typer.Option(metavar="GUID", help="Azure: SUBSCRIPTIONID.")
    ] = None,
    azure_resource_group: Annotated[
        str | None, typer.Option(metavar="NAME", help="Azure: RESOURCEGROUP (optional).")
    ] = None,
    gcp_project_number: Annotated[
        str | None, typer.Option(metavar="NUMBER", help="GCP: PROJECT_NUMBER.")
    ] = None,
    gcp_pool_id: Annotated[str | None, typer.Option(metavar="ID", help="GCP: POOL_ID.")] = None,
    gcp_provider_id: Annotated[
        str | None, typer.Option(metavar="ID", help="GCP: PROVIDER_ID.")
    ] = None,
    gcp_service_account_email: Annotated[
        str | None, typer.Option(metavar="EMAIL", help="GCP: SERVICE_ACCOUNT_EMAIL.")
    ] = None,
    extract_content: Annotated[
        bool,
        typer.Option(
            "--extract-content",
            help="Serve an image without opm (catalog build on scratch): set the "
            "CatalogSource grpcPodConfig.extractContent (catalogDir /configs).",
        ),
    ] = False,
) -> None:
    """Print a CatalogSource, an OperatorGroup and a Subscription for a test install.

    With cloud options the Subscription's spec.config.env carries the short-lived token
    identity (ROLEARN; CLIENTID/TENANTID/SUBSCRIPTIONID; PROJECT_NUMBER/POOL_ID/
    PROVIDER_ID/SERVICE_ACCOUNT_EMAIL). Malformed values exit 2.
    """
    with exit_on_input_error():
        from bundle_tools.errors import InputError, UsageError
        from bundle_tools.fbc.check import load_model
        from bundle_tools.fbc.install import (
            catalog_install_modes,
            choose_install_mode,
            dump_manifests,
            select_identity,
            supported_install_modes,
        )
        from bundle_tools.fbc.install import install_manifests as build
        from bundle_tools.validate import load_context

        identity = select_identity(
            role_arn=role_arn,
            azure=(azure_client_id, azure_tenant_id, azure_subscription_id, azure_resource_group),
            gcp=(gcp_project_number, gcp_pool_id, gcp_provider_id, gcp_service_account_email),
        )
        if catalog is not None and bundle is not None:
            raise UsageError("--catalog and --bundle exclude each other; give one")
        supported = None
        if catalog is not None:
            require_path(catalog)
            supported = catalog_install_modes(load_model(catalog), package, channel)
        elif bundle is not None:
            context = load_context(bundle)
            if context.csv is None:
                raise InputError("no ClusterServiceVersion in manifests/", bundle / "manifests")
            supported = supported_install_modes(context.csv_data)
        install = choose_install_mode(
            supported,
            package=package,
            mode=install_mode.value if install_mode else None,
            namespace=namespace,
            targets=target_namespace or (),
        )
        documents = build(
            install=install,
            catalog_image=catalog_image,
            package=package,
            channel=channel,
            identity=identity,
            extract_content=extract_content,
        )
    typer.echo(dump_manifests(documents), nl=False)


class GraphFormat(StrEnum):
    """Form of ``catalog graph`` output."""

    mermaid = "mermaid"
    dot = "dot"
    text = "text"


def graph(
    catalog: Annotated[Path, typer.Argument(metavar="CATALOG", help="FBC directory.")],
    package: Annotated[str | None, typer.Option(metavar="NAME", help="Only this package.")] = None,
    channel: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only channels of this name.")
    ] = None,
    output: Annotated[
        GraphFormat,
        typer.Option(
            "--output",
            "-o",
            help="mermaid (GitHub/GitLab Markdown), dot or text.",
            **choice(GraphFormat),
        ),
    ] = GraphFormat.mermaid,
) -> None:
    """Draw each channel's upgrade graph: replaces and skips edges, skipRange edges
    (dashed), the head, deprecated bundles and channels, and bundles with no upgrade
    path to the head.

    Exit 2 on unreadable input or when no channel matches --package/--channel.
    """
    with exit_on_input_error():
        require_path(catalog)
        from bundle_tools.errors import UsageError
        from bundle_tools.fbc.check import load_model
        from bundle_tools.fbc.graph import catalog_graphs
        from bundle_tools.review.picture import FORMS

        graphs = catalog_graphs(load_model(catalog), package=package, channel=channel)
        if not graphs:
            wanted = " ".join(
                f"{kind} {name!r}"
                for kind, name in (("package", package), ("channel", channel))
                if name
            )
            raise UsageError(
                f"no channel found in {catalog}" + (f" for {wanted}" if wanted else "")
            )
        typer.echo(FORMS[output.value](graphs), nl=False)


class DiffFormat(StrEnum):
    """Form of ``catalog diff`` output."""

    markdown = "markdown"
    json = "json"
    text = "text"


def diff(
    old: Annotated[
        str, typer.Argument(metavar="OLD", help="Old catalog: a directory or git:REV:PATH.")
    ],
    new: Annotated[
        str, typer.Argument(metavar="NEW", help="New catalog: a directory or git:REV:PATH.")
    ],
    output: Annotated[
        DiffFormat,
        typer.Option(
            "--output", "-o", help="markdown (a PR comment), json or text.", **choice(DiffFormat)
        ),
    ] = DiffFormat.markdown,
) -> None:
    """Compare two catalogs: packages, channels, bundles, default channels, heads and
    deprecations added, removed or changed, and whether every bundle an old channel
    offered still upgrades to the new head (as OLM resolves it).

    Exit 0 when no upgrade path is lost, 1 when a user loses one (a bundle left behind,
    a removed channel or package), 2 on unreadable input.
    """
    with exit_on_input_error(output is DiffFormat.json):
        for source in (old, new):
            if not source.startswith("git:"):
                require_path(source)
        from bundle_tools.review.diff import FORMS, diff_catalogs
        from bundle_tools.review.source import load_source

        result = diff_catalogs(load_source(old), load_source(new), old, new)
    typer.echo(FORMS[output.value](result), nl=False)
    if result.failed:
        raise typer.Exit(1)


def _echo_findings(findings: Sequence[Finding], level: str) -> None:
    """Print template findings on stderr as ``FILE:LINE:COL: LEVEL: MESSAGE``."""
    for finding in findings:
        loc = finding.location
        typer.echo(f"{loc.path}:{loc.line}:{loc.column}: {level}: {finding.message}", err=True)


class TemplateFormat(StrEnum):
    """Form of ``catalog template`` output."""

    json = "json"
    yaml = "yaml"
    mermaid = "mermaid"


def template(
    file: Annotated[
        Path, typer.Argument(metavar="TEMPLATE", help="olm.semver or olm.template.basic template.")
    ],
    output: Annotated[
        TemplateFormat,
        typer.Option(
            "--output",
            "-o",
            help="json or yaml (the FBC), mermaid (its upgrade graphs, as catalog graph).",
            **choice(TemplateFormat),
        ),
    ] = TemplateFormat.json,
    metadata: Annotated[
        MetadataForm,
        typer.Option(
            **choice(MetadataForm),
            help="csv: one olm.csv.metadata; objects: one olm.bundle.object per manifest, "
            "in file order (opm's default form, byte for byte as opm v1.26.5).",
        ),
    ] = MetadataForm.csv,
    bundle: Annotated[
        list[str] | None,
        typer.Option(
            metavar="IMAGE=DIR",
            help="Render bundle image IMAGE from the bundle directory DIR (repeatable); "
            "other images are pulled from their registry.",
        ),
    ] = None,
    catalog: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Write DIR/<package>/catalog.<output> (replacing it) and validate the "
            "catalog, instead of printing.",
        ),
    ] = None,
    plain_http: PlainHttp = False,
    tls_verify: TlsVerify = "true",
    ca_file: CaFile = None,
) -> None:
    """Render a catalog template as `opm alpha render-template` (v1.26.5) does and print
    the FBC.

    The template is checked against schemas/olm.semver.schema.json or
    schemas/olm.template.basic.schema.json first (each violation printed with its line);
    a field opm would silently drop from a basic template is a warning.
    Bundle images are pulled from their registries (credentials as for `bundle build`),
    except those given as local directories with --bundle. With --catalog, exit 1 when
    the catalog has errors afterwards. Exit 2 on a schema violation,
    an unreadable template or a bundle that cannot be pulled or rendered (naming the
    template line).
    """
    with exit_on_input_error():
        from bundle_tools.errors import UsageError
        from bundle_tools.template.engine import (
            TemplateError,
            bundle_images,
            directory_renderer,
            dump_catalog,
            load_template,
            render_template,
        )

        if output is TemplateFormat.mermaid and catalog is not None:
            raise UsageError("--catalog writes json or yaml, not mermaid")
        mapping = {}
        for item in bundle or []:
            image, sep, directory = item.partition("=")
            if not sep or not image or not directory:
                raise UsageError(f"--bundle expects IMAGE=DIR, got {item!r}")
            mapping[image] = Path(directory)
        try:
            loaded = load_template(file)
        except TemplateError as exc:
            _echo_findings(exc.findings, "error")
            raise typer.Exit(2) from None
        _echo_findings(loaded.warnings, "warning")
        named = bundle_images(loaded)
        for image in mapping:
            if image not in named:
                where = printable(str(file))
                typer.echo(
                    f"warning: --bundle '{printable(image)}' is no bundle image of {where} "
                    "(images match exactly, tag or digest included): its directory is not used",
                    err=True,
                )
        from bundle_tools.images.registry import RegistryClient
        from bundle_tools.template.pull import registry_renderer

        with RegistryClient(registry_options(plain_http, tls_verify, ca_file)) as client:
            pull = registry_renderer(client, metadata.value)
            renderer = directory_renderer(mapping, metadata.value, fallback=pull)
            blobs = render_template(loaded, renderer)
        if output is TemplateFormat.mermaid:
            from bundle_tools.review.picture import mermaid
            from bundle_tools.template.engine import graphs_of

            typer.echo(mermaid(graphs_of(blobs)), nl=False)
            return
        if catalog is None:
            typer.echo(dump_catalog(blobs, output.value), nl=False)
            return
        from bundle_tools.fbc.check import check_catalog
        from bundle_tools.template.engine import write_catalog

        for path in write_catalog(blobs, catalog, output.value):
            typer.echo(f"wrote {path}")
        report = check_catalog(catalog)
    emit(report, OutputFormat.text, FailLevel.error)
