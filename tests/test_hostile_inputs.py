"""Hostile YAML and wrong types at every path ``validate`` and ``patch-csv`` read: exit
code 0, 1 or 2, never a traceback; exit 2 names the file, line and column and leaves the
inputs byte for byte as they were. Plus the inputs that once hung or exploded: alias
bombs and very long comment lines."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.errors import InputError
from bundle_tools.fbc.render import render_bundle
from bundle_tools.validate import validate_bundles
from bundle_tools.yamlio import SourceText, compose_documents

from .conftest import REPO
from .validate_helpers import BASE_CSV, CSV_FILE, edit, write_bundle

BUNDLE = REPO / "bundle"
CSV = BUNDLE / "manifests" / "quay-operator.clusterserviceversion.yaml"
ANNOTATIONS = BUNDLE / "metadata" / "annotations.yaml"
POSITIONED = re.compile(r"^\S.*:\d+:\d+: error: ", re.MULTILINE)
LOCATED = re.compile(r"^\S.*: error: ", re.MULTILINE)

#: Values of the wrong type or that no loader can construct, as YAML text.
HOSTILE = [
    "5",
    "true",
    "null",
    '""',
    "[a]",
    "[5, [6]]",
    "[{}]",
    "{k: v}",
    "{[a]: 1}",
    "9" * 4400,
    "2026-02-30",
    "!!int notanint",
    "!!float nope",
    "!!timestamp 2026-13-01",
    '"\\ud800"',
    "*undefined",
    "&r [*r]",
    "&r {<<: *r}",
    "!!binary '%%%'",
    "0x_",
    "[a, b",
    "\t- tab",
    "'unterminated",
]


def _entries(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` text offsets of every mapping entry of the YAML ``text``'s
    documents from the end of its key (the colon and the value; a block collection's span
    ends at the start of the line after it)."""
    spans: list[tuple[int, int]] = []

    def walk(node: Any, seen: set[int]) -> None:
        if node.id == "scalar" or id(node) in seen:
            return
        seen.add(id(node))
        for child in node.value:
            if node.id == "mapping":
                key, value = child
                end = value.end_mark.index
                line_start = text.rfind("\n", 0, end) + 1
                if value.id != "scalar" and not text[line_start:end].strip():
                    end = line_start
                spans.append((key.end_mark.index, end))
                walk(value, seen)
            else:
                walk(child, seen)

    source = SourceText(path=CSV, text=text, bom=False, newline="\n")
    for composed in compose_documents(source):
        walk(composed.node, set())
    return spans


CSV_TEXT = CSV.read_text(encoding="utf-8")
SPANS = _entries(CSV_TEXT)


def _hostile_csv(span: tuple[int, int], value: str, text: str = CSV_TEXT) -> str:
    """The CSV ``text`` with the entry at ``span`` holding ``value`` on its key's line."""
    start, end = span
    tail = "\n" if text[end - 1 : end] == "\n" and not value.endswith("\n") else ""
    return text[:start] + ": " + value + tail + text[end:]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _runs(bundle: Path) -> Iterator[tuple[str, list[str]]]:
    yield "validate", ["validate", str(bundle)]
    yield "patch-csv", ["patch-csv", str(bundle)]
    yield (
        "patch-csv release",
        [
            "patch-csv",
            str(bundle),
            "--no-token-auth",
            "--version",
            "3.9.1",
            "--replaces",
            "quay-operator.v3.9.0",
            "--operator-image",
            "quay.io/projectquay/quay-operator:v3.9.1",
            "--related-image",
            "component_quay=quay.io/projectquay/quay:v3.9.1",
            "--channels",
            "stable-3.9,alpha",
            "--default-channel",
            "stable-3.9",
        ],
    )


def _check(bundle: Path, runs: int = 3) -> None:
    runner = CliRunner()
    for name, args in list(_runs(bundle))[:runs]:
        before = _snapshot(bundle)
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1, 2), (name, result.output, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            name,
            result.exception,
        )
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            assert LOCATED.search(result.stderr), (name, result.stderr)
            if "invalid YAML" in result.stderr:
                assert POSITIONED.search(result.stderr), (name, result.stderr)
            assert _snapshot(bundle) == before, name


@settings(
    max_examples=25,
    deadline=10_000,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking would rerun the CLI
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    span=st.sampled_from(SPANS),
    value=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20)),
)
def test_hostile_value_anywhere_in_the_csv(span: tuple[int, int], value: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "b"
        shutil.copytree(BUNDLE, bundle)
        (bundle / "manifests" / CSV.name).write_text(_hostile_csv(span, value), encoding="utf-8")
        _check(bundle)


#: A small CSV with every section the APS, INS and WHK rules read: owned and required
#: APIServices, an admission and a conversion webhook, clusterPermissions with a
#: non-resource rule, a container port; bundle/'s CSV has none of them.
INSTALL_CSV = edit(
    edit(
        BASE_CSV,
        "  install:\n",
        """\
  apiservicedefinitions:
    owned:
    - {group: metrics.example.com, version: v1beta1, kind: WidgetMetrics, name: widgetmetrics,
       deploymentName: widget-controller, containerPort: 8443}
    required:
    - {group: other.example.com, version: v1, kind: Other, name: others}
  webhookdefinitions:
  - type: ValidatingAdmissionWebhook
    generateName: vwidget.example.com
    deploymentName: widget-controller
    admissionReviewVersions: [v1]
    sideEffects: None
    containerPort: 443
    targetPort: 9443
    webhookPath: /validate
    rules:
    - {operations: [CREATE], apiGroups: [example.com], apiVersions: [v1alpha1],
       resources: [widgets]}
  - type: ConversionWebhook
    generateName: cwidget.example.com
    deploymentName: widget-controller
    admissionReviewVersions: [v1]
    sideEffects: None
    conversionCRDs: [widgets.example.com]
  install:
""",
    ),
    "      permissions:\n",
    """\
      clusterPermissions:
      - serviceAccountName: widget-controller
        rules:
        - {apiGroups: [config.openshift.io], resources: [infrastructures], verbs: [get]}
        - {nonResourceURLs: [/metrics], verbs: [get]}
      permissions:
""",
)
INSTALL_SPANS = [s for s in _entries(INSTALL_CSV) if s[0] > INSTALL_CSV.index("  installModes:")]
#: One value of each wrong type, and nested ones a rule may hash or iterate.
WRONG_TYPES = ["5", "null", "[a]", "[[a]]", "[{}]", "{k: v}", "{k: [v]}"]


@pytest.mark.parametrize("value", WRONG_TYPES)
def test_wrong_type_anywhere_in_the_install_and_api_sections(tmp_path: Path, value: str) -> None:
    """Every field from installModes on (install strategy, APIService and webhook
    definitions, CRD descriptions) holding each wrong type: the bundle rules run to the
    end (a conversionCRDs entry that was a list crashed WHK003: unhashable YamlSeq), and
    catalog render renders or refuses the bundle with an input error (an owned CRD's
    version that was a list crashed its owned-CRD check)."""
    assert not validate_bundles([write_bundle(tmp_path / "clean", csv=INSTALL_CSV)]).errors
    render_bundle(tmp_path / "clean", "quay.io/x/widget-bundle:1.2.0")
    bundle = write_bundle(tmp_path / "b")
    csv = bundle / CSV_FILE
    crashed = []
    for span in INSTALL_SPANS:
        csv.write_text(_hostile_csv(span, value, INSTALL_CSV), encoding="utf-8")
        try:
            validate_bundles([bundle])
            with contextlib.suppress(InputError):
                render_bundle(bundle, "quay.io/x/widget-bundle:1.2.0")
        except Exception as exc:  # each crash is listed with its field
            crashed.append((INSTALL_CSV[: span[0]].rsplit("\n", 1)[-1], repr(exc)))
    assert crashed == []


@settings(
    max_examples=25,
    deadline=10_000,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    span=st.sampled_from(INSTALL_SPANS),
    value=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20)),
)
def test_hostile_value_in_the_install_and_api_sections(span: tuple[int, int], value: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bundle = write_bundle(Path(tmp) / "b", csv=_hostile_csv(span, value, INSTALL_CSV))
        _check(bundle, runs=1)


@pytest.mark.parametrize("value", ["5", "[a]", "{k: v}", "null", "9" * 4400, '"\\ud800"'])
@pytest.mark.parametrize(
    "field",
    ["volumes", "volumeMounts", "clusterPermissions", "rules", "apiGroups", "env"],
)
def test_wrong_type_at_each_field_patch_csv_edits(tmp_path: Path, field: str, value: str) -> None:
    """The fields patch-csv appends to, each replaced by a value of every other type."""
    spans = [span for span in SPANS if CSV_TEXT[: span[0]].endswith(f" {field}")]
    assert spans, field
    bundle = tmp_path / "b"
    shutil.copytree(BUNDLE, bundle)
    (bundle / "manifests" / CSV.name).write_text(_hostile_csv(spans[0], value), encoding="utf-8")
    _check(bundle, runs=2)


@pytest.mark.parametrize("value", ["[a]", "{k: v}"])
def test_wrong_type_of_a_related_image_is_no_crash(tmp_path: Path, value: str) -> None:
    """A ``spec.relatedImages[].image`` that is not a string (found by the sweep above:
    ``[a]`` crashed CSV020 and patch-csv's relatedImages following with an unhashable
    list) is reported or left alone by validate and both patch-csv runs, never a
    traceback."""
    start = CSV_TEXT.index("  relatedImages:")
    span = next(s for s in SPANS if s[0] > start and CSV_TEXT[: s[0]].endswith("    image"))
    bundle = tmp_path / "b"
    shutil.copytree(BUNDLE, bundle)
    (bundle / "manifests" / CSV.name).write_text(_hostile_csv(span, value), encoding="utf-8")
    _check(bundle)


@pytest.mark.parametrize("value", ["!!binary '%%%'", "!!binary aGk=", "!!timestamp 2020-01-02"])
def test_explicit_tag_values_json_has_no_type_for_are_printed(tmp_path: Path, value: str) -> None:
    """``spec.replaces`` as bytes or a date (found by the sweep above: patch-csv's change
    list crashed on ``!!binary '%%%'``, not JSON serializable) is printed, not a crash."""
    (span,) = [s for s in SPANS if CSV_TEXT[: s[0]].endswith("\n  replaces")][:1]
    bundle = tmp_path / "b"
    shutil.copytree(BUNDLE, bundle)
    (bundle / "manifests" / CSV.name).write_text(_hostile_csv(span, value), encoding="utf-8")
    _check(bundle)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("volumes", "5", "volumes: expected a sequence, found a scalar"),
        ("env", "{a: 1}", "env: expected a sequence, found a mapping"),
        ("relatedImages", "5", "relatedImages: expected a sequence, found a scalar"),
        ("image", "[a]", "image: expected a string, found a sequence"),
    ],
)
def test_wrong_type_is_named_with_its_position(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    (span,) = [s for s in SPANS if CSV_TEXT[: s[0]].endswith(f"  {field}")][:1]
    line = CSV_TEXT.count("\n", 0, span[0]) + 1
    bundle = tmp_path / "b"
    shutil.copytree(BUNDLE, bundle)
    csv = bundle / "manifests" / CSV.name
    csv.write_text(_hostile_csv(span, value), encoding="utf-8")
    args = ["patch-csv", str(bundle), "--operator-image", "quay.io/a/b:1"]
    args += ["--related-image", "quay=quay.io/a/c:1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert re.match(rf"{re.escape(str(csv))}:{line}:\d+: error: .*{message}", result.stderr)


def alias_bomb(levels: int) -> str:
    """A ~50-byte-per-level document whose aliases expand to 9**levels nodes."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["csv", "annotations"])
def test_alias_bomb_is_refused_at_its_alias(tmp_path: Path, where: str) -> None:
    bundle = tmp_path / "b"
    shutil.copytree(BUNDLE, bundle)
    target = bundle / ("manifests/" + CSV.name if where == "csv" else "metadata/annotations.yaml")
    bomb = alias_bomb(9)
    target.write_text(target.read_text(encoding="utf-8") + "bomb:\n  " + bomb.replace("\n", "\n  "))
    channels = ["--channels", "stable-3.99", "--default-channel", "stable-3.99"]
    for args in (["validate", str(bundle)], ["patch-csv", str(bundle), *channels]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert re.search(r":\d+:\d+: error: invalid YAML: excessive aliasing", result.stderr)


def test_a_small_alias_fan_out_is_fine(tmp_path: Path) -> None:
    """Kubernetes' decoder accepts moderate alias use; so does the loader."""
    bundle = tmp_path / "b"
    shutil.copytree(BUNDLE, bundle)
    csv = bundle / "manifests" / CSV.name
    csv.write_text(
        csv.read_text(encoding="utf-8") + "extra:\n  " + alias_bomb(2).replace("\n", "\n  ")
    )
    assert CliRunner().invoke(app, ["validate", str(bundle)]).exit_code in (0, 1)


@pytest.mark.parametrize("size", [1 << 20, 2 << 20])
def test_long_comment_line_is_read(tmp_path: Path, size: int) -> None:
    """One comment line of megabytes: read in linear time (it once took minutes)."""
    bundle = tmp_path / "b"
    shutil.copytree(BUNDLE, bundle)
    csv = bundle / "manifests" / CSV.name
    csv.write_text("# " + "x" * size + "\n" + csv.read_text(encoding="utf-8"), encoding="utf-8")
    assert CliRunner().invoke(app, ["validate", str(bundle)]).exit_code == 0
    result = CliRunner().invoke(app, ["patch-csv", str(bundle)])
    assert result.exit_code == 0, result.output
    assert csv.read_text(encoding="utf-8").startswith("# " + "x" * size + "\n")
