"""Counts and compliance scores: one published formula (docs/scoring.md).

Each finding has a weight from its severity at the project's tier (a rule's tier map sets
that severity, so the tier enters the weight): critical 10, high 5, medium 2, low 1, info 0.

    raw score                = sum(weight of pass findings) / sum(weight of scored findings)
    with-accepted-risk score = sum(weight of pass and waived findings) / same denominator

Scored findings are pass, fail, error and waived: error counts as a failure (0), a waived
finding counts as a failure in the raw score, so a waiver can never raise it.
not_applicable, warn and manual findings are not scored; manual requirements are counted
separately (total and attested). A score is computed per requirement, per pack and over
all packs, always with its numerator and denominator. No scored finding: no score (None).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from mlcompliance.vocab import ACCEPTED, OUTCOMES, SCORED, STATUS_ORDER, WEIGHTS


class Scorable(Protocol):
    outcome: str
    severity: str


@dataclass(frozen=True, slots=True)
class Counts:
    """Number of findings per outcome; iterates in ``vocab.OUTCOMES`` order."""
    fail: int = 0
    error: int = 0
    warn: int = 0
    manual: int = 0
    waived: int = 0
    pass_: int = 0          # "pass" (a Python keyword)
    not_applicable: int = 0

    def __getitem__(self, outcome: str) -> int:
        return getattr(self, "pass_" if outcome == "pass" else outcome)

    def items(self) -> Iterator[tuple[str, int]]:
        return ((o, self[o]) for o in OUTCOMES)

    @classmethod
    def of(cls, seen: dict[str, int]) -> Counts:
        return cls(**{("pass_" if o == "pass" else o): seen.get(o, 0) for o in OUTCOMES})


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    """The published weighted score with its numerators and denominator (None: nothing scored)."""
    numerator: int
    numerator_with_accepted_risk: int
    denominator: int
    raw: float | None
    with_accepted_risk: float | None


def counts(findings: Iterable[Scorable]) -> Counts:
    return Counts.of(Counter(f.outcome for f in findings))


def score(findings: Iterable[Scorable]) -> Score:
    denominator = passed = accepted = 0
    for f in findings:
        if f.outcome not in SCORED:
            continue
        weight = WEIGHTS[f.severity]
        denominator += weight
        if f.outcome == "pass":
            passed += weight
        if f.outcome in ACCEPTED:
            accepted += weight
    return Score(numerator=passed, numerator_with_accepted_risk=accepted, denominator=denominator,
                 raw=_percent(passed, denominator), with_accepted_risk=_percent(accepted, denominator))


def status(findings: Iterable[Scorable]) -> str:
    """The worst outcome among a requirement's findings."""
    outcomes = {f.outcome for f in findings}
    return next((o for o in STATUS_ORDER if o in outcomes), "not_applicable")


def _percent(numerator: int, denominator: int) -> float | None:
    return round(100.0 * numerator / denominator, 1) if denominator else None
