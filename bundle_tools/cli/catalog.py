"""``bundle-tools catalog ...`` commands: thin wrappers that parse options, call one
function of :mod:`bundle_tools.fbc` and print its result."""

from __future__ import annotations

from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bundle_tools.cli import exit_on_input_error
from bundle_tools.findings import Severity
from bundle_tools.report import RENDERERS

OutputFormat = Enum("OutputFormat", {name: name for name in RENDERERS}, type=str)  # type: ignore[misc]
TEXT = OutputFormat("text")  # type: ignore[call-arg]


def _patterns(values: list[str] | None) -> list[str]:
    return [p.strip() for value in values or [] for p in value.split(",") if p.strip()]


def validate(
    catalog: Annotated[Path, typer.Argument(help="FBC directory to validate.", file_okay=False)],
    output: Annotated[OutputFormat, typer.Option("--output", "-o", help="Report format.")] = TEXT,
    select: Annotated[
        list[str] | None, typer.Option(help="Only rules with these ids or prefixes (repeatable).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Skip rules with these ids or prefixes (repeatable).")
    ] = None,
    fail_on: Annotated[
        str, typer.Option(help="Lowest severity that fails: info, warning or error.")
    ] = "error",
) -> None:
    """Validate a file-based catalog like `opm validate`, and stricter.

    Exit 0 when clean, 1 when a finding reaches --fail-on, 2 on unreadable input.
    """
    fmt = output.value
    with exit_on_input_error(json_output=fmt == "json"):
        from bundle_tools.fbc.check import check_catalog

        try:
            threshold = Severity.parse(fail_on)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--fail-on") from None
        report = check_catalog(catalog, select=_patterns(select), ignore=_patterns(ignore))
    typer.echo(RENDERERS[fmt](report, threshold), nl=False)
    raise typer.Exit(report.exit_code(threshold))


class MetadataForm(StrEnum):
    """How ``catalog render`` carries the CSV metadata."""

    csv = "csv"
    objects = "objects"


class CatalogFormat(StrEnum):
    """File format of ``catalog render`` output."""

    yaml = "yaml"
    json = "json"


def render(
    bundle: Annotated[Path, typer.Argument(help="Bundle directory (manifests/, metadata/).")],
    image: Annotated[
        str, typer.Option(help="Bundle image reference, e.g. quay.io/org/op-bundle:v1.2.3.")
    ],
    catalog: Annotated[
        Path, typer.Option(help="Catalog directory; writes <catalog>/<package>/catalog.<format>.")
    ] = Path("catalog"),
    channel: Annotated[
        list[str] | None,
        typer.Option(help="Channel to add the bundle to (repeatable; default: its annotation)."),
    ] = None,
    default_channel: Annotated[
        str | None, typer.Option(help="Set the package's defaultChannel.")
    ] = None,
    fmt: Annotated[CatalogFormat, typer.Option("--format", help="Catalog file format.")] = (
        CatalogFormat.yaml
    ),
    metadata: Annotated[
        MetadataForm,
        typer.Option(
            help="csv: one olm.csv.metadata; objects: one olm.bundle.object per manifest."
        ),
    ] = MetadataForm.csv,
) -> None:
    """Render a bundle into a file-based catalog, then validate the catalog.

    Creates or updates the olm.package, the bundle's olm.bundle blob and its entry in each
    channel (replaces, skips and skipRange from the CSV). Exit 1 when the catalog has
    errors afterwards, 2 on bad input.
    """
    with exit_on_input_error():
        from bundle_tools.fbc.check import check_catalog
        from bundle_tools.fbc.render import add_to_catalog, render_bundle

        rendered = render_bundle(bundle, image, metadata.value)
        result = add_to_catalog(
            rendered,
            catalog,
            channels=_patterns(channel),
            default_channel=default_channel,
            fmt=fmt.value,
        )
        action = "replaced" if result.replaced else "added"
        state = "written" if result.changed else "unchanged"
        typer.echo(
            f"{result.path}: {action} {result.bundle} in channels "
            f"{', '.join(result.channels)} ({state})"
        )
        report = check_catalog(catalog)
    typer.echo(RENDERERS["text"](report, Severity.ERROR), nl=False)
    raise typer.Exit(report.exit_code(Severity.ERROR))
