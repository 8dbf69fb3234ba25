"""Risk tier derivation: from what the model card declares to the tier the rules are applied at.

Each regime gives a tier from declared facts, and every fact that raised it is recorded
with the clause behind it:

- EU AI Act (``classify_ai_act``): an Art. 5 practice -> prohibited (an authorised Art. 5(1)(h)
  use is not: it is Annex III point 1(a), high); an Annex I product (Art. 6(1): a third-party
  conformity assessment, and a safety component under Art. 6(1a)-(1c)) or an Annex III use
  (Art. 6(2)) -> high, unless a documented Art. 6(3) derogation without profiling; an Art. 50
  situation (interaction, synthetic content, emotion recognition, deep fakes) -> limited; else
  minimal. Each fact raises the tier only from the date its clause applies (Art. 113 as
  amended); before then it is recorded with ``applies_from``. The classification (with the
  Art. 111(2) legacy status and the Annex I section) is also exposed to the packs as the
  read-only ``/derived/eu_ai_act`` part of the bundle (``attach_derived``).
- PRA SS1/23: in scope -> materiality x complexity gives Tier 1/2/3 (-> high/limited/minimal);
  a declared PRA tier stricter than the matrix wins; neither readable -> tier 1 (fail closed).
- GxP (impact vocabulary of ISPE Baseline Guide 5): direct impact -> high, indirect -> limited.
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

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
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


# --- EU AI Act ------------------------------------------------------------------------------------
# Art. 113 as amended by Reg. (EU) 2026/1744: the date each clause that raises a tier applies from.
AI_ACT_FROM = {"art5": date(2025, 2, 2), "art5_omnibus": date(2026, 12, 2), "art50": date(2026, 8, 2),
               "annex_iii": date(2027, 12, 2), "annex_i": date(2028, 8, 2)}
PUBLIC_AUTHORITY_BACKSTOP = date(2030, 8, 2)   # Art. 111(2) second sentence, as amended
ART5_POINTS = ("a", "b", "ba", "bb", "c", "d", "e", "f", "g", "h")
ART5_OMNIBUS_POINTS = ("ba", "bb")
# Annex I as amended by Reg. (EU) 2026/1744 Art. 1(41): point -> section, and the act's number -> point.
# Section A point 1 (Machinery Directive 2006/42/EC) was deleted; machinery is Section B point 21.
ANNEX_I_ACTS = {"2009/48": "2", "2013/53": "3", "2014/33": "4", "2014/34": "5", "2014/53": "6", "2014/68": "7",
                "2016/424": "8", "2016/425": "9", "2016/426": "10", "2017/745": "11", "2017/746": "12",
                "300/2008": "13", "168/2013": "14", "167/2013": "15", "2014/90": "16", "2016/797": "17",
                "2018/858": "18", "2019/2144": "19", "2018/1139": "20", "2023/1230": "21", "2006/42": "21"}
ART6_1A_FUNCTIONS = ("user_assistance", "performance_optimisation", "service_efficiency", "automation",
                     "convenience", "quality_control")
DERIVED_SOURCES = {"/derived/eu_ai_act": "/model_card/risk/eu_ai_act",
                   "/derived/eu_ai_act/category": "/model_card/risk/eu_ai_act/category",
                   "/derived/eu_ai_act/category_consistent": "/model_card/risk/eu_ai_act/category",
                   "/derived/eu_ai_act/in_force": "/model_card/risk/eu_ai_act/category",
                   "/derived/eu_ai_act/prohibited": "/model_card/risk/eu_ai_act/art5_screening",
                   "/derived/eu_ai_act/annex_iii": "/model_card/risk/eu_ai_act/annex_iii_point",
                   "/derived/eu_ai_act/annex_i": "/model_card/risk/eu_ai_act/annex_i_legislation",
                   "/derived/eu_ai_act/legacy": "/model_card/risk/eu_ai_act/placed_on_market_at"}
"""Where each part of the derived AI Act classification comes from in the evidence (for file:line)."""


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _annex_i_point(act: dict[str, Any]) -> str | None:
    if act.get("annex_i_point"):
        return str(act["annex_i_point"])
    text = str(act.get("annex_i_legislation") or "")
    for number, point in ANNEX_I_ACTS.items():
        if re.search(rf"(?<![0-9/]){re.escape(number)}(?![0-9])", text):
            return point
    return None


def _legacy(act: dict[str, Any], applies: date, as_of: date) -> tuple[bool, str]:
    """Amended Art. 111(2): placed on the market or put into service before the Chapter III date
    and no significant design change from that date on; public-authority use not past 2 Aug 2030."""
    placed = _day(act.get("placed_on_market_at"))
    changes = act.get("significant_design_changes")
    if placed is None:
        return False, "no placed_on_market_at recorded"
    if placed >= applies:
        return False, f"placed on the market on {placed.isoformat()}, not before {applies.isoformat()}"
    if not isinstance(changes, list):
        return False, "significant_design_changes is not recorded (an empty list records that there were none)"
    for change in changes:
        when = _day(change.get("date")) if isinstance(change, dict) else None
        if when is None:
            return False, "a significant design change has no date"
        if applies <= when <= as_of:
            return False, f"significantly changed in design on {when.isoformat()}, after {applies.isoformat()}"
    public = act.get("intended_for_public_authority") is True or act.get("deployer_type") == "public_body"
    if public and as_of >= PUBLIC_AUTHORITY_BACKSTOP:
        return False, "intended to be used by public authorities: no transition after 2 Aug 2030"
    until = " until 2 Aug 2030 (intended to be used by public authorities)" if public else ""
    return True, f"placed on the market on {placed.isoformat()}, before {applies.isoformat()}, with no significant " \
                 f"design change since{until}"


def classify_ai_act(card: dict[str, Any], holds: Holds, as_of: date) -> dict[str, Any]:
    """The AI Act classification the facts of the card give on ``as_of`` (JSON-ready), exposed to the
    packs as ``/derived/eu_ai_act`` (docs/scoring.md): what the rules key on, never the declared category."""
    act = (card.get("risk") or {}).get("eu_ai_act") or {}
    declared = act.get("category")
    screening = act.get("art5_screening") or {}
    matched = [m for m in screening.get("practices_matched") or [] if isinstance(m, str)]
    authorised_h = "h" in matched and bool(screening.get("authorisation_ref"))
    banned = [m for m in matched if not (m == "h" and authorised_h)]
    in_force = [m for m in banned if as_of >= AI_ACT_FROM["art5_omnibus" if m in ART5_OMNIBUS_POINTS else "art5"]]
    # Annex III (Art. 6(2)-(3)); an authorised Art. 5(1)(h) use is remote biometric identification, point 1(a)
    point = act.get("annex_iii_point") or ("1a" if authorised_h else None)
    derogation = act.get("art6_3") or {}
    profiling = derogation.get("profiling") is True or (card.get("decision") or {}).get("profiling") is True
    claimed = derogation.get("claimed") is True
    valid = bool(claimed and derogation.get("condition") and derogation.get("rationale_ref")
                 and derogation.get("profiling") is False and not profiling)
    iii_high = bool(point and not valid) or (not point and declared == "high_risk_annex_iii")
    iii_legacy, iii_why = _legacy(act, AI_ACT_FROM["annex_iii"], as_of)
    # Annex I (Art. 6(1), 6(1a)-(1c), 2(2))
    i_point = _annex_i_point(act)
    i_declared = bool(act.get("annex_i_legislation") or act.get("annex_i_point") or declared == "high_risk_annex_i")
    section = None if i_point is None else ("A" if int(i_point) <= 12 else "B")
    third_party = act.get("annex_i_third_party_assessment")
    art6_1a = act.get("art6_1a") or {}
    not_safety_component = bool(act.get("annex_i_role") == "safety_component"
                                and art6_1a.get("function") in ART6_1A_FUNCTIONS
                                and art6_1a.get("failure_endangers_health_or_safety") is False
                                and art6_1a.get("rationale_ref"))
    i_high = i_declared and third_party is not False and not not_safety_component
    i_legacy, i_why = _legacy(act, AI_ACT_FROM["annex_i"], as_of)
    transparency = [flag for flag, _ in ART50_FLAGS if holds("eu-trustworthy-ai", flag)]
    # the category the facts give, and the declared ones consistent with them: the same, or a
    # stricter one (over-declaring is not a contradiction); the two high-risk routes are not interchangeable
    i_facts = bool(act.get("annex_i_legislation") or act.get("annex_i_point"))
    routes = (("high_risk_annex_iii", bool(point and not valid), "annex_iii"),
              ("high_risk_annex_i", i_facts and i_high, "annex_i"))
    category, allowed = _category(in_force, [c for c, on, _ in routes if on], bool(transparency))
    # the same, counting only the facts whose clause applies on as_of (Art. 113 as amended): a
    # classification not yet in force does not make the declared category wrong yet (audit L11)
    now_category, now_allowed = _category(
        in_force, [c for c, on, key in routes if on and as_of >= AI_ACT_FROM[key]],
        bool(transparency) and as_of >= AI_ACT_FROM["art50"])
    return {
        "as_of": as_of.isoformat(),
        "category": category,
        "declared_category": declared,
        "consistent_categories": sorted(set(allowed)),
        "category_consistent": declared in allowed,
        "in_force": {"category": now_category, "consistent_categories": sorted(set(now_allowed)),
                     "category_consistent": declared in now_allowed},
        "prohibited": {"points": in_force, "pending": sorted(set(banned) - set(in_force)),
                       "authorised_rbi": authorised_h},
        "annex_iii": {"point": point, "high_risk": iii_high,
                      "art6_3": "valid" if valid else ("invalid" if claimed else "not_claimed"),
                      "legacy": iii_high and iii_legacy, "legacy_reason": iii_why,
                      "chapter_iii_applies": iii_high and not iii_legacy,
                      "applies_from": AI_ACT_FROM["annex_iii"].isoformat()},
        "annex_i": {"point": i_point, "section": section, "declared": i_declared,
                    "third_party_assessment": third_party, "art6_1a_not_safety_component": not_safety_component,
                    "high_risk": i_high, "legacy": i_high and i_legacy, "legacy_reason": i_why,
                    # Art. 2(2): for Section B only Arts. 6(1), 102-109 and 112 apply; an unknown section counts as A
                    "chapter_iii_applies": i_high and section != "B" and not i_legacy,
                    "applies_from": AI_ACT_FROM["annex_i"].isoformat()},
        "legacy": (iii_high and iii_legacy) or (i_high and i_legacy),
        "transparency": transparency,
    }


def _category(prohibited: list[str], highs: list[str], transparency: bool) -> tuple[str, list[str]]:
    """The category the facts give, and the declared ones consistent with it: the same, or a
    stricter one (over-declaring is not a contradiction); the two high-risk routes are not interchangeable."""
    if prohibited:
        return "prohibited", ["prohibited"]
    if highs:
        return highs[0], highs + ["prohibited"]
    if transparency:
        return "transparency", ["transparency", "high_risk_annex_iii", "high_risk_annex_i", "prohibited"]
    return "minimal", ["minimal", "out_of_scope", "transparency", "high_risk_annex_iii", "high_risk_annex_i",
                       "prohibited"]


def _legacy_note(reason: str) -> str:
    return f"; a legacy system under Art. 111(2) as amended ({reason}): the high-risk duties do not apply"


def _dated(fact: dict[str, Any], applies: date, as_of: date) -> dict[str, Any]:
    """A fact whose clause does not apply yet on ``as_of`` records when it will; it raises nothing until then."""
    if as_of < applies:
        fact["applies_from"] = applies.isoformat()
        fact["clause"] += f" (applies from {applies.isoformat()}, Art. 113 as amended; not yet on {as_of.isoformat()})"
    return fact


def eu_ai_act(card: dict[str, Any], holds: Holds, as_of: date) -> list[dict[str, Any]]:
    act = (card.get("risk") or {}).get("eu_ai_act") or {}
    base = "/model_card/risk/eu_ai_act"
    c = classify_ai_act(card, holds, as_of)
    facts = []
    matched = [m for m in (act.get("art5_screening") or {}).get("practices_matched") or [] if isinstance(m, str)]
    for points, applies in (([m for m in matched if m not in ART5_OMNIBUS_POINTS and not
                              (m == "h" and c["prohibited"]["authorised_rbi"])], AI_ACT_FROM["art5"]),
                            ([m for m in matched if m in ART5_OMNIBUS_POINTS], AI_ACT_FROM["art5_omnibus"])):
        if points:
            facts.append(_dated(_fact("EU AI Act", f"{base}/art5_screening/practices_matched", points, "prohibited",
                                      "Art. 5(1): prohibited AI practice " + ", ".join(f"({m})" for m in points),
                                      AI_ACT_URL), applies, as_of))
    if act.get("category") == "prohibited":
        facts.append(_fact("EU AI Act", f"{base}/category", "prohibited", "prohibited", "Art. 5", AI_ACT_URL))
    iii, ai = c["annex_iii"], c["annex_i"]
    if iii["art6_3"] == "valid" and iii["point"]:
        condition = act["art6_3"]["condition"]
        facts.append(_fact("EU AI Act", f"{base}/art6_3", condition, "minimal",
                           f"Art. 6(3)({condition}): documented derogation from high risk, no profiling", AI_ACT_URL))
    elif iii["high_risk"]:
        point = iii["point"]
        if c["prohibited"]["authorised_rbi"] and not act.get("annex_iii_point"):
            pointer, value = f"{base}/art5_screening/authorisation_ref", "h"
        else:
            pointer, value = (f"{base}/annex_iii_point", point) if point else (f"{base}/category", act.get("category"))
        clause = (f"Art. 6(2) and Annex III point {point[0]}" + (f"({point[1:]})" if len(point) > 1 else "")
                  if point else "Art. 6(2) and Annex III")
        if c["prohibited"]["authorised_rbi"]:
            clause += (": an authorised Art. 5(1)(h) use (Art. 5(2)-(3)) is not prohibited; it is high-risk "
                       "remote biometric identification")
        if iii["art6_3"] == "invalid":
            clause += (": the Art. 6(3) derogation does not hold (it is never available for profiling, and "
                       "needs a condition, documented reasoning and profiling: false)")
        if iii["legacy"]:
            clause += _legacy_note(iii["legacy_reason"])
        facts.append(_dated(_fact("EU AI Act", pointer, value, "high", clause, AI_ACT_URL),
                            AI_ACT_FROM["annex_iii"], as_of))
    if ai["declared"]:
        pointer = next((f"{base}/{k}" for k in ("annex_i_legislation", "annex_i_point", "category") if act.get(k)),
                       f"{base}/category")
        value = act.get("annex_i_legislation") or act.get("annex_i_point") or act.get("category")
        where = f"Annex I point {ai['point']} (Section {ai['section']})" if ai["section"] else "Annex I"
        if ai["third_party_assessment"] is False:
            facts.append(_fact("EU AI Act", f"{base}/annex_i_third_party_assessment", False, "minimal",
                               f"Art. 6(1)(b): the product needs no third-party conformity assessment under {where}: "
                               "not high-risk", AI_ACT_URL))
        elif ai["art6_1a_not_safety_component"]:
            facts.append(_fact("EU AI Act", f"{base}/art6_1a", act["art6_1a"]["function"], "minimal",
                               "Art. 6(1a)-(1c) as inserted by Reg. (EU) 2026/1744: a component solely for "
                               f"{act['art6_1a']['function'].replace('_', ' ')} whose failure does not endanger health "
                               "or safety is not a safety component", AI_ACT_URL))
        else:
            clause = f"Art. 6(1) and {where}: safety component of, or itself, a product under Union harmonisation law"
            if ai["third_party_assessment"] is not True:
                clause += (" (a third-party conformity assessment, Art. 6(1)(b), is assumed: "
                           "annex_i_third_party_assessment not recorded)")
            if ai["section"] == "B":
                clause += ("; Section B: only Arts. 6(1), 102-109 and 112 apply (Art. 2(2)), the requirements "
                           "reach it through the sectoral act")
            elif ai["section"] is None:
                clause += "; the Annex I section is not known from the evidence: checked as Section A"
            if ai["legacy"]:
                clause += _legacy_note(ai["legacy_reason"])
            facts.append(_dated(_fact("EU AI Act", pointer, value, "high", clause, AI_ACT_URL),
                                AI_ACT_FROM["annex_i"], as_of))
    for flag, clause in ART50_FLAGS:
        if flag in c["transparency"]:
            facts.append(_dated(_fact("EU AI Act", f"/model_card/intended_use/{flag}", True, "limited", clause,
                                      AI_ACT_URL), AI_ACT_FROM["art50"], as_of))
    if act.get("category") == "transparency":
        facts.append(_dated(_fact("EU AI Act", f"{base}/category", "transparency", "limited", "Art. 50", AI_ACT_URL),
                            AI_ACT_FROM["art50"], as_of))
    return facts


def pra(card: dict[str, Any], holds: Holds) -> list[dict[str, Any]]:
    """PRA SS1/23 P1.3: the stricter of the firm's declared tier and the materiality x complexity
    matrix (mlcompliance policy, the catalog's proposal). In scope with neither a declared tier
    nor both matrix inputs: tier 1 (fail closed). The pack's conditions pra_tier_1/2/3
    (pra-ss1-23 >= 1.1.0) derive the same PRA tier for its tier-dependent rules."""
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
                           "complexity (mlcompliance policy matrix)", PRA_URL))
    if info.get("tier") in PRA_TIER_TO_TIER:
        facts.append(_fact("PRA SS1/23", f"{base}/tier", info["tier"], PRA_TIER_TO_TIER[info["tier"]],
                           f"P1.3: the firm assigned model tier {info['tier']}", PRA_URL))
    if not facts:
        facts.append(_fact("PRA SS1/23", f"{base}/tier", "not assessed", PRA_TIER_TO_TIER[1],
                           "P1.3: in scope with no model tier and no complete materiality x complexity "
                           "assessment: treated as tier 1 (fail closed)", PRA_URL))
    return facts


def pra_tier(card: dict[str, Any]) -> int | None:
    """The derived PRA tier (1-3) of an in-scope card: the stricter of the declared tier and the
    matrix, 1 when neither can be read; None when the card has no PRA block."""
    info = (card.get("risk") or {}).get("pra")
    if not isinstance(info, dict) or info.get("in_scope") is not True:
        return None
    tiers = [t for t in (PRA_MATRIX.get((info.get("materiality"), info.get("complexity"))), info.get("tier"))
             if t in PRA_TIER_TO_TIER]
    return min(tiers) if tiers else 1


GXP_IMPACT_URL = ("https://ispe.org/publications/guidance-documents/"
                  "baseline-guide-vol-5-commissioning-qualification-2nd-edition")


def gxp(card: dict[str, Any], holds: Holds) -> list[dict[str, Any]]:
    """GxP: the direct / indirect / no impact vocabulary is ISPE Baseline Guide 5's (commissioning
    and qualification), not GAMP 5's; which tier each impact gives is mlcompliance policy (catalog
    0.1), and GAMP 5 scales the validation effort to it."""
    if not holds("gxp-alcoa", "gxp_impact"):
        return []
    impact = card["risk"]["gxp"]["impact"]
    if impact == "direct":
        return [_fact("GxP", "/model_card/risk/gxp/impact", impact, "high",
                      "ISPE Baseline Guide 5 impact assessment: direct impact on patient safety, product quality "
                      "or data integrity (tier by mlcompliance policy; GAMP 5 scales assurance to it)", GXP_IMPACT_URL)]
    if impact == "indirect":
        return [_fact("GxP", "/model_card/risk/gxp/impact", impact, "limited",
                      "ISPE Baseline Guide 5 impact assessment: indirect GxP impact (tier by mlcompliance policy; "
                      "GAMP 5 scales assurance to it)", GXP_IMPACT_URL)]
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
OVERRIDE_MAX_DAYS = 366     # mlcompliance policy: a tier override is re-approved yearly (a leap year has 366 days)


def derive(bundle: dict[str, Any], as_of: date,
           conditions: Mapping[tuple[str, str], Callable[[Context], bool]] | None = None,
           override_max_days: int = OVERRIDE_MAX_DAYS) -> dict[str, Any]:
    """The effective tier with its derivation (JSON-ready). ``conditions`` are the packs'
    definitions of TIER_CONDITIONS (``policy.packs.shared_conditions``); default: the built-in packs'.
    ``override_max_days``: how long an approved tier override stands (mlcompliance.yaml
    ``tier_override_max_days``)."""
    if conditions is None:
        from mlcompliance.policy.packs import shared_conditions
        conditions = shared_conditions((), TIER_CONDITIONS)
    ctx = Context(bundle, as_of, "", lambda _: None)   # a condition that tiering reads cannot depend on the tier

    def holds(pack_id: str, name: str) -> bool:
        return conditions[(pack_id, name)](ctx)
    card = bundle.get("model_card") or {}
    facts = (eu_ai_act(card, holds, as_of) + pra(card, holds) + gxp(card, holds)
             + gdpr(card, bundle.get("data_manifest") or {}, holds))
    live = [f for f in facts if "applies_from" not in f]   # a clause not yet applicable raises nothing
    regimes = {regime: _max([f["raises_to"] for f in live if f["regime"] == regime]) for regime in REGIMES}
    derived = _max(list(regimes.values()))
    risk = card.get("risk") or {}
    declared = risk.get("tier")
    override = risk.get("override")
    out: dict[str, Any] = {"tier": derived, "declared": declared, "derived": derived, "regimes": regimes,
                           "basis": [f for f in live if f["raises_to"] == derived and derived != "minimal"],
                           "facts": facts, "override": None, "problems": []}
    if declared is None:
        out["tier"] = _max([derived, "high"])
        out["problems"].append({"kind": "undeclared", "message": "The model card declares no risk tier "
                                "(risk.tier): the project is checked as high (fail closed)."})
        return out
    if TIER_RANK[declared] >= TIER_RANK[derived]:
        out["tier"] = declared
        return out
    accepted, reason, lapses = _override_accepted(override, declared, derived, as_of, override_max_days)
    if accepted:
        out["tier"] = declared
        out["override"] = {**override, "accepted": True, "lapses_on": lapses}
        return out
    if override:
        out["override"] = {**override, "accepted": False, "reason": reason,
                           **({"lapses_on": lapses} if lapses else {})}
    lead = out["basis"][0] if out["basis"] else None
    why = f" ({lead['clause']})" if lead else ""
    out["problems"].append({"kind": "under_declared", "message": f"The model card declares tier '{declared}' but its "
                            f"own facts make it '{derived}'{why}; checked as '{derived}'." +
                            (f" The override is not accepted: {reason}." if override else "")})
    return out


def derived_view(bundle: dict[str, Any], as_of: date,
                 conditions: Mapping[tuple[str, str], Callable[[Context], bool]] | None = None) -> dict[str, Any]:
    """The read-only ``/derived`` part of the evidence bundle: the classification the engine derives
    from the facts (today the AI Act's, ``classify_ai_act``), for the packs' conditions and rules."""
    if conditions is None:
        from mlcompliance.policy.packs import shared_conditions
        conditions = shared_conditions((), TIER_CONDITIONS)
    ctx = Context({k: v for k, v in bundle.items() if k != "derived"}, as_of, "", lambda _: None)
    return {"eu_ai_act": classify_ai_act(bundle.get("model_card") or {},
                                         lambda pack_id, name: conditions[(pack_id, name)](ctx), as_of)}


def attach_derived(project: Any, as_of: date,
                   conditions: Mapping[tuple[str, str], Callable[[Context], bool]] | None = None) -> None:
    """Put ``derived_view`` into ``project.bundle['derived']`` (replacing any earlier one) and index
    where each part comes from in the evidence."""
    project.bundle["derived"] = derived_view(project.bundle, as_of, conditions)
    project.derived_index.update(DERIVED_SOURCES)


def _override_accepted(override: dict[str, Any] | None, declared: str, derived: str, as_of: date,
                       max_days: int = OVERRIDE_MAX_DAYS) -> tuple[bool, str, str | None]:
    """Whether ``override`` stands on ``as_of``, why not, and the last day it stands. A risk acceptance
    is never indefinite: it lapses after its ``review_by`` date or ``max_days`` after its approval,
    whichever is first (mlcompliance policy, audit section 4.2)."""
    if not override:
        return False, "no override record", None
    if override.get("to") != declared:
        return False, f"the override is to '{override.get('to')}', not the declared '{declared}'", None
    if derived == "prohibited":
        return False, "a prohibited practice (AI Act Art. 5) cannot be overridden", None
    missing = [k for k in ("justification", "approved_by", "approved_at") if not override.get(k)]
    if missing:
        return False, "missing " + ", ".join(missing), None
    approved = date.fromisoformat(override["approved_at"])
    if approved > as_of:
        return False, f"approved_at {override['approved_at']} is after the as-of date {as_of.isoformat()}", None
    cap = approved + timedelta(days=max_days)
    review_by = _day(override.get("review_by"))
    lapses = min(cap, review_by) if review_by else cap
    if as_of > lapses:
        why = (f"its review_by date {lapses.isoformat()} has passed" if review_by and review_by <= cap else
               f"it was approved on {approved.isoformat()}, more than {max_days} days before the as-of date "
               f"(mlcompliance policy: a tier override is re-approved at least every {max_days} days, "
               "mlcompliance.yaml tier_override_max_days)")
        return False, why + "; re-approve it with a new approved_at", lapses.isoformat()
    return True, "", lapses.isoformat()
