"""Score arithmetic on hand-computed examples, and the gate table."""
from __future__ import annotations

from dataclasses import asdict

import pytest

from mlcompliance.engine.findings import Finding
from mlcompliance.scoring.gate import decide, threshold
from mlcompliance.scoring.scores import score, status


def f(outcome: str, severity: str) -> Finding:
    return Finding(rule_id=f"R-{outcome}-{severity}", pack="p", pack_version="1.0.0", requirement="REQ", title="t",
                   outcome=outcome, severity=severity, message="m", remediation="r", references=(),
                   file="model_card.yaml", line=1, column=1, target="", pointer="")


def test_weighted_score_by_hand():
    findings = [f("pass", "critical"), f("fail", "high"), f("pass", "medium"), f("error", "low"),
                f("not_applicable", "critical"), f("manual", "info"), f("warn", "high"), f("pass", "info")]
    # scored: pass critical 10, fail high 5, pass medium 2, error low 1, pass info 0 -> 12 / 18
    assert asdict(score(findings)) == {"numerator": 12, "numerator_with_accepted_risk": 12, "denominator": 18,
                               "raw": 66.7, "with_accepted_risk": 66.7}


def test_waiving_never_raises_the_raw_score():
    failing = [f("pass", "high"), f("fail", "high")]
    waived = [f("pass", "high"), f("waived", "high")]
    assert score(failing).raw == score(waived).raw == 50.0
    assert score(waived).with_accepted_risk == 100.0 and score(waived).numerator_with_accepted_risk == 10


def test_nothing_scored_has_no_score():
    assert score([f("not_applicable", "high"), f("manual", "info")]).raw is None


def test_error_counts_as_failure():
    assert score([f("error", "critical"), f("pass", "critical")]).raw == 50.0


@pytest.mark.parametrize("outcomes, expected", [
    (["pass", "fail", "not_applicable"], "fail"), (["pass", "error"], "error"), (["pass", "waived"], "waived"),
    (["pass", "warn"], "warn"), (["not_applicable"], "not_applicable"), ([], "not_applicable"), (["manual"], "manual"),
])
def test_requirement_status_is_the_worst_outcome(outcomes, expected):
    assert status([f(o, "low") for o in outcomes]) == expected


@pytest.mark.parametrize("tier, flag, configured, expected", [
    ("minimal", None, None, ("high", "default table for tier minimal")),
    ("limited", None, None, ("high", "default table for tier limited")),
    ("high", None, None, ("high", "default table for tier high")),
    ("prohibited", None, None, ("low", "default table for tier prohibited")),
    ("high", None, "medium", ("medium", "mlcompliance.yaml gate.fail_on")),
    ("high", None, {"high": "low"}, ("low", "mlcompliance.yaml gate.fail_on.high")),
    ("minimal", None, {"high": "low"}, ("high", "default table for tier minimal")),
    ("high", "critical", "low", ("critical", "--fail-on")),
])
def test_gate_threshold(tier, flag, configured, expected):
    assert threshold(tier, flag, configured) == expected


def test_gate_blocks_fail_and_error_at_or_above_threshold_only():
    findings = [f("fail", "high"), f("error", "medium"), f("fail", "low"), f("warn", "critical"),
                f("waived", "critical"), f("pass", "critical")]
    gate = decide(findings, "high", "medium", None)
    assert gate.blocking == (findings[0].fingerprint, findings[1].fingerprint) and gate.verdict == "non_compliant"
    assert gate.fail_on == "medium" and gate.source == "--fail-on"
    assert decide(findings, "high", "critical", None).verdict == "compliant"
    assert decide(findings, "high", None, None).blocking == (findings[0].fingerprint,)  # tier table: high
