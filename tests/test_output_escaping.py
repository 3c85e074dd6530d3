"""Echoed values never forge a line, and every output format carries (escaped or
replaced) names with control characters, U+2028/U+0085 and lone surrogates."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from bundle_tools.cli import app
from bundle_tools.errors import InputError, printable
from bundle_tools.findings import Finding, Location, Report, Severity
from bundle_tools.report import RENDERERS

from .test_patch_cli import CHANNEL_ANNOTATIONS, _bundle

HOSTILE = [
    "x\nfoo.yaml:1:1: error: forged",
    "cr\rline",
    "tab\tand\x1b[31mred",
    "nel\x85x",
    "ls\u2028ps\u2029x",
    "bidi\u202ex",
    "bad\udcffbyte",
    "lone\ud800x",
    "nonchar\ufffex",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_printable_is_one_line_and_encodes(value: str) -> None:
    text = printable(value)
    assert text.splitlines() == [text]
    assert text.isprintable()
    text.encode("utf-8")


def test_input_error_is_one_line() -> None:
    error = InputError("unknown channel 'x\nfoo.yaml:1:1: error: forged'", "a\u2028b.yaml", 3, 4)
    assert str(error) == (
        "a\\u2028b.yaml:3:4: error: unknown channel 'x\\x0afoo.yaml:1:1: error: forged'"
    )


def test_forged_default_channel_stays_on_one_line(tmp_path: Path) -> None:
    package = "  operators.operatorframework.io.bundle.package.v1: demo\n"
    bundle = _bundle(tmp_path, CHANNEL_ANNOTATIONS + package)
    forged = "x\nfoo.yaml:1:1: error: forged"
    for args in (
        ["patch-csv", str(bundle)],
        [
            "catalog",
            "render",
            str(bundle),
            "--image",
            "q.io/a/b:1",
            "--catalog",
            str(tmp_path / "c"),
        ],
    ):
        result = CliRunner().invoke(app, [*args, "--default-channel", forged])
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1, result.stderr
        assert "foo.yaml:1:1: error: forged" in result.stderr


def _report() -> Report:
    report = Report(targets=["bundle"])
    for index, value in enumerate(HOSTILE):
        report.extend(
            [
                Finding(
                    rule="CSV001",
                    severity=Severity.ERROR if index % 2 else Severity.WARNING,
                    message=f"value {value}",
                    location=Location(path=f"bundle/{value}.yaml", line=index + 1, column=1),
                    hint=f"hint {value}",
                )
            ]
        )
    report.errors["other\nbundle"] = InputError(
        "bad \u2028 file", "other\nbundle/\udcff.yaml", 1, 1
    )
    report.targets.append("other\nbundle")
    return report


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_every_output_format_carries_hostile_names(fmt: str) -> None:
    text = RENDERERS[fmt](_report(), Severity.WARNING)
    text.encode("utf-8")
    if fmt == "text":
        lines = text.splitlines()
        assert len(lines) == 2 * len(HOSTILE) + 1
        assert all(line.startswith(("bundle/", "    hint: ")) for line in lines[:-1])
    elif fmt == "junit":
        root = ET.fromstring(text.encode("utf-8"))
        cases = root.findall(".//testcase")
        assert len(cases) == len(HOSTILE) + 1
        assert "x\\x0afoo.yaml:1:1" in text
    else:
        document = json.loads(text)
        assert "\ud800" not in json.dumps(document, ensure_ascii=False)
        assert "lone\ufffdx" in json.dumps(document, ensure_ascii=False)
