"""The CI verdict: which findings block, and therefore the exit code.

A fail or error finding blocks when its severity is at or above the gate threshold for the
project's risk tier. Default table (critical blocks at every tier, high blocks at high):

| tier       | blocks at or above |
|------------|--------------------|
| minimal    | critical           |
| limited    | critical           |
| high       | high               |
| prohibited | low                |

`gate.fail_on` in mlcompliance.yaml (one severity, or one per tier) replaces the table;
`--fail-on` replaces both.
"""
from __future__ import annotations

from typing import Any

from mlcompliance.engine.findings import SEVERITY_RANK

BLOCKING_OUTCOMES = ("fail", "error")
DEFAULT_FAIL_ON = {"minimal": "critical", "limited": "critical", "high": "high", "prohibited": "low"}


def threshold(tier: str, flag: str | None, configured: str | dict[str, str] | None) -> tuple[str, str]:
    """(lowest blocking severity, where it came from)."""
    if flag:
        return flag, "--fail-on"
    if isinstance(configured, str):
        return configured, "mlcompliance.yaml gate.fail_on"
    if isinstance(configured, dict) and tier in configured:
        return configured[tier], f"mlcompliance.yaml gate.fail_on.{tier}"
    return DEFAULT_FAIL_ON[tier], f"default table for tier {tier}"


def decide(findings: list[dict[str, Any]], tier: str, fail_on: str, source: str) -> dict[str, Any]:
    rank = SEVERITY_RANK[fail_on]
    blocking = [f["fingerprint"] for f in findings
                if f["outcome"] in BLOCKING_OUTCOMES and SEVERITY_RANK[f["severity"]] >= rank]
    return {"tier": tier, "fail_on": fail_on, "source": source,
            "verdict": "non_compliant" if blocking else "compliant", "blocking": blocking}
