"""The workpaper parts of the reports: the executive summary, the sign-off block, the
requirements register and the attestation register (issue 12, "Exceptions first", "Workpaper").

Pure functions of the typed result, like ``view``: no figure is computed here that scoring did
not put in the result, except counts of what the result lists (blocking findings by severity,
rules by their worst outcome, waivers by state). The HTML report shows them
(``templates/html/sections/summary.html.j2``, ``signoff.html.j2``, ``registers.html.j2``) and the
two registers are also CSV formats (``requirements-csv``, ``attestations-csv``: ``render/registers_csv.py``).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from mlcompliance.result.model import Finding, Result, Signer
from mlcompliance.vocab import SEVERITIES, STATUS_ORDER

TOP_BLOCKING = 5
"""How many blocking findings the executive summary names (the verdict section lists them all)."""

EXPIRING_DAYS = 30
"""A waiver in force that expires within this many days of the as-of date is named (as the
waiver engine's ``expiring`` status, engine/waivers.py)."""

STATUS_TEXT = {"error": "not met (error)", "fail": "not met", "warn": "met with warnings",
               "waived": "met with accepted risk", "pass": "met", "manual": "needs attestation",
               "not_applicable": "not applicable"}
"""A requirement's status (the worst outcome of its findings, scoring.status) in words."""

ATTESTED = "attested"
EXPIRING = "attested, expiring"
EXPIRED = "expired"
NOT_ATTESTED = "not attested"
NOT_APPLICABLE = "not applicable"
OPEN_STATES = (NOT_ATTESTED, EXPIRED)
"""Attestation states that leave a manual requirement open: nobody attested it, or the
attestation lapsed (``expires`` before the as-of date)."""


def attestation_state(a: Any, as_of: Any) -> str:
    """attested / attested, expiring (within 30 days of ``as_of``) / expired, for an attestation."""
    if a.expired(as_of):
        return EXPIRED
    if a.expires is not None and (date.fromisoformat(a.expires) - as_of).days <= EXPIRING_DAYS:
        return EXPIRING
    return ATTESTED


def _anchor(fingerprint: str) -> str:
    return "f-" + "".join(c for c in fingerprint if c.isalnum())


def _where(f: Finding) -> str:
    return f"{f.file}:{f.line}"


# --- requirements and attestations ------------------------------------------------------------

def _by_requirement(result: Result) -> dict[tuple[str, str], list[Finding]]:
    out: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        out.setdefault((f.pack, f.requirement), []).append(f)
    return out


def _rules_by_status(findings: list[Finding]) -> dict[str, int]:
    """How many rules have each status (a rule's status: the worst outcome of its findings)."""
    worst: dict[str, int] = {}
    for f in findings:
        rank = STATUS_ORDER.index(f.outcome)
        worst[f.rule_id] = min(rank, worst.get(f.rule_id, rank))
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for rank in worst.values():
        counts[STATUS_ORDER[rank]] += 1
    return counts


def _not_applicable_reason(findings: list[Finding], status: str) -> str:
    if status != "not_applicable":
        return ""
    return " ".join(dict.fromkeys(f.message for f in findings if f.outcome == "not_applicable"))


def _attestation(findings: list[Finding]) -> Finding | None:
    return next((f for f in findings if f.outcome == "manual" and f.attestation is not None), None)


def requirement_rows(result: Result) -> list[dict[str, Any]]:
    """One row per requirement of every pack (the result's pack order, then requirement order):
    the requirements register."""
    versions = {p.id: p.version for p in result.summary.packs}
    groups = _by_requirement(result)
    rows = []
    for pack in result.summary.packs:
        for r in pack.requirements:
            mine = groups.get((pack.id, r.id), [])
            attested = _attestation(mine) if r.manual else None
            a = attested.attestation if attested is not None else None
            status = r.status
            label = STATUS_TEXT.get(status, status)
            if status == "manual":
                state = attestation_state(a, result.as_of) if a is not None else NOT_ATTESTED
                label = state if state != NOT_ATTESTED else "needs attestation"
            rows.append({
                "pack": pack.id, "pack_version": versions[pack.id], "id": r.id, "title": r.title,
                "clause": r.clause, "section": r.section or "", "manual": r.manual, "status": status,
                "status_label": label, "rules": _rules_by_status(mine),
                "rules_total": len({f.rule_id for f in mine}),
                "attested_by": a.attested_by if a else "", "attested_on": a.date if a else "",
                "expires": (a.expires or "") if a else "", "evidence_ref": (a.evidence_ref or "") if a else "",
                "not_applicable_reason": _not_applicable_reason(mine, status),
                "anchor": _anchor(mine[0].fingerprint) if mine else "",
            })
    return rows


def attestation_rows(result: Result) -> list[dict[str, Any]]:
    """Every manual requirement with its attestation state (attested, not attested, not
    applicable), who attested it and when, the statement, the evidence reference and where the
    attestation is recorded: the attestation register."""
    groups = _by_requirement(result)
    rows = []
    for pack in result.summary.packs:
        for r in pack.requirements:
            if not r.manual:
                continue
            mine = groups.get((pack.id, r.id), [])
            hit = _attestation(mine)
            a = hit.attestation if hit is not None else None
            if a is not None:
                state = attestation_state(a, result.as_of)
            elif r.status == "not_applicable":
                state = NOT_APPLICABLE
            else:
                state = NOT_ATTESTED
            shown = hit if hit is not None else (mine[0] if mine else None)
            rows.append({
                "pack": pack.id, "pack_version": pack.version, "id": r.id, "title": r.title, "clause": r.clause,
                "state": state, "attested_by": a.attested_by if a else "", "attested_on": a.date if a else "",
                "expires": (a.expires or "") if a else "",
                "statement": (a.statement or "") if a else "", "evidence_ref": (a.evidence_ref or "") if a else "",
                "recorded_at": _where(hit) if hit is not None else "",
                "not_applicable_reason": _not_applicable_reason(mine, r.status),
                "anchor": _anchor(shown.fingerprint) if shown is not None else "",
            })
    return rows


def unattested(result: Result) -> list[dict[str, Any]]:
    """Manual requirements that apply and nobody attested, or whose attestation expired (an
    attested one has status ``manual`` too: its finding carries the attestation)."""
    return [{"pack": r["pack"], "id": r["id"], "title": r["title"], "clause": r["clause"], "anchor": r["anchor"],
             "expired": r["state"] == EXPIRED} for r in attestation_rows(result) if r["state"] in OPEN_STATES]


# --- executive summary -------------------------------------------------------------------------

def summary_view(result: Result) -> dict[str, Any]:
    """Page 1: the verdict, what blocks (by severity, the first few named), what changed since
    the baseline, waivers expired or expiring within 30 days, unattested manual requirements,
    and how many requirements and findings do not apply (collapsed further down)."""
    gate = result.gate
    by_fp = {f.fingerprint: f for f in result.findings}
    blocking = [by_fp[fp] for fp in gate.blocking if fp in by_fp]
    blocking.sort(key=lambda f: (-SEVERITIES.index(f.severity), f.rule_id, f.pack, f.file,
                                 f.line if isinstance(f.line, int) else 0))
    by_severity = [(s, sum(1 for f in blocking if f.severity == s)) for s in reversed(SEVERITIES)]
    waivers = [w for w in result.waivers if w.status in ("expired", "expiring")]
    waivers.sort(key=lambda w: (w.status != "expired", w.days_left if w.days_left is not None else 0, w.id))
    att = attestation_rows(result)
    manual_applicable = [r for r in att if r["state"] != NOT_APPLICABLE]
    b = result.baseline
    na_requirements = sum(1 for p in result.summary.packs for r in p.requirements if r.status == "not_applicable")
    requirements = sum(len(p.requirements) for p in result.summary.packs)
    outcomes = result.summary.outcomes
    return {
        "verdict": gate.verdict, "label": gate.verdict.replace("_", "-").upper(),
        "compliant": gate.verdict == "compliant", "fail_on": gate.fail_on, "tier": gate.tier,
        "new_only": gate.new_only,
        "blocking": {
            "total": len(blocking),
            "by_severity": [(s, n) for s, n in by_severity if n],
            "top": [{"anchor": _anchor(f.fingerprint), "rule_id": f.rule_id, "pack": f.pack, "severity": f.severity,
                     "outcome": f.outcome, "title": f.title, "where": _where(f)} for f in blocking[:TOP_BLOCKING]],
            "more": max(0, len(blocking) - TOP_BLOCKING),
        },
        "problems": {o: outcomes[o] for o in ("fail", "error", "warn")},
        "baseline": None if b is None else {"file": b.file, "as_of": b.as_of, "new": b.new,
                                            "recurring": b.recurring, "fixed": len(b.fixed)},
        "waivers": {
            "expired": sum(1 for w in waivers if w.status == "expired"),
            "expiring": sum(1 for w in waivers if w.status == "expiring"),
            "rows": [{"id": w.id, "status": w.status, "rule": w.rule or "", "expires": w.expires or "",
                      "days_left": w.days_left, "approver": w.approver or ""} for w in waivers],
            "total": len(result.waivers),
        },
        "manual": {"total": len(manual_applicable),
                   "attested": sum(1 for r in manual_applicable if r["state"] in (ATTESTED, EXPIRING)),
                   "expiring": [r for r in manual_applicable if r["state"] == EXPIRING],
                   "expired": sum(1 for r in manual_applicable if r["state"] == EXPIRED),
                   "unattested": [r for r in manual_applicable if r["state"] in OPEN_STATES]},
        "not_applicable": {"requirements": na_requirements, "requirements_total": requirements,
                           "findings": outcomes["not_applicable"], "findings_total": len(result.findings)},
    }


# --- sign-off ----------------------------------------------------------------------------------

def _signer(s: Signer | None) -> dict[str, str]:
    if s is None:
        return {"name": "", "role": "", "date": ""}
    return {"name": s.name, "role": s.role or "", "date": s.date or ""}


def signoff_view(result: Result, sha: str) -> dict[str, Any]:
    """The sign-off block: workpaper reference, preparer and reviewer (pre-filled from
    ``mlcompliance.yaml`` ``report:``, else blank lines), the result digest they sign."""
    w = result.workpaper
    return {"ref": (w.ref or "") if w else "", "configured": w is not None,
            "preparer": _signer(w.preparer if w else None), "reviewer": _signer(w.reviewer if w else None),
            "result_sha256": sha, "as_of": result.as_of.isoformat()}


def registers_view(result: Result) -> dict[str, Any]:
    reqs = requirement_rows(result)
    packs: dict[str, dict[str, Any]] = {}
    for r in reqs:
        g = packs.setdefault(r["pack"], {"pack": r["pack"], "version": r["pack_version"], "rows": [], "na": []})
        (g["na"] if r["status"] == "not_applicable" else g["rows"]).append(r)
    att = attestation_rows(result)
    states: dict[str, int] = {}
    for r in att:
        states[r["state"]] = states.get(r["state"], 0) + 1
    return {"requirements": list(packs.values()), "statuses": list(STATUS_ORDER),
            "attestations": att, "attestation_states": states}


def counts_text(counts: Mapping[str, int]) -> str:
    """``2 fail, 5 pass`` (zero counts left out)."""
    return ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n)
