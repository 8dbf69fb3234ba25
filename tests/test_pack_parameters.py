"""Pack parameters (`parameters:` in pack.yaml, `{param: NAME}` in a check's `with:`, `parameters:` in
mlcompliance.yaml) and the structured law version (`sources`, `law_as_of`, `review_by`, MLC-PACK-STALE)."""
from __future__ import annotations

import json

import pytest
from helpers import AS_OF, cli, make_pack, write_project

PARAMETERS = {
    "review_max_days": {"description": "Most days since the last review.", "basis": "policy",
                        "note": "The standard sets no period.", "type": "integer", "default": 365,
                        "minimum": 180, "maximum": 730, "unit": "days"},
    "tier_gap_days": {"description": "Most days between review and approval.", "basis": "law",
                      "type": "integer", "default": 30, "minimum": 1, "maximum": 90, "unit": "days"},
}
REVIEW_RULE = {
    "id": "ACME-REVIEW", "requirement": "ACME-1", "title": "mlcompliance policy: reviewed within the period",
    "severity": "high", "scope": "/model_card/x-review",
    "assert": {"check": "recent", "with": {"field": "reviewed_at", "max_days": {"param": "review_max_days"}}},
    "message": "Stale review: {$detail}", "remediation": "Review the model.",
}
TIERED_RULE = {
    "id": "ACME-GAP", "requirement": "ACME-1", "title": "Approval soon after review", "severity": "medium",
    "scope": "/model_card/x-review",
    "assert": {"check": "interval_at_most", "with": {"start": "reviewed_at", "end": "approved_at",
                                                      "max_days": {"high": {"param": "tier_gap_days"},
                                                                   "limited": 365}}},
    "message": "Late approval: {$detail}", "remediation": "Approve sooner.",
}
SOURCES = {"sources": [{"name": "Acme Act", "version": "2026", "consolidated_to": "Acme Amendment 2026/2",
                        "as_of": "2026-10-01", "url": "https://acme.example/act"}],
           "law_as_of": "2026-10-01", "review_by": "2027-04-01"}


def pack(tmp_path, rules=None, parameters=None, **meta):
    make_pack(tmp_path / "packs", rules=rules or [REVIEW_RULE, TIERED_RULE],
              parameters=PARAMETERS if parameters is None else parameters, **{**SOURCES, **meta})
    return tmp_path / "packs"


def project(tmp_path, reviewed="2026-01-01", approved="2026-01-20", settings=None, name="p"):
    config = {"packs": {"acme": "*"}, **({"parameters": settings} if settings is not None else {})}
    return write_project(tmp_path / name, {
        "model_card.yaml": {"model_details": {"name": "m", "version": "1.0.0"}, "risk": {"tier": "high"},
                            "x-review": {"reviewed_at": reviewed, "approved_at": approved}},
        "mlcompliance.yaml": config})


def run(proj, packs_dir, as_of=AS_OF):
    result = cli("check", proj, "--as-of", as_of, "--format", "json", "--policy-path", packs_dir)
    return result, (json.loads(result.stdout) if result.stdout.startswith("{") else None)


def finding(data, rule_id):
    return next(f for f in data["findings"] if f["rule_id"] == rule_id)


def test_default_value_applies_and_is_echoed(tmp_path):
    packs_dir = pack(tmp_path)
    _, data = run(project(tmp_path, reviewed="2026-01-01"), packs_dir)   # 304 days before 2026-11-01
    f = finding(data, "ACME-REVIEW")
    assert f["outcome"] == "pass" and f["parameters"] == {"review_max_days": 365}
    echo = data["packs"][0]["parameters"]
    assert echo["review_max_days"] == {"value": 365, "default": 365, "source": "pack default", "basis": "policy",
                                       "minimum": 180, "maximum": 730, "unit": "days"}
    assert echo["tier_gap_days"]["source"] == "pack default"


def test_project_setting_changes_the_outcome(tmp_path):
    packs_dir = pack(tmp_path)
    _, data = run(project(tmp_path, reviewed="2026-01-01", settings={"acme": {"review_max_days": 200}}), packs_dir)
    f = finding(data, "ACME-REVIEW")
    assert f["outcome"] == "fail" and f["parameters"] == {"review_max_days": 200}
    assert "at most 200 allowed" in f["detail"]
    echo = data["packs"][0]["parameters"]["review_max_days"]
    assert (echo["value"], echo["default"], echo["source"]) == (200, 365, "mlcompliance.yaml")


def test_parameter_inside_a_tier_map(tmp_path):
    packs_dir = pack(tmp_path)
    _, data = run(project(tmp_path, reviewed="2026-01-01", approved="2026-03-01"), packs_dir)  # 59 days
    assert finding(data, "ACME-GAP")["outcome"] == "fail"
    assert finding(data, "ACME-GAP")["parameters"] == {"tier_gap_days": 30}
    _, data = run(project(tmp_path, reviewed="2026-01-01", approved="2026-03-01",
                          settings={"acme": {"tier_gap_days": 60}}, name="q"), packs_dir)
    assert finding(data, "ACME-GAP")["outcome"] == "pass"


@pytest.mark.parametrize("settings, fragment", [
    ({"acme": {"review_max_days": 100}}, "outside the allowed range 180..730"),
    ({"acme": {"review_max_days": 800}}, "outside the allowed range 180..730"),
    ({"acme": {"review_max_days": 200.5}}, "is not a whole number"),
    ({"acme": {"review_max_day": 200}}, "has no parameter 'review_max_day' (did you mean 'review_max_days'?)"),
    ({"other": {"review_max_days": 200}}, "names pack 'other', which is not among the chosen packs"),
    ({"acme": {"review_max_days": "200"}}, "mlcompliance.yaml"),
])
def test_bad_project_setting_exits_2_with_its_line(tmp_path, settings, fragment):
    packs_dir = pack(tmp_path)
    result, _ = run(project(tmp_path, settings=settings), packs_dir)
    assert result.exit_code == 2
    assert fragment in result.output
    assert "mlcompliance.yaml:" in result.output   # file:line
    assert "Traceback" not in result.output


@pytest.mark.parametrize("rules, parameters, fragment", [
    ([{**REVIEW_RULE, "assert": {"check": "recent", "with": {"field": "reviewed_at", "max_days": {"param": "nope"}}}}],
     PARAMETERS, "unknown pack parameter 'nope'"),
    ([REVIEW_RULE], {"review_max_days": {**PARAMETERS["review_max_days"], "default": 1000}},
     "default 1000 is outside the allowed range"),
    ([REVIEW_RULE], {"review_max_days": {**PARAMETERS["review_max_days"], "minimum": -5}},
     "parameters of check 'recent'"),   # a bound the check's own schema refuses
    ([REVIEW_RULE], {"review_max_days": {**PARAMETERS["review_max_days"], "default": 365.5, "maximum": 730}},
     "is not a whole number"),
    ([REVIEW_RULE], {"review_max_days": {k: v for k, v in PARAMETERS["review_max_days"].items() if k != "basis"}},
     "basis"),
])
def test_bad_pack_parameters_are_refused(tmp_path, rules, parameters, fragment):
    packs_dir = pack(tmp_path, rules=rules, parameters=parameters)
    result, _ = run(project(tmp_path), packs_dir)
    assert result.exit_code == 2
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_sources_and_law_dates_are_in_the_result(tmp_path):
    packs_dir = pack(tmp_path)
    _, data = run(project(tmp_path), packs_dir)
    ref = data["packs"][0]
    assert ref["sources"] == SOURCES["sources"]
    assert (ref["law_as_of"], ref["review_by"]) == ("2026-10-01", "2027-04-01")
    assert not [f for f in data["findings"] if f["rule_id"] == "MLC-PACK-STALE"]


def test_stale_pack_warns_after_review_by(tmp_path):
    packs_dir = pack(tmp_path)
    proj = project(tmp_path, reviewed="2027-04-01", approved="2027-04-02")
    _, on_day = run(proj, packs_dir, "2027-04-01")
    assert not [f for f in on_day["findings"] if f["rule_id"] == "MLC-PACK-STALE"]
    result, after = run(proj, packs_dir, "2027-04-02")
    stale = [f for f in after["findings"] if f["rule_id"] == "MLC-PACK-STALE"]
    assert len(stale) == 1
    f = stale[0]
    assert (f["outcome"], f["pack"], f["location"]["file"]) == ("warn", "mlcompliance", "mlcompliance.yaml")
    assert "acme@1.0.0" in f["message"] and "2027-04-01" in f["message"]
    assert f["fingerprint"] not in after["gate"]["blocking"]


def test_result_round_trips_with_parameters(tmp_path):
    from mlcompliance.result import codec
    packs_dir = pack(tmp_path)
    _, data = run(project(tmp_path, settings={"acme": {"review_max_days": 400}}), packs_dir)
    from jsonschema import Draft202012Validator

    from mlcompliance.resources import schemas_dir
    schema = json.loads((schemas_dir() / "result.schema.json").read_text(encoding="utf-8"))
    assert not list(Draft202012Validator(schema).iter_errors(data))
    assert schema["properties"]["packs"]["items"]["properties"]["parameters"]
    again = codec.to_dict(codec.from_dict(data))
    assert again["packs"] == data["packs"]
    assert [f.get("parameters") for f in again["findings"]] == [f.get("parameters") for f in data["findings"]]


def test_pack_without_parameters_is_unchanged(tmp_path):
    make_pack(tmp_path / "packs")
    _, data = run(project(tmp_path), tmp_path / "packs")
    assert "parameters" not in data["packs"][0] and "sources" not in data["packs"][0]
    assert all("parameters" not in f for f in data["findings"])


def test_packs_show_lists_parameters_and_law(tmp_path):
    packs_dir = pack(tmp_path)
    out = cli("packs", "show", "acme", "--policy-path", packs_dir).output
    assert "review_max_days = 365 days [policy; 180..730]" in out
    assert "law: Acme Act 2026, consolidated to Acme Amendment 2026/2, as of 2026-10-01" in out
    assert "law as of: 2026-10-01; review by: 2027-04-01" in out


def test_superseded_pack_warns_when_a_newer_version_is_installed(tmp_path):
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        make_pack(tmp_path / "packs", version=version)
    proj = write_project(tmp_path / "p", {
        "model_card.yaml": {"model_details": {"name": "m", "version": "1.0.0"}, "risk": {"tier": "high"}},
        "mlcompliance.yaml": {"packs": {"acme": ">=1.0,<2"}}})
    result, data = run(proj, tmp_path / "packs")
    assert data["packs"][0]["version"] == "1.1.0"
    found = [f for f in data["findings"] if f["rule_id"] == "MLC-PACK-SUPERSEDED"]
    assert len(found) == 1 and found[0]["outcome"] == "warn"
    assert "acme@1.1.0 is checked, chosen by the pin '>=1.0,<2'" in found[0]["message"]
    assert "acme@2.0.0 is installed" in found[0]["message"]
    assert "packs diff acme@1.1.0 acme@2.0.0" in found[0]["remediation"]
    assert found[0]["location"]["file"] == "mlcompliance.yaml" and found[0]["location"]["line"] == 2
    assert found[0]["fingerprint"] not in data["gate"]["blocking"]
    newest = write_project(tmp_path / "q", {
        "model_card.yaml": {"model_details": {"name": "m", "version": "1.0.0"}, "risk": {"tier": "high"}},
        "mlcompliance.yaml": {"packs": {"acme": "*"}}})
    _, data = run(newest, tmp_path / "packs")
    assert not [f for f in data["findings"] if f["rule_id"] == "MLC-PACK-SUPERSEDED"]


def _builtin(pack_id, version):
    from mlcompliance.policy.packs import discover, load_pack
    return load_pack(next(s for s in discover(plugins=False) if s.id == pack_id and s.version == version))


def _evaluate_observed(pack, outcomes, rule_id, settings=None, tier="high"):
    """The rule's outcomes on a project whose observed outcome facts are ``outcomes`` (the probe's
    statistics are tested elsewhere: here only the thresholds the pack applies to them)."""
    from datetime import date

    from mlcompliance.engine.evaluate import evaluate
    from mlcompliance.evidence.project import KINDS, Project
    bundle = {"model_card": {"risk": {"tier": tier}, "intended_use": {"affected_persons": ["applicants"]},
                             "fairness": {"protected_attributes": ["sex"]}},
              "data_manifest": {"datasets": []}, "pipeline": {},
              "observed": {"data": {"outcomes": outcomes}}}
    project = Project(None, "p", None, {}, {k: None for k in KINDS}, {k: f"{k}.yaml" for k in KINDS}, bundle)
    found = evaluate(project, [pack], date(2026, 11, 1), tier, parameters=settings)
    return [(f.outcome, dict(f.parameters or {})) for f in found if f.rule_id == rule_id]


def test_drift_thresholds_are_pack_parameters():
    pack = _builtin("mlops-practices", "1.4.0")
    moderate = {"drift": {"comparisons": [{"status": "ok", "features": [
        {"feature": "age", "status": "ok", "psi": 0.3, "p_adjusted": 0.01, "test": "ks_2samp"}]}]}}
    assert _evaluate_observed(pack, moderate, "MLOPS-03-DRIFT-WITHIN-THRESHOLD") == [
        ("fail", {"drift_p_adjusted_min": 0.05, "drift_psi_max": 0.25})]
    assert _evaluate_observed(pack, moderate, "MLOPS-03-DRIFT-WITHIN-THRESHOLD",
                              {"mlops-practices": {"drift_psi_max": 0.5}})[0][0] == "pass"
    assert _evaluate_observed(pack, moderate, "MLOPS-03-DRIFT-WITHIN-THRESHOLD",
                              {"mlops-practices": {"drift_p_adjusted_min": 0.005}})[0][0] == "pass"
    exactly = {"drift": {"comparisons": [{"status": "ok", "features": [
        {"feature": "age", "status": "ok", "psi": 0.25, "p_adjusted": 0.01, "test": "ks_2samp"}]}]}}
    assert _evaluate_observed(pack, exactly, "MLOPS-03-DRIFT-WITHIN-THRESHOLD")[0][0] == "fail"   # PSI 0.25 drifts


def test_fairness_thresholds_are_pack_parameters_labelled_as_policy():
    pack = _builtin("eu-trustworthy-ai", "1.3.0")
    assert {n: (p.basis, p.default) for n, p in pack.parameters.items()
            if n in ("disparate_impact_min", "equalised_odds_difference_max")} == {
        "disparate_impact_min": ("policy", 0.8), "equalised_odds_difference_max": ("policy", 0.1)}
    assert "four-fifths" in pack.parameters["disparate_impact_min"].note
    gap = {"fairness": {"by_attribute": {"sex": {
        "attribute": "sex", "status": "ok", "disparate_impact_ratio": 0.75, "lowest_selection_group": "f",
        "highest_selection_group": "m", "selection_test": {"test": "chi2_contingency", "p_value": 0.001},
        "equalised_odds_difference": 0.15, "tpr_test": {"p_value": 0.01}, "fpr_test": {"p_value": 0.2}}}}}
    assert _evaluate_observed(pack, gap, "HLEG-R5-DISPARATE-IMPACT") == [("fail", {"disparate_impact_min": 0.8})]
    assert _evaluate_observed(pack, gap, "HLEG-R5-DISPARATE-IMPACT",
                              {"eu-trustworthy-ai": {"disparate_impact_min": 0.7}})[0][0] == "pass"
    assert _evaluate_observed(pack, gap, "HLEG-R5-ERROR-RATE-PARITY")[0][0] == "fail"
    assert _evaluate_observed(pack, gap, "HLEG-R5-ERROR-RATE-PARITY",
                              {"eu-trustworthy-ai": {"equalised_odds_difference_max": 0.2}})[0][0] == "pass"
    no_test = {"fairness": {"by_attribute": {"sex": {**gap["fairness"]["by_attribute"]["sex"],
                                                     "selection_test": {"test": None, "p_value": None}}}}}
    assert _evaluate_observed(pack, no_test, "HLEG-R5-DISPARATE-IMPACT")[0][0] == "pass"   # as released: no test, no flag
