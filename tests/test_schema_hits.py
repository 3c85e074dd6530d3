"""bundle_tools.schemas: where schemas are found, caching, and schema errors as rule hits."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bundle_tools import schemas, yamlio
from bundle_tools.findings import Location
from bundle_tools.rules import Hit

from .conftest import REPO, shared_path

BAD_CSV = """\
apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata:
  name: widget.v1.0.0
  annotations:
    features.operators.openshift.io/token-auth-aws: false
    example.com/tags: [a, b]
spec:
  install:
    strategy: deployment
    spec:
      deployments:
      - name: widget
        spec:
          selector: {}
          template:
            spec:
              containers:
              - name: manager
                image: registry.example.com/widget:v1
                resources:
                  limits:
                    cpu: 0.5
  installModes:
  - type: OwnNamespace
    supported: 'yes'
"""
CONTAINER = "/spec/install/spec/deployments/0/spec/template/spec/containers/0"


def load_text(text: str) -> Any:
    source = yamlio.SourceText(path=Path("csv.yaml"), text=text, bom=False, newline="\n")
    return yamlio.load_documents(source)[0].data


def yaml_hits(name: str, text: str) -> list[Hit]:
    data = load_text(text)
    return schemas.schema_hits(name, data, "csv.yaml", lambda parts: yamlio.locate(data, parts))


@pytest.fixture
def fresh_cache():
    schemas.load_schema.cache_clear()
    schemas.validator.cache_clear()
    yield
    schemas.load_schema.cache_clear()
    schemas.validator.cache_clear()


# --- locating and loading ----------------------------------------------------------------


def test_checkout_schemas_are_used_when_no_packaged_copy(tmp_path: Path, monkeypatch, fresh_cache):
    monkeypatch.setattr(schemas, "PACKAGE_DIR", tmp_path / "bundle_tools")
    monkeypatch.setattr(schemas, "CHECKOUT_DIR", REPO / "schemas")
    assert schemas.schema_path("olm.channel") == REPO / "schemas" / "olm.channel.schema.json"


def test_packaged_copy_comes_before_the_checkout(tmp_path: Path, monkeypatch, fresh_cache):
    packaged = tmp_path / "bundle_tools" / "data" / "schemas"
    packaged.mkdir(parents=True)
    (packaged / "csv.schema.json").write_text('{"title": "packaged"}', encoding="utf-8")
    monkeypatch.setattr(schemas, "PACKAGE_DIR", tmp_path / "bundle_tools")
    monkeypatch.setattr(schemas, "CHECKOUT_DIR", REPO / "schemas")
    assert schemas.schema_path("csv") == packaged / "csv.schema.json"
    assert schemas.load_schema("csv") == {"title": "packaged"}
    # a schema missing from the packaged copy still comes from the checkout
    assert schemas.schema_path("annotations") == REPO / "schemas" / "annotations.schema.json"


def test_missing_schema_names_every_searched_place(tmp_path: Path, monkeypatch, fresh_cache):
    monkeypatch.setattr(schemas, "PACKAGE_DIR", tmp_path / "bundle_tools")
    monkeypatch.setattr(schemas, "CHECKOUT_DIR", tmp_path / "schemas")
    with pytest.raises(FileNotFoundError) as info:
        schemas.schema_path("csv")
    assert str(info.value) == (
        f"schema 'csv' not found; searched {tmp_path}/bundle_tools/data/schemas/csv.schema.json, "
        f"{tmp_path}/schemas/csv.schema.json"
    )


def test_unknown_schema_name() -> None:
    with pytest.raises(ValueError, match=r"unknown schema 'olm\.template'"):
        schemas.schema_path("olm.template")


@pytest.mark.parametrize("name", schemas.SCHEMA_NAMES)
def test_validator_is_cached_draft_2020_12(name: str) -> None:
    first = schemas.validator(name)
    assert isinstance(first, Draft202012Validator)
    assert schemas.validator(name) is first
    assert schemas.load_schema(name) is first.schema


def test_wheel_ships_schemas_and_installed_package_finds_them(tmp_path: Path) -> None:
    """Build the wheel, unpack it, and import bundle_tools from there (not the checkout)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", tmp_path],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("bundle_tools-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert {f"bundle_tools/data/schemas/{n}.schema.json" for n in schemas.SCHEMA_NAMES} <= names
    script = (
        "from bundle_tools import schemas\n"
        "for name in schemas.SCHEMA_NAMES:\n"
        "    schemas.validator(name)\n"
        "print(schemas.schema_path('csv'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site")},
        check=True,
        capture_output=True,
        text=True,
    )
    assert done.stdout == f"{tmp_path}/site/bundle_tools/data/schemas/csv.schema.json\n"


# --- schema errors as hits ----------------------------------------------------------------


def test_repo_bundle_has_no_hits() -> None:
    for name, path in [
        ("csv", "bundle/manifests/quay-operator.clusterserviceversion.yaml"),
        ("annotations", "bundle/metadata/annotations.yaml"),
    ]:
        doc = yamlio.load_file(REPO / path)[0]
        assert (
            schemas.schema_hits(name, doc.data, path, lambda p, d=doc: yamlio.locate(d.data, p))
            == []
        )


def test_csv_errors_become_located_hits() -> None:
    hits = yaml_hits("csv", BAD_CSV)
    quote_false = 'quote the value so YAML reads it as a string: "false"'
    assert [(h.message, h.location.line, h.location.column, h.hint) for h in hits] == [
        (
            'metadata.annotations["features.operators.openshift.io/token-auth-aws"]: '
            "false is not of type string",
            6,
            53,
            quote_false,
        ),
        (
            'metadata.annotations["example.com/tags"]: an array is not of type string',
            7,
            5,
            "encode it as one quoted JSON string",
        ),
        ("spec: missing required field 'displayName'", 8, 1, None),
        (
            "spec.install.spec.deployments[0].spec.template.spec.containers[0].resources.limits"
            ".cpu: 0.5 is not of type integer or string",
            23,
            26,
            None,
        ),
        ("spec.installModes[0].supported: 'yes' is not of type boolean", 26, 16, None),
    ]
    assert [h.location.pointer for h in hits] == [
        "/metadata/annotations/features.operators.openshift.io~1token-auth-aws",
        "/metadata/annotations/example.com~1tags",
        "/spec",
        f"{CONTAINER}/resources/limits/cpu",
        "/spec/installModes/0/supported",
    ]
    assert {h.location.path for h in hits} == {"csv.yaml"}
    assert {h.severity for h in hits} == {None}


def test_case_csv_annotation_not_string() -> None:
    """../shared/cases/csv-annotation-not-string: one hit per non-string annotation (the
    list and the bare boolean), the quoted "true" is fine, the hint suggests quoting."""
    case = shared_path("cases", "csv-annotation-not-string", "bundle", "manifests")
    doc = yamlio.load_file(case / "widget-operator.clusterserviceversion.yaml")[0]
    hits = schemas.schema_hits("csv", doc.data, "csv.yaml", lambda p: yamlio.locate(doc.data, p))
    assert [(h.location.pointer, h.location.line, h.hint) for h in hits] == [
        (
            "/metadata/annotations/features.operators.openshift.io~1token-auth-aws",
            10,
            'quote the value so YAML reads it as a string: "false"',
        ),
        ("/metadata/annotations/example.com~1tags", 11, "encode it as one quoted JSON string"),
    ]


def test_anyof_failure_is_one_hit_not_one_per_branch() -> None:
    raw = list(schemas.validator("csv").iter_errors(yamlio.to_plain(load_text(BAD_CSV))))
    cpu = [e for e in raw if list(e.absolute_path)[-1:] == ["cpu"]]
    assert [(e.validator, len(e.context)) for e in cpu] == [("anyOf", 2)]
    assert len([h for h in yaml_hits("csv", BAD_CSV) if h.location.pointer.endswith("cpu")]) == 1


def test_anyof_failure_inside_a_branch_reports_that_branch() -> None:
    validator = Draft202012Validator(
        {"properties": {"x": {"anyOf": [{"type": "string"}, {"required": ["a", "b"]}]}}}
    )
    (raw,) = validator.iter_errors({"x": {"a": 1}})
    best = schemas._relevant(raw)
    assert (best.validator, list(best.absolute_path)) == ("required", ["x"])
    assert schemas._message(best) == ("missing required field 'b'", None)


def test_float_hint_does_not_echo_a_lossy_value() -> None:
    hits = yaml_hits("annotations", "annotations:\n  com.redhat.openshift.versions: 4.10\n")
    assert [(h.message, h.hint) for h in hits] == [
        (
            "annotations: missing required fields "
            "'operators.operatorframework.io.bundle.package.v1', "
            "'operators.operatorframework.io.bundle.channels.v1', "
            "'operators.operatorframework.io.bundle.mediatype.v1'",
            None,
        ),
        (
            'annotations["com.redhat.openshift.versions"]: 4.1 is not of type string',
            "quote the value as written so YAML reads it as a string",
        ),
    ]


def test_ruamel_scalars_anchors_tags_and_timestamps() -> None:
    text = BAD_CSV.replace(
        "supported: 'yes'", "supported: &on true\n  - type: AllNamespaces\n    supported: *on"
    )
    text = text.replace(
        "example.com/tags: [a, b]",
        "createdAt: 2021-04-23T10:04:00Z\n    example.com/tag: !custom value",
    )
    text = text.replace(
        "features.operators.openshift.io/token-auth-aws: false",
        'features.operators.openshift.io/token-auth-aws: "false"',
    )
    text = text.replace("cpu: 0.5", "cpu: 500m")
    data = load_text(text)
    assert type(data["spec"]["installModes"][1]["supported"]).__name__ == "ScalarBoolean"
    assert type(data["metadata"]["annotations"]["example.com/tag"]).__name__ == "TaggedScalar"
    hits = schemas.schema_hits("csv", data, "csv.yaml", lambda p: yamlio.locate(data, p))
    assert [h.message for h in hits] == ["spec: missing required field 'displayName'"]


def test_plain_data_with_a_caller_position_lookup() -> None:
    """The catalog helper passes plain JSON blobs and its own line lookup."""
    blob = {
        "schema": "olm.package",
        "name": "widget-operator",
        "defaultChannel": "stable",
        "icon": {"base64data": "iVBORw0KGgo" * 20 + "!", "mediatype": "image/png"},
    }
    seen: list[list[str | int]] = []

    def position(parts):
        seen.append(list(parts))
        return (40 + len(parts), 3)

    hits = schemas.schema_hits("olm.package", blob, "catalog/widget/catalog.json", position)
    assert hits == [
        Hit(
            message="icon.base64data: 'iVBORw0KGgoiVBORw0KGgoiVBORw0KGgoiVBORw0KGgoiVBORw0KGgo"
            "...' is not valid base64 data",
            location=Location(
                path="catalog/widget/catalog.json", pointer="/icon/base64data", line=42, column=3
            ),
        )
    ]
    assert seen == [["icon", "base64data"]]


def test_long_values_are_cut_in_generic_messages() -> None:
    schema = {"properties": {"skips": {"maxItems": 1}, "name": {"maxLength": 3}}}
    errors = Draft202012Validator(schema).iter_errors({"skips": ["x" * 80] * 2, "name": "y" * 80})
    assert sorted(schemas._message(e)[0] for e in errors) == [
        f"'{'y' * 55}...' is too long",
        "an array is too long",
    ]


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        ([], "(document)"),
        (["spec", "installModes", 0, "supported"], "spec.installModes[0].supported"),
        (["metadata", "annotations", "olm.skipRange"], 'metadata.annotations["olm.skipRange"]'),
        ([0, "name"], "[0].name"),
        (["x-descriptors"], "x-descriptors"),
    ],
)
def test_dotted(parts: list[str | int], text: str) -> None:
    assert schemas.dotted(parts) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"a": 1}, "an object"),
        ([1], "an array"),
        (None, "null"),
        (True, "true"),
        (0.5, "0.5"),
        ("yes", "'yes'"),
        ("y" * 70, "'" + "y" * 55 + "...'"),
    ],
)
def test_describe(value: Any, text: str) -> None:
    assert schemas.describe(value) == text


def _authoritative_valid(name: str, plain: Any) -> bool:
    return not any(Draft202012Validator(schemas.load_schema(name)).iter_errors(plain))


def _corpus_documents() -> list[tuple[str, Any]]:
    """``(schema name, plain data)`` of every corpus CSV and annotations.yaml that loads."""
    from bundle_tools.errors import InputError
    from bundle_tools.validate import load_context

    documents = []
    for manifests in sorted(shared_path("corpus", "bundles").glob("*/*/manifests")):
        try:
            ctx = load_context(manifests.parent)
        except InputError:
            continue
        for name, doc in (("csv", ctx.csv), ("annotations", ctx.bundle.annotations)):
            if doc is not None:
                documents.append((name, yamlio.to_plain(doc.data)))
    return documents


def test_compiled_check_agrees_with_jsonschema_on_every_corpus_bundle() -> None:
    # issue 10: schema_hits trusts the compiled check's "valid" without running
    # jsonschema, so it must never pass what jsonschema rejects
    documents = _corpus_documents()
    assert len(documents) > 60
    verdicts = [(schemas.is_valid(n, d), _authoritative_valid(n, d)) for n, d in documents]
    assert verdicts == [(py, py) for _, py in verdicts]
    assert {py for _, py in verdicts} == {True, False}


WRONG_VALUES: list[Any] = ["x", "", 7, -1, 1.5, True, None, [], ["x"], {}, {"k": "v"}]


def test_compiled_check_never_passes_a_wrong_value_jsonschema_rejects() -> None:
    # each value of the repository's CSV replaced in turn by values of other types
    csv = REPO / "bundle" / "manifests" / "quay-operator.clusterserviceversion.yaml"
    plain = yamlio.to_plain(yamlio.load_file(csv)[0].data)
    paths: list[list[str | int]] = []

    def walk(node: Any, path: list[str | int]) -> None:
        if path:
            paths.append(path)
        if isinstance(node, dict):
            items = list(node.items())
        else:
            items = list(enumerate(node)) if isinstance(node, list) else []
        for key, value in items:
            walk(value, [*path, key])

    walk(plain, [])
    checked = 0
    for path in paths[:: max(1, len(paths) // 40)]:
        for wrong in WRONG_VALUES:
            mutated = json.loads(json.dumps(plain))
            parent = mutated
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = wrong
            if schemas.is_valid("csv", mutated):
                assert _authoritative_valid("csv", mutated), (path, wrong)
            checked += 1
    assert checked >= 40 * len(WRONG_VALUES)


@pytest.mark.parametrize(
    ("value", "reason"),
    [({1: "a"}, "non-string key"), (10**30, "beyond 64 bits"), (float("nan"), "NaN")],
)
def test_values_the_compiled_check_cannot_judge_fall_back_to_jsonschema(
    value: Any, reason: str
) -> None:
    instance = {"annotations": {"operators.operatorframework.io.bundle.package.v1": value}}
    assert schemas.is_valid("annotations", instance) is False, reason
    hits = schemas.schema_hits("annotations", instance, "a.yaml", lambda parts: (1, 1))
    pointer = "/annotations/operators.operatorframework.io.bundle.package.v1"
    assert [h.message for h in hits if h.location.pointer == pointer] == [
        f'annotations["operators.operatorframework.io.bundle.package.v1"]: '
        f"{schemas.describe(value)} is not of type string"
    ]
