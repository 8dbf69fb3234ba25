"""The 28 tests of the ML Test Score (Breck et al., IEEE BigData 2017), scored from evidence.

Each test is a ``TestSpec`` whose function reads the evaluation context and returns a
``_Verdict``; ``_score_test`` turns it into 0 (no evidence, or blocked), 0.5 (manual and
documented) or 1 (automated and recurring). ``TESTS`` is the table, in the paper's order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from mlcompliance.probes.repository import _clean_relative, _exists_inside
from mlcompliance.probes.signals import RX as _RX
from mlcompliance.scoring.maturity.context import _clip, _Ctx, _d, _dedupe, _l, _meets, _Verdict

# --- freshness windows (days before the as-of date) ---------------------------------------------

INTEGRATION_FRESH_DAYS = 30
ROLLBACK_FRESH_DAYS = 180
MODEL_AGE_DAYS = {"minimal": 730, "limited": 540, "high": 365}
DEFAULT_MODEL_AGE_DAYS = 365

_SERVING_METRIC = re.compile(r"latency|throughput|memory|\bcpu\b|p9[59]|\bqps\b|\brps\b|response[_-]?time",
                             re.IGNORECASE)


# --- the 28 tests ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TestSpec:
    __test__ = False   # not a pytest test class

    id: str
    section: str
    title: str
    half: str          # what earns 0.5
    one: str           # what earns 1
    fn: Callable[[_Ctx], _Verdict]


def _data_1(c: _Ctx) -> _Verdict:
    v = _Verdict()
    for i, ds in c.datasets():
        fields = [f for f in _l(ds.get("fields")) if _d(f).get("type")]
        if fields:
            constrained = sum(1 for f in fields if any(k in f for k in ("allowed_values", "min", "max", "nullable")))
            v.manual.append(c.ev(f"/data_manifest/datasets/{i}/fields",
                                 f"dataset {ds.get('id')}: {len(fields)} fields with declared types"
                                 f" ({constrained} with value constraints)"))
    for path, info in c.mlmodels:
        if "signature" in info:
            v.manual.append(c.fev(path, info["signature"], "MLflow model signature (input schema)"))
    for cat in ("data_tests", "schema"):
        auto, manual = c.automation(cat)
        v.auto += auto
        v.manual += manual
    return v


def _data_2(c: _Ctx) -> _Verdict:
    v = _Verdict(manual=c.attestation("MLOPS-22", "FEATURE-VALUE"))
    for i, ds in c.datasets():
        justified = [f for f in _l(ds.get("fields")) if _d(f).get("necessity_justification")]
        if justified:
            v.manual.append(c.ev(f"/data_manifest/datasets/{i}/fields",
                                 f"dataset {ds.get('id')}: {len(justified)} fields carry a necessity justification"))
    v.auto, manual = c.automation("feature_importance")
    v.manual += manual
    return v


def _data_3(c: _Ctx) -> _Verdict:
    v = _Verdict(manual=c.attestation("MLOPS-22", "FEATURE-VALUE"))
    v.auto, manual = c.automation("feature_cost")
    v.manual += manual
    return v


def _data_4(c: _Ctx) -> _Verdict:
    v = _Verdict()
    datasets = c.datasets()
    if datasets and all(isinstance(d.get("personal_data"), bool) for _, d in datasets):
        for i, ds in datasets[:3]:
            v.manual.append(c.ev(f"/data_manifest/datasets/{i}/personal_data",
                                 f"dataset {ds.get('id')} declares personal_data: {str(ds['personal_data']).lower()}"))
        for i, ds in datasets:
            annotated = [f for f in _l(ds.get("fields"))
                         if any(k in _d(f) for k in ("personal", "identifier", "special_category"))]
            if annotated:
                v.manual.append(c.ev(f"/data_manifest/datasets/{i}/fields",
                                     f"dataset {ds.get('id')}: {len(annotated)} fields annotated as personal/identifier"))
    v.auto, manual = c.automation("policy")
    v.manual += manual
    return v


def _data_5(c: _Ctx) -> _Verdict:
    v = _Verdict()
    datasets = c.datasets()
    personal = [(i, d) for i, d in datasets if d.get("personal_data") is True]
    controls = [x for x in _l(c.pl.get("privacy_controls")) if isinstance(x, str)]
    if controls:
        v.auto.append(c.ev("/pipeline/privacy_controls", f"privacy controls built into the pipeline: {', '.join(controls)}"))
    auto, manual = c.automation("privacy")
    v.auto += auto
    v.manual += manual
    if personal:
        for i, ds in personal:
            for key in ("pseudonymised", "direct_identifiers_removed"):
                if ds.get(key) is True:
                    v.manual.append(c.ev(f"/data_manifest/datasets/{i}/{key}", f"dataset {ds.get('id')}: {key}"))
            if ds.get("anonymisation_method"):
                v.manual.append(c.ev(f"/data_manifest/datasets/{i}/anonymisation_method",
                                     f"dataset {ds.get('id')}: anonymisation method documented"))
        sec = _d(c.pl.get("security"))
        if sec.get("encryption_at_rest") is True and _d(sec.get("access_control")).get("model") not in (None, "none"):
            v.manual.append(c.ev("/pipeline/security", "encryption at rest and access control declared"))
        if not v.auto and not v.manual:
            v.block = ("datasets hold personal data but no privacy control is declared "
                       "(pipeline.privacy_controls, datasets[].pseudonymised)")
    elif datasets and all(d.get("personal_data") is False for _, d in datasets):
        v.manual.append(c.ev("/data_manifest/datasets", "every dataset declares it holds no personal data"))
    return v


def _data_6(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("features")
    end_to_end = []
    for kind in ("data_ingestion", "training", "deploy"):
        hits = [(i, s) for i, s in c.stages(kind) if s.get("automated") is True]
        if not hits:
            end_to_end = []
            break
        i, s = hits[0]
        end_to_end.append(c.ev(f"/pipeline/stages/{i}", f"automated {kind} stage '{s.get('name')}'"))
    if end_to_end:
        v.auto += end_to_end
        v.auto[-1] = dict(v.auto[-1], what=v.auto[-1]["what"] + ": a new feature reaches production "
                                                              "through the automated pipeline")
    for i, entry in enumerate(_l(c.mc.get("change_log"))):
        if re.search(r"\bfeatures?\b", str(_d(entry).get("description", "")), re.IGNORECASE):
            v.manual.append(c.ev(f"/model_card/change_log/{i}",
                                 f"dated change adding a feature ({_d(entry).get('date')})"))
    return v


def _data_7(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("unit_tests")
    return v


def _model_1(c: _Ctx) -> _Verdict:
    v = _Verdict()
    commits = [c.ev(f"/pipeline/runs/{i}/git_commit", f"run {r.get('run_id')} records git commit {str(r['git_commit'])[:10]}")
               for i, r in c.training_runs() if r.get("git_commit")]
    for path, info in c.mlmodels:
        if "run_id" in info:
            commits.append(c.fev(path, info["run_id"], "MLflow model records the run that produced it"))
    review_auto, review_manual = c.automation("pr_trigger")
    if commits and review_auto:
        v.auto = commits[:2] + review_auto
    v.manual = commits + review_manual
    if not commits and review_auto:
        v.manual += review_auto
    return v


def _model_2(c: _Ctx) -> _Verdict:
    v = _Verdict(manual=c.attestation("MLOPS-21", "LOSS-BUSINESS"))
    auto, manual = c.automation("online_offline")
    v.auto = auto
    v.manual += manual
    return v


def _model_3(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.manual = [c.ev(f"/pipeline/runs/{i}/params", f"run {r.get('run_id')} records hyperparameters "
                                                     f"({', '.join(sorted(_d(r['params'])))[:60]})")
                for i, r in c.training_runs() if _d(r.get("params"))]
    auto, manual = c.automation("hpo")
    v.auto = auto
    v.manual += manual
    return v


def _model_4(c: _Ctx) -> _Verdict:
    v = _Verdict()
    stale = _d(c.mc.get("staleness"))
    if stale.get("impact_assessed_ref"):
        v.manual.append(c.ev("/model_card/staleness/impact_assessed_ref", "study of quality decay with model age"))
        triggers = [t for t in c.ct_triggers() if t in ("schedule", "performance_drop", "drift")]
        if triggers:
            v.auto = v.manual + [c.ev("/pipeline/ct/triggers", f"continuous training triggered by {', '.join(triggers)}")]
    return v


def _model_5(c: _Ctx) -> _Verdict:
    v = _Verdict()
    base = _d(_d(c.mc.get("performance")).get("baseline"))
    if base.get("model") or isinstance(base.get("value"), (int, float)):
        metric = base.get("metric")
        ours = [m for m in _l(_d(c.mc.get("performance")).get("metrics"))
                if _d(m).get("name") == metric and _d(m).get("slice", "overall") == "overall"]
        if ours and isinstance(base.get("value"), (int, float)) and isinstance(ours[0].get("value"), (int, float)):
            higher = ours[0].get("higher_is_better") is not False
            wins = ours[0]["value"] >= base["value"] if higher else ours[0]["value"] <= base["value"]
            if not wins:
                v.block = (f"the simpler baseline wins: {metric} {base['value']} for '{base.get('model')}' "
                           f"vs {ours[0]['value']} for the model")
                return v
            v.manual.append(c.ev("/model_card/performance/baseline",
                                 f"baseline '{base.get('model')}' {metric} {base['value']} < model {ours[0]['value']}"))
        else:
            v.manual.append(c.ev("/model_card/performance/baseline", f"baseline '{base.get('model')}' documented"))
    auto, manual = c.automation("baseline")
    v.auto = auto
    v.manual += manual
    return v


def _model_6(c: _Ctx) -> _Verdict:
    v = _Verdict()
    metrics = _l(_d(c.mc.get("performance")).get("metrics"))
    sliced = [(i, _d(m)) for i, m in enumerate(metrics) if _d(m).get("slice") not in (None, "overall")]
    for i, m in sliced:
        if _meets(m.get("value"), m.get("threshold"), m.get("higher_is_better")) is False:
            v.block = (f"quality is not adequate on slice {m.get('slice')}: {m.get('name')} {m.get('value')} "
                       f"misses its threshold {m.get('threshold')} (model_card performance.metrics[{i}])")
            return v
    if sliced:
        names = ", ".join(sorted({str(m.get("slice")) for _, m in sliced}))
        v.manual.append(c.ev(f"/model_card/performance/metrics/{sliced[0][0]}",
                             f"{len(sliced)} metrics on slices ({_clip(names, 60)}), all meeting their thresholds"))
    auto, manual = c.automation("slices")
    v.auto = auto
    v.manual += manual
    return v


def _model_7(c: _Ctx) -> _Verdict:
    v = _Verdict()
    fair = _d(c.mc.get("fairness"))
    metrics = [(i, _d(m)) for i, m in enumerate(_l(fair.get("metrics")))]
    for i, m in metrics:
        if _meets(m.get("value"), m.get("threshold"), m.get("higher_is_better")) is False:
            v.block = (f"fairness metric {m.get('name')} ({m.get('attribute')}) {m.get('value')} misses its "
                       f"threshold {m.get('threshold')}")
            return v
    if fair.get("passed") is False:
        v.block = "the fairness assessment records passed: false"
        return v
    if metrics:
        attrs = ", ".join(sorted({str(m.get("attribute")) for _, m in metrics}))
        v.manual.append(c.ev("/model_card/fairness/metrics", f"{len(metrics)} fairness metrics documented ({attrs})"))
    auto, manual = c.automation("fairness")
    v.auto = auto
    v.manual += manual
    return v


def _repro_parts(c: _Ctx) -> dict[str, list[dict[str, Any]]]:
    training = _d(c.pl.get("training"))
    env = _d(c.pl.get("environment"))
    parts: dict[str, list[dict[str, Any]]] = {"seed": [], "environment": [], "data": [], "determinism": []}
    if isinstance(training.get("seed"), int) and not isinstance(training.get("seed"), bool):
        parts["seed"].append(c.ev("/pipeline/training/seed", f"fixed random seed {training['seed']}"))
    lock = env.get("lockfile")
    clean = _clean_relative(lock) if isinstance(lock, str) else None
    if clean and _exists_inside(c.project.root, c.project.root.resolve(), clean, c.repo):
        parts["environment"].append(c.ev("/pipeline/environment/lockfile", f"dependency lock file {clean} in the project"))
    if env.get("container_digest"):
        parts["environment"].append(c.ev("/pipeline/environment/container_digest", "container pinned by digest"))
    for i, r in c.training_runs():
        if r.get("environment_digest"):
            parts["environment"].append(c.ev(f"/pipeline/runs/{i}/environment_digest", "run environment digest"))
            break
    datasets = c.datasets()
    if datasets and all(d.get("sha256") for _, d in datasets):
        parts["data"].append(c.ev("/data_manifest/datasets", f"all {len(datasets)} datasets identified by SHA-256"))
    for f in c.repo.of("dvc_lock"):
        line = next((n for n, t in enumerate(f.lines, 1) if "md5" in t), 1)
        parts["data"].append(c.fev(f.path, line, "dvc.lock pins data and outputs by hash"))
    if training.get("deterministic") is True:
        parts["determinism"].append(c.ev("/pipeline/training/deterministic", "training declared deterministic"))
    repro = _d(training.get("repro_check"))
    delta, tol = repro.get("metric_delta"), repro.get("tolerance")
    if isinstance(delta, (int, float)) and isinstance(tol, (int, float)) and abs(delta) <= tol:
        parts["determinism"].append(c.ev("/pipeline/training/repro_check",
                                         f"re-run reproduced {repro.get('metric')} within {tol} (delta {delta})"))
    return parts


def _infra_1(c: _Ctx) -> _Verdict:
    p = _repro_parts(c)
    v = _Verdict()
    if all(p.values()):
        v.auto = [e for k in ("seed", "environment", "data", "determinism") for e in p[k]]
    elif (p["seed"] and (p["environment"] or p["data"])) or any(e["file"] == "dvc.lock" for e in p["data"]):
        v.manual = [e for k in ("seed", "environment", "data", "determinism") for e in p[k]]
        v.note = "missing: " + ", ".join(k for k, e in p.items() if not e)
    return v


def _infra_2(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("unit_tests")
    if _d(c.pl.get("training")).get("loss_decrease_test") is True:
        item = c.ev("/pipeline/training/loss_decrease_test", "a test checks that training loss decreases")
        (v.auto if v.auto else v.manual).append(item)
    return v


def _infra_3(c: _Ctx) -> _Verdict:
    v = _Verdict()
    it = _d(c.pl.get("integration_test"))
    if it:
        age = c.age(it.get("last_run_at"))
        if it.get("automated") is True and (age is None or age <= INTEGRATION_FRESH_DAYS):
            v.auto.append(c.ev("/pipeline/integration_test", "automated whole-pipeline integration test"
                               + (f", last run {age} days before the as-of date" if age is not None else "")))
        else:
            why = "not automated" if it.get("automated") is not True else f"last run {age} days before the as-of date"
            v.manual.append(c.ev("/pipeline/integration_test", f"integration test declared ({why})"))
    auto, manual = c.automation("integration_tests")
    v.auto += auto
    v.manual += manual
    return v


def _before(c: _Ctx, index: int, kinds: tuple[str, ...]) -> bool:
    """The stage at ``index`` comes before every stage of ``kinds`` (by order)."""
    later = [i for k in kinds for i, _ in c.stages(k)]
    return all(index < i for i in later)


def _infra_4(c: _Ctx) -> _Verdict:
    v = _Verdict()
    for i, s in c.stages("model_validation"):
        if s.get("automated") is True and s.get("blocking") is True and _before(c, i, ("register", "deploy")):
            checks = ", ".join(str(x) for x in _l(s.get("checks")))
            v.auto.append(c.ev(f"/pipeline/stages/{i}", f"automated blocking model validation '{s.get('name')}' before "
                                                        f"register/deploy" + (f" (checks: {checks})" if checks else "")))
        else:
            v.manual.append(c.ev(f"/pipeline/stages/{i}", f"model validation stage '{s.get('name')}' is not an "
                                                          f"automated blocking gate before register/deploy"))
    val = _d(c.mc.get("validation"))
    if val.get("status") in ("approved", "approved_with_conditions") and val.get("date"):
        v.manual.append(c.ev("/model_card/validation", f"validation {val['status']} on {val['date']} by {val.get('validator')}"))
    return v


def _infra_5(c: _Ctx) -> _Verdict:
    v = _Verdict()
    if _d(c.mc.get("explanations")).get("logic_summary_ref"):
        v.manual.append(c.ev("/model_card/explanations/logic_summary_ref", "explanation of the model logic"))
    if _d(c.mc.get("testing")).get("sensitivity_ref"):
        v.manual.append(c.ev("/model_card/testing/sensitivity_ref", "sensitivity analysis"))
    if c.mon.get("inference_logging") is True:
        v.manual.append(c.ev("/pipeline/monitoring/inference_logging",
                             "every inference is logged, so a single example can be replayed"))
    elif _d(c.pl.get("logging")).get("inference_logs") is True:
        v.manual.append(c.ev("/pipeline/logging/inference_logs", "each inference is logged"))
    for path, info in c.mlmodels:
        if "saved_input_example_info" in info:
            v.manual.append(c.fev(path, info["saved_input_example_info"], "MLflow model stores an input example"))
    auto, manual = c.automation("explain")
    v.auto = auto
    v.manual += manual
    return v


def _infra_6(c: _Ctx) -> _Verdict:
    v = _Verdict()
    cd = _d(c.pl.get("cd"))
    strategy = cd.get("strategy")
    if strategy in ("canary", "shadow", "blue_green", "progressive"):
        canary = _d(cd.get("canary"))
        complete = strategy != "canary" or (canary.get("success_criteria") and canary.get("auto_abort") is True)
        if cd.get("enabled") is True and complete:
            v.auto.append(c.ev("/pipeline/cd/strategy", f"automated {strategy} rollout"
                               + (f" ({canary.get('traffic_pct')} % traffic, automatic abort)" if strategy == "canary" else "")))
        else:
            why = "CD is not enabled" if cd.get("enabled") is not True else "no success criteria or automatic abort"
            v.manual.append(c.ev("/pipeline/cd/strategy", f"{strategy} rollout declared ({why})"))
    return v


def _infra_7(c: _Ctx) -> _Verdict:
    v = _Verdict()
    rb = _d(c.pl.get("rollback"))
    previous = _l(_d(c.pl.get("registry")).get("previous_versions"))
    age = c.age(rb.get("last_tested_at"))
    if rb.get("automated") is True and previous and age is not None and age <= ROLLBACK_FRESH_DAYS:
        v.auto.append(c.ev("/pipeline/rollback", f"automated rollback, last tested {age} days before the as-of date"))
        v.auto.append(c.ev("/pipeline/registry/previous_versions", f"{len(previous)} earlier versions kept"))
        return v
    if rb.get("procedure_ref"):
        note = "" if age is None else f", last tested {age} days before the as-of date"
        v.manual.append(c.ev("/pipeline/rollback/procedure_ref", f"rollback procedure documented{note}"))
    if previous:
        v.manual.append(c.ev("/pipeline/registry/previous_versions",
                             f"{len(previous)} earlier versions kept in the registry for rollback"))
    return v


def _monitor_1(c: _Ctx) -> _Verdict:
    v = _Verdict()
    for f in c.repo.of("dependency_bot"):
        v.auto.append(c.fev(f.path, 1, "dependency update bot configured (notifies of upstream releases)"))
    deps = [(i, _d(d)) for i, d in enumerate(_l(c.mc.get("dependencies")))]
    monitored = [(i, d) for i, d in deps if d.get("monitored") is True]
    if monitored and c.mon_live:
        v.auto += [c.ev(f"/model_card/dependencies/{i}", f"upstream dependency {d.get('name')} is monitored")
                   for i, d in monitored[:3]]
    elif deps:
        v.manual.append(c.ev("/model_card/dependencies", f"{len(deps)} upstream dependencies documented"))
    sched_auto, sched_manual = c.automation("schedule")
    data_auto, data_manual = [], []
    ci_data = c.ci_evidence("data_tests")
    if sched_auto and ci_data and c.ci_recurring:
        v.auto += sched_auto[:1] + [dict(e, what=e["what"] + ": scheduled data tests flag upstream data changes")
                                   for e in ci_data[:1]]
    elif (sched_auto or sched_manual) and ci_data:
        v.manual += (sched_auto or sched_manual)[:1] + [dict(e, what=f"{e['what']} ({c.ci_note})") for e in ci_data[:1]]
    return v


def _monitor_2(c: _Ctx) -> _Verdict:
    v = _Verdict()
    training_auto, training_manual = c.automation("data_tests")
    detectors = _l(_d(c.mon.get("drift")).get("detectors"))
    serving = []
    if detectors:
        if c.mon_live:
            serving = [c.ev("/pipeline/monitoring/drift", f"serving inputs checked by drift detectors "
                                                          f"({', '.join(map(str, detectors))})")] + c.mon_evidence()
        else:
            v.manual.append(c.ev("/pipeline/monitoring/drift", f"drift detectors declared, but {c.mon_note}"))
    if training_auto and serving:
        v.auto = training_auto[:2] + serving
    else:
        v.manual += training_auto + training_manual + serving
    for i, ds in c.datasets():
        checks = _l(_d(ds.get("quality")).get("checks"))
        if checks:
            v.manual.append(c.ev(f"/data_manifest/datasets/{i}/quality/checks",
                                 f"dataset {ds.get('id')}: {len(checks)} data quality checks recorded"))
    if not v.auto and (training_auto or serving):
        v.note = "only one side is automated: " + ("serving inputs are not checked by live monitoring" if training_auto
                                                   else "training data is not validated automatically")
    return v


def _monitor_3(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("skew")
    for i, m in enumerate(_l(c.mon.get("metrics"))):
        if _RX["skew"].search(str(_d(m).get("name", ""))):
            (v.auto if c.mon_live else v.manual).append(c.ev(f"/pipeline/monitoring/metrics/{i}",
                                                             f"skew metric {_d(m).get('name')} monitored"))
    detectors = _l(_d(c.mon.get("drift")).get("detectors"))
    if detectors:
        v.manual.append(c.ev("/pipeline/monitoring/drift", "drift detectors compare serving and training "
                                                           "distributions (catches gross skew only)"))
    if c.mon.get("inference_logging") is True:
        v.manual.append(c.ev("/pipeline/monitoring/inference_logging", "serving inputs are logged for comparison"))
    return v


def _model_age(c: _Ctx) -> tuple[int | None, int, str]:
    details = _d(c.mc.get("model_details"))
    age = c.age(details.get("trained_at"))
    declared = _d(c.mc.get("staleness")).get("max_age_days")
    tier = _d(c.mc.get("risk")).get("tier")
    if isinstance(declared, int) and declared > 0:
        return age, declared, "model_card.staleness.max_age_days"
    limit = MODEL_AGE_DAYS.get(tier, DEFAULT_MODEL_AGE_DAYS)
    return age, limit, f"default for tier {tier}" if tier in MODEL_AGE_DAYS else "default"


def _monitor_4(c: _Ctx) -> _Verdict:
    v = _Verdict()
    age, limit, source = _model_age(c)
    if age is None:
        v.block = "the model card records no training date (model_details.trained_at)"
        return v
    if age > limit:
        v.block = f"the model is {age} days old, more than {limit} ({source})"
        return v
    item = c.ev("/model_card/model_details/trained_at", f"model trained {age} days before the as-of date "
                                                        f"(limit {limit}, {source})")
    triggers = c.ct_triggers()
    if triggers:
        v.auto = [item, c.ev("/pipeline/ct", f"continuous training triggered by {', '.join(triggers)}")]
    else:
        v.manual = [item]
    return v


def _monitor_5(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("numerical")
    for i, m in enumerate(_l(c.mon.get("metrics"))):
        if _RX["numerical"].search(str(_d(m).get("name", "")).replace("_", " ")):
            (v.auto if c.mon_live else v.manual).append(c.ev(f"/pipeline/monitoring/metrics/{i}",
                                                             f"NaN/infinity metric {_d(m).get('name')} monitored"))
    return v


def _monitor_6(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("perf")
    for i, m in enumerate(_l(c.mon.get("metrics"))):
        if _SERVING_METRIC.search(str(_d(m).get("name", ""))):
            (v.auto if c.mon_live else v.manual).append(c.ev(f"/pipeline/monitoring/metrics/{i}",
                                                             f"serving performance metric {_d(m).get('name')} monitored"))
    if _d(c.mc.get("testing")).get("stress_test_ref"):
        v.manual.append(c.ev("/model_card/testing/stress_test_ref", "stress test of the prediction API documented"))
    return v


def _monitor_7(c: _Ctx) -> _Verdict:
    v = _Verdict()
    metrics = [(i, _d(m)) for i, m in enumerate(_l(c.mon.get("metrics"))) if "threshold" in _d(m)]
    route = c.mon.get("alert_route")
    if metrics and route and c.mon_live:
        v.auto = c.mon_evidence() + [c.ev(f"/pipeline/monitoring/metrics/{metrics[0][0]}",
                                          f"{len(metrics)} quality metrics with alert thresholds"),
                                     c.ev("/pipeline/monitoring/alert_route", "alerts routed")]
    elif c.mon:
        missing = [] if metrics else ["no metric with a threshold"]
        if not route:
            missing.append("no alert route")
        if c.mon_note:
            missing.append(c.mon_note)
        v.manual.append(c.ev("/pipeline/monitoring", "monitoring declared, but " + "; ".join(missing)))
    return v


TESTS: tuple[TestSpec, ...] = (
    TestSpec("data-1", "data", "Feature expectations are captured in a schema",
             "fields with types in the data manifest, or an MLflow signature",
             "an automated data validation stage, schema check, or CI data tests", _data_1),
    TestSpec("data-2", "data", "Every feature is beneficial",
             "a dated MLOPS-22 attestation, or necessity justifications on fields",
             "an automated feature-importance step (pipeline, dvc or CI)", _data_2),
    TestSpec("data-3", "data", "No feature's cost is too much",
             "a dated MLOPS-22 attestation (value, latency and memory cost assessed)",
             "an automated feature-cost step", _data_3),
    TestSpec("data-4", "data", "Features adhere to meta-level requirements",
             "every dataset declares personal_data, fields annotated personal/identifier",
             "a policy check run automatically (e.g. `mlcompliance check` in CI, a PII stage)", _data_4),
    TestSpec("data-5", "data", "The data pipeline has appropriate privacy controls",
             "pseudonymisation/anonymisation or encryption and access control documented, or no personal data declared",
             "privacy controls built into the pipeline (pipeline.privacy_controls) or an automated privacy step", _data_5),
    TestSpec("data-6", "data", "New features can be added quickly",
             "a dated change-log entry adding a feature, or a manual feature-engineering stage",
             "an automated feature-engineering stage, or automated ingestion, training and deploy stages", _data_6),
    TestSpec("data-7", "data", "All input feature code is tested",
             "unit tests in a CI configuration that is stale or not found",
             "CI runs unit tests and ran within 30 days", _data_7),
    TestSpec("model-1", "model", "Every model specification is reviewed and versioned",
             "training runs record their git commit, or CI triggers on pull/merge requests",
             "git commits recorded and CI (fresh) runs on every pull/merge request", _model_1),
    TestSpec("model-2", "model", "Offline proxy metrics correlate with online impact",
             "a dated MLOPS-21 attestation (e.g. an A/B test with a degraded model)",
             "an automated online/offline correlation or A/B step", _model_2),
    TestSpec("model-3", "model", "All hyperparameters have been tuned",
             "training runs record their hyperparameters",
             "an automated tuning step (optuna, sweeps, HPO stage)", _model_3),
    TestSpec("model-4", "model", "The impact of model staleness is known",
             "a staleness study (model_card.staleness.impact_assessed_ref)",
             "the study plus continuous training on a schedule, drift or performance trigger", _model_4),
    TestSpec("model-5", "model", "A simpler model is not better",
             "a documented baseline that the model beats",
             "an automated baseline comparison", _model_5),
    TestSpec("model-6", "model", "Model quality is sufficient on important data slices",
             "metrics on slices, all meeting their thresholds",
             "an automated sliced evaluation", _model_6),
    TestSpec("model-7", "model", "The model is tested for considerations of inclusion",
             "fairness metrics documented and meeting thresholds",
             "an automated fairness test (fairness_test stage, fairness check, fairlearn/aif360 in CI)", _model_7),
    TestSpec("infra-1", "infrastructure", "Training is reproducible",
             "a fixed seed with a pinned environment or dataset hashes, or a dvc.lock",
             "seed, pinned environment, dataset hashes and deterministic training or a passed re-run check", _infra_1),
    TestSpec("infra-2", "infrastructure", "Model specification code is unit tested",
             "a loss-decrease test, or unit tests in stale CI",
             "CI runs unit tests and ran within 30 days", _infra_2),
    TestSpec("infra-3", "infrastructure", "The full ML pipeline is integration tested",
             "an integration test declared but not automated or stale",
             "an automated integration test run within 30 days, or integration tests in fresh CI", _infra_3),
    TestSpec("infra-4", "infrastructure", "Model quality is validated before attempting to serve it",
             "a dated validation approval, or a model validation stage that is not an automated gate",
             "an automated, blocking model validation stage before register/deploy", _infra_4),
    TestSpec("infra-5", "infrastructure", "The model allows debugging by observing single examples",
             "inference logging, an explanation or sensitivity analysis, or an MLflow input example",
             "an automated per-example explanation step (SHAP, LIME, captum)", _infra_5),
    TestSpec("infra-6", "infrastructure", "Models are canaried before they serve all traffic",
             "a canary/shadow/blue-green strategy declared without automated CD or abort",
             "CD enabled with canary (success criteria, automatic abort), shadow, blue-green or progressive rollout",
             _infra_6),
    TestSpec("infra-7", "infrastructure", "Serving models can be rolled back",
             "a rollback procedure or earlier versions kept in the registry",
             "automated rollback tested within 180 days with earlier versions kept", _infra_7),
    TestSpec("monitor-1", "monitoring", "Dependency changes result in notification",
             "upstream dependencies documented, or scheduled data tests in stale CI",
             "a dependency bot, monitored dependencies, or scheduled CI data tests", _monitor_1),
    TestSpec("monitor-2", "monitoring", "Data invariants hold for training and serving inputs",
             "data quality checks recorded, or only one side (training or serving) automated",
             "automated data validation for training and live drift monitoring of serving inputs", _monitor_2),
    TestSpec("monitor-3", "monitoring", "Training and serving features compute the same values",
             "drift detectors or inference logging (gross skew only)",
             "an automated training/serving skew check or a monitored skew metric", _monitor_3),
    TestSpec("monitor-4", "monitoring", "Models are not too stale",
             "model age within its limit, retrained by hand",
             "model age within its limit and continuous training with triggers", _monitor_4),
    TestSpec("monitor-5", "monitoring", "The model is numerically stable",
             "a NaN/infinity check declared but not automated",
             "an automated NaN/infinity check or a monitored NaN metric", _monitor_5),
    TestSpec("monitor-6", "monitoring", "Computing performance has not regressed",
             "a documented stress test of the prediction API",
             "monitored latency/throughput/memory metrics, or automated load tests", _monitor_6),
    TestSpec("monitor-7", "monitoring", "Prediction quality has not regressed",
             "monitoring declared without a threshold, alert route or recent report",
             "live monitoring (recent report) of quality metrics with thresholds and an alert route", _monitor_7),
)


def _score_test(spec: TestSpec, c: _Ctx) -> dict[str, Any]:
    v = spec.fn(c)
    record: dict[str, Any] = {"id": spec.id, "section": spec.section, "title": spec.title}
    if v.block:
        record.update(score=0.0, evidence=[], reason=v.block)
    elif v.auto:
        record.update(score=1.0, evidence=_dedupe(v.auto + v.manual))
    elif v.manual:
        note = f" ({v.note})" if v.note else ""
        record.update(score=0.5, evidence=_dedupe(v.manual), reason=f"manual or documented only{note}; for 1: {spec.one}")
    else:
        record.update(score=0.0, evidence=[], reason=f"no evidence; for 0.5: {spec.half}; for 1: {spec.one}")
    return record

