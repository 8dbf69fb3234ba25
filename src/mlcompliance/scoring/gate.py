"""The CI verdict: which findings block, and therefore the exit code.

A fail or error finding blocks when its severity is at or above the gate threshold for the
project's risk tier. Default table (high and critical block at every tier; at prohibited, all but info):

| tier       | blocks at or above |
|------------|--------------------|
| minimal    | high               |
| limited    | high               |
| high       | high               |
| prohibited | low                |

A rule's severity is already the severity at the project's tier (its pack's tier map lowers a
duty that weighs less at a lower tier), so the threshold does not discount it a second time: a
breach of a binding duty (high or critical at that tier) blocks whatever the tier
(docs/scoring.md section 2).

`gate.fail_on` in mlcompliance.yaml (one severity, or one per tier) replaces the table;
`--fail-on` replaces both.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mlcompliance.engine.findings import Finding
from mlcompliance.vocab import BLOCKING, SEVERITY_RANK

DEFAULT_FAIL_ON = {"minimal": "high", "limited": "high", "high": "high", "prohibited": "low"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Gate:
    """The verdict and the fingerprints of the findings that block it."""
    tier: str
    fail_on: str
    source: str
    verdict: str
    blocking: tuple[str, ...]
    new_only: bool = False   # --fail-on-new: only findings new since the baseline block


def threshold(tier: str, flag: str | None, configured: str | dict[str, str] | None) -> tuple[str, str]:
    """(lowest blocking severity, where it came from)."""
    if flag:
        return flag, "--fail-on"
    if isinstance(configured, str):
        return configured, "mlcompliance.yaml gate.fail_on"
    if isinstance(configured, dict) and tier in configured:
        return configured[tier], f"mlcompliance.yaml gate.fail_on.{tier}"
    return DEFAULT_FAIL_ON[tier], f"default table for tier {tier}"


def decide(findings: Iterable[Finding], tier: str, flag: str | None, configured: str | dict[str, str] | None,
           new_only: bool = False) -> Gate:
    """The gate, decided here only: threshold from flag / configuration / tier table, then blocking findings.

    With ``new_only`` a finding blocks only when it is new since the baseline (``baseline == "new"``)."""
    fail_on, source = threshold(tier, flag, configured)
    rank = SEVERITY_RANK[fail_on]
    blocking = tuple(f.fingerprint for f in findings
                     if f.outcome in BLOCKING and SEVERITY_RANK[f.severity] >= rank
                     and (not new_only or f.baseline == "new"))
    return Gate(tier=tier, fail_on=fail_on, source=source, verdict="non_compliant" if blocking else "compliant",
                blocking=blocking, new_only=new_only)
