"""The one finding model shared by every check of the product (bundle and catalog rules).

A finding is a rule violation located in a file: rule id (family prefix + number, e.g.
``CSV010``), severity, message, 1-based line and column, a JSON Pointer to the offending
node and an optional hint. Findings never carry library objects, so reporters and tests
can treat them as plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from bundle_tools.errors import InputError


class Severity(IntEnum):
    """Finding severity; ordered so ``severity >= fail_on`` decides the exit code."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``"error"`` -> ``Severity.ERROR``; raises ``ValueError`` for other words."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (info, warning, error)") from None

    def __str__(self) -> str:
        return self.name.lower()


def escape_pointer_part(part: str | int) -> str:
    """RFC 6901 escaping of one reference token."""
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(parts: Sequence[str | int]) -> str:
    """``["spec", "relatedImages", 0]`` -> ``"/spec/relatedImages/0"``."""
    return "".join("/" + escape_pointer_part(p) for p in parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """Where a finding points: file path (as given by the user, or relative to the
    bundle/catalog root), JSON Pointer (RFC 6901, ``""`` for the whole document),
    1-based line and column (``None`` only when the file has no parsed position,
    e.g. a missing file)."""

    path: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        for name in ("line", "column"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} is 1-based, got {value}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One rule violation. ``rule`` is the rule id, ``hint`` an optional how-to-fix."""

    rule: str
    severity: Severity
    message: str
    location: Location
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, line, column, rule id, message."""
        loc = self.location
        return (loc.path, loc.line or 0, loc.column or 0, self.rule, self.message)

    def to_dict(self) -> dict[str, object]:
        """JSON shape (version 1): ``{rule, severity, message, file, line, column,
        pointer, hint}``."""
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "pointer": self.location.pointer,
            "hint": self.hint,
        }


@dataclass(slots=True)
class Report:
    """Findings of one command run over ``targets`` (the bundle or catalog paths checked).
    ``errors`` maps a target that could not be read to its input error: the other targets
    are still checked and reported, and the run exits 2."""

    targets: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: dict[str, InputError] = field(default_factory=dict)

    def extend(self, findings: Iterable[Finding]) -> None:
        """Add findings; order is fixed later by :meth:`sorted_findings`."""
        self.findings.extend(findings)

    def sorted_findings(self) -> list[Finding]:
        """Findings in file, line, column, rule order, duplicates removed."""
        return sorted(set(self.findings), key=Finding.sort_key)

    def counts(self) -> dict[str, int]:
        """``{"error": n, "warning": n, "info": n}`` of the findings (duplicates counted
        once, as :meth:`sorted_findings` lists them)."""
        out = {str(s): 0 for s in sorted(Severity, reverse=True)}
        for finding in set(self.findings):
            out[str(finding.severity)] += 1
        return out

    def exit_code(self, fail_on: Severity = Severity.ERROR) -> int:
        """2 when a target could not be read, else 0 when no finding reaches
        ``fail_on``, else 1."""
        if self.errors:
            return 2
        return 1 if any(f.severity >= fail_on for f in self.findings) else 0
