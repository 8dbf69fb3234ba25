"""Unit tests for the `within_declared_interval` named check (added with the pra-ss1-23 pack)."""
from __future__ import annotations

from datetime import date

import pytest
from jsonschema import Draft202012Validator

from mlcompliance.evidence import pointers
from mlcompliance.policy.checks import REGISTRY, Context, Target

AS_OF = date(2026, 11, 1)


def run(node, params, as_of=AS_OF, legacy=False):
    bundle = {"pipeline": {"monitoring": node}}
    ctx = Context(bundle, as_of, "high", lambda _path: None)
    ctx.legacy = legacy
    pointer = "/pipeline/monitoring"
    return list(REGISTRY["within_declared_interval"].function(ctx, Target(pointer, pointers.get(bundle, pointer)), params))


PARAMS = {"field": "last_report_at", "interval": "frequency_days"}


def test_report_within_interval_passes():
    assert run({"frequency_days": 30, "last_report_at": "2026-10-20"}, PARAMS) == []


def test_boundary_day_passes_and_next_day_fails():
    assert run({"frequency_days": 30, "last_report_at": "2026-10-02"}, PARAMS) == []
    found = run({"frequency_days": 30, "last_report_at": "2026-10-01"}, PARAMS)
    assert len(found) == 1
    assert found[0].pointer == "/pipeline/monitoring/last_report_at"
    assert found[0].observed == "2026-10-01"
    assert "31 days" in found[0].detail and "allows 30" in found[0].detail


def test_grace_days_extend_the_window():
    assert run({"frequency_days": 30, "last_report_at": "2026-10-01"}, {**PARAMS, "grace_days": 1}) == []


def test_date_time_values_are_accepted():
    assert run({"frequency_days": 7, "last_report_at": "2026-10-28T23:59:00+00:00"}, PARAMS) == []


def test_missing_date_is_a_violation():
    found = run({"frequency_days": 7}, PARAMS)
    assert len(found) == 1 and found[0].observed is pointers.MISSING


def test_future_date_is_a_violation():
    found = run({"frequency_days": 7, "last_report_at": "2026-11-05"}, PARAMS)
    assert len(found) == 1 and "after the as-of date" in found[0].detail


@pytest.mark.parametrize("interval", [None, "30", True, -1])
def test_absent_or_unusable_interval_is_a_violation(interval):
    """Fail closed: with no usable declared interval nothing shows the report is current. A pack
    version evaluated as released (LEGACY_EVALUATION) still skips the check, as it was released."""
    node = {"last_report_at": "2020-01-01"}
    if interval is not None:
        node["frequency_days"] = interval
    found = run(node, PARAMS)
    assert len(found) == 1 and found[0].pointer == "/pipeline/monitoring/frequency_days"
    assert run(node, PARAMS, legacy=True) == []


def test_absolute_pointers_are_resolved():
    params = {"field": "/pipeline/monitoring/last_report_at", "interval": "/pipeline/monitoring/frequency_days"}
    assert run({"frequency_days": 10, "last_report_at": "2026-10-01"}, params) != []


def test_parameter_schema():
    schema = REGISTRY["within_declared_interval"].params
    assert Draft202012Validator(schema).is_valid(PARAMS)
    assert Draft202012Validator(schema).is_valid({**PARAMS, "grace_days": 3})
    assert not Draft202012Validator(schema).is_valid({"field": "x"})
    assert not Draft202012Validator(schema).is_valid({**PARAMS, "grace_days": -1})
    assert not Draft202012Validator(schema).is_valid({**PARAMS, "max_days": 3})
