"""Command-line interface. The only layer that imports typer; each command parses its
options, calls one core function and renders the result. Input errors exit 2 with
``PATH:LINE:COL: error: MESSAGE`` on stderr and no traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from bundle_tools import __version__
from bundle_tools.errors import BundleToolsError, InputError, Interrupted, json_safe, printable

app = typer.Typer(
    name="bundle-tools",
    help="Patch, validate and catalog OLM bundles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
catalog_app = typer.Typer(
    help="File-based catalogs (FBC): render, template, validate, graph, diff, dockerfile, "
    "install-manifests.",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")
bundle_app = typer.Typer(
    help="Bundle images: build (and push) without a container daemon.",
    no_args_is_help=True,
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

app.command("patch-csv")(patch.patch_csv)
app.command("validate")(_validate.validate)
app.command("rules")(_validate.rules)

catalog_app.command("validate")(_catalog.validate)
catalog_app.command("render")(_catalog.render)
catalog_app.command("dockerfile")(_catalog.dockerfile)
catalog_app.command("install-manifests")(_catalog.install_manifests)
catalog_app.command("graph")(_catalog.graph)
catalog_app.command("diff")(_catalog.diff)
catalog_app.command("template")(_catalog.template)
catalog_app.command("build")(_images.catalog_build)
bundle_app.command("build")(_images.bundle_build)
