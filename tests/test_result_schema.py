"""The JSON result validates against its published schema."""
from __future__ import annotations

import json

from helpers import AS_OF, SAMPLES, cli
from jsonschema import Draft202012Validator

from mlcompliance.evidence.schemas import format_checker, schema


def test_results_validate_against_the_published_schema():
    validator = Draft202012Validator(schema("result"), format_checker=format_checker())
    for name in ("invoice-late-payment", "support-email-router"):
        data = json.loads(cli("check", SAMPLES / name, "--as-of", AS_OF, "--format", "json").stdout)
        errors = list(validator.iter_errors(data))
        assert not errors, [e.message for e in errors[:3]]
