"""What ``patch-csv`` and ``validate`` both know about a ClusterServiceVersion: the clouds
of the token-auth feature annotations, the paths of the install strategy's deployments, of
the CSV annotations and of the webhook and APIService definitions, the name OLM gives an
APIService, and :func:`get_path`, which reads a node of parsed YAML or JSON without failing
on a missing or mistyped parent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: Clouds of ``features.operators.openshift.io/token-auth-<cloud>`` (OpenShift's Cloud
#: Credential Operator short-lived token flows), in annotation order.
CLOUDS = ("aws", "azure", "gcp")
#: Where the operator container mounts the projected ServiceAccount token for CCO
#: short-lived credentials (the token file is ``<dir>/token``; OpenShift docs, CCO).
TOKEN_MOUNT_PATH = "/var/run/secrets/openshift/serviceaccount"
#: Audience of that token: the only one ccoctl trusts on every cloud (CCO provisioning).
TOKEN_AUDIENCE = "openshift"
#: ``spec.install.spec.deployments`` of a CSV: the install strategy's deployments.
DEPLOYMENTS: tuple[str, ...] = ("spec", "install", "spec", "deployments")
#: ``spec.webhookdefinitions`` of a CSV: the webhooks OLM installs for the operator.
WEBHOOKS: tuple[str, ...] = ("spec", "webhookdefinitions")
#: ``spec.apiservicedefinitions`` of a CSV (``owned`` and ``required`` lists).
APISERVICES: tuple[str, ...] = ("spec", "apiservicedefinitions")
#: ``metadata.annotations`` of a CSV.
ANNOTATIONS: tuple[str, ...] = ("metadata", "annotations")


def apiservice_name(desc: Any) -> str:
    """``<version>.<group>``: the name of the APIService OLM makes for an APIService
    description (operator-framework/api ``APIServiceDescription.GetName``)."""
    return f"{get_path(desc, ('version',))}.{get_path(desc, ('group',))}"


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else ``{}`` (a field of the wrong type reads as
    empty; the CSV schema rule reports the type)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a sequence, else ``[]`` (see :func:`as_dict`)."""
    return value if isinstance(value, list) else []


def get_path(data: Any, parts: Sequence[str | int], default: Any = None) -> Any:
    """The node at ``parts`` below ``data`` (mappings by key, sequences by a non-negative
    index), or ``default`` when the path leaves the tree: a missing key, an index out of
    range or negative, a scalar where a collection is needed."""
    node = data
    for part in parts:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            return default
    return node
