"""What go-yaml v2 (``gopkg.in/yaml.v2`` ``resolve.go``, behind sigs.k8s.io/yaml: how
opm and the Kubernetes API machinery read YAML) makes of a plain scalar by table, before
it tries numbers: the YAML 1.1 booleans. The FBC loader resolves scalars with it and
CSV009 finds annotation values Go reads as booleans although YAML 1.2 reads strings."""

from __future__ import annotations

#: Plain scalar text -> the boolean go-yaml v2 resolves it to (``y``, ``on``, ``No``...).
GO_BOOLEANS: dict[str, bool] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE"), True),
    **dict.fromkeys(("on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE"), False),
    **dict.fromkeys(("off", "Off", "OFF"), False),
}
