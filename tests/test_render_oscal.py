"""OSCAL 1.1.2 assessment results (`--format oscal`): valid against the official NIST schema,
deterministic, every observation citing its evidence, waivers as deviation risks, input errors
as an error document."""
from __future__ import annotations

import copy
import hashlib
import json
import re

import pytest
from helpers import AS_OF, SAMPLES, cli
from oscal_schema import SCHEMA_PATH, SCHEMA_SHA256, errors

from mlcompliance.render import RENDERERS, oscal

SAMPLE_PROJECTS = ("credit-scoring", "invoice-late-payment", "support-chatbot", "support-email-router",
                   "xray-anomaly")


def oscal_of(result: dict) -> dict:
    text = RENDERERS["oscal"](result)
    assert text.endswith("\n")
    return json.loads(text)


def walk(value, path=()):
    """(path, key, value) of every member of every object in a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield path, k, v
            yield from walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, (*path, i))


def props(obj: dict) -> dict[str, str]:
    return {p["name"]: p["value"] for p in obj.get("props", [])}


@pytest.fixture(scope="module")
def credit(checks) -> tuple[dict, dict]:
    """(the JSON result, its OSCAL document) of the credit-scoring sample (waivers: active and expired)."""
    result = checks.result(SAMPLES / "credit-scoring")
    return result, oscal_of(result)


# --- the schema and the validator -----------------------------------------------------------------

def test_vendored_schema_is_the_nist_release_asset():
    raw = SCHEMA_PATH.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256
    schema = json.loads(raw)
    assert schema["$id"] == "http://csrc.nist.gov/ns/oscal/1.1.2/oscal-ar-schema.json"
    # the Unicode-class patterns are there, as published (never dropped or rewritten)
    assert schema["definitions"]["TokenDatatype"]["pattern"] == r"^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$"
    assert oscal.OSCAL_VERSION == "1.1.2"


def test_validator_evaluates_the_unicode_patterns(invoice_result):
    doc = oscal_of(invoice_result)
    assert errors(doc) == []
    target = doc["assessment-results"]["results"][0]["findings"][0]["target"]
    target["target-id"] = "Règle-1_é"                    # \p{L} accepts letters beyond ASCII
    assert errors(doc) == []
    target["target-id"] = "1-starts-with-a-digit"       # not an NCName
    assert any("target-id" in e and "does not match" in e for e in errors(doc))
    target["target-id"] = "Règle-1_é"
    doc["assessment-results"]["uuid"] = "00000000-0000-1000-8000-000000000000"   # a version-1 UUID
    assert any(e.startswith("/assessment-results/uuid") for e in errors(doc))
    del doc["assessment-results"]["uuid"]
    doc["assessment-results"]["results"][0]["observations"][0]["collected"] = "2026-11-01"   # no time, no zone
    assert len(errors(doc)) >= 2


# --- every sample, and hostile text ----------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLE_PROJECTS)
def test_every_sample_result_validates(name, sample_check):
    _, result = sample_check(name)
    doc = oscal_of(result)
    assert errors(doc) == []
    ar = doc["assessment-results"]
    assert ar["metadata"]["oscal-version"] == "1.1.2"
    assert ar["metadata"]["last-modified"] == f"{AS_OF}T00:00:00Z"
    res = ar["results"][0]
    assert props(res)["verdict"] == result["gate"]["verdict"]
    evaluated = [f for f in result["findings"] if f["outcome"] != "not_applicable"]
    assert len(res["findings"]) == len(res["observations"]) == len(evaluated)
    assert props(res)["outcome-not-applicable"] == str(result["summary"]["outcomes"]["not_applicable"])
    # the packs are the reviewed controls, each requirement a control id
    selections = {props(s).get("pack"): s for s in res["reviewed-controls"]["control-selections"]}
    for pack in result["summary"]["packs"]:
        ids = {c["control-id"] for c in selections[pack["id"]].get("include-controls", [])}
        assert ids == {r["id"] for r in pack["requirements"]}
        assert props(selections[pack["id"]])["pack-version"] == pack["version"]
    # the plan placeholder resolves to a back-matter resource naming the packs
    href = ar["import-ap"]["href"]
    plan = next(r for r in ar["back-matter"]["resources"] if f"#{r['uuid']}" == href)
    for p in result["packs"]:
        assert f"{p['id']} {p['version']}" in plan["description"]


def test_hostile_text_is_valid_and_shown(hostile_result):
    doc = oscal_of(hostile_result)
    assert errors(doc) == []
    text = json.dumps(doc, ensure_ascii=False)
    assert "\u202e" not in text and "\x1b" not in text and "\x00" not in text


# --- determinism and identity ------------------------------------------------------------------------

def test_reruns_are_byte_identical_and_match_render(tmp_path, checks):
    project = SAMPLES / "invoice-late-payment"
    first = cli("check", project, "--as-of", AS_OF, "--format", "oscal")
    second = cli("check", project, "--as-of", AS_OF, "--format", "oscal", "-o", f"oscal={tmp_path / 'ar.json'}")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == (tmp_path / "ar.json").read_bytes()
    # from the saved JSON result (`mlcompliance render`), the same bytes
    saved = tmp_path / "result.json"
    saved.write_bytes(checks.run(project).stdout)
    again = cli("render", saved, "--format", "oscal")
    assert again.exit_code == 0 and again.stdout_bytes == first.stdout_bytes


def test_uuids_are_uuid5_unique_and_every_reference_resolves(credit):
    _, doc = credit
    uuids = [v for _, k, v in walk(doc) if k == "uuid"]
    assert len(uuids) == len(set(uuids)) > 100
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u) for u in uuids)
    known = set(uuids)
    refs = [v for _, k, v in walk(doc) if k in ("observation-uuid", "risk-uuid", "party-uuid", "actor-uuid",
                                                 "component-uuid")]
    refs += [u for _, k, v in walk(doc) if k == "party-uuids" for u in v]
    refs += [v[1:] for _, k, v in walk(doc) if k == "href" and v.startswith("#")]
    assert refs and set(refs) <= known


def test_uuids_are_stable_per_finding_across_dates(sample_check):
    """A finding keeps its observation and finding UUIDs from one as-of date to the next (per subject);
    the document and its result get new ones (another result digest)."""
    _, now = sample_check("invoice-late-payment")
    _, later = sample_check("invoice-late-payment", as_of="2027-01-15")
    a, b = oscal_of(now)["assessment-results"], oscal_of(later)["assessment-results"]
    assert a["uuid"] != b["uuid"] and a["results"][0]["uuid"] != b["results"][0]["uuid"]
    obs_a = {props(o)["fingerprint"]: o["uuid"] for o in a["results"][0]["observations"]}
    obs_b = {props(o)["fingerprint"]: o["uuid"] for o in b["results"][0]["observations"]}
    common = set(obs_a) & set(obs_b)
    assert common and all(obs_a[fp] == obs_b[fp] for fp in common)


# --- content --------------------------------------------------------------------------------------

def test_each_observation_cites_file_line_and_sha256(credit):
    result, doc = credit
    ar = doc["assessment-results"]
    sha_of = {f["path"]: f["sha256"] for f in result["project"]["files"]}
    resources = {r["uuid"]: r for r in ar["back-matter"]["resources"]}
    by_fp = {f["fingerprint"]: f for f in result["findings"]}
    observations = ar["results"][0]["observations"]
    cited = 0
    for obs in observations:
        finding = by_fp[props(obs)["fingerprint"]]
        loc = finding["location"]
        ev = obs["relevant-evidence"][0]
        if not sha_of.get(loc["file"]):
            continue
        cited += 1
        ep = props(ev)
        assert ep["file"] == loc["file"] and ep["line"] == str(loc["line"]) and ep["sha256"] == sha_of[loc["file"]]
        assert f"{loc['file']}:{loc['line']}" in ev["description"] and sha_of[loc["file"]] in ev["description"]
        res = resources[ev["href"][1:]]                                  # the file's back-matter resource
        assert res["rlinks"][0]["hashes"] == [{"algorithm": "SHA-256", "value": sha_of[loc["file"]]}]
        assert res["rlinks"][0]["href"] == loc["file"]
    assert cited >= len(observations) * 0.9


def test_findings_link_observations_and_map_outcomes(credit):
    result, doc = credit
    res = doc["assessment-results"]["results"][0]
    obs = {o["uuid"] for o in res["observations"]}
    blocking = set(result["gate"]["blocking"])
    by_fp = {f["fingerprint"]: f for f in result["findings"]}
    states = {}
    for fnd, o in zip(res["findings"], res["observations"]):
        assert [r["observation-uuid"] for r in fnd["related-observations"]] == [o["uuid"]] and o["uuid"] in obs
        f = by_fp[props(o)["fingerprint"]]
        assert fnd["target"]["type"] == "objective-id" and fnd["target"]["target-id"] == f["rule_id"]
        assert props(fnd)["blocking"] == ("true" if f["fingerprint"] in blocking else "false")
        states.setdefault(f["outcome"], set()).add(fnd["target"]["status"]["state"])
    assert states["pass"] == {"satisfied"}
    assert states["fail"] == states["waived"] == states["manual"] == {"not-satisfied"}


def test_waived_finding_becomes_a_deviation_approved_risk(credit):
    result, doc = credit
    ar = doc["assessment-results"]
    res = ar["results"][0]
    waiver = next(w for w in result["waivers"] if w["id"] == "W-MRM-2026-041")
    waived = next(f for f in result["findings"] if f["outcome"] == "waived")
    assert waived["waiver"]["id"] == waiver["id"]
    obs = next(o for o in res["observations"] if props(o)["fingerprint"] == waived["fingerprint"])
    fnd = next(f for f in res["findings"] if f["related-observations"][0]["observation-uuid"] == obs["uuid"])
    assert fnd["target"]["status"]["state"] == "not-satisfied"
    risk = next(r for r in res["risks"] if r["uuid"] == fnd["related-risks"][0]["risk-uuid"])
    assert risk["status"] == "deviation-approved"
    assert risk["description"] == waiver["justification"].strip()
    rp = props(risk)
    assert rp["approver"] == waiver["approver"] and rp["expires"] == waiver["expires"] == "2026-12-31"
    assert rp["waiver-id"] == waiver["id"] and rp["ticket"] == waiver["ticket"]
    assert risk["deadline"] == "2026-12-31T23:59:59Z"
    assert {"observation-uuid": obs["uuid"]} in risk["related-observations"]
    entry = risk["risk-log"]["entries"][0]
    assert entry["status-change"] == "deviation-approved" and entry["start"] == "2026-09-24T00:00:00Z"
    party = next(p for p in ar["metadata"]["parties"] if p["uuid"] == entry["logged-by"][0]["party-uuid"])
    assert party["name"] == waiver["approver"]
    assert party["uuid"] in ar["metadata"]["responsible-parties"][0]["party-uuids"]


def test_expired_waiver_is_an_open_risk_and_its_finding_fails(credit):
    result, doc = credit
    res = doc["assessment-results"]["results"][0]
    expired = next(w for w in result["waivers"] if w["status"] == "expired")
    risk = next(r for r in res["risks"] if props(r)["waiver-id"] == expired["id"])
    assert risk["status"] == "open" and "does not accept" in risk["statement"]
    assert len(res["risks"]) == len(result["waivers"])


def test_no_waiver_no_risk_no_party(invoice_result):
    ar = oscal_of(invoice_result)["assessment-results"]
    assert "risks" not in ar["results"][0] and "parties" not in ar["metadata"]


def test_generated_at_dates_the_document(invoice_result):
    result = copy.deepcopy(invoice_result)
    result["generated_at"] = "2026-11-01T09:30:00Z"
    ar = oscal_of(result)["assessment-results"]
    assert ar["metadata"]["last-modified"] == ar["results"][0]["start"] == "2026-11-01T09:30:00Z"
    assert errors({"assessment-results": ar}) == []


# --- a project that could not be loaded; a portfolio --------------------------------------------------

def test_input_error_is_a_valid_error_document(tmp_path):
    broken = SAMPLES / "broken-fraud-alerts"
    out = cli("check", broken, "--as-of", AS_OF, "--format", "oscal")
    assert out.exit_code == 2
    doc = json.loads(out.stdout)
    assert errors(doc) == []
    ar = doc["assessment-results"]
    res = ar["results"][0]
    assert props(res)["verdict"] == "error" and "ERROR" in res["title"]
    [finding] = res["findings"]
    assert finding["target"]["status"]["state"] == "not-satisfied"
    [observation] = res["observations"]
    ev = props(observation["relevant-evidence"][0])
    assert ev["file"].endswith("model_card.yaml") and ev["line"] == "10"
    assert '"hgh" is not allowed' in finding["description"]
    assert ar["metadata"]["last-modified"] == f"{AS_OF}T00:00:00Z"
    # the same document with -o, next to the other CI formats, and byte-identical on a rerun
    again = cli("check", broken, "--as-of", AS_OF, "--format", "sarif", "-o", f"oscal={tmp_path / 'ar.json'}")
    assert again.exit_code == 2 and (tmp_path / "ar.json").read_bytes() == out.stdout_bytes


def test_portfolio_is_one_document_with_a_result_per_project(portfolio_dir, checks, tmp_path):
    """Both projects (the failing one is a copy of the invoice sample under the same project name)
    and a project that failed to load: one valid document, one result each in path order, no UUID
    shared, evidence links relative to the working directory, the same bytes from `render` of the
    saved portfolio."""
    import shutil
    broken = tmp_path / "broken"
    shutil.copytree(SAMPLES / "broken-fraud-alerts", broken)
    projects = ("invoice", "failing-project", broken)
    out = checks.run(*projects, fmt="oscal", cwd=portfolio_dir)
    assert out.exit_code == 2                                    # a project was not checked
    doc = json.loads(out.stdout)
    assert errors(doc) == []
    ar = doc["assessment-results"]
    results = ar["results"]
    assert [props(r)["project-path"] for r in results] == sorted(str(p) for p in projects)
    names = [props(r).get("project") for r in results if props(r)["verdict"] != "error"]
    assert len(names) == 2 and names[0] == names[1]              # same project name, distinct UUIDs below
    assert {props(r)["verdict"] for r in results} == {"compliant", "non_compliant", "error"}
    uuids = [v for _, k, v in walk(doc) if k == "uuid"]
    assert len(uuids) == len(set(uuids))
    assert props({"props": ar["metadata"]["props"]})["projects"] == "3"
    hrefs = {r["rlinks"][0]["href"] for r in ar["back-matter"]["resources"] if r.get("hashes") or r.get("rlinks")}
    assert {"invoice/model_card.yaml", "failing-project/model_card.yaml"} <= hrefs
    saved = tmp_path / "portfolio.jsonl"
    saved.write_bytes(checks.run(*projects, cwd=portfolio_dir).stdout)
    again = cli("render", saved, "--format", "oscal")
    assert again.stdout_bytes == out.stdout


def test_waiver_instants_as_oscal_date_times():
    """Dates as the waiver engine reads them (start of the created day, end of the expiry day, UTC);
    a date-time with an offset in UTC; nothing OSCAL's pattern would reject."""
    assert oscal._instant("2026-12-31", end_of_day=True) == "2026-12-31T23:59:59Z"
    assert oscal._instant("2026-09-24") == "2026-09-24T00:00:00Z"
    assert oscal._instant("2026-09-24T10:00:00+05:30") == "2026-09-24T04:30:00Z"
    assert oscal._instant("2026-09-24T10:00:00") is None          # no zone: not an instant
    assert oscal._instant("3000-01-01") is None and oscal._instant(None) is None
    assert oscal._token("1.2-a b/é") == "_1.2-a_b_é" and oscal._token("R-1") == "R-1"
