"""The JSON result validates against its published schema."""
from __future__ import annotations

from helpers import SAMPLES
from jsonschema import Draft202012Validator

from mlcompliance.evidence.schemas import format_checker, schema


def test_results_validate_against_the_published_schema(checks):
    validator = Draft202012Validator(schema("result"), format_checker=format_checker())
    for name in ("invoice-late-payment", "support-email-router"):
        data = checks.result(SAMPLES / name)
        errors = list(validator.iter_errors(data))
        assert not errors, [e.message for e in errors[:3]]
