"""Kubernetes name grammars that options and rules share (k8s.io/apimachinery
``validation.IsQualifiedName``, ``IsDNS1123Subdomain``)."""

from __future__ import annotations

import re

_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_SUBDOMAIN_MAX = 253
_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_NAME_MAX = 63


def qualified_name_problem(key: str) -> str | None:
    """Why ``key`` is not a qualified name, the grammar of annotation and label keys
    (``[PREFIX/]NAME``: PREFIX a DNS-1123 subdomain of at most 253 characters, NAME at
    most 63 letters, digits, ``-``, ``_`` and ``.``, alphanumeric at both ends); None
    when it is one."""
    prefix, slash, name = key.rpartition("/")
    if slash and not (len(prefix) <= _SUBDOMAIN_MAX and _SUBDOMAIN.fullmatch(prefix)):
        return (
            f"prefix {prefix!r} is not a DNS-1123 subdomain (lowercase letters, digits, "
            "'-' and '.', at most 253 characters)"
        )
    if not (len(name) <= _NAME_MAX and _NAME.fullmatch(name)):
        return (
            f"name {name!r} must be 1-63 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit"
        )
    return None
