"""`packs test --against OLD`: changes since an older pack version that no fixture case tells apart."""
from __future__ import annotations

import yaml
from helpers import OWNER_RULE, cli, make_pack

SEVERITY_ONLY = {**OWNER_RULE, "id": "ACME-OWNER-NAMED", "title": "Owner named"}
CONDITION = {"description": "The card is flagged.", "schema": {
    "required": ["model_card"], "properties": {"model_card": {"required": ["risk"], "properties": {
        "risk": {"required": ["rationale"], "properties": {"rationale": {"const": "flagged"}}}}}}}}
FLAGGED = {**OWNER_RULE, "id": "ACME-FLAGGED", "title": "Flagged cards have an owner", "if": ["flagged"]}


def _packs(tmp_path):
    base = tmp_path / "packs"
    make_pack(base, version="1.0.0", rules=[OWNER_RULE, SEVERITY_ONLY, FLAGGED], conditions={"flagged": CONDITION})
    stricter_owner = {**OWNER_RULE, "assert": {"schema": {"required": ["governance"], "properties": {
        "governance": {"required": ["owner"], "properties": {"owner": {"minLength": 3}}}}}}}
    other_condition = {**CONDITION, "schema": {"required": ["model_card"], "properties": {"model_card": {
        "required": ["risk"], "properties": {"risk": {"required": ["rationale"], "properties": {
            "rationale": {"enum": ["flagged", "marked"]}}}}}}}}
    directory = make_pack(base, version="1.1.0", rules=[stricter_owner, {**SEVERITY_ONLY, "severity": "critical",
                                                                         "tiers": {"limited": "high", "high": "critical"}},
                                                        FLAGGED], conditions={"flagged": other_condition})
    (directory / "tests").mkdir()
    return base, directory


def _fixture(directory, *extra):
    cases = [{"name": "owner", "evidence": {"model_card": {"risk": {"rationale": "flagged"}}},
              "expect": {"ACME-OWNER": "pass", "ACME-OWNER-NAMED": "pass", "ACME-FLAGGED": "pass"}},
             {"name": "no owner", "evidence": {"model_card": {"governance": None, "risk": {"rationale": "flagged"}}},
              "expect": {"ACME-OWNER": "fail", "ACME-OWNER-NAMED": "fail", "ACME-FLAGGED": "fail"}}, *extra]
    fixture = {"as_of": "2026-11-01", "tier": "high",
               "base": {"model_card": {"governance": {"owner": "Ana Lee"}}}, "cases": cases}
    (directory / "tests" / "t.yaml").write_text(yaml.safe_dump(fixture, sort_keys=False))


def test_changes_no_case_tells_apart_are_listed_until_a_case_does(tmp_path):
    base, directory = _packs(tmp_path)
    _fixture(directory)
    result = cli("packs", "test", "acme@1.1.0", "--against", "1.0.0", "--policy-path", base)
    assert result.exit_code == 0, result.output            # informational: coverage is 100 %
    assert "acme@1.1.0 against 1.0.0: 2 changes no case tells apart" in result.stdout
    assert "not shown: ACME-OWNER: changed (assert)" in result.stdout
    assert "not shown: condition flagged: changed, but no case changes the outcome of a rule using it (ACME-FLAGGED)" \
        in result.stdout
    assert "ACME-OWNER-NAMED" not in result.stdout           # a severity change shows in no outcome

    _fixture(directory,
             {"name": "a two-letter owner (1.1.0: fails; 1.0.0 passed)",
              "evidence": {"model_card": {"governance": {"owner": "Al"}}}, "expect": {"ACME-OWNER": "fail"}},
             {"name": "a card marked, not flagged (1.1.0: the condition holds)",
              "evidence": {"model_card": {"governance": None, "risk": {"rationale": "marked"}}},
              "expect": {"ACME-FLAGGED": "fail"}})
    result = cli("packs", "test", "acme@1.1.0", "--against", "1.0.0", "--policy-path", base)
    assert result.exit_code == 0 and "acme@1.1.0 against 1.0.0: 0 changes no case tells apart" in result.stdout


def test_against_an_unknown_version_is_a_usage_error(tmp_path):
    base, directory = _packs(tmp_path)
    _fixture(directory)
    result = cli("packs", "test", "acme@1.1.0", "--against", "0.9.0", "--policy-path", base)
    assert result.exit_code == 2 and "no version of pack 'acme' matches '==0.9.0'" in result.stderr
