"""Risk tier derivation, one regime at a time, and the declared-vs-derived rules."""
from __future__ import annotations

from datetime import date

import pytest

from mlcompliance.engine.tiering import derive

AS_OF = date(2026, 11, 1)


def tier_of(card: dict, manifest: dict | None = None, declared: str | None = "minimal") -> dict:
    card = {**card}
    risk = dict(card.get("risk", {}))
    if declared:
        risk["tier"] = declared
    card["risk"] = risk
    return derive({"model_card": card, "data_manifest": manifest or {}, "pipeline": {}}, AS_OF)


@pytest.mark.parametrize("act, use, expected, clause", [
    ({"art5_screening": {"completed": True, "practices_matched": ["c"]}}, {}, "prohibited", "Art. 5(1)"),
    ({"category": "prohibited"}, {}, "prohibited", "Art. 5"),
    ({"annex_iii_point": "5b"}, {}, "high", "Annex III point 5(b)"),
    ({"annex_i_legislation": "MDR (EU) 2017/745"}, {}, "high", "Art. 6(1) and Annex I"),
    ({"annex_iii_point": "4a", "art6_3": {"claimed": True, "condition": "d", "rationale_ref": "doc", "profiling": False}},
     {}, "minimal", None),
    ({"annex_iii_point": "4a", "art6_3": {"claimed": True, "condition": "d", "rationale_ref": "doc", "profiling": True}},
     {}, "high", "derogation does not hold"),
    ({"annex_iii_point": "4a", "art6_3": {"claimed": True, "condition": "d"}}, {}, "high", "derogation does not hold"),
    ({}, {"interacts_with_persons": True}, "limited", "Art. 50(1)"),
    ({}, {"generates_synthetic_content": True}, "limited", "Art. 50(2)"),
    ({}, {"deepfake": True}, "limited", "Art. 50(4)"),
    ({}, {}, "minimal", None),
])
def test_eu_ai_act(act, use, expected, clause):
    risk = tier_of({"risk": {"eu_ai_act": act}, "intended_use": use})
    assert risk["regimes"]["EU AI Act"] == expected
    if clause:
        assert any(clause in f["clause"] for f in risk["facts"])


def test_derogation_is_void_when_the_decision_profiles_people():
    card = {"risk": {"eu_ai_act": {"annex_iii_point": "5b", "art6_3": {"claimed": True, "condition": "a",
                                                                        "rationale_ref": "x", "profiling": False}}},
            "decision": {"profiling": True}}
    assert tier_of(card)["regimes"]["EU AI Act"] == "high"


@pytest.mark.parametrize("pra, expected", [
    ({"in_scope": True, "materiality": "high", "complexity": "low"}, "high"),
    ({"in_scope": True, "materiality": "medium", "complexity": "high"}, "high"),
    ({"in_scope": True, "materiality": "medium", "complexity": "low"}, "limited"),
    ({"in_scope": True, "materiality": "low", "complexity": "high"}, "limited"),
    ({"in_scope": True, "materiality": "low", "complexity": "medium"}, "minimal"),
    ({"in_scope": True, "materiality": "low", "complexity": "low", "tier": 1}, "high"),  # stricter firm tier wins
    ({"in_scope": False, "materiality": "high", "complexity": "high"}, "minimal"),
])
def test_pra_materiality_by_complexity(pra, expected):
    assert tier_of({"risk": {"pra": pra}})["regimes"]["PRA SS1/23"] == expected


@pytest.mark.parametrize("impact, expected", [("direct", "high"), ("indirect", "limited"), ("none", "minimal")])
def test_gxp_impact(impact, expected):
    assert tier_of({"risk": {"gxp": {"impact": impact}}})["regimes"]["GxP"] == expected


@pytest.mark.parametrize("card, manifest, expected, clause", [
    ({"decision": {"automation": "solely_automated", "effect": "legal"}}, None, "high", "Art. 22(1)"),
    ({"decision": {"automation": "solely_automated", "effect": "none"}}, None, "minimal", None),
    ({"decision": {"automation": "human_in_the_loop", "effect": "legal"}}, None, "minimal", None),
    ({"risk": {"gdpr": {"large_scale_special_categories": True}}}, None, "high", "Art. 35(3)(b)"),
    ({"risk": {"gdpr": {"systematic_monitoring": True}}}, None, "high", "Art. 35(3)(c)"),
    ({}, {"datasets": [{"id": "a", "personal_data": True}]}, "limited", "Art. 4(1)"),
    ({}, {"datasets": [{"id": "a", "personal_data": False}]}, "minimal", None),
    # gdpr 1.2.0: a field marked personal is personal data, whatever the dataset flag says
    ({}, {"datasets": [{"id": "a", "personal_data": False, "fields": [{"name": "email", "personal": True}]}]},
     "limited", "Art. 4(1): dataset a"),
    # L8 (audit c11): profiling on which significant decisions are based is Art. 35(3)(a), also under human review
    ({"decision": {"automation": "human_in_the_loop", "effect": "similarly_significant", "profiling": True}}, None,
     "high", "Art. 35(3)(a)"),
    ({"decision": {"automation": "human_on_the_loop", "effect": "legal", "profiling": True}}, None, "high", "Art. 35(3)(a)"),
    ({"decision": {"automation": "human_in_the_loop", "effect": "none", "profiling": True}}, None, "minimal", None),
    # L12: a score a third party relies on decisively is an Art. 22 decision (CJEU C-634/21 SCHUFA)
    ({"decision": {"automation": "advisory", "decisive_reliance": True, "effect": "legal"}}, None, "high", "C-634/21"),
    ({"decision": {"automation": "advisory", "decisive_reliance": False, "effect": "legal"}}, None, "minimal", None),
    ({"decision": {"automation": "advisory", "effect": "legal"}}, None, "minimal", None),
])
def test_gdpr(card, manifest, expected, clause):
    risk = tier_of(card, manifest)
    assert risk["regimes"]["GDPR"] == expected
    if clause:
        assert any(clause in f["clause"] for f in risk["facts"])


def test_effective_tier_is_the_highest_regime_and_basis_names_the_clause():
    card = {"risk": {"eu_ai_act": {"annex_iii_point": "5b"}, "pra": {"in_scope": True, "materiality": "medium",
                                                                      "complexity": "low"}},
            "intended_use": {"interacts_with_persons": True}}
    risk = tier_of(card, declared="high")
    assert (risk["tier"], risk["derived"]) == ("high", "high")
    assert [f["fact"] for f in risk["basis"]] == ["/model_card/risk/eu_ai_act/annex_iii_point"]
    assert risk["basis"][0]["clause"] == "Art. 6(2) and Annex III point 5(b)"
    assert not risk["problems"]


def test_under_declared_tier_is_raised_and_reported():
    risk = tier_of({"risk": {"eu_ai_act": {"annex_iii_point": "5b"}}}, declared="limited")
    assert risk["tier"] == "high"
    assert risk["problems"][0]["kind"] == "under_declared"
    assert "declares tier 'limited' but its own facts make it 'high'" in risk["problems"][0]["message"]


def test_declaring_higher_than_derived_is_allowed():
    assert tier_of({}, declared="high")["tier"] == "high"


def test_override_accepts_a_lower_tier_only_when_complete_and_dated():
    override = {"to": "limited", "justification": "Scores only pre-screen; a credit officer decides.",
                "approved_by": "Chief Risk Officer", "approved_at": "2026-10-01"}
    card = {"risk": {"eu_ai_act": {"annex_iii_point": "5b"}, "override": override}}
    accepted = tier_of(card, declared="limited")
    assert accepted["tier"] == "limited" and accepted["override"]["accepted"] is True and not accepted["problems"]
    late = tier_of({"risk": {**card["risk"], "override": {**override, "approved_at": "2026-11-02"}}}, declared="limited")
    assert late["tier"] == "high" and "after the as-of date" in late["override"]["reason"]
    other = tier_of({"risk": {**card["risk"], "override": {**override, "to": "minimal"}}}, declared="limited")
    assert other["tier"] == "high" and "not the declared 'limited'" in other["override"]["reason"]


def test_prohibited_cannot_be_overridden():
    override = {"to": "high", "justification": "We disagree with the screening.", "approved_by": "x",
                "approved_at": "2026-01-01"}
    card = {"risk": {"eu_ai_act": {"art5_screening": {"practices_matched": ["a"]}}, "override": override}}
    risk = tier_of(card, declared="high")
    assert risk["tier"] == "prohibited" and "cannot be overridden" in risk["override"]["reason"]


def test_undeclared_tier_fails_closed_to_high():
    risk = tier_of({}, declared=None)
    assert risk["tier"] == "high" and risk["problems"][0]["kind"] == "undeclared"
    prohibited = tier_of({"risk": {"eu_ai_act": {"category": "prohibited"}}}, declared=None)
    assert prohibited["tier"] == "prohibited"


# --- one definition of each term: tier derivation reads the packs' own conditions ---------------

def _built_in_conditions() -> dict[str, dict[str, str]]:
    """condition name -> {pack@version: canonical JSON of its definition}, over every built-in pack."""
    import json

    import yaml

    from mlcompliance.resources import policies_dir
    out: dict[str, dict[str, str]] = {}
    for manifest in sorted(policies_dir().glob("*/*/pack.yaml")):
        pack = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        for name, spec in (pack.get("conditions") or {}).items():
            meaning = {k: v for k, v in spec.items() if k != "description"}
            out.setdefault(name, {})[f"{pack['id']}@{pack['version']}"] = json.dumps(meaning, sort_keys=True)
    return out


# Deliberate redefinitions in a newer version of the same pack, each with its reason.
REDEFINED = {("holds_personal_data", "gdpr@1.1.0"): "also holds when the data probe observed personal data",
             ("holds_personal_data", "gdpr@1.2.0"): "also holds when a field is declared personal",
             ("solely_automated_significant_decision", "gdpr@1.2.0"): "also a score a third party relies on decisively "
                                                                       "(CJEU C-634/21)",
             ("dpia_required", "gdpr@1.2.0"): "Art. 35 triggers only, not the tool's tier (audit L6)"}


def test_a_condition_name_means_the_same_in_every_built_in_pack():
    """affects_people, in_production, ...: packs that use the same term define it alike."""
    conditions = {name: {pack: d for pack, d in defs.items() if (name, pack) not in REDEFINED}
                  for name, defs in _built_in_conditions().items()}
    differing = {name: sorted(defs) for name, defs in conditions.items() if len(set(defs.values())) > 1}
    assert differing == {}


def test_every_condition_tiering_reads_is_a_schema_the_packs_define():
    from mlcompliance.engine.tiering import TIER_CONDITIONS
    defined = _built_in_conditions()
    for pack_id, name in TIER_CONDITIONS:
        owners = [key for key in defined.get(name, {}) if key.startswith(pack_id + "@")]
        assert owners, f"{pack_id} defines no condition {name}"
        for key in owners:   # a condition the tier depends on cannot itself depend on the tier
            assert '"check"' not in defined[name][key], f"{key}: {name} must be a JSON Schema"


def test_the_tier_follows_the_chosen_packs_definition(tmp_path):
    """A chosen gdpr version that defines an Art. 22 decision differently changes the derived
    tier the same way it changes its rules: there is no second definition in Python."""
    from helpers import make_pack

    from mlcompliance.engine.tiering import TIER_CONDITIONS
    from mlcompliance.policy.packs import compile_pack, shared_conditions
    narrow = {"description": "Only legal effects count.",
              "schema": {"required": ["model_card"], "properties": {"model_card": {
                  "required": ["decision"], "properties": {"decision": {
                      "required": ["automation", "effect"],
                      "properties": {"automation": {"const": "solely_automated"}, "effect": {"const": "legal"}}}}}}}}
    no_dpia_case = {"description": "No Art. 35(3) case (this test isolates the Art. 22 term).", "schema": False}
    pack = compile_pack(make_pack(tmp_path, pid="gdpr", version="9.0.0",
                                  conditions={"solely_automated_significant_decision": narrow,
                                              "art35_3_case": no_dpia_case}), "path")
    bundle = {"model_card": {"risk": {"tier": "minimal"},
                             "decision": {"automation": "solely_automated", "effect": "similarly_significant"}},
              "data_manifest": {}, "pipeline": {}}
    assert derive(bundle, AS_OF)["derived"] == "high"                                  # the built-in gdpr
    assert derive(bundle, AS_OF, shared_conditions([pack], TIER_CONDITIONS))["derived"] == "minimal"


def test_gdpr_reads_art35_3_through_the_pack_condition(tmp_path):
    """L8: the engine's Art. 35(3) fact is the pack's condition art35_3_case, so a chosen gdpr
    version that defines it differently moves the tier with its rules."""
    from helpers import make_pack

    from mlcompliance.engine.tiering import TIER_CONDITIONS
    from mlcompliance.policy.packs import compile_pack, shared_conditions
    assert ("gdpr", "art35_3_case") in TIER_CONDITIONS
    bundle = {"model_card": {"risk": {"tier": "minimal"},
                             "decision": {"automation": "human_in_the_loop", "effect": "legal", "profiling": True}},
              "data_manifest": {}, "pipeline": {}}
    assert derive(bundle, AS_OF)["regimes"]["GDPR"] == "high"
    never = {"description": "never", "schema": False}
    pack = compile_pack(make_pack(tmp_path, pid="gdpr", version="9.0.0", conditions={"art35_3_case": never}), "path")
    assert derive(bundle, AS_OF, shared_conditions([pack], TIER_CONDITIONS))["regimes"]["GDPR"] == "minimal"


def test_monitoring_fact_says_large_scale():
    facts = tier_of({"risk": {"gdpr": {"systematic_monitoring": True}}})["facts"]
    assert any("Art. 35(3)(c)" in f["clause"] and "on a large scale" in f["clause"] for f in facts)


# --- audit cases (pack-fidelity-audit.md section 4.3), end to end through the CLI ----------------

def _edit(path, change) -> None:
    import yaml
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _check(project, packs: dict | None = None, as_of: str = "2026-12-04") -> tuple[int, dict]:
    import json

    from helpers import cli
    if packs is not None:
        _edit(project / "mlcompliance.yaml", lambda d: d.update(packs=packs))
    res = cli("check", project, "--as-of", as_of, "--format", "json")
    assert res.exit_code in (0, 1), res.output
    return res.exit_code, json.loads(res.stdout)


def _outcomes(data: dict, rule_id: str) -> set[str]:
    return {f["outcome"] for f in data["findings"] if f["rule_id"] == rule_id}


@pytest.mark.parametrize("tier", [None, "limited"])
def test_audit_c6b_c6c_a_missing_tier_does_not_require_a_dpia(sample_copy, tier):
    """c6b / c6c: the e-mail router (personal data, no Art. 35 trigger) has no DPIA finding with or
    without a declared tier; without one it is still checked as high (fail closed), and the only
    DPIA-related finding is the advisory screening prompt."""
    project = sample_copy("support-email-router")
    _edit(project / "model_card.yaml", lambda d: d["risk"].update(tier=tier) if tier else d["risk"].pop("tier"))
    _, data = _check(project, {"gdpr": "~=1.2"})
    assert data["risk"]["tier"] == (tier or "high")
    for rule in ("GDPR-ART35-1-DPIA-APPROVED", "GDPR-ART35-1-DPIA-BEFORE-PRODUCTION", "GDPR-ART35-11-DPIA-REVIEWED"):
        assert _outcomes(data, rule) <= {"not_applicable"}, rule
    assert _outcomes(data, "GDPR-ART35-1-SCREENING-RECORDED") == ({"warn"} if tier is None else {"not_applicable"})


def test_audit_c9_a_self_declared_fairness_pass_does_not_hide_a_missed_threshold(sample_copy):
    project = sample_copy("credit-scoring")
    _edit(project / "model_card.yaml", lambda d: d["fairness"]["metrics"][1].update(value=0.70))
    _, data = _check(project, {"gdpr": "~=1.2"})
    assert _outcomes(data, "GDPR-ART5-1A-FAIRNESS-TESTED") == {"pass"}
    assert "fail" in _outcomes(data, "GDPR-ART5-1A-FAIRNESS-THRESHOLDS-MET")
    failed = next(f for f in data["findings"] if f["rule_id"] == "GDPR-ART5-1A-FAIRNESS-THRESHOLDS-MET"
                  and f["outcome"] == "fail")
    assert failed["severity"] == "high" and "not a GDPR one" in failed["message"]


def test_audit_c11_profiling_under_human_review_is_high_and_blocks(sample_copy):
    """c11: AI Act and PRA out of the picture, a person in the loop, profiling with a significant
    effect: the GDPR regime derives high (Art. 35(3)(a)), so a high GDPR failure blocks."""
    project = sample_copy("credit-scoring")

    def change(card):
        card["risk"]["eu_ai_act"] = {"category": "minimal", "role": "provider", "deployer_type": "private"}
        card["risk"]["pra"] = {"in_scope": False}
        card["risk"]["tier"] = "limited"
        card["decision"] = {"automation": "human_in_the_loop", "effect": "similarly_significant", "profiling": True}
    _edit(project / "model_card.yaml", change)
    code, data = _check(project, {"gdpr": "~=1.2"})
    assert data["risk"]["regimes"]["GDPR"] == "high"
    assert any("Art. 35(3)(a)" in f["clause"] for f in data["risk"]["basis"])
    assert data["risk"]["tier"] == "high"
    assert "fail" in _outcomes(data, "GDPR-ART5-1E-RETENTION-NOT-EXCEEDED")
    assert code == 1
