"""Quick yes/no validators for the JSON Schemas that built-in packs use in rules and conditions.

A quick validator answers valid / invalid for a schema; jsonschema writes the violations
when the answer is "invalid" (and answers alone for every schema without a quick validator).
Most checks thus never import jsonschema (importing it was a fifth of a cold `check`, and
rule schemas a tenth of a large portfolio's time). The validators are plain Python written ahead of time by
`mlcompliance docs` with fastjsonschema into ``policy/_fastrules/`` (nothing is compiled
or executed at run time), one module per built-in pack version, one function per schema,
named by the sha256 of the schema's canonical JSON: a schema that changed simply finds no
function and goes to jsonschema.

Only schemas that mean the same in draft 2020-12 (ours) and draft-07 (fastjsonschema's)
get a quick validator: :func:`quick_safe` admits a fixed list of keywords and nothing
else (no ``$ref``, ``format``, ``prefixItems``, ``unevaluated*``, ``*Contains``, array-form
``items``), and ``pattern`` is generated to mean what it means to jsonschema (``re.search``).
tests/test_fastrules.py checks on samples, pack fixtures and seeded mutations of them that
both answer the same for every rule schema.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

PACKAGE = f"{__package__}._fastrules"
_PREFIX = "validate___definitions_s"

# Keywords whose meaning is the same in draft-07 and draft 2020-12, with what their value holds.
_SUBSCHEMA = {"not", "if", "then", "else", "additionalProperties", "propertyNames", "contains", "items"}
_SUBSCHEMA_LIST = {"anyOf", "allOf", "oneOf"}
_SUBSCHEMA_MAP = {"properties", "patternProperties"}
_PLAIN = {"type", "required", "enum", "const", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength",
          "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minProperties",
          "maxProperties", "title", "description", "default", "examples", "$comment"}

_registry: dict[str, Callable[[Any], None]] = {}
_loaded: set[str] = set()


def schema_key(schema: Any) -> str:
    """The name of a schema's validator: sha256 of its canonical JSON (first 24 hex digits)."""
    text = json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def quick_safe(schema: Any) -> bool:
    """True when every keyword of ``schema`` (recursively) is one fastjsonschema reads as we do."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for key, value in schema.items():
        if key.startswith("x-") or key in _PLAIN:
            continue
        if key in _SUBSCHEMA:
            if not quick_safe(value):
                return False
        elif key in _SUBSCHEMA_LIST:
            if not isinstance(value, list) or not all(quick_safe(v) for v in value):
                return False
        elif key in _SUBSCHEMA_MAP:
            if not isinstance(value, dict) or not all(quick_safe(v) for v in value.values()):
                return False
        else:
            return False
    return True


def module_name(pack_key: str) -> str:
    """'mlops-practices/1.0.0' -> 'mlops_practices__1_0_0'."""
    return re.sub(r"[^0-9A-Za-z]", "_", pack_key.replace("/", "__"))


def load(pack_key: str) -> None:
    """Register the quick validators generated for one built-in pack version, if any."""
    if pack_key in _loaded:
        return
    _loaded.add(pack_key)
    try:
        module = importlib.import_module(f"{PACKAGE}.{module_name(pack_key)}")
    except ImportError:
        return
    for name, function in vars(module).items():
        if name.startswith(_PREFIX) and callable(function):
            _registry[name[len(_PREFIX):]] = function


def quick_validator(schema: Any) -> Callable[[Any], bool] | None:
    """A quick yes/no for ``schema`` from a loaded module, or None."""
    if not _registry:
        return None
    function = _registry.get(schema_key(schema))
    if function is None:
        return None

    def is_valid(instance: Any) -> bool:
        try:
            function(instance)
        except Exception:  # noqa: BLE001 - any doubt goes to jsonschema, the authority
            return False
        return True
    return is_valid


def assertion_schemas(spec: Any) -> Iterable[Any]:
    """The JSON Schemas inside a rule assertion or condition (schema, any_of, not)."""
    if not isinstance(spec, dict):
        return
    if "schema" in spec:
        yield spec["schema"]
    for inner in spec.get("any_of", []) or []:
        yield from assertion_schemas(inner)
    if "not" in spec:
        yield from assertion_schemas(spec["not"])


def pack_schemas(pack_doc: dict[str, Any], rule_docs: Iterable[dict[str, Any]]) -> list[Any]:
    """Every schema of a pack that can get a quick validator: conditions, `when` and `assert`."""
    found: list[Any] = []
    for condition in (pack_doc.get("conditions") or {}).values():
        found.extend(assertion_schemas(condition))
    for doc in rule_docs:
        for rule in doc.get("rules", []):
            if "when" in rule:
                found.append(rule["when"])
            found.extend(assertion_schemas(rule.get("assert")))
    return [s for s in found if quick_safe(s)]


def module_source(pack_key: str, schemas: list[Any]) -> str:
    """Python source of one pack's quick validators (written by `mlcompliance docs`)."""
    from fastjsonschema.draft07 import CodeGeneratorDraft07
    from fastjsonschema.ref_resolver import RefResolver

    class Terse(CodeGeneratorDraft07):
        """Raises without a message: jsonschema writes the messages (and detailed messages would
        embed each schema in the code; fastjsonschema's own terse mode fails on `const`)."""

        def exc(self, msg: str, *args: Any, append_to_msg: str | None = None, rule: str | None = None) -> None:
            self.l('raise JsonSchemaValueException("invalid")')

        def generate_pattern(self) -> None:
            """`pattern` as jsonschema reads it: re.search with the pattern as written
            (fastjsonschema's own turns `$` into `\\Z`, which rejects a trailing newline)."""
            with self.l("if isinstance({variable}, str):"):
                pattern = self._definition["pattern"]
                self._compile_regexps[pattern] = re.compile(pattern)
                with self.l("if not REGEX_PATTERNS[{}].search({variable}):", repr(pattern)):
                    self.exc("")

    definitions = {f"s{schema_key(s)}": s for s in schemas}
    root = {"$schema": "http://json-schema.org/draft-07/schema#", "definitions": dict(sorted(definitions.items())),
            "anyOf": [{"$ref": f"#/definitions/{name}"} for name in sorted(definitions)]}
    generator = Terse(root, resolver=RefResolver.from_schema(root, handlers={}, store={}), use_default=False,
                      detailed_exceptions=False)
    code = generator.global_state_code + "\n" + generator.func_code
    return (f"# Generated by `mlcompliance docs` from the rule schemas of policies/{pack_key} with fastjsonschema;\n"
            f"# do not edit. Quick yes/no validators: see mlcompliance.policy.fastrules.\n# flake8: noqa\n" + code)
