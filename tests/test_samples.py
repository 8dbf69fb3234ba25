"""The realistic sample projects, end to end through the real CLI.

Each sample exercises built-in packs the way a real organisation would: its verdict, its tiers
(declared, derived, effective) and the clause that derives them, and the exact failing rules of
every pack are pinned at the suite's as-of date (2026-11-01), plus the behaviour at a second date
for the packs whose duties start later (AI Act Annex III from 2 Dec 2027, Annex I from
2 Aug 2028, Art. 50 from 2 Aug / 2 Dec 2026). The READMEs of the samples explain every failure.
"""
from __future__ import annotations

import json

import yaml
from helpers import AS_OF, SAMPLES, cli

NEW_SAMPLES = ("credit-scoring", "xray-anomaly", "support-chatbot")

CREDIT_FAILURES = {
    "pra-ss1-23": {"PRA-P5.1-ADJUSTMENT-REVIEW-CURRENT"},
    "gdpr": {"GDPR-ART35-11-DPIA-REVIEWED", "GDPR-ART5-1E-RETENTION-NOT-EXCEEDED"},
    "eu-trustworthy-ai": {"EUAI-ART4-LITERACY-CURRENT", "HLEG-R6-TRAINING-ENERGY"},
    "mlops-practices": {"MLOPS-10-CANARY-CRITERIA", "MLOPS-11-ROLLBACK-TESTED"},
    "mlcompliance": {"MLC-WAIVER-EXPIRED"},
}
CHATBOT_FAILURES = {
    "eu-trustworthy-ai": {"EUAI-ART50-1-AI-DISCLOSURE", "EUAI-ART6-CATEGORY-CONSISTENT", "HLEG-R5-ACCESSIBILITY"},
    "gdpr": {"GDPR-ART32-1B-MODEL-PRIVACY-ATTACKS"},
    "mlops-practices": set(),
    "mlcompliance": {"MLC-TIER-DECLARED"},
}


def failing(data: dict) -> dict[str, set[str]]:
    """Pack id -> ids of the rules with a `fail` outcome (every pack of the run, plus the engine's)."""
    out: dict[str, set[str]] = {p["id"]: set() for p in data["packs"]}
    out["mlcompliance"] = set()
    for f in data["findings"]:
        if f["outcome"] == "fail":
            out.setdefault(f["pack"], set()).add(f["rule_id"])
    return out


def outcomes_of(data: dict, predicate) -> dict[str, set[str]]:
    """Rule id -> outcomes of its findings, for the rules the predicate selects."""
    out: dict[str, set[str]] = {}
    for f in data["findings"]:
        if predicate(f["rule_id"]):
            out.setdefault(f["rule_id"], set()).add(f["outcome"])
    return out


def passed(outcomes: set[str]) -> bool:
    """A rule passed: some finding passed and none did anything but pass or not apply."""
    return "pass" in outcomes and outcomes <= {"pass", "not_applicable"}


def pack_score(data: dict, pack: str) -> dict:
    return next(p["score"] for p in data["summary"]["packs"] if p["id"] == pack)


def clauses(data: dict) -> list[str]:
    return [b["clause"] for b in data["risk"]["basis"]]


# --- credit-scoring: UK bank, PD model, PRA tier 1, GDPR Art. 22, AI Act Annex III 5(b) --------

def test_credit_scoring_is_non_compliant_at_tier_high_from_annex_iii_5b(sample_check):
    code, data = sample_check("credit-scoring")
    assert code == 1
    assert data["gate"]["verdict"] == "non_compliant" and data["gate"]["fail_on"] == "high"
    assert (data["risk"]["declared"], data["risk"]["derived"], data["risk"]["tier"]) == ("high", "high", "high")
    # the Annex III fact is recorded, but raises the tier only from 2 Dec 2027 (Art. 113 as amended)
    annex_iii = [f for f in data["risk"]["facts"] if f["clause"].startswith("Art. 6(2) and Annex III point 5(b)")]
    assert [f["applies_from"] for f in annex_iii] == ["2027-12-02"]
    assert any(c.startswith("Art. 22(1)") for c in clauses(data))
    assert {b["regime"] for b in data["risk"]["basis"]} == {"PRA SS1/23", "GDPR"}   # the AI Act joins from 2 Dec 2027
    assert [p["id"] for p in data["packs"]] == ["eu-trustworthy-ai", "gdpr", "mlops-practices", "pra-ss1-23"]
    blocking = {f["rule_id"] for f in data["findings"] if f["fingerprint"] in data["gate"]["blocking"]}
    assert blocking == {"GDPR-ART35-11-DPIA-REVIEWED", "GDPR-ART5-1E-RETENTION-NOT-EXCEEDED"}


def test_credit_scoring_fails_exactly_the_documented_rules(sample_check):
    _, data = sample_check("credit-scoring")
    assert failing(data) == CREDIT_FAILURES
    assert not [f for f in data["findings"] if f["outcome"] == "error"]
    warned = {f["rule_id"] for f in data["findings"] if f["outcome"] == "warn"}
    assert warned == {"MLC-WAIVER-STALE", "GDPR-ART3-UK-ONLY-DATA"}   # gdpr 1.2.0: the UK-only 2019 sample
    uk_only = [f for f in data["findings"] if f["rule_id"] == "GDPR-ART3-UK-ONLY-DATA" and f["outcome"] == "warn"]
    assert len(uk_only) == 1 and "declined-applications-2019" in uk_only[0]["message"]
    retention = next(f for f in data["findings"] if f["rule_id"] == "GDPR-ART5-1E-RETENTION-NOT-EXCEEDED"
                     and f["outcome"] == "fail")
    assert "declined-applications-2019" in retention["message"]
    assert retention["location"]["file"] == "data_manifest.yaml"


def test_credit_scoring_waiver_register(sample_check):
    _, data = sample_check("credit-scoring")
    register = {w["id"]: w for w in data["waivers"]}
    assert {k: w["status"] for k, w in register.items()} == {
        "W-MRM-2026-041": "active", "W-DP-2026-007": "expired", "W-PLAT-2026-112": "stale"}
    active = register["W-MRM-2026-041"]
    assert active["rule"] == "PRA-P4.5-REVALIDATION-NOT-OVERDUE" and active["ticket"] == "MRM-2291"
    assert active["expires"] == "2026-12-31" and len(active["matched"]) == 1
    waived = [f for f in data["findings"] if f["outcome"] == "waived"]
    assert [f["rule_id"] for f in waived] == ["PRA-P4.5-REVALIDATION-NOT-OVERDUE"]
    assert waived[0]["waiver"]["id"] == "W-MRM-2026-041" and waived[0]["fingerprint"] == active["matched"][0]
    # the expired waiver is not applied: its finding fails (and blocks) again
    assert register["W-DP-2026-007"]["expires"] == "2026-10-15"
    dpia = [f for f in data["findings"] if f["rule_id"] == "GDPR-ART35-11-DPIA-REVIEWED"]
    assert [f["outcome"] for f in dpia] == ["fail"] and dpia[0]["fingerprint"] in data["gate"]["blocking"]
    # the stale waiver's rule passes
    assert outcomes_of(data, lambda r: r == "MLOPS-01-CI-STATUS") == {"MLOPS-01-CI-STATUS": {"pass"}}
    expired = [f for f in data["findings"] if f["rule_id"] == "MLC-WAIVER-EXPIRED"]
    assert [f["waiver"]["id"] for f in expired] == ["W-DP-2026-007"]


def test_credit_scoring_active_waiver_leaves_the_raw_score_unchanged(sample_check, sample_copy):
    _, data = sample_check("credit-scoring")
    project = sample_copy("credit-scoring")
    waivers = yaml.safe_load((project / "waivers.yaml").read_text(encoding="utf-8"))
    waivers["waivers"] = [w for w in waivers["waivers"] if w["id"] != "W-MRM-2026-041"]
    (project / "waivers.yaml").write_text(yaml.safe_dump(waivers, sort_keys=False), encoding="utf-8")
    result = cli("check", project, "--as-of", AS_OF, "--format", "json")
    without = json.loads(result.stdout)
    revalidation = [f["outcome"] for f in without["findings"] if f["rule_id"] == "PRA-P4.5-REVALIDATION-NOT-OVERDUE"]
    assert revalidation == ["fail"]
    with_waiver, no_waiver = pack_score(data, "pra-ss1-23"), pack_score(without, "pra-ss1-23")
    assert with_waiver["raw"] == no_waiver["raw"] and with_waiver["numerator"] == no_waiver["numerator"]
    assert with_waiver["denominator"] == no_waiver["denominator"]
    assert with_waiver["with_accepted_risk"] > with_waiver["raw"]
    assert no_waiver["with_accepted_risk"] == no_waiver["raw"]
    assert data["summary"]["score"]["raw"] == without["summary"]["score"]["raw"]
    assert data["summary"]["score"]["with_accepted_risk"] > data["summary"]["score"]["raw"]


def test_credit_scoring_is_a_legacy_system_outside_the_annex_iii_duties(sample_check):
    """Put into service on 2025-10-13, before 2 Dec 2027, with no significant design change since:
    amended Art. 111(2) keeps the high-risk duties off it (audit L2), so the Annex III rules do not
    apply, and EUAI-ART49-1 / EUAI-ART12 no longer block on 2027-12-15; a person confirms the
    legacy status (manual EUAI-ART111-LEGACY-STATUS)."""
    _, now = sample_check("credit-scoring")
    annex3 = outcomes_of(now, lambda r: r.endswith("-ANNEX3"))
    assert annex3 and all(o == {"not_applicable"} for o in annex3.values())
    code, later = sample_check("credit-scoring", "2027-12-15")
    assert later["risk"]["tier"] == "high"   # still high-risk by classification (and PRA tier 1, GDPR Art. 22)
    assert all(o == {"not_applicable"} for o in outcomes_of(later, lambda r: r.endswith("-ANNEX3")).values())
    assert failing(later)["eu-trustworthy-ai"] == {"EUAI-ART4-LITERACY-CURRENT", "HLEG-R6-TRAINING-ENERGY"}
    legacy = [f for f in later["findings"] if f["rule_id"] == "EUAI-ART111-LEGACY-STATUS"]
    assert [f["outcome"] for f in legacy] == ["manual"]


def test_credit_scoring_annex_iii_duties_apply_after_a_significant_design_change(sample_copy, checks):
    root = sample_copy("credit-scoring")
    card = root / "model_card.yaml"
    card.write_text(card.read_text(encoding="utf-8").replace(
        "significant_design_changes: []",
        "significant_design_changes: [{date: 2027-12-10, description: v6 redevelopment with open-banking inputs}]"),
        encoding="utf-8")
    out = checks.run(root, as_of="2028-01-15")
    assert out.exit_code == 1
    later = out.json()
    assert later["risk"]["tier"] == "high"
    assert failing(later)["eu-trustworthy-ai"] == {
        "EUAI-ART4-LITERACY-CURRENT", "HLEG-R6-TRAINING-ENERGY",
        "EUAI-ART12-AUTOMATIC-LOGGING-ANNEX3", "EUAI-ART49-1-PROVIDER-REGISTERED"}
    applied = outcomes_of(later, lambda r: r.endswith("-ANNEX3"))
    ok = {r for r, o in applied.items() if passed(o)}
    assert {"EUAI-ART9-RISK-REGISTER-ANNEX3", "EUAI-ART10-DATA-BIAS-ANNEX3", "EUAI-ART13-INSTRUCTIONS-COMPLETE-ANNEX3",
            "EUAI-ART14-OVERSIGHT-MEASURES-ANNEX3", "EUAI-ART43-ASSESSED-ANNEX3", "EUAI-ART47-DECLARATION-ANNEX3",
            "EUAI-ART72-PMM-PLAN-ANNEX3"} <= ok
    # provider, not deployer: the deployer duties (Art. 26, the Art. 27 FRIA, Art. 86) stay out
    deployer = outcomes_of(later, lambda r: r.startswith(("EUAI-ART26-", "EUAI-ART27-", "EUAI-ART86-"))
                           and r != "EUAI-ART26-USE-AND-INFORMATION")
    assert {"EUAI-ART27-FRIA-DONE", "EUAI-ART26-MONITORING-ANNEX3", "EUAI-ART86-EXPLANATION-CHANNEL"} <= set(deployer)
    assert all(o == {"not_applicable"} for o in deployer.values())


# --- xray-anomaly: CE-marked SaMD, GxP direct impact, AI Act Annex I, GDPR Art. 9 ---------------

def test_xray_anomaly_is_compliant_at_tier_high_from_annex_i(sample_check):
    code, data = sample_check("xray-anomaly")
    assert code == 0
    assert data["gate"]["verdict"] == "compliant" and data["gate"]["fail_on"] == "medium"
    assert data["gate"]["blocking"] == []
    assert (data["risk"]["declared"], data["risk"]["derived"], data["risk"]["tier"]) == ("high", "high", "high")
    annex_i = [f for f in data["risk"]["facts"] if f["clause"].startswith("Art. 6(1) and Annex I point 11 (Section A)")]
    assert [f["applies_from"] for f in annex_i] == ["2028-08-02"]   # raises the tier from 2 Aug 2028
    assert any(c.startswith("Art. 35(3)(b)") for c in clauses(data))
    assert {b["regime"] for b in data["risk"]["basis"]} == {"GxP", "GDPR"}   # the AI Act joins from 2 Aug 2028
    assert failing(data) == {"eu-trustworthy-ai": set(), "gdpr": set(), "gxp-alcoa": set(),
                             "mlops-practices": set(), "mlcompliance": set()}
    assert {f["outcome"] for f in data["findings"]} == {"pass", "not_applicable", "manual"}
    gxp = next(p for p in data["summary"]["packs"] if p["id"] == "gxp-alcoa")
    assert gxp["score"]["raw"] == 100.0 and gxp["manual"] == {"total": 4, "attested": 4}


def test_xray_anomaly_alcoa_evidence_is_really_checked(sample_check):
    _, data = sample_check("xray-anomaly")
    rules = ("GXP-ORIGINAL-FILE-HASH", "MLOPS-06-DATA-HASH-MATCHES", "GXP-ORIGINAL-CHAIN-STARTS-AT-RAW",
             "GXP-ORIGINAL-TRANSFORMATIONS-RECORDED", "P11-11.10E-AUDIT-TRAIL", "P11-11.70-SIGNED-WHAT-WAS-VALIDATED",
             "P11-11.10A-SYSTEM-VALIDATED", "GXP-PCCP-PLAN", "GXP-PCCP-CHANGE-IN-PLAN", "GDPR-ART9-CONDITION-DECLARED",
             "GDPR-ART35-1-DPIA-APPROVED", "GMLP-P5-REFERENCE-STANDARD")
    seen = outcomes_of(data, lambda r: r in rules)
    assert set(seen) == set(rules) and all(passed(o) for o in seen.values()), seen
    hashed = {f["location"]["target"]: f["outcome"] for f in data["findings"] if f["rule_id"] == "GXP-ORIGINAL-FILE-HASH"}
    assert hashed["/datasets/2"] == "pass"   # the shipped OQ reference set; the others live on WORM storage


def test_xray_anomaly_annex_i_duties_apply_from_2_august_2028_and_pass(sample_check):
    _, now = sample_check("xray-anomaly")
    annex1 = outcomes_of(now, lambda r: r.endswith("-ANNEX1"))
    assert annex1 and all(o == {"not_applicable"} for o in annex1.values())
    code, later = sample_check("xray-anomaly", "2028-09-01")
    applied = outcomes_of(later, lambda r: r.endswith("-ANNEX1"))
    assert not [r for r, o in applied.items() if o - {"pass", "not_applicable"}]
    ok = {r for r, o in applied.items() if passed(o)}
    assert len(ok) >= 30
    assert {"EUAI-ART9-RISK-REGISTER-ANNEX1", "EUAI-ART12-AUTOMATIC-LOGGING-ANNEX1",
            "EUAI-ART14-OVERSIGHT-MEASURES-ANNEX1", "EUAI-ART43-ASSESSED-ANNEX1",
            "EUAI-ART44-CERTIFICATE-VALID-ANNEX1", "EUAI-ART72-PMM-PLAN-ANNEX1"} <= ok
    # the only AI Act finding that fails two years on is the yearly AI-literacy refresher
    assert failing(later)["eu-trustworthy-ai"] == {"EUAI-ART4-LITERACY-CURRENT"}
    assert code == 1   # date-driven records of the other packs (reviews, tests) are stale by then


# --- support-chatbot: under-declared tier, Art. 50 transparency --------------------------------

def test_support_chatbot_is_checked_at_the_derived_tier_limited(sample_check):
    code, data = sample_check("support-chatbot")
    assert code == 1 and data["gate"]["verdict"] == "non_compliant"
    assert (data["risk"]["declared"], data["risk"]["derived"], data["risk"]["tier"]) == ("minimal", "limited", "limited")
    assert data["gate"]["tier"] == "limited" and data["gate"]["fail_on"] == "high"
    assert clauses(data)[0].startswith("Art. 50(1)")
    assert {b["regime"] for b in data["risk"]["basis"]} == {"EU AI Act", "GDPR"}
    tier = next(f for f in data["findings"] if f["rule_id"] == "MLC-TIER-DECLARED")
    assert (tier["outcome"], tier["severity"], tier["observed"]) == ("fail", "high", "minimal")
    assert tier["location"]["file"] == "model_card.yaml" and tier["location"]["pointer"] == "/risk/tier"


def test_support_chatbot_fails_exactly_the_documented_rules(sample_check):
    _, data = sample_check("support-chatbot")
    assert failing(data) == CHATBOT_FAILURES
    blocking = {f["rule_id"] for f in data["findings"] if f["fingerprint"] in data["gate"]["blocking"]}
    assert blocking == {"MLC-TIER-DECLARED", "EUAI-ART6-CATEGORY-CONSISTENT", "EUAI-ART50-1-AI-DISCLOSURE"}
    # rules that only exist above minimal are what exposes two of the gaps
    by_rule = {f["rule_id"]: f for f in data["findings"] if f["outcome"] == "fail"}
    assert by_rule["GDPR-ART32-1B-MODEL-PRIVACY-ATTACKS"]["severity"] == "medium"
    assert by_rule["HLEG-R5-ACCESSIBILITY"]["severity"] == "low"
    # on the market before 2 Aug 2026: content marking is only due from 2 Dec 2026
    marking = outcomes_of(data, lambda r: r.startswith("EUAI-ART50-2"))
    assert marking == {"EUAI-ART50-2-CONTENT-MARKED": {"not_applicable"},
                       "EUAI-ART50-2-CONTENT-MARKED-LEGACY": {"not_applicable"}}


def test_support_chatbot_art_50_dates(sample_check):
    _, before = sample_check("support-chatbot", "2026-07-15")
    assert outcomes_of(before, lambda r: r == "EUAI-ART50-1-AI-DISCLOSURE") == {
        "EUAI-ART50-1-AI-DISCLOSURE": {"not_applicable"}}
    _, later = sample_check("support-chatbot", "2026-12-15")
    # a text-only generator: its 2025 Art. 5 screening still covers it (points (ba)/(bb) concern
    # images, video and audio; eu-trustworthy-ai 1.2.0, audit L10)
    assert failing(later)["eu-trustworthy-ai"] == CHATBOT_FAILURES["eu-trustworthy-ai"] | {
        "EUAI-ART50-2-CONTENT-MARKED-LEGACY"}


# --- invoice-late-payment: minimal tier, three packs, compliant --------------------------------

def test_invoice_late_payment_is_compliant_under_three_packs(sample_check, checks):
    code, data = sample_check("invoice-late-payment")
    assert code == 0 and data["gate"]["verdict"] == "compliant"
    assert [p["id"] for p in data["packs"]] == ["eu-trustworthy-ai", "gdpr", "mlops-practices"]
    assert (data["risk"]["declared"], data["risk"]["derived"], data["risk"]["tier"]) == ("minimal",) * 3
    assert data["risk"]["basis"] == []
    assert failing(data) == {"eu-trustworthy-ai": set(), "gdpr": set(), "mlops-practices": set(), "mlcompliance": set()}
    assert {f["outcome"] for f in data["findings"]} <= {"pass", "not_applicable", "manual"}
    general = outcomes_of(data, lambda r: r in ("EUAI-ART5-SCREENING-DONE", "EUAI-ART6-CLASSIFIED",
                                                "EUAI-ART4-LITERACY-PROGRAMME", "EUAI-ART4-LITERACY-CURRENT",
                                                "HLEG-R6-TRAINING-ENERGY"))
    assert general == {r: {"pass"} for r in general} and len(general) == 5
    # B2B data: no personal data, so no GDPR rule is scored
    assert pack_score(data, "gdpr")["raw"] is None
    assert checks.run(SAMPLES / "invoice-late-payment", fmt="text", options=("--fail-on", "info")).exit_code == 0


# --- every sample in one portfolio (every format of every sample: test_render_equals_check.py) ---

def test_recursive_check_includes_every_sample(checks):
    result = checks.run("--recursive", SAMPLES)
    assert result.exit_code == 2   # the deliberately broken sample is reported as an input error
    data = result.json()
    rows = {m["project"].rsplit("/", 1)[-1]: m for m in data["matrix"]}
    assert {n: rows[n]["verdict"] for n in NEW_SAMPLES + ("invoice-late-payment",)} == {
        "credit-scoring": "non_compliant", "xray-anomaly": "compliant",
        "support-chatbot": "non_compliant", "invoice-late-payment": "compliant"}
