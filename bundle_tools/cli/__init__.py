"""Command-line interface. The only layer that imports typer; each command parses its
options, calls one core function and renders the result. Input errors exit 2 with
``PATH:LINE:COL: error: MESSAGE`` on stderr and no traceback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from typer.core import TyperCommand

from bundle_tools import __version__
from bundle_tools.errors import BundleToolsError, InputError, Interrupted, json_safe, printable


class Command(TyperCommand):
    """A command whose help reads the same under every supported typer version: plain
    text (no Rich boxes or colour, wrapped, never truncated), arguments named by their
    metavar without a type (``BUNDLE...``, not ``{BUNDLE} <list[Path]>``)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """``[OPTIONS]`` then each argument: ``NAME``, ``NAME...`` when repeatable,
        in brackets when optional."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """An ``Arguments`` section (name and help) and an ``Options`` section."""
        params = self.get_params(ctx)
        arguments = [
            (_argument_name(p), p.help or "") for p in params if p.param_type_name == "argument"
        ]
        options = [
            record
            for p in params
            if p.param_type_name == "option" and (record := p.get_help_record(ctx))
        ]
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _argument_name(param: Any) -> str:
    name = param.metavar or param.name.upper()
    return f"{name}..." if param.nargs != 1 else name


def command(group: typer.Typer, name: str, function: Callable[..., None], short_help: str) -> None:
    """Register ``function`` as command ``name`` of ``group`` with :class:`Command` help;
    ``short_help`` is its line in the group's command list (never cut)."""
    group.command(name, cls=Command, short_help=short_help)(function)


app = typer.Typer(
    name="bundle-tools",
    help="Patch, validate and catalog OLM bundles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
catalog_app = typer.Typer(
    help="File-based catalogs (FBC): render, template, validate, graph, diff, build, dockerfile, "
    "install-manifests.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(
    catalog_app,
    name="catalog",
    short_help="File-based catalogs: render, validate, graph, diff, dockerfile, install manifests.",
)
bundle_app = typer.Typer(
    help="Bundle images: build (and push) without a container daemon.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(bundle_app, name="bundle")


@contextmanager
def exit_on_input_error(json_output: bool = False) -> Iterator[None]:
    """Turn a :class:`BundleToolsError` into exit code 2: the message on stderr, one line
    whatever values it quotes (:func:`~bundle_tools.errors.printable`; and, for
    JSON output, ``{"version": 1, "status": "error", "error": {...}}`` on stdout); a
    write stopped by a signal (:class:`~bundle_tools.errors.Interrupted`, rolled
    back) into exit code 128 + the signal number."""
    try:
        yield
    except Interrupted as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(128 + exc.signum) from None
    except BundleToolsError as exc:
        if json_output:
            error = exc.to_dict() if isinstance(exc, InputError) else {"message": str(exc)}
            document = {"version": 1, "status": "error", "error": error}
            typer.echo(json.dumps(json_safe(document)))
        message = str(exc) if isinstance(exc, InputError) else f"error: {printable(str(exc))}"
        typer.echo(message, err=True)
        raise typer.Exit(2) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bundle-tools {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Patch, validate and catalog OLM bundles."""


def main() -> None:
    """Console-script entry point."""
    app()


from bundle_tools.cli import catalog as _catalog  # noqa: E402
from bundle_tools.cli import images as _images  # noqa: E402
from bundle_tools.cli import patch  # noqa: E402  (commands import this module's helpers)
from bundle_tools.cli import validate as _validate  # noqa: E402

command(
    app, "patch-csv", patch.patch_csv, "Add token-auth support and set release fields in a CSV."
)
command(app, "validate", _validate.validate, "Validate bundle directories (the pre-merge gate).")
command(app, "rules", _validate.rules, "List every rule with severity and source.")

command(
    catalog_app, "validate", _catalog.validate, "Validate an FBC like opm validate, and stricter."
)
command(catalog_app, "render", _catalog.render, "Render a bundle into an FBC, then validate it.")
command(catalog_app, "dockerfile", _catalog.dockerfile, "Write the Dockerfile of a catalog image.")
command(
    catalog_app,
    "install-manifests",
    _catalog.install_manifests,
    "Print CatalogSource, OperatorGroup and Subscription for a test install.",
)
command(catalog_app, "graph", _catalog.graph, "Draw each channel's upgrade graph.")
command(
    catalog_app, "diff", _catalog.diff, "Compare two catalogs and the upgrade paths they offer."
)
command(
    catalog_app, "template", _catalog.template, "Generate an FBC from a basic or semver template."
)
command(catalog_app, "build", _images.catalog_build, "Build (and push) a catalog image.")
command(bundle_app, "build", _images.bundle_build, "Build (and push) a bundle image.")
