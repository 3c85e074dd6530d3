"""How often each bundle rule fires over a corpus of real bundles (``nox -s corpus``).

Usage: ``python scripts/corpus.py [CORPUS_DIR]`` (default ``../shared/corpus/bundles``;
bundles are ``<package>/<version>/`` directories). Each bundle is validated in a fresh
``bundle-tools validate --output json`` process, as a user would run it. Prints one line
per rule (bundles it fires on, findings, severities; flagged when it reaches warning or
error level on more than half of the bundles), then totals and the bundles that
exit 2 (input errors) with their message. Exits 1 when a run crashes (a traceback, an
exit code other than 0/1/2, or a finding without a line).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "bundles"


def main(argv: list[str]) -> int:
    """Run the survey; returns the process exit code."""
    corpus = Path(argv[0]) if argv else DEFAULT
    bundles = sorted(p.parent for p in corpus.glob("*/*/manifests"))
    fired: dict[str, set[str]] = defaultdict(set)
    failing: dict[str, set[str]] = defaultdict(set)  # bundles with a warning or error
    findings: Counter[str] = Counter()
    severities: dict[str, Counter[str]] = defaultdict(Counter)
    input_errors, crashes = [], []
    for bundle in bundles:
        name = str(bundle.relative_to(corpus))
        run = subprocess.run(
            [sys.executable, "-m", "bundle_tools", "validate", "--output", "json", str(bundle)],
            capture_output=True,
            text=True,
            check=False,
        )
        if "Traceback" in run.stderr or run.returncode not in (0, 1, 2):
            crashes.append(f"{name}: exit {run.returncode}\n{run.stderr}")
            continue
        if run.returncode == 2:
            input_errors.append(f"{name}: {run.stderr.strip()}")
            continue
        for finding in json.loads(run.stdout)["findings"]:
            if finding["line"] is None and Path(finding["file"]).is_file():
                crashes.append(f"{name}: finding without a line: {finding}")
            fired[finding["rule"]].add(name)
            if finding["severity"] != "info":
                failing[finding["rule"]].add(name)
            findings[finding["rule"]] += 1
            severities[finding["rule"]][finding["severity"]] += 1
    checked = len(bundles) - len(input_errors) - len(crashes)
    print(f"{'rule':<9}{'bundles':>8}{'share':>7}{'findings':>10}  severities")
    for rule_id in sorted(fired):
        share = len(fired[rule_id]) / checked if checked else 0
        sev = ", ".join(f"{k} {v}" for k, v in sorted(severities[rule_id].items()))
        flag = (
            "  > half at warning/error" if checked and len(failing[rule_id]) / checked > 0.5 else ""
        )
        print(
            f"{rule_id:<9}{len(fired[rule_id]):>8}{share:>7.0%}{findings[rule_id]:>10}  {sev}{flag}"
        )
    print(
        f"total: {len(bundles)} bundles, {checked} validated, {len(input_errors)} input errors "
        f"(exit 2), {len(crashes)} crashes, {sum(findings.values())} findings"
    )
    for line in input_errors:
        print(f"exit 2: {line}")
    for line in crashes:
        print(f"CRASH: {line}", file=sys.stderr)
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
