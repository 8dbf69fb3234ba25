"""`packs lint`: schema and consistency problems of pack directories, each with file:line."""
from __future__ import annotations

from pathlib import Path

from datetime import date
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.loader import load_file
from mlcompliance.evidence.project import DERIVED, KINDS, OBSERVED
from mlcompliance.policy.checks import Context, Target
from mlcompliance.policy.packs import LEGACY_EVALUATION, Pack, Rule, _builtin_key, compile_pack
from mlcompliance.vocab import TIERS


def pack_dirs(path: Path) -> list[Path]:
    if (path / "pack.yaml").is_file():
        return [path]
    found = sorted({p.parent for p in path.glob("*/pack.yaml")} | {p.parent for p in path.glob("*/*/pack.yaml")})
    return found


def lint_path(path: Path) -> list[str]:
    dirs = pack_dirs(path)
    if not dirs:
        return [f"{path}: no pack.yaml found (expected PATH/pack.yaml, PATH/<id>/pack.yaml or PATH/<id>/<version>/pack.yaml)"]
    problems: list[str] = []
    for directory in dirs:
        problems += lint_pack(directory)
    return problems


def lint_pack(directory: Path) -> list[str]:
    try:
        pack = compile_pack(directory, "lint", trust=False)
    except InputError as err:
        return [str(err)]
    manifest = load_file(directory / "pack.yaml", str(directory / "pack.yaml"))
    problems = []
    checked = {r.requirement for r in pack.rules}
    for i, req in enumerate(pack.requirements):
        line, _ = manifest.location(f"/requirements/{i}")
        if req.manual and req.id in checked:
            problems.append(f"{manifest.path}:{line}: requirement {req.id} is marked manual but rules check it")
        if not req.manual and req.id not in checked:
            problems.append(f"{manifest.path}:{line}: requirement {req.id} has no rule and is not marked manual "
                            "(percentages would overstate coverage)")
    for rule in pack.rules:
        first = rule.scope.split("/")[1] if rule.scope.count("/") else ""
        if first and first not in KINDS + (OBSERVED, DERIVED):
            problems.append(f"{rule.source}: rule {rule.id} scope {rule.scope} does not start with one of "
                            + ", ".join(f"/{k}" for k in KINDS + (OBSERVED, DERIVED)))
        if not rule.references:
            problems.append(f"{rule.source}: rule {rule.id} cites no reference")
    if not list((directory / "tests").glob("*.yaml")):
        problems.append(f"{directory}: no fixtures in tests/*.yaml (run 'mlcompliance packs test' after adding them)")
    if _builtin_key(directory) not in LEGACY_EVALUATION:   # released before fail-closed: kept as released
        problems += [f"{rule.source}: rule {rule.id} {why}" for rule, why in fail_open(pack)]
    return problems


# --- rules that can pass on missing evidence ----------------------------------------------------

# parameters of the built-in checks that name a field of the evidence
FIELD_PARAMETERS = ("field", "other", "start", "end", "before", "after", "value", "threshold", "in", "others",
                    "keys", "list", "interval", "fallback", "sha256_field", "target_key", "observed")


def fail_open(pack: Pack) -> list[tuple[Rule, str]]:
    """The rules of ``pack`` that can pass on missing evidence, each with why:

    - its assertion holds on an empty target (the scope's node with no field), applicability forced
      on: every tier, condition, date and `when` ignored (:func:`passes_on_empty`);
    - its `when:` requires a field that its assertion compares, so a missing field makes the rule
      not applicable instead of failing (:func:`guarded_fields`). Not asked of rules on observed facts
      (scope /observed/...): the probes write those, and a fact they could not compute (no declared
      range to count values outside, an unreadable file) is not evidence the team left out; the
      readability rules report an unreadable file.
    """
    out = []
    by_id = {r.id: r for r in pack.rules}
    for rule in pack.rules:
        if pack.maturity_requirement and rule.requirement == pack.maturity_requirement:
            continue   # maturity evidence, not a compliance finding
        presence = rule.spec.get("presence_rule")
        if presence is not None and (presence not in by_id or passes_on_empty(pack, by_id[presence])):
            out.append((rule, f"names presence_rule {presence}, which " + (
                "is not a rule of this pack" if presence not in by_id else "itself passes on missing evidence")))
        if passes_on_empty(pack, rule):
            out.append((rule, "passes on missing evidence: its assertion holds on an empty "
                              f"{rule.scope or 'bundle'} (make it require what it compares)"))
        guarded = [] if rule.scope.startswith(f"/{OBSERVED}") or presence in by_id or rule.spec.get("absent_means") \
            else guarded_fields(rule)
        if guarded:
            out.append((rule, f"hides missing evidence: its `when` requires {', '.join(guarded)}, which its "
                              "assertion compares, so a missing value makes it not applicable instead of failing "
                              "(drop the guard; or name the rule requiring the field in presence_rule; or, for an "
                              "optional claim, say in absent_means why its absence is not missing evidence)"))
    return out


def empty_target(scope: str) -> tuple[dict[str, Any], str]:
    """A bundle in which ``scope`` reaches one empty node (``*`` becomes a one-item list), and that node's pointer."""
    tokens = scope.split("/")[1:] if scope else []
    bundle: dict[str, Any] = {"observed": {}}
    node: Any = bundle
    pointer = ""
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        child: Any = {} if last or tokens[i + 1] != "*" else []
        if token == "*":
            node.append(child if not last else {})
            node = node[0]
            pointer += "/0"
        else:
            node = node.setdefault(token.replace("~1", "/").replace("~0", "~"), child) if isinstance(node, dict) \
                else node
            pointer += "/" + token
    return bundle, pointer


def passes_on_empty(pack: Pack, rule: Rule, as_of: date = date(2026, 12, 4)) -> bool:
    """True when the rule's assertion finds nothing wrong with an empty node at its scope, at any tier it
    applies at, applicability forced on (the pack evaluated failing closed)."""
    tiers = [t for t in TIERS if rule.severity_at(t) is not None] or list(TIERS)
    defaults = {pack.id: {n: p.default for n, p in pack.parameters.items()}}
    for tier in reversed(tiers):   # the strictest tier first
        bundle, pointer = empty_target(rule.scope)
        target = bundle
        for token in pointer.split("/")[1:]:
            target = target[int(token)] if isinstance(target, list) else target[token]
        ctx = Context(bundle, as_of, tier, lambda _path: None, defaults)
        try:
            violations = rule.evaluate(ctx, Target(pointer, target))
        except Exception:  # noqa: BLE001 - an error finding is not a pass
            continue
        if not violations:
            return True
    return False


def _required_paths(schema: Any, prefix: str = "") -> set[str]:
    """Relative paths a JSON Schema requires to be present (``required`` under nested ``properties``)."""
    if not isinstance(schema, dict):
        return set()
    found = {f"{prefix}{name}" for name in schema.get("required", []) if isinstance(name, str)}
    for name, sub in (schema.get("properties") or {}).items():
        if f"{prefix}{name}" in found:
            found |= _required_paths(sub, f"{prefix}{name}/")
    for sub in schema.get("allOf", []) or []:
        found |= _required_paths(sub, prefix)
    return found


def _compared(spec: Any) -> set[str]:
    """Relative field paths the named checks of an assertion compare."""
    if not isinstance(spec, dict):
        return set()
    found: set[str] = set()
    if "check" in spec:
        for key, value in (spec.get("with") or {}).items():
            if key in FIELD_PARAMETERS and isinstance(value, str) and not value.startswith("/") and "*" not in value:
                found.add(value)
    for inner in spec.get("any_of", []) or []:
        found |= _compared(inner)
    return found


def guarded_fields(rule: Rule) -> list[str]:
    """Fields the rule's `when:` requires and its assertion compares (the when-guard hides their absence)."""
    required = _required_paths(rule.spec.get("when"))
    compared = _compared(rule.spec.get("assert"))
    return sorted(c for c in compared if any(c == r or c.startswith(r + "/") for r in required))
