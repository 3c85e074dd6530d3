"""``catalog template``: opm's semver channel computation (facts from operator-registry's
own ``alpha/template/semver`` tests and README), template schemas with positioned
findings, rendering with an injected bundle renderer, and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import semver
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.errors import InputError
from bundle_tools.fbc.check import check_catalog
from bundle_tools.fbc.write import dump_yaml, order_blobs
from bundle_tools.findings import Severity
from bundle_tools.template.engine import TemplateError, load_template, render_template
from bundle_tools.template.semver import SemverOptions, generate_channels

from .conftest import REPO, shared_path

runner = CliRunner()
V = semver.Version.parse


def _channels(blobs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {b["name"]: b["entries"] for b in blobs}


STABLE = {
    name: V(name[3:])
    for name in (
        "a-v0.1.0",
        "a-v0.1.1",
        "a-v1.1.0",
        "a-v1.2.1",
        "a-v1.3.1",
        "a-v2.1.0",
        "a-v1.3.1-beta",
        "a-v2.1.1",
        "a-v2.3.1",
        "a-v2.3.2",
        "a-v3.1.0",
        "a-v3.1.1",
        "a-v1.3.1-alpha",
        "a-v1.4.1",
        "a-v1.4.1-beta1",
        "a-v1.4.1-beta2",
    )
}


def test_minor_channels_as_opm_generates_them() -> None:
    """operator-registry semver_test.go TestGenerateChannels, "Edges between minor
    channels": replaces cross minor channels, skips accumulate within a major."""
    blobs, default = generate_channels("a", {"stable": STABLE}, SemverOptions(minor=True))
    assert default == "stable-v3.1"
    assert _channels(blobs) == {
        "stable-v0.1": [{"name": "a-v0.1.0"}, {"name": "a-v0.1.1", "skips": ["a-v0.1.0"]}],
        "stable-v1.1": [{"name": "a-v1.1.0"}],
        "stable-v1.2": [{"name": "a-v1.2.1", "replaces": "a-v1.1.0"}],
        "stable-v1.3": [
            {"name": "a-v1.3.1-alpha"},
            {"name": "a-v1.3.1-beta"},
            {
                "name": "a-v1.3.1",
                "replaces": "a-v1.2.1",
                "skips": ["a-v1.1.0", "a-v1.3.1-alpha", "a-v1.3.1-beta"],
            },
        ],
        "stable-v1.4": [
            {"name": "a-v1.4.1-beta1"},
            {"name": "a-v1.4.1-beta2"},
            {
                "name": "a-v1.4.1",
                "replaces": "a-v1.3.1",
                "skips": [
                    "a-v1.1.0",
                    "a-v1.2.1",
                    "a-v1.3.1-alpha",
                    "a-v1.3.1-beta",
                    "a-v1.4.1-beta1",
                    "a-v1.4.1-beta2",
                ],
            },
        ],
        "stable-v2.1": [{"name": "a-v2.1.0"}, {"name": "a-v2.1.1", "skips": ["a-v2.1.0"]}],
        "stable-v2.3": [
            {"name": "a-v2.3.1"},
            {"name": "a-v2.3.2", "replaces": "a-v2.1.1", "skips": ["a-v2.1.0", "a-v2.3.1"]},
        ],
        "stable-v3.1": [{"name": "a-v3.1.0"}, {"name": "a-v3.1.1", "skips": ["a-v3.1.0"]}],
    }
    assert [b["name"] for b in blobs] == sorted(_channels(blobs))
    assert all(b["schema"] == "olm.channel" and b["package"] == "a" for b in blobs)


def test_major_channels_as_opm_links_them() -> None:
    """semver_test.go TestLinkChannels, "No edges between successive major channels"."""
    versions = {
        n: V(n[3:])
        for n in (
            *("a-v0.1.0", "a-v0.1.1", "a-v1.1.0", "a-v1.2.1", "a-v1.3.1"),
            *("a-v2.1.0", "a-v2.1.1", "a-v2.3.1", "a-v2.3.2"),
        )
    }
    blobs, default = generate_channels("a", {"stable": versions}, SemverOptions(major=True))
    assert default == "stable-v2"
    assert _channels(blobs) == {
        "stable-v0": [{"name": "a-v0.1.0"}, {"name": "a-v0.1.1", "skips": ["a-v0.1.0"]}],
        "stable-v1": [
            {"name": "a-v1.1.0"},
            {"name": "a-v1.2.1", "replaces": "a-v1.1.0"},
            {"name": "a-v1.3.1", "replaces": "a-v1.2.1", "skips": ["a-v1.1.0"]},
        ],
        "stable-v2": [
            {"name": "a-v2.1.0"},
            {"name": "a-v2.1.1", "skips": ["a-v2.1.0"]},
            {"name": "a-v2.3.1"},
            {"name": "a-v2.3.2", "replaces": "a-v2.1.1", "skips": ["a-v2.1.0", "a-v2.3.1"]},
        ],
    }


def test_archetypes_link_separately_and_the_most_stable_is_default() -> None:
    """candidate holds newer versions than stable, yet stable-v0 is the default (the
    archetype ranks before the version); no edge crosses archetypes."""
    bundles = {
        "candidate": {"a.v0.1.0": V("0.1.0"), "a.v0.1.1": V("0.1.1"), "a.v0.2.0": V("0.2.0")},
        "stable": {"a.v0.1.0": V("0.1.0")},
    }
    blobs, default = generate_channels("a", bundles, SemverOptions(major=True, minor=True))
    assert default == "stable-v0.1"
    assert _channels(blobs) == {
        "candidate-v0": [
            {"name": "a.v0.1.0"},
            {"name": "a.v0.1.1", "skips": ["a.v0.1.0"]},
            {"name": "a.v0.2.0", "replaces": "a.v0.1.1", "skips": ["a.v0.1.0"]},
        ],
        "candidate-v0.1": [{"name": "a.v0.1.0"}, {"name": "a.v0.1.1", "skips": ["a.v0.1.0"]}],
        "candidate-v0.2": [{"name": "a.v0.2.0", "replaces": "a.v0.1.1", "skips": ["a.v0.1.0"]}],
        "stable-v0": [{"name": "a.v0.1.0"}],
        "stable-v0.1": [{"name": "a.v0.1.0"}],
    }


@pytest.mark.parametrize(
    ("options", "default"),
    [
        (SemverOptions(major=True, minor=True), "stable-v1.0"),
        (SemverOptions(major=True, minor=True, preference="major"), "stable-v1"),
        (SemverOptions(major=True), "stable-v1"),
        (SemverOptions(), "stable-v1.0"),
    ],
)
def test_default_channel_kind_preference(options: SemverOptions, default: str) -> None:
    """A major and a minor channel created by the same bundle tie on archetype and
    version; master's highwaterChannel.gt then takes the preferred kind."""
    _, found = generate_channels("a", {"stable": {"a.v1.0.0": V("1.0.0")}}, options)
    assert found == default


# --- the engine, with an injected renderer ---------------------------------------------


def _bundle(package: str, version: str, name: str | None = None) -> dict[str, Any]:
    return {
        "schema": "olm.bundle",
        "name": name or f"{package}.v{version}",
        "package": package,
        "image": f"quay.io/x/{package}-bundle:{version}",
        "properties": [
            {"type": "olm.package", "value": {"packageName": package, "version": version}}
        ],
    }


class FakeRegistry:
    """Renders ``quay.io/x/<package>-bundle:<version>`` refs; counts calls per image."""

    def __init__(self, **overrides: dict[str, Any]) -> None:
        self.calls: dict[str, int] = {}
        self.overrides = overrides

    def __call__(self, image: str) -> dict[str, Any]:
        self.calls[image] = self.calls.get(image, 0) + 1
        if image in self.overrides:
            return self.overrides[image]
        if "missing" in image:
            raise InputError("manifest unknown")
        repo, version = image.rsplit(":", 1)
        return _bundle(repo.rsplit("/", 1)[1].removesuffix("-bundle"), version)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return path


SEMVER = """schema: olm.semver
generateMajorChannels: true
generateMinorChannels: false
candidate:
  bundles:
  - image: quay.io/x/op-bundle:1.0.0
  - image: quay.io/x/op-bundle:1.1.0
stable:
  bundles:
  - image: quay.io/x/op-bundle:1.0.0
"""


def test_render_semver_renders_each_image_once(tmp_path: Path) -> None:
    registry = FakeRegistry()
    blobs = order_blobs(render_template(load_template(_write(tmp_path, SEMVER)), registry))
    assert registry.calls == {"quay.io/x/op-bundle:1.0.0": 1, "quay.io/x/op-bundle:1.1.0": 1}
    assert [(b["schema"], b["name"]) for b in blobs] == [
        ("olm.package", "op"),
        ("olm.channel", "candidate-v1"),
        ("olm.channel", "stable-v1"),
        ("olm.bundle", "op.v1.0.0"),
        ("olm.bundle", "op.v1.1.0"),
    ]
    assert blobs[0] == {"schema": "olm.package", "name": "op", "defaultChannel": "stable-v1"}
    assert blobs[1]["entries"] == [
        {"name": "op.v1.0.0"},
        {"name": "op.v1.1.0", "replaces": "op.v1.0.0"},
    ]


def test_semver_keys_match_case_insensitively(tmp_path: Path) -> None:
    text = SEMVER.replace("generateMajorChannels", "GenerateMajorChannels").replace(
        "stable:\n  bundles", "Stable:\n  Bundles"
    )
    blobs = render_template(load_template(_write(tmp_path, text)), FakeRegistry())
    assert blobs[0]["defaultChannel"] == "stable-v1"


@pytest.mark.parametrize(
    ("registry", "text", "message", "line"),
    [
        (FakeRegistry(), SEMVER.replace("op-bundle:1.1.0", "missing:1.1.0"), "manifest unknown", 7),
        (
            FakeRegistry(),
            SEMVER.replace("op-bundle:1.1.0", "other-bundle:1.1.0"),
            'bundle "other.v1.1.0" belongs to package "other", not "op"',
            7,
        ),
        (
            FakeRegistry(**{"quay.io/x/op-bundle:1.1.0": _bundle("op", "1.0.0+b2", "op.v1.0.0-b")}),
            SEMVER,
            'bundle version "1.0.0+b2" cannot be ordered against "1.0.0"',
            7,
        ),
        (
            FakeRegistry(**{"quay.io/x/op-bundle:1.1.0": _bundle("op", "1.1.0", "op.v1.0.0")}),
            SEMVER,
            'duplicate bundle name "op.v1.0.0" in candidate',
            7,
        ),
        (
            FakeRegistry(**{"quay.io/x/op-bundle:1.1.0": _bundle("op", "v1.1.0")}),
            SEMVER,
            'has invalid version "v1.1.0"',
            7,
        ),
    ],
)
def test_render_semver_errors_name_the_template_line(
    tmp_path: Path, registry: FakeRegistry, text: str, message: str, line: int
) -> None:
    template = load_template(_write(tmp_path, text))
    with pytest.raises(InputError) as caught:
        render_template(template, registry)
    assert message in caught.value.message
    assert (caught.value.path, caught.value.line) == (str(tmp_path / "template.yaml"), line)


@pytest.mark.parametrize(
    ("flags", "channels", "default"),
    [
        # opm v1.26.5 presets generateMinorChannels: major alone gives both kinds
        (
            "generateMajorChannels: true\n",
            ["stable-v1", "stable-v1.0", "stable-v1.1"],
            "stable-v1.1",
        ),
        (
            "generateMajorChannels: true\ngenerateMinorChannels: null\n",
            ["stable-v1", "stable-v1.0", "stable-v1.1"],
            "stable-v1.1",
        ),
        ("generateMajorChannels: true\ngenerateMinorChannels: false\n", ["stable-v1"], "stable-v1"),
        ("", ["stable-v1.0", "stable-v1.1"], "stable-v1.1"),
        ("generateMinorChannels: false\n", ["stable-v1.0", "stable-v1.1"], "stable-v1.1"),
        # both off: v1.26.5 panics; v1.27.1 and later generate minor channels
        ("generateMajorChannels: false\ngenerateMinorChannels: false\n", None, "stable-v1.1"),
        # accepted although v1.26.5 refuses the key: minor is generated there
        (
            "generateMajorChannels: true\ndefaultChannelTypePreference: minor\n",
            ["stable-v1", "stable-v1.0", "stable-v1.1"],
            "stable-v1.1",
        ),
    ],
)
def test_semver_channel_kinds_as_opm_v1_26_5_reads_the_flags(
    tmp_path: Path, flags: str, channels: list[str] | None, default: str
) -> None:
    text = (
        f"schema: olm.semver\n{flags}stable:\n  bundles:\n"
        "  - image: quay.io/x/op-bundle:1.0.0\n  - image: quay.io/x/op-bundle:1.1.0\n"
    )
    blobs = render_template(load_template(_write(tmp_path, text)), FakeRegistry())
    found = [b["name"] for b in blobs if b["schema"] == "olm.channel"]
    assert found == (channels or ["stable-v1.0", "stable-v1.1"])
    assert blobs[0]["defaultChannel"] == default


def test_semver_major_and_minor_tie_takes_the_minor_channel(tmp_path: Path) -> None:
    """One bundle starts stable-v1 and stable-v1.0: opm v1.26.5 prints either at random,
    this always the minor one (opm v1.27.1 and later), or the preferred kind."""
    text = "schema: olm.semver\ngenerateMajorChannels: true\nstable:\n  bundles:\n"
    text += "  - image: quay.io/x/op-bundle:1.0.0\n"
    blobs = render_template(load_template(_write(tmp_path, text)), FakeRegistry())
    assert blobs[0]["defaultChannel"] == "stable-v1.0"
    text = text.replace("stable:", "defaultChannelTypePreference: major\nstable:")
    blobs = render_template(load_template(_write(tmp_path, text)), FakeRegistry())
    assert blobs[0]["defaultChannel"] == "stable-v1"


def test_semver_without_bundles(tmp_path: Path) -> None:
    template = load_template(_write(tmp_path, "schema: olm.semver\nstable: {bundles: []}\n"))
    with pytest.raises(InputError, match="no bundles specified"):
        render_template(template, FakeRegistry())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            SEMVER + "avoidSkipPatch: true\n",
            [(11, 17, "avoidSkipPatch")],
        ),
        (
            "schema: olm.semver\ndefaultChannelTypePreference: major\n",
            [(1, 1, "generateMajorChannels")],
        ),
        (
            "schema: olm.semver\ngenerateMajorChannels: true\ngenerateMinorChannels: false\n"
            "defaultChannelTypePreference: minor\n",
            [(3, 24, "should not be valid")],
        ),
        (
            "schema: olm.semver\nstable:\n  bundles:\n  - image: ''\n  - imag: x\n",
            [(4, 12, "must not be empty"), (5, 11, 'unknown field "imag"'), (5, 5, "'image'")],
        ),
        (
            "schema: olm.template.basic\nentries:\n- schema: olm.package\n  name: op\n"
            "- schema: olm.bundle\n  image: quay.io/x/op-bundle:1.0.0\n  properties:\n"
            "  - {type: olm.package, value: {}}\n",
            [(7, 3, "properties")],
        ),
    ],
)
def test_schema_findings_are_positioned(
    tmp_path: Path, text: str, expected: list[tuple[int, int, str]]
) -> None:
    with pytest.raises(TemplateError) as caught:
        load_template(_write(tmp_path, text))
    found = [(f.location.line, f.location.column, f.message) for f in caught.value.findings]
    assert len(found) == len(expected), found
    for (line, column, message), (want_line, want_column, word) in zip(
        found, expected, strict=True
    ):
        assert (line, column) == (want_line, want_column) and word in message
    assert all(f.rule == "TPL001" for f in caught.value.findings)


BASIC = """schema: olm.template.basic
entries:
- schema: olm.package
  name: op
  defaultChannel: stable
- schema: olm.channel
  package: op
  name: stable
  entries:
  - name: op.v1.0.0
- schema: olm.bundle
  image: quay.io/x/op-bundle:1.0.0
"""


def test_render_basic_replaces_bundles_and_passes_the_rest(tmp_path: Path) -> None:
    blobs = render_template(load_template(_write(tmp_path, BASIC)), FakeRegistry())
    assert blobs == [
        {"schema": "olm.package", "name": "op", "defaultChannel": "stable"},
        {
            "schema": "olm.channel",
            "package": "op",
            "name": "stable",
            "entries": [{"name": "op.v1.0.0"}],
        },
        _bundle("op", "1.0.0"),
    ]
    plain = "".join(f"---\n{d.strip()}\n" for d in BASIC.split("\n- ")[1:]).replace("\n  ", "\n")
    stream = render_template(load_template(_write(tmp_path, plain)), FakeRegistry())
    assert stream == blobs


def test_render_basic_error_names_the_entry(tmp_path: Path) -> None:
    template = load_template(_write(tmp_path, BASIC.replace("op-bundle", "missing")))
    with pytest.raises(InputError) as caught:
        render_template(template, FakeRegistry())
    assert caught.value.line == 12 and "manifest unknown" in caught.value.message


# --- the CLI, with bundle directories -------------------------------------------------------


def test_cli_semver_from_pelorus_bundles_validates(tmp_path: Path) -> None:
    root = shared_path("corpus", "bundles", "pelorus-operator")
    images = [f"quay.io/pelorus/pelorus-operator-bundle:{v}" for v in ("0.0.3", "0.0.4", "0.0.5")]
    template = _write(
        tmp_path,
        "schema: olm.semver\nstable:\n  bundles:\n" + "".join(f"  - image: {i}\n" for i in images),
    )
    args = [f"--bundle={i}={root / i.rsplit(':', 1)[1]}" for i in images]
    result = runner.invoke(app, ["catalog", "template", str(template), "-o", "yaml", *args])
    assert result.exit_code == 0, result.stderr
    catalog = tmp_path / "catalog" / "pelorus-operator"
    catalog.mkdir(parents=True)
    (catalog / "catalog.yaml").write_text(result.stdout)
    report = check_catalog(tmp_path / "catalog")
    assert [f.rule for f in report.findings if f.severity >= 2] == []
    assert "defaultChannel: stable-v0.0\n" in result.stdout
    assert "  replaces: pelorus-operator.v0.0.4\n" not in result.stdout
    assert "  - pelorus-operator.v0.0.3\n  - pelorus-operator.v0.0.4\n" in result.stdout
    assert result.stdout == dump_yaml(order_blobs(_yaml_blobs(result.stdout)))


def _yaml_blobs(text: str) -> list[dict[str, Any]]:
    import yaml

    return [d for d in yaml.safe_load_all(text) if d]


def test_cli_reports_schema_findings_and_bad_bundle_option(tmp_path: Path) -> None:
    """avoidSkipPatch is refused as opm refuses it (strict decoding: unknown field),
    with a word on where the idea comes from."""
    bad = _write(tmp_path, SEMVER + "avoidSkipPatch: true\n")
    result = runner.invoke(app, ["catalog", "template", str(bad)])
    assert result.exit_code == 2
    assert result.stderr == (
        f'{bad}:11:17: error: unknown field "avoidSkipPatch": opm reads olm.semver templates '
        'strictly and stops there (json: unknown field "avoidSkipPatch"); avoidSkipPatch is in '
        "no opm version (v1.26.5 to HEAD); opm's only skip-patch behaviour is the "
        "semver-skippatch mode of the sqlite `opm index add --mode`\n"
    )
    good = _write(tmp_path, SEMVER)
    result = runner.invoke(app, ["catalog", "template", str(good), "--bundle", "quay.io/x/op"])
    assert result.exit_code == 2
    assert "--bundle expects IMAGE=DIR, got 'quay.io/x/op'" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("template.md", "# notes\n`x`\n", ":2:1: error: invalid YAML: "),
        ("template.txt", "schema: olm.semver\n\0", ":2:1: error: binary file (NUL byte)"),
        ("dir", None, ": error: not a regular file but a directory\n"),
    ],
)
def test_an_unreadable_template_is_named_without_catalog_advice(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    """A template is one file given by name: its error is not the catalog walk's advice
    to list it in an .indexignore (which it printed for any name but *.yaml/*.json)."""
    path = tmp_path / name
    if content is None:
        path.mkdir()
    else:
        path.write_text(content)
    result = runner.invoke(app, ["catalog", "template", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(str(path) + message), result.stderr
    assert "indexignore" not in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("schema", ["basic", "semver"])
def test_a_bundle_option_naming_no_template_image_is_a_warning(tmp_path: Path, schema: str) -> None:
    """A --bundle IMAGE the template never names (a tag typed differently) was silently
    unused, so the image it was meant for went to the registry; it is now named on
    stderr before rendering, and the others still render."""
    image = "quay.io/x/quay-operator-bundle:3.99.0"
    text = {
        "basic": f"schema: olm.template.basic\nentries:\n- schema: olm.bundle\n  image: {image}\n",
        "semver": f"schema: olm.semver\nstable:\n  bundles:\n  - image: {image}\n",
    }[schema]
    path = _write(tmp_path, text)
    bundles = [f"--bundle={ref}={REPO / 'bundle'}" for ref in (image, image + "x", "bad ref")]
    result = runner.invoke(app, ["catalog", "template", str(path), *bundles])
    assert result.exit_code == 0, result.stderr
    tail = "(images match exactly, tag or digest included): its directory is not used\n"
    assert result.stderr == "".join(
        f"warning: --bundle '{ref}' is no bundle image of {path} {tail}"
        for ref in (image + "x", "bad ref")
    )
    assert '"name": "quay-operator.v3.99.0"' in result.stdout


# --- images pulled from a real registry ----------------------------------------------------


def test_semver_template_pulls_bundle_images_from_a_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bundles built and pushed by ``bundle build``'s code, then rendered from the
    registry, give exactly what rendering the same directories gives; a second render
    asks the registry only for the tags' digests (the rendered bundles are cached by
    digest); a tag that does not exist is exit 2 naming the template line."""
    from bundle_tools.imageref import parse_reference
    from bundle_tools.images.build import build_bundle_image
    from bundle_tools.images.oci import Platform
    from bundle_tools.images.registry import RegistryClient, RegistryOptions

    from .registry_helpers import start_registry

    root = shared_path("corpus", "bundles", "pelorus-operator")
    registry = start_registry(tmp_path / "registry")
    try:
        images = {v: f"{registry.host}/pelorus/bundle:{v}" for v in ("0.0.4", "0.0.5")}
        with RegistryClient(RegistryOptions(plain_http=True)) as client:
            for version, image in images.items():
                built = build_bundle_image(root / version, [Platform.parse("linux/amd64")])
                client.push_image(parse_reference(image), built)
        text = "schema: olm.semver\nstable:\n  bundles:\n" + "".join(
            f"  - image: {i}\n" for i in images.values()
        )
        template = _write(tmp_path, text)
        monkeypatch.setenv("BUNDLE_TOOLS_CACHE", str(tmp_path / "cache"))
        pulled = runner.invoke(app, ["catalog", "template", str(template), "--plain-http"])
        assert pulled.exit_code == 0, pulled.stderr
        assert len(list((tmp_path / "cache").iterdir())) == 2

        def no_pull(*args: object, **kwargs: object) -> None:
            raise AssertionError("pulled although cached")

        with monkeypatch.context() as patched:
            patched.setattr(RegistryClient, "get_blob", no_pull)
            patched.setattr(RegistryClient, "get_manifest", no_pull)
            again = runner.invoke(app, ["catalog", "template", str(template), "--plain-http"])
        assert again.exit_code == 0 and again.stdout == pulled.stdout
        local = runner.invoke(
            app,
            ["catalog", "template", str(template)]
            + [f"--bundle={i}={root / v}" for v, i in images.items()],
        )
        assert pulled.stdout == local.stdout
        assert '"name": "pelorus-operator.v0.0.5",' in pulled.stdout
        template.write_text(text.replace(":0.0.5", ":9.9.9"))
        missing = runner.invoke(app, ["catalog", "template", str(template), "--plain-http"])
        assert missing.exit_code == 2
        assert f"{template}:5:12: error: cannot render bundle image" in missing.stderr
    finally:
        registry.stop()


def test_cli_catalog_option_writes_and_validates(tmp_path: Path) -> None:
    root = shared_path("corpus", "bundles", "pelorus-operator")
    image = "quay.io/pelorus/pelorus-operator-bundle:0.0.5"
    template = _write(tmp_path, f"schema: olm.semver\nfast:\n  bundles:\n  - image: {image}\n")
    catalog = tmp_path / "catalog"
    args = ["catalog", "template", str(template), f"--bundle={image}={root / '0.0.5'}"]
    result = runner.invoke(app, [*args, "-o", "yaml", "--catalog", str(catalog)])
    assert result.exit_code == 0, result.stderr
    written = catalog / "pelorus-operator" / "catalog.yaml"
    assert result.stdout.startswith(f"wrote {written}\n")
    printed = runner.invoke(app, [*args, "-o", "yaml"]).stdout
    assert written.read_text() == printed
    other = runner.invoke(app, [*args, "-o", "json", "--catalog", str(catalog)])
    assert other.exit_code == 2 and "catalog.yaml exists; write with -o yaml" in other.stderr


def test_mermaid_output_draws_the_generated_channels(tmp_path: Path) -> None:
    from bundle_tools.review.picture import mermaid
    from bundle_tools.template.engine import graphs_of

    blobs = render_template(load_template(_write(tmp_path, SEMVER)), FakeRegistry())
    assert mermaid(graphs_of(blobs)).splitlines()[:5] == [
        "flowchart LR",
        '  subgraph c0["op / candidate-v1"]',
        '    c0_0["op.v1.0.0"]',
        '    c0_1(["op.v1.1.0 (head)"])',
        "  end",
    ]
    result = runner.invoke(
        app,
        [
            "catalog",
            "template",
            str(tmp_path / "template.yaml"),
            "-o",
            "mermaid",
            "--catalog",
            str(tmp_path / "c"),
        ],
    )
    assert result.exit_code == 2 and "--catalog writes json or yaml" in result.stderr


def test_dump_catalog_writes_deprecations_as_opm_v1_26_5() -> None:
    """opm v1.26.5 has no olm.deprecations type: it writes the blob with sorted keys
    among the package's other blobs, by schema (``writeToEncoder``); catalog render's
    writer keeps the struct order of later opm and puts deprecations last."""
    from bundle_tools.fbc.write import dump_json
    from bundle_tools.template.engine import dump_catalog

    deprecations = {
        "schema": "olm.deprecations",
        "package": "op",
        "entries": [{"reference": {"schema": "olm.bundle", "name": "op.v1"}, "message": "old"}],
    }
    other = {"schema": "io.example.note", "package": "op", "text": "x"}
    blobs = [deprecations, other, {"schema": "olm.package", "name": "op", "defaultChannel": "s"}]
    printed = dump_catalog(blobs, "json")
    assert printed.index('"schema": "io.example.note"') < printed.index('"entries"')
    assert printed.endswith(
        '{\n    "entries": [\n        {\n            "message": "old",\n'
        '            "reference": {\n                "name": "op.v1",\n'
        '                "schema": "olm.bundle"\n            }\n        }\n    ],\n'
        '    "package": "op",\n    "schema": "olm.deprecations"\n}\n'
    )
    assert dump_json(order_blobs(blobs)).endswith('"message": "old"\n        }\n    ]\n}\n')
    assert dump_catalog(blobs, "yaml") == dump_yaml(order_blobs(blobs))


def test_dump_catalog_drops_fields_opm_structs_do_not_have() -> None:
    """opm decodes packages, channels and entries into Go structs: a field they do not
    have (a typo such as ``replace``) is gone from its output; catalog render's writer
    keeps it."""
    from bundle_tools.fbc.write import dump_json
    from bundle_tools.template.engine import dump_catalog

    channel = {
        "schema": "olm.channel",
        "package": "op",
        "name": "s",
        "foo": "bar",
        "entries": [{"name": "op.v2", "replace": "op.v1"}],
    }
    assert dump_catalog([channel], "json") == (
        '{\n    "schema": "olm.channel",\n    "name": "s",\n    "package": "op",\n'
        '    "entries": [\n        {\n            "name": "op.v2"\n        }\n    ]\n}\n'
    )
    assert '"replace": "op.v1"' in dump_json([channel]) and '"foo": "bar"' in dump_json([channel])


def test_basic_template_warns_of_fields_opm_drops(tmp_path: Path) -> None:
    """A misspelt ``replace`` in a channel entry is silently dropped by opm (its Go struct
    has no such field): a positioned warning with the nearest field name, exit 0, and the
    printed catalog without it, as opm prints it."""
    text = BASIC.replace("  - name: op.v1.0.0\n", "  - name: op.v1.0.0\n    replace: op.v0.9.0\n")
    text = text.replace("  defaultChannel: stable\n", "  defaultChannel: stable\n  Icon: null\n")
    template = load_template(_write(tmp_path, text))
    assert [
        (w.rule, w.severity, w.location.line, w.location.pointer, w.message)
        for w in template.warnings
    ] == [
        (
            "TPL002",
            Severity.WARNING,
            12,
            "/entries/1/entries/0/replace",
            'olm.channel entry has no field "replace" in opm (name, replaces, skips, '
            'skipRange): opm drops it; did you mean "replaces"?',
        )
    ]
    plain = "".join(f"---\n{d.strip()}\n" for d in text.split("\n- ")[1:]).replace("\n  ", "\n")
    path = tmp_path / "plain.yaml"
    path.write_text(plain.replace("op-bundle:1.0.0", "op-bundle:1.0.0\nfoo: 1"))
    warnings = [(w.location.line, w.location.pointer) for w in load_template(path).warnings]
    assert warnings == [(12, "/entries/0/replace"), (16, "/foo")]
    missing = f"--bundle=quay.io/x/op-bundle:1.0.0={tmp_path / 'missing'}"
    result = runner.invoke(app, ["catalog", "template", str(path), missing])
    assert result.stderr.startswith(f'{path}:12:12: warning: olm.channel entry has no field "')
    assert result.exit_code == 2 and "not a bundle directory" in result.stderr
