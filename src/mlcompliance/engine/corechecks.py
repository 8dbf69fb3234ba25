"""Findings of the engine itself (pack `mlcompliance`): the declared risk tier and the waiver file."""
from __future__ import annotations

from typing import Any

from mlcompliance import __version__
from mlcompliance.engine.findings import Finding, Reference, WaiverNote, observation
from mlcompliance.engine.waivers import WaiverEntry
from mlcompliance.evidence import pointers
from mlcompliance.evidence.project import CONFIG_NAMES, Project

ENGINE_PACK = "mlcompliance"


def _finding(rule_id: str, title: str, outcome: str, severity: str, message: str, remediation: str,
             references: list[dict[str, str]], file: str, line: int, column: int, pointer: str,
             observed: Any = pointers.MISSING, detail: str | None = None, waiver: WaiverNote | None = None) -> Finding:
    return Finding(rule_id=rule_id, pack=ENGINE_PACK, pack_version=__version__, requirement=rule_id, title=title,
                   outcome=outcome, severity=severity, message=message, remediation=remediation,
                   references=tuple(Reference(r["regulation"], r["clause"], r.get("url")) for r in references),
                   file=file, line=line, column=column, target=pointer, pointer=pointer,
                   observed=observation(observed), detail=detail, waiver=waiver)


def tier_findings(project: Project, risk: dict[str, Any]) -> list[Finding]:
    loc = project.locate("/model_card/risk/tier")
    references = [{"regulation": f["regime"], "clause": f["clause"], "url": f["url"]} for f in risk["basis"]] or \
        [{"regulation": "mlcompliance", "clause": "risk tier model (docs/scoring.md)"}]
    title = "The declared risk tier is not below the tier the model card's own facts give"
    remediation = ("Declare risk.tier at least as high as the derived tier, or record risk.override "
                   "(to, justification, approved_by, approved_at) approved by the accountable risk owner.")
    problems = {p["kind"]: p["message"] for p in risk["problems"]}
    if "undeclared" in problems:
        return [_finding("MLC-TIER-DECLARED", title, "fail", "medium", problems["undeclared"], remediation,
                         references, loc.file, loc.line, loc.column, loc.pointer)]
    if "under_declared" in problems:
        return [_finding("MLC-TIER-DECLARED", title, "fail", "high", problems["under_declared"], remediation,
                         references, loc.file, loc.line, loc.column, loc.pointer, observed=risk["declared"],
                         detail=f"derived tier: {risk['derived']}")]
    message = title if not risk.get("override") else (
        f"Tier '{risk['declared']}' is accepted below the derived '{risk['derived']}' by an override approved by "
        f"{risk['override']['approved_by']} on {risk['override']['approved_at']}.")
    return [_finding("MLC-TIER-DECLARED", title, "pass", "high", message, remediation, references,
                     loc.file, loc.line, loc.column, loc.pointer)]


def pack_findings(project: Project, packs: list[Any], as_of: Any) -> list[Finding]:
    """MLC-PACK-STALE: a warning for each chosen pack whose `review_by` date is before the as-of
    date (its authors have not re-checked it against the law since); non-blocking."""
    out = []
    for pack in packs:
        if pack.review_by is None or as_of <= pack.review_by:
            continue
        file, (line, column) = CONFIG_NAMES[0], (1, 1)
        if project.config is not None:
            file, (line, column) = project.config.path, project.config.location(f"/packs/{pack.id}")
        checked = f" (law as of {pack.law_as_of.isoformat()})" if pack.law_as_of else ""
        out.append(_finding(
            "MLC-PACK-STALE", "A chosen policy pack is past its review date", "warn", "medium",
            f"Pack {pack.id}@{pack.version}{checked} was due for review against the law by "
            f"{pack.review_by.isoformat()}; as of {as_of.isoformat()} the law it encodes may have changed.",
            f"Install and pin a newer version of {pack.id} if one exists (`mlcompliance packs list`), or have the "
            "pack's owner re-check it against its sources and release a version with a new review_by date.",
            [{"regulation": "mlcompliance", "clause": "pack versions and the law (docs/packs.md)"}],
            file, line or 1, column or 1, f"/packs/{pack.id}", observed=pack.review_by.isoformat(), detail=f"pack {pack.id}@{pack.version}"))
    return out


_WAIVER_FINDINGS = {
    "invalid": ("fail", "medium", "The waiver is malformed and is not applied"),
    "not_yet_valid": ("fail", "medium", "The waiver is dated after the as-of date and is not applied"),
    "expired": ("fail", "medium", "The waiver has expired; the findings it covered fail again"),
    "over_long": ("fail", "medium", "The waiver lasts longer than its pack allows and is not applied"),
    "stale": ("warn", "low", "The waiver matches no failing finding"),
    "expiring": ("warn", "low", "The waiver expires soon"),
}


def waiver_findings(register: list[WaiverEntry]) -> list[Finding]:
    out = []
    for entry in register:
        if entry.status not in _WAIVER_FINDINGS:
            continue
        outcome, severity, title = _WAIVER_FINDINGS[entry.status]
        message = f"Waiver {entry.id}" + (f" for {entry.rule}" if entry.rule else "") + \
            f": {entry.reason if entry.reason is not None else title}"
        out.append(_finding(f"MLC-WAIVER-{entry.status.upper().replace('_', '-')}", title, outcome, severity,
                            message, "Renew, correct or remove the waiver in the waiver file; an accepted risk needs "
                            "a justification, an approver, a creation date and an expiry within the pack's limit.",
                            [{"regulation": "mlcompliance", "clause": "waivers (docs/waivers.md)"}],
                            entry.file, entry.line, 1, entry.pointer, observed=entry.status,
                            waiver=WaiverNote(id=entry.id, status=entry.status)))
    return out
