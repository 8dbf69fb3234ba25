"""Counts and the compliance score.

Score of a pack = sum of the weights of passing findings / sum of the weights of scored
findings, where scored = pass, fail, error and waived; error and fail score 0;
not_applicable, warn and manual are not scored (manual ones are listed separately).
Weights by severity: critical 10, high 5, medium 2, low 1, info 0 (see docs/scoring.md).
The raw score counts a waived finding as a failure; the "with accepted risk" score counts
it as a pass, so a waiver can never raise the raw score.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from .findings import OUTCOMES

WEIGHTS = {"critical": 10, "high": 5, "medium": 2, "low": 1, "info": 0}
SCORED = ("pass", "fail", "error", "waived")


def counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    seen = Counter(f["outcome"] for f in findings)
    return {outcome: seen.get(outcome, 0) for outcome in OUTCOMES}


def score(findings: list[dict[str, Any]]) -> dict[str, Any]:
    denominator = passed = accepted = 0
    for f in findings:
        if f["outcome"] not in SCORED:
            continue
        weight = WEIGHTS[f["severity"]]
        denominator += weight
        if f["outcome"] == "pass":
            passed += weight
        if f["outcome"] in ("pass", "waived"):
            accepted += weight
    return {"numerator": passed, "numerator_with_accepted_risk": accepted, "denominator": denominator,
            "raw": _ratio(passed, denominator), "with_accepted_risk": _ratio(accepted, denominator)}


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(100.0 * numerator / denominator, 1) if denominator else None
