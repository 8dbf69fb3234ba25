"""`mlcompliance fields`: the evidence fields a pack's rules read at a risk tier.

Derived from the compiled rules, never from a hand-kept list: a rule's ``scope``, the
``required``/``properties`` (and nested ``items``/``contains``/``anyOf``...) of its schema
assertions, the field parameters of its named checks, and the fields its ``when`` and its pack
conditions (``if``/``unless``, as written in pack.yaml) read. A
candidate is kept only when the native JSON Schemas (``mlcompliance/schemas/``) define that
path, so a check parameter that is a value rather than a field (``kind: validation``) drops out;
facts the tool observes itself (``/observed/...``) are counted apart, since nobody writes them.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mlcompliance.evidence.loader import escape_token, load_file, pointer_tokens
from mlcompliance.evidence.schemas import schema
from mlcompliance.policy.packs import Pack, Rule
from mlcompliance.vocab import SEVERITIES

NATIVE = ("model_card", "data_manifest", "pipeline")
COMBINERS = ("allOf", "anyOf", "oneOf")


@dataclass(frozen=True)
class Use:
    """One rule reading one field: its severity at the tier and how the field matters to it."""

    rule: str
    severity: str
    status: str                   # "required" | "conditional" | "applicability"
    conditions: tuple[str, ...]   # the rule's `if` / `unless` condition names, and "when" if it has one


@dataclass
class Field:
    pointer: str
    uses: list[Use] = field(default_factory=list)

    @property
    def status(self) -> str:
        """required when some rule needs it unconditionally, else conditional, else only applicability."""
        kinds = {u.status for u in self.uses}
        return next(k for k in ("required", "conditional", "applicability") if k in kinds)

    @property
    def severity(self) -> str:
        return max((u.severity for u in self.uses), key=SEVERITIES.index)


@dataclass
class Listing:
    pack: str
    version: str
    tier: str
    fields: list[Field]
    rules: int                    # rules applicable at the tier
    observed_only: list[str]      # applicable rules that read only /observed facts


def list_fields(pack: Pack, tier: str) -> Listing:
    """Every native field the rules applicable at ``tier`` read, sorted by pointer."""
    found: dict[str, Field] = {}
    applicable = [r for r in pack.rules if r.severity_at(tier) is not None]
    conditions_read = {name: _leaves([p for p in dict.fromkeys(_assertion(spec, "")) if defined(p)])
                       for name, spec in _condition_specs(pack.directory).items()}
    observed_only = []
    for rule in applicable:
        severity = rule.severity_at(tier) or rule.severity
        conditions = tuple(rule.if_) + tuple(f"not {n}" for n in rule.unless) + (("when",) if "when" in rule.spec else ())
        checked, deciding = rule_fields(rule)
        native = _leaves([p for p in checked if defined(p)])
        deciding = _leaves([p for p in deciding if defined(p)])
        for name in (*rule.if_, *rule.unless):          # the pack conditions read fields too
            deciding += [p for p in conditions_read.get(name, []) if p not in deciding]
        if not native and not deciding:
            observed_only.append(rule.id)
        status = "conditional" if conditions else "required"
        for pointer in native:
            _add(found, pointer, Use(rule.id, severity, status, conditions))
        for pointer in deciding:
            if pointer not in native:
                _add(found, pointer, Use(rule.id, severity, "applicability", conditions))
    return Listing(pack.id, pack.version, tier, [found[p] for p in sorted(found)], len(applicable),
                   sorted(observed_only))


@cache
def _condition_specs(directory: Path) -> dict[str, Any]:
    """The pack's named conditions as written in its pack.yaml (the compiled ones are functions)."""
    manifest = directory / "pack.yaml"
    if not manifest.is_file():
        return {}
    value = load_file(manifest, str(manifest)).value
    conditions = value.get("conditions") if isinstance(value, dict) else None
    return conditions if isinstance(conditions, dict) else {}


def _add(found: dict[str, Field], pointer: str, use: Use) -> None:
    entry = found.setdefault(pointer, Field(pointer))
    if use not in entry.uses:
        entry.uses.append(use)
        entry.uses.sort(key=lambda u: u.rule)


def rule_fields(rule: Rule) -> tuple[list[str], list[str]]:
    """(pointers the assertion reads, pointers the `when` reads): candidates, not yet filtered by
    the native schemas nor reduced to leaves."""
    scope = rule.scope or ""
    checked = list(dict.fromkeys([scope, *_assertion(rule.spec.get("assert", {}), scope)] if scope else
                                 _assertion(rule.spec.get("assert", {}), scope)))
    deciding = list(dict.fromkeys(_schema(rule.spec["when"], scope))) if "when" in rule.spec else []
    return [p for p in checked if p], deciding


def _leaves(found: list[str]) -> list[str]:
    """Drop containers (a scope, a mapping) when the rule reads a field inside them."""
    return [p for p in found if not any(q.startswith(p + "/") for q in found)]


def _assertion(spec: Any, base: str) -> Iterator[str]:
    if not isinstance(spec, dict):
        return
    if "any_of" in spec:
        for part in spec["any_of"]:
            yield from _assertion(part, base)
    elif "not" in spec:
        yield from _assertion(spec["not"], base)
    elif "schema" in spec:
        yield from _schema(spec["schema"], base)
    elif "check" in spec:
        for value in (spec.get("with") or {}).values():
            for ref in value if isinstance(value, list) else [value]:
                if isinstance(ref, str) and ref:
                    yield ref if ref.startswith("/") else f"{base}/{ref}"


def _schema(node: Any, base: str) -> Iterator[str]:
    """Pointers a JSON Schema applied at ``base`` names: required and described properties, items."""
    if not isinstance(node, dict):
        return
    for name in node.get("required", []):
        yield f"{base}/{escape_token(name)}"
    for name, child in (node.get("properties") or {}).items():
        here = f"{base}/{escape_token(name)}"
        yield here
        yield from _schema(child, here)
    for key in ("items", "contains"):
        if isinstance(node.get(key), dict):
            yield from _schema(node[key], f"{base}/*")
    for key in COMBINERS:
        for part in node.get(key, []):
            yield from _schema(part, base)
    for key in ("not", "if", "then", "else"):
        yield from _schema(node.get(key), base)


# --- the native schemas as the list of what exists -----------------------------------------

def defined(pointer: str) -> bool:
    """Whether the native evidence schemas define the field at ``pointer`` (``*`` = any item)."""
    tokens = pointer_tokens(pointer)
    if not tokens or tokens[0] not in NATIVE:
        return False
    return _defined(tuple(tokens[0:1]), tuple(tokens[1:]))


@cache
def _defined(head: tuple[str, ...], rest: tuple[str, ...]) -> bool:
    whole = schema(head[0])
    return _walk(whole, list(rest), whole.get("$defs", {}), 0)


def _walk(node: Any, tokens: list[str], defs: dict[str, Any], depth: int) -> bool:
    if not isinstance(node, dict) or depth > 64:
        return False
    if "$ref" in node:
        target = defs.get(node["$ref"].rsplit("/", 1)[-1])
        if target is not None and _walk(target, tokens, defs, depth + 1):
            return True
    if not tokens:
        return True
    for key in COMBINERS:
        if any(_walk(part, tokens, defs, depth + 1) for part in node.get(key, [])):
            return True
    token, rest = tokens[0], tokens[1:]
    props = node.get("properties") or {}
    if token in props and _walk(props[token], rest, defs, depth + 1):
        return True
    if token == "*" or token.isdigit():
        if isinstance(node.get("items"), dict) and _walk(node["items"], rest, defs, depth + 1):
            return True
        extra = node.get("additionalProperties")
        if token == "*" and isinstance(extra, dict) and _walk(extra, rest, defs, depth + 1):
            return True
    # an open mapping (e.g. procedures by name): any key is a field of it
    return node.get("type") == "object" and node.get("additionalProperties", True) is True and not rest


# --- output -------------------------------------------------------------------------------

def as_dict(listing: Listing) -> dict[str, Any]:
    return {"pack": listing.pack, "version": listing.version, "tier": listing.tier, "rules": listing.rules,
            "fields": [{"pointer": f.pointer, "status": f.status, "severity": f.severity,
                        "rules": [{"id": u.rule, "severity": u.severity, "status": u.status,
                                   "conditions": list(u.conditions)} for u in f.uses]} for f in listing.fields],
            "observed_only_rules": listing.observed_only}


def _head(listing: Listing) -> str:
    return (f"{listing.pack}@{listing.version} at tier {listing.tier}: {len(listing.fields)} evidence fields "
            f"read by {listing.rules} applicable rules")


def _rule_text(u: Use) -> str:
    cond = f" on {', '.join(u.conditions)}" if u.conditions else ""
    return f"{u.rule} ({u.severity}, {u.status}{cond})"


def render_text(listing: Listing) -> str:
    lines = [_head(listing), ""]
    for f in listing.fields:
        lines.append(f"{f.pointer}  [{f.status}, up to {f.severity}]")
        lines += [f"    {_rule_text(u)}" for u in f.uses]
    if listing.observed_only:
        lines += ["", "read only facts mlcompliance observes itself (/observed): " + ", ".join(listing.observed_only)]
    return "\n".join(lines) + "\n"


def render_markdown(listing: Listing) -> str:
    lines = [f"# Evidence fields: {listing.pack}@{listing.version}, tier {listing.tier}", "", _head(listing) + ".",
             "", "| field | status | highest severity | rules |", "|---|---|---|---|"]
    for f in listing.fields:
        rules = "<br>".join(_rule_text(u).replace("|", "\\|") for u in f.uses)
        lines.append(f"| `{f.pointer}` | {f.status} | {f.severity} | {rules} |")
    if listing.observed_only:
        lines += ["", "Rules reading only observed facts (`/observed`): " + ", ".join(listing.observed_only) + "."]
    return "\n".join(lines) + "\n"
