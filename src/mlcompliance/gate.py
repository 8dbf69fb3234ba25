"""The CI verdict: which findings block, and therefore the exit code."""
from __future__ import annotations

from typing import Any

from .findings import SEVERITY_RANK

BLOCKING_OUTCOMES = ("fail", "error")


def decide(findings: list[dict[str, Any]], fail_on: str) -> dict[str, Any]:
    threshold = SEVERITY_RANK[fail_on]
    blocking = [f["fingerprint"] for f in findings
                if f["outcome"] in BLOCKING_OUTCOMES and SEVERITY_RANK[f["severity"]] >= threshold]
    return {"fail_on": fail_on, "verdict": "non_compliant" if blocking else "compliant", "blocking": blocking}
