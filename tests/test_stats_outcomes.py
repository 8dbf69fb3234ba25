"""probes.data.outcomes: facts from declared data, bad input recorded (never raised, never passed),
the rules of eu-trustworthy-ai 1.1.0 and mlops-practices 1.2.0 on those facts, and the CLI end to end."""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import cli, write_project

from mlcompliance.engine.evaluate import evaluate
from mlcompliance.errors import InputError
from mlcompliance.evidence.project import KINDS, Project
from mlcompliance.policy.packs import discover, load_pack
from mlcompliance.probes.data.outcomes import needs_data, observe_outcomes

EXACT = dict(rel=1e-11, abs=1e-12)
TITANIC = Path(__file__).parent / "data" / "croissant-titanic" / "titanic.csv"
PRED = {"y_true": "label", "y_pred": "decision", "score": "score"}


def predictions(n: int = 2000, seed: int = 31) -> pd.DataFrame:
    """Women are selected at 0.6 of qualified rows, men at 0.3 (planted bias); score ~ label."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], n)
    label = (rng.random(n) < 0.5).astype(int)
    score = np.clip(rng.normal(0.3 + 0.4 * label, 0.2), 0, 1).round(4)
    decision = (score >= 0.5) & (rng.random(n) < np.where(sex == "M", 0.5, 1.0))
    return pd.DataFrame({"sex": sex, "label": label, "decision": decision.astype(int), "score": score})


def bundle(pred: dict | None = None, datasets: list | None = None, attributes=("sex",), metrics=()) -> dict:
    return {
        "model_card": {"intended_use": {"affected_persons": ["applicants"]}, "features": ["x", "region"],
                       "fairness": {"protected_attributes": list(attributes), "metrics": list(metrics)}},
        "data_manifest": {"datasets": datasets if datasets is not None else [
            {"id": "train", "split": "train", "path": "train"},
            {"id": "serving", "split": "production", "path": "serving", "drift_check": True},
            {"id": "preds", "split": "predictions", "path": "preds", "predictions": pred or PRED}]},
    }


def frames(**extra: pd.DataFrame):
    rng = np.random.default_rng(5)
    data = {"preds": predictions(),
            "train": pd.DataFrame({"x": rng.normal(0, 1, 500), "region": rng.choice(["a", "b"], 500)}),
            "serving": pd.DataFrame({"x": rng.normal(1, 1, 500), "region": rng.choice(["a", "b"], 500)})}
    data.update(extra)

    def load(dataset: dict):
        if dataset.get("path") not in data:
            raise InputError(f"data file '{dataset.get('path')}' not found", file=str(dataset.get("path")))
        return data[dataset["path"]]
    return load


def locate(pointer: str) -> tuple[str, int]:
    return ("data_manifest.yaml" if pointer.startswith("/data_manifest") else "model_card.yaml",
            10 + int(pointer.rsplit("/", 1)[-1]))


def test_facts_say_how_they_were_computed_and_where_they_were_declared():
    facts, index = observe_outcomes(bundle(), frames(), locate)
    assert (facts["probe"], facts["probe_version"]) == ("outcomes", "1")
    for key in ("drift", "fairness", "metrics"):
        assert facts[key]["how"] == "full" and facts[key]["method"]
    assert facts["metrics"]["seed"] == 20260101 and facts["metrics"]["n"] == 2000
    auc = facts["metrics"]["computed"][0]
    assert auc["name"] == "auc" and auc["ci"]["n_boot"] == 1000 and auc["ci"]["seed"] == 20260101
    assert auc["datasets"] == ["preds"]
    sex = facts["fairness"]["by_attribute"]["sex"]
    assert sex["attribute"] == "sex" and sex["status"] == "ok"
    assert [g["group"] for g in sex["groups"]] == ["F", "M"]
    assert sex["disparate_impact_ratio"] == pytest.approx(sex["groups"][1]["selected"] / sex["groups"][1]["n"]
                                                          / (sex["groups"][0]["selected"] / sex["groups"][0]["n"]), **EXACT)
    comparison = facts["drift"]["comparisons"][0]
    assert (comparison["dataset"], comparison["compare_to"], comparison["status"]) == ("serving", "train", "ok")
    assert [f["feature"] for f in comparison["features"]] == ["x", "region"]
    assert index["/observed/data/outcomes/drift/comparisons/0"] == ("data_manifest.yaml", 11)
    assert index["/observed/data/outcomes/metrics"] == ("data_manifest.yaml", 12)
    assert index["/observed/data/outcomes/fairness/by_attribute/sex"] == ("model_card.yaml", 10)


def test_same_data_same_facts_byte_for_byte():
    one = json.dumps(observe_outcomes(bundle(), frames(), locate), sort_keys=True)
    two = json.dumps(observe_outcomes(bundle(), frames(), locate), sort_keys=True)
    assert one == two


def test_a_reference_or_production_role_alone_asks_for_no_drift():
    b = bundle()
    del b["data_manifest"]["datasets"][1]["drift_check"]
    assert observe_outcomes(b, frames())[0]["drift"]["comparisons"] == []
    b["data_manifest"]["datasets"][1]["compare_to"] = "train"
    assert observe_outcomes(b, frames())[0]["drift"]["comparisons"][0]["compare_to"] == "train"


def test_nothing_declared_reads_nothing():
    def load(_):
        raise AssertionError("must not read")
    b = bundle(datasets=[{"id": "train", "split": "train", "path": "train"}])
    assert not needs_data(b)
    facts, _ = observe_outcomes(b, load)
    assert facts["drift"]["comparisons"] == []
    assert facts["fairness"]["status"] == facts["metrics"]["status"] == "not_declared"


@pytest.mark.parametrize(("change", "problem"), [
    ({"y_true": "outcome"}, "declared column(s) missing from the predictions file: y_true 'outcome'"),
    ({"y_true": None}, "the predictions dataset declares no predictions.y_true column"),
    ({"y_pred": None, "score": None}, "the predictions dataset declares neither predictions.y_pred nor predictions.score"),
    ({"positive_label": "approved"}, "positive_label 'approved' does not occur in y_true"),
    ({"y_pred": "sex"}, None),
])
def test_a_bad_predictions_declaration_is_a_recorded_problem(change, problem):
    pred = {k: v for k, v in {**PRED, **change}.items() if v is not None}
    facts, _ = observe_outcomes(bundle(pred), frames())
    if problem is None:   # y_pred 'sex' has values F/M: no row is the positive label 1
        assert facts["fairness"]["by_attribute"]["sex"]["groups"][0]["selected"] == 0
        return
    assert facts["metrics"] == facts["metrics"] | {"status": "error", "problem": problem, "computed": []}
    assert facts["fairness"]["by_attribute"]["sex"] == {"attribute": "sex", "status": "error", "problem": problem}


def test_non_binary_labels_all_one_class_and_a_group_of_one():
    three = predictions().assign(label=lambda d: d["label"].where(d.index % 7 != 0, 2))
    facts, _ = observe_outcomes(bundle(), frames(preds=three))
    assert facts["metrics"]["problem"] == "y_true 'label' has 3 distinct values: binary labels expected"

    one_class = predictions().assign(label=0)
    facts, _ = observe_outcomes(bundle(), frames(preds=one_class))
    assert [m["name"] for m in facts["metrics"]["computed"]] == ["brier", "accuracy", "f1"]
    assert facts["metrics"]["problem"].startswith("y_true has a single class (all negative, 2000 rows)")
    # a single class still leaves selection rates and the FPR gap to judge; the TPR gap is undefined
    sex = facts["fairness"]["by_attribute"]["sex"]
    assert sex["status"] == "ok" and sex["equal_opportunity_difference"] is None

    tiny = predictions(40).assign(sex=["F"] * 39 + ["M"])
    facts, _ = observe_outcomes(bundle(), frames(preds=tiny))
    sex = facts["fairness"]["by_attribute"]["sex"]
    assert sex["status"] == "insufficient" and sex["problem"].endswith("(F: 39, M: 1): fairness cannot be judged")
    assert facts["fairness"]["computed"] == [] and facts["fairness"]["status"] == "incomplete"


def test_unreadable_or_undeclared_data_is_a_problem_not_a_traceback():
    b = bundle()
    b["data_manifest"]["datasets"][2]["path"] = "nowhere.csv"
    b["data_manifest"]["datasets"][1]["compare_to"] = "no-such-dataset"
    facts, _ = observe_outcomes(b, frames())
    assert facts["metrics"]["problem"] == "dataset 'preds' could not be read: data file 'nowhere.csv' not found"
    assert facts["drift"]["comparisons"][0]["problem"] == "compare_to 'no-such-dataset' names no dataset of the manifest"

    def broken(_):
        raise ValueError("Error tokenizing data. C error: Expected 2 fields in line 3, saw 5")
    facts, _ = observe_outcomes(bundle(), broken)
    assert facts["fairness"]["problem"].startswith("dataset 'preds' could not be read: Error tokenizing data")
    assert facts["drift"]["comparisons"][0]["status"] == "error"


def test_decisions_from_a_score_threshold_and_text_labels():
    df = predictions().assign(label=lambda d: d["label"].map({1: "yes", 0: "no"}))
    facts, _ = observe_outcomes(bundle({"y_true": "label", "score": "score", "threshold": 0.6,
                                        "positive_label": "yes"}), frames(preds=df))
    assert facts["metrics"]["decision"] == "score >= 0.6" and facts["metrics"]["positive_label"] == "yes"
    expected = int(((df["score"] >= 0.6) & (df["label"] == "yes")).sum())
    assert facts["metrics"]["confusion"]["tp"] == expected


# --- the rules on these facts ----------------------------------------------------------------------

def pack(pack_id: str):
    return load_pack([s for s in discover() if s.id == pack_id][-1])


def outcomes(b: dict, load, pack_id: str, tier: str = "high") -> dict[str, list[tuple[str, str]]]:
    facts, index = observe_outcomes(b, load)
    b = {k: b.get(k, {}) for k in KINDS} | {"observed": {"data": {"outcomes": facts}}}
    project = Project(Path("."), "t", None, {}, {k: None for k in KINDS}, {k: f"{k}.yaml" for k in KINDS}, b,
                      observed_index=index)
    found: dict[str, list[tuple[str, str]]] = {}
    for f in evaluate(project, [pack(pack_id)], date(2027, 6, 1), tier):
        found.setdefault(f.rule_id, []).append((f.outcome, f.message))
    return found


def test_eu_rules_fail_planted_bias_and_an_unbacked_claim():
    claim = {"name": "disparate_impact_ratio", "attribute": "sex", "value": 0.95, "threshold": 0.8}
    got = outcomes(bundle(metrics=[claim]), frames(), "eu-trustworthy-ai")
    assert got["HLEG-R5-FAIRNESS-COMPUTED"] == [("pass", "Fairness is computed from predictions for every protected attribute the card names")]
    (outcome, message), = got["HLEG-R5-DISPARATE-IMPACT"]
    assert outcome == "fail" and message.startswith("For 'sex' the computed disparate-impact ratio is 0.4")
    (outcome, message), = got["HLEG-R5-FAIRNESS-THRESHOLDS-MET"]
    assert outcome == "fail" and "0.95 vs computed 0.4" in message


def test_eu_threshold_rule_passes_only_when_the_computed_value_agrees():
    facts, _ = observe_outcomes(bundle(), frames())
    computed = facts["fairness"]["by_attribute"]["sex"]["demographic_parity_difference"]
    claim = {"name": "demographic_parity_diff", "attribute": "sex", "value": round(computed, 2), "threshold": 0.5,
             "higher_is_better": False}
    assert outcomes(bundle(metrics=[claim]), frames(), "eu-trustworthy-ai")["HLEG-R5-FAIRNESS-THRESHOLDS-MET"][0][0] == "pass"
    nothing = bundle(metrics=[claim], datasets=[{"id": "train", "split": "train", "path": "train"}])
    (outcome, message), = outcomes(nothing, frames(), "eu-trustworthy-ai")["HLEG-R5-FAIRNESS-THRESHOLDS-MET"]
    assert outcome == "fail" and message.endswith(
        "not computed from data: no dataset with split: predictions in the data manifest")


def test_mlops_rules_fail_planted_drift_and_a_declared_metric_outside_the_interval():
    b = bundle()
    facts, _ = observe_outcomes(b, frames())
    auc = facts["metrics"]["computed"][0]
    b["model_card"]["performance"] = {"metrics": [
        {"name": "roc_auc", "value": round(auc["value"], 3), "slice": "overall"},
        {"name": "AUC", "value": auc["ci"]["upper"] + 0.01, "slice": "overall"},
        {"name": "recall_at_top_decile", "value": 0.4, "slice": "overall"}]}
    got = outcomes(b, frames(), "mlops-practices")
    assert [o for o, _ in got["MLOPS-05-METRICS-CONFIRMED"]] == ["pass", "not_applicable", "not_applicable"]
    b["model_card"]["performance"]["metrics"][1]["name"] = "auc"
    got = outcomes(b, frames(), "mlops-practices")
    assert [o for o, _ in got["MLOPS-05-METRICS-CONFIRMED"]] == ["pass", "fail", "not_applicable"]
    assert "outside computed CI [" in got["MLOPS-05-METRICS-CONFIRMED"][1][1]
    drift = dict(got["MLOPS-03-DRIFT-WITHIN-THRESHOLD"][i] for i in range(2))
    assert set(drift) == {"fail", "pass"}
    assert drift["fail"].startswith("Feature 'x' has drifted: PSI ")


# --- the CLI on a real file --------------------------------------------------------------------------

def test_check_on_the_titanic_file_reports_computed_disparity_at_the_declaring_line(tmp_path):
    root = write_project(tmp_path / "titanic", {
        "model_card.yaml": (
            "kind: model_card\nschema_version: \"1.0\"\n"
            "model_details: {name: Titanic survival, version: 1.0.0, description: Historical survival outcomes.}\n"
            "intended_use: {purpose: Teaching example., affected_persons: [passengers]}\n"
            "fairness:\n  protected_attributes: [sex]\n"
            "  metrics:\n    - {name: disparate_impact_ratio, attribute: sex, value: 0.26, threshold: 0.8}\n"),
        "data_manifest.yaml": (
            "kind: data_manifest\nschema_version: \"1.0\"\ndatasets:\n"
            "  - id: titanic-outcomes\n    split: predictions\n    path: data/titanic.csv\n"
            "    predictions: {y_true: survived, y_pred: survived, positive_label: 1}\n"),
    })
    (root / "data").mkdir()
    shutil.copy(TITANIC, root / "data" / "titanic.csv")
    result = cli("check", root, "--as-of", "2027-06-01", "--format", "json")
    findings = {f["rule_id"]: f for f in json.loads(result.stdout)["findings"]
                if f["rule_id"].startswith("HLEG-R5") and f["outcome"] in ("pass", "fail")}
    di = findings["HLEG-R5-DISPARATE-IMPACT"]
    assert di["outcome"] == "fail"
    assert di["message"].startswith("For 'sex' the computed disparate-impact ratio is 0.262533373924 "
                                    "(selection rate of male over that of female)")
    assert (di["location"]["file"], di["location"]["line"]) == ("model_card.yaml", 6)
    assert findings["HLEG-R5-FAIRNESS-THRESHOLDS-MET"]["outcome"] == "fail"   # agrees, but misses its threshold
    assert "0.26 is below the threshold 0.8" in findings["HLEG-R5-FAIRNESS-THRESHOLDS-MET"]["message"]
