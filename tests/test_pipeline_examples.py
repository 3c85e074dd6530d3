"""The pipeline integrations shipped with the repository: ``.pre-commit-hooks.yaml``, the
GitHub Actions workflow and the Tekton Task of ``docs/examples/``. Each is checked for
shape (the workflow against GitHub's workflow schema as vendored by check-jsonschema)
and run for real: its bundle-tools commands, on a copy of this repository's bundle and
catalog, give the exit codes and reports the file promises."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
import yaml
from ruamel.yaml import YAML

from tests.conftest import REPO

EXAMPLES = REPO / "docs" / "examples"
BIN = Path(sys.executable).parent


def shell_env(**extra: str) -> dict[str, str]:
    """The environment of a pipeline step: this venv's bundle-tools first on PATH."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **extra}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout holding this repository's bundle/ (patched, so every gate passes) and
    catalog/."""
    shutil.copytree(REPO / "bundle", tmp_path / "bundle")
    shutil.copytree(REPO / "catalog", tmp_path / "catalog")
    done = subprocess.run(
        [BIN / "bundle-tools", "patch-csv", "bundle"], cwd=tmp_path, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    return tmp_path


def break_bundle(workspace: Path) -> None:
    """Give the workspace's CSV an error finding (CSV002: a version with a ``v``)."""
    csv = next((workspace / "bundle" / "manifests").glob("*.clusterserviceversion.yaml"))
    text = csv.read_text()
    assert "\n  version: 3.99.0\n" in text
    csv.write_text(text.replace("\n  version: 3.99.0\n", "\n  version: v3.99.0\n"))


# --- pre-commit -------------------------------------------------------------------------


def hooks() -> list[dict]:
    return yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())


def run_hook(hook_id: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a hook as pre-commit does with pass_filenames false: entry, then args."""
    (hook,) = [h for h in hooks() if h["id"] == hook_id]
    argv = shlex.split(hook["entry"]) + hook["args"]
    argv[0] = str(BIN / argv[0])
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True)


def test_pre_commit_hooks_have_the_fields_pre_commit_requires() -> None:
    entries = hooks()
    assert [h["id"] for h in entries] == [
        "bundle-tools-validate",
        "bundle-tools-catalog-validate",
        "bundle-tools-patch-csv-check",
    ]
    for hook in entries:
        assert {"id", "name", "entry", "language"} <= hook.keys()
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert shlex.split(hook["entry"])[0] == "bundle-tools"


def test_pre_commit_hooks_pass_on_a_patched_bundle(workspace: Path) -> None:
    for hook in hooks():
        done = run_hook(hook["id"], workspace)
        assert done.returncode == 0, (hook["id"], done.stdout, done.stderr)


def test_pre_commit_hooks_fail_on_what_they_guard(workspace: Path) -> None:
    shutil.copytree(REPO / "bundle", workspace / "bundle", dirs_exist_ok=True)
    done = run_hook("bundle-tools-patch-csv-check", workspace)
    assert done.returncode == 1
    assert "would make 6 change(s) in 1 file(s)" in done.stdout
    break_bundle(workspace)
    done = run_hook("bundle-tools-validate", workspace)
    assert done.returncode == 1
    assert "CSV002" in done.stdout


# --- GitHub Actions ---------------------------------------------------------------------


def workflow() -> dict:
    """The workflow as GitHub reads it: YAML 1.2, so the key ``on`` is a string."""
    return YAML(typ="safe").load((EXAMPLES / "github-actions.yaml").read_text())


def test_workflow_matches_githubs_workflow_schema() -> None:
    # read from the installed distribution, without importing check_jsonschema (and click)
    schema_file = distribution("check-jsonschema").locate_file(
        "check_jsonschema/builtin_schemas/vendor/github-workflows.json"
    )
    schema = json.loads(Path(str(schema_file)).read_text())
    document = workflow()
    jsonschema.Draft7Validator(schema).validate(document)
    assert document["on"] == {"pull_request": None, "push": {"branches": ["main"]}}


def test_workflow_uploads_sarif_to_code_scanning() -> None:
    (job,) = workflow()["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    upload = [s for s in job["steps"] if s.get("uses", "").startswith("github/codeql-action/")]
    assert upload == [
        {
            "name": "Upload findings to code scanning",
            "if": "${{ !cancelled() }}",
            "uses": "github/codeql-action/upload-sarif@v3",
            "with": {"sarif_file": "bundle-tools.sarif", "category": "bundle-tools"},
        }
    ]


def test_workflow_gate_steps_run(workspace: Path) -> None:
    document = workflow()
    (job,) = document["jobs"].values()
    env = shell_env(**document["env"])
    steps = [s for s in job["steps"] if "bundle-tools " in s.get("run", "")]
    assert len(steps) == 3
    for step in steps:
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=workspace, env=env, capture_output=True
        )
        assert done.returncode == 0, (step["name"], done.stdout, done.stderr)
    sarif = json.loads((workspace / "bundle-tools.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["tool"]["driver"]["name"] == "bundle-tools"
    assert ElementTree.parse(workspace / "catalog.xml").getroot().tag == "testsuites"


# --- Tekton -----------------------------------------------------------------------------


def task() -> dict:
    return yaml.safe_load((EXAMPLES / "tekton-task.yaml").read_text())


def test_tekton_task_has_the_required_fields() -> None:
    document = task()
    assert document["apiVersion"] == "tekton.dev/v1"
    assert document["kind"] == "Task"
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", document["metadata"]["name"])
    spec = document["spec"]
    declared = {
        "params": {p["name"] for p in spec["params"]},
        "workspaces": {w["name"] for w in spec["workspaces"]},
        "results": {r["name"] for r in spec["results"]},
    }
    assert spec["steps"]
    for step in spec["steps"]:
        assert {"name", "image", "script"} <= step.keys()
        assert step["script"].startswith("#!")
        # Parameters reach the script through env only, never spliced into its text.
        assert "$(" not in step["script"]
    text = yaml.safe_dump(spec)
    for kind, name in re.findall(r"\$\((params|workspaces|results)\.([a-z-]+)", text):
        assert name in declared[kind], f"$({kind}.{name}) is not declared"


def run_task(workspace: Path, **params: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the Task's step as Tekton would: variables substituted, params from their
    defaults unless given."""
    spec = task()["spec"]
    values = {f"params.{p['name']}": params.get(p["name"], p["default"]) for p in spec["params"]}
    values["workspaces.source.path"] = str(workspace)
    result = workspace / "result-bundle-report"
    values["results.bundle-report.path"] = str(result)
    (step,) = spec["steps"]

    def substitute(text: str) -> str:
        return re.sub(r"\$\(([a-z.-]+)\)", lambda m: values[m[1]], text)

    env = shell_env(**{e["name"]: substitute(e["value"]) for e in step["env"]})
    done = subprocess.run(
        ["bash", "-c", step["script"]],
        cwd=substitute(step["workingDir"]),
        env=env,
        capture_output=True,
        text=True,
    )
    return done, result


def test_tekton_task_runs_the_gate(workspace: Path) -> None:
    done, result = run_task(workspace, catalog="catalog")
    assert done.returncode == 0, done.stderr
    assert result.read_text() == "bundle-tools-bundle.xml"
    report = ElementTree.parse(workspace / "bundle-tools-bundle.xml").getroot()
    assert report.get("failures") == "0"


def test_tekton_task_fails_on_error_findings(workspace: Path) -> None:
    break_bundle(workspace)
    done, _ = run_task(workspace)
    assert done.returncode == 1
    assert "CSV002" in done.stdout
    report = ElementTree.parse(workspace / "bundle-tools-bundle.xml").getroot()
    assert report.get("failures") == "1"
