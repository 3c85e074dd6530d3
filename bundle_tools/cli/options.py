"""Options shared by the commands that report findings (``validate``, ``catalog
validate``): ``--output``, ``--select``, ``--ignore``, ``--fail-on``, ``--profile``, and
:func:`emit`, which prints a report and exits with its code.

Use them as parameter annotations::

    def validate(paths: ..., output: Output = OutputFormat.text, select: Select = None,
                 ignore: Ignore = None, fail_on: FailOn = FailLevel.error) -> None:
        with exit_on_input_error(output is OutputFormat.json):
            report = run(..., select=rule_patterns(select), ignore=rule_patterns(ignore))
        emit(report, output, fail_on)
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, NoReturn, TypeVar

import typer

from bundle_tools.errors import UsageError
from bundle_tools.findings import Report, Severity

Choice = TypeVar("Choice", bound=StrEnum)


def choice(kind: type[Choice]) -> dict[str, object]:
    """``typer.Option``/``typer.Argument`` keywords for a choice among the values of the
    StrEnum ``kind``: the metavar ``a|b|c``, a parser whose refusal reads
    ``'x' is not one of a, b, c`` (the same under every typer version, with no
    library prefix) and shell completion of the values starting with what is typed."""

    def parse(value: str | Choice) -> Choice:
        if isinstance(value, kind):
            return value
        try:
            return kind(value)
        except ValueError:
            names = ", ".join(kind)
            raise typer.BadParameter(f"{value!r} is not one of {names}") from None

    def complete(incomplete: str) -> list[str]:
        return [value for value in kind if value.startswith(incomplete)]

    parser: Callable[[str | Choice], Choice] = parse
    return {"metavar": "|".join(kind), "parser": parser, "autocompletion": complete}


class OutputFormat(StrEnum):
    """``--output`` choices (keys of ``report.RENDERERS``)."""

    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"


class FailLevel(StrEnum):
    """``--fail-on`` choices: the lowest severity that makes the exit code 1."""

    error = "error"
    warning = "warning"
    info = "info"


class Profile(StrEnum):
    """``--profile`` choices (see ``validate.PROFILES``)."""

    default = "default"
    certified = "certified"
    strict = "strict"


Output = Annotated[
    OutputFormat,
    typer.Option(
        "--output",
        "-o",
        help="Output format: text, json, sarif (2.1.0) or junit.",
        **choice(OutputFormat),
    ),
]
Select = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        metavar="RULE",
        help="Run only these rules: ids or prefixes (BND, CSV010), repeatable or comma-separated.",
    ),
]
Ignore = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore",
        metavar="RULE",
        help="Skip these rules: ids or prefixes, repeatable or comma-separated.",
    ),
]
FailOn = Annotated[
    FailLevel,
    typer.Option(
        "--fail-on", help="Exit 1 when a finding has at least this severity.", **choice(FailLevel)
    ),
]
ProfileOption = Annotated[
    Profile,
    typer.Option(
        "--profile",
        **choice(Profile),
        help="default; certified: Red Hat certification demands are errors; strict: also "
        "legal-but-ineffective content is an error.",
    ),
]


def rule_patterns(
    values: list[str] | None, target: str | None = None, extra: tuple[str, ...] = ()
) -> list[str]:
    """Split repeatable, comma-separated ``--select``/``--ignore`` values into rule ids or
    prefixes (upper-cased). ``extra`` holds finding ids this run can produce besides the
    registered rules (``COURIER`` with ``--courier``). Raises UsageError when the options
    were given but hold no pattern (``--select ''``), or when a pattern matches no rule
    of ``target`` (when given) nor ``extra`` — a typo would otherwise silently select
    nothing; the message names the other target's command or the
    ``--courier`` option when the pattern belongs there."""
    from bundle_tools.rules import all_rules, matches

    patterns = [p.strip().upper() for v in values or [] for p in v.split(",") if p.strip()]
    if values and not patterns:
        raise UsageError("empty rule pattern: give rule ids or prefixes, e.g. CSV or FEAT002")
    ids = list(all_rules(target)) + list(extra)
    for pattern in patterns:
        if any(matches(rule_id, [pattern]) for rule_id in ids):
            continue
        rules = all_rules().values()
        elsewhere = sorted({r.target for r in rules if matches(r.id, [pattern])})
        if elsewhere:
            hint = f"it names {' and '.join(elsewhere)} rules; this command runs {target} rules"
        elif matches("COURIER", [pattern]):
            hint = "COURIER findings come only with --courier"
        else:
            hint = "see `bundle-tools rules`"
        raise UsageError(f"no rule matches {pattern!r} ({hint})")
    return patterns


def emit(report: Report, output: OutputFormat, fail_on: FailLevel) -> NoReturn:
    """Print ``report`` in the ``output`` format on stdout, its input errors
    (``PATH:LINE:COL: error: MESSAGE``) on stderr, and exit with
    :meth:`Report.exit_code`: 2 when a target could not be read, else 0 when no finding
    reaches ``fail_on``, else 1."""
    from bundle_tools.report import RENDERERS

    level = Severity.parse(fail_on.value)
    typer.echo(RENDERERS[output.value](report, level), nl=False)
    for error in report.errors.values():
        typer.echo(str(error), err=True)
    raise typer.Exit(report.exit_code(level))
