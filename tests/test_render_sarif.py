"""SARIF 2.1.0 output: schema-valid, one rule per rule id, results only for problems, stable fingerprints."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from render_fixtures import *  # noqa: F401,F403 - pytest fixtures
from render_fixtures import AS_OF, INVOICE, cli, render_portfolio

from mlcompliance.render import RENDERERS, sarif

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
PROBLEMS = ("fail", "error", "warn")


def validate(doc: dict) -> None:
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    errors = sorted(cls(SCHEMA).iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def sarif_of(result: dict) -> dict:
    text = RENDERERS["sarif"](result)
    assert text.endswith("\n")
    return json.loads(text)


@pytest.mark.parametrize("which", ["invoice_result", "failing_result", "hostile_result"])
def test_validates_against_the_sarif_schema(which, request):
    doc = sarif_of(request.getfixturevalue(which))
    validate(doc)
    assert doc["version"] == "2.1.0"


def test_schema_check_bites():
    with pytest.raises(AssertionError):
        validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]})


def test_driver_and_extensions_carry_versions(failing_result):
    run = sarif_of(failing_result)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mlcompliance" and driver["version"] == failing_result["tool"]["version"]
    exts = {e["name"]: e for e in run["tool"]["extensions"]}
    assert set(exts) == {p["id"] for p in failing_result["packs"]}
    for p in failing_result["packs"]:
        assert exts[p["id"]]["version"] == p["version"]
        assert exts[p["id"]]["properties"]["digest"] == p["digest"]


def test_one_rule_per_rule_id_with_help(failing_result):
    run = sarif_of(failing_result)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) == len({f["rule_id"] for f in failing_result["findings"]})
    by_id = {f["rule_id"]: f for f in failing_result["findings"]}
    for rule in rules:
        f = by_id[rule["id"]]
        assert f["remediation"] in rule["help"]["text"]
        for ref in f["references"]:
            assert ref["clause"] in rule["help"]["text"]
        assert re.match(r"^https?://\S+$", rule["helpUri"])
        assert rule["shortDescription"]["text"]
        assert float(rule["properties"]["security-severity"]) > 0


def test_only_problems_become_results_with_levels_and_locations(failing_result):
    run = sarif_of(failing_result)["runs"][0]
    results = run["results"]
    problems = [f for f in failing_result["findings"] if f["outcome"] in PROBLEMS]
    counts = failing_result["summary"]["outcomes"]
    assert len(results) == len(problems) == counts["fail"] + counts["error"] + counts["warn"]
    rules = run["tool"]["driver"]["rules"]
    blocking = set(failing_result["gate"]["blocking"])
    for res, f in zip(results, problems):
        assert res["ruleId"] == f["rule_id"] and rules[res["ruleIndex"]]["id"] == f["rule_id"]
        assert res["partialFingerprints"] == {"mlcompliance/v1": f["fingerprint"]}
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == f["location"]["file"]
        assert loc["artifactLocation"]["uriBaseId"] == "PROJECTROOT"
        assert not re.match(r"^[a-z]+:|^/", loc["artifactLocation"]["uri"])
        assert loc["region"]["startLine"] == max(1, f["location"]["line"])
        assert res["properties"]["security-severity"] == sarif.SECURITY_SEVERITY[f["severity"]]
        assert res["properties"]["blocking"] == (f["fingerprint"] in blocking)
        expected = {"error": "error", "warn": "warning"}.get(f["outcome"]) or sarif.FAIL_LEVEL[f["severity"]]
        assert res["level"] == expected
        assert f["message"] in res["message"]["text"]
    assert "PROJECTROOT" in run["originalUriBaseIds"]


def test_levels_and_security_severity_table():
    assert sarif.SECURITY_SEVERITY == {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
    f = {"outcome": "fail"}
    assert [sarif.level(dict(f, severity=s)) for s in ("critical", "high", "medium", "low", "info")] == \
        ["error", "error", "warning", "note", "note"]
    assert sarif.level({"outcome": "error", "severity": "low"}) == "error"
    assert sarif.level({"outcome": "warn", "severity": "critical"}) == "warning"


def test_file_level_fallback_and_uri_encoding(invoice_result):
    import copy
    result = copy.deepcopy(invoice_result)
    f = result["findings"][0]
    f["outcome"], f["location"] = "fail", {"file": "dir with space/card#1.yaml", "pointer": ""}
    doc = sarif_of(result)
    validate(doc)
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["region"]["startLine"] == 1
    assert loc["artifactLocation"]["uri"] == "dir%20with%20space/card%231.yaml"


def test_compliant_sample_has_no_results(invoice_result):
    run = sarif_of(invoice_result)["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"]
    assert len(run["artifacts"]) == len(invoice_result["project"]["files"])


@pytest.mark.parametrize("project", ["invoice", "failing"])
def test_render_is_byte_identical_to_check(project, tmp_path, failing_project):
    path = {"invoice": INVOICE, "failing": failing_project}[project]
    saved, direct, again = tmp_path / "r.json", tmp_path / "direct.sarif", tmp_path / "again.sarif"
    assert cli("check", path, "--as-of", AS_OF, "--format", "json", "-o", saved).exit_code in (0, 1)
    assert cli("check", path, "--as-of", AS_OF, "--format", "sarif", "-o", direct).exit_code in (0, 1)
    assert cli("render", saved, "--format", "sarif", "-o", again).exit_code == 0
    assert direct.read_bytes() == again.read_bytes()
    validate(json.loads(direct.read_text(encoding="utf-8")))


def test_portfolio_is_one_valid_run_with_project_paths(portfolio_result):
    doc = json.loads(render_portfolio(portfolio_result, "sarif"))
    validate(doc)
    assert len(doc["runs"]) == 1
    results = doc["runs"][0]["results"]
    expected = sum(1 for e in portfolio_result["projects"] for f in e["result"]["findings"] if f["outcome"] in PROBLEMS)
    assert len(results) == expected > 0
    for res in results:
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith(("invoice/", "failing-project/"))
    fps = [r["partialFingerprints"]["mlcompliance/v1"] for r in results]
    assert len(fps) == len(set(fps))
    rule_ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
