"""STS (token auth, T rules) and CRQ (CredentialsRequest, C rules) on synthetic bundles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.validate import validate_bundles

from .validate_helpers import BASE_CSV, edit, hits, write_bundle

ANCHOR = "    olm.skipRange: '>=1.0.0 <1.2.0'\n"
AWS_TRUE = '    features.operators.openshift.io/token-auth-aws: "true"\n'
IMAGE = "                image: registry.example.com/widget/widget-operator:1.2.0\n"
TOKEN_MOUNT = """\
                volumeMounts:
                - name: bound-sa-token
                  mountPath: /var/run/secrets/openshift/serviceaccount
                  readOnly: true
              volumes:
              - name: bound-sa-token
                projected:
                  sources:
                  - serviceAccountToken:
                      path: token
                      audience: openshift
                      expirationSeconds: 3600
"""
CLUSTER_PERMISSIONS = """\
      clusterPermissions:
      - serviceAccountName: widget-controller
        rules:
        - apiGroups: [cloudcredential.openshift.io]
          resources: [credentialsrequests]
          verbs: [create, delete, get, list, patch, update, watch]
"""
#: A token-auth AWS CSV with everything the CCO flow needs (token-auth annotation on
#: line 8, token volume on lines 43-54).
STS_CSV = edit(
    edit(BASE_CSV, ANCHOR, ANCHOR + AWS_TRUE),
    IMAGE,
    IMAGE + TOKEN_MOUNT,
).replace("      permissions:\n", CLUSTER_PERMISSIONS + "      permissions:\n")


def findings(csv: str, tmp_path: Path, rule_id: str) -> list[tuple[int | None, int | None]]:
    """``(line, column)`` of ``rule_id``'s findings on a bundle with ``csv``."""
    bundle = write_bundle(tmp_path / "b", csv=csv)
    return [(line, col) for _, _, line, col in hits(bundle, (rule_id,))]


def test_complete_token_auth_csv_is_clean(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", csv=STS_CSV)
    assert hits(bundle, ("STS", "CRQ")) == []


def test_token_auth_without_credentials_request_rbac(tmp_path: Path) -> None:
    csv = STS_CSV.replace(CLUSTER_PERMISSIONS, "")
    assert findings(csv, tmp_path, "STS001") == [(8, 53)]
    report = validate_bundles([tmp_path / "b"], select=["STS001"])
    assert "forbidden at the cluster scope" in report.findings[0].message


def test_credentials_request_rbac_only_namespaced(tmp_path: Path) -> None:
    rules = CLUSTER_PERMISSIONS.split("        rules:\n")[1]
    csv = STS_CSV.replace(CLUSTER_PERMISSIONS, "") + rules
    assert findings(csv, tmp_path, "STS001") == []
    assert findings(csv, tmp_path, "STS002") == [(61, 11)]


def test_insufficient_verbs_count_as_missing(tmp_path: Path) -> None:
    csv = edit(STS_CSV, "verbs: [create, delete, get, list, patch, update, watch]", "verbs: [get]")
    assert findings(csv, tmp_path, "STS001") == [(8, 53)]


@pytest.mark.parametrize(
    ("old", "new", "rule_id", "expected"),
    [
        ("path: token", "path: tok", "STS003", [(52, 29)]),
        ("                  readOnly: true\n", "", "STS003", [(44, 19)]),
        (
            "                  - serviceAccountToken:",
            "                  - secret:",
            "STS003",
            [(48, 17)],
        ),
        ("expirationSeconds: 3600", "expirationSeconds: 300", "STS005", [(54, 42)]),
        ("audience: openshift", "audience: sts.amazonaws.com", "STS005", [(53, 33)]),
    ],
)
def test_token_volume(
    tmp_path: Path, old: str, new: str, rule_id: str, expected: list[tuple[int, int]]
) -> None:
    assert findings(edit(STS_CSV, old, new), tmp_path, rule_id) == expected


def test_token_auth_without_any_token_volume_reminds_operands(tmp_path: Path) -> None:
    csv = edit(STS_CSV, TOKEN_MOUNT, "")
    assert findings(csv, tmp_path, "STS004") == [(8, 53)]


def test_hard_coded_role_arn(tmp_path: Path) -> None:
    env = "                env:\n                - name: ROLEARN\n                  value: arn:x\n"
    csv = edit(BASE_CSV, IMAGE, IMAGE + env)
    assert findings(csv, tmp_path, "STS006") == [(43, 25)]


def test_info_rule_description_only(tmp_path: Path) -> None:
    """aws "true" with azure "false" (what FEAT001 asks a certified CSV to declare) is not
    reported: the former STS007 had no fix that did not contradict FEAT001."""
    csv = edit(STS_CSV, AWS_TRUE, AWS_TRUE + AWS_TRUE.replace('aws: "true"', 'azure: "false"'))
    bundle = write_bundle(tmp_path / "b", csv=csv)
    report = validate_bundles([bundle], select=["STS"])
    located = [(f.rule, str(f.severity), f.location.line) for f in report.sorted_findings()]
    assert located == [("STS008", "info", 12)]


CREDENTIALS_REQUEST = """\
apiVersion: cloudcredential.openshift.io/v1
kind: CredentialsRequest
metadata:
  name: widget-aws
  namespace: widget-system
spec:
  secretRef:
    name: widget-aws
  providerSpec:
    apiVersion: cloudcredential.openshift.io/v1
    kind: AWSProviderSpec
    stsIAMRoleARN: arn:aws:iam::123:role/x
"""


def test_credentials_request_in_bundle(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", files={"manifests/cr.yaml": CREDENTIALS_REQUEST})
    assert [(r, line, col) for r, _, line, col in hits(bundle, ("CRQ",))] == [
        ("CRQ001", 2, 7),  # C6: not supported in a bundle
        ("CRQ005", 5, 14),  # C5: namespace
        ("CRQ003", 6, 1),  # C2: no cloudTokenPath (points at spec)
        ("CRQ003", 6, 1),  # C3: no serviceAccountNames
        ("CRQ002", 7, 3),  # C1: secretRef.namespace
        ("CRQ004", 12, 20),  # C4: ARN without a 12-digit account
    ]


@pytest.mark.parametrize(
    ("provider", "fields"),
    [
        (
            "kind: AzureProviderSpec\n    azureClientID: a\n",
            ["azureTenantID", "azureSubscriptionID", "azureRegion"],
        ),
        (
            "kind: GCPProviderSpec\n    poolID: p\n    serviceAccountEmail: e\n",
            ["poolID", "audience"],
        ),
        ("kind: Other\n", []),
    ],
)
def test_provider_fields(tmp_path: Path, provider: str, fields: list[str]) -> None:
    cr = CREDENTIALS_REQUEST.replace(
        "kind: AWSProviderSpec\n    stsIAMRoleARN: arn:aws:iam::123:role/x\n", provider
    )
    bundle = write_bundle(tmp_path / "b", files={"manifests/cr.yaml": cr})
    report = validate_bundles([bundle], select=["CRQ004"])
    assert [f.location.pointer.rsplit("/", 1)[1] for f in report.findings] == fields


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("arn:aws:iam::123456789012:role/widget", None),
        ("arn:aws-us-gov:iam::123456789012:role/team/widget", None),
        (
            "arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/widget",
            "providerSpec.stsIAMRoleARN 'arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/widget' is not an "
            "IAM role ARN "
            "(arn:<partition>:iam::<12-digit account>:role/<name>): CCO ignores the request",
        ),
        (
            '"arn:aws:iam::123456789012:role/wid get"',
            "providerSpec.stsIAMRoleARN 'arn:aws:iam::123456789012:role/wid get' is not an "
            "IAM role ARN "
            "(arn:<partition>:iam::<12-digit account>:role/<name>): CCO ignores the request",
        ),
    ],
)
def test_role_arn_is_ascii_without_whitespace(
    tmp_path: Path, arn: str, message: str | None
) -> None:
    cr = CREDENTIALS_REQUEST.replace("arn:aws:iam::123:role/x", arn)
    bundle = write_bundle(tmp_path / "b", files={"manifests/cr.yaml": cr})
    report = validate_bundles([bundle], select=["CRQ004"])
    assert [f.message for f in report.findings] == ([message] if message else [])
