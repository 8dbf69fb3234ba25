"""Unit tests for the `any_of` named check (added with the gdpr pack)."""
from __future__ import annotations

from datetime import date

import pytest
from jsonschema import Draft202012Validator

from mlcompliance import pointers
from mlcompliance.checks import REGISTRY, Context, Target


def run(bundle, pointer, params, as_of=date(2026, 11, 1)):
    ctx = Context(bundle, as_of, "high", lambda _path: None)
    target = Target(pointer, pointers.get(bundle, pointer))
    return list(REGISTRY["any_of"].function(ctx, target, params))


BUNDLE = {
    "model_card": {"intended_use": {"purpose": "credit pre-approval"}},
    "data_manifest": {"datasets": [
        {"id": "kept", "permitted_purposes": ["credit pre-approval", "fraud"], "retention": {"expires_on": "2030-01-01"}},
        {"id": "expired-used", "permitted_purposes": ["fraud"], "retention": {"expires_on": "2026-01-01"}},
        {"id": "expired-unused", "compatibility_assessment_ref": "DOC-7", "retention": {"expires_on": "2026-01-01"}},
    ]},
    "pipeline": {"runs": [{"run_id": "r1", "data_refs": [{"dataset": "kept"}, {"dataset": "expired-used"}]}]},
}

RETENTION = {"of": [
    {"check": "not_expired", "with": {"field": "retention/expires_on"}, "label": "retention not expired"},
    {"check": "not_among", "with": {"field": "id", "others": "/pipeline/runs/*/data_refs/*/dataset"},
     "label": "no run reads the dataset"},
]}
PURPOSE = {"of": [
    {"schema": {"required": ["compatibility_assessment_ref"]}, "label": "compatibility assessed"},
    {"not": {"check": "not_among", "with": {"field": "/model_card/intended_use/purpose", "others": "permitted_purposes"}},
     "label": "purpose permitted"},
]}


def test_first_alternative_holding_passes():
    assert run(BUNDLE, "/data_manifest/datasets/0", RETENTION) == []


def test_second_alternative_holding_passes():
    assert run(BUNDLE, "/data_manifest/datasets/2", RETENTION) == []


def test_no_alternative_holding_is_one_violation_naming_each():
    found = run(BUNDLE, "/data_manifest/datasets/1", RETENTION)
    assert len(found) == 1
    assert found[0].pointer == "/data_manifest/datasets/1/retention/expires_on"
    assert found[0].observed == "2026-01-01"
    assert "retention not expired: no" in found[0].detail and "no run reads the dataset: no" in found[0].detail


def test_negated_check_gives_membership_in_a_list_of_the_target():
    assert run(BUNDLE, "/data_manifest/datasets/0", PURPOSE) == []
    assert run(BUNDLE, "/data_manifest/datasets/2", PURPOSE) == []   # schema alternative
    found = run(BUNDLE, "/data_manifest/datasets/1", PURPOSE)
    assert len(found) == 1
    assert found[0].pointer == "/data_manifest/datasets/1/compatibility_assessment_ref"
    assert found[0].observed is pointers.MISSING
    assert "purpose permitted: no" in found[0].detail


def test_negated_schema():
    params = {"of": [{"not": {"schema": {"required": ["compatibility_assessment_ref"]}}}]}
    assert run(BUNDLE, "/data_manifest/datasets/0", params) == []
    found = run(BUNDLE, "/data_manifest/datasets/2", params)
    assert len(found) == 1 and found[0].pointer == "/data_manifest/datasets/2"


def test_schema_violation_points_into_the_target():
    params = {"of": [{"schema": {"properties": {"retention": {"properties": {"expires_on": {"const": "2030-01-01"}}}}}}]}
    found = run(BUNDLE, "/data_manifest/datasets/1", params)
    assert found[0].pointer == "/data_manifest/datasets/1/retention/expires_on"


def test_dates_follow_the_as_of_date():
    assert run(BUNDLE, "/data_manifest/datasets/1", RETENTION, as_of=date(2025, 12, 31)) == []


def test_unknown_nested_check_and_bad_nested_parameters_raise():
    with pytest.raises(ValueError, match="unknown named check"):
        run(BUNDLE, "/data_manifest/datasets/1", {"of": [{"check": "no_such_check"}]})
    with pytest.raises(ValueError, match="parameters of check 'not_expired'"):
        run(BUNDLE, "/data_manifest/datasets/1", {"of": [{"check": "not_expired", "with": {"date": "x"}}]})


def test_parameter_schema():
    schema = REGISTRY["any_of"].params
    ok = Draft202012Validator(schema)
    assert ok.is_valid(RETENTION) and ok.is_valid(PURPOSE)
    assert not ok.is_valid({"of": []})
    assert not ok.is_valid({"of": [{"schema": {}, "check": "recent"}]})
    assert not ok.is_valid({"of": [{"schema": {}, "not": {"schema": {}}}]})
    assert not ok.is_valid({"of": [{"not": {"not": {"schema": {}}}}]})
    assert not ok.is_valid({"of": [{"label": "nothing to assert"}]})
    assert not ok.is_valid({"of": [{"schema": {}}], "extra": 1})
