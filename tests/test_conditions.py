"""Rule conditions beyond one schema or check: any_of and not, compiled when the pack loads."""
from __future__ import annotations

from datetime import date

import pytest

from mlcompliance.errors import InputError
from mlcompliance.evidence import pointers
from mlcompliance.evidence.loader import parse_text
from mlcompliance.policy.checks import Context, Target
from mlcompliance.policy.packs import _compile_assertion

BUNDLE = {
    "model_card": {"intended_use": {"purpose": "credit pre-approval"}},
    "data_manifest": {"datasets": [
        {"id": "kept", "permitted_purposes": ["credit pre-approval", "fraud"], "retention": {"expires_on": "2030-01-01"}},
        {"id": "expired-used", "permitted_purposes": ["fraud"], "retention": {"expires_on": "2026-01-01"}},
        {"id": "expired-unused", "compatibility_assessment_ref": "DOC-7", "retention": {"expires_on": "2026-01-01"}},
    ]},
    "pipeline": {"runs": [{"run_id": "r1", "data_refs": [{"dataset": "kept"}, {"dataset": "expired-used"}]}]},
}
PURPOSE = {"any_of": [
    {"check": "exists_in", "with": {"field": "/model_card/intended_use/purpose", "in": "permitted_purposes",
                                    "required": True}, "label": "purpose permitted"},
    {"schema": {"required": ["compatibility_assessment_ref"]}, "label": "compatibility assessed"}]}
RETENTION = {"any_of": [
    {"check": "not_expired", "with": {"field": "retention/expires_on"}, "label": "retention not expired"},
    {"check": "not_among", "with": {"field": "id", "others": "/pipeline/runs/*/data_refs/*/dataset"},
     "label": "no run reads it"}]}


def evaluate(spec, index, bundle=BUNDLE):
    doc = parse_text("rules: []\n", "rules.yaml", "yaml")
    run = _compile_assertion(spec, doc, "/rules/0/assert")
    pointer = f"/data_manifest/datasets/{index}"
    return run(Context(bundle, date(2026, 11, 1), "high", lambda _: None), Target(pointer, pointers.get(bundle, pointer)))


def test_any_of_holds_when_one_alternative_holds():
    assert evaluate(PURPOSE, 0) == []           # purpose permitted
    assert evaluate(PURPOSE, 2) == []           # compatibility assessed
    [violation] = evaluate(PURPOSE, 1)
    assert violation.detail.startswith("none of the alternatives holds: purpose permitted: no (")
    assert "compatibility assessed: no (missing compatibility_assessment_ref)" in violation.detail


def test_any_of_across_documents_and_dates():
    assert evaluate(RETENTION, 0) == []         # not expired
    assert evaluate(RETENTION, 2) == []         # expired but no run reads it
    [violation] = evaluate(RETENTION, 1)
    assert "retention not expired: no" in violation.detail and "no run reads it: no" in violation.detail


def test_missing_field_does_not_satisfy_a_required_membership():
    bundle = {**BUNDLE, "model_card": {}}
    assert evaluate(PURPOSE, 0, bundle)


def test_not_negates_a_condition():
    spec = {"not": {"schema": {"required": ["compatibility_assessment_ref"]}}, "label": "unused"}
    assert evaluate(spec, 0) == []
    [violation] = evaluate({"not": {"schema": {"required": ["compatibility_assessment_ref"]},
                                    "label": "an assessment is recorded"}}, 2)
    assert violation.detail == "an assessment is recorded holds, and must not"


def test_nested_conditions_are_validated_when_the_pack_loads():
    doc = parse_text("rules: []\n", "rules.yaml", "yaml")
    with pytest.raises(InputError, match="unknown named check 'not_expird'"):
        _compile_assertion({"any_of": [{"check": "not_expird", "with": {}}, {"schema": {}}]}, doc, "/rules/0/assert")
    with pytest.raises(InputError, match="parameters of check 'exists_in'"):
        _compile_assertion({"not": {"check": "exists_in", "with": {"field": "x"}}}, doc, "/rules/0/assert")
