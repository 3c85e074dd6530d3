"""Hypothesis properties of the text-splice engine on generated CSV-shaped YAML written in
varied styles (indentation, sequence style, quotes, comments, blank lines, CRLF, final
newline, flow collections):

- with no edits the engine returns the input unchanged;
- patching twice equals patching once, and the patch only adds lines (besides the
  token-auth annotation line) while producing the intended content;
- release fields (version, replaces, skipRange, images, createdAt) give exactly the
  intended document and change no line but those holding the old values;
- with ``--force``, clashing volumes and mounts leave exactly one token volume and one
  token mount, every other mount kept.

Generated files vary indentation (2, 3 or 4), sequence style, quotes, comments (own-line
and trailing), flow-style annotations, block scalars, CRLF, the final newline, and
documents before and after the CSV.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundle_tools.patch import PatchOptions, patch_csv_text
from bundle_tools.patch.textedit import YamlText
from bundle_tools.yamlio import SourceText

CSV_KIND = "ClusterServiceVersion"
VOLUME = "bound-sa-token"
MOUNT_PATH = "/var/run/secrets/openshift/serviceaccount"
ANNOTATION = "features.operators.openshift.io/token-auth-aws"
WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "op", "cache", "tmp", "x-y"])


class Block(str):
    """A string written as a block scalar with ``indicator`` (``|``, ``|-``, ``>+`` ...)."""

    indicator = "|"


class Flow(dict[str, Any]):
    """A flat mapping written in flow style when the writer uses flow mappings."""


class Writer:
    """Writes a Python structure as block YAML in one randomly drawn style."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.indent = draw(st.sampled_from([2, 3, 4]))
        self.seq_indent = draw(st.sampled_from([0, self.indent]))
        self.comments = draw(st.booleans())
        self.flow_maps = draw(st.booleans())

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
            if isinstance(item, Flow) and self.flow_maps:
                lines.append(f"{pad}{key}: {self.flow(item)}")
            elif isinstance(item, dict) and item:
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
                trailing = (
                    "  # " + self.draw(WORDS) if self.comments and self.draw(st.booleans()) else ""
                )
                lines.append(f"{pad}{key}: {self.scalar(item)}{trailing}")
        return lines

    def flow(self, value: dict[str, str]) -> str:
        """A flat mapping of strings in flow style (``{a: x, b: "y"}``)."""
        return "{" + ", ".join(f"{k}: {self.scalar(v)}" for k, v in value.items()) + "}"


def shuffled(draw: Any, mapping: dict[str, Any]) -> dict[str, Any]:
    keys = draw(st.permutations(list(mapping)))
    return {k: mapping[k] for k in keys}


@st.composite
def csv_texts(draw: Any, conflicts: bool = False) -> str:
    """A CSV in a drawn style; with ``conflicts``, the pod may already have a
    ``bound-sa-token`` volume of other content and mounts that clash with the token
    mount (of that volume elsewhere, or of another volume at the token path)."""
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
    if conflicts:
        clashing = [
            {"name": VOLUME, "mountPath": "/token"},
            {"name": "creds", "mountPath": MOUNT_PATH},
            {"name": VOLUME, "mountPath": MOUNT_PATH},
        ]
        picked = draw(st.lists(st.sampled_from(range(3)), min_size=1, max_size=3, unique=True))
        container["volumeMounts"] = container.get("volumeMounts", []) + [
            clashing[i] for i in picked
        ]
    pod: dict[str, Any] = {"containers": [shuffled(draw, container)]}
    if draw(st.booleans()):
        pod["serviceAccountName"] = "op"
    volumes = draw(st.sampled_from(["absent", "empty", "one"]))
    if volumes != "absent":
        pod["volumes"] = [{"name": "cache", "emptyDir": {}}] if volumes == "one" else []
    if conflicts and draw(st.booleans()):
        pod["volumes"] = [*pod.get("volumes", []), {"name": VOLUME, "emptyDir": {}}]
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
        metadata["annotations"] = Flow(shuffled(draw, annotations))
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
    before = draw(st.sampled_from([[], ["---"], ["kind: ConfigMap", "data: {a: b}", "---"]]))
    after = draw(st.sampled_from([[], ["---", "kind: Secret"], ["...", "---", "# end"]]))
    lines = before + lines + after
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines)
    return text + newline if draw(st.booleans()) else text


def source(text: str) -> SourceText:
    newline = "\r\n" if "\r\n" in text else "\n"
    return SourceText(path=Path("generated.yaml"), text=text, bom=False, newline=newline)


def _grows(line: str, text: str) -> bool:
    """A removed diff ``line`` that may change: a flow collection gaining entries, or the
    header of a block scalar ending ``text`` without a final newline."""
    final_block = not text.endswith("\n") and re.search(r"[|>]\+?$", line) is not None
    return line.endswith(("]", "}")) or final_block


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(csv_texts())
def test_no_edits_returns_input_unchanged(text: str) -> None:
    src = source(text)
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
    # only the annotation line, flow collections that gain items and the header of a
    # block scalar that ends the file without a newline (its chomping becomes "-") change
    assert all(ANNOTATION in d or _grows(d, text) for d in removed), removed
    data = next(d for d in yaml.safe_load_all(once) if d and d.get("kind") == CSV_KIND)
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


VERSIONS = st.builds(
    lambda major, minor, patch, pre: f"{major}.{minor}.{patch}{pre}",
    st.integers(0, 20),
    st.integers(0, 20),
    st.integers(0, 20),
    st.sampled_from(["", "-rc.1", "-alpha.0"]),
)
IMAGE_NAMES = st.lists(st.sampled_from(["db", "cache-x", "Web_1", "mode"]), unique=True)


def _csv(text: str) -> Any:
    return next(d for d in yaml.safe_load_all(text) if d and d.get("kind") == CSV_KIND)


@SETTINGS
@given(csv_texts(), VERSIONS, IMAGE_NAMES, st.booleans())
def test_release_fields_give_the_intended_document(
    text: str, version: str, names: list[str], created: bool
) -> None:
    options = PatchOptions(
        token_auth=(),
        version=version,
        replaces="op.v0.0.0-prior",  # never a generated version: no self-edge
        skip_range=f">=1.0.x <{version}",
        operator_image=f"example.com/op:{version}",
        related_images=tuple((n, f"example.com/{n.lower()}:{version}") for n in names),
        created_at="2024-05-01T12:00:00Z" if created else None,
    )
    once, _ = patch_csv_text(source(text), options)
    assert patch_csv_text(source(once), options) == (once, [])
    expected = _csv(text)
    expected["metadata"]["name"] = f"op.v{version}"
    annotations = expected["metadata"].setdefault("annotations", {})
    annotations["olm.skipRange"] = f">=1.0.x <{version}"
    annotations["containerImage"] = f"example.com/op:{version}"
    if created:
        annotations["createdAt"] = "2024-05-01T12:00:00Z"
    expected["spec"]["version"] = version
    expected["spec"]["replaces"] = "op.v0.0.0-prior"
    container = expected["spec"]["install"]["spec"]["deployments"][0]["spec"]["template"]["spec"][
        "containers"
    ][0]
    container["image"] = f"example.com/op:{version}"
    for name in names:
        env_name = "RELATED_IMAGE_" + name.upper().replace("-", "_")
        value = f"example.com/{name.lower()}:{version}"
        container.setdefault("env", []).append({"name": env_name, "value": value})
    if names:
        expected["spec"]["relatedImages"] = [
            {"image": f"example.com/{n.lower()}:{version}", "name": n} for n in names
        ]
    assert _csv(once) == expected
    assert once.endswith("\n") == text.endswith("\n")
    diff = difflib.unified_diff(text.splitlines(), once.splitlines(), lineterm="", n=0)
    removed = [d for d in diff if d.startswith("-") and not d.startswith("---")]
    # only lines holding the old name, version or image (and as above)
    assert all("1.0.0" in d or _grows(d, text) for d in removed), removed


TOKEN_MOUNT = {"mountPath": MOUNT_PATH, "name": VOLUME, "readOnly": True}


@SETTINGS
@given(csv_texts(conflicts=True))
def test_force_leaves_exactly_one_token_volume_and_mount(text: str) -> None:
    options = PatchOptions(force=True)
    once, _ = patch_csv_text(source(text), options)
    assert patch_csv_text(source(once), options) == (once, [])
    before = _csv(text)["spec"]["install"]["spec"]["deployments"][0]["spec"]["template"]["spec"]
    pod = _csv(once)["spec"]["install"]["spec"]["deployments"][0]["spec"]["template"]["spec"]
    assert [v for v in pod["volumes"] if v["name"] == VOLUME] == [
        {
            "name": VOLUME,
            "projected": {
                "sources": [
                    {
                        "serviceAccountToken": {
                            "audience": "openshift",
                            "expirationSeconds": 3600,
                            "path": "token",
                        }
                    }
                ]
            },
        }
    ]
    mounts = pod["containers"][0]["volumeMounts"]
    clash = [m for m in mounts if m["name"] == VOLUME or m["mountPath"] == MOUNT_PATH]
    assert clash == [TOKEN_MOUNT]
    kept = before["containers"][0].get("volumeMounts") or []
    assert [m for m in mounts if m != TOKEN_MOUNT] == [
        m for m in kept if m["name"] != VOLUME and m["mountPath"] != MOUNT_PATH
    ]
