"""Small helpers shared by the text renderers."""
from __future__ import annotations

from typing import Any

from mlcompliance.engine.findings import SEVERITY_RANK

PROBLEM_OUTCOMES = ("fail", "error", "warn")


def problems(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Failing, erroring and warning findings, most severe first."""
    found = [f for f in result["findings"] if f["outcome"] in PROBLEM_OUTCOMES]
    return sorted(found, key=lambda f: (-SEVERITY_RANK[f["severity"]], PROBLEM_OUTCOMES.index(f["outcome"]),
                                        f["pack"], f["rule_id"], f["location"]["file"], f["location"]["line"]))


def where(finding: dict[str, Any]) -> str:
    loc = finding["location"]
    return f"{loc['file']}:{loc['line']}"


def observed(finding: dict[str, Any]) -> str:
    if finding.get("observed_missing"):
        return "missing"
    if "observed" not in finding:
        return ""
    import json
    value = finding["observed"]
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def score_text(score: dict[str, Any]) -> str:
    if score["raw"] is None:
        return "n/a (nothing scored)"
    text = f"{score['raw']:.1f}% ({score['numerator']}/{score['denominator']})"
    if score["with_accepted_risk"] != score["raw"]:
        text += f", {score['with_accepted_risk']:.1f}% with accepted risk"
    return text


def tier_text(result: dict[str, Any]) -> str:
    risk = result["risk"]
    declared, derived = risk.get("declared"), risk.get("derived")
    if declared is None:
        return f"{risk['tier']} (none declared: fail closed)"
    if (risk.get("override") or {}).get("accepted"):
        return f"{risk['tier']} (declared; override below the derived {derived})"
    if declared == risk["tier"]:
        return f"{risk['tier']} (declared" + (f"; derived {derived})" if derived and derived != declared else ")")
    return f"{risk['tier']} (derived; declared {declared} is too low)"


def verdict_text(result: dict[str, Any]) -> str:
    gate = result["gate"]
    n = len(gate["blocking"])
    source = f" ({gate['source']})" if gate.get("source") else ""
    if gate["verdict"] == "compliant":
        return f"COMPLIANT: no fail or error finding at or above '{gate['fail_on']}'{source}"
    return f"NON-COMPLIANT: {n} finding{'s' if n != 1 else ''} at or above '{gate['fail_on']}' block{source}"


def manual_text(pack: dict[str, Any]) -> str:
    manual = pack.get("manual") or {}
    total = manual.get("total", 0)
    if not total:
        return ""
    return (f"; {total} manual requirement{'s' if total != 1 else ''} need a person's attestation "
            f"({manual.get('attested', 0)} attested)")


def maturity_text(result: dict[str, Any]) -> str:
    m = result.get("maturity")
    if not m:
        return ""
    if m.get("assessed") is False:
        return f"not assessed: {m.get('reason', '')}"
    score = m["ml_test_score"]
    sections = ", ".join(f"{k} {v:g}" for k, v in score["sections"].items())
    return (f"Stage {m['stage']['stage']} ({m['stage']['label']}); ML Test Score {score['final']:g} "
            f"({sections}); Google level {m['google_level']}, Azure level {m['azure_level']}")


def basis_text(result: dict[str, Any]) -> list[str]:
    """One line per fact that set the derived tier."""
    return [f"{f['regime']} {f['clause']} ({f['fact']})" for f in result["risk"].get("basis", [])]
