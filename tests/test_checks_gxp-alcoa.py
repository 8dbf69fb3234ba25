"""Unit tests for the `has_keys` named check (added with the gxp-alcoa pack)."""
from __future__ import annotations

from datetime import date

from mlcompliance.evidence import pointers
from mlcompliance.policy.checks import REGISTRY, Context, Target


def run(bundle, pointer, params, legacy=False):
    ctx = Context(bundle, date(2026, 11, 1), "high", lambda _path: None)
    ctx.legacy = legacy
    target = Target(pointer, pointers.get(bundle, pointer))
    return list(REGISTRY["has_keys"].function(ctx, target, params))


BUNDLE = {
    "model_card": {"intended_use": {"population": {"attributes": ["sex", "age_band"]}}},
    "data_manifest": {"datasets": [
        {"id": "full", "representativeness": {"distribution": {"sex": {"F": 0.5}, "age_band": {"18-40": 1.0}}}},
        {"id": "partial", "representativeness": {"distribution": {"sex": {"F": 0.5}}}},
        {"id": "none"},
        {"id": "odd", "representativeness": {"distribution": ["sex"]}},
    ]},
}
PARAMS = {"keys": "/model_card/intended_use/population/attributes", "in": "representativeness/distribution"}


def test_every_key_present_passes():
    assert run(BUNDLE, "/data_manifest/datasets/0", PARAMS) == []


def test_missing_key_is_reported_once_per_key_at_the_mapping():
    found = run(BUNDLE, "/data_manifest/datasets/1", PARAMS)
    assert len(found) == 1
    assert found[0].pointer == "/data_manifest/datasets/1/representativeness/distribution"
    assert "'age_band'" in found[0].detail


def test_missing_mapping_is_a_violation():
    found = run(BUNDLE, "/data_manifest/datasets/2", PARAMS)
    assert len(found) == 1 and found[0].observed is pointers.MISSING


def test_non_mapping_is_a_violation():
    found = run(BUNDLE, "/data_manifest/datasets/3", PARAMS)
    assert len(found) == 1 and found[0].observed == ["sex"]


def test_absent_keys_is_a_violation():
    """Fail closed: nothing names what to break down. Evaluated as released (legacy), it passed."""
    bundle = {"model_card": {}, "data_manifest": BUNDLE["data_manifest"]}
    found = run(bundle, "/data_manifest/datasets/2", PARAMS)
    assert len(found) == 1 and found[0].observed is pointers.MISSING
    assert run(bundle, "/data_manifest/datasets/2", PARAMS, legacy=True) == []


def test_single_value_and_empty_list():
    bundle = {"data_manifest": {"datasets": [{"key": "sex", "empty": [], "m": {"sex": 1}}]}}
    assert run(bundle, "/data_manifest/datasets/0", {"keys": "key", "in": "m"}) == []
    assert run(bundle, "/data_manifest/datasets/0", {"keys": "empty", "in": "absent"}) == []


def test_parameter_schema_rejects_unknown_parameters():
    from jsonschema import Draft202012Validator
    schema = REGISTRY["has_keys"].params
    assert not Draft202012Validator(schema).is_valid({"keys": "a"})
    assert not Draft202012Validator(schema).is_valid({"keys": "a", "in": "b", "extra": 1})
    assert Draft202012Validator(schema).is_valid({"keys": "a", "in": "b"})
