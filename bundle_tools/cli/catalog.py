"""``bundle-tools catalog ...`` commands: thin wrappers that parse options, call one
function of :mod:`bundle_tools.fbc` and print its result."""

from __future__ import annotations

from enum import Enum
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
