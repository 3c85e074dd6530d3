"""The JSON Schemas in schemas/: metaschema, the CSV generator, this repo's bundle/, the
real corpus (bundles and catalogs accepted by opm) and known-bad inputs."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from bundle_tools import schemagen, yamlio
from bundle_tools.errors import InputError
from bundle_tools.schemas import SCHEMA_NAMES

from .conftest import REPO, shared_path

SCHEMAS = REPO / "schemas"
NAMES = SCHEMA_NAMES
FBC_NAMES = ("olm.package", "olm.channel", "olm.bundle", "olm.deprecations")
WHITESPACE = re.compile(r"\s*")
CSV_CRD = ("reference", "olm-crds", "operators.coreos.com_clusterserviceversions.yaml")


def load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


VALIDATORS = {name: Draft202012Validator(load(name)) for name in NAMES}


def errors(name: str, instance: Any) -> list[tuple[str, str]]:
    """``(JSON pointer, failing keyword)`` of every error, sorted."""
    found = VALIDATORS[name].iter_errors(yamlio.to_plain(instance))
    return sorted((yamlio.pointer(e.absolute_path), str(e.validator)) for e in found)


class OpmLoader(yaml.CSafeLoader):
    """libyaml loader that keeps timestamps as strings, as opm's go-yaml v2 decoding into
    ``interface{}`` does."""


OpmLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def fbc_blobs(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every blob of an FBC directory (JSON streams or multi-document YAML)."""
    blobs = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".indexignore"):
        text = path.read_text(encoding="utf-8-sig")
        if text.lstrip().startswith("{"):
            decoder, docs = json.JSONDecoder(), []
            index = WHITESPACE.match(text).end()
            while index < len(text):
                doc, index = decoder.raw_decode(text, index)
                docs.append(doc)
                index = WHITESPACE.match(text, index).end()
        else:
            docs = [d for d in yaml.load_all(text, Loader=OpmLoader) if d is not None]
        blobs += [(path, doc) for doc in docs]
    return blobs


# --- metaschema and generator ------------------------------------------------------------


def test_schema_files_are_exactly_the_known_names() -> None:
    assert sorted(p.name for p in SCHEMAS.glob("*.schema.json")) == sorted(
        f"{n}.schema.json" for n in NAMES
    )


@pytest.mark.parametrize("name", NAMES)
def test_schema_passes_metaschema(name: str) -> None:
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_generator_reproduces_committed_csv_schema() -> None:
    src = shared_path(*CSV_CRD)
    committed = (SCHEMAS / "csv.schema.json").read_text(encoding="utf-8")
    assert schemagen.render(schemagen.generate(src)) == committed
    assert "3048ccdc52d1858783800c6d40305357aff66c8c" in json.loads(committed)["$comment"]


def test_generator_cli_writes_schema_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    src = shared_path(*CSV_CRD)
    assert schemagen.main([str(src)]) == 0
    assert json.loads(capsys.readouterr().out) == load("csv")


def test_generator_cli_output_file_is_written_atomically(tmp_path: Path) -> None:
    src = shared_path(*CSV_CRD)
    out = tmp_path / "csv.schema.json"
    assert schemagen.main([str(src), "-o", str(out)]) == 0
    assert out.read_bytes() == (SCHEMAS / "csv.schema.json").read_bytes()
    assert schemagen.main([str(tmp_path / "missing.yaml"), "-o", str(out)]) == 2
    assert out.read_bytes() == (SCHEMAS / "csv.schema.json").read_bytes()


def test_generator_cli_rejects_a_non_crd(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    src = tmp_path / "x.yaml"
    src.write_text("kind: ConfigMap\n", encoding="utf-8")
    assert schemagen.main([str(src)]) == 2
    assert capsys.readouterr().err == f"{src}: error: source is not a CustomResourceDefinition\n"


def test_convert_kubernetes_extensions() -> None:
    node = {
        "type": "object",
        "description": "prose",
        "required": ["port"],
        "properties": {
            "description": {"type": "string", "description": "a field named description"},
            "port": {
                "anyOf": [{"type": "integer"}, {"type": "string"}],
                "x-kubernetes-int-or-string": True,
            },
            "bare": {"x-kubernetes-int-or-string": True},
            "replicas": {"type": "integer", "format": "int32"},
            "when": {"type": "string", "format": "date-time"},
            "raw": {"type": "string", "format": "byte"},
            "blob": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
            "nullableRequired": {"type": "string", "nullable": True},
            "release": {
                "type": "string",
                "x-kubernetes-validations": [
                    {"rule": "self.matches('^[0-9]+(\\\\.[0-9]+)*$')", "message": "m"},
                    {"rule": "self.size() < 5", "message": "m"},
                ],
            },
        },
    }
    assert schemagen.convert(node) == {
        "type": "object",
        "required": ["port"],
        "properties": {
            "description": {"type": ["string", "null"]},
            "port": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
            "bare": {"type": ["integer", "string", "null"]},
            "replicas": {"type": ["integer", "null"], "minimum": -(2**31), "maximum": 2**31 - 1},
            "when": {"type": ["string", "null"], "format": "date-time"},
            "raw": {"type": ["string", "null"]},
            "blob": {"type": ["object", "null"]},
            "tags": {"type": ["array", "null"], "items": {"type": "string"}, "uniqueItems": True},
            "nullableRequired": {"type": ["string", "null"]},
            "release": {
                "type": ["string", "null"],
                "pattern": "^[0-9]+(\\.[0-9]+)*$",
                "$comment": "not checked (CEL): self.size() < 5",
            },
        },
    }


def test_convert_rejects_unknown_keyword() -> None:
    with pytest.raises(schemagen.SchemaGenError, match="'x-new-thing'"):
        schemagen.convert({"type": "object", "x-new-thing": 1})


def test_optional_int_or_string_with_anyof_accepts_null() -> None:
    converted = schemagen.convert(
        {
            "properties": {
                "p": {
                    "anyOf": [{"type": "integer"}, {"type": "string"}],
                    "x-kubernetes-int-or-string": True,
                }
            }
        }
    )
    assert converted["properties"]["p"]["anyOf"][-1] == {"type": "null"}


# --- CSV and annotations ---------------------------------------------------------------


@pytest.fixture(scope="module")
def repo_csv() -> Any:
    path = REPO / "bundle" / "manifests" / "quay-operator.clusterserviceversion.yaml"
    return yamlio.load_file(path)[0].data


def test_repo_bundle_csv_is_valid(repo_csv: Any) -> None:
    assert errors("csv", repo_csv) == []


def test_repo_bundle_annotations_are_valid() -> None:
    doc = yamlio.load_file(REPO / "bundle" / "metadata" / "annotations.yaml")[0]
    assert errors("annotations", doc.data) == []


def mutated(csv: Any, parts: list[str | int], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(yamlio.to_plain(csv))
    node = data
    for part in parts[:-1]:
        node = node[part]
    if value is KeyError:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return data


DEPLOYMENT = ["spec", "install", "spec", "deployments", 0, "spec"]
CONTAINER = [*DEPLOYMENT, "template", "spec", "containers", 0]


@pytest.mark.parametrize(
    ("parts", "value", "expected"),
    [
        (
            ["spec", "installModes", 0, "supported"],
            "yes",
            [("/spec/installModes/0/supported", "type")],
        ),
        (["spec", "installModes", 0, "type"], None, [("/spec/installModes/0/type", "type")]),
        (["spec", "displayName"], KeyError, [("/spec", "required")]),
        (["spec", "install", "strategy"], KeyError, [("/spec/install", "required")]),
        (
            ["spec", "customresourcedefinitions", "owned", 0, "resources", 1, "name"],
            KeyError,
            [("/spec/customresourcedefinitions/owned/0/resources/1", "required")],
        ),
        ([*DEPLOYMENT, "replicas"], "1", [(f"{yamlio.pointer(DEPLOYMENT)}/replicas", "type")]),
        ([*DEPLOYMENT, "replicas"], 2**31, [(f"{yamlio.pointer(DEPLOYMENT)}/replicas", "maximum")]),
        (
            [*CONTAINER, "env", 0, "value"],
            5,
            [(f"{yamlio.pointer(CONTAINER)}/env/0/value", "type")],
        ),
        (
            [*CONTAINER, "resources", "requests", "cpu"],
            0.5,
            [(f"{yamlio.pointer(CONTAINER)}/resources/requests/cpu", "anyOf")],
        ),
        (
            ["metadata", "annotations", "features.operators.openshift.io/token-auth-aws"],
            False,
            [("/metadata/annotations/features.operators.openshift.io~1token-auth-aws", "type")],
        ),
        (["metadata", "name"], KeyError, [("/metadata", "required")]),
        (["kind"], "Deployment", [("/kind", "const")]),
        (["apiVersion"], "operators.coreos.com/v1", [("/apiVersion", "const")]),
        (["spec", "maturity"], None, []),  # optional field: null is pruned by the API server
        ([*CONTAINER, "resources", "requests", "cpu"], 2, []),  # int-or-string
    ],
)
def test_csv_known_bad_inputs_fail_at_their_path(
    repo_csv: Any, parts: list[str | int], value: Any, expected: list[tuple[str, str]]
) -> None:
    assert errors("csv", mutated(repo_csv, parts, value)) == expected


def test_ruamel_scalar_types_get_json_types() -> None:
    doc = yamlio.load_documents(
        yamlio.SourceText(
            path=Path("x.yaml"),
            text=(
                "apiVersion: operators.coreos.com/v1alpha1\nkind: ClusterServiceVersion\n"
                "metadata:\n  name: x.v1.0.0\n  annotations:\n    createdAt: 2021-04-23T10:04:00Z\n"
                "    tag: !custom value\n"
                "spec:\n  displayName: X\n  install: {strategy: deployment}\n"
                "  minKubeVersion: !!str 1.27\n"
                "  installModes:\n  - {type: OwnNamespace, supported: &yes true}\n"
                "  - {type: AllNamespaces, supported: *yes}\n"
                "  - {type: MultiNamespace, supported: 1.5}\n"
            ),
            bom=False,
            newline="\n",
        )
    )[0]
    assert errors("csv", doc.data) == [("/spec/installModes/2/supported", "type")]


@pytest.fixture(scope="module")
def corpus_csvs() -> dict[str, Any]:
    """``<package>/<version>`` -> CSV data for every corpus bundle whose CSV parses."""
    root = shared_path("corpus", "bundles")
    found = {}
    for bundle in sorted(root.glob("*/*")):
        for path in sorted((bundle / "manifests").glob("*clusterserviceversion*")):
            try:
                docs = yamlio.load_file(path)
            except InputError:
                continue
            found[f"{bundle.parent.name}/{bundle.name}"] = docs[0].data
    return found


def test_corpus_csv_report(corpus_csvs: dict[str, Any], capsys: pytest.CaptureFixture[str]):
    """Real CSVs are reported, not required to be clean; the known faults must be found."""
    by_bundle = {key: errors("csv", data) for key, data in corpus_csvs.items()}
    with capsys.disabled():
        bad = {k: v for k, v in by_bundle.items() if v}
        print(f"\ncsv schema: {len(bad)} of {len(by_bundle)} corpus CSVs have errors")
    assert len(by_bundle) >= 40
    # 3.99.0-dev lists `Kind: Job` (capital K) among its owned CRD's resources.
    quay = by_bundle["quay-operator/3.99.0-dev"]
    assert ("/spec/customresourcedefinitions/owned/0/resources/4", "required") in quay
    assert by_bundle["automotive-infra/0.0.3"] == [("", "required")]  # `ApiVersion:`
    assert by_bundle["pubsubplus-eventbroker-operator/1.4.2"] == [("/apiVersion", "const")]
    assert by_bundle["pelorus-operator/0.0.5"] == []


def test_corpus_annotations_are_valid() -> None:
    root = shared_path("corpus", "bundles")
    paths = sorted(root.glob("*/*/metadata/annotations.yaml"))
    assert len(paths) >= 40
    assert {str(p): errors("annotations", yamlio.load_file(p)[0].data) for p in paths} == {
        str(p): [] for p in paths
    }


BUNDLE_KEY = "operators.operatorframework.io.bundle.{}.v1"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({BUNDLE_KEY.format("package"): None}, [("/annotations", "required")]),
        (
            {BUNDLE_KEY.format("mediatype"): "registry+v2"},
            [(f"/annotations/{BUNDLE_KEY.format('mediatype')}", "enum")],
        ),
        (
            {BUNDLE_KEY.format("channels"): ""},
            [(f"/annotations/{BUNDLE_KEY.format('channels')}", "minLength")],
        ),
        (
            {BUNDLE_KEY.format("package"): True},
            [(f"/annotations/{BUNDLE_KEY.format('package')}", "type")],
        ),
        (
            {"com.redhat.openshift.versions": 4.12},
            [("/annotations/com.redhat.openshift.versions", "type")],
        ),
        ({"com.redhat.openshift.versions": "v4.12"}, []),
    ],
)
def test_annotations_known_bad(changes: dict[str, Any], expected: list[tuple[str, str]]):
    annotations: dict[str, Any] = {
        BUNDLE_KEY.format("package"): "widget-operator",
        BUNDLE_KEY.format("channels"): "alpha",
        BUNDLE_KEY.format("mediatype"): "registry+v1",
    }
    for key, value in changes.items():
        if value is None:
            del annotations[key]
        else:
            annotations[key] = value
    assert errors("annotations", {"annotations": annotations}) == expected


# --- FBC blobs ---------------------------------------------------------------------------


@pytest.mark.parametrize("catalog", ["community-v4.20", "community-v4.16", "lightspeed-4.16"])
def test_real_catalog_blobs_are_valid(catalog: str) -> None:
    """opm accepts these catalogs, so every schema error would be a schema bug."""
    blobs = fbc_blobs(shared_path("corpus", "catalogs", catalog))
    checked = [
        (str(p), b.get("name"), errors(b["schema"], b))
        for p, b in blobs
        if b.get("schema") in FBC_NAMES
    ]
    assert len(checked) > 10
    assert [found for found in checked if found[2]] == []


def test_fbc_case_blobs_have_valid_shapes() -> None:
    """The fbc-* cases are semantic faults (heads, cycles, duplicates, versions, ranges):
    every blob has a valid shape, so the schemas must not report them."""
    cases = sorted(shared_path("cases").glob("fbc-*"))
    assert len(cases) >= 7
    blobs = [b for case in cases for d in case.iterdir() if d.is_dir() for b in fbc_blobs(d)]
    checked = [(str(p), errors(b["schema"], b)) for p, b in blobs]
    assert len(checked) >= 20
    assert [found for found in checked if found[1]] == []


def bundle_blob(**changes: Any) -> dict[str, Any]:
    blob = {
        "schema": "olm.bundle",
        "name": "widget-operator.v1.0.0",
        "package": "widget-operator",
        "image": "registry.example.com/widget/bundle:v1.0.0",
        "properties": [
            {
                "type": "olm.package",
                "value": {"packageName": "widget-operator", "version": "1.0.0"},
            },
        ],
    }
    blob.update(changes)
    return blob


def prop(ptype: str, value: Any) -> list[dict[str, Any]]:
    return [{"type": ptype, "value": value}]


@pytest.mark.parametrize(
    ("name", "blob", "expected"),
    [
        ("olm.bundle", bundle_blob(image=""), []),
        ("olm.bundle", bundle_blob(unknownField=[1]), []),
        ("olm.bundle", bundle_blob(properties=prop("example.com/custom", [1, "x"])), []),
        ("olm.bundle", bundle_blob(properties=prop("olm.maxOpenShiftVersion", "4.16")), []),
        ("olm.bundle", bundle_blob(image=None), [("/image", "type")]),
        # no image: allowed by the schema; "bundle image must be set" is a catalog rule
        ("olm.bundle", {"schema": "olm.bundle", "name": "b", "package": "p"}, []),
        ("olm.bundle", {"schema": "olm.bundle", "name": "b"}, [("", "required")]),
        (
            "olm.bundle",
            bundle_blob(properties=prop("olm.package", {"packageName": "p", "version": 1})),
            [("/properties/0/value/version", "type")],
        ),
        (
            "olm.bundle",
            bundle_blob(properties=prop("olm.gvk", "g/v/k")),
            [("/properties/0/value", "type")],
        ),
        (
            "olm.bundle",
            bundle_blob(properties=[{"type": "olm.gvk"}]),
            [("/properties/0", "required")],
        ),
        (
            "olm.bundle",
            bundle_blob(properties=prop("olm.bundle.object", {"data": "e30"})),
            [("/properties/0/value/data", "pattern")],
        ),
        ("olm.bundle", bundle_blob(properties=prop("olm.bundle.object", {"data": "e30="})), []),
        (
            "olm.bundle",
            bundle_blob(
                properties=prop(
                    "olm.csv.metadata",
                    {"installModes": [{"type": "OwnNamespace", "supported": "true"}]},
                )
            ),
            [("/properties/0/value/installModes/0/supported", "type")],
        ),
        (
            "olm.bundle",
            bundle_blob(relatedImages=[{"name": "x", "image": 5}]),
            [("/relatedImages/0/image", "type")],
        ),
        (
            "olm.package",
            {
                "schema": "olm.package",
                "name": "p",
                "defaultChannel": "stable",
                "icon": {"base64data": "iVBORw0KGgo=", "mediatype": "image/png"},
            },
            [],
        ),
        (
            "olm.package",
            {
                "schema": "olm.package",
                "name": "p",
                "defaultChannel": "stable",
                "icon": {"base64data": "not base64!", "mediatype": "image/png"},
            },
            [("/icon/base64data", "pattern")],
        ),
        ("olm.package", {"schema": "olm.package", "name": "p"}, [("", "required")]),
        (
            "olm.package",
            {"schema": "olm.package", "name": "", "defaultChannel": "s"},
            [("/name", "minLength")],
        ),
        (
            "olm.channel",
            {
                "schema": "olm.channel",
                "name": "s",
                "package": "p",
                "entries": [{"name": "b", "skips": ["a", ""]}],
            },
            [("/entries/0/skips/1", "minLength")],
        ),
        (
            "olm.channel",
            {"schema": "olm.channel", "name": "s", "package": "p", "entries": [{"replaces": "a"}]},
            [("/entries/0", "required")],
        ),
        (
            "olm.channel",
            {"schema": "olm.channel", "name": "s", "package": "p", "entries": []},
            [("/entries", "minItems")],
        ),
        (
            "olm.channel",
            {
                "schema": "olm.channel",
                "name": "s",
                "package": "p",
                "entries": [{"name": "b", "skipRange": 1}],
            },
            [("/entries/0/skipRange", "type")],
        ),
        ("olm.deprecations", {"schema": "olm.deprecations", "package": "p"}, []),
        ("olm.deprecations", {"schema": "olm.deprecations", "entries": []}, [("", "required")]),
        (
            "olm.deprecations",
            {
                "schema": "olm.deprecations",
                "package": "p",
                "entries": [
                    {"reference": {"schema": "olm.package"}, "message": "gone"},
                    {
                        "reference": {"schema": "olm.channel", "name": "alpha"},
                        "message": "use stable",
                    },
                ],
            },
            [],
        ),
        (
            "olm.deprecations",
            {
                "schema": "olm.deprecations",
                "package": "p",
                "entries": [
                    {"reference": {"schema": "olm.bundle"}, "message": "x"},
                    {"reference": {"schema": "olm.package", "name": "p"}, "message": "x"},
                    {"reference": {"schema": "olm.template"}, "message": "x"},
                    {"reference": {"schema": "olm.channel", "name": "c"}, "message": ""},
                ],
            },
            [
                ("/entries/0/reference", "required"),
                ("/entries/1/reference/name", "maxLength"),
                ("/entries/2/reference/schema", "enum"),
                ("/entries/3/message", "minLength"),
            ],
        ),
    ],
)
def test_fbc_known_shapes(name: str, blob: dict[str, Any], expected: list[tuple[str, str]]):
    assert errors(name, blob) == expected
