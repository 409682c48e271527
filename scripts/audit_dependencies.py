"""Audit the installed packages for known vulnerabilities with pip-audit; fail only on findings.

pip-audit asks PyPI's JSON API for each installed version's advisories. Where that service cannot be
reached or does not know a version, the package is reported as not audited and the step passes with a
warning: a network problem must not break the build, but a known vulnerability must.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys


def main() -> int:
    if importlib.util.find_spec("pip_audit") is None:
        print("pip-audit is not installed: pip install -e '.[test]'", file=sys.stderr)
        return 1
    command = [sys.executable, "-m", "pip_audit", "--skip-editable", "--format", "json",
               "--progress-spinner", "off"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print("pip-audit: could not reach its vulnerability service; nothing was audited\n"
              f"{done.stderr[-2000:]}", file=sys.stderr)
        return 0
    packages = report.get("dependencies", [])
    found = [(p["name"], p["version"], v) for p in packages for v in p.get("vulns", [])]
    skipped = [p for p in packages if p.get("skip_reason")]
    for name, version, vuln in found:
        fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
        print(f"pip-audit: {name} {version}: {vuln['id']} (fixed in {fixes})", file=sys.stderr)
    audited = len(packages) - len(skipped)
    print(f"pip-audit: {audited} of {len(packages)} installed packages audited, {len(found)} known "
          "vulnerabilities")
    if skipped:
        print(f"pip-audit: warning: {len(skipped)} packages not audited (the vulnerability service did not "
              f"answer for them), e.g. {skipped[0]['skip_reason']}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
