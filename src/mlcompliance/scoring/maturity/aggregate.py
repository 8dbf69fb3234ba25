"""Evaluate a pack's maturity rubric (maturity.yaml) over that pack's findings.

``Findings`` indexes findings by rule id; ``Tracer`` evaluates the rubric's expressions
(docs/maturity.md) and records which findings each one read, so every maturity item can list
the rule ids and fingerprints that decided it. Nothing here reads evidence or files.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

HOLDS = frozenset({"pass"})
NOT_FAILED = frozenset({"pass", "not_applicable"})
BLOCKING = frozenset({"fail", "warn", "error"})   # a zero_if_failed rule with this outcome forces 0
MAX_EVIDENCE = 6


class Findings:
    """The findings of one pack, by rule id."""

    def __init__(self, findings: Iterable[Any]) -> None:
        self.by_rule: dict[str, list[Any]] = {}
        for f in findings:
            self.by_rule.setdefault(f.rule_id, []).append(f)

    def of(self, ref: str) -> list[Any]:
        """Findings of ``RULE`` or, for ``RULE[name]``, its finding(s) whose target ends in ``/name``."""
        rule, _, name = ref.partition("[")
        found = self.by_rule.get(rule, [])
        if name:
            suffix = "/" + name[:-1]
            found = [f for f in found if f.target.endswith(suffix)]
        return found

    def outcome(self, ref: str) -> str:
        """The worst outcome among the findings of ``ref`` (not_applicable when there are none)."""
        order = ("error", "fail", "warn", "waived", "manual", "pass", "not_applicable")
        seen = {f.outcome for f in self.of(ref)}
        return next((o for o in order if o in seen), "not_applicable")


class Tracer:
    """Evaluates expressions against the findings, the rubric's definitions and scored items."""

    def __init__(self, rubric: dict[str, Any], findings: Findings) -> None:
        self.rubric = rubric
        self.findings = findings
        self.scores: dict[str, float | None] = {}     # test and practice ids -> score, as they are computed
        self.cited: list[Any] = []
        self.support: set[str] = set()      # fingerprints read only through a definition ({use: ...})
        self.depends: list[str] = []
        self._in_use = 0

    def start(self) -> None:
        self.cited, self.depends, self.support = [], [], set()

    def holds(self, expr: Any) -> bool:
        """Every child is evaluated (no short-circuit), so the trace lists everything read."""
        if isinstance(expr, str):
            return self._ref(expr, HOLDS)
        key = next(iter(expr))
        value = expr[key]
        if key == "all":
            return all([self.holds(e) for e in value])
        if key == "any":
            return any([self.holds(e) for e in value])
        if key == "not_failed":
            return self._ref(value, NOT_FAILED)
        if key == "use":
            self._in_use += 1
            try:
                return self.holds(self.rubric["define"][value])
            finally:
                self._in_use -= 1
        signals = self.rubric["signals"]
        if key == "automated":
            return self.holds({"any": [{"all": [f"{signals['ci']}[{value}]", {"use": "ci_recurring"}]},
                                       f"{signals['automated']}[{value}]"]})
        if key == "shown":
            return self.holds({"any": [f"{signals['ci']}[{value}]", f"{signals['automated']}[{value}]",
                                       f"{signals['declared']}[{value}]"]})
        item = expr.get("test") or expr.get("practice")
        self.depends.append(item)
        score = self.scores.get(item)
        return score is not None and score >= expr["min"]

    def _ref(self, ref: str, good: frozenset[str]) -> bool:
        found = self.findings.of(ref)
        self.cited.extend(found)
        if self._in_use:
            self.support.update(f.fingerprint for f in found)
        return bool(found) and all(f.outcome in good for f in found)

    def trace(self) -> dict[str, Any]:
        """What the last evaluations read: findings (deduplicated, in order) and items depended on."""
        seen: dict[str, Any] = {}
        for f in self.cited:
            seen.setdefault(f.fingerprint, f)
        out: dict[str, Any] = {"decided_by": [{"rule_id": f.rule_id, "outcome": f.outcome, "file": f.file,
                                               "line": f.line, "fingerprint": f.fingerprint}
                                              for f in seen.values()]}
        if self.depends:
            out["depends_on"] = sorted(set(self.depends))
        return out

    def evidence(self, since: int = 0) -> list[dict[str, Any]]:
        """Passing findings read since position ``since`` of the trace (not those read only through a
        definition such as ci_recurring), as evidence lines (file, line, what)."""
        out, keys = [], set()
        for f in self.cited[since:]:
            if f.outcome != "pass" or f.fingerprint in self.support:
                continue
            key = (f.file, f.line, f.rule_id)
            if key not in keys:
                keys.add(key)
                out.append({"file": f.file, "line": f.line, "pointer": f.pointer, "what": f.title,
                            "rule_id": f.rule_id, "fingerprint": f.fingerprint})
        return out[:MAX_EVIDENCE]

    def failures(self, since: int = 0, limit: int = 2) -> list[str]:
        """Messages of the failed findings read since ``since`` (signal categories aside: their
        absence is what the reason's wording already says), for a reason."""
        found = [f.message for f in self.cited[since:] if f.outcome in BLOCKING and "/signals/" not in f.target
                 and f.fingerprint not in self.support]
        return list(dict.fromkeys(found))[:limit]


def score_item(t: Tracer, item: dict[str, Any]) -> tuple[float, list[dict[str, Any]], str | None, dict[str, Any]]:
    """(score, evidence, reason, trace) of a test, practice or principle with score_1 / score_half."""
    t.start()
    blockers = []
    for rid in item.get("zero_if_failed", []):
        t._ref(rid, NOT_FAILED)
        blockers += [f for f in t.findings.of(rid) if f.outcome in BLOCKING]
    mark = len(t.cited)
    one = t.holds(item["score_1"])
    one_evidence = t.evidence(mark)
    mark = len(t.cited)
    half = t.holds(item["score_half"])
    half_evidence = t.evidence(mark)
    why = t.failures(mark)
    why_text = f" ({'; '.join(why)})" if why else ""
    if blockers:
        return 0.0, [], "; ".join(dict.fromkeys(f.message for f in blockers)), t.trace()
    if one:
        return 1.0, one_evidence, None, t.trace()
    if half:
        return 0.5, half_evidence, f"manual or documented only; for 1: {item['one']}", t.trace()
    return 0.0, [], f"no evidence{why_text}; for 0.5: {item['half']}; for 1: {item['one']}", t.trace()
