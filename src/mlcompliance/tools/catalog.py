"""Human-readable views of packs: `explain RULE-ID` and the Markdown catalog."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mlcompliance.errors import InputError
from mlcompliance.evidence import pointers
from mlcompliance.evidence.loader import load_file
from mlcompliance.policy.packs import Pack, PackSource, Rule, load_pack
from mlcompliance.tools.packtest import merge


def find_rule(rule_id: str, sources: list[PackSource]) -> tuple[Pack, Rule | None]:
    for src in sources:
        pack = load_pack(src)
        for rule in pack.rules:
            if rule.id == rule_id:
                return pack, rule
        if pack.requirement(rule_id):
            return pack, None
    import difflib
    known = [r.id for s in sources for r in load_pack(s).rules]
    guess = difflib.get_close_matches(rule_id, known, n=1)
    raise InputError(f"unknown rule '{rule_id}'" + (f" (did you mean '{guess[0]}'?)" if guess else ""),
                     expected="a rule id from 'mlcompliance packs show PACK'")


@cache
def _fixtures(directory: Path) -> list[dict[str, Any]]:
    return [load_file(path, str(path)).value or {} for path in sorted((directory / "tests").glob("*.yaml"))]


def passing_example(pack: Pack, rule: Rule) -> str | None:
    """Evidence from the pack's own fixtures that makes ``rule`` pass, cut to the rule's scope."""
    for spec in _fixtures(pack.directory):
        for case in spec.get("cases", []):
            if case.get("expect", {}).get(rule.id) != "pass":
                continue
            kind = rule.scope.split("/")[1] if rule.scope.count("/") else None
            if not kind:
                continue
            doc = merge(spec.get("base", {}).get(kind, {}), case.get("evidence", {}).get(kind, {}))
            inner = rule.scope[len(kind) + 1:].split("/*", 1)[0]
            node = pointers.get(doc, inner, None)
            if node is None:
                continue
            key = inner.rsplit("/", 1)[-1] if inner else kind
            return f"# {kind}\n" + yaml.safe_dump({key: node} if inner else node, sort_keys=False,
                                                  allow_unicode=True, width=100)
    return None


def describe_condition(spec: dict[str, Any], indent: str) -> list[str]:
    """A rule condition (schema, named check, any_of, not) in words, indented."""
    from mlcompliance.policy.checks import lookup
    label = f" ({spec['label']})" if "label" in spec else ""
    if "any_of" in spec:
        lines = [f"{indent}at least one of{label}:"]
        for part in spec["any_of"]:
            sub = describe_condition(part, indent + "    ")
            lines += [indent + "  - " + sub[0].lstrip()] + sub[1:]
        return lines
    if "not" in spec:
        return [f"{indent}this must NOT hold{label}:"] + describe_condition(spec["not"], indent + "  ")
    if "schema" in spec:
        return ([f"{indent}it must match the JSON Schema{label}:"] +
                [f"{indent}  {line}" for line in yaml.safe_dump(spec["schema"], sort_keys=False).splitlines()])
    named = lookup(spec["check"])
    origin = f" (plug-in from {named.plugin})" if named is not None and named.plugin else ""
    description = " ".join(named.description.split()) if named is not None else "(not installed)"
    params = json.dumps(spec.get("with", {}), sort_keys=True)
    return [f"{indent}named check {spec['check']}{origin} with {params}{label}:",
            f"{indent}  " + (description or "(no description)")]


def explain_rule(rule_id: str, sources: list[PackSource]) -> str:
    pack, rule = find_rule(rule_id, sources)
    if rule is None:
        req = pack.requirement(rule_id)
        assert req is not None
        return (f"{req.id}  ({pack.id}@{pack.version}, manual requirement)\n{req.title}\n\n"
                f"Clause: {pack.source['name']} {req.clause}" + (f"\n  {req.url}" if req.url else "") +
                "\n\nNo rule can check this: a person attests it in model_card.attestations "
                "(requirement, attested_by, date, evidence_ref).\n")
    lines = [f"{rule.id}  ({pack.id}@{pack.version}, requirement {rule.requirement})", rule.title, ""]
    if rule.tiers:
        shown = dict(rule.tiers)
        if "prohibited" not in shown and rule.severity_at("prohibited"):
            shown["prohibited"] = f"{rule.severity_at('prohibited')} (its high severity)"
        lines.append("Severity by tier: " + ", ".join(f"{t} {s}" for t, s in shown.items())
                     + " (not applicable at other tiers)")
    else:
        lines.append(f"Severity: {rule.severity} at every tier")
    if rule.applies_from or rule.applies_until:
        lines.append("Applies: " + " ".join(filter(None, [
            f"from {rule.applies_from}" if rule.applies_from else None,
            f"until {rule.applies_until}" if rule.applies_until else None])))
    if rule.mode == "advisory":
        lines.append("Advisory: a violation warns and does not fail the gate.")
    if rule.rationale:
        lines += ["", "Why: " + rule.rationale.strip()]
    lines += ["", "References:"]
    for ref in rule.references:
        lines.append(f"  - {ref['regulation']} {ref['clause']}" + (f"  {ref['url']}" if ref.get("url") else ""))
    lines += ["", f"Checks: every node at {rule.scope or '/'} (evidence bundle pointer)"]
    if rule.if_:
        lines.append("  only if: " + ", ".join(rule.if_))
    if rule.unless:
        lines.append("  unless: " + ", ".join(rule.unless))
    if "when" in rule.spec:
        lines.append("  when the node matches: " + json.dumps(rule.spec["when"], sort_keys=True))
    lines += describe_condition(rule.spec["assert"], "  ")
    example = rule.example or passing_example(pack, rule)
    if example:
        lines += ["", "Evidence that satisfies it:"] + ["  " + line for line in example.rstrip().splitlines()]
    lines += ["", "Fix: " + rule.remediation.strip(), ""]
    return "\n".join(lines)
