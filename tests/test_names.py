"""bundle_tools.names: the identifier grammar shared by validate, catalog and patch-csv
(k8s IsDNS1123Subdomain/IsDNS1123Label/IsValidLabelValue as their callers use them)."""

from __future__ import annotations

import pytest

from bundle_tools.names import (
    aws_role_arn_problem,
    channel_name_problem,
    csv_name_problem,
    edge_problem,
    listed_channel_problem,
    package_name_problem,
    split_channels,
    split_csv_name,
)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("widget-operator.v1.0.0", None),
        ("a" * 56 + ".v1.0.0", None),  # 63 characters: the label-value limit
        ("a" * 57 + ".v1.0.0", "is 64 characters, more than 63"),
        ("Widget_Operator.v1.0.0", "is not a DNS-1123 subdomain"),
        ("op.v1.0.0+build", "is not a DNS-1123 subdomain"),
        ("-op.v1.0.0", "is not a DNS-1123 subdomain"),
        ("", "is empty"),
    ],
)
def test_csv_name(name: str, problem: str | None) -> None:
    found = csv_name_problem(name)
    assert found is None if problem is None else (found is not None and found.startswith(problem))


@pytest.mark.parametrize(
    ("name", "ok"),
    [("widget", True), ("a" * 63, True), ("a" * 64, False), ("Widget", False), ("a.b", False)],
)
def test_package_name(name: str, ok: bool) -> None:
    assert (package_name_problem(name) is None) is ok


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("widget-operator.v1.2.0", ("widget-operator", "1.2.0")),
        ("prometheusoperator.0.22.2", ("prometheusoperator", "0.22.2")),
        ("my.operator.v1.2.0-rc.1", ("my.operator", "1.2.0-rc.1")),
        ("op.v2.x.v1.2.0", ("op.v2.x", "1.2.0")),
        ("op.v1.2", None),
        ("1.2.0", None),
    ],
)
def test_split_csv_name(name: str, parts: tuple[str, str] | None) -> None:
    assert split_csv_name(name) == parts


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("op.v3.15.2", None),
        ("3.15.2", "does not end with a strict semantic version"),  # patch-csv --replaces 3.15.2
        ("Op.v1.0.0", "is not a DNS-1123 subdomain"),
    ],
)
def test_edge(name: str, problem: str | None) -> None:
    found = edge_problem(name)
    assert found is None if problem is None else (found is not None and found.startswith(problem))


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("stable", None),
        (" stable", "has surrounding whitespace, which opm keeps"),
        ("stable ", "has surrounding whitespace, which opm keeps"),
        ("", "is empty"),
        ("fast track", None),
        ("a,b", None),
        ("a\nb", "holds control character U+000A"),
    ],
)
def test_channel_name(name: str, problem: str | None) -> None:
    found = channel_name_problem(name)
    assert found is None if problem is None else (found is not None and found.startswith(problem))


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("stable", None),
        ("fast track", None),
        ("a,b", "holds a comma, which separates the channels annotation"),
        (" a", "has surrounding whitespace"),
    ],
)
def test_listed_channel(name: str, problem: str | None) -> None:
    found = listed_channel_problem(name)
    assert found is None if problem is None else (found is not None and found.startswith(problem))


def test_split_channels_as_opm() -> None:
    assert split_channels("alpha, stable,") == ["alpha", " stable", ""]
    assert split_channels("") == []


@pytest.mark.parametrize(
    ("arn", "ok"),
    [
        ("arn:aws:iam::123456789012:role/quay", True),
        ("arn:aws-cn:iam::123456789012:role/path/to/quay+x=y,z.@_-", True),
        ("arn:aws:iam::12345678901:role/quay", False),
        ("arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/quay", False),
        ("arn:aws:iam::123456789012:role/qu ay", False),
        ("arn:aws:iam::123456789012:role/quay\n", False),
        ("arn:aws:iam::123456789012:role/quay\u00a0", False),
        ("arn:a\u00efs:iam::123456789012:role/quay", False),
        ("arn:aws:iam::123456789012:role/", False),
        ("arn:aws:iam::123456789012:user/quay", False),
    ],
)
def test_aws_role_arn(arn: str, ok: bool) -> None:
    found = aws_role_arn_problem(arn)
    assert (
        found is None
        if ok
        else found
        == ("is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)")
    )
