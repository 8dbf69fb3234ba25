"""`packs diff ID@V1 ID@V2`: what changed between two versions of a pack.

Besides requirements and rules, the pack-level fields that decide what a rule means: the law it
reflects (`source`, `sources`, `law_as_of`, `review_by`), the named `conditions` (compared as
canonical JSON), `parameters`, `waiver_max_days` and `description`. Each change is classified
where its direction can be told from the data: `stricter` (more can fail or block), `looser`
(less), `editorial` (no outcome can change: wording, references, the law's version record), or
`changed` (it can change outcomes either way: an assertion, a condition, a scope).
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from mlcompliance.policy.packs import Pack, _param_refs
from mlcompliance.vocab import SEVERITY_RANK, TIERS

_RULE_FIELDS = ("requirement", "title", "rationale", "severity", "tiers", "applies_from", "applies_until", "scope",
                "if", "unless", "when", "assert", "mode", "message", "remediation", "references")
_REQUIREMENT_FIELDS = ("title", "clause", "manual", "section", "url", "description", "if_", "unless", "tiers")
_EDITORIAL_RULE = {"requirement", "title", "rationale", "message", "remediation", "references"}
_PACK_TEXT = ("title", "description", "source", "sources", "law_as_of", "review_by", "engine")
# check parameters that are an upper limit (a larger value accepts more) or a lower one
_UPPER = {"max_days", "limit", "tolerance", "grace_days", "max"}
_LOWER = {"min"}


def diff(old: Pack, new: Pack) -> dict[str, Any]:
    old_rules = {r.id: r.spec for r in old.rules}
    new_rules = {r.id: r.spec for r in new.rules}
    old_reqs = {r.id: r for r in old.requirements}
    new_reqs = {r.id: r for r in new.requirements}
    changed_rules = {}
    for rid in sorted(old_rules.keys() & new_rules.keys()):
        fields = [f for f in _RULE_FIELDS if _canon(old_rules[rid].get(f)) != _canon(new_rules[rid].get(f))]
        if fields:
            changed_rules[rid] = {f: {"old": old_rules[rid].get(f), "new": new_rules[rid].get(f),
                                      "kind": _rule_kind(f, old_rules[rid], new_rules[rid])} for f in fields}
    changed_reqs = {}
    for rid in sorted(old_reqs.keys() & new_reqs.keys()):
        fields = [f for f in _REQUIREMENT_FIELDS if getattr(old_reqs[rid], f) != getattr(new_reqs[rid], f)]
        if fields:
            changed_reqs[rid] = {f.rstrip("_"): {"old": _plain(getattr(old_reqs[rid], f)),
                                                 "new": _plain(getattr(new_reqs[rid], f)),
                                                 "kind": "editorial" if f in ("title", "clause", "section", "url",
                                                                              "description") else "changed"}
                                 for f in fields}
    pack = _pack_changes(old, new)
    out = {
        "pack": old.id, "from": old.version, "to": new.version,
        "pack_fields": pack,
        "rules": {"added": sorted(new_rules.keys() - old_rules.keys()),
                  "removed": sorted(old_rules.keys() - new_rules.keys()), "changed": changed_rules},
        "requirements": {"added": sorted(new_reqs.keys() - old_reqs.keys()),
                         "removed": sorted(old_reqs.keys() - new_reqs.keys()), "changed": changed_reqs},
    }
    out["summary"] = _summary(out)
    return out


# --- pack-level fields ---------------------------------------------------------------------------

def _pack_changes(old: Pack, new: Pack) -> dict[str, Any]:
    a, b = old.manifest or {}, new.manifest or {}
    out: dict[str, Any] = {}
    for name in _PACK_TEXT:
        if _canon(a.get(name)) != _canon(b.get(name)):
            out[name] = {"old": a.get(name), "new": b.get(name), "kind": "editorial"}
    conditions = _keyed(a.get("conditions") or {}, b.get("conditions") or {}, lambda *_: "changed")
    if conditions:
        out["conditions"] = conditions
    waivers = _keyed(a.get("waiver_max_days") or {}, b.get("waiver_max_days") or {}, _waiver_kind)
    if waivers:
        out["waiver_max_days"] = waivers
    directions = {**_directions(old), **_directions(new)}
    params = _keyed(a.get("parameters") or {}, b.get("parameters") or {},
                    lambda name, o, n: _parameter_kind(o, n, directions.get(name)))
    if params:
        out["parameters"] = params
    return out


def _keyed(old: dict[str, Any], new: dict[str, Any], kind: Any) -> dict[str, Any]:
    """Per key: added, removed or changed (canonical JSON), with its kind."""
    out = {}
    for key in sorted(old.keys() | new.keys()):
        o, n = old.get(key), new.get(key)
        if _canon(o) == _canon(n):
            continue
        out[key] = {"old": o, "new": n, "kind": kind(key, o, n)}
    return out


def _waiver_kind(_key: str, old: Any, new: Any) -> str:
    if old is None:
        return "stricter"     # a cap where there was none
    if new is None:
        return "looser"
    return "stricter" if new < old else "looser"


def _directions(pack: Pack) -> dict[str, str]:
    """Parameter name -> "upper" or "lower": how the checks that use it read it (unknown: absent)."""
    seen: dict[str, set[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "check" in node:
                for path, name in _param_refs(node.get("with") or {}):
                    key = path.split("/")[1] if path.count("/") else ""
                    seen.setdefault(name, set()).add("upper" if key in _UPPER else "lower" if key in _LOWER else "?")
            for inner in node.get("any_of", []) or []:
                walk(inner)
            if "not" in node:
                walk(node["not"])
    for rule in pack.rules:
        walk(rule.spec.get("assert"))
    return {name: next(iter(d)) for name, d in seen.items() if len(d) == 1 and "?" not in d}


def _parameter_kind(old: Any, new: Any, direction: str | None) -> str:
    if old is None or new is None:
        return "changed"
    if {k: v for k, v in old.items() if k not in ("description", "note")} == \
            {k: v for k, v in new.items() if k not in ("description", "note")}:
        return "editorial"
    if old.get("default") == new.get("default") or direction is None or old.get("basis") != new.get("basis"):
        return "changed"
    larger = new["default"] > old["default"]
    return "looser" if larger == (direction == "upper") else "stricter"


# --- rules ----------------------------------------------------------------------------------------

def _rule_kind(name: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    if name in _EDITORIAL_RULE:
        return "editorial"
    if name == "severity":
        return _rank_kind(old.get("severity"), new.get("severity"))
    if name == "tiers":
        return _tiers_kind(old, new)
    if name == "applies_from":
        return _date_kind(old.get(name), new.get(name), earlier_is="stricter")
    if name == "applies_until":
        return _date_kind(old.get(name), new.get(name), earlier_is="looser")
    if name == "mode":
        return "stricter" if new.get("mode", "enforce") == "enforce" else "looser"
    return "changed"


def _rank_kind(old: str | None, new: str | None) -> str:
    a, b = SEVERITY_RANK.get(old or "", -1), SEVERITY_RANK.get(new or "", -1)
    return "stricter" if b > a else "looser" if b < a else "editorial"


def _tiers_kind(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Per tier, the severity before and after (absent: not applicable); all up -> stricter, all down -> looser."""
    def at(rule: dict[str, Any], tier: str) -> int:
        tiers = rule.get("tiers")
        severity = rule.get("severity") if tiers is None else tiers.get(tier)
        return SEVERITY_RANK.get(severity or "", -1)
    moves = {(at(new, t) > at(old, t)) - (at(new, t) < at(old, t)) for t in TIERS} - {0}
    return "stricter" if moves == {1} else "looser" if moves == {-1} else "changed" if moves else "editorial"


def _date_kind(old: Any, new: Any, earlier_is: str) -> str:
    """A date bounding when a rule applies: a start or end added narrows it (looser), one removed widens
    it (stricter); moved, an earlier start is stricter and an earlier end looser."""
    if old is None:
        return "looser"
    if new is None:
        return "stricter"
    a, b = date.fromisoformat(str(old)), date.fromisoformat(str(new))
    return earlier_is if b < a else ("looser" if earlier_is == "stricter" else "stricter")


# --- summary and text -----------------------------------------------------------------------------

def _summary(d: dict[str, Any]) -> dict[str, int]:
    counts = {"stricter": len(d["rules"]["added"]), "looser": len(d["rules"]["removed"]), "editorial": 0,
              "changed": 0}
    for fields in d["rules"]["changed"].values():
        for change in fields.values():
            counts[change["kind"]] += 1
    for fields in d["requirements"]["changed"].values():
        for change in fields.values():
            counts[change["kind"]] += 1
    for name, value in d["pack_fields"].items():
        for change in ([value] if "kind" in value else value.values()):
            counts[change["kind"]] += 1
    return counts


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def render_text(d: dict[str, Any]) -> str:
    s = d["summary"]
    lines = [f"{d['pack']}: {d['from']} -> {d['to']}",
             f"changes: {s['stricter']} stricter, {s['looser']} looser, {s['changed']} changed (either way), "
             f"{s['editorial']} editorial"]
    pack = d["pack_fields"]
    lines.append(f"pack: {len(pack)} field{'s' if len(pack) != 1 else ''} changed")
    for name, value in pack.items():
        if "kind" in value:
            lines.append(f"  ~ {name} [{value['kind']}]: {_short(value['old'])} -> {_short(value['new'])}")
        else:
            for key, change in value.items():
                lines.append(f"  ~ {name}.{key} [{change['kind']}]: {_short(change['old'])} -> {_short(change['new'])}")
    for kind in ("requirements", "rules"):
        part = d[kind]
        lines.append(f"{kind}: {len(part['added'])} added, {len(part['removed'])} removed, {len(part['changed'])} changed")
        lines += [f"  + {x}" for x in part["added"]]
        lines += [f"  - {x}" for x in part["removed"]]
        for rid, fields in part["changed"].items():
            lines.append(f"  ~ {rid}")
            for name, change in fields.items():
                lines.append(f"      {name} [{change['kind']}]: {_short(change['old'])} -> {_short(change['new'])}")
    return "\n".join(lines) + "\n"


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 100 else text[:99] + "…"
