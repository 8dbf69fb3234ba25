"""Validation against the official NIST OSCAL v1.1.2 assessment-results JSON Schema
(tests/data/oscal, see its PROVENANCE.md).

The schema's patterns use Unicode property classes (``\\p{L}``, ``\\p{N}``) that Python's ``re``
lacks, so the ``pattern`` keyword is evaluated with the ``regex`` package, which implements them
(ECMA-262 ``u``-mode semantics for these classes); every pattern of the schema is kept as
published. ``format`` is checked with jsonschema's draft-7 format checker.
"""
from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import jsonschema
import regex
from jsonschema import validators
from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).parent / "data" / "oscal" / "oscal_assessment-results_schema.json"
SCHEMA_SHA256 = "d033da70154cf6625ae46a746199e88e58f2928b1387dfac051d381b92f41b0d"   # the v1.1.2 release asset


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> regex.Pattern:
    return regex.compile(pattern)


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.lru_cache(maxsize=1)
def validator() -> jsonschema.protocols.Validator:
    raw = SCHEMA_PATH.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, "the vendored OSCAL schema is not the release asset"
    schema = json.loads(raw)
    checker = jsonschema.FormatChecker()
    checker.checkers = dict(jsonschema.Draft7Validator.FORMAT_CHECKER.checkers)
    checker.checks("regex", raises=regex.error)(lambda value: bool(regex.compile(value)))
    # the schema itself is a valid draft-7 schema whose patterns all compile (with \p{..} support)
    jsonschema.Draft7Validator(jsonschema.Draft7Validator.META_SCHEMA, format_checker=checker).validate(schema)
    cls = validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})
    return cls(schema, format_checker=checker)


def errors(document: dict) -> list[str]:
    """Every schema violation as ``/json/pointer: message`` (empty when valid)."""
    found = sorted(validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return ["/" + "/".join(map(str, e.absolute_path)) + ": " + e.message[:300] for e in found]
