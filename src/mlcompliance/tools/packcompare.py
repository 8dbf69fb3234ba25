"""Fixtures that prove a pack's changes (``packs test --against OLD``).

Coverage asks each rule for a passing and a failing case; it does not ask whether any case
tells the new rule from the old one. This runs every fixture case of the newer version against
both versions and reports each change since the older one that no case tells apart:

- a rule changed in a field that can change an outcome (``packs diff`` kinds other than
  ``editorial``): at least one case must give it a different outcome under the two versions.
  Severities are left out (no outcome shows them), and so is a tier map whose tiers stay the
  same with other severities;
- a pack condition changed: at least one case must change the outcome of a rule that names it
  in ``if`` or ``unless``.

A change listed is either untested or changes no outcome at all (a ``required`` that the rule's
``when`` already implies, say); the list is for the pack's reviewers, and ``packs test`` keeps
its exit code. Rules added in the newer version are left to coverage. Parameters a case sets that the older
version does not declare are dropped for its run (the older rule used its fixed number).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlcompliance.evidence.loader import load_file
from mlcompliance.policy.diff import diff
from mlcompliance.policy.packs import Pack
from mlcompliance.tools.packtest import _validate_fixture, case_outcomes
from mlcompliance.vocab import TIERS

UNSEEN = "not_applicable"   # a rule with no finding in a case


@dataclass(frozen=True)
class Unproven:
    kind: str          # "rule" or "condition"
    name: str          # rule id or condition name
    fields: tuple[str, ...]   # what changed (rule fields), or the rules that use the condition

    def __str__(self) -> str:
        if self.kind == "rule":
            return f"{self.name}: changed ({', '.join(self.fields)}), but no case's outcome differs from the older version"
        return (f"condition {self.name}: changed, but no case changes the outcome of a rule using it "
                f"({', '.join(self.fields[:5])}{', ...' if len(self.fields) > 5 else ''})")


def outcome_changes(old: Pack, new: Pack) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Rules changed in a field that can change an outcome (id -> fields), and changed conditions
    that some rule of ``new`` uses (name -> those rules)."""
    d = diff(old, new)
    rules: dict[str, tuple[str, ...]] = {}
    for rid, fields in d["rules"]["changed"].items():
        kept = tuple(sorted(f for f, change in fields.items()
                            if change["kind"] != "editorial" and f != "severity"
                            and not (f == "tiers" and _tiers(change["old"]) == _tiers(change["new"]))))
        if kept:
            rules[rid] = kept
    conditions: dict[str, tuple[str, ...]] = {}
    for name in d["pack_fields"].get("conditions", {}):
        users = tuple(sorted(r.id for r in new.rules if name in r.if_ or name in r.unless))
        if users:
            conditions[name] = users
    return rules, conditions


def _tiers(tier_map: dict[str, str] | None) -> set[str]:
    """The tiers a tier map applies a rule at (no map: every tier, at the rule's severity)."""
    return set(tier_map) if tier_map else set(TIERS)


def unproven_changes(old: Pack, new: Pack) -> list[Unproven]:
    """Changes since ``old`` that no fixture case of ``new`` tells apart (see the module docstring)."""
    rules, conditions = outcome_changes(old, new)
    if not rules and not conditions:
        return []
    differing: set[str] = set()
    old_parameters = set(old.parameters)
    for path in sorted((new.directory / "tests").glob("*.yaml")):
        doc = load_file(path, str(path))
        _validate_fixture(doc)
        spec = doc.value
        for i, case in enumerate(spec["cases"]):
            a = case_outcomes(new, doc, spec, i, case)
            old_case: dict[str, Any] = dict(case)
            if case.get("parameters"):
                old_case["parameters"] = {k: v for k, v in case["parameters"].items() if k in old_parameters}
            b = case_outcomes(old, doc, spec, i, old_case)
            differing |= {rid for rid in a.keys() | b.keys() if a.get(rid, UNSEEN) != b.get(rid, UNSEEN)}
    out = [Unproven("rule", rid, fields) for rid, fields in sorted(rules.items()) if rid not in differing]
    out += [Unproven("condition", name, users) for name, users in sorted(conditions.items())
            if not differing & set(users)]
    return out
