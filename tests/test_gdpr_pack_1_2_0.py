"""gdpr 1.2.0 as a project uses it: its parameters (audit L14, section 2.3) and its law version (V2)."""
from __future__ import annotations

import json

import yaml
from helpers import cli

AS_OF = "2026-11-01"


def _set(project, key, value) -> None:
    path = project / "mlcompliance.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc[key] = value
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _findings(data, rule_id):
    return [f for f in data["findings"] if f["rule_id"] == rule_id]


def test_dpia_review_period_is_a_policy_parameter_a_project_can_set(sample_copy):
    project = sample_copy("credit-scoring")      # DPIA last reviewed 2025-09-10: 417 days before AS_OF
    res = cli("check", project, "--as-of", AS_OF, "--format", "json")
    data = json.loads(res.stdout)
    default, = _findings(data, "GDPR-ART35-11-DPIA-REVIEWED")
    assert default["outcome"] in ("fail", "waived") and "mlcompliance policy" in default["message"]
    assert default.get("parameters") == {"dpia_review_max_days": 366}
    gdpr = next(p for p in data["packs"] if p["id"] == "gdpr")
    assert gdpr["version"] == "1.3.0" and gdpr["law_as_of"] == "2026-12-04"  # newest; law as 1.2.0
    _set(project, "parameters", {"gdpr": {"dpia_review_max_days": 450}})
    data = json.loads(cli("check", project, "--as-of", AS_OF, "--format", "json").stdout)
    looser, = _findings(data, "GDPR-ART35-11-DPIA-REVIEWED")
    assert looser["outcome"] == "pass" and looser.get("parameters") == {"dpia_review_max_days": 450}


def test_the_ccpa_three_years_cannot_be_lengthened(sample_copy):
    project = sample_copy("credit-scoring")
    _set(project, "parameters", {"gdpr": {"ccpa_risk_assessment_review_max_days": 1200}})
    res = cli("check", project, "--as-of", AS_OF, "--format", "json")
    assert res.exit_code == 2 and "mlcompliance.yaml" in res.output
