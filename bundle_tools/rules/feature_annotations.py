"""``FEAT`` rules: OpenShift feature annotations of the CSV (rules A1-A8 of
``docs/token-auth.md``, "Validation rules a linter should enforce").

``features.operators.openshift.io/<key>`` annotations tell the OpenShift console and Red
Hat certification (preflight ``RequiredAnnotations``, Enterprise Contract
``olm.feature_annotations_format``) what the operator supports. Values are the strings
``"true"`` or ``"false"``, on the CSV (not in ``metadata/annotations.yaml``).

PASS: ``features.operators.openshift.io/disconnected: "true"``.
FAIL: ``features.operators.openshift.io/fips-compliant: "True"``;
``features.operators.openshift.io/fipsmode: "true"`` (unknown key);
``operators.openshift.io/valid-subscription: OpenShift`` (not a JSON array).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bundle_tools.csv_model import CLOUDS
from bundle_tools.findings import Severity
from bundle_tools.rules import Hit, rule

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext

PREFIX = "features.operators.openshift.io/"
#: Keys preflight and Enterprise Contract require on certified operators.
REQUIRED = (
    "disconnected",
    "fips-compliant",
    "proxy-aware",
    "tls-profiles",
    *(f"token-auth-{cloud}" for cloud in CLOUDS),
)
#: Keys that may be present (if so, with a valid value).
OPTIONAL = ("cnf", "cni", "csi")
LEGACY_KEY = "operators.openshift.io/infrastructure-features"
#: Values of the deprecated infrastructure-features list that the console maps to a
#: feature (compared case-insensitively): the documented ones, pre-4.14 ``proxy`` and
#: ``fipsmode``, and the console's own variants.
LEGACY_VALUES = (
    "disconnected",
    "proxy-aware",
    "fips",
    "cnf",
    "cni",
    "csi",
    "proxy",
    "fipsmode",
    "tls",
    "sno",
    "tokenauth",
    "tokenauthgcp",
)
VALID_SUBSCRIPTION_KEY = "operators.openshift.io/valid-subscription"
NAMESPACE_TEMPLATE_KEY = "operatorframework.io/suggested-namespace-template"

#: Severity overrides of certification demands: errors under these profiles.
CERTIFIED = {"certified": Severity.ERROR, "strict": Severity.ERROR}
TOKEN_AUTH_DOC = "docs/token-auth.md"


def feature_keys(ctx: BundleContext) -> dict[str, Any]:
    """``{short key: value}`` of the CSV's ``features.operators.openshift.io/*``
    annotations (``"token-auth-aws": "true"``)."""
    return {
        key[len(PREFIX) :]: value
        for key, value in ctx.csv_annotations().items()
        if isinstance(key, str) and key.startswith(PREFIX)
    }


def targets_certification(ctx: BundleContext) -> bool:
    """True when the CSV shows it is meant for Red Hat certification: it sets any
    ``features.operators.openshift.io/*`` key, the legacy infrastructure-features list or
    ``valid-subscription``. A community bundle (OperatorHub.io, community-operators) sets
    none of them."""
    annotations = ctx.csv_annotations()
    return bool(feature_keys(ctx)) or any(
        key in annotations for key in (LEGACY_KEY, VALID_SUBSCRIPTION_KEY)
    )


def _certification_severity(ctx: BundleContext, demanded: bool) -> Severity | None:
    """Severity of a certification demand (FEAT001, FEAT007): the rule's own (warning;
    error under the certified/strict profiles) when the profile asks for certification or
    ``demanded`` (the CSV shows the demand applies to it), else info, so a community
    bundle is not flagged for Red Hat demands even under ``--fail-on warning``."""
    if ctx.profile in CERTIFIED or demanded:
        return None
    return Severity.INFO


@rule(
    "FEAT001",
    severity=Severity.WARNING,
    summary="the seven required features.operators.openshift.io keys are present",
    source="preflight RequiredAnnotations; Enterprise Contract olm.feature_annotations_format "
    f"({TOKEN_AUTH_DOC} A1)",
    profiles=CERTIFIED,
)
def required_features(ctx: BundleContext) -> Iterator[Hit]:
    """Red Hat certification (preflight) rejects a CSV without all seven keys; nothing
    else needs them. Under the default profile this is a warning when the CSV already
    shows it targets certification (some feature key, the legacy list or
    valid-subscription: it forgot the rest) and info on a community bundle that sets none
    of them; either way the run still exits 0 unless ``--fail-on`` is lowered. An error
    under ``--profile certified`` (and ``strict``)."""
    if ctx.csv is None:
        return
    present = feature_keys(ctx)
    missing = [k for k in REQUIRED if k not in present]
    if missing:
        yield Hit(
            message=f"missing feature annotations: {', '.join(PREFIX + k for k in missing)} "
            "(Red Hat certification requires all seven)",
            location=ctx.at(ctx.csv, ("metadata", "annotations")),
            hint='add each key with the string "true" or "false"',
            severity=_certification_severity(ctx, targets_certification(ctx)),
        )


def _value_problem(value: str) -> str | None:
    if value in ("true", "false"):
        return None
    stripped = value.strip().strip("\"'\u201c\u201d\u2018\u2019").strip()
    if stripped.lower() in ("true", "false") and stripped != value:
        return f"{value!r} carries quotes or spaces inside the string"
    return f"{value!r} is not exactly 'true' or 'false'"


def _bad_values(ctx: BundleContext, keys: tuple[str, ...]) -> Iterator[Hit]:
    """Hits for string values of ``keys`` that are not exactly ``true``/``false``
    (non-strings are CSV009's)."""
    assert ctx.csv is not None
    for key, value in feature_keys(ctx).items():
        if key in keys and isinstance(value, str):
            problem = _value_problem(value)
            if problem:
                yield Hit(
                    message=f"{PREFIX}{key} {problem}: the console enables features only for "
                    "the exact string 'true' and certification rejects other values",
                    location=ctx.at(ctx.csv, ("metadata", "annotations", PREFIX + key)),
                    hint=f"write {PREFIX}{key}: {_meant_value(value)}",
                )


def _meant_value(value: str) -> str:
    """The quoted value that ``value`` stands for once quotes (typographic ones too),
    padding and case are dropped (``'“True” '`` -> ``"true"``), else ``"true" or
    "false"`` when it stands for neither (``yes``, ``untrue``)."""
    meant = value.strip().strip("\"'\u201c\u201d\u2018\u2019 ").lower()
    return f'"{meant}"' if meant in ("true", "false") else '"true" or "false"'


@rule(
    "FEAT002",
    severity=Severity.ERROR,
    summary="required feature annotation values are exactly the strings `true` or `false`",
    source=f"preflight, Enterprise Contract, OpenShift console ({TOKEN_AUTH_DOC} A2)",
)
def required_feature_values(ctx: BundleContext) -> Iterator[Hit]:
    """``True``, ``"yes"``, typographic quotes (``“false”``) or padding are neither value:
    the console only honours the exact string ``true`` (so a token-auth operator gets no
    token flow) and preflight fails. YAML booleans are reported by CSV009."""
    if ctx.csv is not None:
        yield from _bad_values(ctx, REQUIRED)


@rule(
    "FEAT003",
    severity=Severity.WARNING,
    summary="optional cnf/cni/csi feature annotations, when present, are `true` or `false`",
    source=f"preflight (optional keys), Enterprise Contract 7da1bf98 ({TOKEN_AUTH_DOC} A3)",
)
def optional_feature_values(ctx: BundleContext) -> Iterator[Hit]:
    """``cnf``, ``cni`` and ``csi`` may be absent; when present their value obeys FEAT002."""
    if ctx.csv is not None:
        yield from _bad_values(ctx, OPTIONAL)


@rule(
    "FEAT004",
    severity=Severity.WARNING,
    summary="no unknown features.operators.openshift.io key",
    source=f"OpenShift console OLMAnnotation enum, preflight csv.go ({TOKEN_AUTH_DOC} A4)",
)
def unknown_feature_key(ctx: BundleContext) -> Iterator[Hit]:
    """Only the ten documented keys exist; anything else (``fipsmode``, ``token-auth``) is
    read by nobody, so the feature it meant to announce stays hidden."""
    if ctx.csv is None:
        return
    for key in feature_keys(ctx):
        if key not in REQUIRED + OPTIONAL:
            yield Hit(
                message=f"unknown feature annotation {PREFIX}{key}: no tool reads it",
                location=ctx.at(ctx.csv, ("metadata", "annotations", PREFIX + key)),
                hint=f"known keys: {', '.join(REQUIRED + OPTIONAL)}",
            )


@rule(
    "FEAT005",
    severity=Severity.WARNING,
    summary="feature annotations are on the CSV, not in metadata/annotations.yaml",
    source=f"OpenShift docs (CSV annotations); service-telemetry-operator#499 "
    f"({TOKEN_AUTH_DOC} A5)",
)
def features_in_bundle_annotations(ctx: BundleContext) -> Iterator[Hit]:
    """The console and preflight read feature annotations from the CSV only; in
    ``metadata/annotations.yaml`` they are ignored."""
    doc = ctx.bundle.annotations
    if doc is None:
        return
    for key in ctx.bundle.annotation_values:
        if isinstance(key, str) and key.startswith(PREFIX):
            yield Hit(
                message=f"{key} in metadata/annotations.yaml is ignored: feature annotations "
                "belong in the CSV's metadata.annotations",
                location=ctx.at(doc, ("annotations", key)),
            )


def _json_string_list(value: Any) -> list[str] | None:
    """The list a JSON-array-of-strings annotation holds, or ``None`` when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return None
    if isinstance(parsed, list) and all(isinstance(v, str) for v in parsed):
        return parsed
    return None


@rule(
    "FEAT006",
    severity=Severity.ERROR,
    summary="legacy operators.openshift.io/infrastructure-features is a JSON string array",
    source=f"OpenShift docs (deprecated annotations), console ({TOKEN_AUTH_DOC} A6)",
)
def legacy_infrastructure_features(ctx: BundleContext) -> Iterator[Hit]:
    """The deprecated key holds a JSON array in a string (``'["disconnected"]'``); the
    console cannot parse anything else (error). A value the console maps to no feature is
    a warning."""
    annotations = ctx.csv_annotations()
    if ctx.csv is None or LEGACY_KEY not in annotations:
        return
    value = annotations[LEGACY_KEY]
    location = ctx.at(ctx.csv, ("metadata", "annotations", LEGACY_KEY))
    if not isinstance(value, str):
        return  # CSV009
    values = _json_string_list(value)
    if values is None:
        yield Hit(
            message=f"{LEGACY_KEY} {value!r} is not a JSON array of strings",
            location=location,
            hint="""write it as '["disconnected", "proxy-aware"]'""",
        )
        return
    for item in values:
        if item.lower() not in LEGACY_VALUES:
            yield Hit(
                message=f"{LEGACY_KEY} value {item!r} maps to no console feature "
                f"({', '.join(LEGACY_VALUES[:6])})",
                location=location,
                severity=Severity.WARNING,
            )


@rule(
    "FEAT007",
    severity=Severity.WARNING,
    summary="operators.openshift.io/valid-subscription (Red Hat product builds) is a non-empty "
    "JSON array of unique strings; its absence is info unless --profile certified",
    source=f"Enterprise Contract (redhat collection) ({TOKEN_AUTH_DOC} A7)",
    profiles=CERTIFIED,
)
def valid_subscription(ctx: BundleContext) -> Iterator[Hit]:
    """Red Hat's own product builds require the key (Enterprise Contract, redhat
    collection); the console shows its values as the subscriptions needed. Partner
    certification (preflight) and community catalogs do not read it, so absence is info
    under the default profile, whatever else the CSV sets, and an error under ``--profile
    certified``. A malformed value is always reported at the rule's severity."""
    annotations = ctx.csv_annotations()
    if ctx.csv is None:
        return
    if VALID_SUBSCRIPTION_KEY not in annotations:
        yield Hit(
            message=f"{VALID_SUBSCRIPTION_KEY} is missing: Red Hat's own product builds "
            "need it (Enterprise Contract); partner certification (preflight) and community "
            "catalogs do not read it",
            location=ctx.at(ctx.csv, ("metadata", "annotations")),
            hint=f"""add {VALID_SUBSCRIPTION_KEY}: '["OpenShift Container Platform"]'""",
            severity=_certification_severity(ctx, False),
        )
        return
    value = annotations[VALID_SUBSCRIPTION_KEY]
    if not isinstance(value, str):
        return  # CSV009
    values = _json_string_list(value)
    if not values or len(set(values)) != len(values) or not all(v.strip() for v in values):
        yield Hit(
            message=f"{VALID_SUBSCRIPTION_KEY} {value!r} is not a non-empty JSON array of "
            "unique, non-empty strings",
            location=ctx.at(ctx.csv, ("metadata", "annotations", VALID_SUBSCRIPTION_KEY)),
        )


@rule(
    "FEAT008",
    severity=Severity.WARNING,
    summary="suggested-namespace-template is a JSON Namespace with metadata.name",
    source=f"OpenShift console (suggested namespace) ({TOKEN_AUTH_DOC} A8)",
)
def namespace_template(ctx: BundleContext) -> Iterator[Hit]:
    """The console creates the namespace from this JSON manifest; without
    ``metadata.name`` (or when it is not JSON) it cannot."""
    annotations = ctx.csv_annotations()
    value = annotations.get(NAMESPACE_TEMPLATE_KEY)
    if ctx.csv is None or not isinstance(value, str):
        return
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = None
    meta = parsed.get("metadata") if isinstance(parsed, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    if not isinstance(name, str) or not name:
        yield Hit(
            message=f"{NAMESPACE_TEMPLATE_KEY} is not a JSON Namespace object with metadata.name",
            location=ctx.at(ctx.csv, ("metadata", "annotations", NAMESPACE_TEMPLATE_KEY)),
        )
