"""The vocabulary every layer shares: outcomes, severities, tiers, their order and weights.

One definition of each word; every other module imports it from here (docs/result.md,
docs/scoring.md). Base layer: imports nothing from mlcompliance.
"""
from __future__ import annotations

OUTCOMES = ("fail", "error", "warn", "manual", "waived", "pass", "not_applicable")
"""Every finding outcome, in the order counts are listed (worst first)."""

SEVERITIES = ("info", "low", "medium", "high", "critical")
"""Severities, lowest first."""
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}

TIERS = ("minimal", "limited", "high", "prohibited")
"""Risk tiers, lowest first."""
TIER_RANK = {t: i for i, t in enumerate(TIERS)}

WEIGHTS = {"critical": 10, "high": 5, "medium": 2, "low": 1, "info": 0}
"""Score weight of a finding of each severity (docs/scoring.md)."""

SCORED = ("pass", "fail", "error", "waived")
"""Outcomes that enter a score (error and fail count 0; waived counts 0 in the raw score)."""
ACCEPTED = ("pass", "waived")
"""Outcomes that count as passing in the score with accepted risk."""
BLOCKING = ("fail", "error")
"""Outcomes that can block the gate."""
PROBLEMS = ("fail", "error", "warn")
"""Outcomes a report lists as something to fix, worst first."""
SKIPPED = ("not_applicable", "manual", "waived")
"""Outcomes a test report shows as skipped."""

STATUS_ORDER = ("error", "fail", "warn", "waived", "pass", "manual", "not_applicable")
"""A requirement's status is the first of these among its findings' outcomes."""

GATE_VERDICTS = ("compliant", "non_compliant")

BASELINE_STATES = ("new", "recurring")
"""A finding compared with a baseline result: absent there (new) or present (recurring).
Baseline findings that no longer fail are listed separately as fixed."""

MANUAL_REMEDIATION = ("Record an attestation in model_card.attestations (requirement, attested_by, date, "
                      "evidence_ref) after a person has checked it.")
"""The remediation of a manual requirement: no rule can check it, a person attests it."""

MANUAL_NOT_APPLICABLE = "Nothing to attest while it does not apply."
"""The remediation of a manual requirement that does not apply (reports that describe the
requirement itself, such as SARIF rule help, say what MANUAL_REMEDIATION asks instead)."""
