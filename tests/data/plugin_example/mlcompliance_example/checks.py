"""A named check that JSON Schema cannot express: count the words of a text."""
from mlcompliance.evidence import pointers
from mlcompliance.policy.checks import Violation, named_check, resolve


@named_check("min_words", {"required": ["min"], "properties": {
    "field": {"type": "string", "minLength": 1}, "min": {"type": "integer", "minimum": 1}}})
def min_words(ctx, target, p):
    """The text at `field` (default: the node the rule visits) has at least `min` words."""
    pointer, value = resolve(ctx, target, p["field"]) if "field" in p else (target.pointer, target.value)
    if not isinstance(value, str):
        yield Violation(pointer, value, "no text" if value is pointers.MISSING else f"{value!r} is not text")
        return
    words = len(value.split())
    if words < p["min"]:
        yield Violation(pointer, value, f"{words} words, at least {p['min']} wanted")
