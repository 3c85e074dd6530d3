"""Property: whatever values a CSV's annotations, install modes and deployment fields
hold, validate does not crash and every finding points inside the file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundle_tools.validate import validate_bundles

from .validate_helpers import BASE_CSV, edit, write_bundle

SCALARS = st.one_of(
    st.booleans(),
    st.integers(-5, 5),
    st.text(alphabet="abvx.0123456789<>= |-", max_size=12),
    st.none(),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.sampled_from("ab"), SCALARS, max_size=2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(skip_range=VALUES, supported=VALUES, version=VALUES, image=VALUES, mode=VALUES)
def test_validate_never_crashes_and_stays_in_bounds(
    skip_range: object, supported: object, version: object, image: object, mode: object
) -> None:
    def flow(value: object) -> str:
        return json.dumps(value)  # JSON is YAML flow syntax

    csv = edit(BASE_CSV, "'>=1.0.0 <1.2.0'", flow(skip_range))
    csv = edit(csv, "supported: false", f"supported: {flow(supported)}")
    csv = edit(csv, "version: 1.2.0", f"version: {flow(version)}")
    csv = edit(csv, "type: MultiNamespace", f"type: {flow(mode)}")
    csv = edit(
        csv, "image: registry.example.com/widget/widget-operator:1.2.0", f"image: {flow(image)}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        bundle = write_bundle(Path(tmp) / "b", csv=csv)
        lines = len(csv.splitlines())
        report = validate_bundles([bundle], profile="strict")
        for finding in report.findings:
            assert finding.location.line is not None
            assert 1 <= finding.location.line <= lines
            assert finding.location.column is not None and finding.location.column >= 1


#: BASE_CSV plus what the token-auth and deployment rules read: a token-auth annotation,
#: a projected token volume and its mount, env, clusterPermissions.
RICH_CSV = edit(
    edit(
        BASE_CSV,
        "    olm.skipRange: '>=1.0.0 <1.2.0'\n",
        "    olm.skipRange: '>=1.0.0 <1.2.0'\n"
        '    features.operators.openshift.io/token-auth-aws: "true"\n',
    ),
    "                image: registry.example.com/widget/widget-operator:1.2.0\n",
    "                image: registry.example.com/widget/widget-operator:1.2.0\n"
    "                env:\n                - {name: ROLEARN, value: x}\n"
    "                volumeMounts:\n"
    "                - name: bound-sa-token\n"
    "                  mountPath: /var/run/secrets/openshift/serviceaccount\n"
    "              volumes:\n"
    "              - name: bound-sa-token\n"
    "                projected:\n"
    "                  sources:\n"
    "                  - serviceAccountToken: {audience: openshift, expirationSeconds: 3600, "
    "path: token}\n"
    "      clusterPermissions:\n"
    "      - serviceAccountName: widget-controller\n"
    "        rules:\n"
    "        - apiGroups: [cloudcredential.openshift.io]\n"
    "          resources: [credentialsrequests]\n"
    "          verbs: [create, get, update]\n",
)


def test_every_field_of_the_wrong_type_is_survived(tmp_path: Path) -> None:
    """Each node of RICH_CSV in turn replaced by a number or a nested list (a
    name that is a list once crashed CSV010/CSV012 with 'unhashable type'; an int
    ``env``, ``volumes`` or ``verbs`` crashed STS rules with 'not iterable')."""
    from bundle_tools.yamlio import iter_pointer_nodes, new_yaml

    yaml = new_yaml()
    paths = [p for p, _ in iter_pointer_nodes(yaml.load(RICH_CSV)) if p]
    bundle = write_bundle(tmp_path / "b", csv=RICH_CSV)
    csv_path = bundle / "manifests" / "widget-operator.clusterserviceversion.yaml"
    for path in paths:
        for wrong in (1, [[1]]):
            data = yaml.load(RICH_CSV)
            node = data
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = wrong
            with csv_path.open("w", encoding="utf-8") as stream:
                yaml.dump(data, stream)
            report = validate_bundles([bundle], profile="strict")
            lines = len(csv_path.read_text(encoding="utf-8").splitlines())
            for finding in report.findings:
                if finding.location.path.endswith(csv_path.name):
                    assert 1 <= (finding.location.line or 0) <= lines, (path, finding)
            assert report.errors == {}, path
