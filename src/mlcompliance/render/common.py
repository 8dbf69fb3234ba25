"""Small helpers shared by the text renderers."""
from __future__ import annotations

import json

from mlcompliance.engine.findings import thaw
from mlcompliance.result.model import Finding, PackSummary, Result, Score
from mlcompliance.vocab import PROBLEMS, SEVERITY_RANK


def problems(result: Result) -> list[Finding]:
    """Failing, erroring and warning findings, most severe first."""
    found = [f for f in result.findings if f.outcome in PROBLEMS]
    return sorted(found, key=lambda f: (-SEVERITY_RANK[f.severity], PROBLEMS.index(f.outcome),
                                        f.pack, f.rule_id, f.file, f.line))


def where(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}"


def observed(finding: Finding) -> str:
    """The observed value as text; "missing" when the value at fault is absent; "" when none."""
    if finding.observed_missing:
        return "missing"
    if not finding.has_observed:
        return ""
    value = finding.observed
    return value if isinstance(value, str) else json.dumps(thaw(value), ensure_ascii=False)


def score_text(score: Score) -> str:
    if score.raw is None:
        return "n/a (nothing scored)"
    text = f"{score.raw:.1f}% ({score.numerator}/{score.denominator})"
    if score.with_accepted_risk != score.raw:
        text += f", {score.with_accepted_risk:.1f}% with accepted risk"
    return text


def tier_text(result: Result) -> str:
    risk = result.risk
    declared, derived = risk.declared, risk.derived
    if declared is None:
        return f"{risk.tier} (none declared: fail closed)"
    if (risk.override or {}).get("accepted"):
        return f"{risk.tier} (declared; override below the derived {derived})"
    if declared == risk.tier:
        return f"{risk.tier} (declared" + (f"; derived {derived})" if derived and derived != declared else ")")
    return f"{risk.tier} (derived; declared {declared} is too low)"


def verdict_text(result: Result) -> str:
    gate = result.gate
    n = len(gate.blocking)
    source = f" ({gate.source})" if gate.source else ""
    new = " new" if gate.new_only else ""
    if gate.verdict == "compliant":
        return f"COMPLIANT: no{new} fail or error finding at or above '{gate.fail_on}'{source}"
    return f"NON-COMPLIANT: {n}{new} finding{'s' if n != 1 else ''} at or above '{gate.fail_on}' block{source}"


def manual_text(pack: PackSummary) -> str:
    total = pack.manual.total
    if not total:
        return ""
    return (f"; {total} manual requirement{'s' if total != 1 else ''} need a person's attestation "
            f"({pack.manual.attested} attested)")


def baseline_text(result: Result) -> str:
    """One line on the comparison with a baseline ('' without one)."""
    b = result.baseline
    if b is None:
        return ""
    return (f"{b.new} new, {b.recurring} recurring, {len(b.fixed)} fixed since {b.file} (as of {b.as_of})"
            + ("; only new findings block the gate" if result.gate.new_only else ""))


def maturity_text(result: Result) -> str:
    m = result.maturity
    if not m:
        return ""
    if m.get("assessed") is False:
        return f"not assessed: {m.get('reason', '')}"
    score = m["ml_test_score"]
    sections = ", ".join(f"{k} {v:g}" for k, v in score["sections"].items())
    return (f"Stage {m['stage']['stage']} ({m['stage']['label']}); ML Test Score {score['final']:g} "
            f"({sections}); Google level {m['google_level']}, Azure level {m['azure_level']}")


def basis_text(result: Result) -> list[str]:
    """One line per fact that set the derived tier."""
    return [f"{f.regime} {f.clause} ({f.fact})" for f in result.risk.basis]
