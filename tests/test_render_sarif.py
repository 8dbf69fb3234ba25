"""SARIF 2.1.0 output: schema-valid, one rule per rule id, results only for problems, stable fingerprints."""
from __future__ import annotations

import json
import re

import pytest
from helpers import render_portfolio
from helpers import validate_sarif as validate

from mlcompliance.render import RENDERERS, sarif
from mlcompliance.vocab import MANUAL_NOT_APPLICABLE, MANUAL_REMEDIATION

PROBLEMS = ("fail", "error", "warn")


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
        if f["remediation"] == MANUAL_NOT_APPLICABLE:   # says what a person attests when it applies
            assert MANUAL_REMEDIATION in rule["help"]["text"] and MANUAL_NOT_APPLICABLE not in rule["help"]["text"]
        else:
            assert f["remediation"] in rule["help"]["text"]
        for ref in f["references"]:
            assert ref["clause"] in rule["help"]["text"]
        # the clause the rule enforces (its first http(s) reference), never an invented address
        urls = [r["url"] for r in f["references"] if (r.get("url") or "").startswith(("http://", "https://"))]
        if urls:
            assert rule["helpUri"] == urls[0]
        assert "mlcompliance.dev" not in rule.get("helpUri", "")
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
    from mlcompliance.engine.findings import Finding

    def f(outcome: str, severity: str) -> Finding:
        return Finding(rule_id="R", pack="p", pack_version="1", requirement="Q", title="t", outcome=outcome,
                       severity=severity, message="m", remediation="r", references=(), file="f.yaml", line=1,
                       column=1, target="", pointer="")
    assert [sarif.level(f("fail", s)) for s in ("critical", "high", "medium", "low", "info")] == \
        ["error", "error", "warning", "note", "note"]
    assert sarif.level(f("error", "low")) == "error"
    assert sarif.level(f("warn", "critical")) == "warning"


def test_file_level_fallback_and_uri_encoding(invoice_result):
    import copy
    result = copy.deepcopy(invoice_result)
    f = result["findings"][0]
    f["outcome"], f["location"] = "fail", {"file": "dir with space/card#1.yaml", "line": 1, "column": 0,
                                           "pointer": "", "target": ""}
    doc = sarif_of(result)
    validate(doc)
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["region"]["startLine"] == 1
    assert loc["artifactLocation"]["uri"] == "dir%20with%20space/card%231.yaml"


def test_compliant_sample_has_no_results(invoice_result):
    run = sarif_of(invoice_result)["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"]
    assert len(run["artifacts"]) == len(invoice_result["project"]["files"])


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


@pytest.mark.parametrize("path,uri", [
    ("javascript:alert(1)", "./javascript:alert(1)"),
    ("C:/data/x.csv", "./C:/data/x.csv"),
    ("data/a:b.csv", "data/a:b.csv"),
    ("model card.yaml", "model%20card.yaml"),
])
def test_a_path_never_becomes_a_uri_with_a_scheme(path, uri):
    from urllib.parse import urlsplit

    from mlcompliance.render.sarif import _uri
    assert _uri(path) == uri
    assert urlsplit(_uri(path)).scheme == ""
