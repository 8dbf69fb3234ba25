"""Risk tier derivation, one regime at a time, and the declared-vs-derived rules."""
from __future__ import annotations

from datetime import date

import pytest

from mlcompliance.engine.tiering import derive

AS_OF = date(2026, 11, 1)
LATER = date(2028, 9, 1)   # Annex III (2 Dec 2027) and Annex I (2 Aug 2028) classification applies


def tier_of(card: dict, manifest: dict | None = None, declared: str | None = "minimal", as_of: date = AS_OF) -> dict:
    card = {**card}
    risk = dict(card.get("risk", {}))
    if declared:
        risk["tier"] = declared
    card["risk"] = risk
    return derive({"model_card": card, "data_manifest": manifest or {}, "pipeline": {}}, as_of)


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
    risk = tier_of({"risk": {"eu_ai_act": act}, "intended_use": use}, as_of=LATER)
    assert risk["regimes"]["EU AI Act"] == expected
    if clause:
        assert any(clause in f["clause"] for f in risk["facts"])


def test_derogation_is_void_when_the_decision_profiles_people():
    card = {"risk": {"eu_ai_act": {"annex_iii_point": "5b", "art6_3": {"claimed": True, "condition": "a",
                                                                        "rationale_ref": "x", "profiling": False}}},
            "decision": {"profiling": True}}
    assert tier_of(card, as_of=LATER)["regimes"]["EU AI Act"] == "high"


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
    risk = tier_of(card, declared="high", as_of=LATER)
    assert (risk["tier"], risk["derived"]) == ("high", "high")
    assert [f["fact"] for f in risk["basis"]] == ["/model_card/risk/eu_ai_act/annex_iii_point"]
    assert risk["basis"][0]["clause"] == "Art. 6(2) and Annex III point 5(b)"
    assert not risk["problems"]


def test_under_declared_tier_is_raised_and_reported():
    risk = tier_of({"risk": {"eu_ai_act": {"annex_iii_point": "5b"}}}, declared="limited", as_of=LATER)
    assert risk["tier"] == "high"
    assert risk["problems"][0]["kind"] == "under_declared"
    assert "declares tier 'limited' but its own facts make it 'high'" in risk["problems"][0]["message"]


def test_declaring_higher_than_derived_is_allowed():
    assert tier_of({}, declared="high")["tier"] == "high"


def test_override_accepts_a_lower_tier_only_when_complete_and_dated():
    override = {"to": "limited", "justification": "Scores only pre-screen; a credit officer decides.",
                "approved_by": "Chief Risk Officer", "approved_at": "2028-03-01"}
    card = {"risk": {"eu_ai_act": {"annex_iii_point": "5b"}, "override": override}}
    accepted = tier_of(card, declared="limited", as_of=LATER)
    assert accepted["tier"] == "limited" and accepted["override"]["accepted"] is True and not accepted["problems"]
    late = tier_of({"risk": {**card["risk"], "override": {**override, "approved_at": "2028-09-02"}}},
                   declared="limited", as_of=LATER)
    assert late["tier"] == "high" and "after the as-of date" in late["override"]["reason"]
    other = tier_of({"risk": {**card["risk"], "override": {**override, "to": "minimal"}}}, declared="limited",
                    as_of=LATER)
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
             **{(name, "eu-trustworthy-ai@1.2.0"): "keyed on the engine's derived classification, /derived/eu_ai_act "
                "(audit L1, L2, L5), not on the declared category or point"
                for name in ("annex_iii_high_risk", "annex_i_high_risk", "remote_biometric_identification",
                             "critical_infrastructure", "fria_deployer")},
             ("holds_personal_data", "gdpr@1.2.0"): "also holds when a field is declared personal",
             ("solely_automated_significant_decision", "gdpr@1.2.0"): "also a score a third party relies on decisively "
                                                                       "(CJEU C-634/21)",
             ("dpia_required", "gdpr@1.2.0"): "Art. 35 triggers only, not the tool's tier (audit L6)",
             # later versions keep those redefinitions (copied unchanged)
             **{(name, "eu-trustworthy-ai@1.3.0"): "as eu-trustworthy-ai@1.2.0"
                for name in ("annex_iii_high_risk", "annex_i_high_risk", "remote_biometric_identification",
                             "critical_infrastructure", "fria_deployer")},
             **{(name, "gdpr@1.3.0"): "as gdpr@1.2.0"
                for name in ("holds_personal_data", "solely_automated_significant_decision", "dpia_required")},
             **{("affects_people", pack): "also holds when the data probe observed personal data "
                "(/observed/data/summary/personal_data)" for pack in ("eu-trustworthy-ai@1.3.0", "mlops-practices@1.4.0")}}


def test_the_newest_packs_define_affects_people_alike():
    """eu-trustworthy-ai 1.3.0 and mlops-practices 1.4.0 redefine affects_people the same way."""
    defs = _built_in_conditions()["affects_people"]
    assert defs["eu-trustworthy-ai@1.3.0"] == defs["mlops-practices@1.4.0"]
    assert "observed" in defs["eu-trustworthy-ai@1.3.0"]


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


# --- GxP and PRA (audit L14, L16, cases c2, c4, c4b) ------------------------------------------

def test_c2_gxp_indirect_impact_is_limited_and_attributed_to_baseline_guide_5():
    """Audit c2: an indirect-impact GAMP category 4 tool declared minimal is checked at limited; the
    direct/indirect/no impact vocabulary is ISPE Baseline Guide 5's, not GAMP 5's (L16)."""
    risk = tier_of({"risk": {"gxp": {"impact": "indirect", "gamp_category": 4}}}, declared="minimal")
    assert (risk["regimes"]["GxP"], risk["derived"], risk["tier"]) == ("limited", "limited", "limited")
    assert risk["problems"][0]["kind"] == "under_declared"
    (fact,) = [f for f in risk["facts"] if f["regime"] == "GxP"]
    assert fact["clause"].startswith("ISPE Baseline Guide 5") and "mlcompliance policy" in fact["clause"]
    assert "baseline-guide-vol-5" in fact["url"]
    assert not fact["clause"].startswith("GAMP 5")


C4_PRA = {"in_scope": True, "materiality": "low", "complexity": "high", "tier": 3}


@pytest.mark.parametrize("pra, declared, matrix_value, firm_tier", [
    (C4_PRA, "minimal", "materiality low, complexity high", 3),           # c4: declared PRA tier 3
    ({**C4_PRA, "tier": 2}, "limited", "materiality low, complexity high", 2),  # c4b: declared PRA tier 2
])
def test_c4_pra_tier_is_the_stricter_of_declared_and_matrix(pra, declared, matrix_value, firm_tier):
    """Audit c4/c4b: low materiality, high complexity is matrix tier 2 (limited) whatever the firm
    declared; the derived PRA tier the pack's intensity rules use is 2 in both cases (L14)."""
    from mlcompliance.engine.tiering import pra_tier
    card = {"risk": {"pra": pra}}
    risk = tier_of(card, declared=declared)
    assert risk["regimes"]["PRA SS1/23"] == "limited" and risk["tier"] == "limited"
    facts = {f["fact"]: f for f in risk["facts"] if f["regime"] == "PRA SS1/23"}
    assert facts["/model_card/risk/pra/materiality"]["value"] == matrix_value
    assert facts["/model_card/risk/pra/materiality"]["raises_to"] == "limited"
    assert facts["/model_card/risk/pra/tier"]["value"] == firm_tier
    assert "mlcompliance policy matrix" in facts["/model_card/risk/pra/materiality"]["clause"]
    assert pra_tier(card) == 2
    assert bool(risk["problems"]) == (declared == "minimal")   # c4 under-declares the risk tier; c4b does not


def test_pra_in_scope_without_tier_or_matrix_fails_closed_to_tier_1():
    from mlcompliance.engine.tiering import pra_tier
    card = {"risk": {"pra": {"in_scope": True, "materiality": "low"}}}
    risk = tier_of(card, declared="high")
    assert risk["regimes"]["PRA SS1/23"] == "high"
    assert any("fail closed" in f["clause"] for f in risk["facts"])
    assert pra_tier(card) == 1
    assert pra_tier({"risk": {"pra": {"in_scope": False, "tier": 3}}}) is None


def test_pra_pack_tier_conditions_agree_with_the_engine():
    """pra-ss1-23 >= 1.1.0 keys its intensity rules on pra_tier_1/2/3; for every combination of
    declared tier and matrix inputs exactly one holds, and it is the engine's derived PRA tier."""
    import itertools

    from mlcompliance.engine.tiering import pra_tier
    from mlcompliance.policy.checks import Context
    from mlcompliance.policy.packs import shared_conditions
    wanted = [("pra-ss1-23", f"pra_tier_{n}") for n in (1, 2, 3)]
    conditions = shared_conditions((), wanted)
    levels = (None, "low", "medium", "high")
    for materiality, complexity, tier in itertools.product(levels, levels, (None, 1, 2, 3)):
        pra = {"in_scope": True, **{k: v for k, v in (("materiality", materiality), ("complexity", complexity),
                                                       ("tier", tier)) if v is not None}}
        card = {"risk": {"pra": pra}}
        ctx = Context({"model_card": card}, AS_OF, "", lambda _: None)
        holding = [n for n, key in zip((1, 2, 3), wanted) if conditions[key](ctx)]
        assert holding == [pra_tier(card)], pra
# --- the AI Act from facts and dates (pack-fidelity audit L1-L3, L5, L10, L11) --------------------

def act_card(act: dict, **more) -> dict:
    return {"risk": {"eu_ai_act": act}, **more}


def classification(card: dict, as_of: date = LATER) -> dict:
    from mlcompliance.engine.tiering import derived_view
    return derived_view({"model_card": card, "data_manifest": {}, "pipeline": {}}, as_of)["eu_ai_act"]


C1 = act_card({"category": "minimal", "annex_iii_point": "5b",
               "art6_3": {"claimed": True, "condition": "d", "rationale_ref": "doc", "profiling": False,
                          "registration_id": "EU-1"}},
              decision={"automation": "human_in_the_loop", "effect": "similarly_significant", "profiling": True})


def test_c1_failed_derogation_is_high_from_2_december_2027_and_the_category_is_inconsistent():
    before = tier_of(C1, declared="limited", as_of=date(2026, 12, 4))
    assert before["regimes"]["EU AI Act"] == "minimal"          # L11: Art. 6 does not apply to it yet
    pending = [f for f in before["facts"] if f["fact"].endswith("/annex_iii_point")]
    assert pending[0]["applies_from"] == "2027-12-02" and "derogation does not hold" in pending[0]["clause"]
    after = tier_of(C1, declared="limited", as_of=date(2027, 12, 15))
    assert after["regimes"]["EU AI Act"] == "high" and "applies_from" not in after["basis"][0]
    c = classification(C1, date(2027, 12, 15))
    assert c["annex_iii"]["art6_3"] == "invalid" and c["annex_iii"]["chapter_iii_applies"] is True
    assert c["category"] == "high_risk_annex_iii" and c["category_consistent"] is False


def test_c8_category_minimal_with_an_annex_iii_point_is_high_risk_by_the_facts():
    c = classification(act_card({"category": "minimal", "annex_iii_point": "5b"}), date(2027, 12, 15))
    assert c["annex_iii"]["chapter_iii_applies"] is True and c["category_consistent"] is False
    honest = classification(act_card({"category": "high_risk_annex_iii", "annex_iii_point": "5b"}))
    assert honest["category_consistent"] is True
    stricter = classification(act_card({"category": "high_risk_annex_iii"}))   # no point: under-documented
    assert stricter["category_consistent"] is True and stricter["annex_iii"]["chapter_iii_applies"] is True


def test_c5b_c5e_an_authorised_art_5_1_h_use_is_high_risk_annex_iii_1a_not_prohibited():
    card = act_card({"deployer_type": "public_body", "role": "deployer",
                     "art5_screening": {"practices_matched": ["h"], "authorisation_ref": "court-order-114"}})
    risk = tier_of(card, declared="high", as_of=date(2027, 12, 15))
    assert risk["derived"] == "high" and risk["regimes"]["EU AI Act"] == "high" and not risk["problems"]
    assert "authorised Art. 5(1)(h) use" in risk["basis"][0]["clause"]
    c = classification(card, date(2027, 12, 15))
    assert c["annex_iii"]["point"] == "1a" and c["prohibited"]["points"] == [] and c["prohibited"]["authorised_rbi"]
    unauthorised = tier_of(act_card({"art5_screening": {"practices_matched": ["h"]}}), declared="high")
    assert unauthorised["tier"] == "prohibited"


def test_c5c_practices_matched_is_an_enumerated_list():
    from mlcompliance.evidence.schemas import validator
    bad = {"kind": "model_card", "schema_version": "1.0",
           "risk": {"eu_ai_act": {"art5_screening": {"practices_matched": ["social_scoring"]}}}}
    assert list(validator("model_card").iter_errors(bad))
    good = {**bad, "risk": {"eu_ai_act": {"art5_screening": {"practices_matched": ["c", "ba"]}}}}
    assert not list(validator("model_card").iter_errors(good))


def test_c5d_points_ba_bb_raise_the_tier_only_from_2_december_2026():
    card = act_card({"art5_screening": {"practices_matched": ["ba"]}})
    before = tier_of(card, declared="high", as_of=date(2026, 11, 30))
    assert before["tier"] == "high" and before["regimes"]["EU AI Act"] == "minimal"
    assert before["facts"][0]["applies_from"] == "2026-12-02" and "not yet on 2026-11-30" in before["facts"][0]["clause"]
    after = tier_of(card, declared="high", as_of=date(2026, 12, 4))
    assert after["tier"] == "prohibited" and after["basis"][0]["clause"].startswith("Art. 5(1): prohibited AI practice (ba)")


def test_c3b_art_50_raises_the_tier_from_2_august_2026():
    chatbot = {"intended_use": {"interacts_with_persons": True, "generates_synthetic_content": True}}
    assert tier_of(chatbot, as_of=date(2026, 8, 1))["regimes"]["EU AI Act"] == "minimal"
    assert tier_of(chatbot, as_of=date(2026, 12, 4))["regimes"]["EU AI Act"] == "limited"


@pytest.mark.parametrize("act, as_of, legacy", [
    ({"placed_on_market_at": "2025-10-13", "significant_design_changes": []}, date(2027, 12, 15), True),
    ({"placed_on_market_at": "2025-10-13"}, date(2027, 12, 15), False),                     # changes not recorded
    ({"placed_on_market_at": "2027-12-02", "significant_design_changes": []}, date(2027, 12, 15), False),
    ({"placed_on_market_at": "2025-10-13", "significant_design_changes": [{"date": "2027-12-10"}]},
     date(2027, 12, 15), False),
    ({"placed_on_market_at": "2025-10-13", "significant_design_changes": [{"date": "2027-12-10"}]},
     date(2027, 12, 9), True),                                                                # not changed yet then
    ({"placed_on_market_at": "2025-10-13", "significant_design_changes": [], "intended_for_public_authority": True},
     date(2030, 8, 1), True),
    ({"placed_on_market_at": "2025-10-13", "significant_design_changes": [], "intended_for_public_authority": True},
     date(2030, 8, 2), False),
])
def test_l2_legacy_high_risk_systems(act, as_of, legacy):
    c = classification(act_card({"category": "high_risk_annex_iii", "annex_iii_point": "5b", **act}), as_of)
    assert c["legacy"] is legacy and c["annex_iii"]["chapter_iii_applies"] is (not legacy)
    assert c["annex_iii"]["high_risk"] is True   # still high-risk by classification


@pytest.mark.parametrize("act, high, section, duties", [
    ({"annex_i_legislation": "MDR (EU) 2017/745"}, True, "A", True),
    ({"annex_i_legislation": "Regulation (EU) 2018/858"}, True, "B", False),                 # Art. 2(2)
    ({"annex_i_point": "21"}, True, "B", False),                                             # machinery moved to B
    ({"annex_i_legislation": "Machinery Directive 2006/42/EC"}, True, "B", False),
    ({"annex_i_legislation": "a national toy law"}, True, None, True),                       # unknown: as Section A
    ({"annex_i_legislation": "MDR (EU) 2017/745", "annex_i_third_party_assessment": False}, False, "A", False),
    ({"annex_i_legislation": "MDR (EU) 2017/745", "annex_i_role": "safety_component",
      "art6_1a": {"function": "quality_control", "failure_endangers_health_or_safety": False, "rationale_ref": "x"}},
     False, "A", False),
    ({"annex_i_legislation": "MDR (EU) 2017/745", "annex_i_role": "safety_component",
      "art6_1a": {"function": "quality_control", "failure_endangers_health_or_safety": True, "rationale_ref": "x"}},
     True, "A", True),
])
def test_l5_annex_i_sections_third_party_assessment_and_safety_components(act, high, section, duties):
    c = classification(act_card(act))
    assert (c["annex_i"]["high_risk"], c["annex_i"]["section"], c["annex_i"]["chapter_iii_applies"]) == (
        high, section, duties)
    assert tier_of(act_card(act), as_of=LATER)["regimes"]["EU AI Act"] == ("high" if high else "minimal")


def test_annex_i_raises_the_tier_only_from_2_august_2028():
    card = act_card({"annex_i_legislation": "MDR (EU) 2017/745"})
    assert tier_of(card, as_of=date(2028, 8, 1))["regimes"]["EU AI Act"] == "minimal"
    assert tier_of(card, as_of=date(2028, 8, 2))["regimes"]["EU AI Act"] == "high"
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


def test_an_override_lapses_at_its_review_by_date_or_a_year_after_approval():
    """A risk acceptance is never indefinite (audit section 4.2): it stands until its review_by date,
    or tier_override_max_days (366) after approved_at without one, whichever is first."""
    override = {"to": "limited", "justification": "Scores only pre-screen; a credit officer decides.",
                "approved_by": "Chief Risk Officer", "approved_at": "2027-09-01"}
    card = {"risk": {"eu_ai_act": {"annex_iii_point": "5b"}, "override": override}}

    def at(when: date, max_days: int = 366, **extra) -> dict:
        c = {"risk": {**card["risk"], "override": {**override, **extra}}}
        c["risk"]["tier"] = "limited"
        return derive({"model_card": c, "data_manifest": {}, "pipeline": {}}, when, override_max_days=max_days)

    within = at(date(2028, 9, 1))
    assert within["tier"] == "limited" and within["override"]["lapses_on"] == "2028-09-01"
    lapsed = at(date(2028, 9, 2))
    assert lapsed["tier"] == "high" and lapsed["override"]["accepted"] is False
    assert "more than 366 days" in lapsed["override"]["reason"] and "re-approve" in lapsed["override"]["reason"]
    assert "The override is not accepted" in lapsed["problems"][0]["message"]
    reviewed = at(date(2028, 3, 2), review_by="2028-03-01")
    assert reviewed["tier"] == "high" and "review_by date 2028-03-01 has passed" in reviewed["override"]["reason"]
    assert at(date(2028, 3, 1), review_by="2028-03-01")["tier"] == "limited"
    # a review_by later than the cap cannot lengthen it; a project can shorten or lengthen the cap
    assert at(date(2028, 9, 2), review_by="2030-01-01")["tier"] == "high"
    assert at(date(2028, 9, 2), max_days=731)["tier"] == "limited"
    assert at(date(2027, 12, 15), max_days=90)["tier"] == "high"


def test_tier_override_max_days_is_read_from_mlcompliance_yaml_within_bounds(tmp_path):
    """End to end: the project's tier_override_max_days shortens how long an override stands; a value
    outside the bounds is an input error at its line (exit 2)."""
    import json
    import shutil

    import yaml
    from helpers import SAMPLES, cli

    root = tmp_path / "p"
    shutil.copytree(SAMPLES / "credit-scoring", root)
    card = yaml.safe_load((root / "model_card.yaml").read_text())
    card["risk"]["tier"] = "limited"
    card["risk"]["override"] = {"to": "limited", "justification": "Pre-screen only; an underwriter decides.",
                                "approved_by": "Chief Risk Officer", "approved_at": "2026-01-15"}
    (root / "model_card.yaml").write_text(yaml.safe_dump(card, sort_keys=False))

    def tier(max_days: int | None) -> tuple[int, dict]:
        config = yaml.safe_load((SAMPLES / "credit-scoring" / "mlcompliance.yaml").read_text())
        if max_days is not None:
            config["tier_override_max_days"] = max_days
        (root / "mlcompliance.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        run = cli("check", str(root), "--as-of", "2026-11-01", "--format", "json", "--no-probes")
        return run.exit_code, (json.loads(run.output)["risk"] if run.exit_code != 2 else {"error": run.output})

    _, standing = tier(None)
    assert standing["tier"] == "limited" and standing["override"]["lapses_on"] == "2027-01-16"
    _, lapsed = tier(200)
    assert lapsed["tier"] == "high" and "more than 200 days" in lapsed["override"]["reason"]
    code, error = tier(5000)
    assert code == 2 and "mlcompliance.yaml" in error["error"] and "tier_override_max_days" in error["error"]
