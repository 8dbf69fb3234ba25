"""The report view: everything the HTML templates show, read from the typed result alone.

Pure functions of the result (no clock, no file, no randomness) that compute no figure of
their own: scores, counts and requirement statuses are the ones scoring put in the result
(``summary``), formatted here for the templates (see docs/templates.md for the variables).
Maturity is shown from its JSON form, whatever sections it carries (its inside belongs to
scoring.maturity). A portfolio is a dict whose projects are decoded one by one by the codec.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from mlcompliance.engine.findings import thaw
from mlcompliance.render import workpaper
from mlcompliance.render.common import num
from mlcompliance.result import codec
from mlcompliance.result.excerpts import window
from mlcompliance.result.model import Finding, Result, Score
from mlcompliance.vocab import OUTCOMES, PROBLEMS, SCORED, SEVERITIES, WEIGHTS

MARKDOWN_KEYS = frozenset({"remediation", "justification", "statement", "rationale", "description", "what"})
"""Keys whose text is shown as (sanitised) Markdown; every other string is shown as escaped text.

Finding messages are not among them: they are engine text filled with evidence values
(regular expressions, paths, names) that Markdown would alter, so they are shown verbatim."""

ML_TEST_SCORE_SECTION_MAX = 7.0
NOT_RECORDED = "not recorded (reproducible output)"

SCORE_FORMULA = ("score = sum of weights of passing findings / sum of weights of scored findings; "
                 "scored = pass, fail, error, waived (error and fail score 0; warn, manual and "
                 "not applicable are not scored); raw score counts a waived finding as a failure, "
                 "the score with accepted risk counts it as a pass")


def verbatim(value: Any) -> Markup:
    """Text shown exactly as it is, HTML-escaped, as one paragraph (the shape Markdown gives)."""
    return Markup("<p>") + escape(text(value)) + Markup("</p>")


def result_sha256(result: Result | dict[str, Any]) -> str:
    """sha256 of the exact bytes ``check --format json`` writes for this result (or portfolio)."""
    return hashlib.sha256(codec.dumps(result).encode("utf-8")).hexdigest()


def outcome_rank(outcome: str) -> int:
    return OUTCOMES.index(outcome)


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def text(value: Any) -> str:
    """A value as one line of text: strings as they are, other values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def score_view(s: Score) -> dict[str, Any]:
    return {
        "numerator": s.numerator, "numerator_with_accepted_risk": s.numerator_with_accepted_risk,
        "denominator": s.denominator, "raw": s.raw, "with_accepted_risk": s.with_accepted_risk,
        "raw_text": _pct(s.raw), "accepted_text": _pct(s.with_accepted_risk),
        "raw_pct": _bar(s.raw), "accepted_pct": _bar(s.with_accepted_risk),
        "raw_band": meter_band(s.raw), "accepted_band": meter_band(s.with_accepted_risk),
        "differs": s.raw != s.with_accepted_risk,
    }


def _pct(value: Any) -> str:
    return "n/a" if not isinstance(value, (int, float)) else f"{value:.1f}%"


METER_BANDS = ((80.0, "ok"), (60.0, "warn"), (float("-inf"), "bad"))
"""A score bar's colour by its value: green from 80 %, amber from 60 %, red below (docs/reports.md)."""


def meter_band(value: Any) -> str:
    """The colour class of a score bar: ``ok``, ``warn`` or ``bad`` by :data:`METER_BANDS`; ``none``
    when nothing was scored."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
        return "none"
    return next(band for low, band in METER_BANDS if value >= low)


def _bar(value: Any) -> float:
    if not isinstance(value, (int, float)) or math.isnan(value):
        return 0.0
    return max(0.0, min(100.0, float(value)))


def where(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}"


def observed_text(finding: Finding) -> str | None:
    """The observed value as one line; "missing" when the value at fault is absent; None when none."""
    if finding.observed_missing:
        return "missing"
    if not finding.has_observed:
        return None
    return text(thaw(finding.observed)) if finding.observed is not None else "null"


def references_view(finding: Finding) -> list[dict[str, Any]]:
    out = []
    for ref in finding.references:
        out.append({"regulation": ref.regulation, "clause": ref.clause,
                    "label": " ".join(v for v in (ref.regulation, ref.clause) if v),
                    "extra": {"url": ref.url} if ref.url is not None else {}})
    return out


LOCATED_LISTS = ("evidence", "decided_by", "evidence_findings")
"""Keys of maturity lists whose items point at a file and line: shown one line each."""


def details_view(value: Any, md: Callable[[Any], str], key: str = "") -> dict[str, Any]:
    """A generic, recursive view of an unknown value for the ``details`` macro."""
    if key in LOCATED_LISTS and isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        items = []   # one line each: file:line pointer, what it shows, then the rule and fingerprint
        for v in value:
            at = text(v.get("file"))
            if v.get("line") is not None:
                at += f":{text(v.get('line'))}"
            if v.get("pointer"):
                at += f" {text(v.get('pointer'))}"
            if key == "decided_by":   # the rules that decided a maturity item: which, and their outcome
                what, rest = f"{text(v.get('rule_id'))}: {text(v.get('outcome'))}", {}
            else:
                what = v.get("what", v.get("message"))
                rest = {k: x for k, x in v.items() if k not in ("file", "line", "pointer", "target", "what", "message")}
            items.append({"where": at, "what": md(what) if what is not None else "",
                          "rest": [(text(k), details_view(x, md, text(k))) for k, x in rest.items()]})
        return {"kind": "evidence", "items": items}
    if isinstance(value, Mapping):
        return {"kind": "map", "items": [(text(k), details_view(v, md, text(k))) for k, v in value.items()]}
    if isinstance(value, list):
        return {"kind": "list", "items": [details_view(v, md, key) for v in value]}
    if isinstance(value, str) and key in MARKDOWN_KEYS:
        return {"kind": "markdown", "html": md(value), "text": value}
    if isinstance(value, bool):    # a flag reads as a word, never as the raw JSON true/false
        return {"kind": "text", "text": "yes" if value else "no"}
    return {"kind": "text", "text": NONE_TEXT if value is None else text(value)}


NONE_TEXT = "none"
"""What an absent value (JSON null) reads as in the report: never the raw word ``null``."""

_INTERVAL = re.compile(r"^\s*([\[(])\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*([\])])\s*$")


def interval_text(value: Any) -> str:
    """An interval written in mathematical notation (``(3, 5]``, ``> 5``) as words an auditor reads:
    "more than 3 and at most 5", "more than 5"; any other value as it is."""
    s = text(value)
    m = _INTERVAL.match(s)
    if m:
        low = ("at least " if m.group(1) == "[" else "more than ") + m.group(2)
        high = ("at most " if m.group(4) == "]" else "less than ") + m.group(3)
        return f"{low} and {high}"
    for sign, words in ((">=", "at least"), ("<=", "at most"), (">", "more than"), ("<", "less than")):
        if s.strip().startswith(sign):
            return f"{words} {s.strip()[len(sign):].strip()}"
    return s


def excerpt_view(f: Finding, excerpts: tuple[Any, ...]) -> dict[str, Any] | None:
    """The evidence lines around a finding's file:line (result.excerpts), numbered, its line marked."""
    shown = window(excerpts, f.file, f.line)
    if shown is None:
        return None
    first, lines = shown
    width = len(str(first + len(lines) - 1))
    return {"file": f.file, "first": first, "last": first + len(lines) - 1,
            "lines": [{"no": str(first + i).rjust(width), "text": line, "hit": first + i == f.line}
                      for i, line in enumerate(lines)]}


def finding_view(f: Finding, index: int, blocking: set[str], md: Callable[[Any], str],
                 excerpts: tuple[Any, ...] = ()) -> dict[str, Any]:
    fp = f.fingerprint
    extras = []
    if f.attestation is not None:
        extras.append(("attestation", details_view(codec.attestation_to_dict(f.attestation), md, "attestation")))
    if f.waiver is not None:
        extras.append(("waiver", details_view(codec.waiver_note_to_dict(f.waiver), md, "waiver")))
    return {
        "index": index,
        "anchor": "f-" + "".join(c for c in fp if c.isalnum()),
        "fingerprint": fp,
        "rule_id": f.rule_id, "pack": f.pack, "pack_version": f.pack_version,
        "requirement": f.requirement, "title": f.title,
        "outcome": f.outcome, "outcome_label": f.outcome.replace("_", " "), "outcome_rank": outcome_rank(f.outcome),
        "severity": f.severity, "severity_rank": severity_rank(f.severity),
        "message": f.message, "message_html": verbatim(f.message),
        "remediation": f.remediation, "remediation_html": md(f.remediation),
        "references": references_view(f),
        "file": f.file, "line": f.line, "column": f.column,
        "pointer": f.pointer, "target": f.target,
        "where": where(f),
        "observed": observed_text(f), "detail": f.detail or None,
        "blocking": fp in blocking,
        "baseline": f.baseline,
        "extras": extras,
        "excerpt": excerpt_view(f, excerpts),
    }


OUTCOME_GROUP = {"fail": 0, "error": 0, "warn": 1, "manual": 2, "waived": 3, "pass": 4, "not_applicable": 5}
"""Report order of outcomes: fail and error together (both fail the gate), so that within them
the most severe comes first whatever the outcome; then warn, manual, waived, pass, not applicable."""

PRINT_COLLAPSED = ("pass", "not_applicable")
"""Outcomes whose rows print as a count per pack (all rows stay on screen, in JSON and CSV)."""


def _problem_first(v: Mapping[str, Any]) -> tuple:
    """Blocking findings first, then by outcome group, most severe first, then rule id."""
    return (not v.get("blocking", False), OUTCOME_GROUP.get(v["outcome"], len(OUTCOME_GROUP)), -v["severity_rank"],
            v["rule_id"], v["pack"], v["file"], v["line"] if isinstance(v["line"], int) else 0, v["index"])


def by_severity(v: Mapping[str, Any]) -> tuple:
    """The blocking table's order: most severe first, then rule id (then where, for ties)."""
    return (-v["severity_rank"], v["rule_id"], v["pack"], v["file"], v["line"] if isinstance(v["line"], int) else 0,
            v["index"])


def collapsed_counts(items: list[Mapping[str, Any]], key: str, values: tuple[str, ...],
                     packs: list[str]) -> list[dict[str, Any]]:
    """Per pack (in report order), how many of ``items`` have ``item[key]`` in ``values``:
    what the printed report shows instead of those rows."""
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        if item[key] in values:
            counts.setdefault(item["pack"], dict.fromkeys(values, 0))[item[key]] += 1
    order = {p: i for i, p in enumerate(packs)}
    return [{"pack": p, "counts": c, "total": sum(c.values())}
            for p, c in sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))]


STATUS_LABELS = {
    "error": ("not_met", "not met (error)"), "fail": ("not_met", "not met"),
    "warn": ("met_with_warnings", "warnings"), "waived": ("accepted_risk", "met with accepted risk"),
    "pass": ("met", "met"), "manual": ("manual", "needs attestation"),
    "not_applicable": ("not_applicable", "not applicable"),
}
"""Requirement status (the worst outcome among its findings, see scoring.status) -> (css class, label)."""


def requirements_view(result: Result, findings: list[dict[str, Any]], pack_ids: list[str]) -> list[dict[str, Any]]:
    """Requirements by pack (in the result's pack order, then by id) with the scores scoring gave them."""
    supplied = {(p.id, r.id): r for p in result.summary.packs for r in p.requirements}
    groups: dict[tuple[str, str], list[int]] = {key: [] for key in supplied}
    for i, f in enumerate(findings):
        groups[(f["pack"], f["requirement"])].append(i)
    order = {p: i for i, p in enumerate(pack_ids)}
    packs: dict[str, list[dict[str, Any]]] = {}
    for (pack, rid) in sorted(groups, key=lambda k: (order.get(k[0], len(order)), k[0], k[1])):
        idx = groups[(pack, rid)]
        entry = supplied[(pack, rid)]
        status, status_label = STATUS_LABELS[entry.status]
        packs.setdefault(pack, []).append({
            "id": rid, "pack": pack, "title": entry.title, "clause": entry.clause, "section": entry.section or "",
            "manual": entry.manual, "outcomes": dict(entry.outcomes.items()), "score": score_view(entry.score),
            "status": status, "status_label": status_label, "supplied": True,
            "print_collapsed": entry.status in PRINT_COLLAPSED,
            # why it does not apply: the distinct messages of its not-applicable findings, in order
            "why_not_applicable": list(dict.fromkeys(
                result.findings[findings[i]["index"]].message for i in idx
                if findings[i]["outcome"] == "not_applicable")) if entry.status == "not_applicable" else [],
            "findings": [{"anchor": findings[i]["anchor"], "rule_id": findings[i]["rule_id"],
                          "outcome": findings[i]["outcome"], "where": findings[i]["where"]} for i in idx],
        })
    return [{"pack": p, "requirements": reqs,
             "print_collapsed": {label: sum(1 for r in reqs if r["print_collapsed"] and r["status"] == status)
                                 for status, label in (("met", "met"), ("not_applicable", "not applicable"))}}
            for p, reqs in packs.items()]


def unattested_view(result: Result) -> list[dict[str, Any]]:
    """Manual requirements that apply and nobody attested, in the result's pack order: they never
    block the gate, so the verdict names them (a COMPLIANT project may have many). An attested
    requirement has status ``manual`` too (its finding carries the attestation): not listed."""
    return sorted(workpaper.unattested(result), key=lambda r: ([p.id for p in result.summary.packs].index(r["pack"]),
                                                               r["id"]))


BASIS_COLUMNS = ("regime", "fact", "where", "value", "raises_to", "clause", "url")


def _fact_table(facts: list[dict[str, Any]], md: Callable[[Any], str]) -> dict[str, Any]:
    """Tier facts as a table: file and line as one "where" cell, the known columns first."""
    rows = []
    for f in facts:
        row = {k: v for k, v in f.items() if k not in ("file", "line")}
        if "file" in f:
            row["where"] = f"{f['file']}:{f['line']}"
        rows.append(row)
    extra = [k for r in rows for k in r if k not in BASIS_COLUMNS]
    columns = [c for c in BASIS_COLUMNS if any(c in r for r in rows)] + list(dict.fromkeys(extra))
    return {"columns": [(c, c.replace("_", " ")) for c in columns],
            "rows": [[details_view(r.get(c), md, c) if c in r else None for c in columns] for r in rows]}


def risk_view(result: Result, md: Callable[[Any], str]) -> dict[str, Any]:
    risk = codec.risk_to_dict(result.risk)   # shown generically: override and problems as details
    basis = risk["basis"]
    # every other fact considered (raising a lower tier, or whose clause does not apply yet), once
    others = [f for f in risk.get("facts") or [] if f not in basis]
    declared = risk.get("declared")
    tier = text(risk.get("tier")) or "unknown"
    derived = risk.get("derived")
    if declared is None:
        how = f"no tier declared: checked as {tier} (fail closed)" if "declared" in risk else ""
    elif declared == risk.get("tier"):
        how = "as declared by the project"
        if derived is not None and derived != declared:
            how += f"; the facts alone give {text(derived)}"
    else:
        how = f"declared {text(declared)}, raised to {tier} by the facts below"
    regimes = risk.get("regimes") if isinstance(risk.get("regimes"), Mapping) else None
    table = _fact_table(basis, md)
    return {
        "tier": tier, "declared": None if declared is None else text(declared), "how": how,
        "derived": None if derived is None else text(derived),
        "regimes": [(text(k), text(v)) for k, v in regimes.items()] if regimes else [],
        "columns": table["columns"], "basis": table["rows"],
        "others": _fact_table(others, md) if others else None,
        "details": [(text(k), details_view(v, md, text(k))) for k, v in risk.items()
                    if k not in ("tier", "declared", "basis", "derived", "regimes", "facts")],
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _sections(scores: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ML Test Score's section sums (section -> 0..7), in the rubric's order."""
    return [{"name": text(name), "max": ML_TEST_SCORE_SECTION_MAX, "score": _number(value)}
            for name, value in scores.items()]


SECTION_TITLES = {"data": "Data and features", "model": "Model development", "infrastructure": "ML infrastructure",
                  "infra": "ML infrastructure", "monitoring": "Monitoring", "monitor": "Monitoring"}


def table_view(label: str, rows: list[Mapping[str, Any]], preferred: tuple[str, ...],
               md: Callable[[Any], str]) -> dict[str, Any]:
    """A table of records: preferred columns first (those present), then any other key."""
    columns = [c for c in preferred if any(c in r for r in rows)]
    for r in rows:
        for k in r:
            if k not in columns:
                columns.append(k)
    return {"label": label, "columns": [(c, c.replace("_", " ")) for c in columns],
            "rows": [[details_view(r.get(c), md, c) if c in r else None for c in columns] for r in rows]}


def maturity_view(result: Result, md: Callable[[Any], str]) -> dict[str, Any] | None:
    """The maturity section, from the one shape scoring.maturity writes (docs/maturity.md);
    None when maturity was not assessed."""
    m = thaw(result.maturity)
    if m is None or m.get("assessed") is False:
        return None
    stage = m["stage"]
    stage_text = text(stage["label"])
    mts = m["ml_test_score"]
    sections = _sections(mts["sections"])
    total = _number(mts["final"])
    used_keys = {"stage", "ml_test_score", "principles", "practices"}
    scored = [s["score"] for s in sections if s["score"] is not None]
    # chart geometry (SVG user units), computed here so the template stays declarative
    label_w, bar_w, row_h, pad = 190, 340, 30, 8
    chart = []
    for i, s in enumerate(sections):
        frac = 0.0 if s["score"] is None or not s["max"] else max(0.0, min(1.0, s["score"] / s["max"]))
        is_min = s["score"] is not None and total is not None and s["score"] == min(scored) if scored else False
        chart.append({"name": s["name"], "y": pad + i * row_h, "w": round(frac * bar_w, 1),
                      "label": "n/a" if s["score"] is None else f"{s['score']:g} / {s['max']:g}",
                      "is_min": is_min})
    for s in sections:
        s["title"] = SECTION_TITLES.get(s["name"], s["name"])
    for c in chart:
        c["name"] = SECTION_TITLES.get(c["name"], c["name"])
    score_details = [(text(k), details_view(interval_text(v) if k == "band_range" else v, md, text(k)))
                     for k, v in mts.items() if k not in ("tests", "sections", "final", "score")]
    tables = []
    for key, label, cols in (("tests", "ML Test Score tests", ("id", "section", "title", "score", "evidence", "reason")),
                             ("principles", "Principles", ("number", "id", "title", "status", "score", "evidence",
                                                           "reason")),
                             ("practices", "Practices", ("id", "title", "stage", "score", "status", "basis",
                                                         "evidence", "reason"))):
        rows = (mts if key == "tests" else m)[key]
        if rows:
            tables.append(table_view(label, rows, cols, md))
    stage_details = [(text(k), details_view(v, md, text(k))) for k, v in stage.items() if k not in ("label", "name")]
    return {
        "stage": stage_text or "not stated", "score": total, "score_details": score_details,
        "stage_details": stage_details, "tables": tables,
        "score_text": "n/a" if total is None else f"{total:g}",
        "sections": sections, "chart": chart,
        "chart_geometry": {"label_w": label_w, "bar_w": bar_w, "row_h": row_h, "pad": pad,
                           "width": label_w + bar_w + 110, "height": pad * 2 + max(1, len(sections)) * row_h,
                           "ticks": [{"x": label_w + round(bar_w * t / 7, 1), "label": f"{t:g}"}
                                     for t in range(0, 8)] if all(s["max"] == 7 for s in sections) else []},
        "details": [(text(k), details_view(v, md, text(k))) for k, v in m.items() if k not in used_keys],
    }


WAIVER_COLUMNS = ("id", "status", "rule", "scope", "justification", "approver", "created", "expires",
                  "days_left", "lifetime_days", "ticket", "reason", "matched")
WAIVER_LOCATION = ("file", "line", "pointer")
WAIVER_STATE_CLASS = {"active": "ok", "expiring": "warn", "expired": "bad", "over_long": "bad", "invalid": "bad",
                      "not_yet_valid": "bad", "stale": "muted"}


def waivers_view(result: Result, md: Callable[[Any], str], anchors: Mapping[str, str]) -> dict[str, Any]:
    """The waiver register; ``matched`` fingerprints become links to the findings they cover."""
    rows = [codec.waiver_to_dict(w) for w in result.waivers]   # columns: the fields any waiver has
    columns = [c for c in WAIVER_COLUMNS if any(c in e for e in rows)]
    has_location = bool(rows)
    out_rows = []
    for e in rows:
        state = e["status"]
        cells = []
        for c in columns:
            if c not in e:
                cells.append(None)
            elif c == "matched":
                cells.append({"kind": "links", "items": [{"anchor": anchors.get(fp), "text": fp} for fp in e[c]]})
            elif c == "status":
                cells.append({"kind": "status", "text": state.replace("_", " "),
                              "css": WAIVER_STATE_CLASS.get(state, "")})
            else:
                cells.append(details_view(e[c], md, c))
        cells.append({"kind": "code", "text": f"{e['file']}:{e['line']} ({e['pointer']})"})
        out_rows.append({"state": state, "css": WAIVER_STATE_CLASS.get(state, ""), "expired": state == "expired",
                         "cells": cells})
    labels = [(c, c.replace("_", " ")) for c in columns] + ([("where", "recorded at")] if has_location else [])
    return {"columns": labels, "rows": out_rows, "summary": [],
            "counts": {s: sum(1 for r in out_rows if r["state"] == s) for s in dict.fromkeys(r["state"] for r in out_rows)}}


def inventory_view(result: Result, sha: str) -> dict[str, Any]:
    files = [{"path": f.path, "kind": f.kind, "format": text(f.format), "sha256": text(f.sha256), "extra": {}}
             for f in result.project.files]
    packs = [{"id": p.id, "version": p.version, "title": p.title, "digest": p.digest, "origin": p.origin,
              "source_name": text(p.source.get("name")), "source_version": text(p.source.get("version")),
              "source_url": text(p.source.get("url")), "requirements": p.requirements, "rules": p.rules}
             for p in result.packs]
    return {"files": files, "packs": packs, "tool_name": result.tool.name, "tool_version": result.tool.version,
            "result_version": result.result_version, "as_of": result.as_of.isoformat(),
            "generated_at": result.generated_at or NOT_RECORDED, "generated_recorded": bool(result.generated_at),
            "result_sha256": sha}


def portfolio_inventory_view(portfolio: Mapping[str, Any], sha: str) -> dict[str, Any]:
    generated = portfolio.get("generated_at")
    return {"files": [], "packs": [], "tool_name": portfolio["tool"]["name"], "tool_version": portfolio["tool"]["version"],
            "result_version": portfolio["result_version"], "as_of": portfolio["as_of"],
            "generated_at": generated or NOT_RECORDED, "generated_recorded": bool(generated), "result_sha256": sha}


def baseline_view(result: Result) -> dict[str, Any] | None:
    b = result.baseline
    if b is None:
        return None
    return {"file": b.file, "as_of": b.as_of, "new": b.new, "recurring": b.recurring, "new_only": result.gate.new_only,
            "fixed": [{"rule_id": f.rule_id, "pack": f.pack, "severity": f.severity, "outcome": f.outcome,
                       "where": where(f), "message_html": verbatim(f.message), "fingerprint": f.fingerprint}
                      for f in b.fixed]}


def build(result: Result, md: Callable[[Any], str]) -> dict[str, Any]:
    """The full view for the HTML report (see docs/templates.md)."""
    gate = result.gate
    blocking = set(gate.blocking)
    findings = [finding_view(f, i, blocking, md, result.excerpts) for i, f in enumerate(result.findings)]
    by_fp = {f["fingerprint"]: f for f in findings}
    ordered = sorted(findings, key=_problem_first)
    pack_ids = [p.id for p in result.packs]
    for f in findings:
        if f["pack"] not in pack_ids:
            pack_ids.append(f["pack"])
    present = {f["outcome"] for f in findings}
    severities = {f["severity"] for f in findings}
    sha = result_sha256(result)
    summary = result.summary
    ref = result.workpaper.ref if result.workpaper is not None and result.workpaper.ref else ""
    return {
        "summary": workpaper.summary_view(result),
        "signoff": workpaper.signoff_view(result, sha),
        "registers": workpaper.registers_view(result),
        "result": result,
        "title": f"mlcompliance report: {result.project.name or 'unnamed project'}",
        "project_name": result.project.name or "unnamed project",
        "as_of": result.as_of.isoformat(),
        "tool_version": result.tool.version,
        "verdict": {
            "verdict": gate.verdict, "compliant": gate.verdict == "compliant",
            "label": gate.verdict.replace("_", "-").upper(),
            "fail_on": gate.fail_on, "source": gate.source, "tier": gate.tier, "new_only": gate.new_only,
            "blocking": sorted((by_fp[fp] for fp in gate.blocking), key=by_severity),
            "problem_counts": {o: summary.outcomes[o] for o in PROBLEMS},
            "unattested": unattested_view(result),
        },
        "scores": {
            "overall": score_view(summary.score),
            "outcomes": dict(summary.outcomes.items()),
            "packs": [{"id": p.id, "version": p.version, "title": p.title, "score": score_view(p.score),
                       "outcomes": dict(p.outcomes.items())} for p in summary.packs],
            "formula": SCORE_FORMULA,
            "weights": [(s, WEIGHTS[s]) for s in reversed(SEVERITIES)],
            "scored_outcomes": list(SCORED),
        },
        "requirements": requirements_view(result, findings, pack_ids),
        "risk": risk_view(result, md),
        "maturity": maturity_view(result, md),
        "data": data_view(result),
        "findings": ordered,
        "print_collapsed": collapsed_counts(ordered, "outcome", PRINT_COLLAPSED, pack_ids),
        "facets": {"packs": pack_ids, "severities": [s for s in reversed(SEVERITIES) if s in severities],
                   "outcomes": [o for o in OUTCOMES if o in present]},
        "waivers": waivers_view(result, md, {f["fingerprint"]: f["anchor"] for f in findings}),
        "baseline": baseline_view(result),
        "inventory": inventory_view(result, sha),
        "outcome_names": list(OUTCOMES),
        "page": {   # the printed page's running header and footer (templates/html/page.css.j2)
            "left": result.project.name or "unnamed project",
            "right": f"as of {result.as_of.isoformat()} | verdict {gate.verdict.replace('_', '-').upper()}",
            "digest": f"result sha256 {sha}",
            "center": f"workpaper {ref}" if ref else "",
        },
    }


# --- the data section (result.data): formatted, never recomputed ------------------------------

def how_text(how: Mapping[str, Any] | None, *keys: str) -> str:
    """A ``how`` mapping as one line: ``key: value; ...`` (nested mappings inline), in the given key order
    (every key when none is given)."""
    if not how:
        return ""
    parts = []
    for k in keys or tuple(how):
        if k in how and how[k] is not None:
            v = how[k]
            v = ", ".join(f"{a} {num(b)}" for a, b in v.items()) if isinstance(v, Mapping) else num(v)
            parts.append(f"{k.replace('_', ' ')}: {v}")
    return "; ".join(parts)


def _test_text(t: Any) -> str:
    return "n/a" if t is None else f"{t.test.replace('_', ' ')} p = {num(t.p_value)}"


FAIR_GEOMETRY = {"label_w": 150, "bar_w": 420, "row_h": 18, "gap": 10, "pad": 8, "value_w": 150}


def _fair_chart(a: Any, threshold: Any) -> dict[str, Any]:
    g = FAIR_GEOMETRY
    rows, y = [], g["pad"]
    for grp in a.groups:
        start, bars = y, []
        for kind, label, value in (("sel", "selection rate", grp.selection_rate), ("tpr", "TPR", grp.tpr)):
            if kind == "tpr" and value is None:
                continue
            frac = 0.0 if value is None else max(0.0, min(1.0, float(value)))
            bars.append({"kind": kind, "label": label, "value": num(value), "y": y, "w": round(frac * g["bar_w"], 1),
                         "below": (kind == "sel" and a.threshold_rate is not None and value is not None
                                   and value < a.threshold_rate)})
            y += g["row_h"]
        rows.append({"group": grp.group, "n": num(grp.n), "y": start, "h": y - start, "bars": bars})
        y += g["gap"]
    height = y + g["pad"]
    line = None
    if a.threshold_rate is not None and threshold is not None:
        x = g["label_w"] + round(max(0.0, min(1.0, a.threshold_rate)) * g["bar_w"], 1)
        line = {"x": x, "rate": num(a.threshold_rate),
                "anchor": "start" if x < g["label_w"] + g["bar_w"] / 2 else "end",
                "label": f"{threshold.value:g} x highest rate ({threshold.rule})"}
    return {"rows": rows, "line": line, "width": g["label_w"] + g["bar_w"] + g["value_w"], "height": height + 16,
            **g, "ticks": [{"x": g["label_w"] + round(g["bar_w"] * t / 4, 1), "label": f"{t / 4:g}"} for t in range(5)]}


def data_view(result: Result) -> dict[str, Any] | None:
    """The data section: per dataset a table, splits, fairness per attribute (chart and table),
    drift per comparison (features as sorted in the result: by PSI), metrics with intervals."""
    d = result.data
    if d is None:
        return None
    datasets = []
    for ds in d.datasets:
        sampling = ds.how.get("sampling") if ds.how else None
        datasets.append({
            "id": ds.id, "file": ds.file or "", "split": ds.split or "", "format": ds.format or "not profiled",
            "readable": ds.readable, "error": ds.error, "sha256": ds.sha256 or "n/a", "size": num(ds.size),
            "rows": num(ds.rows), "duplicates": num(ds.duplicates), "duplicate_share": num(ds.duplicate_share),
            "missing_fields": list(ds.missing_fields),
            "columns": [{"name": c.name, "dtype": c.dtype, "missing": num(c.missing),
                         "missing_share": num(c.missing_share), "out_of_range": num(c.out_of_range)
                         if c.out_of_range is not None else "",
                         "personal": ", ".join(f"{p.kind} (name)" if p.by == "name" else
                                               f"{p.kind} ({num(p.share)} of {num(p.tested)} tested)" for p in c.personal),
                         "special": c.special_category or ""} for c in ds.columns],
            "how": [("sampling", how_text(sampling) if isinstance(sampling, Mapping) else num(sampling))]
                   + [(k, num(ds.how[k])) for k in ("read", "integrity", "duplicates", "personal") if k in ds.how],
        })
    splits = [{"first": s.first, "second": s.second, "rows": f"{num(s.rows_overlapping)} of {num(s.rows_compared)}",
               "rows_share": num(s.rows_share), "key": s.key or "",
               "key_overlap": f"{num(s.keys_overlapping)} of {num(s.keys_compared)}" if s.key else "",
               "keys_share": num(s.keys_share) if s.key else ""} for s in d.splits]
    fairness = None
    if d.fairness is not None:
        f = d.fairness
        fairness = {
            "dataset": f.dataset or "", "status": f.status, "problem": f.problem, "n": num(f.n),
            "min_group_size": num(f.min_group_size),
            "how": how_text(f.how, "how", "n", "seed", "decision", "positive_label", "rows", "rows_dropped_missing",
                            "method", "note") if f.how else "",
            "threshold": None if f.threshold is None else {
                "value": f"{f.threshold.value:g}", "metric": f.threshold.metric.replace("_", "-"),
                "rule": f.threshold.rule, "pack": f"{f.threshold.pack} {f.threshold.pack_version}",
                "context": f.threshold.context},
            "attributes": [{
                "attribute": a.attribute, "status": a.status, "problem": a.problem, "slug": _slug(a.attribute),
                "groups": [{"group": g.group, "n": num(g.n), "selection_rate": num(g.selection_rate),
                            "tpr": num(g.tpr), "fpr": num(g.fpr)} for g in a.groups],
                "too_small": (f"{num(a.too_small_groups)} group(s) with {num(a.too_small_rows)} rows in all are below "
                              f"{num(f.min_group_size)} rows: not named, not judged") if a.too_small_groups else "",
                "missing": num(a.missing),
                "ratios": [("disparate-impact ratio", num(a.disparate_impact_ratio)),
                           ("demographic-parity difference", num(a.demographic_parity_difference)),
                           ("equal-opportunity difference", num(a.equal_opportunity_difference)),
                           ("equalised-odds difference", num(a.equalised_odds_difference))],
                "tests": [("selection", _test_text(a.selection_test)), ("TPR", _test_text(a.tpr_test)),
                          ("FPR", _test_text(a.fpr_test))],
                "chart": _fair_chart(a, f.threshold) if a.groups else None,
            } for a in f.attributes],
        }
    drift = [{"dataset": c.dataset, "compare_to": c.compare_to or "", "status": c.status, "problem": c.problem,
              "n_reference": num(c.n_reference), "n_current": num(c.n_current),
              "features": [{"feature": x.feature, "kind": x.kind or "", "test": (x.test or "").replace("_", " "),
                            "statistic": num(x.statistic), "p_value": num(x.p_value), "p_adjusted": num(x.p_adjusted),
                            "psi": num(x.psi), "wasserstein": num(x.wasserstein),
                            "effect": f"{(x.effect_name or '').replace('_', ' ')} {num(x.effect_size)}"
                            if x.effect_name else "", "status": x.status, "problem": x.problem or ""}
                           for x in c.features]} for c in d.drift]
    metrics = None
    if d.metrics is not None:
        m = d.metrics
        metrics = {"dataset": m.dataset or "", "status": m.status, "problem": m.problem, "n": num(m.n),
                   "how": how_text(m.how, "how", "seed", "sample_rows", "positive_label", "rows", "rows_dropped_missing",
                                   "method", "note"),
                   "rows": [{"name": x.name, "value": num(x.value),
                             "interval": f"[{num(x.lower)}, {num(x.upper)}]" if x.lower is not None else "n/a",
                             "level": f"{x.level:.0%}" if isinstance(x.level, float) else num(x.level),
                             "how": "; ".join(p for p in (x.method or "", f"n_boot {x.n_boot}" if x.n_boot else "",
                                                          f"seed {x.seed}" if x.seed is not None else "",
                                                          f"sampled {num(x.sample_rows)} rows" if x.sample_rows else "")
                                              if p)} for x in m.metrics]}
    return {"probe_version": d.probe_version, "datasets": datasets, "splits": splits, "fairness": fairness,
            "drift": drift, "drift_how": how_text(d.drift_how, "how", "method"), "metrics": metrics}


def _slug(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:10]
