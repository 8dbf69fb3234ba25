"""Counts and compliance scores: one published formula (docs/scoring.md).

Each finding has a weight from its severity at the project's tier (a rule's tier map sets
that severity, so the tier enters the weight): critical 10, high 5, medium 2, low 1, info 0.

    raw score                = sum(weight of pass findings) / sum(weight of scored findings)
    with-accepted-risk score = sum(weight of pass and waived findings) / same denominator

Scored findings are pass, fail, error and waived: error counts as a failure (0), a waived
finding counts as a failure in the raw score, so a waiver can never raise it.
not_applicable, warn and manual findings are not scored; manual requirements are counted
separately (total and attested). A score is computed per requirement, per pack and over
all packs, always with its numerator and denominator. No scored finding: no score (None).
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from mlcompliance.engine.findings import OUTCOMES

WEIGHTS = {"critical": 10, "high": 5, "medium": 2, "low": 1, "info": 0}
SCORED = ("pass", "fail", "error", "waived")
STATUS_ORDER = ("error", "fail", "warn", "waived", "pass", "manual", "not_applicable")


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
            "raw": _percent(passed, denominator), "with_accepted_risk": _percent(accepted, denominator)}


def status(findings: list[dict[str, Any]]) -> str:
    """The worst outcome among a requirement's findings."""
    outcomes = {f["outcome"] for f in findings}
    return next((o for o in STATUS_ORDER if o in outcomes), "not_applicable")


def _percent(numerator: int, denominator: int) -> float | None:
    return round(100.0 * numerator / denominator, 1) if denominator else None
