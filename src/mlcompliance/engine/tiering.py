"""Risk tier derivation: from what the model card declares to the tier the rules are applied at.

Each regime gives a tier from declared facts, and every fact that raised it is recorded
with the clause behind it:

- EU AI Act: an Art. 5 practice -> prohibited; an Annex I product (Art. 6(1)) or an Annex III
  use (Art. 6(2)) -> high, unless a documented Art. 6(3) derogation without profiling;
  an Art. 50 situation (interaction, synthetic content, emotion recognition, deep fakes)
  -> limited; else minimal.
- PRA SS1/23: in scope -> materiality x complexity gives Tier 1/2/3 (-> high/limited/minimal);
  a declared PRA tier stricter than the matrix wins.
- GxP (GAMP 5): direct impact -> high, indirect -> limited.
- GDPR: a solely automated decision with legal or similarly significant effect (Art. 22, also a
  score a third party relies on decisively, CJEU C-634/21), or an Art. 35(3) case (profiling on
  which significant decisions are based, even under human review; large-scale special
  categories; large-scale monitoring of public areas) -> high; personal data processed -> limited.

Where a fact is a term a pack defines (an Art. 22 decision, profiling, personal data, the
Art. 50 situations, GxP impact, PRA scope), it is read through that pack's own condition
(``TIER_CONDITIONS``): the chosen version of the pack, else the newest built-in one, so the
tier and the rules never disagree on what a term means. What a rule cannot say stays here:
which fact raises which regime to which tier, with its clause, and the AI Act's derogations.

The effective tier is the highest. A declared tier below it stands only with an override
record (to, justification, approved_by, approved_at, dated on or before the as-of date), and
never below prohibited. No declared tier at all fails closed: the project is checked as high.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from mlcompliance.policy.checks import Context
from mlcompliance.vocab import TIER_RANK

TIER_CONDITIONS = (
    ("gdpr", "solely_automated_significant_decision"), ("gdpr", "profiling"), ("gdpr", "holds_personal_data"),
    ("gdpr", "art35_3_case"),
    ("eu-trustworthy-ai", "interacts_with_persons"), ("eu-trustworthy-ai", "generates_synthetic_content"),
    ("eu-trustworthy-ai", "emotion_recognition"), ("eu-trustworthy-ai", "deepfake"),
    ("gxp-alcoa", "gxp_impact"), ("pra-ss1-23", "pra_in_scope"),
)
"""The pack conditions tier derivation reads: (pack id, condition name)."""

Holds = Callable[[str, str], bool]

AI_ACT_URL = "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
GDPR_URL = "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
PRA_URL = ("https://www.bankofengland.co.uk/prudential-regulation/publication/2023/may/"
           "model-risk-management-principles-for-banks-ss")

# PRA SS1/23 P1.3: materiality (rows) x complexity (columns) -> firm tier (catalog 3.2, a proposal)
PRA_MATRIX = {("high", "low"): 1, ("high", "medium"): 1, ("high", "high"): 1,
              ("medium", "low"): 2, ("medium", "medium"): 2, ("medium", "high"): 1,
              ("low", "low"): 3, ("low", "medium"): 3, ("low", "high"): 2}
PRA_TIER_TO_TIER = {1: "high", 2: "limited", 3: "minimal"}
ART50_FLAGS = (("interacts_with_persons", "Art. 50(1): the system interacts directly with natural persons"),
               ("generates_synthetic_content", "Art. 50(2): the system generates synthetic content"),
               ("emotion_recognition", "Art. 50(3): emotion recognition or biometric categorisation"),
               ("deepfake", "Art. 50(4): deep fake content"))


def _fact(regime: str, pointer: str, value: Any, tier: str, clause: str, url: str) -> dict[str, Any]:
    return {"regime": regime, "fact": pointer, "value": value, "raises_to": tier, "clause": clause, "url": url}


def _max(tiers: list[str]) -> str:
    return max(tiers, key=TIER_RANK.__getitem__) if tiers else "minimal"


def eu_ai_act(card: dict[str, Any], holds: Holds) -> list[dict[str, Any]]:
    act = (card.get("risk") or {}).get("eu_ai_act") or {}
    base = "/model_card/risk/eu_ai_act"
    facts = []
    matched = (act.get("art5_screening") or {}).get("practices_matched") or []
    if matched:
        facts.append(_fact("EU AI Act", f"{base}/art5_screening/practices_matched", matched, "prohibited",
                           "Art. 5(1): prohibited AI practice " + ", ".join(f"({m})" for m in matched), AI_ACT_URL))
    if act.get("category") == "prohibited":
        facts.append(_fact("EU AI Act", f"{base}/category", "prohibited", "prohibited", "Art. 5", AI_ACT_URL))
    if act.get("annex_i_legislation") or act.get("category") == "high_risk_annex_i":
        pointer = f"{base}/annex_i_legislation" if act.get("annex_i_legislation") else f"{base}/category"
        value = act.get("annex_i_legislation") or act.get("category")
        facts.append(_fact("EU AI Act", pointer, value, "high",
                           "Art. 6(1) and Annex I: safety component of a product under Union harmonisation law",
                           AI_ACT_URL))
    point = act.get("annex_iii_point")
    if point or act.get("category") == "high_risk_annex_iii":
        derogation = act.get("art6_3") or {}
        profiling = derogation.get("profiling") is True or (card.get("decision") or {}).get("profiling") is True
        if (derogation.get("claimed") and derogation.get("condition") and derogation.get("rationale_ref")
                and derogation.get("profiling") is False and not profiling):
            facts.append(_fact("EU AI Act", f"{base}/art6_3", derogation.get("condition"), "minimal",
                               f"Art. 6(3)({derogation['condition']}): documented derogation from high risk, "
                               "no profiling", AI_ACT_URL))
        else:
            clause = f"Art. 6(2) and Annex III point {point[0]}" + (f"({point[1:]})" if len(point or "") > 1 else "") \
                if point else "Art. 6(2) and Annex III"
            if derogation.get("claimed"):
                clause += (": the Art. 6(3) derogation does not hold (it is never available for profiling, and "
                           "needs a condition, documented reasoning and profiling: false)")
            facts.append(_fact("EU AI Act", f"{base}/annex_iii_point" if point else f"{base}/category",
                               point or act.get("category"), "high", clause, AI_ACT_URL))
    for flag, clause in ART50_FLAGS:
        if holds("eu-trustworthy-ai", flag):
            facts.append(_fact("EU AI Act", f"/model_card/intended_use/{flag}", True, "limited", clause, AI_ACT_URL))
    if act.get("category") == "transparency":
        facts.append(_fact("EU AI Act", f"{base}/category", "transparency", "limited", "Art. 50", AI_ACT_URL))
    return facts


def pra(card: dict[str, Any], holds: Holds) -> list[dict[str, Any]]:
    if not holds("pra-ss1-23", "pra_in_scope"):
        return []
    info = card["risk"]["pra"]
    base = "/model_card/risk/pra"
    facts = []
    cell = (info.get("materiality"), info.get("complexity"))
    if cell in PRA_MATRIX:
        firm_tier = PRA_MATRIX[cell]
        facts.append(_fact("PRA SS1/23", f"{base}/materiality", f"materiality {cell[0]}, complexity {cell[1]}",
                           PRA_TIER_TO_TIER[firm_tier], f"P1.3: model tier {firm_tier} by materiality and "
                           "complexity", PRA_URL))
    if info.get("tier") in PRA_TIER_TO_TIER:
        facts.append(_fact("PRA SS1/23", f"{base}/tier", info["tier"], PRA_TIER_TO_TIER[info["tier"]],
                           f"P1.3: the firm assigned model tier {info['tier']}", PRA_URL))
    return facts


def gxp(card: dict[str, Any], holds: Holds) -> list[dict[str, Any]]:
    if not holds("gxp-alcoa", "gxp_impact"):
        return []
    impact = card["risk"]["gxp"]["impact"]
    if impact == "direct":
        return [_fact("GxP", "/model_card/risk/gxp/impact", impact, "high",
                      "GAMP 5: direct impact on patient safety, product quality or data integrity", "https://ispe.org/publications/guidance-documents/gamp-5")]
    if impact == "indirect":
        return [_fact("GxP", "/model_card/risk/gxp/impact", impact, "limited", "GAMP 5: indirect GxP impact",
                      "https://ispe.org/publications/guidance-documents/gamp-5")]
    return []


def gdpr(card: dict[str, Any], manifest: dict[str, Any], holds: Holds) -> list[dict[str, Any]]:
    decision = card.get("decision") or {}
    flags = (card.get("risk") or {}).get("gdpr") or {}
    effect = str(decision.get("effect", "")).replace("_", " ")
    facts = []
    if holds("gdpr", "solely_automated_significant_decision"):
        if decision.get("automation") == "advisory":   # a score a third party relies on decisively
            facts.append(_fact("GDPR", "/model_card/decision/decisive_reliance", True, "high",
                               f"Art. 22(1) as read in CJEU C-634/21 (SCHUFA): a score that a third party relies on "
                               f"decisively for a decision with {effect} effect", GDPR_URL))
        else:
            facts.append(_fact("GDPR", "/model_card/decision/automation", "solely_automated", "high",
                               f"Art. 22(1): solely automated decision with {effect} effect", GDPR_URL))
    if holds("gdpr", "art35_3_case"):   # the pack's own definition of the Art. 35(3) cases
        before = len(facts)
        if decision.get("effect") in ("legal", "similarly_significant"):
            if decision.get("profiling") is True:
                facts.append(_fact("GDPR", "/model_card/decision/profiling", True, "high",
                                   "Art. 35(3)(a): systematic and extensive evaluation of personal aspects (profiling) on "
                                   f"which decisions with {effect} effect are based, with or without human review: "
                                   "DPIA required", GDPR_URL))
            elif decision.get("automation") == "solely_automated":
                facts.append(_fact("GDPR", "/model_card/decision/automation", "solely_automated", "high",
                                   "Art. 35(3)(a): evaluation based on automated processing on which decisions with "
                                   f"{effect} effect are based: DPIA required", GDPR_URL))
        if flags.get("large_scale_special_categories") is True:
            facts.append(_fact("GDPR", "/model_card/risk/gdpr/large_scale_special_categories", True, "high",
                               "Art. 35(3)(b): large-scale processing of special categories: DPIA required", GDPR_URL))
        if flags.get("systematic_monitoring") is True:
            facts.append(_fact("GDPR", "/model_card/risk/gdpr/systematic_monitoring", True, "high",
                               "Art. 35(3)(c): systematic monitoring of a publicly accessible area on a large scale: "
                               "DPIA required", GDPR_URL))
        if len(facts) == before:   # a pack version whose definition reaches beyond these fields
            facts.append(_fact("GDPR", "/model_card", True, "high",
                               "Art. 35(3): a case where a DPIA is mandatory (pack condition art35_3_case)", GDPR_URL))
    if holds("gdpr", "holds_personal_data"):
        flagged = [(i, d) for i, d in enumerate(manifest.get("datasets") or [])
                   if isinstance(d, dict) and (d.get("personal_data") is True or any(
                       isinstance(f, dict) and f.get("personal") is True for f in d.get("fields") or []))]
        if flagged:   # the fact points at the first dataset flagged (or with a field marked) personal
            i, dataset = flagged[0]
            key = "personal_data" if dataset.get("personal_data") is True else "fields"
            pointer, clause = (f"/data_manifest/datasets/{i}/{key}",
                               f"Art. 4(1): dataset {dataset.get('id', i)} holds personal data")
        else:         # a pack whose definition of personal data looks beyond the manifest (the data probe)
            pointer, clause = "/data_manifest/datasets", "Art. 4(1): the data manifest holds personal data"
        facts.append(_fact("GDPR", pointer, True, "limited", clause, GDPR_URL))
    return facts


REGIMES = ("EU AI Act", "PRA SS1/23", "GxP", "GDPR")


def derive(bundle: dict[str, Any], as_of: date,
           conditions: Mapping[tuple[str, str], Callable[[Context], bool]] | None = None) -> dict[str, Any]:
    """The effective tier with its derivation (JSON-ready). ``conditions`` are the packs'
    definitions of TIER_CONDITIONS (``policy.packs.shared_conditions``); default: the built-in packs'."""
    if conditions is None:
        from mlcompliance.policy.packs import shared_conditions
        conditions = shared_conditions((), TIER_CONDITIONS)
    ctx = Context(bundle, as_of, "", lambda _: None)   # a condition that tiering reads cannot depend on the tier

    def holds(pack_id: str, name: str) -> bool:
        return conditions[(pack_id, name)](ctx)
    card = bundle.get("model_card") or {}
    facts = (eu_ai_act(card, holds) + pra(card, holds) + gxp(card, holds)
             + gdpr(card, bundle.get("data_manifest") or {}, holds))
    regimes = {regime: _max([f["raises_to"] for f in facts if f["regime"] == regime]) for regime in REGIMES}
    derived = _max(list(regimes.values()))
    risk = card.get("risk") or {}
    declared = risk.get("tier")
    override = risk.get("override")
    out: dict[str, Any] = {"tier": derived, "declared": declared, "derived": derived, "regimes": regimes,
                           "basis": [f for f in facts if f["raises_to"] == derived and derived != "minimal"],
                           "facts": facts, "override": None, "problems": []}
    if declared is None:
        out["tier"] = _max([derived, "high"])
        out["problems"].append({"kind": "undeclared", "message": "The model card declares no risk tier "
                                "(risk.tier): the project is checked as high (fail closed)."})
        return out
    if TIER_RANK[declared] >= TIER_RANK[derived]:
        out["tier"] = declared
        return out
    accepted, reason = _override_accepted(override, declared, derived, as_of)
    if accepted:
        out["tier"] = declared
        out["override"] = {**override, "accepted": True}
        return out
    if override:
        out["override"] = {**override, "accepted": False, "reason": reason}
    lead = out["basis"][0] if out["basis"] else None
    why = f" ({lead['clause']})" if lead else ""
    out["problems"].append({"kind": "under_declared", "message": f"The model card declares tier '{declared}' but its "
                            f"own facts make it '{derived}'{why}; checked as '{derived}'." +
                            (f" The override is not accepted: {reason}." if override else "")})
    return out


def _override_accepted(override: dict[str, Any] | None, declared: str, derived: str,
                       as_of: date) -> tuple[bool, str]:
    if not override:
        return False, "no override record"
    if override.get("to") != declared:
        return False, f"the override is to '{override.get('to')}', not the declared '{declared}'"
    if derived == "prohibited":
        return False, "a prohibited practice (AI Act Art. 5) cannot be overridden"
    missing = [k for k in ("justification", "approved_by", "approved_at") if not override.get(k)]
    if missing:
        return False, "missing " + ", ".join(missing)
    if date.fromisoformat(override["approved_at"]) > as_of:
        return False, f"approved_at {override['approved_at']} is after the as-of date {as_of.isoformat()}"
    return True, ""
