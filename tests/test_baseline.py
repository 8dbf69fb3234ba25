"""check --baseline: findings marked new / recurring by fingerprint, fixed ones listed, --fail-on-new, every format."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from helpers import AS_OF, _dump, _load, cli, make_failing_project

FORMATS = ("text", "md", "html", "sarif", "junit", "github", "csv", "json")
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
PROBLEMS = ("fail", "error", "warn")


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A failing project's saved result, then the project edited: lines moved, one failure fixed, one added."""
    work = tmp_path_factory.mktemp("baseline")
    root = make_failing_project(work)
    base = work / "base.json"
    assert cli("check", root, "--as-of", AS_OF, "--format", "json", "-o", base).exit_code == 1
    card = _load(root / "model_card.yaml")
    card["governance"]["owner"] = "Dana Whitfield"            # fixes MLOPS-17-OWNER
    card["performance"]["metrics"][0]["value"] = 0.1          # a metric below its threshold: new failures
    _dump(root / "model_card.yaml", card)
    text = (root / "model_card.yaml").read_text(encoding="utf-8")
    (root / "model_card.yaml").write_text("# moved\n# every\n# line\n" + text, encoding="utf-8")
    return {"root": root, "base": base, "work": work, "before": json.loads(base.read_text(encoding="utf-8"))}


def run(edited: dict, fmt: str, *extra: str):
    return cli("check", edited["root"], "--as-of", AS_OF, "--baseline", edited["base"], "--format", fmt, *extra)


@pytest.fixture(scope="module")
def after(edited: dict) -> dict:
    res = run(edited, "json")
    assert res.exit_code == 1, res.output
    return json.loads(res.stdout)


def problems(result: dict) -> dict[str, dict]:
    return {f["fingerprint"]: f for f in result["findings"] if f["outcome"] in PROBLEMS}


def test_new_recurring_and_fixed_by_fingerprint_across_moved_lines(edited, after):
    before = problems(edited["before"])
    now = problems(after)
    marks = {fp: f["baseline"] for fp, f in now.items()}
    assert {fp for fp, m in marks.items() if m == "recurring"} == set(now) & set(before)
    new = {fp for fp, m in marks.items() if m == "new"}
    assert new == set(now) - set(before) and new
    assert any(now[fp]["rule_id"].startswith("MLOPS") or now[fp]["rule_id"].startswith("HLEG") for fp in new)
    # recurring although its line moved: the fingerprint never contains a line
    validator = next(f for f in now.values() if f["rule_id"] == "MLOPS-17-VALIDATOR-INDEPENDENT")
    was = before[validator["fingerprint"]]
    assert validator["baseline"] == "recurring" and validator["location"]["line"] == was["location"]["line"] + 3
    fixed = after["baseline"]["fixed"]
    assert [f["rule_id"] for f in fixed] == ["MLOPS-17-OWNER"] and "baseline" not in fixed[0]
    assert after["baseline"]["new"] == len(new) and after["baseline"]["recurring"] == len(now) - len(new)
    assert after["baseline"]["file"] == str(edited["base"])
    assert all("baseline" not in f for f in after["findings"] if f["outcome"] not in PROBLEMS)


def test_fail_on_new_exit_codes(edited, after, tmp_path):
    # the new failures include one at or above low: it blocks; recurring ones do not
    res = run(edited, "json", "--fail-on", "low", "--fail-on-new")
    assert res.exit_code == 1
    gate = json.loads(res.stdout)["gate"]
    by_fp = problems(after)
    assert gate["new_only"] is True and gate["blocking"]
    assert all(by_fp[fp]["baseline"] == "new" for fp in gate["blocking"])
    # compared with itself nothing is new: --fail-on-new passes, the plain gate still fails
    saved = tmp_path / "now.json"
    assert cli("check", edited["root"], "--as-of", AS_OF, "--format", "json", "-o", saved).exit_code == 1
    args = ("check", edited["root"], "--as-of", AS_OF, "--baseline", saved)
    assert cli(*args, "--fail-on-new").exit_code == 0
    assert cli(*args).exit_code == 1
    assert "COMPLIANT: no new fail or error finding" in cli(*args, "--fail-on-new").stdout


def test_fail_on_new_needs_a_baseline(edited):
    res = cli("check", edited["root"], "--as-of", AS_OF, "--fail-on-new")
    assert res.exit_code == 2 and "--fail-on-new needs --baseline" in res.output


@pytest.mark.parametrize("content, message", [
    ("{not json", "r.json"), ("[]", "no result_version"), ('{"result_version": "7.0"}', "not supported"),
    ('{"result_version": "1.0", "findings": []}', "not a valid mlcompliance result"),
])
def test_a_bad_baseline_is_exit_2_with_file_and_expectation(edited, tmp_path, content, message):
    bad = tmp_path / "r.json"
    bad.write_text(content, encoding="utf-8")
    res = cli("check", edited["root"], "--as-of", AS_OF, "--baseline", bad)
    assert res.exit_code == 2
    assert str(bad) in res.output and message in res.output and "Traceback" not in res.output


def test_missing_baseline_file_is_exit_2(edited, tmp_path):
    res = cli("check", edited["root"], "--as-of", AS_OF, "--baseline", tmp_path / "absent.json")
    assert res.exit_code == 2 and "absent.json" in res.output


def test_a_portfolio_is_not_a_baseline(edited, tmp_path):
    saved = tmp_path / "p.json"
    cli("check", edited["root"], edited["root"], "--as-of", AS_OF, "--format", "json", "-o", saved)
    res = cli("check", edited["root"], "--as-of", AS_OF, "--baseline", saved)
    assert res.exit_code == 2 and "portfolio result cannot be a baseline" in res.output


@pytest.fixture(scope="module")
def reports(edited) -> dict[str, str]:
    out = {}
    for fmt in FORMATS:
        res = run(edited, fmt)
        assert res.exit_code == 1, res.output
        out[fmt] = res.stdout
    return out


def test_every_format_shows_the_marks(reports, after):
    new = next(f for f in after["findings"] if f.get("baseline") == "new")
    recurring = next(f for f in after["findings"] if f.get("baseline") == "recurring")
    fixed = after["baseline"]["fixed"][0]
    text = reports["text"]
    assert f"{new['rule_id']}  " in text and "[new]" in text and "[recurring]" in text
    assert f"FIXED  {fixed['severity']:<8} {fixed['rule_id']}" in text and "baseline: " in text
    md = reports["md"]
    assert "(new)" in md and "(recurring)" in md and "Fixed since the baseline (1)" in md and fixed["rule_id"] in md
    html = reports["html"]
    assert 'id="baseline"' in html and 'class="badge baseline-new"' in html and 'class="badge baseline-recurring"' in html
    assert f'data-fingerprint="{fixed["fingerprint"]}"' in html
    sarif = json.loads(reports["sarif"])
    validator = jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA)
    assert not list(validator.iter_errors(sarif))
    states = {r["partialFingerprints"]["mlcompliance/v1"]: r["baselineState"] for r in sarif["runs"][0]["results"]}
    assert states[new["fingerprint"]] == "new" and states[recurring["fingerprint"]] == "unchanged"
    assert states[fixed["fingerprint"]] == "absent"
    junit = ET.fromstring(reports["junit"])
    marks = {(c.get("name"), p.get("value")) for c in junit.iter("testcase") for p in c.iter("property")}
    assert {v for _, v in marks} == {"new", "recurring", "fixed"}
    github = reports["github"]
    assert f"title={new['rule_id']} (" in github and "new)" in github and "recurring)" in github
    assert f"Fixed: {fixed['rule_id']}" in github
    rows = list(csv.DictReader(io.StringIO(reports["csv"])))
    by_fp = {(r["fingerprint"], r["baseline"]) for r in rows}
    assert (new["fingerprint"], "new") in by_fp and (recurring["fingerprint"], "recurring") in by_fp
    assert (fixed["fingerprint"], "fixed") in by_fp
    assert json.loads(reports["json"]) == after


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_of_a_saved_baseline_result_equals_check(edited, reports, tmp_path, fmt):
    saved = tmp_path / "after.json"
    saved.write_text(reports["json"], encoding="utf-8")
    res = cli("render", saved, "--format", fmt)
    assert res.exit_code == 0 and res.stdout == reports[fmt]


def test_oscal_lists_fixed_findings_as_observations(edited, after):
    """OSCAL (validated against the NIST schema) shows what the baseline found and this check no
    longer does: one observation per fixed finding, marked, with no finding of its own."""
    from oscal_schema import errors
    res = run(edited, "oscal")
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert errors(doc) == []
    result = doc["assessment-results"]["results"][0]
    props = {p["name"]: p["value"] for p in result["props"]}
    fixed = [f["fingerprint"] for f in after["baseline"]["fixed"]]
    assert fixed and props["baseline-fixed"] == str(len(fixed))
    assert props["baseline-new"] == str(after["baseline"]["new"])
    marked = [o for o in result["observations"] if {"name": "baseline", "value": "fixed", "ns": "urn:mlcompliance:oscal"}
              in o["props"]]
    assert sorted(next(p["value"] for p in o["props"] if p["name"] == "fingerprint") for o in marked) == sorted(fixed)
    assert all(o["title"].startswith("Fixed since the baseline") for o in marked)
    linked = {r["observation-uuid"] for f in result["findings"] for r in f["related-observations"]}
    assert not linked & {o["uuid"] for o in marked}
