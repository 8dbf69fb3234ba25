"""The finding: one rule (or manual requirement) applied to one target, and its outcome."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from mlcompliance.evidence import pointers

OUTCOMES = ("fail", "error", "warn", "manual", "waived", "pass", "not_applicable")
SEVERITIES = ("info", "low", "medium", "high", "critical")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
MAX_OBSERVED_CHARS = 200


@dataclass
class Finding:
    rule_id: str
    pack: str
    pack_version: str
    requirement: str
    title: str
    outcome: str
    severity: str
    message: str
    remediation: str
    references: list[dict[str, str]]
    file: str
    line: int
    column: int
    target: str                  # in-file JSON pointer of the node the rule visited
    pointer: str                 # in-file JSON pointer of the value at fault (= target on pass)
    observed: Any = pointers.MISSING
    detail: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)   # waiver, attestation, ...

    @property
    def fingerprint(self) -> str:
        """Stable identity across edits: rule + file + target pointer, never a line number."""
        raw = f"{self.rule_id}\0{self.file}\0{self.target}".encode()
        return hashlib.sha256(raw).hexdigest()[:20]

    def sort_key(self) -> tuple:
        return (self.pack, self.rule_id, self.file, natural_key(self.target))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule_id": self.rule_id, "pack": self.pack, "pack_version": self.pack_version,
            "requirement": self.requirement, "title": self.title, "outcome": self.outcome,
            "severity": self.severity, "message": self.message, "remediation": self.remediation,
            "references": self.references,
            "location": {"file": self.file, "line": self.line, "column": self.column,
                         "pointer": self.pointer, "target": self.target},
        }
        if self.observed is not pointers.MISSING:
            out["observed"] = clip(self.observed)
        elif self.outcome in ("fail", "warn", "error"):
            out["observed_missing"] = True
        if self.detail:
            out["detail"] = self.detail
        out.update(self.extra)
        out["fingerprint"] = self.fingerprint
        return out


def natural_key(pointer: str) -> tuple:
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in pointer.split("/"))


def clip(value: Any) -> Any:
    """Keep observed values small enough to read in a report."""
    if isinstance(value, str):
        return value if len(value) <= MAX_OBSERVED_CHARS else value[:MAX_OBSERVED_CHARS - 1] + "…"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) <= MAX_OBSERVED_CHARS:
        return value
    if isinstance(value, dict):
        return f"{{mapping with {len(value)} fields}}"
    if isinstance(value, list):
        return f"[list of {len(value)} items]"
    return text[:MAX_OBSERVED_CHARS - 1] + "…"


_PLACEHOLDER = re.compile(r"\{(\$?[A-Za-z_][A-Za-z0-9_.]*)\}")


def fill(template: str, node: Any, extras: dict[str, Any]) -> str:
    """Fill ``{field}``, ``{field.sub}`` from ``node`` and ``{$name}`` from ``extras``.

    Plain substitution by lookup, never formatting code: unknown placeholders stay as written.
    """
    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("$"):
            value = extras.get(name[1:], pointers.MISSING)
        else:
            value = node
            for part in name.split("."):
                value = value.get(part, pointers.MISSING) if isinstance(value, dict) else pointers.MISSING
        if value is pointers.MISSING:
            return match.group(0) if name.startswith("$") else "(missing)"
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:79] + "…"
    return _PLACEHOLDER.sub(lookup, template)
