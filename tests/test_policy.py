"""Packs: discovery, version resolution, validation, compilation, third-party packs and the engine's outcomes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers import AS_OF, OWNER_RULE, cli, make_pack, write_project

from mlcompliance.errors import InputError
from mlcompliance.policy import packs as policy


def card(tier="high", **extra):
    return {"model_card.yaml": {"model_details": {"name": "m", "version": "1.0.0"}, "risk": {"tier": tier}, **extra},
            "mlcompliance.yaml": {"packs": {"acme": "*"}}}


def run(project: Path, packs_dir: Path, *extra):
    result = cli("check", project, "--as-of", AS_OF, "--format", "json", "--policy-path", packs_dir, *extra)
    return result, (json.loads(result.stdout) if result.stdout.startswith("{") else None)


def outcomes(data, rule_id):
    return [f["outcome"] for f in data["findings"] if f["rule_id"] == rule_id]


def test_third_party_pack_from_policy_path(tmp_path):
    make_pack(tmp_path / "packs")
    project = write_project(tmp_path / "p", card())
    result, data = run(project, tmp_path / "packs")
    assert result.exit_code == 1
    assert outcomes(data, "ACME-OWNER") == ["fail"]
    assert outcomes(data, "ACME-2") == ["manual"]
    pack = data["packs"][0]
    assert (pack["id"], pack["version"], pack["origin"]) == ("acme", "1.0.0", "path")
    assert pack["digest"].startswith("sha256:") and len(pack["digest"]) == 71


def test_tier_map_gives_applicability_and_severity(tmp_path):
    make_pack(tmp_path / "packs")
    for tier, expected in (("minimal", ("not_applicable", "high")), ("limited", ("fail", "medium")),
                           ("high", ("fail", "high"))):
        project = write_project(tmp_path / tier, card(tier))
        _, data = run(project, tmp_path / "packs")
        finding = next(f for f in data["findings"] if f["rule_id"] == "ACME-OWNER")
        assert (finding["outcome"], finding["severity"]) == expected, tier


def test_highest_matching_version_is_chosen(tmp_path):
    for version in ("1.0.0", "1.2.0", "2.0.0"):
        make_pack(tmp_path / "packs", version=version)
    sources = policy.discover([tmp_path / "packs"])
    pick = lambda spec: policy.resolve({"acme": spec}, sources)[0].version
    assert pick(">=1.0,<2") == "1.2.0"
    assert pick("*") == "2.0.0"
    assert pick("~=1.0") == "1.2.0"
    assert pick("==1.0.0") == "1.0.0"
    with pytest.raises(InputError, match="no version of pack 'acme' matches '>=3'"):
        pick(">=3")


def test_pack_digest_changes_with_content(tmp_path):
    directory = make_pack(tmp_path / "packs")
    first = policy.pack_digest(directory)
    assert first == policy.pack_digest(directory)
    (directory / "rules" / "r.yaml").write_text((directory / "rules" / "r.yaml").read_text() + "\n")
    assert policy.pack_digest(directory) != first


@pytest.mark.parametrize("mutate, fragment", [
    (lambda r: r.update(requirement="ACME-9"), "names unknown requirement 'ACME-9'"),
    (lambda r: r.update({"assert": {"check": "exist_in", "with": {}}}), "unknown named check 'exist_in' (did you mean 'exists_in'?)"),
    (lambda r: r.update({"assert": {"check": "recent", "with": {"field": "x"}}}), "parameters of check 'recent'"),
    (lambda r: r.update({"assert": {"schema": {"type": "strin"}}}), "invalid JSON Schema"),
    (lambda r: r.update({"if": ["no_such_condition"]}), "unknown condition 'no_such_condition'"),
    (lambda r: r.update(severity="severe"), "\"severe\" is not allowed"),
    (lambda r: r.update(id="lower-case"), "does not have the right form"),
    (lambda r: r.update(colour="red"), "unknown field 'rules.0.colour'"),
])
def test_broken_rules_are_input_errors_with_location(tmp_path, mutate, fragment):
    rule = json.loads(json.dumps(OWNER_RULE))
    mutate(rule)
    directory = make_pack(tmp_path / "packs", rules=[rule])
    with pytest.raises(InputError) as err:
        policy.compile_pack(directory, "test")
    assert fragment in str(err.value)
    assert err.value.file and err.value.file.endswith("r.yaml") and err.value.line


def test_incompatible_engine_and_duplicate_rule_ids(tmp_path):
    directory = make_pack(tmp_path / "a", engine=">=99")
    with pytest.raises(InputError, match="needs engine '>=99'"):
        policy.compile_pack(directory, "test")
    make_pack(tmp_path / "b", pid="one")
    make_pack(tmp_path / "b", pid="two")
    sources = policy.discover([tmp_path / "b"])
    with pytest.raises(InputError, match="rule id 'ACME-OWNER' is defined by both"):
        policy.load_packs(policy.resolve({"one": "*", "two": "*"}, sources))


def test_conditions_dates_and_when(tmp_path):
    rules = [
        {**OWNER_RULE, "id": "ACME-PD", "if": ["holds_personal_data"], "tiers": None},
        {**OWNER_RULE, "id": "ACME-LATER", "applies_from": "2027-12-02", "tiers": None},
        {**OWNER_RULE, "id": "ACME-OVER", "applies_until": "2025-01-01", "tiers": None},
        {**OWNER_RULE, "id": "ACME-DS", "scope": "/data_manifest/datasets/*", "tiers": None,
         "when": {"properties": {"personal_data": {"const": True}}, "required": ["personal_data"]},
         "assert": {"schema": {"required": ["lawful_basis"]}}, "message": "{id} has no lawful basis"},
    ]
    for r in rules:
        r.pop("tiers")
    conditions = {"holds_personal_data": {"schema": {"required": ["data_manifest"], "properties": {"data_manifest": {
        "required": ["datasets"], "properties": {"datasets": {
            "contains": {"properties": {"personal_data": {"const": True}}, "required": ["personal_data"]}}}}}}}}
    make_pack(tmp_path / "packs", rules=rules, conditions=conditions)
    manifest = {"datasets": [{"id": "a", "personal_data": False}, {"id": "b", "personal_data": True}]}
    project = write_project(tmp_path / "p", {**card(), "data_manifest.yaml": manifest})
    _, data = run(project, tmp_path / "packs")
    assert outcomes(data, "ACME-PD") == ["fail"]
    assert outcomes(data, "ACME-LATER") == ["not_applicable"]
    assert outcomes(data, "ACME-OVER") == ["not_applicable"]
    ds = [f for f in data["findings"] if f["rule_id"] == "ACME-DS"]
    assert [(f["location"]["target"], f["outcome"]) for f in ds] == [("/datasets/0", "not_applicable"), ("/datasets/1", "fail")]
    assert ds[1]["message"] == "b has no lawful basis"
    _, later = run(project, tmp_path / "packs", "--as-of", "2027-12-02")
    assert outcomes(later, "ACME-LATER") == ["fail"]
    no_pd = write_project(tmp_path / "q", card())
    _, data = run(no_pd, tmp_path / "packs")
    assert outcomes(data, "ACME-PD") == ["not_applicable"]
    assert "condition 'holds_personal_data' does not hold" in next(
        f["message"] for f in data["findings"] if f["rule_id"] == "ACME-PD")


def test_a_check_that_crashes_is_an_error_that_blocks(tmp_path, monkeypatch):
    from mlcompliance.policy import checks

    def explode(ctx, target, params):
        raise ZeroDivisionError("boom")
        yield  # pragma: no cover
    monkeypatch.setitem(checks.REGISTRY, "explode", checks.NamedCheck("explode", explode, {"type": "object"}, ""))
    make_pack(tmp_path / "packs", rules=[{**OWNER_RULE, "assert": {"check": "explode"}}])
    project = write_project(tmp_path / "p", card(governance={"owner": "x"}))
    result, data = run(project, tmp_path / "packs")
    finding = next(f for f in data["findings"] if f["rule_id"] == "ACME-OWNER")
    assert finding["outcome"] == "error" and "ZeroDivisionError: boom" in finding["message"]
    assert result.exit_code == 1 and finding["fingerprint"] in data["gate"]["blocking"]
    assert data["summary"]["packs"][0]["score"]["numerator"] == 0


def test_advisory_rules_warn_without_blocking(tmp_path):
    make_pack(tmp_path / "packs", rules=[{**OWNER_RULE, "mode": "advisory"}])
    result, data = run(write_project(tmp_path / "p", card()), tmp_path / "packs")
    assert outcomes(data, "ACME-OWNER") == ["warn"] and result.exit_code == 0


def test_attested_manual_requirement_shows_who_attested(tmp_path):
    make_pack(tmp_path / "packs")
    attest = [{"requirement": "ACME-2", "attested_by": "Dana Lee", "date": "2026-10-01",
               "evidence_ref": "https://wiki.example/board-2026-10"}]
    _, data = run(write_project(tmp_path / "p", card(attestations=attest)), tmp_path / "packs")
    manual = next(f for f in data["findings"] if f["rule_id"] == "ACME-2")
    assert manual["outcome"] == "manual" and manual["attestation"]["attested_by"] == "Dana Lee"
    assert manual["location"]["pointer"] == "/attestations/0"


def test_entry_point_packs(tmp_path, monkeypatch):
    make_pack(tmp_path / "plugin")

    class EntryPoint:
        name, value = "acme", "acme_packs:path"

        def load(self):
            return lambda: tmp_path / "plugin"
    import importlib.metadata
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [EntryPoint()] if group == policy.ENTRY_POINT_GROUP else [])
    sources = [s for s in policy.discover() if s.id == "acme"]
    assert sources and sources[0].origin == "entry-point:acme"


def test_packs_commands(tmp_path):
    make_pack(tmp_path / "packs")
    listing = cli("packs", "list", "--policy-path", tmp_path / "packs")
    assert listing.exit_code == 0 and "acme" in listing.stdout and "mlops-practices" in listing.stdout
    show = cli("packs", "show", "acme@1.0.0", "--policy-path", tmp_path / "packs")
    assert "ACME-OWNER: The model has an owner (limited=medium, high=high)" in show.stdout
    assert "ACME-2  [s. 2]  (manual)" in show.stdout
    lint = cli("packs", "lint", tmp_path / "packs")
    assert lint.exit_code == 1 and "no fixtures" in lint.stdout
    explain = cli("explain", "ACME-OWNER", "--policy-path", tmp_path / "packs")
    assert "Acme s. 1  https://acme.example/s1" in explain.stdout and "Fix: Set governance.owner." in explain.stdout
    unknown = cli("explain", "ACME-OWNR", "--policy-path", tmp_path / "packs")
    assert unknown.exit_code == 2 and "did you mean 'ACME-OWNER'" in unknown.stderr


def test_lint_reports_requirements_without_rules(tmp_path):
    reqs = [{"id": "ACME-1", "title": "t", "clause": "c"}, {"id": "ACME-3", "title": "orphan", "clause": "c"}]
    directory = make_pack(tmp_path / "packs", requirements=reqs)
    (directory / "tests").mkdir()
    (directory / "tests" / "t.yaml").write_text("as_of: 2026-01-01\ncases: [{name: x, expect: {ACME-OWNER: fail}}]\n")
    lint = cli("packs", "lint", directory)
    assert lint.exit_code == 1 and "requirement ACME-3 has no rule and is not marked manual" in lint.stdout
    assert "pack.yaml:" in lint.stdout


def test_pack_fixture_runner_and_coverage(tmp_path):
    directory = make_pack(tmp_path / "packs")
    (directory / "tests").mkdir()
    fixture = {"as_of": "2026-11-01", "tier": "high",
               "base": {"model_card": {"governance": {"owner": "Ana"}}},
               "cases": [{"name": "owner", "expect": {"ACME-OWNER": "pass"}}]}
    (directory / "tests" / "owner.yaml").write_text(yaml.safe_dump(fixture))
    result = cli("packs", "test", "acme", "--policy-path", tmp_path / "packs")
    assert result.exit_code == 1 and "coverage 0.0%" in result.stdout and "not covered: ACME-OWNER (verified: pass)" in result.stdout
    fixture["cases"].append({"name": "no owner", "evidence": {"model_card": {"governance": None}},
                             "expect": {"ACME-OWNER": "fail"}})
    fixture["cases"].append({"name": "wrong on purpose", "tier": "minimal", "expect": {"ACME-OWNER": "fail"}})
    (directory / "tests" / "owner.yaml").write_text(yaml.safe_dump(fixture))
    result = cli("packs", "test", "acme", "--policy-path", tmp_path / "packs")
    assert "case 'wrong on purpose': ACME-OWNER expected fail, got not_applicable" in result.stdout
    assert "coverage 100.0%" in result.stdout and result.exit_code == 1
    fixture["cases"].pop()
    (directory / "tests" / "owner.yaml").write_text(yaml.safe_dump(fixture))
    assert cli("packs", "test", "acme", "--policy-path", tmp_path / "packs").exit_code == 0


def test_fixture_evidence_must_be_valid(tmp_path):
    directory = make_pack(tmp_path / "packs")
    (directory / "tests").mkdir()
    (directory / "tests" / "bad.yaml").write_text(
        "as_of: 2026-11-01\ncases:\n  - name: typo\n    evidence: {model_card: {risk: {tier: hgh}}}\n    expect: {ACME-OWNER: fail}\n")
    result = cli("packs", "test", "acme", "--policy-path", tmp_path / "packs")
    assert result.exit_code == 2 and "bad.yaml:3" in result.stderr and "model_card evidence is invalid" in result.stderr


def test_packs_diff(tmp_path):
    make_pack(tmp_path / "packs", version="1.0.0")
    changed = {**OWNER_RULE, "severity": "critical", "tiers": {"high": "critical"}}
    added = {**OWNER_RULE, "id": "ACME-NEW", "title": "Something new"}
    reqs = [{"id": "ACME-1", "title": "Models have owners", "clause": "s. 1(a)"},
            {"id": "ACME-2", "title": "Board review", "clause": "s. 2", "manual": True}]
    make_pack(tmp_path / "packs", version="1.1.0", rules=[changed, added], requirements=reqs)
    result = cli("packs", "diff", "acme@1.0.0", "acme@1.1.0", "--policy-path", tmp_path / "packs")
    assert result.exit_code == 0, result.output
    assert "acme: 1.0.0 -> 1.1.0" in result.stdout and "  + ACME-NEW" in result.stdout
    assert "  ~ ACME-OWNER" in result.stdout and "severity [stricter]: high -> critical" in result.stdout
    assert "clause [editorial]: s. 1 -> s. 1(a)" in result.stdout
    data = json.loads(cli("packs", "diff", "acme@1.0.0", "acme@1.1.0", "--format", "json",
                          "--policy-path", tmp_path / "packs").stdout)
    assert data["rules"] == {"added": ["ACME-NEW"], "removed": [], "changed": {
        "ACME-OWNER": {"severity": {"old": "high", "new": "critical", "kind": "stricter"},
                       "tiers": {"old": {"limited": "medium", "high": "high"}, "new": {"high": "critical"},
                                 "kind": "changed"}}}}   # stricter at high, no longer applies at limited
    missing = cli("packs", "diff", "acme@1.0.0", "acme@9.0.0", "--policy-path", tmp_path / "packs")
    assert missing.exit_code == 2 and "no version of pack 'acme' matches '==9.0.0'" in missing.stderr


def test_explain_every_builtin_rule_without_error():
    from mlcompliance.policy.packs import discover, load_pack
    from mlcompliance.tools.catalog import explain_rule
    sources = [s for s in discover() if s.origin == "builtin"]
    for src in sources:
        for rule in load_pack(src).rules:
            text = explain_rule(rule.id, sources)
            assert rule.id in text and "Fix: " in text


def test_manual_requirements_have_applicability(tmp_path):
    reqs = [{"id": "ACME-1", "title": "Models have owners", "clause": "s. 1"},
            {"id": "ACME-PD", "title": "Privacy board review", "clause": "s. 3", "manual": True, "if": ["pd"]},
            {"id": "ACME-HIGH", "title": "Board review", "clause": "s. 4", "manual": True, "tiers": ["high"]}]
    conditions = {"pd": {"schema": {"required": ["data_manifest"], "properties": {"data_manifest": {
        "required": ["datasets"], "properties": {"datasets": {"contains": {"required": ["personal_data"],
                                                                         "properties": {"personal_data": {"const": True}}}}}}}}}}
    make_pack(tmp_path / "packs", requirements=reqs, conditions=conditions)
    _, data = run(write_project(tmp_path / "p", card("limited")), tmp_path / "packs")
    manual = {f["rule_id"]: f for f in data["findings"] if f["rule_id"] in ("ACME-PD", "ACME-HIGH")}
    assert manual["ACME-PD"]["outcome"] == "not_applicable" and "'pd' does not hold" in manual["ACME-PD"]["message"]
    assert manual["ACME-HIGH"]["outcome"] == "not_applicable" and "tier 'limited'" in manual["ACME-HIGH"]["message"]
    project = write_project(tmp_path / "q", {**card("high"), "data_manifest.yaml": {"datasets": [{"id": "a", "personal_data": True}]}})
    _, data = run(project, tmp_path / "packs")
    assert {f["rule_id"]: f["outcome"] for f in data["findings"] if f["pack"] == "acme" and f["rule_id"] != "ACME-OWNER"} \
        == {"ACME-PD": "manual", "ACME-HIGH": "manual"}
    bad = make_pack(tmp_path / "bad", requirements=[*reqs[:1], {**reqs[1], "if": ["nope"]}], conditions=conditions)
    with pytest.raises(InputError, match="requirement ACME-PD names unknown condition 'nope'"):
        policy.compile_pack(bad, "test")


def test_effective_dates_move_a_rule_and_reject_unknown_rules(tmp_path):
    make_pack(tmp_path / "packs", rules=[{**OWNER_RULE, "applies_from": "2027-01-01"}])
    project = write_project(tmp_path / "p", card())
    _, data = run(project, tmp_path / "packs")
    assert outcomes(data, "ACME-OWNER") == ["not_applicable"]
    config = {"packs": {"acme": "*"}, "effective_dates": {"ACME-OWNER": {"applies_from": "2026-01-01"}}}
    write_project(project, {"mlcompliance.yaml": config})
    _, data = run(project, tmp_path / "packs")
    assert outcomes(data, "ACME-OWNER") == ["fail"]
    write_project(project, {"mlcompliance.yaml": {**config, "effective_dates": {"ACME-OWNR": {"applies_from": "2026-01-01"}}}})
    result, _ = run(project, tmp_path / "packs")
    assert result.exit_code == 2 and "did you mean 'ACME-OWNER'" in result.stderr and "mlcompliance.yaml:" in result.stderr


def test_prohibited_tier_applies_high_severity_when_the_map_lacks_prohibited(tmp_path):
    """Audit C3: a prohibited system must not get fewer checks than a high one."""
    dated = {**OWNER_RULE, "id": "ACME-REVIEWED", "tiers": {"limited": "medium", "high": "high"},
             "scope": "/model_card/x-review",
             "assert": {"check": "recent", "with": {"field": "at", "max_days": {"high": 30, "limited": 365}}}}
    own = {**OWNER_RULE, "id": "ACME-OWN-PROHIBITED", "tiers": {"high": "medium", "prohibited": "low"}}
    limited_only = {**OWNER_RULE, "id": "ACME-LIMITED-ONLY", "tiers": {"limited": "medium"}}
    make_pack(tmp_path / "packs", rules=[OWNER_RULE, dated, own, limited_only])
    project = write_project(tmp_path / "p", card("prohibited", **{"x-review": {"at": "2026-09-01"}}))
    _, data = run(project, tmp_path / "packs")
    got = {f["rule_id"]: (f["outcome"], f["severity"]) for f in data["findings"] if f["pack"] == "acme"}
    assert got["ACME-OWNER"] == ("fail", "high")
    assert got["ACME-REVIEWED"] == ("fail", "high")          # the high value of max_days (30), not unchecked
    assert got["ACME-OWN-PROHIBITED"] == ("fail", "low")     # a map naming prohibited decides for itself
    assert got["ACME-LIMITED-ONLY"][0] == "not_applicable"
    assert data["gate"]["fail_on"] == "low"


def test_packs_diff_shows_pack_level_changes_classified(tmp_path):
    """Audit V1: the law version, conditions, parameters, waiver caps, description and rationale."""
    condition = {"schema": {"required": ["model_card"]}}
    param = {"description": "d", "basis": "policy", "type": "integer", "default": 365, "minimum": 30, "maximum": 731}
    rule = {**OWNER_RULE, "rationale": "Someone answers for it.", "applies_from": "2027-01-01",
            "assert": {"check": "recent", "with": {"field": "x", "max_days": {"param": "review_days"}}}}
    make_pack(tmp_path / "packs", version="1.0.0", rules=[rule], conditions={"in_scope": condition},
              parameters={"review_days": param}, waiver_max_days={"high": 90}, description="Old text.")
    make_pack(tmp_path / "packs", version="1.1.0",
              rules=[{**rule, "rationale": "Someone must answer for it.", "applies_from": "2026-06-01"}],
              conditions={"in_scope": {"schema": {"required": ["data_manifest"]}}},
              parameters={"review_days": {**param, "default": 180}}, waiver_max_days={"high": 120},
              description="New text.", source={"name": "Acme standard", "version": "2027"},
              sources=[{"name": "Acme standard", "version": "2027", "as_of": "2027-01-05"}], law_as_of="2027-01-05")
    data = json.loads(cli("packs", "diff", "acme@1.0.0", "acme@1.1.0", "--format", "json",
                          "--policy-path", tmp_path / "packs").stdout)
    pack = data["pack_fields"]
    assert pack["source"]["kind"] == "editorial" and pack["source"]["new"]["version"] == "2027"
    assert pack["sources"]["old"] is None and pack["law_as_of"]["new"] == "2027-01-05"
    assert pack["description"] == {"old": "Old text.", "new": "New text.", "kind": "editorial"}
    assert pack["conditions"]["in_scope"]["kind"] == "changed"
    assert pack["conditions"]["in_scope"]["new"] == {"schema": {"required": ["data_manifest"]}}
    assert pack["parameters"]["review_days"]["kind"] == "stricter"      # a shorter max_days
    assert pack["waiver_max_days"]["high"] == {"old": 90, "new": 120, "kind": "looser"}
    changed = data["rules"]["changed"]["ACME-OWNER"]
    assert changed["rationale"]["kind"] == "editorial"
    assert changed["applies_from"]["kind"] == "stricter"                 # applies sooner
    assert data["summary"]["stricter"] == 2 and data["summary"]["looser"] == 1
    text = cli("packs", "diff", "acme@1.0.0", "acme@1.1.0", "--policy-path", tmp_path / "packs").stdout
    assert "~ conditions.in_scope [changed]" in text and "~ waiver_max_days.high [looser]: 90 -> 120" in text
    assert "rationale [editorial]" in text and "~ law_as_of [editorial]: (none) -> 2027-01-05" in text


def test_effective_dates_by_requirement_id_and_tag(tmp_path):
    """Audit C7: the documented requirement-id example works, and @NAME moves a group of rules at once."""
    annex = {**OWNER_RULE, "id": "ACME-A3-ONE", "applies_from": "2027-12-02", "tags": ["annex_iii"]}
    annex2 = {**OWNER_RULE, "id": "ACME-A3-TWO", "requirement": "ACME-3", "applies_from": "2027-12-02",
              "if": ["in_scope"]}
    other = {**OWNER_RULE, "id": "ACME-OTHER", "requirement": "ACME-3", "applies_from": "2027-12-02"}
    reqs = [{"id": "ACME-1", "title": "Owners", "clause": "s. 1"}, {"id": "ACME-3", "title": "Three", "clause": "s. 3"}]
    make_pack(tmp_path / "packs", rules=[annex, annex2, other], requirements=reqs,
              conditions={"in_scope": {"schema": {"required": ["model_card"]}}})
    project = write_project(tmp_path / "p", card())

    def with_dates(dates):
        write_project(project, {"mlcompliance.yaml": {"packs": {"acme": "*"}, "effective_dates": dates}})
        result, data = run(project, tmp_path / "packs")
        return result, {r: outcomes(data, r)[0] for r in ("ACME-A3-ONE", "ACME-A3-TWO", "ACME-OTHER")} if data else None

    _, got = with_dates({"@annex_iii": {"applies_from": "2026-01-01"}})
    assert got == {"ACME-A3-ONE": "fail", "ACME-A3-TWO": "not_applicable", "ACME-OTHER": "not_applicable"}
    _, got = with_dates({"@in_scope": {"applies_from": "2026-01-01"}})     # a pack condition in `if`
    assert got == {"ACME-A3-ONE": "not_applicable", "ACME-A3-TWO": "fail", "ACME-OTHER": "not_applicable"}
    _, got = with_dates({"ACME-3": {"applies_from": "2026-01-01"}})        # a requirement id
    assert got == {"ACME-A3-ONE": "not_applicable", "ACME-A3-TWO": "fail", "ACME-OTHER": "fail"}
    _, got = with_dates({"ACME-3": {"applies_from": "2026-01-01"}, "ACME-OTHER": {"applies_from": "2028-01-01"}})
    assert got["ACME-OTHER"] == "not_applicable" and got["ACME-A3-TWO"] == "fail"   # the rule id decides
    result, _ = with_dates({"@anex_iii": {"applies_from": "2026-01-01"}})
    assert result.exit_code == 2 and "did you mean '@annex_iii'" in result.stderr
    write_project(project, {"mlcompliance.yaml": {"packs": {"acme": "*"},
                                                  "effective_dates": {"ACME-3": {"applies_from": "2026-01-01"}}}})
    _, data = run(project, tmp_path / "packs")
    moved = next(f for f in data["findings"] if f["rule_id"] == "ACME-OTHER")
    assert moved["outcome"] == "fail"
    write_project(project, {"mlcompliance.yaml": {"packs": {"acme": "*"},
                                                  "effective_dates": {"ACME-3": {"applies_from": "2028-01-01"}}}})
    _, data = run(project, tmp_path / "packs")
    moved = next(f for f in data["findings"] if f["rule_id"] == "ACME-OTHER")
    assert "Applies from 2028-01-01 (date set in mlcompliance.yaml effective_dates ACME-3)" in moved["message"]
