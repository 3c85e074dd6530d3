"""``CRQ`` rules: CredentialsRequest manifests (rules C1-C6 of ``docs/token-auth.md``).

A CredentialsRequest (``cloudcredential.openshift.io/v1``) asks the Cloud Credential
Operator for a Secret with short-lived cloud credentials. Operators create it at
runtime; a bundle must not ship one (C6). When a bundle does, the other rules say what
else is wrong with it, so the template it came from can be fixed too.

PASS: no CredentialsRequest in ``manifests/``.
FAIL: ``manifests/credentialsrequest.yaml`` (CRQ001) with an AWS providerSpec lacking
``stsIAMRoleARN`` (CRQ004).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bundle_tools.csv_model import get_path
from bundle_tools.findings import Severity
from bundle_tools.names import aws_role_arn_problem
from bundle_tools.rules import Hit, rule

if TYPE_CHECKING:
    from bundle_tools.context import BundleContext
    from bundle_tools.yamlio import Document

KIND = "CredentialsRequest"
API_VERSION = "cloudcredential.openshift.io/v1"
CCO_NAMESPACE = "openshift-cloud-credential-operator"
CCO = "openshift/cloud-credential-operator pkg/apis/cloudcredential/v1"
PROVIDER_KINDS = ("AWSProviderSpec", "AzureProviderSpec", "GCPProviderSpec")
GCP_AUDIENCE = re.compile(
    r"//iam\.googleapis\.com/projects/\d+/locations/global/workloadIdentityPools/[^/]+/providers/[^/]+"
)
AZURE_FIELDS = ("azureClientID", "azureTenantID", "azureSubscriptionID", "azureRegion")
GCP_REMOVED_FIELDS = ("poolID", "providerID", "projectNumber")


def credentials_requests(ctx: BundleContext) -> Iterator[tuple[Document, dict[str, Any]]]:
    """Every manifest document of kind CredentialsRequest."""
    for doc, data in ctx.objects():
        if data.get("kind") == KIND:
            yield doc, data


@rule(
    "CRQ001",
    severity=Severity.ERROR,
    summary="no CredentialsRequest inside manifests/",
    source="OpenShift docs token_auth (CredentialsRequest in the bundle is not supported) (C6)",
)
def bundled_credentials_request(ctx: BundleContext) -> Iterator[Hit]:
    """OLM does not install CredentialsRequests from a bundle (not a supported bundle
    kind; the docs call it "not currently supported"). The operator must create it at
    runtime, filling the role ARN or identity from the Subscription's env."""
    for doc, _ in credentials_requests(ctx):
        yield Hit(
            message="CredentialsRequest in the bundle: OLM does not support installing it; "
            "the operator must create it at runtime",
            location=ctx.at(doc, ("kind",)),
            hint="move it into the operator's code or templates",
        )


@rule(
    "CRQ002",
    severity=Severity.ERROR,
    summary="CredentialsRequest apiVersion, secretRef and providerSpec kind are valid",
    source=f"{CCO} types_credentialsrequest.go (C1)",
)
def credentials_request_shape(ctx: BundleContext) -> Iterator[Hit]:
    """CCO reads ``spec.secretRef.name``/``namespace`` (where to write the Secret) and
    dispatches on ``spec.providerSpec.kind`` (AWS, Azure or GCP ProviderSpec, apiVersion
    ``cloudcredential.openshift.io/v1``); anything else is never provisioned."""
    for doc, data in credentials_requests(ctx):
        checks = (
            (("apiVersion",), API_VERSION),
            (("spec", "providerSpec", "apiVersion"), API_VERSION),
        )
        for parts, expected in checks:
            if get_path(data, parts) != expected:
                yield Hit(
                    message=f"{'.'.join(parts)} is {get_path(data, parts)!r}, expected "
                    f"{expected!r}",
                    location=ctx.at(doc, parts),
                )
        for field in ("name", "namespace"):
            if not get_path(data, ("spec", "secretRef", field)):
                yield Hit(
                    message=f"spec.secretRef.{field} is not set",
                    location=ctx.at(doc, ("spec", "secretRef", field)),
                )
        kind = get_path(data, ("spec", "providerSpec", "kind"))
        if kind not in PROVIDER_KINDS:
            yield Hit(
                message=f"spec.providerSpec.kind {kind!r} is not one of {PROVIDER_KINDS}",
                location=ctx.at(doc, ("spec", "providerSpec", "kind")),
            )


@rule(
    "CRQ003",
    severity=Severity.ERROR,
    summary="CredentialsRequest cloudTokenPath and serviceAccountNames are set",
    source=f"{CCO}; CCO AWS actuator (default token path); ccoctl (C2, C3)",
)
def credentials_request_token(ctx: BundleContext) -> Iterator[Hit]:
    """Without ``cloudTokenPath`` CCO's AWS actuator falls back to the kube API token
    (``/var/run/secrets/kubernetes.io/serviceaccount/token``, wrong audience); without
    ``serviceAccountNames`` ccoctl refuses to create the cloud role."""
    for doc, data in credentials_requests(ctx):
        if not get_path(data, ("spec", "cloudTokenPath")):
            yield Hit(
                message="spec.cloudTokenPath is not set (expected "
                "/var/run/secrets/openshift/serviceaccount/token)",
                location=ctx.at(doc, ("spec", "cloudTokenPath")),
            )
        names = get_path(data, ("spec", "serviceAccountNames"))
        if not isinstance(names, list) or not names:
            yield Hit(
                message="spec.serviceAccountNames is empty: ccoctl cannot build the trust policy",
                location=ctx.at(doc, ("spec", "serviceAccountNames")),
            )


def _provider_problems(provider: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(field, problem)`` pairs for a providerSpec (C4)."""
    kind = provider.get("kind")
    if kind == "AWSProviderSpec":
        arn = provider.get("stsIAMRoleARN")
        problem = aws_role_arn_problem(arn) if isinstance(arn, str) else "is not a string"
        if problem:
            yield "stsIAMRoleARN", f"{arn!r} {problem}: CCO ignores the request"
    elif kind == "AzureProviderSpec":
        for field in AZURE_FIELDS:
            if not provider.get(field):
                yield field, "is not set: CCO fails 'AzureProviderSpec validation failed'"
    elif kind == "GCPProviderSpec":
        for field in GCP_REMOVED_FIELDS:
            if field in provider:
                yield field, "is not a GCPProviderSpec field (build 'audience' instead)"
        audience = provider.get("audience")
        if not isinstance(audience, str) or not GCP_AUDIENCE.fullmatch(audience):
            yield "audience", f"{audience!r} is not a workload identity provider audience"
        if not provider.get("serviceAccountEmail"):
            yield "serviceAccountEmail", "is not set: CCO ignores the request"


@rule(
    "CRQ004",
    severity=Severity.ERROR,
    summary="CredentialsRequest providerSpec carries the per-cloud token fields",
    source=f"{CCO} types_aws/azure/gcp.go; CCO actuators (C4)",
)
def credentials_request_provider(ctx: BundleContext) -> Iterator[Hit]:
    """AWS needs ``stsIAMRoleARN`` (an IAM role ARN); Azure needs all of client, tenant,
    subscription id and region; GCP needs ``serviceAccountEmail`` and an ``audience``
    matching CCO's regex (there are no ``poolID``/``providerID``/``projectNumber``
    fields)."""
    for doc, data in credentials_requests(ctx):
        provider = get_path(data, ("spec", "providerSpec"))
        if not isinstance(provider, dict):
            continue
        for field, problem in _provider_problems(provider):
            yield Hit(
                message=f"providerSpec.{field} {problem}",
                location=ctx.at(doc, ("spec", "providerSpec", field)),
            )


@rule(
    "CRQ005",
    severity=Severity.WARNING,
    summary="CredentialsRequest lives in openshift-cloud-credential-operator",
    source="OpenShift docs token_auth; CCO credentialsrequest_controller TODO (C5)",
)
def credentials_request_namespace(ctx: BundleContext) -> Iterator[Hit]:
    """CCO watches every namespace today, but the documented (and future-proof) place is
    ``openshift-cloud-credential-operator``."""
    for doc, data in credentials_requests(ctx):
        namespace = get_path(data, ("metadata", "namespace"))
        if namespace != CCO_NAMESPACE:
            yield Hit(
                message=f"CredentialsRequest namespace is {namespace!r}, not {CCO_NAMESPACE!r}",
                location=ctx.at(doc, ("metadata", "namespace")),
            )
