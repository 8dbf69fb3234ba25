"""The case projects of the pack-fidelity audit (section 4.3), end to end through the real CLI.

Each test copies a sample project, applies the edits the audit lists to its YAML, runs
``mlcompliance check DIR --as-of DATE --format json`` with the newest packs (every sample pins
``>=1.0,<2`` or ``~=1.0``, which resolves to the newest version) and the gate the audit states
(the project's gate, or the default gate with the ``gate`` section removed), and asserts the
*corrected* outcome: the derived tier, the key findings and the exit code. The docstrings name the
case, the defect id and what the audit saw with the 1.0.0 packs.

The audit's base samples had no ``placed_on_market_at`` / ``significant_design_changes`` (added
since for amended Art. 111(2), L2). Where a case is about the Annex III rules applying, those two
fields are removed again, as in the audit's base; without them a system is not legacy (fail closed).
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from helpers import SAMPLES, cli

AUDIT_DAY = "2026-12-04"     # the law as of which the audit was made
ANNEX_III_DAY = "2027-12-15"  # after Art. 6(2) / Annex III applies (2 Dec 2027, Art. 113 as amended)
NEWEST = {"eu-trustworthy-ai": "1.3.0", "gdpr": "1.3.0", "gxp-alcoa": "1.1.0", "pra-ss1-23": "1.1.0",
          "mlops-practices": "1.4.0"}


# --- helpers -------------------------------------------------------------------------------------

def edit(path: Path, change: Callable[[dict], object]) -> None:
    """Load a YAML file of the copy, change it in place, write it back (safe PyYAML only)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def project(tmp_path: Path, sample: str, card: Callable[[dict], object] | None = None, *,
            add_packs: tuple[str, ...] = (), default_gate: bool = False,
            manifest: Callable[[dict], object] | None = None) -> Path:
    """A copy of ``sample_projects/<sample>`` with the audit's edits applied."""
    root = Path(shutil.copytree(SAMPLES / sample, tmp_path / sample))
    if card:
        edit(root / "model_card.yaml", card)
    if manifest:
        edit(root / "data_manifest.yaml", manifest)

    def config(doc: dict) -> None:
        doc["packs"].update({p: ">=1.0,<2" for p in add_packs})
        if default_gate:
            doc.pop("gate", None)
    edit(root / "mlcompliance.yaml", config)
    return root


def check(root: Path, as_of: str) -> tuple[int, dict]:
    res = cli("check", root, "--as-of", as_of, "--format", "json")
    assert res.exit_code in (0, 1), res.output
    data = json.loads(res.stdout)
    for pack in data["packs"]:   # the corrected outcome is the newest packs'
        assert pack["version"] == NEWEST[pack["id"]], pack
    return res.exit_code, data


def outcomes(data: dict, rule: str) -> set[str]:
    return {f["outcome"] for f in data["findings"] if f["rule_id"] == rule}


def blocking(data: dict) -> set[str]:
    return {f["rule_id"] for f in data["findings"] if f["fingerprint"] in data["gate"]["blocking"]}


def tiers(data: dict) -> tuple:
    return data["risk"]["declared"], data["risk"]["derived"], data["risk"]["tier"]


def annex3(data: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in data["findings"]:
        if f["rule_id"].endswith("-ANNEX3"):
            out.setdefault(f["rule_id"], set()).add(f["outcome"])
    return out


def not_legacy(card: dict) -> None:
    """The audit's base: no placement date and no change record, so not a legacy system (fail closed)."""
    card["risk"]["eu_ai_act"].pop("placed_on_market_at", None)
    card["risk"]["eu_ai_act"].pop("significant_design_changes", None)


# --- c1 / c1b / c8: the AI Act from facts, not labels (L1, L11) ----------------------------------

def c1_card(category: str) -> Callable[[dict], None]:
    def change(card: dict) -> None:
        not_legacy(card)
        card["risk"]["eu_ai_act"].update(
            category=category, annex_iii_point="5b",
            art6_3={"claimed": True, "condition": "d", "rationale_ref": "https://dms.example.com/art6-3",
                    "profiling": False, "registration_id": "EUDB-NHR-2026-00042"})
        card["decision"] = {"automation": "human_in_the_loop", "effect": "similarly_significant", "profiling": True}
        card["risk"]["pra"] = {"in_scope": False}
        card["risk"]["tier"] = "limited"
    return change


def test_c1_failed_art_6_3_claim_under_category_minimal_gets_the_annex_iii_duties(tmp_path):
    """Audit c1, defects L1 and L11. A 5(b) creditworthiness model declared `category: minimal`,
    claiming Art. 6(3)(d) although it profiles. Before: on 2027-12-15 only EUAI-ART6-3-NO-PROFILING
    failed and every Annex III rule was not applicable, because the rules keyed on the declared
    category. Now the rules key on the derived classification: the Annex III duties apply and fail
    as for the honest card (c1b), and the false category is itself a critical finding.
    On 2026-12-04 the tier is high through GDPR Art. 35(3)(a) (profiling with significant effect),
    and the Annex III fact is only recorded with its date (Art. 6 applies to it from 2 Dec 2027)."""
    root = project(tmp_path, "credit-scoring", c1_card("minimal"))
    code, now = check(root, AUDIT_DAY)
    assert code == 1 and tiers(now) == ("limited", "high", "high")
    assert now["risk"]["regimes"]["EU AI Act"] == "minimal"          # L11: not yet high-risk on 2026-12-04
    pending = [f for f in now["risk"]["facts"] if f["fact"].endswith("/annex_iii_point")]
    assert [f["applies_from"] for f in pending] == ["2027-12-02"]
    assert "derogation does not hold" in pending[0]["clause"]
    assert any(b["clause"].startswith("Art. 35(3)(a)") for b in now["risk"]["basis"])
    assert outcomes(now, "MLC-TIER-DECLARED") == {"fail"}
    assert outcomes(now, "EUAI-ART6-3-NO-PROFILING") == {"not_applicable"}
    assert outcomes(now, "GDPR-ART35-1-DPIA-APPROVED") == {"pass"}   # art35_3_case
    assert all(o == {"not_applicable"} for o in annex3(now).values())

    code, later = check(root, ANNEX_III_DAY)
    assert code == 1 and tiers(later) == ("limited", "high", "high")
    assert later["risk"]["regimes"]["EU AI Act"] == "high"
    assert any("Annex III point 5(b): the Art. 6(3) derogation does not hold" in b["clause"]
               for b in later["risk"]["basis"])
    assert outcomes(later, "EUAI-ART6-3-NO-PROFILING") == {"fail"}
    assert outcomes(later, "EUAI-ART6-CATEGORY-CONSISTENT") == {"fail"}
    applied = annex3(later)
    failed = {r for r, o in applied.items() if "fail" in o}
    assert failed == {"EUAI-ART12-AUTOMATIC-LOGGING-ANNEX3"}
    assert outcomes(later, "EUAI-ART49-1-PROVIDER-REGISTERED") == {"fail"}
    assert sum(1 for o in applied.values() if "pass" in o) >= 35
    assert {"EUAI-ART6-3-NO-PROFILING", "EUAI-ART6-CATEGORY-CONSISTENT", "EUAI-ART49-1-PROVIDER-REGISTERED",
            "EUAI-ART12-AUTOMATIC-LOGGING-ANNEX3", "MLC-TIER-DECLARED"} <= blocking(later)


def test_c1b_the_honest_category_gets_the_same_annex_iii_outcome_as_c1(tmp_path):
    """Audit c1b (the control for c1, L1). With `category: high_risk_annex_iii` the audit saw the
    full Annex III set, with EUAI-ART49-1 (critical) and EUAI-ART12 (high) failing. That is still so,
    and c1 now gets exactly the same Annex III outcomes: the declared word no longer decides."""
    honest = project(tmp_path / "b", "credit-scoring", c1_card("high_risk_annex_iii"))
    dishonest = project(tmp_path / "a", "credit-scoring", c1_card("minimal"))
    code, b = check(honest, ANNEX_III_DAY)
    _, a = check(dishonest, ANNEX_III_DAY)
    assert code == 1 and tiers(b) == ("limited", "high", "high")
    assert annex3(a) == annex3(b) and len(annex3(b)) >= 45
    assert outcomes(b, "EUAI-ART6-CATEGORY-CONSISTENT") == {"pass"}
    assert {"EUAI-ART49-1-PROVIDER-REGISTERED", "EUAI-ART12-AUTOMATIC-LOGGING-ANNEX3"} <= blocking(b)


def test_c1_category_minimal_is_not_inconsistent_before_annex_iii_applies(tmp_path):
    """Audit c1 on 2026-12-04 (L11) and the pack's own rule EUAI-ART6-CATEGORY-CONSISTENT. The audit
    holds the AI Act Art. 6 rules not applicable on 2026-12-04 "correct, from 2027-12-02". The
    consistency rule (added in 1.2.0, from 2 Feb 2025) compared the declared category with the
    classification the facts give *once every date has come*, so `minimal` on a 5(b) system failed
    (critical, blocking) in 2026, before Art. 6(2) applies to it: the gate tightened on a legal basis
    not yet in force, the L11 defect in the pack. In 1.3.0 it compares with the category in force on
    the as-of date; the pending one is named, and the rule fails from 2 Dec 2027 (c1 test above).
    Here the GDPR regime is taken out (no profiling, no significant effect), so only the AI Act
    facts matter."""
    def change(card: dict) -> None:
        c1_card("minimal")(card)
        card["decision"] = {"automation": "advisory", "effect": "none", "profiling": False}
        card["risk"]["eu_ai_act"].pop("art6_3")
    root = project(tmp_path, "credit-scoring", change)
    _, now = check(root, AUDIT_DAY)
    assert outcomes(now, "EUAI-ART6-CATEGORY-CONSISTENT") == {"pass"}
    assert "EUAI-ART6-CATEGORY-CONSISTENT" not in blocking(now)
    _, later = check(root, ANNEX_III_DAY)
    failed = [f for f in later["findings"] if f["rule_id"] == "EUAI-ART6-CATEGORY-CONSISTENT"]
    assert [f["outcome"] for f in failed] == ["fail"] and failed[0]["severity"] == "critical"
    assert "high_risk_annex_iii" in failed[0]["message"]


def test_c8_category_minimal_with_point_5b_is_high_risk_and_inconsistent(tmp_path):
    """Audit c8, defect L1. `category: minimal` with `annex_iii_point: 5b`, no derogation, tier high,
    as of 2027-12-15. Before: all 54 Annex III rules not applicable, 0 failures, no inconsistency
    finding. Now (audit's base, not legacy): the Annex III rules apply and fail where the evidence
    is missing (Art. 49(1), Art. 12), and EUAI-ART6-CATEGORY-CONSISTENT fails critical."""
    def change(card: dict) -> None:
        not_legacy(card)
        card["risk"]["eu_ai_act"]["category"] = "minimal"
    code, data = check(project(tmp_path, "credit-scoring", change), ANNEX_III_DAY)
    assert code == 1 and tiers(data) == ("high", "high", "high")
    assert data["risk"]["regimes"]["EU AI Act"] == "high"
    consistent = [f for f in data["findings"] if f["rule_id"] == "EUAI-ART6-CATEGORY-CONSISTENT"]
    assert [(f["outcome"], f["severity"]) for f in consistent] == [("fail", "critical")]
    assert "minimal" in consistent[0]["message"] and "high_risk_annex_iii" in consistent[0]["message"]
    applied = annex3(data)
    assert sum(1 for o in applied.values() if "pass" in o) >= 35
    assert {"EUAI-ART49-1-PROVIDER-REGISTERED", "EUAI-ART12-AUTOMATIC-LOGGING-ANNEX3",
            "EUAI-ART6-CATEGORY-CONSISTENT"} <= blocking(data)


def test_c8_on_the_current_sample_is_legacy_but_still_inconsistent(tmp_path):
    """Audit c8 on today's credit-scoring sample, which records its placement (2025-10-13) and no
    significant design change: under amended Art. 111(2) (L2) the Annex III duties do not apply,
    whatever the category says, but the false category still fails (L1) and the legacy status is
    put to a person (manual EUAI-ART111-LEGACY-STATUS)."""
    code, data = check(project(tmp_path, "credit-scoring",
                               lambda c: c["risk"]["eu_ai_act"].update(category="minimal")), ANNEX_III_DAY)
    assert code == 1
    assert all(o == {"not_applicable"} for o in annex3(data).values())
    assert outcomes(data, "EUAI-ART6-CATEGORY-CONSISTENT") == {"fail"}
    assert outcomes(data, "EUAI-ART111-LEGACY-STATUS") == {"manual"}


# --- c2: GxP indirect impact (L9, L16) -----------------------------------------------------------

def test_c2_unvalidated_indirect_impact_tool_blocks_on_validation_under_the_default_gate(tmp_path):
    """Audit c2, defects L16, L9 and C1. B2B invoice model with `risk.gxp: {impact: indirect,
    gamp_category: 4}`, declared minimal, default gate. Before: P11-11.10A-SYSTEM-VALIDATED (high) did
    not block at limited while the audit trail (critical) did, inverting GAMP's order; Part 11 was
    applied with no jurisdiction; MLC-TIER-DECLARED and GAMP5-TIER-REFLECTS-IMPACT both fired. Now
    validation is critical and blocks, the missing jurisdiction is a finding (both Part 11 and
    Annex 11 applied, fail closed), the reason for change is Annex 11 §9 (not 11.10(e)), and the
    under-declared tier is one engine finding."""
    def change(card: dict) -> None:
        card["risk"]["gxp"] = {"impact": "indirect", "gamp_category": 4}
    code, data = check(project(tmp_path, "invoice-late-payment", change, add_packs=("gxp-alcoa",),
                               default_gate=True), AUDIT_DAY)
    assert code == 1 and tiers(data) == ("minimal", "limited", "limited")
    assert data["gate"]["fail_on"] == "high"
    assert data["risk"]["regimes"]["GxP"] == "limited"
    validated = [f for f in data["findings"] if f["rule_id"] == "P11-11.10A-SYSTEM-VALIDATED"]
    assert [(f["outcome"], f["severity"]) for f in validated] == [("fail", "critical")]
    assert {"P11-11.10A-SYSTEM-VALIDATED", "P11-11.10E-AUDIT-TRAIL", "GXP-JURISDICTION-DECLARED",
            "MLC-TIER-DECLARED"} <= blocking(data)
    assert outcomes(data, "A11-9-REASON-FOR-CHANGE") == {"fail"}
    trail = next(f for f in data["findings"] if f["rule_id"] == "P11-11.10E-AUDIT-TRAIL")
    reason = next(f for f in data["findings"] if f["rule_id"] == "A11-9-REASON-FOR-CHANGE")
    assert all("11.10(e)" not in r["clause"] for r in reason["references"])   # L9: Annex 11 §9, not Part 11
    assert any("11.10(e)" in r["clause"] for r in trail["references"])
    tier_rules = {f["rule_id"] for f in data["findings"] if f["outcome"] == "fail" and "TIER" in f["rule_id"]}
    assert tier_rules == {"MLC-TIER-DECLARED"}                          # C1: one finding per fact
    assert not outcomes(data, "GAMP5-TIER-REFLECTS-IMPACT")


# --- c3 / c3b: the Art. 50 chatbot (L4, L10, C1) -------------------------------------------------

@pytest.mark.parametrize("as_of, legacy_marking", [("2026-11-30", "not_applicable"), ("2026-12-04", "fail")])
def test_c3_chatbot_art_50(tmp_path, as_of, legacy_marking):
    """Audit c3 (L10, C1). The support-chatbot sample as it is (declared minimal, interacts and
    generates text, `ai_disclosure: false`). Right before and still right: EUAI-ART50-1 fails on
    both dates; EUAI-ART50-2-CONTENT-MARKED-LEGACY fails from 2 Dec 2026 (Art. 111(4)). Corrected:
    EUAI-ART5-SCREENING-COVERS-OMNIBUS no longer fails a text-only model (Art. 5(1)(ba)/(bb) concern
    image, video and audio generators, L10); the under-declared tier is one finding
    (MLC-TIER-DECLARED), not two (EUAI-ART6-TIER-MATCHES-CATEGORY is gone, C1)."""
    code, data = check(project(tmp_path, "support-chatbot"), as_of)
    assert code == 1 and tiers(data) == ("minimal", "limited", "limited")
    assert outcomes(data, "EUAI-ART50-1-AI-DISCLOSURE") == {"fail"}
    assert outcomes(data, "EUAI-ART50-2-CONTENT-MARKED") == {"not_applicable"}
    assert outcomes(data, "EUAI-ART50-2-CONTENT-MARKED-LEGACY") == {legacy_marking}
    assert outcomes(data, "EUAI-ART5-SCREENING-COVERS-OMNIBUS") == {"not_applicable"}
    assert outcomes(data, "MLC-TIER-DECLARED") == {"fail"}
    assert not outcomes(data, "EUAI-ART6-TIER-MATCHES-CATEGORY")


@pytest.mark.parametrize("as_of, art50", [("2026-11-30", {"EUAI-ART50-1-AI-DISCLOSURE"}),
                                          ("2026-12-04", {"EUAI-ART50-1-AI-DISCLOSURE",
                                                          "EUAI-ART50-2-CONTENT-MARKED-LEGACY"})])
def test_c3b_art_50_failures_block_a_limited_chatbot_under_the_default_gate(tmp_path, as_of, art50):
    """Audit c3b, defect L4. The chatbot declared `tier: limited`, default gate. Before: exit 0,
    "compliant", although Art. 50(1) and 50(2) both failed (Art. 50 rules high, default gate blocked
    only critical at limited). Now the default threshold at limited is high: the Art. 50 failures
    block and the exit code is 1."""
    root = project(tmp_path, "support-chatbot", lambda c: c["risk"].update(tier="limited"), default_gate=True)
    code, data = check(root, as_of)
    assert tiers(data) == ("limited", "limited", "limited")
    assert data["gate"]["fail_on"] == "high" and data["gate"]["verdict"] == "non_compliant"
    assert code == 1
    assert art50 <= blocking(data)
    assert outcomes(data, "MLC-TIER-DECLARED") == {"pass"}


# --- c4 / c4b: PRA low materiality, high complexity (L14, C1, C4) --------------------------------

def c4_card(declared_pra_tier: int) -> Callable[[dict], None]:
    def change(card: dict) -> None:
        card["risk"]["pra"] = {"in_scope": True, "materiality": "low", "complexity": "high",
                               "tier": declared_pra_tier}
        card["validation"].update(date="2026-09-20", next_due="2029-03-20")
    return change


@pytest.mark.parametrize("declared_pra_tier", [3, 2])
def test_c4_c4b_pra_intensity_keys_on_the_matrix_tier_and_blocks(tmp_path, declared_pra_tier):
    """Audit c4 / c4b, defects L14, C1 and C4. Invoice model with PRA `{low, high, tier: 3}` (c4) or
    tier 2 (c4b), validation 2026-09-20 next due 2029-03-20, declared minimal, default gate.
    Before: PRA-P1.3-TOOL-TIER-ALIGNED passed while the engine failed; the 36-month T3 interval
    passed on the declared tier 3; 23 PRA failures and "compliant" (PRA never blocked below high).
    Now: the matrix gives tier 2 whatever is declared, so the 24-month interval applies and fails
    (912 > 731 days) in both variants; the pack copy of the tier check is gone (one engine finding);
    and PRA failures block under the default gate."""
    root = project(tmp_path, "invoice-late-payment", c4_card(declared_pra_tier), add_packs=("pra-ss1-23",),
                   default_gate=True)
    code, data = check(root, AUDIT_DAY)
    assert code == 1 and tiers(data) == ("minimal", "limited", "limited")
    assert data["risk"]["regimes"]["PRA SS1/23"] == "limited"
    assert outcomes(data, "PRA-P1.3-TIER-MATRIX") == ({"fail"} if declared_pra_tier == 3 else {"pass"})
    assert not outcomes(data, "PRA-P1.3-TOOL-TIER-ALIGNED")
    interval = [f for f in data["findings"] if f["rule_id"] == "PRA-P4.5-REVALIDATION-INTERVAL-T2"]
    assert [f["outcome"] for f in interval] == ["fail"] and "912 days" in interval[0]["message"]
    assert "policy" in interval[0]["message"]                           # L14: labelled as policy
    assert outcomes(data, "PRA-P4.5-REVALIDATION-INTERVAL-T3") == {"not_applicable"}
    assert outcomes(data, "MLC-TIER-DECLARED") == {"fail"}
    pra_blocking = {r for r in blocking(data) if r.startswith("PRA-")}
    assert pra_blocking and data["gate"]["verdict"] == "non_compliant"


# --- c5 family: Art. 5 (L3, L10, L11, C3) --------------------------------------------------------

def test_c5_social_scoring_is_prohibited_and_keeps_the_high_risk_checks(tmp_path):
    """Audit c5 (right before) and C3. `practices_matched: [c]`, declared high with an override to
    high: tier prohibited, the override refused, EUAI-ART5-NO-PROHIBITED-PRACTICE fails critical.
    Before, C3: at tier prohibited every rule whose tier map lacked `prohibited` was not applicable
    (Art. 50 and the high-risk duties), so a prohibited system got fewer checks than a high one.
    Now the Annex III rules are evaluated at tier prohibited too (audit's base, not legacy)."""
    def change(card: dict) -> None:
        not_legacy(card)
        card["risk"]["eu_ai_act"]["art5_screening"]["practices_matched"] = ["c"]
        card["risk"]["override"] = {"to": "high", "justification": "risk accepted by the CRO",
                                    "approved_by": "Chief Risk Officer", "approved_at": "2026-11-20"}
    root = project(tmp_path, "credit-scoring", change)
    code, data = check(root, ANNEX_III_DAY)
    assert code == 1 and tiers(data) == ("high", "prohibited", "prohibited")
    assert "cannot be overridden" in data["risk"]["problems"][0]["message"]
    art5 = [f for f in data["findings"] if f["rule_id"] == "EUAI-ART5-NO-PROHIBITED-PRACTICE"]
    assert [(f["outcome"], f["severity"]) for f in art5] == [("fail", "critical")]
    applied = annex3(data)
    assert sum(1 for o in applied.values() if "pass" in o) >= 35             # C3: not switched off
    assert "fail" in outcomes(data, "EUAI-ART49-1-PROVIDER-REGISTERED")


def c5b_card(card: dict) -> None:
    not_legacy(card)
    act = card["risk"]["eu_ai_act"]
    act["art5_screening"].update(practices_matched=["h"], authorisation_ref="court-order-2027-114")
    act.update(annex_iii_point="1a", deployer_type="public_body", role="deployer")


def test_c5b_c5e_authorised_real_time_rbi_is_high_risk_with_its_annex_iii_1a_duties(tmp_path):
    """Audit c5b / c5e, defect L3. `practices_matched: [h]` with `authorisation_ref`, Annex III
    point 1(a), a public-body deployer. Before: tier prohibited (override refused) while the Art. 5
    rule passed, and on 2027-12-15 EUAI-ART14-RBI-TWO-PERSON, EUAI-ART12-RBI-LOG-FIELDS,
    EUAI-ART27-FRIA-DONE and EUAI-ART49-3 were all not applicable. Now an authorised Art. 5(1)(h)
    use (Art. 5(2)-(3)) is high-risk remote biometric identification: tier high, and the four duties
    apply and fail on this card, which has none of them."""
    root = project(tmp_path, "credit-scoring", c5b_card)
    code, data = check(root, ANNEX_III_DAY)
    assert code == 1 and tiers(data) == ("high", "high", "high")
    assert data["risk"]["regimes"]["EU AI Act"] == "high" and not data["risk"]["problems"]
    assert any("authorised Art. 5(1)(h) use" in b["clause"] for b in data["risk"]["basis"])
    assert outcomes(data, "EUAI-ART5-NO-PROHIBITED-PRACTICE") == {"pass"}
    duties = ("EUAI-ART14-RBI-TWO-PERSON", "EUAI-ART12-RBI-LOG-FIELDS", "EUAI-ART27-FRIA-DONE",
              "EUAI-ART49-3-PUBLIC-DEPLOYER-REGISTERED")
    for rule in duties:
        assert outcomes(data, rule) == {"fail"}, rule
    assert set(duties) <= blocking(data)


def test_c5c_free_text_practice_is_refused_with_file_and_line(tmp_path):
    """Audit c5c, defect L3. `practices_matched: ["social_scoring"]`. Before: tier prohibited while
    EUAI-ART5-NO-PROHIBITED-PRACTICE passed. Now the list is enumerated (a, b, ba, bb, c-h): the
    evidence is refused with file:line and exit 2, so tier and rule can no longer disagree."""
    root = project(tmp_path, "credit-scoring",
                   lambda c: c["risk"]["eu_ai_act"]["art5_screening"].update(practices_matched=["social_scoring"]))
    res = cli("check", root, "--as-of", AUDIT_DAY, "--format", "json")
    assert res.exit_code == 2
    assert "model_card.yaml:" in res.stderr and "social_scoring" in res.stderr and "Traceback" not in res.output


@pytest.mark.parametrize("as_of, tier, ncii", [("2026-11-30", "high", "not_applicable"),
                                               ("2026-12-04", "prohibited", "fail")])
def test_c5d_art_5_1_ba_prohibits_only_from_2_december_2026(tmp_path, as_of, tier, ncii):
    """Audit c5d, defect L11. `practices_matched: [ba]` on 2026-11-30 and 2026-12-04. Before: tier
    prohibited on both dates, the basis citing Art. 5(1)(ba) before it applied (the pack was right:
    EUAI-ART5-NO-NCII-CSAM not applicable, then critical). Now the engine agrees with the pack: the
    (ba) fact raises the tier only from 2 Dec 2026 and says so before then."""
    root = project(tmp_path, "credit-scoring",
                   lambda c: c["risk"]["eu_ai_act"]["art5_screening"].update(practices_matched=["ba"]))
    code, data = check(root, as_of)
    assert code == 1 and data["risk"]["tier"] == tier
    assert outcomes(data, "EUAI-ART5-NO-NCII-CSAM") == {ncii}
    ba = [f for f in data["risk"]["facts"] if f["fact"].endswith("/practices_matched")]
    if tier == "high":
        assert ba[0]["applies_from"] == "2026-12-02" and "not yet on 2026-11-30" in ba[0]["clause"]
        assert not any("(ba)" in b["clause"] for b in data["risk"]["basis"])
    else:
        assert data["risk"]["basis"][0]["clause"].startswith("Art. 5(1): prohibited AI practice (ba)")
        assert "EUAI-ART5-NO-NCII-CSAM" in blocking(data)


# --- c6 / c6b / c6c: no declaration (L6) ---------------------------------------------------------

def test_c6_no_declared_tier_is_checked_as_high(tmp_path):
    """Audit c6 (right before, and still): the invoice model without `risk.tier` is checked as high
    (fail closed), MLC-TIER-DECLARED fails at medium, and with no high finding the exit code is 0.
    No DPIA is required: no personal data, no Art. 35 trigger (L6)."""
    code, data = check(project(tmp_path, "invoice-late-payment", lambda c: c["risk"].pop("tier")), AUDIT_DAY)
    assert code == 0 and tiers(data) == (None, "minimal", "high")
    tier = [f for f in data["findings"] if f["rule_id"] == "MLC-TIER-DECLARED"]
    assert [(f["outcome"], f["severity"]) for f in tier] == [("fail", "medium")]
    assert outcomes(data, "GDPR-ART35-1-DPIA-APPROVED") == {"not_applicable"}


@pytest.mark.parametrize("tier", [None, "limited"])
def test_c6b_c6c_the_dpia_follows_art_35_not_the_tool_tier(tmp_path, tier):
    """Audit c6b / c6c, defect L6. The e-mail router (personal data, no Art. 35 trigger), all packs,
    default gate, without (c6b) and with (c6c) `tier: limited`. Before: without a tier
    GDPR-ART35-1-DPIA-APPROVED failed critical ("A DPIA is required", citing Art. 35(1),(3)) and
    47 findings blocked; with `limited` there was no DPIA finding. Now no DPIA rule applies either
    way (the condition keys on the Art. 35 triggers); without a tier the project is still checked
    as high (fail closed), and the missing Art. 35(1) screening is an advisory warning."""
    def change(card: dict) -> None:
        if tier:
            card["risk"]["tier"] = tier
        else:
            card["risk"].pop("tier")
    root = project(tmp_path, "support-email-router", change, default_gate=True,
                   add_packs=("gdpr", "eu-trustworthy-ai", "pra-ss1-23", "gxp-alcoa"))
    code, data = check(root, AUDIT_DAY)
    assert code == 1 and data["risk"]["tier"] == (tier or "high")
    for rule in ("GDPR-ART35-1-DPIA-APPROVED", "GDPR-ART35-1-DPIA-BEFORE-PRODUCTION", "GDPR-ART35-11-DPIA-REVIEWED"):
        assert outcomes(data, rule) == {"not_applicable"}, rule
    assert outcomes(data, "GDPR-ART35-1-SCREENING-RECORDED") == ({"warn"} if tier is None else {"not_applicable"})
    assert not {r for r in blocking(data) if r.startswith("GDPR-ART35")}


# --- c9 / c10 / c11 (L7, C2, L8) -----------------------------------------------------------------

def test_c9_a_self_declared_fairness_pass_does_not_hide_a_missed_threshold(tmp_path):
    """Audit c9, defect L7. credit-scoring with one fairness metric at 0.70 < 0.80 and `passed: true`.
    Before: GDPR-ART5-1A-FAIRNESS-TESTED (critical at high, citing a GDPR "pass") passed while the
    HLEG and MLOps threshold rules failed. Now the GDPR rule asks only for a documented assessment of
    discriminatory effects (it passes, and is high), and every metric is checked against the
    project's own threshold by GDPR-ART5-1A-FAIRNESS-THRESHOLDS-MET, labelled as a project threshold,
    not a GDPR one; all three packs now agree, and the miss blocks."""
    root = project(tmp_path, "credit-scoring", lambda c: c["fairness"]["metrics"][1].update(value=0.70))
    code, data = check(root, AUDIT_DAY)
    assert code == 1
    tested = [f for f in data["findings"] if f["rule_id"] == "GDPR-ART5-1A-FAIRNESS-TESTED"]
    assert [(f["outcome"], f["severity"]) for f in tested] == [("pass", "high")]
    for rule in ("GDPR-ART5-1A-FAIRNESS-THRESHOLDS-MET", "HLEG-R5-FAIRNESS-THRESHOLDS-MET",
                 "MLOPS-08-FAIRNESS-THRESHOLDS"):
        assert "fail" in outcomes(data, rule), rule
        assert rule in blocking(data), rule
    gdpr = next(f for f in data["findings"] if f["rule_id"] == "GDPR-ART5-1A-FAIRNESS-THRESHOLDS-MET"
                and f["outcome"] == "fail")
    assert "not a GDPR one" in gdpr["message"]
    hleg = next(f for f in data["findings"] if f["rule_id"] == "HLEG-R5-FAIRNESS-ASSESSED")
    assert not any("10(2)(f)" in r["clause"] for r in hleg["references"])


def test_c10_a_warning_quality_check_is_treated_alike_by_every_pack(tmp_path):
    """Audit c10, defect C2 (section 3.2). credit-scoring with one quality check `warn`. Before:
    GDPR-ART5-1D-QUALITY-CHECKS-PASS failed it (high) while PRA-P3.2-DATA-QUALITY and the AI Act
    Art. 10 rules accepted it. Now a warning is not a failure in any pack: the GDPR rule passes and
    the warning is reported by the advisory GDPR-ART5-1D-QUALITY-WARNINGS (warn, never blocks)."""
    def change(manifest: dict) -> None:
        manifest["datasets"][0]["quality"]["checks"][0]["status"] = "warn"
    root = project(tmp_path, "credit-scoring", manifest=change)
    _, data = check(root, AUDIT_DAY)
    def on_warned_dataset(rule: str) -> list[str]:
        return [f["outcome"] for f in data["findings"]
                if f["rule_id"] == rule and f["location"]["pointer"].startswith(("/datasets/0/", "/datasets/0"))
                and f["location"]["pointer"].split("/")[2] == "0"]
    assert on_warned_dataset("GDPR-ART5-1D-QUALITY-CHECKS-PASS") == ["pass"]
    assert on_warned_dataset("PRA-P3.2-DATA-QUALITY") == ["pass"]
    assert "warn" in on_warned_dataset("GDPR-ART5-1D-QUALITY-WARNINGS")
    assert not {r for r in blocking(data) if "QUALITY" in r}
    # the AI Act Art. 10 rule agrees once it applies (audit's base, not legacy)
    root2 = project(tmp_path / "later", "credit-scoring", not_legacy, manifest=change)
    _, later = check(root2, ANNEX_III_DAY)
    art10 = [f["outcome"] for f in later["findings"] if f["rule_id"] == "EUAI-ART10-DATA-QUALITY-ANNEX3"
             and f["location"]["pointer"].split("/")[2:3] == ["0"]]
    assert art10 == ["pass"]


def test_c11_profiling_under_human_review_is_high_and_blocks(tmp_path):
    """Audit c11, defect L8 (section 3.2). credit-scoring with the AI Act out of scope, PRA out,
    a person in the loop, profiling with a significant effect, default gate. Before: tier limited,
    the high GDPR-ART5-1E-RETENTION-NOT-EXCEEDED failure did not block, "compliant", although the
    pack's own `art35_3_case` made the DPIA mandatory. Now the GDPR regime derives high from
    Art. 35(3)(a) (not limited to solely automated decisions), and the retention failure blocks."""
    def change(card: dict) -> None:
        act = card["risk"]["eu_ai_act"]
        act.update(category="out_of_scope")
        for key in ("annex_iii_point", "placed_on_market_at", "significant_design_changes"):
            act.pop(key, None)
        card["risk"]["pra"] = {"in_scope": False}
        card["risk"]["tier"] = "limited"
        card["decision"] = {"automation": "human_in_the_loop", "effect": "similarly_significant", "profiling": True}
    code, data = check(project(tmp_path, "credit-scoring", change, default_gate=True), AUDIT_DAY)
    assert code == 1 and tiers(data) == ("limited", "high", "high")
    assert data["risk"]["regimes"] == {**data["risk"]["regimes"], "GDPR": "high", "EU AI Act": "minimal",
                                       "PRA SS1/23": "minimal"}
    assert any(b["clause"].startswith("Art. 35(3)(a)") for b in data["risk"]["basis"])
    assert outcomes(data, "GDPR-ART35-1-DPIA-APPROVED") == {"pass"}
    assert {"GDPR-ART5-1E-RETENTION-NOT-EXCEEDED", "MLC-TIER-DECLARED"} <= blocking(data)
    assert not {r for r in blocking(data) if r.startswith("EUAI-")}


# --- the credit-scoring sample as of 2027-12-15 (L2) ---------------------------------------------

def test_sample_credit_scoring_2027_12_15_is_a_legacy_system(tmp_path):
    """Audit "(sample)", defect L2. The unmodified credit-scoring sample as of 2027-12-15. Before:
    EUAI-ART49-1-PROVIDER-REGISTERED (critical) and EUAI-ART12-AUTOMATIC-LOGGING-ANNEX3 blocked a model
    in production since 2025-10-13. Now, by its evidence (placed on the market 2025-10-13, no
    significant design change), it is a legacy system under amended Art. 111(2): the Annex III duties
    do not apply and do not block, the tier stays high (classification, PRA tier 1, GDPR Art. 22),
    and a person confirms the legacy status (manual EUAI-ART111-LEGACY-STATUS)."""
    code, data = check(project(tmp_path, "credit-scoring"), ANNEX_III_DAY)
    assert code == 1 and data["risk"]["tier"] == "high"
    for rule in ("EUAI-ART49-1-PROVIDER-REGISTERED", "EUAI-ART12-AUTOMATIC-LOGGING-ANNEX3"):
        assert outcomes(data, rule) == {"not_applicable"}, rule
    assert all(o == {"not_applicable"} for o in annex3(data).values())
    assert not {r for r in blocking(data) if r.startswith("EUAI-")}
    assert outcomes(data, "EUAI-ART111-LEGACY-STATUS") == {"manual"}
    assert any("legacy system under Art. 111(2)" in f["clause"] for f in data["risk"]["facts"])


# --- section 3.3: rules that could never fire, or always fired -----------------------------------

def test_s3_3_screening_covers_omnibus_fires_only_for_media_generators(tmp_path):
    """Section 3.3 / L10: EUAI-ART5-SCREENING-COVERS-OMNIBUS fired on every card with a screening dated
    before 27 Jul 2026, whatever the system's capability. The invoice model (tabular, screened
    2026-09-10) and the text chatbot (screened 2025-10-20) are not applicable; the same chatbot
    generating images with its old screening fails."""
    _, invoice = check(project(tmp_path / "i", "invoice-late-payment",
                               lambda c: c["risk"]["eu_ai_act"]["art5_screening"].update(date="2026-01-10")),
                       AUDIT_DAY)
    assert outcomes(invoice, "EUAI-ART5-SCREENING-COVERS-OMNIBUS") == {"not_applicable"}
    _, text = check(project(tmp_path / "t", "support-chatbot"), AUDIT_DAY)
    assert outcomes(text, "EUAI-ART5-SCREENING-COVERS-OMNIBUS") == {"not_applicable"}
    _, images = check(project(tmp_path / "m", "support-chatbot",
                              lambda c: c["intended_use"].update(synthetic_modalities=["text", "image"])), AUDIT_DAY)
    assert outcomes(images, "EUAI-ART5-SCREENING-COVERS-OMNIBUS") == {"fail"}


def test_s3_3_the_tier_rules_no_longer_fire_together():
    """Section 3.3 / C1: the four tier rules fired together, always with MLC-TIER-DECLARED. The
    three pack copies are gone from the newest packs; the engine's rule is the only one."""
    ids = set()
    for pack, version in NEWEST.items():
        for rules in (SAMPLES.parent / "policies" / pack / version / "rules").glob("*.yaml"):
            ids |= {r["id"] for r in yaml.safe_load(rules.read_text(encoding="utf-8")).get("rules", [])}
        main = yaml.safe_load((SAMPLES.parent / "policies" / pack / version / "pack.yaml").read_text(encoding="utf-8"))
        ids |= {r["id"] for r in main.get("rules", []) or []}
    assert ids and not ids & {"EUAI-ART6-TIER-MATCHES-CATEGORY", "PRA-P1.3-TOOL-TIER-ALIGNED",
                              "GAMP5-TIER-REFLECTS-IMPACT"}


def test_s3_3_a_prohibited_system_keeps_art_50_and_gxp_checks(tmp_path):
    """Section 3.3 / C3: rules whose tier map lacked `prohibited` could never fire at tier
    prohibited (Art. 50, every high-risk rule, most GxP maps), so a prohibited system got fewer
    checks than a high one. The chatbot with an Art. 5(1)(c) practice and a direct GxP impact is
    prohibited; its Art. 50 failures and the GxP validation failure still fire and block, and no
    rule is dropped for the tier."""
    def change(card: dict) -> None:
        card["risk"]["eu_ai_act"]["art5_screening"]["practices_matched"] = ["c"]
        card["risk"]["gxp"] = {"impact": "direct"}
    code, data = check(project(tmp_path, "support-chatbot", change, add_packs=("gxp-alcoa",)), AUDIT_DAY)
    assert code == 1 and data["risk"]["tier"] == "prohibited"
    for rule in ("EUAI-ART5-NO-PROHIBITED-PRACTICE", "EUAI-ART50-1-AI-DISCLOSURE", "EUAI-ART50-2-CONTENT-MARKED-LEGACY",
                 "P11-11.10A-SYSTEM-VALIDATED"):
        assert outcomes(data, rule) == {"fail"}, rule
        assert rule in blocking(data), rule
    assert not [f["rule_id"] for f in data["findings"] if "at risk tier" in f["message"]]
