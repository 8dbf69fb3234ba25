"""Maturity from evidence: rubric arithmetic by hand, the sample projects, CI detection, symlink confinement."""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, SAMPLES, tree_digest, write_project

from mlcompliance.policy.packs import discover, load_pack
from mlcompliance.result.codec import to_dict
from mlcompliance.run import Checker
from mlcompliance.scoring.maturity import (
    PRACTICE_STAGES,
    band,
    crosswalk,
    final_score,
    section_sums,
    stage_rule,
)

AS_OF = date(2026, 11, 1)
RUBRIC = load_pack([s for s in discover() if s.id == "mlops-practices"][-1]).maturity
TESTS = RUBRIC["tests"]


def maturity(root: Path, as_of: date = AS_OF) -> dict:
    """Maturity as `check` reports it: aggregated from the findings of the chosen packs."""
    return to_dict(Checker().check(root, as_of))["maturity"]


def by_test_id(result: dict) -> dict:
    return {t["id"]: t for t in result["ml_test_score"]["tests"]}


# --- rubric arithmetic --------------------------------------------------------------------------

def test_the_rubric_has_28_tests_seven_per_section():
    assert len(TESTS) == 28 and len({t["id"] for t in TESTS}) == 28
    for section, prefix in (("data", "data"), ("model", "model"), ("infrastructure", "infra"),
                            ("monitoring", "monitor")):
        ids = [t["id"] for t in TESTS if t["section"] == section]
        assert ids == [f"{prefix}-{n}" for n in range(1, 8)]


def test_section_sums_and_minimum_by_hand():
    scores = {"data": [1, 1, 0.5, 0, 0, 1, 0.5], "model": [0.5] * 7,
              "infrastructure": [1] * 7, "monitoring": [1, 0, 0, 0, 0, 0.5, 1]}
    tests = [{"section": s, "score": v} for s, values in scores.items() for v in values]
    sections = section_sums(tests)
    assert sections == {"data": 4.0, "model": 3.5, "infrastructure": 7.0, "monitoring": 2.5}
    assert final_score(sections) == 2.5          # the weakest section caps the score
    assert band(2.5) == ("(2, 3]", "Reasonably tested; more could be automated")


@pytest.mark.parametrize("final, expected_range", [
    (0.0, "0"), (0.5, "(0, 1]"), (1.0, "(0, 1]"), (1.5, "(1, 2]"), (2.0, "(1, 2]"), (2.5, "(2, 3]"),
    (3.0, "(2, 3]"), (3.5, "(3, 5]"), (5.0, "(3, 5]"), (5.5, "> 5"), (7.0, "> 5"),
])
def test_interpretation_bands_at_their_boundaries(final, expected_range):
    assert band(final)[0] == expected_range


def test_crosswalk_follows_ml_governance_3d():
    assert crosswalk(0.0) == {"google_level": "0", "azure_level": "0", "label": "Research"}
    assert crosswalk(1.0) == {"google_level": "0", "azure_level": "1", "label": "Initial"}
    assert crosswalk(3.0) == {"google_level": "1", "azure_level": "2-3", "label": "Repeatable"}
    assert crosswalk(4.5)["label"] == "Automated" and crosswalk(6)["azure_level"] == "4"


def all_practices(value=1.0):
    return {p: value for p in PRACTICE_STAGES}


def test_stage_3_needs_every_practice_at_1():
    assert stage_rule(all_practices())["stage"] == 3


def test_one_stage_3_practice_below_1_gives_stage_2():
    scores = all_practices() | {"MLOPS-10-CANARY": 0.5}
    result = stage_rule(scores)
    assert result["stage"] == 2 and not result["below_baseline"]
    assert any("MLOPS-10-CANARY (0.5)" in w for w in result["why"])


def test_one_stage_2_practice_below_1_gives_stage_1():
    result = stage_rule(all_practices() | {"MLOPS-12-CHECKPOINT-RECOVERY": 0.5})
    assert result["stage"] == 1 and not result["below_baseline"]


def test_a_stage_1_practice_under_half_is_below_baseline():
    assert stage_rule(all_practices() | {"MLOPS-04-VERSIONING": 0.5})["below_baseline"] is False
    result = stage_rule(all_practices() | {"MLOPS-06-REPRODUCIBILITY": 0.0})
    assert result["stage"] == 1 and result["below_baseline"] is True


def test_not_applicable_practices_are_left_out():
    result = stage_rule(all_practices() | {"MLOPS-08-FAIRNESS": None})
    assert result["stage"] == 3 and any("MLOPS-08-FAIRNESS" in w for w in result["why"])


def test_every_test_is_documented_with_its_heuristics():
    doc = (ROOT / "docs" / "maturity.md").read_text(encoding="utf-8")
    for spec in TESTS:
        assert f"| {spec['id']} |" in doc, spec["id"]


# --- the sample projects ------------------------------------------------------------------------

def test_invoice_sample_is_stage_3():
    result = maturity(SAMPLES / "invoice-late-payment")
    mts = result["ml_test_score"]
    assert mts["sections"] == {"data": 4.5, "model": 3.0, "infrastructure": 6.5, "monitoring": 5.0}
    assert mts["final"] == 3.0 and mts["weakest_sections"] == ["model"]
    assert mts["band_range"] == "(2, 3]"
    assert result["stage"]["stage"] == 3 and result["stage"]["below_baseline"] is False
    assert result["google_level"] == 2 and result["azure_level"] == 4
    # the ML Test Score crosswalk is lower than the capabilities: said out loud
    assert any("test coverage lags automation" in w for w in result["stage"]["why"])
    assert {p["id"]: p["status"] for p in result["principles"]} == {
        "automated_ci": "met", "automated_cd": "met", "continuous_training": "met", "versioning": "met",
        "validation": "met", "traceability": "met", "collaboration": "met"}
    practices = {p["id"]: p["score"] for p in result["practices"]}
    assert practices.pop("MLOPS-08-FAIRNESS") is None          # no affected persons, no personal data
    assert set(practices.values()) == {1.0}
    assert {d: v["stage"] for d, v in result["dimensions"].items()} == {
        "data": 3, "model_training": 3, "deployment": 3, "control_and_governance": 3}


def test_invoice_evidence_points_at_files_and_lines():
    tests = by_test_id(maturity(SAMPLES / "invoice-late-payment"))
    hit = next(e for e in tests["infra-2"]["evidence"] if e["rule_id"] == "MAT-SIGNAL-CI")
    assert (hit["file"], hit["line"], hit["pointer"]) == (".github/workflows/ci.yml", 16,
                                                          "/observed/repository/signals/unit_tests")
    assert any(d["fingerprint"] == hit["fingerprint"] for d in tests["infra-2"]["decided_by"])
    assert (".github/workflows/ci.yml", 18, "MAT-SIGNAL-CI") in {(e["file"], e["line"], e["rule_id"])
                                                                for e in tests["infra-3"]["evidence"]}
    policy = tests["data-4"]["evidence"][0]
    assert policy["file"] == ".github/workflows/ci.yml" and policy["line"] == 19
    gate = tests["infra-4"]["evidence"][0]
    assert (gate["file"], gate["rule_id"]) == ("pipeline.yaml", "MAT-MODEL-GATE-BEFORE-RELEASE")
    assert tests["model-4"]["score"] == 0.0 and "staleness" in tests["model-4"]["reason"]
    assert tests["monitor-5"]["score"] == 0.0 and tests["monitor-5"]["evidence"] == []
    for t in tests.values():
        assert t["score"] in (0.0, 0.5, 1.0)
        assert t["evidence"] or t["reason"]


def test_support_router_sample_is_stage_1():
    result = maturity(SAMPLES / "support-email-router")
    mts = result["ml_test_score"]
    assert mts["sections"] == {"data": 2.0, "model": 1.0, "infrastructure": 2.0, "monitoring": 2.5}
    assert mts["final"] == 1.0 and mts["band_range"] == "(0, 1]"
    assert result["stage"]["stage"] == 1 and result["stage"]["below_baseline"] is False
    assert result["google_level"] == 0 and result["azure_level"] == 1
    tests = by_test_id(result)
    assert "0.71 is below the threshold 0.8" in tests["model-6"]["reason"] and tests["model-6"]["score"] == 0.0
    assert tests["monitor-4"]["score"] == 0.0 and "729 days before 2026-11-01; at most 540 allowed" in tests["monitor-4"]["reason"]
    # CI ran 73 days ago: its tests count as documented, not as automated and recurring
    assert tests["infra-2"]["score"] == 0.5
    green = next(d for d in tests["infra-2"]["decided_by"] if d["rule_id"] == "MLOPS-01-CI-GREEN")
    assert green["outcome"] == "fail" and (green["file"], green["line"]) == ("pipeline.yaml", 33)
    assert tests["infra-2"]["evidence"][0]["file"] == ".gitlab-ci.yml"
    statuses = {p["id"]: p["status"] for p in result["principles"]}
    assert set(statuses.values()) == {"partial"}
    assert {d: v["stage"] for d, v in result["dimensions"].items()} == {
        "data": 2, "model_training": 1, "deployment": 1, "control_and_governance": 1}
    assert "an independent validator (not one of the developers)" in \
        result["dimensions"]["control_and_governance"]["missing_for_next"]


def test_output_is_deterministic_json_without_absolute_paths(tmp_path, sample_copy):
    project = sample_copy("invoice-late-payment")
    before = tree_digest(project)
    first = json.dumps(maturity(project), sort_keys=False)
    second = json.dumps(maturity(project), sort_keys=False)
    assert first == second
    assert str(tmp_path) not in first and str(ROOT) not in first
    assert tree_digest(project) == before          # nothing written, nothing touched
    assert json.loads(first)["as_of"] == "2026-11-01"


# --- evidence from the project directory --------------------------------------------------------

MIN_CARD = {"kind": "model_card", "schema_version": "1.0", "model_details": {"name": "m", "version": "1.0.0"}}


def bare_project(root: Path, files: dict | None = None) -> Path:
    return write_project(root, {"model_card.yaml": MIN_CARD, **(files or {})})


WORKFLOW = """name: tests
on:
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pytest tests/unit
"""


def test_ci_workflow_is_detected_as_automated_unit_tests(tmp_path):
    without = maturity(bare_project(tmp_path / "without"))
    assert by_test_id(without)["infra-2"]["score"] == 0.0
    assert without["repository"]["files_read"] == []
    with_ci = maturity(bare_project(tmp_path / "with", {".github/workflows/tests.yml": WORKFLOW}))
    infra2 = by_test_id(with_ci)["infra-2"]
    assert infra2["score"] == 1.0
    assert [(e["file"], e["line"], e["rule_id"]) for e in infra2["evidence"]] == [
        (".github/workflows/tests.yml", 9, "MAT-SIGNAL-CI")]
    assert with_ci["repository"]["files_read"] == [{"path": ".github/workflows/tests.yml", "kind": "ci"}]
    ci = next(p for p in with_ci["practices"] if p["id"] == "MLOPS-01-CI")
    assert ci["score"] == 0.5 and "data tests" in ci["reason"]   # CI without data tests is not principle 1


@pytest.mark.parametrize("name, text, line", [
    (".gitlab-ci.yml", "unit:\n  script:\n    - pytest tests/\n", 3),
    ("Jenkinsfile", "pipeline {\n  stages { stage('t') { steps { sh 'python -m pytest' } } }\n}\n", 2),
    ("azure-pipelines.yml", "steps:\n- script: python -m pytest\n", 2),
])
def test_other_ci_systems_are_read(tmp_path, name, text, line):
    result = maturity(bare_project(tmp_path / "p", {name: text}))
    infra2 = by_test_id(result)["infra-2"]
    assert infra2["score"] == 1.0 and infra2["evidence"][0]["file"] == name and infra2["evidence"][0]["line"] == line


def test_commented_out_ci_steps_do_not_count(tmp_path):
    text = "jobs:\n  t:\n    steps:\n      # - run: pytest\n      - run: echo hello  # pytest later\n"
    result = maturity(bare_project(tmp_path / "p", {".github/workflows/ci.yml": text}))
    assert by_test_id(result)["infra-2"]["score"] == 0.0


def test_stale_ci_counts_as_documented_only(tmp_path):
    pipeline = {"kind": "pipeline", "schema_version": "1.0",
                "ci": {"enabled": True, "config_path": ".github/workflows/tests.yml", "jobs": ["unit_tests"],
                       "last_run_at": "2026-08-01"}}
    project = bare_project(tmp_path / "p", {".github/workflows/tests.yml": WORKFLOW, "pipeline.yaml": pipeline})
    infra2 = by_test_id(maturity(project))["infra-2"]
    assert infra2["score"] == 0.5
    green = next(d for d in infra2["decided_by"] if d["rule_id"] == "MLOPS-01-CI-GREEN")
    assert green["outcome"] == "fail"     # the pack's one CI freshness limit (30 days) decides
    fresh = by_test_id(maturity(project, date(2026, 8, 20)))["infra-2"]
    assert fresh["score"] == 1.0


def test_declared_ci_config_that_is_missing_is_not_automation(tmp_path):
    pipeline = {"kind": "pipeline", "schema_version": "1.0",
                "ci": {"enabled": True, "config_path": ".github/workflows/gone.yml", "jobs": ["unit_tests"]}}
    infra2 = by_test_id(maturity(bare_project(tmp_path / "p", {"pipeline.yaml": pipeline})))["infra-2"]
    assert infra2["score"] == 0.5
    config = next(d for d in infra2["decided_by"] if d["rule_id"] == "MLOPS-01-CI-CONFIG-FILE")
    assert config["outcome"] == "fail"    # the declared file is not in the project


def test_symlink_to_a_file_outside_the_project_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    project = bare_project(tmp_path / "p")
    (project / ".github" / "workflows").mkdir(parents=True)
    os.symlink(outside / "ci.yml", project / ".github" / "workflows" / "ci.yml")
    os.symlink(outside / "ci.yml", project / ".gitlab-ci.yml")
    result = maturity(project)
    assert by_test_id(result)["infra-2"]["score"] == 0.0
    assert result["repository"]["files_read"] == []
    skipped = {s["path"]: s["reason"] for s in result["repository"]["skipped"]}
    assert set(skipped) == {".github/workflows/ci.yml", ".gitlab-ci.yml"}
    assert all("outside the project" in r for r in skipped.values())
    assert str(outside) not in json.dumps(result)


def test_symlinked_directory_outside_the_project_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    (outside / "workflows").mkdir(parents=True)
    (outside / "workflows" / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    project = bare_project(tmp_path / "p")
    os.symlink(outside, project / ".github")
    result = maturity(project)
    assert by_test_id(result)["infra-2"]["score"] == 0.0
    assert result["repository"]["skipped"] == [
        {"path": ".github", "reason": "symbolic link leading outside the project (not followed)"}]


def test_symlink_inside_the_project_is_followed(tmp_path):
    project = bare_project(tmp_path / "p", {"ci/gitlab.yml": "t:\n  script:\n    - pytest\n"})
    os.symlink("ci/gitlab.yml", project / ".gitlab-ci.yml")
    assert by_test_id(maturity(project))["infra-2"]["score"] == 1.0


def test_oversized_files_are_skipped(tmp_path):
    big = "# padding\n" * 30000 + "      - run: pytest\n"
    result = maturity(bare_project(tmp_path / "p", {".github/workflows/big.yml": big}))
    assert by_test_id(result)["infra-2"]["score"] == 0.0
    assert result["repository"]["skipped"][0]["reason"].startswith("larger than")


def test_dvc_stages_mlmodel_and_dependency_bot(tmp_path):
    dvc = {"stages": {"validate_data": {"cmd": "great_expectations checkpoint run invoices"},
                      "train": {"cmd": "python train.py", "deps": ["data/train.csv"]}}}
    mlmodel = "artifact_path: model\nrun_id: abc123\nsignature:\n  inputs: '[]'\nsaved_input_example_info:\n  type: json\n"
    project = bare_project(tmp_path / "p", {"dvc.yaml": dvc, "dvc.lock": "schema: '2.0'\nstages:\n  train:\n    "
                                            "deps:\n    - path: data/train.csv\n      md5: 0a1b\n",
                                            "models/clf/MLmodel": mlmodel,
                                            ".github/dependabot.yml": "version: 2\nupdates: []\n"})
    result = maturity(project)
    tests = by_test_id(result)
    assert tests["data-1"]["score"] == 1.0
    assert ("dvc.yaml", 2, "MAT-SIGNAL-AUTOMATED") in {(e["file"], e["line"], e["rule_id"]) for e in tests["data-1"]["evidence"]}
    assert {"rule_id": "MAT-MLFLOW-SIGNATURE", "outcome": "pass", "file": "models/clf/MLmodel"}.items() <= \
        next(d for d in tests["data-1"]["decided_by"] if d["rule_id"] == "MAT-MLFLOW-SIGNATURE").items()
    assert tests["infra-5"]["score"] == 0.5     # the MLflow input example (MAT-SINGLE-EXAMPLE-DEBUG)
    assert [e["rule_id"] for e in tests["infra-5"]["evidence"]] == ["MAT-SINGLE-EXAMPLE-DEBUG"]
    assert tests["infra-1"]["score"] == 0.5 and tests["infra-1"]["evidence"][0]["file"] == "dvc.lock"
    assert tests["monitor-1"]["score"] == 1.0 and tests["monitor-1"]["evidence"][0]["file"] == ".github/dependabot.yml"
    kinds = {f["path"]: f["kind"] for f in result["repository"]["files_read"]}
    assert kinds == {"dvc.yaml": "dvc", "dvc.lock": "dvc_lock", "models/clf/MLmodel": "mlmodel",
                     ".github/dependabot.yml": "dependency_bot"}


# --- stage boundaries on real evidence ----------------------------------------------------------

def edit_pipeline(project: Path, change) -> None:
    path = project / "pipeline.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_without_cd_the_invoice_project_drops_to_stage_2(sample_copy):
    project = sample_copy("invoice-late-payment")
    edit_pipeline(project, lambda p: p["cd"].update(enabled=False))
    result = maturity(project)
    assert result["stage"]["stage"] == 2 and result["google_level"] == 1
    assert any("MLOPS-02-CD (0.5)" in w for w in result["stage"]["why"])
    assert result["azure_level"] == 2


def test_without_a_model_validation_gate_the_invoice_project_drops_to_stage_1(sample_copy):
    project = sample_copy("invoice-late-payment")
    edit_pipeline(project, lambda p: p["stages"].pop(3))
    result = maturity(project)
    assert result["stage"]["stage"] == 1
    assert any("MLOPS-05-VALIDATION (0.5)" in w for w in result["stage"]["why"])
    assert by_test_id(result)["infra-4"]["score"] == 0.5   # the dated validation approval remains


def test_monitoring_needs_a_recent_report(tmp_path):
    project = SAMPLES / "invoice-late-payment"
    assert by_test_id(maturity(project))["monitor-7"]["score"] == 1.0
    # One freshness limit: MLOPS-03-MONITORING-CURRENT's (90 days at tier minimal), not a second window
    assert by_test_id(maturity(project, date(2027, 1, 20)))["monitor-7"]["score"] == 1.0   # 85 days
    late = maturity(project, date(2027, 2, 1))     # 97 days after the last report
    monitor7 = by_test_id(late)["monitor-7"]
    current = next(d for d in monitor7["decided_by"] if d["rule_id"] == "MLOPS-03-MONITORING-CURRENT")
    assert monitor7["score"] == 0.5 and current["outcome"] == "fail"
    assert late["stage"]["stage"] == 1             # CT + monitoring is a Stage 2 practice


def test_a_winning_baseline_scores_zero(sample_copy):
    project = sample_copy("invoice-late-payment")
    card = yaml.safe_load((project / "model_card.yaml").read_text(encoding="utf-8"))
    card["performance"]["baseline"]["value"] = 0.9
    (project / "model_card.yaml").write_text(yaml.safe_dump(card, sort_keys=False), encoding="utf-8")
    model5 = by_test_id(maturity(project))["model-5"]
    assert model5["score"] == 0.0 and "the baseline 'days-overdue-history rule' scores 0.9" in model5["reason"]


def test_an_empty_project_is_below_baseline(tmp_path):
    (tmp_path / "empty").mkdir()   # a directory with no evidence at all is an input error: config only
    (tmp_path / "empty" / "mlcompliance.yaml").write_text("project:\n  name: empty\n", encoding="utf-8")
    result = maturity(tmp_path / "empty")
    assert result["ml_test_score"]["final"] == 0.0
    assert result["ml_test_score"]["band"] == "More a research project than a production system"
    assert result["stage"] == {"stage": 1, "label": "Manual", "below_baseline": True, "why": result["stage"]["why"]}
    assert result["google_level"] == 0 and result["azure_level"] == 0
    assert {p["status"] for p in result["principles"]} == {"not_met"}
