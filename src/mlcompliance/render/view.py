"""The report view: everything the HTML templates show, derived from a result dict alone.

Pure functions of the result (no clock, no file, no randomness), tolerant of sections the
result does not (yet) carry: every optional section is read with ``.get`` and comes out as
``None`` or an empty list when absent, so an older or newer result still renders.

Keys read, by section (see docs/templates.md for the variables this produces):

=================  ================================================================================
section            result keys
=================  ================================================================================
header/inventory   ``tool.name``, ``tool.version``, ``result_version``, ``as_of``, ``generated_at``
                   (optional), ``project.name``, ``project.files[]`` (``path``, ``kind``,
                   ``format``, ``sha256``), ``packs[]`` (``id``, ``version``, ``title``,
                   ``digest``, ``origin``, ``source``, ``requirements``, ``rules``)
verdict            ``gate.verdict``, ``gate.fail_on``, ``gate.blocking[]`` (fingerprints, looked up
                   in ``findings[]``)
scores             ``summary.outcomes``, ``summary.score``, ``summary.packs[]`` (``id``,
                   ``version``, ``title``, ``outcomes``, ``score``); a score is ``numerator``,
                   ``numerator_with_accepted_risk``, ``denominator``, ``raw``,
                   ``with_accepted_risk``
requirements       ``findings[].requirement``; per-requirement scores from
                   ``summary.packs[].requirements[]`` or ``summary.requirements`` when present
                   (entries with ``id``/``requirement``, optional ``pack``, ``title``,
                   ``outcomes``, ``score``, ``status``), else computed here with the published
                   formula (:func:`mlcompliance.scoring.score`)
risk               ``risk.tier``, ``risk.declared``, ``risk.basis[]`` (``fact``, ``value``,
                   ``raises_to``, ``clause`` and any other key), other ``risk.*`` keys as details
maturity           ``maturity`` (optional): ``stage`` (string or mapping with ``label``/``name``),
                   a section vector under ``sections`` / ``section_vector`` / ``ml_test_score``
                   (mapping name -> number, mapping name -> {``score``, ``max``}, or list of
                   {``name``/``id``/``section``, ``score``/``value``/``points``, ``max``}), a total
                   under ``score``/``ml_test_score``/``final_score`` (else the minimum of the
                   sections, the ML Test Score rule), other scalar keys as details
findings           ``findings[]``: ``rule_id``, ``pack``, ``pack_version``, ``requirement``,
                   ``title``, ``outcome``, ``severity``, ``message``, ``remediation``,
                   ``references[]``, ``location`` (``file``, ``line``, ``column``, ``pointer``,
                   ``target``), ``observed``/``observed_missing``, ``detail``, ``fingerprint``;
                   any other key (``attestation``, ``waiver``, ...) is shown as a detail
waivers            ``waivers`` (optional): a list of entries, or a mapping with the list under
                   ``entries``/``register``/``waivers`` and other keys as a summary
=================  ================================================================================
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from mlcompliance.engine.findings import OUTCOMES, SEVERITIES
from mlcompliance.result.record import dumps
from mlcompliance.scoring.scores import SCORED, WEIGHTS, counts, score

FINDING_KEYS = ("rule_id", "pack", "pack_version", "requirement", "title", "outcome", "severity", "message",
                "remediation", "references", "location", "observed", "observed_missing", "detail", "fingerprint")
MARKDOWN_KEYS = frozenset({"remediation", "justification", "statement", "rationale", "description", "what"})
"""Keys whose text is shown as (sanitised) Markdown; every other string is shown as escaped text.

Finding messages are not among them: they are engine text filled with evidence values
(regular expressions, paths, names) that Markdown would alter, so they are shown verbatim."""

PROBLEM_OUTCOMES = ("fail", "error", "warn")
ML_TEST_SCORE_SECTION_MAX = 7.0
NOT_RECORDED = "not recorded (reproducible output)"

SCORE_FORMULA = ("score = sum of weights of passing findings / sum of weights of scored findings; "
                 "scored = pass, fail, error, waived (error and fail score 0; warn, manual and "
                 "not applicable are not scored); raw score counts a waived finding as a failure, "
                 "the score with accepted risk counts it as a pass")


def verbatim(value: Any) -> Markup:
    """Text shown exactly as it is, HTML-escaped, as one paragraph (the shape Markdown gives)."""
    return Markup("<p>") + escape(text(value)) + Markup("</p>")


def result_sha256(result: dict[str, Any]) -> str:
    """sha256 of the exact bytes ``check --format json`` writes for this result."""
    return hashlib.sha256(dumps(result).encode("utf-8")).hexdigest()


def outcome_rank(outcome: str) -> int:
    return OUTCOMES.index(outcome) if outcome in OUTCOMES else len(OUTCOMES)


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def text(value: Any) -> str:
    """A value as one line of text: strings as they are, other values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def score_view(s: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(s, Mapping):
        return None
    raw, accepted = s.get("raw"), s.get("with_accepted_risk")
    return {
        "numerator": s.get("numerator"), "numerator_with_accepted_risk": s.get("numerator_with_accepted_risk"),
        "denominator": s.get("denominator"), "raw": raw, "with_accepted_risk": accepted,
        "raw_text": _pct(raw), "accepted_text": _pct(accepted),
        "raw_pct": _bar(raw), "accepted_pct": _bar(accepted),
        "differs": raw != accepted,
    }


def _pct(value: Any) -> str:
    return "n/a" if not isinstance(value, (int, float)) else f"{value:.1f}%"


def _bar(value: Any) -> float:
    if not isinstance(value, (int, float)) or math.isnan(value):
        return 0.0
    return max(0.0, min(100.0, float(value)))


def where(finding: Mapping[str, Any]) -> str:
    loc = finding.get("location") or {}
    return f"{loc.get('file', '?')}:{loc.get('line', 1)}"


def observed_text(finding: Mapping[str, Any]) -> str | None:
    if finding.get("observed_missing"):
        return "missing"
    if "observed" not in finding:
        return None
    return text(finding["observed"]) if finding["observed"] is not None else "null"


def references_view(refs: Any) -> list[dict[str, str]]:
    out = []
    for ref in refs if isinstance(refs, list) else []:
        if isinstance(ref, Mapping):
            label = " ".join(text(ref.get(k)) for k in ("regulation", "clause") if ref.get(k))
            extra = {k: text(v) for k, v in ref.items() if k not in ("regulation", "clause")}
            out.append({"regulation": text(ref.get("regulation")), "clause": text(ref.get("clause")),
                        "label": label or text(ref), "extra": extra})
        else:
            out.append({"regulation": "", "clause": text(ref), "label": text(ref), "extra": {}})
    return out


def details_view(value: Any, md: Callable[[Any], str], key: str = "") -> dict[str, Any]:
    """A generic, recursive view of an unknown value for the ``details`` macro."""
    if key == "evidence" and isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        items = []
        for v in value:
            at = text(v.get("file"))
            if v.get("line") is not None:
                at += f":{text(v.get('line'))}"
            if v.get("pointer"):
                at += f" {text(v.get('pointer'))}"
            rest = {k: x for k, x in v.items() if k not in ("file", "line", "pointer", "what")}
            items.append({"where": at, "what": md(v.get("what")) if v.get("what") is not None else "",
                          "rest": [(text(k), details_view(x, md, text(k))) for k, x in rest.items()]})
        return {"kind": "evidence", "items": items}
    if isinstance(value, Mapping):
        return {"kind": "map", "items": [(text(k), details_view(v, md, text(k))) for k, v in value.items()]}
    if isinstance(value, list):
        return {"kind": "list", "items": [details_view(v, md, key) for v in value]}
    if isinstance(value, str) and key in MARKDOWN_KEYS:
        return {"kind": "markdown", "html": md(value), "text": value}
    return {"kind": "text", "text": "null" if value is None else text(value)}


def finding_view(f: Mapping[str, Any], index: int, blocking: set[str], md: Callable[[Any], str]) -> dict[str, Any]:
    loc = f.get("location") or {}
    outcome, severity = text(f.get("outcome")), text(f.get("severity"))
    fp = text(f.get("fingerprint"))
    extras = {k: v for k, v in f.items() if k not in FINDING_KEYS}
    return {
        "index": index,
        "anchor": "f-" + "".join(c for c in fp if c.isalnum()) if fp else f"f-{index}",
        "fingerprint": fp,
        "rule_id": text(f.get("rule_id")), "pack": text(f.get("pack")), "pack_version": text(f.get("pack_version")),
        "requirement": text(f.get("requirement")), "title": text(f.get("title")),
        "outcome": outcome, "outcome_label": outcome.replace("_", " "), "outcome_rank": outcome_rank(outcome),
        "severity": severity, "severity_rank": severity_rank(severity),
        "message": text(f.get("message")), "message_html": verbatim(f.get("message")),
        "remediation": text(f.get("remediation")), "remediation_html": md(f.get("remediation")),
        "references": references_view(f.get("references")),
        "file": text(loc.get("file")), "line": loc.get("line", 1), "column": loc.get("column"),
        "pointer": text(loc.get("pointer")), "target": text(loc.get("target")),
        "where": where(f),
        "observed": observed_text(f), "detail": text(f.get("detail")) or None,
        "blocking": fp in blocking,
        "extras": [(text(k), details_view(v, md, text(k))) for k, v in extras.items()],
    }


def _problem_first(v: Mapping[str, Any]) -> tuple:
    return (v["outcome_rank"], -v["severity_rank"], v["pack"], v["rule_id"], v["file"],
            v["line"] if isinstance(v["line"], int) else 0, v["index"])


STATUS_LABELS = {
    "error": ("not_met", "not met (error)"), "fail": ("not_met", "not met"),
    "warn": ("met_with_warnings", "warnings"), "waived": ("accepted_risk", "met with accepted risk"),
    "pass": ("met", "met"), "manual": ("manual", "needs attestation"),
    "not_applicable": ("not_applicable", "not applicable"),
}
"""Requirement status (the worst outcome among its findings, see scoring.status) -> (css class, label)."""


def _requirement_status(c: Mapping[str, int]) -> tuple[str, str]:
    for outcome in ("error", "fail", "warn", "waived", "pass", "manual"):
        if c.get(outcome):
            return STATUS_LABELS[outcome]
    return STATUS_LABELS["not_applicable"]


def _supplied_requirements(result: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
    """Per-requirement entries the result carries, keyed by (pack, requirement id)."""
    found: dict[tuple[str, str], Mapping[str, Any]] = {}
    summary = result.get("summary") or {}

    def take(entries: Any, pack: str) -> None:
        if isinstance(entries, Mapping):
            entries = [dict(v, id=k) if isinstance(v, Mapping) else {"id": k} for k, v in entries.items()]
        for e in entries if isinstance(entries, list) else []:
            if isinstance(e, Mapping):
                rid = text(e.get("id") or e.get("requirement"))
                if rid:
                    found[(text(e.get("pack")) or pack, rid)] = e
    for p in summary.get("packs") or []:
        if isinstance(p, Mapping):
            take(p.get("requirements"), text(p.get("id")))
    take(summary.get("requirements"), "")
    return found


def requirements_view(result: Mapping[str, Any], findings: list[dict[str, Any]],
                      raw_findings: list[Mapping[str, Any]], pack_ids: list[str]) -> list[dict[str, Any]]:
    supplied = _supplied_requirements(result)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, f in enumerate(findings):
        groups.setdefault((f["pack"], f["requirement"]), []).append(i)
    for (pack, rid) in supplied:
        groups.setdefault((pack, rid), [])
    order = {p: i for i, p in enumerate(pack_ids)}
    packs: dict[str, list[dict[str, Any]]] = {}
    for (pack, rid) in sorted(groups, key=lambda k: (order.get(k[0], len(order)), k[0], k[1])):
        idx = groups[(pack, rid)]
        raw = [raw_findings[i] for i in idx if isinstance(raw_findings[i].get("outcome"), str)
               and isinstance(raw_findings[i].get("severity"), str)
               and raw_findings[i].get("severity") in WEIGHTS]
        entry = supplied.get((pack, rid)) or supplied.get(("", rid)) or {}
        c = entry.get("outcomes") if isinstance(entry.get("outcomes"), Mapping) else counts(raw)
        s = entry.get("score") if isinstance(entry.get("score"), Mapping) else score(raw)
        status, status_label = _requirement_status(c)
        if entry.get("status"):
            supplied_status = text(entry.get("status"))
            status, status_label = STATUS_LABELS.get(supplied_status, (supplied_status, supplied_status))
        manual_titles = [findings[i]["title"] for i in idx if findings[i]["outcome"] == "manual"]
        packs.setdefault(pack, []).append({
            "id": rid, "pack": pack,
            "title": text(entry.get("title")) or (manual_titles[0] if manual_titles else ""),
            "clause": text(entry.get("clause")), "section": text(entry.get("section")),
            "manual": entry.get("manual") is True,
            "outcomes": {k: c.get(k, 0) for k in OUTCOMES}, "score": score_view(s),
            "status": status, "status_label": status_label, "supplied": bool(entry),
            "findings": [{"anchor": findings[i]["anchor"], "rule_id": findings[i]["rule_id"],
                          "outcome": findings[i]["outcome"], "where": findings[i]["where"]} for i in idx],
        })
    return [{"pack": p, "requirements": reqs} for p, reqs in packs.items()]


BASIS_COLUMNS = ("regime", "fact", "value", "raises_to", "clause", "url")


def risk_view(result: Mapping[str, Any], md: Callable[[Any], str]) -> dict[str, Any] | None:
    risk = result.get("risk")
    if not isinstance(risk, Mapping):
        return None
    basis = [b for b in risk.get("basis") or [] if isinstance(b, Mapping)]
    extra_cols = []
    for b in basis:
        for k in b:
            if k not in BASIS_COLUMNS and k not in extra_cols:
                extra_cols.append(k)
    columns = [c for c in BASIS_COLUMNS if any(c in b for b in basis)] + extra_cols
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
    return {
        "tier": tier, "declared": None if declared is None else text(declared), "how": how,
        "derived": None if derived is None else text(derived),
        "regimes": [(text(k), text(v)) for k, v in regimes.items()] if regimes else [],
        "columns": [(c, c.replace("_", " ")) for c in columns],
        "basis": [[details_view(b.get(c), md, c) if c in b else None for c in columns] for b in basis],
        "details": [(text(k), details_view(v, md, text(k))) for k, v in risk.items()
                    if k not in ("tier", "declared", "basis", "derived", "regimes")],
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _sections(raw: Any) -> list[dict[str, Any]]:
    out = []
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = []
        for e in raw:
            if isinstance(e, Mapping):
                name = e.get("name") or e.get("label") or e.get("section") or e.get("id") or ""
                items.append((name, e))
    else:
        return out
    for name, v in items:
        entry: dict[str, Any] = {"name": text(name), "max": ML_TEST_SCORE_SECTION_MAX, "details": []}
        if isinstance(v, Mapping):
            entry["score"] = next((_number(v.get(k)) for k in ("score", "value", "points", "sum")
                                   if _number(v.get(k)) is not None), None)
            entry["max"] = _number(v.get("max")) or _number(v.get("out_of")) or ML_TEST_SCORE_SECTION_MAX
            entry["tests"] = v.get("tests") if isinstance(v.get("tests"), list) else None
        else:
            entry["score"] = _number(v)
            entry["tests"] = None
        out.append(entry)
    return out


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


def maturity_view(result: Mapping[str, Any], md: Callable[[Any], str]) -> dict[str, Any] | None:
    m = result.get("maturity")
    if not isinstance(m, Mapping):
        return None
    stage = m.get("stage")
    stage_text = text(stage.get("label") or stage.get("name") or stage.get("id")) if isinstance(stage, Mapping) \
        else text(stage)
    raw_sections = None
    used_keys = {"stage"}
    for key in ("sections", "section_vector", "ml_test_score", "vector"):
        value = m.get(key)
        if isinstance(value, Mapping) and isinstance(value.get("sections"), (Mapping, list)):
            raw_sections = value["sections"]
            used_keys.add(key)
            break
        if isinstance(value, (Mapping, list)):
            raw_sections = value
            used_keys.add(key)
            break
    sections = _sections(raw_sections)
    total = None
    for key in ("score", "final", "final_score", "ml_test_score", "min"):
        total = _number(m.get(key))
        if total is not None:
            used_keys.add(key)
            break
        if isinstance(m.get(key), Mapping):
            total = next((_number(m[key].get(k)) for k in ("final", "score", "final_score")
                          if _number(m[key].get(k)) is not None), None)
            if total is not None:
                break
    scored = [s["score"] for s in sections if s["score"] is not None]
    if total is None and scored:
        total = min(scored)
    # chart geometry (SVG user units), computed here so the template stays declarative
    label_w, bar_w, row_h, pad = 190, 340, 30, 8
    chart = []
    for i, s in enumerate(sections):
        frac = 0.0 if s["score"] is None or not s["max"] else max(0.0, min(1.0, s["score"] / s["max"]))
        is_min = s["score"] is not None and total is not None and s["score"] == min(scored) if scored else False
        chart.append({"name": s["name"], "y": pad + i * row_h, "w": round(frac * bar_w, 1),
                      "label": "n/a" if s["score"] is None else f"{s['score']:g} / {s['max']:g}",
                      "is_min": is_min})
    tests = [(s["name"], [details_view(t, md) for t in s["tests"]]) for s in sections if s.get("tests")]
    mts = m.get("ml_test_score") if isinstance(m.get("ml_test_score"), Mapping) else {}
    for s in sections:
        s["title"] = SECTION_TITLES.get(s["name"], s["name"])
    for c in chart:
        c["name"] = SECTION_TITLES.get(c["name"], c["name"])
    score_details = [(text(k), details_view(v, md, text(k))) for k, v in mts.items()
                     if k not in ("tests", "sections", "final", "score")]
    tables = []
    for key, label, cols in (("tests", "ML Test Score tests", ("id", "section", "title", "score", "evidence", "reason")),
                             ("principles", "Principles", ("number", "id", "title", "status", "score", "evidence",
                                                           "reason")),
                             ("practices", "Practices", ("id", "title", "stage", "score", "status", "basis",
                                                         "evidence", "reason"))):
        rows = (mts if key == "tests" else m).get(key)
        if isinstance(rows, list) and rows and all(isinstance(r, Mapping) for r in rows):
            tables.append(table_view(label, rows, cols, md))
            if key != "tests":
                used_keys.add(key)
    stage_details = []
    if isinstance(stage, Mapping):
        stage_details = [(text(k), details_view(v, md, text(k))) for k, v in stage.items()
                         if k not in ("label", "name")]
    return {
        "stage": stage_text or "not stated", "score": total, "score_details": score_details,
        "stage_details": stage_details, "tables": tables,
        "score_text": "n/a" if total is None else f"{total:g}",
        "sections": sections, "chart": chart, "tests": tests,
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


def waivers_view(result: Mapping[str, Any], md: Callable[[Any], str],
                 anchors: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The waiver register; ``matched`` fingerprints become links to the findings they cover."""
    w = result.get("waivers")
    if w is None:
        return None
    anchors = anchors or {}
    summary: list[tuple[str, Any]] = []
    entries: Any = w
    if isinstance(w, Mapping):
        key = next((k for k in ("entries", "register", "waivers", "items") if isinstance(w.get(k), list)), None)
        entries = w.get(key) if key else []
        summary = [(text(k), details_view(v, md, text(k))) for k, v in w.items() if k != key]
    rows = [e for e in entries if isinstance(e, Mapping)] if isinstance(entries, list) else []
    columns = [c for c in WAIVER_COLUMNS if any(c in e for e in rows)]
    has_location = any(k in e for e in rows for k in WAIVER_LOCATION)
    for e in rows:
        for k in e:
            if k not in columns and k not in WAIVER_LOCATION:
                columns.append(k)
    out_rows = []
    for e in rows:
        state = text(e.get("status") or e.get("state"))
        cells = []
        for c in columns:
            if c not in e:
                cells.append(None)
            elif c == "matched" and isinstance(e[c], list):
                cells.append({"kind": "links", "items": [
                    {"anchor": anchors.get(text(fp)), "text": text(fp)} for fp in e[c]]})
            elif c == "status":
                cells.append({"kind": "status", "text": state.replace("_", " "),
                              "css": WAIVER_STATE_CLASS.get(state, "")})
            else:
                cells.append(details_view(e[c], md, c))
        if has_location:
            loc = text(e.get("file"))
            if e.get("line") is not None:
                loc += f":{text(e.get('line'))}"
            if e.get("pointer"):
                loc += f" ({text(e.get('pointer'))})"
            cells.append({"kind": "code", "text": loc})
        out_rows.append({"state": state, "css": WAIVER_STATE_CLASS.get(state, ""),
                         "expired": state == "expired" or e.get("expired") is True, "cells": cells})
    labels = [(c, c.replace("_", " ")) for c in columns] + ([("where", "recorded at")] if has_location else [])
    return {"columns": labels, "rows": out_rows, "summary": summary,
            "counts": {s: sum(1 for r in out_rows if r["state"] == s) for s in dict.fromkeys(r["state"] for r in out_rows)}}


def inventory_view(result: Mapping[str, Any], sha: str) -> dict[str, Any]:
    project = result.get("project") or {}
    files = [{"path": text(f.get("path")), "kind": text(f.get("kind")), "format": text(f.get("format")),
              "sha256": text(f.get("sha256")),
              "extra": {k: text(v) for k, v in f.items() if k not in ("path", "kind", "format", "sha256")}}
             for f in project.get("files") or [] if isinstance(f, Mapping)]
    packs = []
    for p in result.get("packs") or []:
        if not isinstance(p, Mapping):
            continue
        src = p.get("source") if isinstance(p.get("source"), Mapping) else {}
        packs.append({"id": text(p.get("id")), "version": text(p.get("version")), "title": text(p.get("title")),
                      "digest": text(p.get("digest")), "origin": text(p.get("origin")),
                      "source_name": text(src.get("name")), "source_version": text(src.get("version")),
                      "source_url": text(src.get("url")),
                      "requirements": p.get("requirements"), "rules": p.get("rules")})
    generated = result.get("generated_at")
    tool = result.get("tool") or {}
    return {"files": files, "packs": packs, "tool_name": text(tool.get("name")) or "mlcompliance",
            "tool_version": text(tool.get("version")), "result_version": text(result.get("result_version")),
            "as_of": text(result.get("as_of")),
            "generated_at": text(generated) if generated else NOT_RECORDED,
            "generated_recorded": bool(generated), "result_sha256": sha}


def build(result: dict[str, Any], md: Callable[[Any], str]) -> dict[str, Any]:
    """The full view for the HTML report (see docs/templates.md)."""
    gate = result.get("gate") or {}
    blocking_fps = [text(fp) for fp in gate.get("blocking") or []]
    blocking = set(blocking_fps)
    raw_findings = [f for f in result.get("findings") or [] if isinstance(f, Mapping)]
    findings = [finding_view(f, i, blocking, md) for i, f in enumerate(raw_findings)]
    seen: set[str] = set()
    for f in findings:  # ids must be unique even if a result repeats a fingerprint
        if f["anchor"] in seen:
            f["anchor"] = f"{f['anchor']}-{f['index']}"
        seen.add(f["anchor"])
    by_fp = {f["fingerprint"]: f for f in findings}
    ordered = sorted(findings, key=_problem_first)
    summary = result.get("summary") or {}
    pack_ids = [text(p.get("id")) for p in result.get("packs") or [] if isinstance(p, Mapping)]
    for f in findings:
        if f["pack"] not in pack_ids:
            pack_ids.append(f["pack"])
    outcomes_present = [o for o in OUTCOMES if any(f["outcome"] == o for f in findings)]
    outcomes_present += sorted({f["outcome"] for f in findings} - set(OUTCOMES))
    severities_present = [s for s in reversed(SEVERITIES) if any(f["severity"] == s for f in findings)]
    severities_present += sorted({f["severity"] for f in findings} - set(SEVERITIES))
    verdict = text(gate.get("verdict")) or "unknown"
    fail_on = text(gate.get("fail_on"))
    sha = result_sha256(result)
    packs_scores = []
    for p in summary.get("packs") or []:
        if isinstance(p, Mapping):
            packs_scores.append({"id": text(p.get("id")), "version": text(p.get("version")),
                                 "title": text(p.get("title")), "score": score_view(p.get("score")),
                                 "outcomes": {k: (p.get("outcomes") or {}).get(k, 0) for k in OUTCOMES}})
    project = result.get("project") or {}
    return {
        "result": result,
        "title": f"mlcompliance report: {text(project.get('name')) or 'unnamed project'}",
        "project_name": text(project.get("name")) or "unnamed project",
        "as_of": text(result.get("as_of")),
        "tool_version": text((result.get("tool") or {}).get("version")),
        "verdict": {
            "verdict": verdict, "compliant": verdict == "compliant", "label": verdict.replace("_", "-").upper(),
            "fail_on": fail_on, "source": text(gate.get("source")), "tier": text(gate.get("tier")),
            "blocking": [by_fp[fp] for fp in blocking_fps if fp in by_fp],
            "unresolved": [fp for fp in blocking_fps if fp not in by_fp],
            "problem_counts": {o: sum(1 for f in findings if f["outcome"] == o) for o in PROBLEM_OUTCOMES},
        },
        "scores": {
            "overall": score_view(summary.get("score")),
            "outcomes": {k: (summary.get("outcomes") or {}).get(k, 0) for k in OUTCOMES},
            "packs": packs_scores,
            "formula": SCORE_FORMULA,
            "weights": [(s, WEIGHTS[s]) for s in reversed(SEVERITIES)],
            "scored_outcomes": list(SCORED),
        },
        "requirements": requirements_view(result, findings, raw_findings, pack_ids),
        "risk": risk_view(result, md),
        "maturity": maturity_view(result, md),
        "findings": ordered,
        "facets": {"packs": pack_ids, "severities": severities_present, "outcomes": outcomes_present},
        "waivers": waivers_view(result, md, {f["fingerprint"]: f["anchor"] for f in findings}),
        "inventory": inventory_view(result, sha),
        "outcome_names": list(OUTCOMES),
    }
