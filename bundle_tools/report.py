"""Rendering a :class:`~bundle_tools.findings.Report` as text, JSON, SARIF 2.1.0 or JUnit
XML.

``RENDERERS`` maps each ``--output`` choice to a function ``(report, fail_on) -> str``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from bundle_tools import __version__
from bundle_tools.errors import json_safe, printable
from bundle_tools.findings import Report, Severity

#: Version of the JSON output shape; bump on incompatible changes.
JSON_VERSION = 1


def render_text(report: Report, fail_on: Severity) -> str:
    """One line per finding, ``file:line:col: severity RULE message``, an indented
    ``hint:`` line when the finding has one, and a closing summary line. Paths, messages
    and hints are :func:`~bundle_tools.errors.printable`: a value they quote cannot
    start a line."""
    lines = []
    for f in report.sorted_findings():
        loc = f.location
        where = printable(loc.path)
        if loc.line is not None:
            where += f":{loc.line}:{loc.column or 1}"
        lines.append(f"{where}: {f.severity} {f.rule} {printable(f.message)}")
        if f.hint:
            lines.append(f"    hint: {printable(f.hint)}")
    counts = report.counts()
    summary = ", ".join(f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items())
    status = "failed" if report.exit_code(fail_on) else "passed"
    unreadable = f", {len(report.errors)} unreadable (see stderr)" if report.errors else ""
    lines.append(f"{len(report.targets)} checked{unreadable}, {summary}: {status}")
    return "\n".join(lines) + "\n"


def render_json(report: Report, fail_on: Severity) -> str:
    """JSON document (shape version 1)::

        {"version": 1, "tool": {"name", "version"}, "status": "ok" | "findings" | "error",
         "targets": [path...], "findings": [Finding.to_dict()...],
         "errors": [{"target", "message", "file", "line", "column"}...],
         "summary": {"error": n, "warning": n, "info": n}}

    ``status`` is ``"error"`` when a target could not be read (its input error is in
    ``errors``, the first one also in ``"error"`` as every command reports an input error;
    the other targets' findings are still listed), else ``"findings"`` when some finding
    reaches ``fail_on``.
    """
    code = report.exit_code(fail_on)
    document = {
        "version": JSON_VERSION,
        "tool": {"name": "bundle-tools", "version": __version__},
        "status": {0: "ok", 1: "findings"}.get(code, "error"),
        "targets": report.targets,
        "findings": [f.to_dict() for f in report.sorted_findings()],
        "errors": [{"target": t, **e.to_dict()} for t, e in report.errors.items()],
        "summary": report.counts(),
    }
    if report.errors:
        document["error"] = document["errors"][0]
    return json.dumps(json_safe(document), indent=2) + "\n"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(path: str, base: Path | None = None) -> str:
    """SARIF ``artifactLocation.uri`` of a finding path: a relative, percent-encoded POSIX
    URI reference (GitHub resolves it against the checkout) for relative paths and for
    absolute paths inside ``base`` (default: the current directory), a ``file://`` URI
    for other absolute paths. A name that is not UTF-8 is percent-encoded from its bytes."""
    from urllib.parse import quote

    pure = Path(path)
    if pure.is_absolute():
        base = (base or Path.cwd()).resolve()
        if not pure.is_relative_to(base):
            return "file://" + quote(_path_bytes(pure.as_posix()))
        pure = pure.relative_to(base)
    return quote(_path_bytes(pure.as_posix()))


def _path_bytes(path: str) -> bytes:
    """The bytes of a file name (undecodable bytes come back from their surrogate
    escapes); a lone surrogate of another origin becomes ``?``."""
    try:
        return os.fsencode(path)
    except UnicodeEncodeError:
        return path.encode("utf-8", "replace")


#: ``uriBaseId`` of relative artifact URIs: the directory bundle-tools ran in (the
#: repository root in CI), given in the run's ``originalUriBaseIds``.
SARIF_ROOT = "%SRCROOT%"


def _artifact_location(path: str) -> dict[str, str]:
    """SARIF ``artifactLocation`` of a finding or error path: ``{"uri", "uriBaseId"}``,
    without ``uriBaseId`` for an absolute ``file://`` URI."""
    uri = artifact_uri(path)
    return {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": SARIF_ROOT}


def _sarif_physical(path: str, line: int | None, column: int | None) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": _artifact_location(path)}
    if line is not None:
        physical["region"] = {"startLine": line, "startColumn": column or 1}
    return physical


def _sarif_rule(rule_id: str) -> dict[str, object]:
    from bundle_tools.rules import all_rules

    known = all_rules().get(rule_id)
    if known is None:
        return {"id": rule_id, "shortDescription": {"text": rule_id}}
    return {
        "id": rule_id,
        "shortDescription": {"text": known.summary},
        "fullDescription": {"text": " ".join((known.check.__doc__ or known.summary).split())},
        "help": {"text": f"Source: {known.source}"},
        "defaultConfiguration": {"level": SARIF_LEVELS[known.severity]},
    }


def render_sarif(report: Report, fail_on: Severity) -> str:
    """SARIF 2.1.0 log as GitHub code scanning accepts it: one run, ``tool.driver.rules``
    holding every rule that has a result (id, descriptions, source as help), one result
    per finding with ``ruleId``, ``ruleIndex``, ``level`` (error, warning, note),
    ``message.text`` (plus the hint) and a physical location (``artifactLocation`` with a
    relative ``uri`` and ``uriBaseId`` ``%SRCROOT%``, the current directory, declared in
    ``originalUriBaseIds``; ``region.startLine``/``startColumn`` when the finding has a
    line; columns count Unicode code points, ``columnKind``). One ``invocation`` tells
    whether every target could be read; each unreadable target is a
    ``toolExecutionNotification``. ``fail_on`` does not change the log."""
    findings = report.sorted_findings()
    rule_ids = sorted({f.rule for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    results = []
    for f in findings:
        physical = _sarif_physical(f.location.path, f.location.line, f.location.column)
        text = f.message + (f" (hint: {f.hint})" if f.hint else "")
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": SARIF_LEVELS[f.severity],
                "message": {"text": text},
                "locations": [{"physicalLocation": physical}],
                "properties": {"pointer": f.location.pointer},
            }
        )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "bundle-tools",
                        "version": __version__,
                        "rules": [_sarif_rule(r) for r in rule_ids],
                    }
                },
                "originalUriBaseIds": {SARIF_ROOT: {"uri": Path.cwd().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": not report.errors,
                        "toolExecutionNotifications": [
                            {
                                "level": "error",
                                "message": {"text": e.message},
                                "locations": [
                                    {
                                        "physicalLocation": _sarif_physical(
                                            e.path or target, e.line, e.column
                                        )
                                    }
                                ],
                            }
                            for target, e in report.errors.items()
                        ],
                    }
                ],
                "results": results,
            }
        ],
    }
    return json.dumps(json_safe(log), indent=2) + "\n"


def _target_of(path: str, targets: list[str]) -> str:
    """The target (bundle or catalog path) a finding path belongs to: the longest target
    that is a path prefix of it, else the first target."""
    candidates = [t for t in targets if Path(path).is_relative_to(t)]
    return max(candidates, key=len) if candidates else (targets[0] if targets else "")


def render_junit(report: Report, fail_on: Severity) -> str:
    """JUnit XML: ``<testsuites>`` with one ``<testsuite name=TARGET>`` per target and one
    ``<testcase classname=RULE name="FILE:LINE:COL">`` per finding: a ``<failure>``
    (type = severity, message = finding message, body = message and hint) when the finding
    reaches ``fail_on``, else a passed case whose ``<system-out>`` carries the message. A
    target without findings gets one passed ``<testcase name="validate">`` so pipeline UIs
    show it green; a target that could not be read gets a ``<testcase name="validate">``
    with an ``<error>`` (its input error) and counts in ``errors``. Every text is
    :func:`~bundle_tools.errors.printable`, so the document holds no character XML 1.0
    cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF)."""
    from xml.etree import ElementTree as ET

    grouped: dict[str, list] = {t: [] for t in report.targets}
    for f in report.sorted_findings():
        grouped.setdefault(_target_of(f.location.path, report.targets), []).append(f)
    root = ET.Element("testsuites", name="bundle-tools")
    total_failures = total_tests = 0
    for target, findings in grouped.items():
        suite = ET.SubElement(root, "testsuite", name=printable(target))
        failures = 0
        for f in findings:
            loc = f.location
            path, message = printable(loc.path), printable(f.message)
            where = path + (f":{loc.line}:{loc.column or 1}" if loc.line else "")
            case = ET.SubElement(suite, "testcase", classname=f.rule, name=where, file=path)
            body = f"{where}: {f.severity} {f.rule} {message}" + (
                f"\nhint: {printable(f.hint)}" if f.hint else ""
            )
            if f.severity >= fail_on:
                failures += 1
                failure = ET.SubElement(case, "failure", type=str(f.severity), message=message)
                failure.text = body
            else:
                ET.SubElement(case, "system-out").text = body
        error = report.errors.get(target)
        if error is not None or not findings:
            case = ET.SubElement(suite, "testcase", classname="bundle-tools", name="validate")
            if error is not None:
                message = printable(error.message)
                ET.SubElement(case, "error", type="input", message=message).text = str(error)
        tests = len(findings) + (error is not None or not findings)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(int(error is not None)))
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", str(len(report.errors)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


RENDERERS: dict[str, Callable[[Report, Severity], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
}


def _rule_rows() -> list[dict[str, str]]:
    """One row per registered rule: id, target, severity (with profile overrides, e.g.
    ``warning (strict: error)``), summary, source."""
    from bundle_tools.rules import all_rules

    rows = []
    for r in all_rules().values():
        overrides = ", ".join(f"{name}: {sev}" for name, sev in sorted(r.profiles.items()))
        severity = f"{r.severity} ({overrides})" if overrides else str(r.severity)
        rows.append(
            {
                "id": r.id,
                "target": r.target,
                "severity": severity,
                "summary": r.summary,
                "source": r.source,
            }
        )
    return rows


def render_rules_text() -> str:
    """``ID  severity  summary`` lines, each followed by an indented ``source:`` line."""
    lines = []
    for row in _rule_rows():
        lines.append(f"{row['id']:<8} {row['target']:<7} {row['severity']:<34} {row['summary']}")
        lines.append(f"{'':<8} source: {row['source']}")
    return "\n".join(lines) + "\n"


def render_rules_json() -> str:
    """``{"version": 1, "rules": [{id, target, severity, summary, source}...]}``."""
    return json.dumps({"version": JSON_VERSION, "rules": _rule_rows()}, indent=2) + "\n"


def render_rules_markdown() -> str:
    """The Markdown rule table of README.md (``|`` in cells escaped)."""
    columns = ("id", "target", "severity", "summary", "source")
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for row in _rule_rows():
        cells = (row[c].replace("|", "\\|") for c in columns)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


RULE_RENDERERS: dict[str, Callable[[], str]] = {
    "text": render_rules_text,
    "json": render_rules_json,
    "markdown": render_rules_markdown,
}
