"""Rule registry shared by ``validate`` (bundle rules) and ``catalog validate`` (FBC rules).

A rule is a small documented unit: an id (family prefix + number: ``BND``, ``CSV``,
``FEAT``, ``STS``, ``FBC``...), a default severity, a one-line summary, the source of the
rule (an OLM doc, an opm check, an OpenShift requirement) and a ``check`` generator that
yields :class:`Hit` values for one context object. The registry stamps the id and the
severity, so rule bodies stay small and free of I/O.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bundle_tools.findings import Finding, Location, Severity

#: Modules that define rules, by the target their rules check; imported by
#: :func:`all_rules` on first use, only those of the target asked for, so the CLI starts
#: fast (``catalog validate`` never imports the bundle rules and their YAML library).
RULE_MODULES: dict[str, tuple[str, ...]] = {
    "bundle": (
        "bundle_tools.rules.bundle_structure",
        "bundle_tools.rules.csv_semantics",
        "bundle_tools.rules.csv_schema",
        "bundle_tools.rules.csv_webhooks",
        "bundle_tools.rules.csv_apiservices",
        "bundle_tools.rules.csv_install",
        "bundle_tools.rules.related_images",
        "bundle_tools.rules.feature_annotations",
        "bundle_tools.rules.sts_token_auth",
        "bundle_tools.rules.sts_credentials_request",
        "bundle_tools.rules.repeated_keys",
        "bundle_tools.rules.removed_apis",
    ),
    "catalog": ("bundle_tools.rules.fbc",),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """What a check yields: message, location, optional hint, and an optional severity
    that overrides the rule's default for this one hit (e.g. a warning-level variant)."""

    message: str
    location: Location
    hint: str | None = None
    severity: Severity | None = None


Check = Callable[[Any], Iterable[Hit]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A registered rule. ``target`` is ``"bundle"`` or ``"catalog"`` (what ``check``
    receives); ``profiles`` maps a profile name (``certified``, ``strict``) to the
    severity the rule takes under it."""

    id: str
    severity: Severity
    summary: str
    source: str
    target: str
    check: Check
    profiles: Mapping[str, Severity] = field(default_factory=dict)

    def severity_for(self, profile: str | None) -> Severity:
        """The rule's severity under ``profile`` (``None``: the default profile)."""
        if profile is not None and profile in self.profiles:
            return self.profiles[profile]
        return self.severity


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    severity: Severity,
    summary: str,
    source: str,
    target: str = "bundle",
    profiles: Mapping[str, Severity] | None = None,
) -> Callable[[Check], Check]:
    """Decorator registering ``check`` under ``rule_id``; raises ValueError on a duplicate id."""

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"duplicate rule id {rule_id}")
        RULES[rule_id] = Rule(
            id=rule_id,
            severity=severity,
            summary=summary,
            source=source,
            target=target,
            check=check,
            profiles=dict(profiles or {}),
        )
        return check

    return register


def all_rules(target: str | None = None) -> dict[str, Rule]:
    """Every registered rule by id (only those of ``target``, ``"bundle"`` or
    ``"catalog"``, when given), importing the rule modules on first use."""
    for name, modules in RULE_MODULES.items():
        if target in (None, name):
            for module in modules:
                importlib.import_module(module)
    return {k: r for k, r in sorted(RULES.items()) if target in (None, r.target)}


def matches(rule_id: str, patterns: Iterable[str]) -> bool:
    """True when ``rule_id`` equals one of ``patterns`` or starts with one (``CSV`` selects
    ``CSV001``)."""
    return any(rule_id.startswith(p.strip().upper()) for p in patterns if p.strip())


def run_rules(
    target: str,
    context: Any,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    profile: str | None = None,
) -> list[Finding]:
    """Run every ``target`` rule that ``select`` (empty: all) keeps and ``ignore`` drops,
    on ``context``; return the findings."""
    select, ignore = list(select), list(ignore)
    findings: list[Finding] = []
    for rule_ in all_rules(target).values():
        if (select and not matches(rule_.id, select)) or matches(rule_.id, ignore):
            continue
        default = rule_.severity_for(profile)
        for hit in rule_.check(context):
            findings.append(
                Finding(
                    rule=rule_.id,
                    severity=hit.severity if hit.severity is not None else default,
                    message=hit.message,
                    location=hit.location,
                    hint=hit.hint,
                )
            )
    return findings
