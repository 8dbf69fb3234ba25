"""The twelve MLOps practices of controls.md section 5, scored 0 / 0.5 / 1 from the evidence.

Five practices take the score of an ML Test Score test; CI, CD, continuous training and
monitoring, versioning, validation gates, traceability and checkpoint recovery are scored
here from the evaluation context.
"""
from __future__ import annotations

import re
from typing import Any

from mlcompliance.scoring.maturity.context import _Ctx, _d, _dedupe, _l
from mlcompliance.scoring.maturity.rubric import PRACTICE_STAGES, principle_status

# --- freshness windows (days before the as-of date) ---------------------------------------------

RESUME_FRESH_DAYS = 365

_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


# --- practices (controls.md section 5) ---------------------------------------------------------

PRACTICE_TITLES = {
    "MLOPS-01-CI": "Automated CI",
    "MLOPS-02-CD": "Automated CD from the registry",
    "MLOPS-03-CT-MONITORING": "Continuous training and performance monitoring",
    "MLOPS-04-VERSIONING": "Model and data versioning",
    "MLOPS-05-VALIDATION": "Automated data and model validation gates",
    "MLOPS-06-REPRODUCIBILITY": "Fixed seeds, pinned dependencies, dataset hashes",
    "MLOPS-07-TRACEABILITY": "Production model traces to run, code, data, parameters, environment",
    "MLOPS-08-FAIRNESS": "Automated fairness tests (when outputs concern people)",
    "MLOPS-09-STALENESS": "Model staleness bounded",
    "MLOPS-10-CANARY": "Canary, shadow or progressive rollout",
    "MLOPS-11-ROLLBACK": "Fast, tested rollback",
    "MLOPS-12-CHECKPOINT-RECOVERY": "Training resumes from checkpoints",
}


def _practice(pid: str, score: float | None, evidence: list[dict[str, Any]], reason: str | None,
              basis: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": pid, "title": PRACTICE_TITLES[pid], "stage": PRACTICE_STAGES[pid], "score": score,
                           "status": principle_status(score)}
    if basis:
        out["basis"] = basis
    out["evidence"] = _dedupe(evidence)
    if reason:
        out["reason"] = reason
    return out


def _from_test(pid: str, test: dict[str, Any]) -> dict[str, Any]:
    return _practice(pid, test["score"], test["evidence"], test.get("reason"), basis=f"ML Test Score {test['id']}")


def _practices(c: _Ctx, tests: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    # 01 CI
    unit, data, pr = c.ci_evidence("unit_tests"), c.ci_evidence("data_tests"), c.ci_evidence("pr_trigger")
    missing = [n for n, e in (("unit tests", unit), ("data tests", data), ("a pull/merge-request trigger", pr)) if not e]
    if c.ci_recurring and not missing:
        out.append(_practice("MLOPS-01-CI", 1.0, unit[:1] + data[:1] + pr[:1], None))
    elif c.ci_live:
        why = [c.ci_note] if c.ci_note else []
        why += [f"CI runs no {m}" if m != "a pull/merge-request trigger" else "CI has no pull/merge-request trigger"
                for m in missing]
        files = [c.fev(p, 1, "CI configuration") for p in c.ci_files]
        out.append(_practice("MLOPS-01-CI", 0.5, files + unit[:1] + data[:1] + pr[:1], "; ".join(why)))
    else:
        out.append(_practice("MLOPS-01-CI", 0.0, [], "no CI configuration in the project and pipeline.ci.enabled "
                                                     "is not true"))
    # 02 CD
    cd = _d(c.pl.get("cd"))
    envs = {e for e in _l(cd.get("environments")) if isinstance(e, str)}
    if cd.get("enabled") is True and cd.get("source") == "model_registry" and {"staging", "production"} <= envs:
        out.append(_practice("MLOPS-02-CD", 1.0, [c.ev("/pipeline/cd", "CD enabled from the model registry to "
                                                                       + ", ".join(sorted(envs)))], None))
    else:
        ev = []
        if cd.get("enabled") is True:
            ev.append(c.ev("/pipeline/cd", "CD enabled, but not from the registry through staging and production"))
        ev += c.automation("deploy")[0]
        for i, d in enumerate(_l(c.pl.get("deployments"))):
            if _d(d).get("deployed_at"):
                ev.append(c.ev(f"/pipeline/deployments/{i}", f"deployment to {_d(d).get('env')} recorded "
                                                             f"({_d(d).get('deployed_at')})"))
                break
        reason = ("deployment is not automated from the model registry through staging to production "
                  "(pipeline.cd.enabled, source: model_registry, environments)")
        out.append(_practice("MLOPS-02-CD", 0.5 if ev else 0.0, ev, reason))
    # 03 CT + monitoring
    ct = c.ct_triggers()
    mon_ok = tests["monitor-7"]["score"] == 1.0
    ev = ([c.ev("/pipeline/ct", f"continuous training triggered by {', '.join(ct)}")] if ct else [])
    ev += tests["monitor-7"]["evidence"][:2]
    missing = ([] if ct else ["continuous training is not enabled with triggers (pipeline.ct)"])
    missing += [] if mon_ok else [tests["monitor-7"].get("reason") or "no live monitoring"]
    score = 1.0 if ct and mon_ok else 0.5 if ct or c.mon or _d(c.pl.get("ct")) else 0.0
    out.append(_practice("MLOPS-03-CT-MONITORING", score, ev, "; ".join(missing) or None))
    # 04 versioning
    out.append(_versioning(c))
    # 05 validation
    data_gate, model_gate = c.gate("data_validation"), c.gate("model_validation")
    if data_gate and model_gate:
        out.append(_practice("MLOPS-05-VALIDATION", 1.0, data_gate + model_gate, None))
    else:
        missing = [f"no automated, blocking {k} stage" for k, g in (("data_validation", data_gate),
                                                                    ("model_validation", model_gate)) if not g]
        ev = data_gate + model_gate + [e for e in tests["infra-4"]["evidence"] if e not in data_gate + model_gate]
        ev += [c.ev(f"/pipeline/stages/{i}", f"{s.get('kind')} stage '{s.get('name')}' (not an automated gate)")
               for k in ("data_validation", "model_validation") for i, s in c.stages(k)
               if not (s.get("automated") is True and s.get("blocking") is True)]
        out.append(_practice("MLOPS-05-VALIDATION", 0.5 if ev else 0.0, ev, "; ".join(missing)))
    # 06 reproducibility
    out.append(_from_test("MLOPS-06-REPRODUCIBILITY", tests["infra-1"]))
    # 07 traceability
    out.append(_traceability(c))
    # 08 fairness
    if c.affects_people():
        out.append(_from_test("MLOPS-08-FAIRNESS", tests["model-7"]))
    else:
        out.append(_practice("MLOPS-08-FAIRNESS", None, [c.ev("/model_card/intended_use/affected_persons",
                                                              "no affected persons and no personal data declared")],
                             "not applicable: the model's outputs do not concern people"))
    # 09 staleness, 10 canary, 11 rollback
    out.append(_from_test("MLOPS-09-STALENESS", tests["monitor-4"]))
    out.append(_from_test("MLOPS-10-CANARY", tests["infra-6"]))
    out.append(_from_test("MLOPS-11-ROLLBACK", tests["infra-7"]))
    # 12 checkpoints
    cp = _d(_d(c.pl.get("training")).get("checkpoint"))
    age = c.age(cp.get("resume_tested_at"))
    if cp.get("enabled") is True and cp.get("storage_uri") and age is not None and age <= RESUME_FRESH_DAYS:
        out.append(_practice("MLOPS-12-CHECKPOINT-RECOVERY", 1.0, [c.ev(
            "/pipeline/training/checkpoint", f"checkpoints to durable storage; resume tested {age} days before the "
                                             f"as-of date")], None))
    elif cp:
        why = ("resume never tested" if age is None else f"resume last tested {age} days before the as-of date "
               f"(more than {RESUME_FRESH_DAYS})") if cp.get("enabled") is True else "checkpoints not enabled"
        out.append(_practice("MLOPS-12-CHECKPOINT-RECOVERY", 0.5 if cp.get("enabled") is True else 0.0,
                             [c.ev("/pipeline/training/checkpoint", "checkpoint settings declared")], why))
    else:
        out.append(_practice("MLOPS-12-CHECKPOINT-RECOVERY", 0.0, [], "no checkpoint settings "
                                                                      "(pipeline.training.checkpoint)"))
    return out


def _versioning(c: _Ctx) -> dict[str, Any]:
    ev, missing = [], []
    version = _d(c.mc.get("model_details")).get("version")
    if isinstance(version, str) and _SEMVER.match(version):
        ev.append(c.ev("/model_card/model_details/version", f"model version {version} (semantic)"))
    else:
        missing.append("model version is not semantic (MAJOR.MINOR.PATCH)" if version else "no model version")
        if version:
            ev.append(c.ev("/model_card/model_details/version", f"model version {version}"))
    registry = _d(c.pl.get("registry"))
    if registry.get("model_version") and registry.get("model_version") == version:
        ev.append(c.ev("/pipeline/registry/model_version", f"registry holds version {version}"))
    else:
        missing.append(f"registry version {registry.get('model_version')} differs from the model card's {version}"
                       if registry.get("model_version") else "no registry version")
        if registry.get("model_version"):
            ev.append(c.ev("/pipeline/registry/model_version", f"registry version {registry.get('model_version')}"))
    datasets = c.datasets()
    dvc_lock = bool(c.repo.of("dvc_lock"))
    if datasets and all(d.get("version") and d.get("sha256") for _, d in datasets):
        ev.append(c.ev("/data_manifest/datasets", f"all {len(datasets)} datasets carry a version and a SHA-256"))
    elif dvc_lock:
        ev.append(c.fev(c.repo.of("dvc_lock")[0].path, 1, "dvc.lock versions data by hash"))
    else:
        missing.append("not every dataset has a version and a SHA-256")
        if any(d.get("version") or d.get("sha256") for _, d in datasets):
            ev.append(c.ev("/data_manifest/datasets", "some datasets versioned"))
    runs = c.training_runs()
    if runs and all(r.get("git_commit") for _, r in runs):
        ev.append(c.ev(f"/pipeline/runs/{runs[0][0]}/git_commit", "every training run records its git commit"))
    else:
        missing.append("not every training run records a git commit")
    score = 1.0 if not missing else 0.5 if ev else 0.0
    return _practice("MLOPS-04-VERSIONING", score, ev, "; ".join(missing) or None)


def _traceability(c: _Ctx) -> dict[str, Any]:
    deployments = [(i, _d(d)) for i, d in enumerate(_l(c.pl.get("deployments")))]
    prod = [(i, d) for i, d in deployments if d.get("env") == "production"]
    registry = _d(c.pl.get("registry"))
    target = prod[-1][1].get("model_version") if prod else registry.get("model_version") or \
        _d(c.mc.get("model_details")).get("version")
    ev, missing = [], []
    if prod:
        ev.append(c.ev(f"/pipeline/deployments/{prod[-1][0]}", f"production runs model version {target}"))
    else:
        missing.append("no production deployment recorded (traced the registry version instead)")
    known = [registry.get("model_version")] + _l(registry.get("previous_versions"))
    if target and target in known:
        ev.append(c.ev("/pipeline/registry", f"version {target} is in the registry"))
    else:
        missing.append(f"version {target} is not in the registry")
    runs = [(i, r) for i, r in c.training_runs() if target and r.get("model_version") == target]
    if not runs:
        missing.append(f"no recorded run produced version {target}")
    else:
        i, run = runs[-1]
        ev.append(c.ev(f"/pipeline/runs/{i}", f"run {run.get('run_id')} produced version {target}"))
        if not run.get("git_commit"):
            missing.append("the run records no git commit")
        refs = [_d(r) for r in _l(run.get("data_refs"))]
        if not refs or not all(r.get("sha256") for r in refs):
            missing.append("the run's data references lack SHA-256 digests")
        if not _d(run.get("params")):
            missing.append("the run records no parameters")
        env = _d(c.pl.get("environment"))
        if not (run.get("environment_digest") or env.get("container_digest") or env.get("lockfile")):
            missing.append("no environment digest or lock file")
    score = 1.0 if not missing else 0.5 if ev else 0.0
    return _practice("MLOPS-07-TRACEABILITY", score, ev, "; ".join(missing) or None)

