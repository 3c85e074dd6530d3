"""FBC rules on small catalogs: each rule's failing form with rule id, line and message,
and the real corpus catalogs (valid per opm) with no finding at all."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from bundle_tools.fbc.check import check_catalog
from bundle_tools.rules import RULE_MODULES, all_rules

from .conftest import shared_path

PACKAGE = """---
schema: olm.package
name: p
defaultChannel: stable
"""
CHANNEL = """---
schema: olm.channel
package: p
name: stable
entries:
- name: p.v1.0.0
"""


def bundle(name: str = "p.v1.0.0", version: str = "1.0.0", extra: str = "") -> str:
    return f"""---
schema: olm.bundle
name: {name}
package: p
image: quay.io/example/p-bundle:{version}
properties:
- type: olm.package
  value:
    packageName: p
    version: {version}
{extra}"""


def findings(tmp_path: Path, text: str) -> list[tuple[str, int, str]]:
    path = tmp_path / "catalog" / "p" / "catalog.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    report = check_catalog(tmp_path / "catalog")
    for finding in report.findings:
        assert finding.location.path == str(path) and finding.location.line
    return [(f.rule, f.location.line or 0, f.message) for f in report.sorted_findings()]


def rules_and_lines(found: list[tuple[str, int, str]]) -> list[tuple[str, int]]:
    return [(rule, line) for rule, line, _ in found]


def test_valid_catalog_is_clean(tmp_path: Path) -> None:
    assert findings(tmp_path, PACKAGE + CHANNEL + bundle()) == []


def test_typed_decode(tmp_path: Path) -> None:
    extra = """- type: olm.csv.metadata
  value:
    installModes:
    - type: AllNamespaces
      supported: "true"
- type: olm.gvk
  value: {group: g, kind: K, version: 1}
- type: olm.label
"""
    found = findings(tmp_path, PACKAGE + CHANNEL + bundle(extra=extra))
    assert found == [
        (
            "FBC001",
            25,
            'bundle "p.v1.0.0": properties[1].value.installModes[0].supported: '
            "'true' is not of type boolean",
        ),
        ("FBC001", 27, 'bundle "p.v1.0.0": properties[2].value.version: 1 is not of type string'),
        ("FBC001", 28, "bundle \"p.v1.0.0\": properties[3]: missing required field 'value'"),
    ]


def test_values_beyond_64_bits_are_checked(tmp_path: Path) -> None:
    package = PACKAGE + "icon: {base64data: 99999999999999999999999999, mediatype: x}\n"
    found = findings(tmp_path, package + CHANNEL + bundle())
    assert found == [
        (
            "FBC001",
            5,
            'package "p": icon.base64data: 1e+26 is not of type string',
        )
    ]


def test_case_folded_keys_decode_like_go(tmp_path: Path) -> None:
    package = PACKAGE.replace("name: p", "Name: p").replace("schema:", "Schema:")
    assert findings(tmp_path, package + CHANNEL + bundle()) == []


def test_case_folded_property_keys_decode_like_go(tmp_path: Path) -> None:
    """Go decodes a property's Type/Value (and the fields inside the value) whatever
    their case; the shape check follows the if/then branch chosen by the folded type."""
    extra = "- {Type: olm.package.required, Value: {PackageName: q, VersionRange: '>=1.0.0'}}\n"
    folded = bundle(extra=extra).replace(
        "- type: olm.package\n  value:", "- TYPE: olm.package\n  Value:"
    )
    assert findings(tmp_path, PACKAGE + CHANNEL + folded) == []
    wrong = extra.replace("PackageName: q", "PackageName: [q]")
    found = findings(tmp_path, PACKAGE + CHANNEL + bundle(extra=wrong))
    assert [(rule, line) for rule, line, _ in found] == [("FBC001", 21)]
    assert "properties[1].value.packageName" in found[0][2]


def test_icon_and_bundle_object_data(tmp_path: Path) -> None:
    package = PACKAGE + "icon:\n  base64data: not-base64!\n  mediatype: image/png\n"
    good = base64.b64encode(b'{"kind": "Service"}').decode()
    bad = base64.b64encode(b"[1, 2]").decode()
    extra = f"""- type: olm.bundle.object
  value: {{data: {good}}}
- type: olm.bundle.object
  value: {{data: {bad}}}
"""
    found = findings(tmp_path, package + CHANNEL + bundle(extra=extra))
    assert rules_and_lines(found) == [("FBC001", 6), ("FBC002", 27)]
    assert "icon.base64data: 'not-base64!' is not valid base64 data" in found[0][2]
    assert "data is not a JSON or YAML object" in found[1][2]


def test_case_folded_duplicate_keys(tmp_path: Path) -> None:
    found = findings(tmp_path, PACKAGE + "Name: q\n" + CHANNEL + bundle())
    assert found == [
        ("FBC003", 5, 'package "p": duplicate keys for key "name": [Name name]'),
    ]


def test_package_rules(tmp_path: Path) -> None:
    text = PACKAGE.replace("name: p", "name: P_pkg") + CHANNEL + bundle()
    found = findings(tmp_path, text)
    assert ("FBC010", 3) in rules_and_lines(found)
    assert ("FBC020", 7) in rules_and_lines(found)
    no_channel = findings(tmp_path, PACKAGE + bundle())
    assert rules_and_lines(no_channel) == [("FBC013", 3), ("FBC012", 4), ("FBC035", 7)]


def test_entry_rules(tmp_path: Path) -> None:
    channel = """---
schema: olm.channel
package: p
name: fast
entries:
- name: p.v1.0.0
- name: p.v1.0.0
- name: ghost
  replaces: p.v1.0.0
  skips: [""]
  skipRange: '>=1.0.0 <2.0.0'
---
schema: olm.channel
package: p
name: empty
entries: []
"""
    found = findings(tmp_path, PACKAGE + CHANNEL + channel + bundle())
    assert rules_and_lines(found) == [
        ("FBC023", 17),
        ("FBC024", 18),
        ("FBC001", 20),
        ("FBC025", 20),
        ("FBC001", 26),
        ("FBC022", 26),
    ]
    assert found[1][2] == (
        'no olm.bundle blobs found in package "p" for olm.channel entries [ghost] (channel "fast")'
    )


def test_stranded_and_no_head(tmp_path: Path) -> None:
    channel = (
        CHANNEL + "- name: p.v1.1.0\n  replaces: p.v1.0.0\n- name: p.v0.9.0\n  replaces: p.v0.8.0\n"
    )
    text = PACKAGE + channel + bundle() + bundle("p.v1.1.0", "1.1.0") + bundle("p.v0.9.0", "0.9.0")
    found = findings(tmp_path, text)
    assert found == [
        (
            "FBC027",
            9,
            'package "p", channel "stable": multiple channel heads found in graph: p.v0.9.0, '
            "p.v1.1.0",
        )
    ]
    stranded = (
        PACKAGE
        + CHANNEL
        + "- name: p.v1.1.0\n  replaces: p.v1.0.0\n- name: p.v1.2.0\n  skips: [p.v1.1.0]\n"
    )
    text = stranded + bundle() + bundle("p.v1.1.0", "1.1.0") + bundle("p.v1.2.0", "1.2.0")
    found = findings(tmp_path, text)
    assert found == [
        (
            "FBC029",
            10,
            'package "p", channel "stable": channel contains one or more stranded bundles: '
            "p.v1.0.0",
        )
    ]
    loop = PACKAGE + CHANNEL.replace("- name: p.v1.0.0", "- name: p.v1.0.0\n  skips: [p.v1.0.0]")
    assert rules_and_lines(findings(tmp_path, loop + bundle())) == [("FBC027", 9)]


def test_bundle_rules(tmp_path: Path) -> None:
    extra = """- type: olm.package
  value: {packageName: q, version: 1.0.0}
relatedImages:
- name: op
  image: quay.io/Example/op:1
"""
    text = (
        PACKAGE
        + CHANNEL
        + bundle(extra=extra).replace("image: quay.io/example/p-bundle:1.0.0", "image: ''")
    )
    found = findings(tmp_path, text)
    assert rules_and_lines(found) == [("FBC036", 15), ("FBC032", 21), ("FBC037", 25)]
    assert found[1][2] == 'bundle "p.v1.0.0" must have exactly 1 "olm.package" property, found 2'
    assert 'invalid image reference "quay.io/Example/op:1"' in found[2][2]


def test_release_rules(tmp_path: Path) -> None:
    release = bundle("p-v1.0.0-2", "1.0.0+b").replace(
        "version: 1.0.0+b", "version: 1.0.0+b\n    release: '2'"
    )
    release = release.replace("p-bundle:1.0.0+b", "p-bundle:1.0.0-b")
    text = PACKAGE + CHANNEL.replace("p.v1.0.0", "p-v1.0.0-2") + release
    found = findings(tmp_path, text)
    assert rules_and_lines(found) == [("FBC034", 13), ("FBC034", 21)]
    assert 'must be named "p-v1.0.0+b-2"' in found[0][2]
    assert "has build metadata and a release" in found[1][2]
    bad = bundle().replace("version: 1.0.0", "version: 1.0.0\n    release: '01'")
    found = findings(tmp_path, PACKAGE + CHANNEL + bad)
    assert rules_and_lines(found) == [("FBC034", 21)]
    assert 'invalid release "01"' in found[0][2]


def test_deprecations(tmp_path: Path) -> None:
    deprecations = """---
schema: olm.deprecations
package: p
entries:
- reference: {schema: olm.bundle, name: p.v1.0.0}
  message: use 2.x
- reference: {schema: olm.bundle, name: p.v1.0.0}
  message: again
- reference: {schema: olm.channel, name: gone}
  message: x
- reference: {schema: olm.package, name: p}
  message: ""
- reference: {schema: olm.thing}
  message: x
---
schema: olm.deprecations
package: q
entries: []
"""
    found = findings(tmp_path, PACKAGE + CHANNEL + bundle() + deprecations)
    shapes = [(line, m) for rule, line, m in found if rule == "FBC001"]
    assert shapes == [
        (
            31,
            'olm.deprecations of package "p": entries[3].reference.name: '
            "'p' is expected to be empty",
        ),
        (32, 'olm.deprecations of package "p": entries[3].message: must not be empty'),
        (
            33,
            "olm.deprecations of package \"p\": entries[4].reference.schema: 'olm.thing' is not "
            'one of "olm.bundle", "olm.channel", "olm.package"',
        ),
    ]
    found = [f for f in found if f[0] != "FBC001"]
    assert rules_and_lines(found) == [
        ("FBC041", 27),
        ("FBC041", 29),
        ("FBC041", 31),
        ("FBC041", 31),
        ("FBC041", 33),
        ("FBC040", 37),
    ]
    assert [m.split(": ", 1)[1] for _, _, m in found[:5]] == [
        'duplicate deprecation entry for olm.bundle "p.v1.0.0"',
        'cannot deprecate channel "gone": channel not found',
        "message must be set",
        'package reference must have an empty name (specified "p")',
        'unknown reference schema "olm.thing" (olm.bundle, olm.channel or olm.package)',
    ]


def test_stricter_warnings(tmp_path: Path) -> None:
    extra = """- type: olm.csv.metadata
  value: {}
- type: olm.csv.metadata
  value: {displayName: x}
- type: olm.package.required
  value: {packageName: base, versionRange: '>=v1'}
- type: olm.gvk.required
  value: {group: g, kind: '', version: v1}
"""
    other = "---\nschema: example.com/x\npackage: p\nname: n\n" * 2
    channel = CHANNEL.replace("- name: p.v1.0.0", "- name: p.v1.0.0\n  skipRange: '<=1.0.0'")
    found = findings(tmp_path, PACKAGE + channel + bundle(extra=extra) + other)
    assert rules_and_lines(found) == [
        ("FBC053", 11),
        ("FBC050", 24),
        ("FBC052", 27),
        ("FBC052", 29),
        ("FBC051", 35),
    ]
    report = check_catalog(tmp_path / "catalog")
    assert report.exit_code() == 0
    assert {str(f.severity) for f in report.findings} == {"warning"}


def test_rule_registry_documents_every_rule() -> None:
    catalog_rules = {k: r for k, r in all_rules().items() if r.target == "catalog"}
    assert len(catalog_rules) >= 30
    for rule_id, registered in catalog_rules.items():
        assert rule_id.startswith("FBC") and registered.summary and registered.source
        assert registered.check.__doc__


def test_rule_modules_are_listed_under_their_target() -> None:
    # all_rules(target) imports only the modules listed for that target: a rule module
    # listed under the other target would silently not run
    listed = {module: target for target, modules in RULE_MODULES.items() for module in modules}
    for rule_id, registered in all_rules().items():
        assert listed[registered.check.__module__] == registered.target, rule_id


@pytest.mark.parametrize("name", ["community-v4.20", "community-v4.16", "lightspeed-4.16"])
def test_real_catalogs_have_no_findings(name: str) -> None:
    report = check_catalog(shared_path("corpus", "catalogs", name))
    assert [(f.rule, f.location.path, f.location.line) for f in report.findings] == []


@pytest.mark.parametrize(
    ("version", "problem"),
    [
        ("1.0.18446744073709551615", None),
        ("1.0.18446744073709551616", "out of range (blang/semver reads each number"),
        ("1.0.0-99999999999999999999", "out of range (blang/semver reads each number"),
        ("1.0.0-rc.01", "not a strict semantic version"),
    ],
)
def test_version_numbers_fit_blang_uint64(
    tmp_path: Path, version: str, problem: str | None
) -> None:
    found = findings(tmp_path, PACKAGE + CHANNEL + bundle(version=version))
    if problem is None:
        assert found == []
    else:
        assert [(rule, line) for rule, line, _ in found] == [("FBC033", 20)]
        assert f'error parsing bundle version "{version}": {problem}' in found[0][2]
