"""Rubric arithmetic: section sums, the final score, its band and crosswalk, the stage rule.

Pure functions of scores, tested on hand-computed examples: the ML Test Score's sections and
interpretation bands (Breck et al. 2017, section VI), our crosswalk to Google and Azure levels
(ml-governance.md 3d), the playbook's stage rule over the twelve practices (controls.md
section 5) and the met / partial / not met status of a score.
"""
from __future__ import annotations

from typing import Any

# --- the rubric -------------------------------------------------------------------------------

SECTIONS = (("data", "Data and features"), ("model", "Model development"),
            ("infrastructure", "ML infrastructure"), ("monitoring", "Monitoring"))

# (final score upper bound inclusive, range text, meaning): Breck et al. 2017, section VI
BANDS = (
    (0.0, "0", "More a research project than a production system"),
    (1.0, "(0, 1]", "Not totally untested, but serious holes in reliability are likely"),
    (2.0, "(1, 2]", "A first pass at basic productionisation; more investment is needed"),
    (3.0, "(2, 3]", "Reasonably tested; more could be automated"),
    (5.0, "(3, 5]", "Strong automated testing and monitoring; fit for mission-critical systems"),
    (float("inf"), "> 5", "Exceptional levels of automated testing and monitoring"),
)

# ml-governance.md 3d: final score -> Google level, Azure level, label (a proposal we show as is)
CROSSWALK = (
    (0.0, "0", "0", "Research"),
    (1.0, "0", "1", "Initial"),
    (2.0, "1 (partial)", "2", "Managed training"),
    (3.0, "1", "2-3", "Repeatable"),
    (5.0, "2", "3", "Automated"),
    (float("inf"), "2", "4", "Continuously operated"),
)

STAGE_LABELS = {1: "Manual", 2: "Automated data and model validation with continuous training",
                3: "Full CI/CT/CD automation"}


# --- rubric arithmetic (pure, tested on hand-computed examples) --------------------------------

def section_sums(tests: list[dict[str, Any]]) -> dict[str, float]:
    sums = {key: 0.0 for key, _ in SECTIONS}
    for t in tests:
        sums[t["section"]] += float(t["score"])
    return sums


def final_score(sections: dict[str, float]) -> float:
    """The paper's rule: the weakest section caps the score."""
    return min(sections.values())


def band(final: float) -> tuple[str, str]:
    """(range, meaning) of the ML Test Score interpretation band for ``final``."""
    for upper, rng, meaning in BANDS:
        if final <= upper:
            return rng, meaning
    raise AssertionError("unreachable")


def crosswalk(final: float) -> dict[str, str]:
    for upper, google, azure, label in CROSSWALK:
        if final <= upper:
            return {"google_level": google, "azure_level": azure, "label": label}
    raise AssertionError("unreachable")


PRACTICE_STAGES = {
    "MLOPS-01-CI": 3, "MLOPS-02-CD": 3, "MLOPS-03-CT-MONITORING": 2, "MLOPS-04-VERSIONING": 1,
    "MLOPS-05-VALIDATION": 2, "MLOPS-06-REPRODUCIBILITY": 1, "MLOPS-07-TRACEABILITY": 2, "MLOPS-08-FAIRNESS": 2,
    "MLOPS-09-STALENESS": 2, "MLOPS-10-CANARY": 3, "MLOPS-11-ROLLBACK": 3, "MLOPS-12-CHECKPOINT-RECOVERY": 2,
}


def stage_rule(scores: dict[str, float | None]) -> dict[str, Any]:
    """controls.md section 5: Stage 3 if every practice = 1; Stage 2 if every S1 and S2 practice = 1;
    else Stage 1. Below baseline when an S1 practice scores under 0.5. ``None`` = not applicable."""
    def short(ids: list[str]) -> str:
        return ", ".join(f"{i} ({scores[i]:g})" for i in ids)

    lacking = {s: sorted(i for i, st in PRACTICE_STAGES.items() if st == s and scores.get(i) is not None
                         and scores[i] < 1) for s in (1, 2, 3)}
    na = sorted(i for i in PRACTICE_STAGES if scores.get(i) is None)
    below = any(scores.get(i) is not None and scores[i] < 0.5 for i, s in PRACTICE_STAGES.items() if s == 1)
    why = []
    if not lacking[1] and not lacking[2]:
        stage = 3 if not lacking[3] else 2
        why.append("every Stage 1 and Stage 2 practice scores 1 (automated and recurring)")
        if stage == 3:
            why.append("every Stage 3 practice (CI, CD, canary, rollback) scores 1")
        else:
            why.append("not Stage 3: " + short(lacking[3]))
    else:
        stage = 1
        if lacking[1]:
            why.append("not Stage 2: Stage 1 practices below 1: " + short(lacking[1]))
        if lacking[2]:
            why.append("not Stage 2: Stage 2 practices below 1: " + short(lacking[2]))
    if na:
        why.append("not applicable: " + ", ".join(na))
    if below:
        why.append("below baseline: a Stage 1 practice scores under 0.5")
    return {"stage": stage, "label": STAGE_LABELS[stage], "below_baseline": below, "why": why}


def principle_status(score: float | None) -> str:
    if score is None:
        return "not_applicable"
    return "met" if score >= 1 else "partial" if score >= 0.5 else "not_met"



AZURE_LABELS = {0: "No MLOps", 1: "DevOps but no MLOps", 2: "Automated training",
                3: "Automated model deployment", 4: "Full MLOps automated operations"}
GOOGLE_LABELS = {0: "Manual process", 1: "ML pipeline automation", 2: "CI/CD pipeline automation"}
