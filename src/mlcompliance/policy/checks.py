"""Named checks: what a JSON Schema condition cannot say (other documents, dates, files).

A named check is a Python function registered under a name with a JSON Schema for its
parameters. Packs call it as ``assert: {check: NAME, with: {...}}``. It receives the
evaluation context, the target node and its parameters, and yields :class:`Violation`s;
no violation means pass. The built-in checks below are in :data:`REGISTRY`. Third parties add
checks through the ``mlcompliance.checks`` entry point group: the entry point's name is the
check's name and its object a :class:`NamedCheck` made with :func:`named_check`. It is imported
only when a rule names a check that is not built in (:func:`lookup`), and cannot replace one.

Field references in parameters are JSON pointers: ``/model_card/...`` is absolute in the
evidence bundle, anything else is relative to the target (``validation/date``).
Parameters whose value is a mapping of risk tiers (``{high: 365, limited: 730}``) are
resolved for the project's tier.

Every check fails closed: a comparison one side of which is missing (a date, a value, a
record, a file) is a violation saying what is missing, never a pass. The few parameters that
let a rule accept an absence (``required: false``) are spelled out in the rule, and `packs
lint` reports the rules that can pass on missing evidence (policy/lint.py).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from mlcompliance.evidence import pointers
from mlcompliance.evidence.loader import escape_token
from mlcompliance.evidence.schemas import parse_instant
from mlcompliance.vocab import TIERS


@dataclass(frozen=True)
class Violation:
    pointer: str        # bundle pointer of the offending (or missing) value
    observed: Any
    detail: str


def _sha256_of(read_file: Callable[[str], bytes | None]) -> Callable[[str], str | None]:
    def sha256(rel: str) -> str | None:
        data = read_file(rel)
        return None if data is None else hashlib.sha256(data).hexdigest()
    return sha256


@dataclass(frozen=True)
class Target:
    pointer: str
    value: Any


class Context:
    """What a check may look at besides its target."""

    def __init__(self, bundle: dict[str, Any], as_of: date, tier: str,
                 read_file: Callable[[str], bytes | None],
                 parameters: dict[str, dict[str, Any]] | None = None,
                 files: Any = None) -> None:
        self.bundle = bundle
        self.as_of = as_of
        self.tier = tier
        self.read_file = read_file   # project-relative path -> bytes, or None when absent
        # project-relative path -> exists / SHA-256 (None when absent): over ``read_file`` unless
        # ``files`` (engine/evaluate.py ProjectFiles) streams them from the project directory
        self.file_exists: Callable[[str], bool] = files.exists if files is not None else (
            lambda rel: read_file(rel) is not None)
        self.file_sha256: Callable[[str], str | None] = files.sha256 if files is not None else _sha256_of(read_file)
        # pack id -> {parameter: value} for every parameter of the pack (a pack absent here: its defaults)
        self.parameters = parameters or {}
        # True while evaluating a built-in pack version evaluated as released (policy/packs.py
        # LEGACY_EVALUATION): a missing side then passes, and a tier map is read without the
        # prohibited -> high fallback, as its fixtures expect
        self.legacy = False

    def by_tier(self, value: Any) -> Any:
        """A per-tier parameter's value at the project's tier (at prohibited, the high value when the
        map does not name prohibited)."""
        if isinstance(value, dict) and value and set(value) <= set(TIERS):
            if self.tier in value:
                return value[self.tier]
            return value.get("high") if self.tier == "prohibited" and not self.legacy else None
        return value


@dataclass(frozen=True)
class NamedCheck:
    name: str
    function: Callable[[Context, Target, dict[str, Any]], Iterable[Violation]]
    params: dict[str, Any]    # JSON Schema of the `with:` mapping, checked when a pack loads
    description: str
    plugin: str | None = None  # "distribution version" of a plug-in check; None when built in


REGISTRY: dict[str, NamedCheck] = {}
_PLUGINS: dict[str, NamedCheck] = {}   # plug-in checks already imported, by name


def named_check(name: str, params: dict[str, Any]) -> Callable[[Callable], NamedCheck]:
    """Decorator making ``function`` the named check ``name``; ``params`` holds the JSON Schema
    keywords of its parameters (``required``, ``properties``...): the mapping is closed
    (``additionalProperties: false``) unless ``params`` says otherwise. A plug-in points its
    ``mlcompliance.checks`` entry point at the result."""
    def make(function: Callable) -> NamedCheck:
        schema = {"type": "object", "additionalProperties": False, **params}
        return NamedCheck(name, function, schema, (function.__doc__ or "").strip())
    return make


def check(name: str, params: dict[str, Any]) -> Callable:
    """Register ``function`` as the built-in named check ``name`` with a parameter schema."""
    def register(function: Callable) -> Callable:
        if name in REGISTRY:
            raise ValueError(f"named check '{name}' is already registered (a plug-in cannot replace a built-in check)")
        REGISTRY[name] = named_check(name, params)(function)
        return function
    return register


def lookup(name: str) -> NamedCheck | None:
    """The built-in check ``name``; else the installed plug-in check of that name, imported and
    validated on first use; else None. Raises plugins.PluginError for a broken plug-in."""
    found = REGISTRY.get(name) or _PLUGINS.get(name)
    if found is not None:
        return found
    from mlcompliance import plugins
    plugin = plugins.find(plugins.CHECKS, name)
    if plugin is None:
        return None
    _PLUGINS[name] = _validated(plugins.load(plugin), plugin)
    return _PLUGINS[name]


def _validated(obj: Any, plugin: Any) -> NamedCheck:
    """The plug-in's NamedCheck, stamped with its distribution, once its contract holds."""
    from dataclasses import replace

    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    from mlcompliance.plugins import PluginError
    where = plugin.describe()
    if not isinstance(obj, NamedCheck):
        raise PluginError(f"{where} is a {type(obj).__name__}, not a named check "
                          "(make it with mlcompliance.policy.checks.named_check)", plugin)
    if obj.name != plugin.name:
        raise PluginError(f"{where} declares the check name '{obj.name}'; the entry point must have the same name",
                          plugin)
    if not callable(obj.function):
        raise PluginError(f"{where}: the check's function is not callable", plugin)
    if not isinstance(obj.params, dict) or obj.params.get("type") != "object":
        raise PluginError(f"{where}: the parameter schema must be a JSON Schema of type object", plugin)
    try:
        Draft202012Validator.check_schema(obj.params)
    except SchemaError as err:
        at = "/".join(map(str, err.absolute_path))
        raise PluginError(f"{where}: invalid parameter schema" + (f" at {at}" if at else "") + f": {err.message}",
                          plugin) from None
    return replace(obj, plugin=plugin.origin)


def resolve(ctx: Context, target: Target, ref: str) -> tuple[str, Any]:
    """(bundle pointer, value or pointers.MISSING) for a field reference."""
    pointer = ref if ref.startswith("/") else f"{target.pointer}/{ref}"
    return pointer, pointers.get(ctx.bundle, pointer)


def values_at(ctx: Context, target: Target, ref: str) -> list[Any]:
    """Values at a field reference or pattern (absolute, or relative to the target); lists are flattened."""
    pattern = ref if ref.startswith("/") else f"{target.pointer}/{ref}"
    out: list[Any] = []
    for _, value in pointers.expand(ctx.bundle, pattern):
        out.extend(value if isinstance(value, list) else [value])
    return out


def _absent(value: Any, ctx: Context) -> bool:
    """Missing, or null (a null counts as absent only when failing closed: legacy packs compared it)."""
    return value is pointers.MISSING or (value is None and not ctx.legacy)


def _as_date(value: Any) -> date:
    return parse_instant(value).date()


_FIELD = {"type": "string", "minLength": 1}
_DAYS = {"oneOf": [{"type": "integer", "minimum": 0},
                   {"type": "object", "propertyNames": {"enum": list(TIERS)},
                    "additionalProperties": {"type": "integer", "minimum": 0}}]}


@check("exists_in", {"required": ["field", "in"], "properties": {"field": _FIELD, "in": _FIELD,
                                                               "required": {"type": "boolean"}}})
def exists_in(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The value at `field` (each value, if a list) appears among the values at `in` (a field or
    pattern, absolute or relative to the target; lists there are flattened). A missing `field` is a
    violation unless `required: false` (an optional reference, checked only when given)."""
    pointer, value = resolve(ctx, target, p["field"])
    if value is pointers.MISSING or (value is None and not ctx.legacy):
        if p.get("required", not ctx.legacy):
            yield Violation(pointer, pointers.MISSING, f"{p['field']} is missing")
        return
    known = values_at(ctx, target, p["in"])
    for i, item in enumerate(value if isinstance(value, list) else [value]):
        if item not in known:
            where = pointers.join(pointer, i) if isinstance(value, list) else pointer
            yield Violation(where, item, f"{item!r} is not among {p['in']}")


@check("agrees_with", {"required": ["collection", "key", "fields"], "properties": {
    "collection": _FIELD, "key": _FIELD, "target_key": _FIELD,
    "fields": {"type": "array", "items": _FIELD, "minItems": 1}}})
def agrees_with(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The record of `collection` whose `key` equals the target's `target_key` (default: `key`)
    has the same value for each of `fields`. Fails closed: no key, no such record, a field that
    only one side declares, or no field declared on either side is a violation."""
    k_ptr, key = resolve(ctx, target, p.get("target_key", p["key"]))
    if _absent(key, ctx):
        if ctx.legacy:
            return
        yield Violation(k_ptr, pointers.MISSING, f"{p.get('target_key', p['key'])} is missing: nothing to match "
                        f"with {p['collection']}")
        return
    for rec_pointer, record in pointers.expand(ctx.bundle, p["collection"]):
        if isinstance(record, dict) and record.get(p["key"]) == key:
            compared = 0
            for name in p["fields"]:
                mine_ptr, mine = resolve(ctx, target, name)
                theirs = record.get(name, pointers.MISSING)
                theirs_ptr = pointers.join(rec_pointer, name)
                if (mine is pointers.MISSING and theirs is pointers.MISSING) or (
                        ctx.legacy and pointers.MISSING in (mine, theirs)):
                    continue
                compared += 1
                if mine is pointers.MISSING:
                    yield Violation(mine_ptr, pointers.MISSING, f"{name} is missing here but {theirs!r} at {theirs_ptr}")
                elif theirs is pointers.MISSING:
                    yield Violation(mine_ptr, mine, f"{name} is {mine!r} here but missing at {rec_pointer}")
                elif mine != theirs:
                    yield Violation(mine_ptr, mine, f"{name} is {mine!r} here but {theirs!r} at {theirs_ptr}")
            if not compared and not ctx.legacy:
                yield Violation(target.pointer, key, f"neither side declares {', '.join(p['fields'])}: nothing compared")
            return
    if not ctx.legacy:
        yield Violation(k_ptr, key, f"no record of {p['collection']} has {p['key']} {key!r}")


@check("recent", {"required": ["field", "max_days"], "properties": {"field": _FIELD, "max_days": _DAYS,
                                                                  "fallback": _FIELD}})
def recent(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The date at `field` is at most `max_days` before the as-of date (and not after it). With
    `fallback` (e.g. `approved_at` for a `reviewed_at` that no review has set yet), a missing `field`
    counts from the date at `fallback`: a review interval runs from the approval until the first
    review. Both missing is a violation."""
    pointer, value = resolve(ctx, target, p["field"])
    limit = ctx.by_tier(p["max_days"])
    if (value is pointers.MISSING or value is None) and "fallback" in p:
        f_ptr, f_value = resolve(ctx, target, p["fallback"])
        if f_value is not pointers.MISSING and f_value is not None:
            if limit is None:
                return
            age = (ctx.as_of - _as_date(f_value)).days
            if age > limit:
                yield Violation(pointer, pointers.MISSING, f"{p['field']} is missing, and {p['fallback']} {f_value} "
                                f"is {age} days before {ctx.as_of.isoformat()}; at most {limit} allowed")
            elif age < 0:
                yield Violation(f_ptr, f_value, f"{f_value} is after the as-of date {ctx.as_of.isoformat()}")
            return
    if value is pointers.MISSING or value is None:
        also = f" (and so is {p['fallback']})" if "fallback" in p else ""
        yield Violation(pointer, pointers.MISSING, f"{p['field']} is missing{also}")
        return
    if limit is None:
        return
    when = _as_date(value)
    age = (ctx.as_of - when).days
    if age > limit:
        yield Violation(pointer, value, f"{value} is {age} days before {ctx.as_of.isoformat()}; at most {limit} allowed")
    elif age < 0:
        yield Violation(pointer, value, f"{value} is after the as-of date {ctx.as_of.isoformat()}")


@check("not_expired", {"required": ["field"], "properties": {"field": _FIELD}})
def not_expired(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The date at `field` (an expiry or due date) is on or after the as-of date."""
    pointer, value = resolve(ctx, target, p["field"])
    if value is pointers.MISSING or value is None:
        yield Violation(pointer, pointers.MISSING, f"{p['field']} is missing")
        return
    if _as_date(value) < ctx.as_of:
        yield Violation(pointer, value, f"{value} is before the as-of date {ctx.as_of.isoformat()}")


@check("interval_at_most", {"required": ["start", "end", "max_days"], "properties": {
    "start": _FIELD, "end": _FIELD, "max_days": _DAYS}})
def interval_at_most(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The date at `end` is no more than `max_days` after the date at `start`; a missing `start` or
    `end` is a violation (nothing is shown to be within the interval). Not checked at a tier the
    `max_days` map does not name."""
    start_ptr, start = resolve(ctx, target, p["start"])
    end_ptr, end = resolve(ctx, target, p["end"])
    limit = ctx.by_tier(p["max_days"])
    if limit is None:
        return
    for ptr, value, name in ((start_ptr, start, p["start"]), (end_ptr, end, p["end"])):
        if _absent(value, ctx):
            if ctx.legacy:
                return
            yield Violation(ptr, pointers.MISSING, f"{name} is missing")
            return
    gap = (_as_date(end) - _as_date(start)).days
    if gap > limit:
        yield Violation(end_ptr, end, f"{end} is {gap} days after {start}; at most {limit} allowed")


@check("ordered", {"required": ["before", "after"], "properties": {"before": _FIELD, "after": _FIELD}})
def ordered(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """Every instant at `before` is not later than every instant at `after`. Either may be a pattern
    with `*` (e.g. `/pipeline/change_control/*/implemented_at`). Fails closed: a plain field that is
    missing is a violation, and so is a `before` with no instant while `after` has some (a pattern
    matching nothing at `after` leaves nothing to order)."""
    firsts = _instants(ctx, target, p["before"])
    laters = _instants(ctx, target, p["after"])
    if not laters and ("*" in p["after"].split("/") or ctx.legacy):
        return
    if not firsts and ctx.legacy:
        return
    for ref, found in ((p["after"], laters), (p["before"], firsts)):
        if not found:
            pointer = ref if ref.startswith("/") else f"{target.pointer}/{ref}"
            yield Violation(pointer, pointers.MISSING, f"{ref} is missing: nothing shows the order")
            return
    for later_ptr, later in laters:
        for _, first in firsts:
            a, b = parse_instant(first), parse_instant(later)
            if (a.tzinfo is None) != (b.tzinfo is None):
                a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
            if a > b:
                yield Violation(later_ptr, later, f"{later} is before {p['before']} ({first})")
                break


def _instants(ctx: Context, target: Target, ref: str) -> list[tuple[str, str]]:
    pattern = ref if ref.startswith("/") else f"{target.pointer}/{ref}"
    if "*" in pattern.split("/"):
        return [(ptr, v) for ptr, v in pointers.expand(ctx.bundle, pattern) if isinstance(v, str)]
    value = pointers.get(ctx.bundle, pattern)
    return [(pattern, value)] if isinstance(value, str) else []


@check("meets_threshold", {"properties": {
    "value": _FIELD, "threshold": _FIELD, "higher_is_better": _FIELD,
    "direction": {"enum": ["at_least", "at_most"]}, "min": {"type": "number"}, "max": {"type": "number"}}})
def meets_threshold(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The number at `value` (default `value`) meets the number at `threshold` (default
    `threshold`), in the direction given by `direction` or else by the target's `higher_is_better`
    field (default: at least), and any fixed `min` and `max`. Fails closed: a missing value is a
    violation, and so is a missing threshold unless a fixed `min` or `max` is the criterion."""
    v_ptr, value = resolve(ctx, target, p.get("value", "value"))
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        yield Violation(v_ptr, pointers.MISSING if value is pointers.MISSING else value,
                        "no numeric value" if value is pointers.MISSING else f"{value!r} is not a number")
        return
    t_ptr, threshold = resolve(ctx, target, p.get("threshold", "threshold"))
    if "min" not in p and "max" not in p and not _number(threshold) and not ctx.legacy:
        yield Violation(t_ptr, pointers.MISSING if threshold is pointers.MISSING else threshold,
                        "no threshold to compare with" if threshold is pointers.MISSING
                        else f"threshold {threshold!r} is not a number")
        return
    if "direction" in p:
        at_least = p["direction"] == "at_least"
    else:
        _, higher = resolve(ctx, target, p.get("higher_is_better", "higher_is_better"))
        at_least = higher is not False
    if isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
        if (at_least and value < threshold) or (not at_least and value > threshold):
            yield Violation(v_ptr, value, f"{value} is {'below' if at_least else 'above'} the threshold {threshold}")
    if "min" in p and value < p["min"]:
        yield Violation(v_ptr, value, f"{value} is below the minimum {p['min']}")
    if "max" in p and value > p["max"]:
        yield Violation(v_ptr, value, f"{value} is above the maximum {p['max']}")


def _matches(record: dict[str, Any], key: str, wanted: Any) -> bool:
    """A record's `key` equals ``wanted`` (text compared case-insensitively), or its list `keys` holds it."""
    def same(a: Any) -> bool:
        return str(a).casefold() == str(wanted).casefold() if isinstance(a, str) and isinstance(wanted, str) else a == wanted
    plural = record.get(key + "s")
    return (key in record and same(record[key])) or (isinstance(plural, list) and any(same(a) for a in plural))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@check("observed_agrees", {"required": ["observed", "keys"], "properties": {
    "observed": _FIELD, "keys": {"type": "array", "items": _FIELD, "minItems": 1},
    "optional_keys": {"type": "array", "items": _FIELD}, "problem": _FIELD,
    "tolerance": {"oneOf": [{"type": "number", "minimum": 0},
                            {"type": "object", "propertyNames": {"enum": list(TIERS)},
                             "additionalProperties": {"type": "number", "minimum": 0}}]},
    "interval": {"type": "boolean"}, "threshold": {"type": "boolean"}}})
def observed_agrees(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """A declared figure (the target's `value`) is backed by a computed one: some record of the list
    at `observed` has the target's values of every field in `keys` (a record's `names` list counts for
    `name`) and a value that agrees, i.e. within `tolerance` (default 0) of the record's `value`, or
    with `interval: true` inside its `ci` (lower/upper) widened by `tolerance`. Nothing computed is a
    violation (with the text at `problem`, when given, as the reason). Records matching `keys` but none
    of the target's `optional_keys` (e.g. measured on another dataset) are a violation too. With
    `threshold: true` the declared value must also meet its own threshold (as `meets_threshold`)."""
    v_ptr, value = resolve(ctx, target, "value")
    if not _number(value):
        yield Violation(v_ptr, value, "no numeric value" if value is pointers.MISSING else f"{value!r} is not a number")
        return
    node = target.value if isinstance(target.value, dict) else {}
    wanted = {k: node.get(k) for k in p["keys"]}
    label = ", ".join(f"{k} {v}" for k, v in wanted.items())
    absent = [k for k, v in wanted.items() if v is None]
    if absent:
        yield Violation(target.pointer, value, f"no {', '.join(absent)} to match a computed value with")
        return
    _, records = resolve(ctx, target, p["observed"])
    records = [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []
    found = [r for r in records if all(_matches(r, k, v) for k, v in wanted.items())]
    if not found:
        _, why = resolve(ctx, target, p["problem"]) if "problem" in p else ("", pointers.MISSING)
        yield Violation(v_ptr, value, f"not computed from data: {why}" if isinstance(why, str)
                        else f"not computed from data (no computed {label})")
        return
    for k in p.get("optional_keys", []):
        if node.get(k) is not None:
            found = [r for r in found if _matches(r, k, node[k])]
            if not found:
                if ctx.legacy:
                    break
                yield Violation(v_ptr, value, f"no computed {label} for {k} {node[k]!r}: nothing to compare")
                return
    tolerance = ctx.by_tier(p.get("tolerance", 0)) or 0
    for record in found[:1]:
        ci = record.get("ci") if isinstance(record.get("ci"), dict) else {}
        computed = record.get("value")
        if p.get("interval"):
            lo, hi = ci.get("lower"), ci.get("upper")
            if not (_number(lo) and _number(hi)):
                yield Violation(v_ptr, value, f"computed {label} has no confidence interval")
            elif not lo - tolerance <= value <= hi + tolerance:
                yield Violation(v_ptr, value, f"{value} outside computed CI [{lo:.4g}, {hi:.4g}] "
                                f"(computed {computed:.4g})" if _number(computed) else
                                f"{value} outside computed CI [{lo:.4g}, {hi:.4g}]")
        elif not _number(computed) or abs(value - computed) > tolerance:
            yield Violation(v_ptr, value, f"{value} vs computed {computed:.4g} (tolerance {tolerance})"
                            if _number(computed) else f"{value} vs computed {computed!r}")
    if p.get("threshold"):
        yield from meets_threshold(ctx, target, {})


@check("equal", {"required": ["field", "other"], "properties": {"field": _FIELD, "other": _FIELD,
                                                                "required": {"type": "boolean"}}})
def equal(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The values at `field` and `other` are equal. With `required` (default true) both must exist."""
    f_ptr, value = resolve(ctx, target, p["field"])
    o_ptr, other = resolve(ctx, target, p["other"])
    if value is pointers.MISSING or other is pointers.MISSING:
        if p.get("required", True):
            missing = f_ptr if value is pointers.MISSING else o_ptr
            yield Violation(missing, pointers.MISSING, f"{missing} is missing")
        return
    if value != other:
        yield Violation(f_ptr, value, f"{value!r} differs from {other!r} at {o_ptr}")


@check("precedes", {"required": ["list", "key", "first", "then"], "properties": {
    "list": _FIELD, "key": _FIELD, "first": {"type": "string"},
    "then": {"type": "array", "items": {"type": "string"}, "minItems": 1}}})
def precedes(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """In the list at `list`, an item whose `key` is `first` comes before every item whose
    `key` is one of `then` (e.g. data validation before training and deployment). Fails closed: a
    missing list is a violation, and so is a list with `then` items but no `first` item; a list
    with no `then` item has nothing to order."""
    l_ptr, items = resolve(ctx, target, p["list"])
    if not isinstance(items, list):
        if ctx.legacy:
            return
        yield Violation(l_ptr, pointers.MISSING if items is pointers.MISSING else items,
                        f"{p['list']} is missing: nothing shows {p['first']!r} comes first")
        return
    keys = [item.get(p["key"]) if isinstance(item, dict) else None for item in items]
    later = [i for i, k in enumerate(keys) if k in p["then"]]
    if not later:
        return
    if p["first"] not in keys:
        if ctx.legacy:
            return
        yield Violation(pointers.join(l_ptr, later[0]), keys[later[0]],
                        f"{keys[later[0]]!r} with no {p['first']!r} before it")
        return
    first = keys.index(p["first"])
    for i in later:
        if i < first:
            yield Violation(pointers.join(l_ptr, i), keys[i], f"{keys[i]!r} comes before {p['first']!r}")


@check("not_among", {"required": ["field", "others"], "properties": {"field": _FIELD, "others": _FIELD}})
def not_among(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The value at `field` is not among the values at `others` (e.g. validator not a developer).
    A missing `field` is a violation (nobody is shown to be independent)."""
    pointer, value = resolve(ctx, target, p["field"])
    if _absent(value, ctx):
        if ctx.legacy:
            return
        yield Violation(pointer, pointers.MISSING, f"{p['field']} is missing")
        return
    pool = values_at(ctx, target, p["others"])
    if value in pool:
        yield Violation(pointer, value, f"{value!r} also appears in {p['others']}")


@check("project_file", {"required": ["field"], "properties": {"field": _FIELD, "sha256_field": _FIELD}})
def project_file(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The project file named at `field` exists; with `sha256_field`, its SHA-256 equals that field.
    A missing `field` is a violation (no file is named)."""
    pointer, path = resolve(ctx, target, p["field"])
    if _absent(path, ctx):
        if ctx.legacy:
            return
        yield Violation(pointer, pointers.MISSING, f"{p['field']} is missing: no project file named")
        return
    if not ctx.file_exists(path):
        yield Violation(pointer, path, f"file {path!r} is not in the project")
        return
    if "sha256_field" in p:
        d_ptr, declared = resolve(ctx, target, p["sha256_field"])
        if declared is pointers.MISSING:
            yield Violation(d_ptr, pointers.MISSING, "no sha256 declared for the file")
            return
        actual = ctx.file_sha256(path)   # streamed, or the digest the data probe already computed
        if actual is None:
            yield Violation(pointer, path, f"file {path!r} is not in the project")
            return
        if actual != declared:
            yield Violation(d_ptr, declared, f"declared sha256 {declared[:12]}... but {path} hashes to {actual[:12]}...")


@check("has_keys", {"required": ["keys", "in"], "properties": {"keys": _FIELD, "in": _FIELD}})
def has_keys(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The mapping at `in` has a key for the value at `keys` (each value, if a list), e.g. every
    population attribute the model card names is broken down in a dataset's distribution.
    A missing `keys` is a violation (nothing names what to break down), and so is a missing or
    non-mapping `in`."""
    k_ptr, wanted = resolve(ctx, target, p["keys"])
    if _absent(wanted, ctx):
        if ctx.legacy:
            return
        yield Violation(k_ptr, pointers.MISSING, f"{p['keys']} is missing")
        return
    names = wanted if isinstance(wanted, list) else [wanted]
    m_ptr, mapping = resolve(ctx, target, p["in"])
    if not isinstance(mapping, dict):
        if names:
            observed = pointers.MISSING if mapping is pointers.MISSING else mapping
            yield Violation(m_ptr, observed, f"{p['in']} is not a mapping with keys {', '.join(map(str, names))}")
        return
    for name in names:
        if str(name) not in mapping:
            yield Violation(m_ptr, sorted(mapping), f"no key {name!r} in {p['in']} (keys: {', '.join(sorted(mapping)) or 'none'})")


@check("within_declared_interval", {"required": ["field", "interval"], "properties": {
    "field": _FIELD, "interval": _FIELD, "grace_days": {"type": "integer", "minimum": 0}}})
def within_declared_interval(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The date at `field` is at most N days (+ `grace_days`, default 0) before the as-of date, and
    not after it, where N is the whole number of days the evidence itself declares at `interval`
    (e.g. a monitoring report's date against the declared reporting frequency). A missing date, or
    an interval that is absent or not a non-negative integer, is a violation."""
    i_ptr, interval = resolve(ctx, target, p["interval"])
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 0:
        if ctx.legacy:
            return
        yield Violation(i_ptr, pointers.MISSING if interval is pointers.MISSING else interval,
                        f"{p['interval']} is missing" if interval is pointers.MISSING
                        else f"{p['interval']} {interval!r} is not a whole number of days")
        return
    pointer, value = resolve(ctx, target, p["field"])
    if value is pointers.MISSING or value is None:
        yield Violation(pointer, pointers.MISSING, f"{p['field']} is missing")
        return
    limit = interval + p.get("grace_days", 0)
    age = (ctx.as_of - _as_date(value)).days
    if age > limit:
        yield Violation(pointer, value, f"{value} is {age} days before {ctx.as_of.isoformat()}; "
                        f"{p['interval']} allows {limit}")
    elif age < 0:
        yield Violation(pointer, value, f"{value} is after the as-of date {ctx.as_of.isoformat()}")


_NUMBER_OR_TIERS = {"oneOf": [{"type": "number"},
                              {"type": "object", "propertyNames": {"enum": list(TIERS)},
                               "additionalProperties": {"type": "number"}}]}


def _fill(template: str, target: Target) -> str | None:
    """``template`` with each ``{name}`` replaced by the target's field ``name`` (escaped as a pointer
    token), or by the target's last pointer token (its list index) when the field is absent."""
    import re
    value = target.value if isinstance(target.value, dict) else {}
    last = target.pointer.rsplit("/", 1)[-1]

    def one(match: re.Match) -> str:
        v = value.get(match.group(1))
        return escape_token(str(v)) if isinstance(v, (str, int)) and not isinstance(v, bool) else last
    return re.sub(r"\{([A-Za-z0-9_]+)\}", one, template)


@check("matches_declared", {"required": ["observed", "declared"], "properties": {
    "observed": _FIELD, "declared": _FIELD}})
def matches_declared(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The value a probe observed at `observed` (relative to the target, an observed fact such as
    `/observed/data/datasets/*`) equals what the evidence declares at `declared`: an absolute
    pointer in which `{field}` is replaced by the target's `field` (escaped; by the target's last
    pointer token when absent), e.g. `/data_manifest/datasets/{index}/rows`. The violation points
    at the declaration. Fails closed: nothing observed (the file could not be read) or nothing
    declared is a violation. The finding's observed value is the observation."""
    o_ptr, observed = resolve(ctx, target, p["observed"])
    d_ptr = _fill(p["declared"], target)
    declared = pointers.get(ctx.bundle, d_ptr)
    if ctx.legacy and (declared is pointers.MISSING or observed is pointers.MISSING or observed is None):
        return
    if observed is pointers.MISSING or observed is None:
        yield Violation(o_ptr, pointers.MISSING, f"nothing observed at {p['observed']} to compare with {d_ptr}")
        return
    if declared is pointers.MISSING:
        yield Violation(d_ptr, observed, f"observed {observed!r}, but nothing is declared at {d_ptr}")
        return
    if declared != observed:
        yield Violation(d_ptr, observed, f"declared {declared!r}, observed {observed!r}")


_BOUND = {"required": ["field", "limit"], "properties": {"field": _FIELD, "limit": _NUMBER_OR_TIERS,
                                                         "strict": {"type": "boolean"}}}


def _bound(ctx: Context, target: Target, p: dict[str, Any], at_least: bool) -> Iterator[Violation]:
    """The number at `field` against `limit` (a number, or risk tiers to numbers; a tier the map does
    not name is not checked): at most (`at_least` False) or at least; with `strict`, equal fails."""
    limit = ctx.by_tier(p["limit"])
    pointer, value = resolve(ctx, target, p["field"])
    if limit is None:
        return
    word = ("above" if p.get("strict") else "at least") if at_least else ("below" if p.get("strict") else "at most")
    if value is pointers.MISSING or value is None:
        if ctx.legacy:
            return
        yield Violation(pointer, pointers.MISSING, f"{p['field']} is missing: nothing shows it is {word} {limit}")
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        yield Violation(pointer, value, f"{value!r} is not a number")
        return
    strict = bool(p.get("strict"))
    if at_least and (value < limit or (strict and value == limit)):
        yield Violation(pointer, value, f"{value} is {'not above' if strict else 'below'} the limit {limit} (tier {ctx.tier})")
    elif not at_least and (value > limit or (strict and value == limit)):
        yield Violation(pointer, value, f"{value} is {'not below' if strict else 'above'} the limit {limit} (tier {ctx.tier})")


@check("at_most", _BOUND)
def at_most(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The number at `field` is at most `limit` (below it with `strict: true`): a number, or a
    mapping of risk tiers to numbers resolved for the project's tier (a tier the mapping does not
    name is not checked), e.g. the share of missing values of an observed column. An absent or
    null value (a statistic that was not computed) is a violation."""
    yield from _bound(ctx, target, p, at_least=False)


@check("at_least", _BOUND)
def at_least(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The number at `field` is at least `limit` (above it with `strict: true`): a number, or a
    mapping of risk tiers to numbers for the project's tier (a tier the mapping does not name is
    not checked), e.g. a computed disparate-impact ratio. An absent or null value is a violation."""
    yield from _bound(ctx, target, p, at_least=True)


# Checks the maturity rules of mlops-practices use; registered in REGISTRY on import.
from mlcompliance.policy import checks_maturity as _checks_maturity  # noqa: E402,F401
