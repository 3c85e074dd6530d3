"""Identifiers, the one name grammar of every command and option (validate rules,
``catalog render``/``validate``, ``install-manifests``, ``patch-csv`` options).

Modelled on ``k8s.io/apimachinery/pkg/util/validation`` as the callers use it:

- :func:`csv_name_problem`: a CSV's ``metadata.name`` (and ``spec.replaces``) must be a
  DNS-1123 subdomain *and* a label value, so at most 63 characters, because OLM copies
  it into label values (``olm.owner``); operator-framework/api
  ``pkg/validation/internal/csv.go`` ``parseCSVNameFormat`` (``IsDNS1123Subdomain`` +
  ``IsValidLabelValue``);
- :func:`dns1035_label_problem`: a Service name (OLM's ``<deployment>-service``) and an
  APIService version (k8s ``IsDNS1035Label``);
- :func:`webhook_name_problem`: an admission webhook's ``generateName``, which OLM makes
  the webhook's name (k8s ``IsFullyQualifiedName``) and a label value;
- :func:`webhook_path_problem`: a webhook's service path (k8s.io/apiserver
  ``pkg/util/webhook`` ``ValidateWebhookService``: ``/`` then DNS-1123 subdomains);
- :func:`package_name_problem`: a package name must be a DNS-1123 label;
  operator-registry ``alpha/declcfg/declcfg_to_model.go`` ``ConvertToModel``
  (``IsDNS1123Label``, opm v1.41+), so a bundle whose package annotation is not one can
  never be published in a catalog;
- :func:`channel_name_problem`: opm takes channel names as written (operator-registry
  ``pkg/registry/types.go`` ``GetChannels`` splits the annotation on ``,`` and does not
  trim), so an empty name or surrounding whitespace makes a different channel;
  :func:`split_channels` splits the annotation that way, and
  :func:`listed_channel_problem` adds that a name written into it cannot hold a comma;
- :func:`aws_role_arn_problem`: an IAM role ARN (``ROLEARN`` of a Subscription,
  ``stsIAMRoleARN`` of a CredentialsRequest);
- :func:`qualified_name_problem`: annotation and label keys (k8s
  ``IsQualifiedName``).

Each ``*_problem`` function returns why the value is not valid (a sentence fragment that
reads after the quoted value), or ``None``.
"""

from __future__ import annotations

import re

from bundle_tools.versions import parse_strict

#: Longest DNS-1123 label, and longest label value (k8s ``DNS1123LabelMaxLength``,
#: ``LabelValueMaxLength``).
LABEL_MAX = 63
#: Longest DNS-1123 subdomain (k8s ``DNS1123SubdomainMaxLength``).
SUBDOMAIN_MAX = 253

_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(_LABEL)
_DNS1123_SUBDOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_DNS1035_LABEL = re.compile(r"[a-z](?:[-a-z0-9]*[a-z0-9])?")
_LABEL_VALUE = re.compile(r"(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_AWS_ROLE_ARN = re.compile(
    r"arn:[a-z0-9][a-z0-9-]*:iam::[0-9]{12}:role/(?:[A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]+"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_QUALIFIED_NAME = re.compile(r"[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?")

#: The separator of the ``channels.v1`` bundle annotation.
CHANNEL_SEPARATOR = ","
AWS_ROLE_ARN_SHAPE = "arn:<partition>:iam::<12-digit account>:role/<name>"
LABEL_SHAPE = (
    "a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a "
    f"letter or digit, at most {LABEL_MAX} characters)"
)
DNS1035_SHAPE = (
    "a DNS-1035 label (lowercase letters, digits and '-', starting with a letter and ending "
    f"with a letter or digit, at most {LABEL_MAX} characters)"
)
SUBDOMAIN_SHAPE = (
    "a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', each dot-separated part "
    f"starting and ending with a letter or digit, at most {SUBDOMAIN_MAX} characters)"
)


def dns1123_label_problem(value: str) -> str | None:
    """k8s ``IsDNS1123Label``: why ``value`` is not a DNS-1123 label, or ``None``."""
    if len(value) > LABEL_MAX or not _DNS1123_LABEL.fullmatch(value):
        return f"is not {LABEL_SHAPE}"
    return None


def dns1123_subdomain_problem(value: str) -> str | None:
    """k8s ``IsDNS1123Subdomain``: why ``value`` is not a DNS-1123 subdomain, or ``None``."""
    if len(value) > SUBDOMAIN_MAX or not _DNS1123_SUBDOMAIN.fullmatch(value):
        return f"is not {SUBDOMAIN_SHAPE}"
    return None


def dns1035_label_problem(value: str) -> str | None:
    """k8s ``IsDNS1035Label``: why ``value`` is not a DNS-1035 label, or ``None``."""
    if len(value) > LABEL_MAX or not _DNS1035_LABEL.fullmatch(value):
        return f"is not {DNS1035_SHAPE}"
    return None


def csv_name_problem(name: str) -> str | None:
    """operator-framework/api ``parseCSVNameFormat``: why ``name`` cannot name a CSV (a
    DNS-1123 subdomain usable as a label value: at most 63 characters), or ``None``."""
    if not name:
        return "is empty"
    problem = dns1123_subdomain_problem(name)
    if problem:
        return problem
    if len(name) > LABEL_MAX or not _LABEL_VALUE.fullmatch(name):
        return (
            f"is {len(name)} characters, more than {LABEL_MAX}: OLM uses the CSV name as a "
            "label value (olm.owner), which holds at most 63"
        )
    return None


def webhook_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name an admission webhook that OLM labels with it, or ``None``:
    k8s ``IsFullyQualifiedName`` (a DNS-1123 subdomain of at least three dot-separated
    parts, ``vwidget.example.com``) and a label value (at most 63 characters)."""
    if not name:
        return "is empty"
    if problem := dns1123_subdomain_problem(name):
        return problem
    if name.count(".") < 2:
        return "is not a domain of at least three parts separated by dots"
    if len(name) > LABEL_MAX:
        return f"is {len(name)} characters, more than the {LABEL_MAX} of a label value"
    return None


def webhook_path_problem(path: str) -> str | None:
    """k8s.io/apiserver ``ValidateWebhookService``: why ``path`` cannot be the path of a
    webhook's service reference, or ``None``. Empty and ``/`` are fine; otherwise it starts
    with ``/`` and every ``/``-separated segment (one trailing ``/`` allowed) is a
    non-empty DNS-1123 subdomain (``/validate-example-com-v1-widget``)."""
    if path in ("", "/"):
        return None
    if not path.startswith("/"):
        return "does not start with '/'"
    segments = path[1:].removesuffix("/").split("/")
    for i, segment in enumerate(segments):
        if not segment:
            return f"has an empty segment {i}"
        if dns1123_subdomain_problem(segment):
            return f"has segment {i} {segment!r}, which {dns1123_subdomain_problem(segment)}"
    return None


def package_name_problem(name: str) -> str | None:
    """opm ``ConvertToModel``: why ``name`` cannot name a package, or ``None``."""
    if not name:
        return "is empty"
    return dns1123_label_problem(name)


def channel_name_problem(name: str) -> str | None:
    """Why ``name`` (one entry of a channel list) is not the channel it seems, or ``None``:
    empty, a control character (a newline, a tab: opm keeps it, but no user can type
    the name back), or surrounding whitespace, which opm keeps (``" stable"`` is a
    channel of its own, not ``stable``). Inner spaces are allowed: opm and OLM compare
    channel names as plain strings."""
    if not name.strip():
        return "is empty"
    if control := _CONTROL.search(name):
        return (
            f"holds control character U+{ord(control.group()):04X}, which no command line "
            "or console shows as written"
        )
    if name != name.strip():
        return (
            "has surrounding whitespace, which opm keeps: it makes a separate channel "
            f"{name!r}, not {name.strip()!r}"
        )
    return None


def split_channels(value: str) -> list[str]:
    """The channel names of a ``channels.v1`` annotation value as opm reads them
    (operator-registry ``AnnotationsFile.GetChannels``: split on ``,``, no trimming, so
    ``"a, b"`` gives ``"a"`` and ``" b"``; empty names kept so a caller can report
    them); ``[]`` for an empty value."""
    return value.split(CHANNEL_SEPARATOR) if value else []


def select_default_channel(channels: list[str]) -> str:
    """The default channel opm picks for a bundle whose annotations name none: the
    lexicographically first of ``channels`` (as :func:`split_channels` gives them), ``""``
    when there is none (operator-registry ``Annotations.SelectDefaultChannel``, used by
    ``bundlegraphloader`` when ``opm index add`` creates a package)."""
    return min(channels, default="")


def listed_channel_problem(name: str) -> str | None:
    """Why ``name`` cannot be written as one entry of a ``channels.v1`` annotation, or
    ``None``: :func:`channel_name_problem`, or a comma, the separator opm splits on
    (``"a,b"`` would read back as two channels)."""
    if problem := channel_name_problem(name):
        return problem
    if CHANNEL_SEPARATOR in name:
        return "holds a comma, which separates the channels annotation: opm reads two channels"
    return None


def aws_role_arn_problem(value: str) -> str | None:
    """Why ``value`` is not an AWS IAM role ARN (``arn:<partition>:iam::<12-digit
    account>:role/[<path>/]<name>``, ASCII only: partition lowercase letters, digits and
    ``-``; path and name letters, digits and ``+=,.@_-``), or ``None``. Source: AWS IAM
    identifiers reference (ARN format, role name characters)."""
    if not _AWS_ROLE_ARN.fullmatch(value):
        return f"is not an IAM role ARN ({AWS_ROLE_ARN_SHAPE})"
    return None


def split_csv_name(name: str) -> tuple[str, str] | None:
    """``(package, version)`` of a CSV name ``<package>.v<version>`` (the ``v``
    optional; the version strict semver, split at the first ``.`` where it is one), or
    ``None`` when ``name`` carries no version."""
    for found in re.finditer(r"\.v?(?=[0-9])", name):
        version = name[found.end() :]
        try:
            parse_strict(version)
        except ValueError:
            continue
        if found.start() > 0:
            return name[: found.start()], version
    return None


def edge_problem(name: str) -> str | None:
    """Why ``name`` cannot be the target of an upgrade edge (``spec.replaces``,
    ``spec.skips``, ``patch-csv --replaces``), or ``None``: it must be a CSV name
    (:func:`csv_name_problem`) of the form ``<package>.v<version>``
    (:func:`split_csv_name`)."""
    if problem := csv_name_problem(name):
        return problem
    if split_csv_name(name) is None:
        return "does not end with a strict semantic version ('<package>.v<version>')"
    return None


def qualified_name_problem(key: str) -> str | None:
    """Why ``key`` is not a qualified name, the grammar of annotation and label keys
    (``[PREFIX/]NAME``: PREFIX a DNS-1123 subdomain of at most 253 characters, NAME at
    most 63 letters, digits, ``-``, ``_`` and ``.``, alphanumeric at both ends); None
    when it is one."""
    prefix, slash, name = key.rpartition("/")
    if slash and dns1123_subdomain_problem(prefix):
        return f"prefix {prefix!r} {dns1123_subdomain_problem(prefix)}"
    if not (len(name) <= LABEL_MAX and _QUALIFIED_NAME.fullmatch(name)):
        return (
            f"name {name!r} must be 1-63 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit"
        )
    return None
