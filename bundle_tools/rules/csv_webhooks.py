"""``WHK`` rules: what OLM refuses or cannot build when it installs the CSV's
``spec.webhookdefinitions`` (admission and conversion webhooks).

Each rule is one rejection in OLM's code (operator-lifecycle-manager @992bb097):

- ``pkg/controller/operators/olm/operator.go`` ``syncClusterServiceVersion`` (phase
  Pending): a repeated ``generateName`` and rules failing
  ``pkg/controller/install/webhook.go`` ``ValidWebhookRules`` put the CSV in phase Failed
  with reason ``InvalidWebhookDescription``;
- ``pkg/controller/install/webhook.go`` ``createOrUpdateConversionWebhook``: a conversion
  webhook needs a CSV that supports only ``AllNamespaces`` (``isSingletonOperator``), at
  least one ``conversionCRDs`` entry, every one owned by the CSV, and CRDs without
  ``preserveUnknownFields: true``; otherwise the install fails;
- ``pkg/controller/install/webhook.go`` ``createOrUpdateValidatingWebhook`` and
  ``createOrUpdateMutatingWebhook``: the webhook is named ``generateName`` (operator-framework/api
  ``GetValidatingWebhook``) and its configuration labelled with it (``addWebhookLabels``),
  so the API server refuses a name that is not a fully qualified domain name or a label
  value, and the install fails;
- the same functions and ``createOrUpdateConversionWebhook`` put ``webhookPath`` in the
  service reference of the webhook configuration or CRD conversion, which the API server
  validates (k8s.io/apiserver ``pkg/util/webhook`` ``ValidateWebhookService``);
- ``pkg/controller/install/certresources.go`` ``installCertRequirements``: the serving
  certificate and the ``<deploymentName>-service`` Service are made only for deployments
  of the install strategy, so a webhook naming another deployment points at nothing.

Missing ``sideEffects``/``admissionReviewVersions`` are CSV001's (required by the CRD).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bundle_tools.csv_model import WEBHOOKS, as_dict, as_list, get_path
from bundle_tools.findings import Severity
from bundle_tools.names import webhook_name_problem, webhook_path_problem
from bundle_tools.rules import Hit, rule

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext

OLM = "operator-lifecycle-manager "
CONVERSION = "ConversionWebhook"
#: ``ValidWebhookRules``: resources of admissionregistration.k8s.io a webhook may not
#: intercept (compared as written: OLM checks these kind-like names, not the plural
#: resource names).
_PROTECTED_RESOURCES = ("*", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


@rule(
    "WHK001",
    severity=Severity.ERROR,
    summary="webhook definitions have unique generateName values",
    source=OLM + "pkg/controller/operators/olm/operator.go syncClusterServiceVersion "
    '("CSV contains repeated WebhookDescription name", InvalidWebhookDescription)',
)
def unique_names(ctx: BundleContext) -> Iterator[Hit]:
    """OLM names each webhook configuration and its label after ``generateName``; a second
    definition with the same name fails the CSV (phase Failed) before anything installs."""
    if ctx.csv is None:
        return
    seen: dict[str, int] = {}
    for parts, desc in ctx.webhook_definitions():
        name = desc.get("generateName")
        if not isinstance(name, str):
            continue
        if name in seen:
            yield Hit(
                message=f"webhookdefinitions[{parts[-1]}].generateName {name!r} repeats "
                f"webhookdefinitions[{seen[name]}]: OLM fails the CSV "
                "(InvalidWebhookDescription)",
                location=ctx.at(ctx.csv, (*parts, "generateName")),
            )
        else:
            seen[name] = int(parts[-1])


def _rule_problem(rule_: dict[str, Any]) -> tuple[str, str, str] | None:
    """``(key, value, reason)`` of the first entry of one webhook rule that
    ``ValidWebhookRules`` refuses, in its order of checks, or ``None``."""
    groups = [g for g in as_list(rule_.get("apiGroups")) if isinstance(g, str)]
    if "*" in groups:
        return "apiGroups", "*", "webhook rules cannot include all groups"
    if "operators.coreos.com" in groups:
        return "apiGroups", "operators.coreos.com", "webhook rules cannot include the OLM group"
    if "admissionregistration.k8s.io" in groups:
        resources = [r for r in as_list(rule_.get("resources")) if isinstance(r, str)]
        for resource in resources:
            if resource in _PROTECTED_RESOURCES:
                return (
                    "resources",
                    resource,
                    "webhook rules cannot include MutatingWebhookConfiguration or "
                    "ValidatingWebhookConfiguration resources",
                )
    return None


@rule(
    "WHK002",
    severity=Severity.ERROR,
    summary="webhook rules do not intercept all groups, OLM's group or webhook configurations",
    source=OLM + "pkg/controller/install/webhook.go ValidWebhookRules (called from "
    "pkg/controller/operators/olm/operator.go syncClusterServiceVersion)",
)
def protected_rules(ctx: BundleContext) -> Iterator[Hit]:
    """OLM refuses a webhook whose rules name API group ``*`` or ``operators.coreos.com``
    (a webhook could then block OLM itself), or ``admissionregistration.k8s.io`` with
    resources ``*``, ``MutatingWebhookConfiguration`` or ``ValidatingWebhookConfiguration``:
    the CSV goes to phase Failed (InvalidWebhookDescription)."""
    if ctx.csv is None:
        return
    for parts, desc in ctx.webhook_definitions():
        for j, rule_ in enumerate(as_list(desc.get("rules"))):
            problem = _rule_problem(as_dict(rule_))
            if problem is None:
                continue
            key, value, reason = problem
            index = as_list(as_dict(rule_).get(key)).index(value)
            yield Hit(
                message=f"webhookdefinitions[{parts[-1]}].rules[{j}].{key} {value!r}: "
                f"{reason}: OLM fails the CSV (InvalidWebhookDescription)",
                location=ctx.at(ctx.csv, (*parts, "rules", j, key, index)),
            )


def _only_all_namespaces(ctx: BundleContext) -> bool:
    """OLM ``isSingletonOperator``: no install mode other than AllNamespaces is supported
    and AllNamespaces is not listed as unsupported."""
    for mode in as_list(get_path(ctx.csv_data, ("spec", "installModes"))):
        kind, supported = get_path(mode, ("type",)), get_path(mode, ("supported",)) is True
        if (kind == "AllNamespaces" and not supported) or (kind != "AllNamespaces" and supported):
            return False
    return True


def _owned_crd_names(ctx: BundleContext) -> set[str]:
    owned = get_path(ctx.csv_data, ("spec", "customresourcedefinitions", "owned"))
    return {n for c in as_list(owned) if isinstance(n := get_path(c, ("name",)), str)}


def _preserving_crds(ctx: BundleContext) -> set[str]:
    """Names of the bundle's CRD manifests with ``spec.preserveUnknownFields: true``."""
    return {
        name
        for _, data in ctx.objects()
        if data.get("kind") == "CustomResourceDefinition"
        and get_path(data, ("spec", "preserveUnknownFields")) is True
        and isinstance(name := get_path(data, ("metadata", "name")), str)
    }


@rule(
    "WHK003",
    severity=Severity.ERROR,
    summary="conversion webhooks: AllNamespaces only, owned conversionCRDs, no "
    "preserveUnknownFields",
    source=OLM + "pkg/controller/install/webhook.go createOrUpdateConversionWebhook "
    "(isSingletonOperator); operator-framework/api pkg/validation/internal/csv.go "
    "validateInstallModes",
)
def conversion_webhooks(ctx: BundleContext) -> Iterator[Hit]:
    """OLM installs a conversion webhook only for a CSV that supports nothing but
    ``AllNamespaces`` (a CRD is cluster-wide, one operator must serve it), with at least
    one ``conversionCRDs`` entry, each a CRD the CSV owns, none of them with
    ``preserveUnknownFields: true``; otherwise the install fails."""
    if ctx.csv is None:
        return
    owned, preserving = _owned_crd_names(ctx), _preserving_crds(ctx)
    for parts, desc in ctx.webhook_definitions():
        crds = as_list(desc.get("conversionCRDs"))
        if desc.get("type") != CONVERSION and not crds:
            continue
        where = f"webhookdefinitions[{parts[-1]}]"
        if not _only_all_namespaces(ctx):
            yield Hit(
                message=f"{where} is a conversion webhook, but the CSV supports install modes "
                "other than AllNamespaces: OLM refuses to install it",
                location=ctx.at(ctx.csv, (*parts, "type" if "type" in desc else "conversionCRDs")),
                hint="support only AllNamespaces (installModes) in a CSV with conversion webhooks",
            )
        if desc.get("type") == CONVERSION and not crds:
            yield Hit(
                message=f"{where} is a conversion webhook without conversionCRDs: OLM refuses "
                "to install it",
                location=ctx.at(ctx.csv, parts),
            )
        for k, crd in enumerate(crds):
            if not isinstance(crd, str):
                continue
            if crd not in owned:
                yield Hit(
                    message=f"{where}.conversionCRDs[{k}] {crd!r} is not an owned CRD of the "
                    "CSV: OLM refuses to install the webhook",
                    location=ctx.at(ctx.csv, (*parts, "conversionCRDs", k)),
                )
            elif crd in preserving:
                yield Hit(
                    message=f"{where}.conversionCRDs[{k}] {crd!r} has "
                    "spec.preserveUnknownFields: true, which rules out webhook conversion",
                    location=ctx.at(ctx.csv, (*parts, "conversionCRDs", k)),
                )


@rule(
    "WHK004",
    severity=Severity.ERROR,
    summary="every webhook's deploymentName names a deployment of the install strategy",
    source=OLM + "pkg/controller/install/certresources.go installCertRequirements "
    "(serving certificate and <deploymentName>-service only for strategy deployments)",
)
def webhook_deployment(ctx: BundleContext) -> Iterator[Hit]:
    """OLM serves a webhook through a Service ``<deploymentName>-service`` and a serving
    certificate that it creates only for deployments of the install strategy; a webhook
    naming another deployment (or none) points at a Service that never exists, so every
    call fails (and with ``failurePolicy: Fail`` every intercepted request is refused)."""
    if ctx.csv is None:
        return
    for parts, _, phrase in ctx.stray_deployment_names(ctx.webhook_definitions()):
        index = parts[len(WEBHOOKS)]
        yield Hit(
            message=f"webhookdefinitions[{index}] has {phrase}: its Service and certificate "
            "are never created",
            location=ctx.at(ctx.csv, parts),
        )


@rule(
    "WHK005",
    severity=Severity.ERROR,
    summary="admission webhook generateName is a fully qualified domain name of at most 63 "
    "characters",
    source=OLM + "pkg/controller/install/webhook.go createOrUpdateValidatingWebhook, "
    "createOrUpdateMutatingWebhook, addWebhookLabels (webhook name and label value); "
    "Kubernetes pkg/apis/admissionregistration/validation (IsFullyQualifiedName)",
)
def webhook_names(ctx: BundleContext) -> Iterator[Hit]:
    """OLM names a validating or mutating webhook after its ``generateName`` and labels
    the webhook configuration with it: the API server refuses a name that is not a DNS-1123
    subdomain of at least three parts (``vwidget.example.com``), or longer than a label
    value's 63 characters, and the install fails. Conversion webhooks are not named so."""
    if ctx.csv is None:
        return
    for parts, desc in ctx.webhook_definitions():
        name = desc.get("generateName")
        if desc.get("type") == CONVERSION or not isinstance(name, str):
            continue
        if problem := webhook_name_problem(name):
            yield Hit(
                message=f"webhookdefinitions[{parts[-1]}].generateName {name!r} {problem}: "
                "the API server refuses the webhook configuration OLM names after it",
                location=ctx.at(ctx.csv, (*parts, "generateName")),
                hint="use a name like v<kind>.<group>, e.g. vwidget.example.com",
            )


@rule(
    "WHK006",
    severity=Severity.ERROR,
    summary="webhookPath is a path the API server accepts ('/' then DNS-1123 subdomains)",
    source=OLM + "pkg/controller/install/webhook.go createOrUpdateValidatingWebhook, "
    "createOrUpdateMutatingWebhook, createOrUpdateConversionWebhook (service path); "
    "k8s.io/apiserver pkg/util/webhook/validation.go ValidateWebhookService",
)
def webhook_paths(ctx: BundleContext) -> Iterator[Hit]:
    """OLM copies ``webhookPath`` into the service reference of the webhook configuration
    (or of the CRD's conversion webhook); the API server refuses a path that does not
    start with ``/``, has an empty segment, or a segment that is not a DNS-1123 subdomain
    (uppercase, ``_``), and the install fails."""
    if ctx.csv is None:
        return
    for parts, desc in ctx.webhook_definitions():
        path = desc.get("webhookPath")
        if isinstance(path, str) and (problem := webhook_path_problem(path)):
            yield Hit(
                message=f"webhookdefinitions[{parts[-1]}].webhookPath {path!r} {problem}: "
                "the API server refuses the webhook OLM builds with it",
                location=ctx.at(ctx.csv, (*parts, "webhookPath")),
            )
