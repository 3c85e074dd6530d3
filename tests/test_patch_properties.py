"""Hypothesis properties of the text-splice engine on generated CSV-shaped YAML written in
varied styles (indentation, sequence style, quotes, comments, blank lines, CRLF, final
newline, flow collections):

- with no edits the engine returns the input unchanged;
- patching twice equals patching once, and the patch only adds lines (besides the
  token-auth annotation line) while producing the intended content.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundle_tools.patch import PatchOptions, patch_csv_text
from bundle_tools.patch.textedit import YamlText
from bundle_tools.yamlio import SourceText, load_documents

ANNOTATION = "features.operators.openshift.io/token-auth-aws"
WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "op", "cache", "tmp", "x-y"])


class Block(str):
    """A string written as a block scalar with ``indicator`` (``|``, ``|-``, ``>+`` ...)."""

    indicator = "|"


class Writer:
    """Writes a Python structure as block YAML in one randomly drawn style."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.indent = draw(st.sampled_from([2, 4]))
        self.seq_indent = draw(st.sampled_from([0, self.indent]))
        self.comments = draw(st.booleans())

    def scalar(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        style = self.draw(st.sampled_from(["plain", "single", "double"]))
        if style == "single" or (style == "plain" and value in ("true", "false", "")):
            return f"'{value}'"
        return f'"{value}"' if style == "double" else value

    def extra(self, col: int) -> list[str]:
        lines = []
        if self.comments and self.draw(st.integers(0, 4)) == 0:
            lines.append(" " * col + "# " + self.draw(WORDS))
        if self.draw(st.integers(0, 6)) == 0:
            lines.append("")
        return lines

    def block(self, value: Any, col: int) -> list[str]:
        pad = " " * col
        lines: list[str] = []
        if isinstance(value, list):
            for item in value:
                lines += self.extra(col)
                if isinstance(item, dict) and item:
                    inner = self.block(item, col + 2)
                    first = next(i for i, line in enumerate(inner) if line.strip()[:1] not in "#")
                    lines += inner[:first]
                    lines.append(pad + "- " + inner[first][col + 2 :])
                    lines += inner[first + 1 :]
                else:
                    lines.append(pad + "- " + self.scalar(item))
            return lines
        for key, item in value.items():
            lines += self.extra(col)
            if isinstance(item, dict) and item:
                lines.append(f"{pad}{key}:")
                lines += self.block(item, col + self.indent)
            elif isinstance(item, list) and item:
                if self.draw(st.integers(0, 5)) == 0 and all(isinstance(i, str) for i in item):
                    lines.append(f"{pad}{key}: [" + ", ".join(map(self.scalar, item)) + "]")
                else:
                    lines.append(f"{pad}{key}:")
                    lines += self.block(item, col + self.seq_indent)
            elif isinstance(item, Block):
                lines.append(f"{pad}{key}: {item.indicator}")
                body = " " * (col + self.indent)
                lines += [body + line if line else "" for line in item.split("\n")]
            elif isinstance(item, list | dict):
                lines.append(f"{pad}{key}: {'[]' if isinstance(item, list) else '{}'}")
            else:
                lines.append(f"{pad}{key}: {self.scalar(item)}")
        return lines


def shuffled(draw: Any, mapping: dict[str, Any]) -> dict[str, Any]:
    keys = draw(st.permutations(list(mapping)))
    return {k: mapping[k] for k in keys}


@st.composite
def csv_texts(draw: Any) -> str:
    writer = Writer(draw)
    annotations = {"capabilities": "Basic Install"}
    token = draw(st.sampled_from(["absent", "false", "true", False]))
    if token != "absent":
        annotations[ANNOTATION] = token
    container: dict[str, Any] = {"name": "manager", "image": "example.com/op:1.0.0"}
    if draw(st.booleans()):
        container["env"] = [{"name": "MODE", "value": draw(WORDS)}]
    mounts = draw(st.sampled_from(["absent", "empty", "one"]))
    if mounts != "absent":
        container["volumeMounts"] = (
            [{"name": "cache", "mountPath": "/cache"}] if mounts == "one" else []
        )
    pod: dict[str, Any] = {"containers": [shuffled(draw, container)]}
    if draw(st.booleans()):
        pod["serviceAccountName"] = "op"
    volumes = draw(st.sampled_from(["absent", "empty", "one"]))
    if volumes != "absent":
        pod["volumes"] = [{"name": "cache", "emptyDir": {}}] if volumes == "one" else []
    install: dict[str, Any] = {
        "deployments": [{"name": "op", "spec": {"template": {"spec": shuffled(draw, pod)}}}]
    }
    grants = draw(st.sampled_from(["absent", "other", "partial"]))
    if grants != "absent":
        rule = {
            "apiGroups": ["config.openshift.io"],
            "resources": ["infrastructures"],
            "verbs": ["get"],
        }
        account = "op" if grants == "partial" else "someone-else"
        install["clusterPermissions"] = [{"serviceAccountName": account, "rules": [rule]}]
    metadata: dict[str, Any] = {"name": "op.v1.0.0"}
    if token != "absent" or draw(st.booleans()):
        metadata["annotations"] = shuffled(draw, annotations)
    description = Block(draw(st.sampled_from(["one line", "two\nlines", "gap\n\nafter"])))
    description.indicator = draw(st.sampled_from(["|", "|-", "|+", ">"]))
    spec_extra = {"description": description} if draw(st.booleans()) else {}
    document = {
        "apiVersion": "operators.coreos.com/v1alpha1",
        "kind": "ClusterServiceVersion",
        "metadata": shuffled(draw, metadata),
        "spec": shuffled(
            draw,
            {
                "install": shuffled(draw, {"spec": shuffled(draw, install)}),
                "version": "1.0.0",
                **spec_extra,
            },
        ),
    }
    lines = writer.block(document, 0)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines)
    return text + newline if draw(st.booleans()) else text


def source(text: str) -> SourceText:
    newline = "\r\n" if "\r\n" in text else "\n"
    return SourceText(path=Path("generated.yaml"), text=text, bom=False, newline=newline)


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(csv_texts())
def test_no_edits_returns_input_unchanged(text: str) -> None:
    src = source(text)
    load_documents(src)
    assert YamlText(src).result() == text


@SETTINGS
@given(csv_texts(), st.booleans())
def test_patch_is_idempotent_and_only_adds_lines(text: str, credentials: bool) -> None:
    options = PatchOptions(credentials_requests=credentials)
    once, changes = patch_csv_text(source(text), options)
    assert patch_csv_text(source(once), options) == (once, [])
    assert bool(changes) == (once != text)
    diff = difflib.unified_diff(text.splitlines(), once.splitlines(), lineterm="", n=0)
    removed = [d for d in diff if d.startswith("-") and not d.startswith("---")]
    # only the annotation line and flow collections that gain items may change
    assert all(ANNOTATION in d or d.endswith(("]", "}")) for d in removed), removed
    data = yaml.safe_load(once)
    assert data["metadata"]["annotations"][ANNOTATION] == "true"
    pod = data["spec"]["install"]["spec"]["deployments"][0]["spec"]["template"]["spec"]
    assert [v["name"] for v in pod["volumes"]].count("bound-sa-token") == 1
    mounts = pod["containers"][0]["volumeMounts"]
    assert {
        "mountPath": "/var/run/secrets/openshift/serviceaccount",
        "name": "bound-sa-token",
        "readOnly": True,
    } in mounts
    if "\r\n" in text:
        assert once.count("\n") == once.count("\r\n")
    assert once.endswith("\n") == text.endswith("\n")
