"""`packs diff ID@V1 ID@V2`: what changed between two versions of a pack."""
from __future__ import annotations

import json
from typing import Any

from mlcompliance.policy.packs import Pack

_RULE_FIELDS = ("requirement", "title", "severity", "tiers", "applies_from", "applies_until", "scope", "if", "unless",
                "when", "assert", "mode", "message", "remediation", "references")
_REQUIREMENT_FIELDS = ("title", "clause", "manual", "section", "url")


def diff(old: Pack, new: Pack) -> dict[str, Any]:
    old_rules = {r.id: r.spec for r in old.rules}
    new_rules = {r.id: r.spec for r in new.rules}
    old_reqs = {r.id: r for r in old.requirements}
    new_reqs = {r.id: r for r in new.requirements}
    changed_rules = {}
    for rid in sorted(old_rules.keys() & new_rules.keys()):
        fields = [f for f in _RULE_FIELDS if _canon(old_rules[rid].get(f)) != _canon(new_rules[rid].get(f))]
        if fields:
            changed_rules[rid] = {f: {"old": old_rules[rid].get(f), "new": new_rules[rid].get(f)} for f in fields}
    changed_reqs = {}
    for rid in sorted(old_reqs.keys() & new_reqs.keys()):
        fields = [f for f in _REQUIREMENT_FIELDS if getattr(old_reqs[rid], f) != getattr(new_reqs[rid], f)]
        if fields:
            changed_reqs[rid] = {f: {"old": getattr(old_reqs[rid], f), "new": getattr(new_reqs[rid], f)} for f in fields}
    return {
        "pack": old.id, "from": old.version, "to": new.version,
        "rules": {"added": sorted(new_rules.keys() - old_rules.keys()),
                  "removed": sorted(old_rules.keys() - new_rules.keys()), "changed": changed_rules},
        "requirements": {"added": sorted(new_reqs.keys() - old_reqs.keys()),
                         "removed": sorted(old_reqs.keys() - new_reqs.keys()), "changed": changed_reqs},
    }


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def render_text(d: dict[str, Any]) -> str:
    lines = [f"{d['pack']}: {d['from']} -> {d['to']}"]
    for kind in ("requirements", "rules"):
        part = d[kind]
        lines.append(f"{kind}: {len(part['added'])} added, {len(part['removed'])} removed, {len(part['changed'])} changed")
        lines += [f"  + {x}" for x in part["added"]]
        lines += [f"  - {x}" for x in part["removed"]]
        for rid, fields in part["changed"].items():
            lines.append(f"  ~ {rid}")
            for name, change in fields.items():
                lines.append(f"      {name}: {_short(change['old'])} -> {_short(change['new'])}")
    return "\n".join(lines) + "\n"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 100 else text[:99] + "…"
