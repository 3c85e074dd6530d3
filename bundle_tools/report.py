"""Rendering a :class:`~bundle_tools.findings.Report` as text or JSON.

``RENDERERS`` maps each ``--output`` choice to a function ``(report, fail_on) -> str``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from bundle_tools import __version__
from bundle_tools.findings import Report, Severity

#: Version of the JSON output shape; bump on incompatible changes.
JSON_VERSION = 1


def render_text(report: Report, fail_on: Severity) -> str:
    """One line per finding, ``file:line:col: severity RULE message``, an indented
    ``hint:`` line when the finding has one, and a closing summary line."""
    lines = []
    for f in report.sorted_findings():
        loc = f.location
        where = loc.path
        if loc.line is not None:
            where += f":{loc.line}:{loc.column or 1}"
        lines.append(f"{where}: {f.severity} {f.rule} {f.message}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
    counts = report.counts()
    summary = ", ".join(f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items())
    status = "failed" if report.exit_code(fail_on) else "passed"
    lines.append(f"{len(report.targets)} checked, {summary}: {status}")
    return "\n".join(lines) + "\n"


def render_json(report: Report, fail_on: Severity) -> str:
    """JSON document (shape version 1)::

        {"version": 1, "tool": {"name", "version"}, "status": "ok" | "findings",
         "targets": [path...], "findings": [Finding.to_dict()...],
         "summary": {"error": n, "warning": n, "info": n}}

    ``status`` is ``"findings"`` when some finding reaches ``fail_on``.
    """
    document = {
        "version": JSON_VERSION,
        "tool": {"name": "bundle-tools", "version": __version__},
        "status": "findings" if report.exit_code(fail_on) else "ok",
        "targets": report.targets,
        "findings": [f.to_dict() for f in report.sorted_findings()],
        "summary": report.counts(),
    }
    return json.dumps(document, indent=2) + "\n"


RENDERERS: dict[str, Callable[[Report, Severity], str]] = {
    "text": render_text,
    "json": render_json,
}
