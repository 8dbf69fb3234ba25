"""JSON Schema validation of evidence, configuration and policy files, with line numbers.

Validators are compiled once per process. Format checks that jsonschema leaves to
optional packages (dates, date-times) are registered here with the standard library's
ISO parsers, plus two of our own: ``date-or-date-time`` and ``project-path``.
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mlcompliance.errors import InputError, combine
from mlcompliance.evidence.loader import Document, escape_token
from mlcompliance.resources import schemas_dir

if TYPE_CHECKING:  # jsonschema is imported on first use: a check whose evidence is valid never needs it
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_RE.match(value):
        raise ValueError("not YYYY-MM-DD")
    date.fromisoformat(value)
    return True


def parse_instant(value: str) -> datetime:
    """Parse YYYY-MM-DD or an ISO 8601 date-time (``Z`` allowed) into a datetime."""
    if _DATE_RE.match(value):
        return datetime.combine(date.fromisoformat(value), datetime.min.time())
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    if "T" not in value and "t" not in value and " " not in value:
        raise ValueError("not an ISO 8601 date-time")
    return datetime.fromisoformat(value)


def _is_date_time(value: object) -> bool:
    if isinstance(value, str) and not _DATE_RE.match(value):
        parse_instant(value)
        return True
    if isinstance(value, str):
        raise ValueError("a date-time needs a time")
    return True


def _is_instant(value: object) -> bool:
    if isinstance(value, str):
        parse_instant(value)
    return True


def _is_project_path(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value):
        raise ValueError("absolute paths are not allowed")
    if ".." in re.split(r"[\\/]", value):
        raise ValueError("'..' would leave the project directory")
    return True


def _is_uri(value: object) -> bool:
    if isinstance(value, str) and not urlsplit(value).scheme:
        raise ValueError("no scheme")
    return True


_FORMAT_CHECKS: dict[str, Callable[[object], bool]] = {
    "date": _is_date, "date-time": _is_date_time, "date-or-date-time": _is_instant,
    "project-path": _is_project_path, "uri": _is_uri}

@cache
def format_checker() -> FormatChecker:
    """jsonschema's format checker with the checks above (and no others)."""
    from jsonschema import FormatChecker
    checker = FormatChecker(formats=())
    for fmt, check in _FORMAT_CHECKS.items():
        checker.checks(fmt, raises=ValueError)(check)
    return checker


_EXPECTED_FORMATS = {
    "date": "a date YYYY-MM-DD",
    "date-time": "an ISO 8601 date-time such as 2024-05-01T09:30:00+00:00",
    "date-or-date-time": "a date YYYY-MM-DD or an ISO 8601 date-time",
    "project-path": "a relative path inside the project directory",
    "uri": "an absolute URI such as https://...",
}


@cache
def schema(name: str) -> dict[str, Any]:
    return json.loads((schemas_dir() / f"{name}.schema.json").read_text(encoding="utf-8"))


@cache
def validator(name: str) -> Draft202012Validator:
    """A compiled validator for a shipped schema, with its local ``$ref``s inlined.

    jsonschema resolves every ``$ref`` through the referencing library at each use, which
    made up a third of validating a document; the evidence schemas' ``$defs`` are not
    recursive, so they are inlined once (a recursive one is left as a reference).
    """
    from jsonschema import Draft202012Validator
    whole = schema(name)
    return Draft202012Validator(inline_refs(whole, whole.get("$defs", {})), format_checker=format_checker())


def inline_refs(node: Any, defs: dict[str, Any], stack: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [inline_refs(item, defs, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs and ref[8:] not in stack:
        name = ref[8:]
        target = inline_refs(defs[name], defs, stack + (name,))
        siblings = {k: inline_refs(v, defs, stack) for k, v in node.items() if k != "$ref"}
        return {**target, **siblings}
    return {k: (v if k == "$defs" else inline_refs(v, defs, stack)) for k, v in node.items()}


FAST_SCHEMAS = ("model_card", "data_manifest", "pipeline", "project")


@cache
def fast_validator(name: str) -> Callable[[Any], bool] | None:
    """A quick yes/no for the evidence and project schemas, or None when unavailable.

    Validating evidence with jsonschema was half the time of a check. fastjsonschema turns
    the same schemas into plain Python functions that answer about 15 times faster; they are
    generated ahead of time by `mlcompliance docs` into ``mlcompliance/_fastschema/`` (so
    nothing is compiled or executed at run time) and carry the sha256 of the schema they came
    from: a stale one is ignored. jsonschema stays the authority: it writes every error
    message and has the last word whenever the quick answer is "invalid";
    tests/test_schemas.py checks that both agree.
    """
    import hashlib
    import importlib

    from fastjsonschema import JsonSchemaException
    try:
        module = importlib.import_module(f"{__package__}._fastschema.{name}")
    except ImportError:
        return None
    if module.SCHEMA_SHA256 != hashlib.sha256((schemas_dir() / f"{name}.schema.json").read_bytes()).hexdigest():
        return None
    formats = {fmt: _accepts(check) for fmt, check in _FORMAT_CHECKS.items()}

    def is_valid(instance: Any) -> bool:
        try:
            module.validate(instance, custom_formats=formats)
        except JsonSchemaException:
            return False
        return True
    return is_valid


def fast_validator_source(name: str) -> str:
    """Python source of the quick validator for ``name`` (written by `mlcompliance docs`)."""
    import hashlib

    import fastjsonschema

    whole = schema(name)
    flat = {k: v for k, v in inline_refs(whole, whole.get("$defs", {})).items() if k not in ("$defs", "$id", "$schema")}
    flat["$schema"] = "http://json-schema.org/draft-07/schema#"  # the keywords used mean the same in both drafts
    code = fastjsonschema.compile_to_code(flat, formats={fmt: _accepts(c) for fmt, c in _FORMAT_CHECKS.items()},
                                          detailed_exceptions=False)
    digest = hashlib.sha256((schemas_dir() / f"{name}.schema.json").read_bytes()).hexdigest()
    return (f"# Generated by `mlcompliance docs` from {name}.schema.json with fastjsonschema; do not edit.\n"
            f"# A quick yes/no validator: see mlcompliance.schemas.fast_validator.\n"
            f"# flake8: noqa\nSCHEMA_SHA256 = {digest!r}\n" + code)


def _accepts(check: Callable[[object], bool]) -> Callable[[object], bool]:
    def accepts(value: object) -> bool:
        try:
            return bool(check(value))
        except ValueError:
            return False
    return accepts


def validate_document(doc: Document, schema_name: str, what: str | None = None) -> None:
    """Raise every violation of ``doc`` (by position in the file): one as :class:`InputError`,
    several as :class:`InputErrors`."""
    err = combine(schema_errors(doc, schema_name, what))
    if err is not None:
        raise err


def schema_errors(doc: Document, schema_name: str, what: str | None = None) -> list[InputError]:
    """Every violation of ``doc`` against schema ``schema_name``, located, in file order."""
    quick = fast_validator(schema_name) if schema_name in FAST_SCHEMAS else None
    if quick is not None and quick(doc.value):
        return []
    check = validator(schema_name)
    if check.is_valid(doc.value):
        return []
    found = []
    for i, err in enumerate(check.iter_errors(doc.value)):
        err = leaf(err)
        extras = _unexpected_keys(err) if err.validator == "additionalProperties" and isinstance(err.instance, dict) else []
        for key in extras or [None]:   # one error per unknown field
            pointer = _error_pointer(err, key)
            message, expected = describe_error(err, key)
            if what:
                message = f"{what}: {message}"
            line, column = doc.location(pointer)
            found.append(((line, column), i, InputError(message, file=doc.path, line=line, column=column,
                                                          expected=expected)))
    return [e for _, _, e in sorted(found, key=lambda t: (t[0], t[1]))]


def leaf(err: ValidationError) -> ValidationError:
    """For oneOf/anyOf, descend to the most relevant sub-error."""
    while err.context:
        err = min(err.context, key=lambda e: (-len(e.absolute_path), e.validator in ("oneOf", "anyOf")))
    return err


def _error_pointer(err: ValidationError, key: str | None = None) -> str:
    pointer = "".join(f"/{escape_token(str(p))}" for p in err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        extra = [key] if key is not None else _unexpected_keys(err)
        if extra:
            pointer += f"/{escape_token(extra[0])}"
    return pointer


def _unexpected_keys(err: ValidationError) -> list[str]:
    props = err.schema.get("properties", {})
    patterns = [re.compile(p) for p in err.schema.get("patternProperties", {})]
    return [k for k in err.instance if k not in props and not any(p.search(k) for p in patterns)]


def pointer_path(err: ValidationError) -> str:
    return ".".join(str(p) for p in err.absolute_path) or "(top level)"


def describe_error(err: ValidationError, key: str | None = None) -> tuple[str, str | None]:
    """A one-line message and what was expected, in the user's terms (``key``: which unknown field)."""
    where = pointer_path(err)
    kind = err.validator
    description = err.schema.get("description") if isinstance(err.schema, dict) else None
    if kind == "additionalProperties":
        extra = [key] if key is not None else _unexpected_keys(err)
        known = sorted(err.schema.get("properties", {}))
        name = extra[0] if extra else "?"
        guess = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        field = f"{where}.{name}" if where != "(top level)" else name
        return (f"unknown field '{field}'{hint}",
                "one of the documented fields: " + ", ".join(known) if len(known) <= 12
                else "a field documented in the schema, or an 'x-' extension field")
    if kind == "required":
        missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
        return f"{where}: missing required field '{missing[0] if missing else '?'}'", None
    if kind == "format":
        why = f": {err.cause}" if err.cause is not None and str(err.cause) else ""
        return (f"{where}: {_json(err.instance)} is not a valid {err.validator_value}{why}",
                _EXPECTED_FORMATS.get(err.validator_value, err.validator_value))
    if kind in ("enum", "const"):
        allowed = err.validator_value if kind == "enum" else [err.validator_value]
        return (f"{where}: {_json(err.instance)} is not allowed",
                "one of " + ", ".join(json.dumps(v) for v in allowed))
    if kind == "type":
        return (f"{where}: {_json(err.instance)} has the wrong type",
                f"{_article(err.validator_value)}" + (f" ({description})" if description else ""))
    if kind == "pattern":
        return f"{where}: {_json(err.instance)} does not have the right form", description or f"a match for {err.validator_value}"
    if kind == "contains":
        return f"{where}: no item {_item_phrase(err.validator_value)}", None
    if kind in ("maxItems", "maxProperties") and err.validator_value == 0:
        return f"{where}: {_json(err.instance)} should be empty", "none"
    if kind in ("minItems", "minLength", "minProperties"):
        return f"{where}: {_json(err.instance)} is too short", f"at least {err.validator_value}"
    if kind in ("anyOf", "oneOf"):
        return f"{where}: {_json(err.instance)} matches none of the allowed forms", description
    return f"{where}: {err.message}", description


def _item_phrase(sub: Any) -> str:
    """What a ``contains`` subschema asks of an item, in words ("is \"drift\" or \"performance_drop\"",
    "with signature", "with name of the expected form"): a reader sees the requirement, not the schema.
    Patterns are not quoted (the rule's title says what they look for); anything else is shown as JSON."""
    if not isinstance(sub, dict):
        return f"matches {_json(sub)}"
    parts = []
    if "const" in sub:
        parts.append(f"is {_json(sub['const'])}")
    if isinstance(sub.get("enum"), list):
        parts.append("is " + " or ".join(_json(v) for v in sub["enum"]))
    if "pattern" in sub:
        parts.append("of the expected form")
    if isinstance(sub.get("not"), dict) and set(sub["not"]) == {"pattern"}:
        parts.append(f"outside the form {sub['not']['pattern']}")
    props = sub.get("properties") if isinstance(sub.get("properties"), dict) else {}
    fields = [f for f in sub.get("required") or [] if isinstance(f, str) and f not in props]
    if fields:
        parts.append("with " + ", ".join(fields))
    for name, prop in sorted(props.items()):
        if isinstance(prop, dict) and "const" in prop:
            parts.append(f"with {name} {_json(prop['const'])}")
        elif isinstance(prop, dict) and isinstance(prop.get("enum"), list):
            parts.append(f"with {name} " + " or ".join(_json(v) for v in prop["enum"]))
        elif isinstance(prop, dict) and "pattern" in prop:
            parts.append(f"with {name} of the expected form")
        else:
            parts.append(f"with {name} as expected")
    known = {"const", "enum", "pattern", "required", "properties", "type", "description"}
    if not parts or set(sub) - known - ({"not"} if any(p.startswith("outside") for p in parts) else set()):
        return f"matches {_json(sub)}"
    return " and ".join(parts)


def _json(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _article(types: Any) -> str:
    names = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
             "object": "a mapping", "array": "a list", "null": "null"}
    if isinstance(types, list):
        return " or ".join(names.get(t, t) for t in types)
    return names.get(types, str(types))
