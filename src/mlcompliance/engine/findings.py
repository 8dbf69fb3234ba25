"""The finding: one rule (or manual requirement) applied to one target, and its outcome.

Frozen and built with keyword arguments only; its JSON form is written by ``result.codec``.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from mlcompliance.evidence import pointers
from mlcompliance.vocab import PROBLEMS

MAX_OBSERVED_CHARS = 200


def freeze(value: Any) -> Any:
    """A read-only copy of a JSON-ready value: mappings become read-only, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The JSON-ready (dict and list) copy of a frozen value."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Reference:
    """A clause of a regulation or standard that a rule or requirement enforces."""
    regulation: str
    clause: str
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Attestation:
    """A person's attestation of a manual requirement (model_card.attestations)."""
    attested_by: str
    date: str
    statement: str | None = None
    evidence_ref: str | None = None
    expires: str | None = None      # after this date it no longer counts (a person must attest again)

    def expired(self, as_of: Any) -> bool:
        """Whether the attestation has lapsed on ``as_of`` (a date): it expires at the end of ``expires``."""
        return self.expires is not None and as_of.isoformat() > self.expires


@dataclass(frozen=True, slots=True, kw_only=True)
class WaiverNote:
    """The waiver a finding is covered by (or, on an engine waiver finding, the waiver it is about)."""
    id: str
    status: str
    expires: str | None = None
    approver: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """Immutable; a waiver or a baseline gives a new finding (``dataclasses.replace``)."""
    rule_id: str
    pack: str
    pack_version: str
    requirement: str
    title: str
    outcome: str
    severity: str
    message: str
    remediation: str
    references: tuple[Reference, ...]
    file: str
    line: int
    column: int
    target: str                  # in-file JSON pointer of the node the rule visited
    pointer: str                 # in-file JSON pointer of the value at fault (= target on pass)
    observed: Any = pointers.MISSING   # clipped and frozen (see observation())
    detail: str | None = None
    attestation: Attestation | None = None
    waiver: WaiverNote | None = None
    baseline: str | None = None  # vocab.BASELINE_STATES, only when compared with a baseline
    parameters: Mapping[str, Any] | None = None   # pack parameter values the rule used (name -> value)
    fingerprint: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Stable identity across edits: rule + file + target pointer, never a line number.
        raw = f"{self.rule_id}\0{self.file}\0{self.target}".encode()
        object.__setattr__(self, "fingerprint", hashlib.sha256(raw).hexdigest()[:20])

    def sort_key(self) -> tuple:
        return (self.pack, self.rule_id, self.file, natural_key(self.target))

    @property
    def has_observed(self) -> bool:
        return self.observed is not pointers.MISSING

    @property
    def observed_missing(self) -> bool:
        """True when a problem finding has no observed value (the value at fault is absent)."""
        return self.observed is pointers.MISSING and self.outcome in PROBLEMS


def observation(value: Any) -> Any:
    """What a finding keeps of an observed value: clipped for reports and frozen."""
    return value if value is pointers.MISSING else freeze(clip(value))


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
