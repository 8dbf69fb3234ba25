"""The playbook's seven principles, the Azure level and the evidenced self-assessment dimensions.

Computed from the evaluation context, the scored practices and the scored tests.
"""
from __future__ import annotations

import re
from typing import Any

from mlcompliance.scoring.maturity.context import _Ctx, _d, _dedupe, _l
from mlcompliance.scoring.maturity.rubric import principle_status
from mlcompliance.scoring.maturity.tests_rubric import _repro_parts

# --- principles, levels, dimensions ------------------------------------------------------------

AZURE_LABELS = {0: "No MLOps", 1: "DevOps but no MLOps", 2: "Automated training",
                3: "Automated model deployment", 4: "Full MLOps automated operations"}
GOOGLE_LABELS = {0: "Manual process", 1: "ML pipeline automation", 2: "CI/CD pipeline automation"}

PRINCIPLES = (
    (1, "automated_ci", "Automated CI: testing and validating code, data, data schemas and models"),
    (2, "automated_cd", "Automated CD: a training pipeline that deploys a prediction service"),
    (3, "continuous_training", "Automated continuous training and model performance monitoring"),
    (4, "versioning", "Automated model and data versioning"),
    (5, "validation", "Automated model and data validation"),
    (6, "traceability", "Verifiability, traceability, reproducibility"),
    (7, "collaboration", "Collaboration and cross-team alignment: templates, infrastructure and configuration as code"),
)


def _principles(c: _Ctx, practices: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    def from_practices(*ids: str) -> tuple[float, list[dict[str, Any]], str | None]:
        scores = [practices[i]["score"] for i in ids]
        ev = [e for i in ids for e in practices[i]["evidence"]]
        reasons = [f"{i}: {practices[i]['reason']}" for i in ids if practices[i].get("reason") and
                   practices[i]["score"] is not None and practices[i]["score"] < 1]
        return min(s for s in scores if s is not None), ev, "; ".join(reasons) or None

    rows = {
        1: from_practices("MLOPS-01-CI"),
        2: from_practices("MLOPS-02-CD"),
        3: from_practices("MLOPS-03-CT-MONITORING"),
        4: from_practices("MLOPS-04-VERSIONING"),
        5: from_practices("MLOPS-05-VALIDATION"),
        6: from_practices("MLOPS-06-REPRODUCIBILITY", "MLOPS-07-TRACEABILITY"),
        7: _collaboration(c),
    }
    out = []
    for number, pid, title in PRINCIPLES:
        score, ev, reason = rows[number]
        item: dict[str, Any] = {"number": number, "id": pid, "title": title, "status": principle_status(score),
                                "score": score, "evidence": _dedupe(ev)}
        if reason:
            item["reason"] = reason
        out.append(item)
    return out


def _collaboration(c: _Ctx) -> tuple[float, list[dict[str, Any]], str | None]:
    parts: dict[str, list[dict[str, Any]]] = {"pipeline or CI configuration as code": [],
                                              "environment as code (lock file or container digest)": [],
                                              "cross-team roles (RACI over at least three lifecycle stages)": []}
    keys = list(parts)
    parts[keys[0]] += [c.fev(p, 1, "CI configuration in the repository") for p in c.ci_files]
    parts[keys[0]] += [c.fev(f.path, 1, "dvc pipeline definition") for f in c.repo.of("dvc")]
    parts[keys[1]] += _repro_parts(c)["environment"]
    raci = [_d(r) for r in _l(_d(c.mc.get("governance")).get("raci"))]
    stages = {r.get("stage") for r in raci if r.get("responsible") or r.get("accountable")}
    if len(stages) >= 3:
        parts[keys[2]].append(c.ev("/model_card/governance/raci", f"RACI covers {len(stages)} lifecycle stages"))
    ev = [e for k in keys for e in parts[k]]
    if c.project.config is not None:
        ev.append(c.fev(c.project.config.path, 1, "project configuration as code"))
    missing = [k for k in keys if not parts[k]]
    score = 1.0 if not missing else 0.5 if any(parts.values()) else 0.0
    return score, ev, ("missing: " + "; ".join(missing)) if missing else None


def _azure(c: _Ctx, p: dict[str, dict[str, Any]], tests: dict[str, dict[str, Any]]) -> tuple[int, list[str]]:
    runs = c.training_runs()
    tracked = any(r.get("git_commit") and (_d(r.get("params")) or _d(r.get("metrics"))) for _, r in runs)
    trained_auto = bool(c.automation("training")[0]) or bool(c.ct_triggers())
    criteria = [
        (1, "CI runs tests and code is versioned", p["MLOPS-01-CI"]["score"] >= 0.5
         and p["MLOPS-04-VERSIONING"]["score"] >= 0.5),
        (2, "training is automated, runs are tracked (commit and parameters or metrics), a registry holds models",
         trained_auto and tracked and bool(_d(c.pl.get("registry")).get("model_version"))),
        (3, "CD from the registry, full traceability, unit and integration tests per release",
         p["MLOPS-02-CD"]["score"] == 1 and p["MLOPS-07-TRACEABILITY"]["score"] == 1
         and p["MLOPS-01-CI"]["score"] == 1 and tests["infra-3"]["score"] == 1),
        (4, "retraining on drift or performance signals, live monitoring, blocking validation gates, "
            "automatic canary abort",
         any(t in ("drift", "performance_drop") for t in c.ct_triggers())
         and p["MLOPS-03-CT-MONITORING"]["score"] == 1 and p["MLOPS-05-VALIDATION"]["score"] == 1
         and tests["infra-6"]["score"] == 1),
    ]
    level, why = 0, []
    for n, text, ok in criteria:
        if not ok:
            why.append(f"not level {n}: needs {text}")
            break
        level = n
        why.append(f"level {n}: {text}")
    return level, why


def _dimensions(c: _Ctx, p: dict[str, dict[str, Any]], tests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ci_data = c.ci_evidence("data_tests")
    data_gate = c.gate("data_validation")
    datasets = c.datasets()
    hashed = bool(datasets) and all(d.get("sha256") for _, d in datasets) or bool(c.repo.of("dvc_lock"))
    ingest_auto = any(s.get("automated") is True for _, s in c.stages("data_ingestion")) or \
        any(re.search(r"ingest|extract|etl|prepare", t, re.IGNORECASE) for _, _, _, t in c.dvc)
    gov = _d(c.mc.get("governance"))
    developers = {str(x) for x in _l(gov.get("developers"))}
    validator = gov.get("validator") or _d(c.mc.get("validation")).get("validator")
    val = _d(c.mc.get("validation"))
    prod = [_d(d) for d in _l(c.pl.get("deployments")) if _d(d).get("env") == "production"]
    signed = any(d.get("approved_by") for d in prod) or _d(c.pl.get("cd")).get("approval_gate") is True
    logged = (c.mon.get("inference_logging") is True or _d(c.pl.get("logging")).get("automatic") is True
              or (_d(c.pl.get("audit_trail")).get("enabled") is True
                  and _d(c.pl.get("audit_trail")).get("computer_generated") is True))
    policy_auto = c.automation("policy")[0]
    raci = _l(gov.get("raci"))
    rules: dict[str, list[tuple[int, str, bool]]] = {
        "data": [
            (2, "an automated data validation stage", bool(c.automation("data_tests")[0])),
            (2, "datasets identified by hash (data manifest SHA-256 or dvc.lock)", hashed),
            (3, "data validation is a blocking pipeline gate", bool(data_gate)),
            (3, "CI runs data tests and ran recently", bool(ci_data) and c.ci_recurring),
            (3, "data ingestion is automated", ingest_auto),
        ],
        "model_training": [
            (2, "continuous training enabled with triggers", bool(c.ct_triggers())),
            (2, "an automated, blocking model validation gate", bool(c.gate("model_validation"))),
            (2, "training is automated (pipeline, dvc or CI)", bool(c.automation("training")[0])),
            (3, "CI runs unit tests on the training code and ran recently", tests["infra-2"]["score"] == 1),
            (3, "training is reproducible (MLOPS-06 = 1)", p["MLOPS-06-REPRODUCIBILITY"]["score"] == 1),
            (3, "the production model is traceable (MLOPS-07 = 1)", p["MLOPS-07-TRACEABILITY"]["score"] == 1),
        ],
        "deployment": [
            (2, "an automated validation gate before register/deploy", tests["infra-4"]["score"] == 1),
            (2, "a registry keeps model versions", bool(_d(c.pl.get("registry")).get("model_version"))),
            (2, "live production monitoring", tests["monitor-7"]["score"] == 1),
            (3, "automated CD from the registry through staging to production", p["MLOPS-02-CD"]["score"] == 1),
            (3, "automated canary or progressive rollout", tests["infra-6"]["score"] == 1),
            (3, "automated, tested rollback", tests["infra-7"]["score"] == 1),
        ],
        "control_and_governance": [
            (2, "a named accountable owner", bool(gov.get("owner"))),
            (2, "an independent validator (not one of the developers)", bool(validator) and validator not in developers),
            (2, "a dated validation approval", val.get("status") in ("approved", "approved_with_conditions")
             and bool(val.get("date"))),
            (2, "production releases signed off (approved_by or a CD approval gate)", signed),
            (2, "a RACI for the lifecycle stages", bool(raci)),
            (3, "policy checks run automatically (e.g. mlcompliance check in CI)", bool(policy_auto)),
            (3, "prediction activity logged automatically (inference logging, audit trail)", logged),
            (3, "no production release before validation: a blocking model validation gate",
             bool(c.gate("model_validation"))),
        ],
    }
    out = {}
    for dim, crit in rules.items():
        stage = 1
        for s in (2, 3):
            if all(ok for st, _, ok in crit if st <= s):
                stage = s
            else:
                break
        met = [text for st, text, ok in crit if ok]
        missing = [text for st, text, ok in crit if not ok and st <= stage + 1] if stage < 3 else []
        out[dim] = {"stage": stage, "met": met, "missing_for_next": missing}
    return out

