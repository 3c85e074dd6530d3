"""Command-line interface. The only layer that imports typer; each command parses its
options, calls one core function and renders the result. Input errors exit 2 with
``PATH:LINE:COL: error: MESSAGE`` on stderr and no traceback.

Commands are registered by module and function name (:func:`command`) and built only when
looked up (:class:`LazyGroup`): a run imports and builds the one command it invokes, and
group help lists every command from its registered short help. Building all twelve
commands (introspecting their signatures) and importing their modules took about 30 ms
of every start-up (issue 10).
"""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup

from bundle_tools import __version__
from bundle_tools.errors import BundleToolsError, InputError, Interrupted, json_safe, printable
from bundle_tools.gcpause import allow_freeze


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


@dataclass(frozen=True)
class Lazy:
    """A command known by name until it is looked up: ``function`` of module ``module``
    (a dotted name), with ``short_help``, its line in the group's command list."""

    module: str
    function: str
    short_help: str

    def build(self, name: str) -> Any:
        """The click command ``name`` for the function, with :class:`Command` help."""
        function = getattr(importlib.import_module(self.module), self.function)
        single = typer.Typer(add_completion=False, rich_markup_mode=None)
        single.command(name, cls=Command, short_help=self.short_help)(function)
        return typer.main.get_command(single)


class LazyCommands(MutableMapping[str, Any]):
    """The commands of a :class:`LazyGroup` by name, in registration order: the
    :class:`Lazy` ones first (built on first access, then kept), then those typer built
    (subgroups)."""

    def __init__(self, lazy: dict[str, Lazy], built: dict[str, Any]) -> None:
        self.lazy = lazy
        self.built = built

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            self.built[name] = self.lazy[name].build(name)
        return self.built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.built[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.lazy
        yield from (name for name in self.built if name not in self.lazy)

    def __len__(self) -> int:
        return len(self.lazy.keys() | self.built.keys())

    def __contains__(self, name: object) -> bool:
        return name in self.lazy or name in self.built

    def short_help(self, name: str, limit: int) -> str:
        """The command's line in the group's list, without building a lazy command."""
        if name in self.lazy and name not in self.built:
            return inspect.cleandoc(self.lazy[name].short_help).strip()
        return str(self.built[name].get_short_help_str(limit))


class LazyGroup(TyperGroup):
    """A typer group whose commands of :attr:`lazy` (each group's own subclass, see
    :func:`group`) are built when looked up; its help lists them without building them.
    With a :attr:`summary`, its help and its line in the parent's list are the summary
    followed by its command names, so the two never differ from the commands."""

    lazy: ClassVar[dict[str, Lazy]] = {}
    summary: ClassVar[str | None] = None

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.lazy, dict(self.commands))
        if self.summary is not None:
            self.help = self.short_help = f"{self.summary}: {', '.join(self.commands)}."

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """A ``Commands`` section: each visible command with its short help, never cut."""
        commands = self.commands
        assert isinstance(commands, LazyCommands)
        names = [n for n in commands if n in commands.lazy or not commands.built[n].hidden]
        if names:
            limit = formatter.width - 6 - max(len(n) for n in names)
            with formatter.section("Commands"):
                formatter.write_dl([(n, commands.short_help(n, limit)) for n in names])


def group(summary: str | None = None, **settings: Any) -> typer.Typer:
    """A typer app (a group, plain help) whose :func:`command` registrations are lazy;
    ``summary`` makes its help list its commands (see :class:`LazyGroup`)."""
    cls = type("LazyGroup", (LazyGroup,), {"lazy": {}, "summary": summary})
    return typer.Typer(cls=cls, no_args_is_help=True, rich_markup_mode=None, **settings)


def command(parent: typer.Typer, name: str, target: str, short_help: str) -> None:
    """Register command ``name`` of ``parent`` (made by :func:`group`): ``target`` is
    ``module:function``, imported when the command is looked up; ``short_help`` is its
    line in the group's command list (never cut)."""
    module, _, function = target.partition(":")
    parent.info.cls.lazy[name] = Lazy(module, function, short_help)


app = group(
    name="bundle-tools",
    help="Patch, validate and catalog OLM bundles.",
    pretty_exceptions_enable=False,
)
catalog_app = group(summary="File-based catalogs (FBC)")
app.add_typer(catalog_app, name="catalog")
bundle_app = group(help="Bundle images: build (and push) without a container daemon.")
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
    """Console-script entry point: a one-shot process, so loaded trees may be frozen out
    of the garbage collector's scans (:func:`~bundle_tools.gcpause.allow_freeze`)."""
    allow_freeze()
    app()


command(
    app,
    "patch-csv",
    "bundle_tools.cli.patch:patch_csv",
    "Add token-auth support and set release fields in a CSV.",
)
command(
    app,
    "validate",
    "bundle_tools.cli.validate:validate",
    "Validate bundle directories (the pre-merge gate).",
)
command(
    app, "rules", "bundle_tools.cli.validate:rules", "List every rule with severity and source."
)
command(
    catalog_app,
    "validate",
    "bundle_tools.cli.catalog:validate",
    "Validate an FBC like opm validate, and stricter.",
)
command(
    catalog_app,
    "render",
    "bundle_tools.cli.catalog:render",
    "Render a bundle into an FBC, then validate it.",
)
command(
    catalog_app,
    "dockerfile",
    "bundle_tools.cli.catalog:dockerfile",
    "Write the Dockerfile of a catalog image.",
)
command(
    catalog_app,
    "install-manifests",
    "bundle_tools.cli.catalog:install_manifests",
    "Print CatalogSource, OperatorGroup and Subscription for a test install.",
)
command(
    catalog_app, "graph", "bundle_tools.cli.catalog:graph", "Draw each channel's upgrade graph."
)
command(
    catalog_app,
    "diff",
    "bundle_tools.cli.catalog:diff",
    "Compare two catalogs and the upgrade paths they offer.",
)
command(
    catalog_app,
    "template",
    "bundle_tools.cli.catalog:template",
    "Generate an FBC from a basic or semver template.",
)
command(
    catalog_app,
    "build",
    "bundle_tools.cli.images:catalog_build",
    "Build (and push) a catalog image.",
)
command(
    bundle_app, "build", "bundle_tools.cli.images:bundle_build", "Build (and push) a bundle image."
)
