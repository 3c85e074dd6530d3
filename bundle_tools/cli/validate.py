"""``bundle-tools validate`` and ``bundle-tools rules``: thin Typer commands over
:mod:`bundle_tools.validate` and the rule registry."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bundle_tools.cli import exit_on_input_error
from bundle_tools.cli.options import (
    FailLevel,
    FailOn,
    Ignore,
    Output,
    OutputFormat,
    Profile,
    ProfileOption,
    Select,
    choice,
    emit,
    rule_patterns,
)

Bundles = Annotated[
    list[Path],
    typer.Argument(
        help="Bundle directories (each with manifests/ and metadata/).",
        metavar="BUNDLE",
    ),
]


def validate(
    paths: Bundles,
    output: Output = OutputFormat.text,
    select: Select = None,
    ignore: Ignore = None,
    fail_on: FailOn = FailLevel.error,
    profile: ProfileOption = Profile.default,
    courier: Annotated[
        bool,
        typer.Option(
            "--courier",
            help="Also run operator-courier's verification (optional extra 'courier').",
        ),
    ] = False,
) -> None:
    """Validate bundle directories: JSON schemas plus OLM, feature-annotation and token-auth
    rules. Exit 0 clean, 1 findings at or above --fail-on, 2 input or usage error (an
    unreadable bundle is reported on stderr; the other bundles are still checked)."""
    from bundle_tools.validate import validate_bundles

    with exit_on_input_error(output is OutputFormat.json):
        extra = ("COURIER",) if courier else ()
        selected = rule_patterns(select, "bundle", extra)
        ignored = rule_patterns(ignore, "bundle", extra)
        report = validate_bundles(
            paths, select=selected, ignore=ignored, profile=profile.value, courier=courier
        )
    emit(report, output, fail_on)


class RulesFormat(StrEnum):
    """``bundle-tools rules --output`` choices."""

    text = "text"
    json = "json"
    markdown = "markdown"


def rules(
    output: Annotated[
        RulesFormat,
        typer.Option(
            "--output",
            "-o",
            help="text, json, or markdown (README's rule table).",
            **choice(RulesFormat),
        ),
    ] = RulesFormat.text,
) -> None:
    """List every rule: id, target, severity (per profile), summary and source."""
    from bundle_tools.report import RULE_RENDERERS

    typer.echo(RULE_RENDERERS[output.value](), nl=False)
