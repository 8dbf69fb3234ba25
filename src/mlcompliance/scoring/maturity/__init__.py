"""Maturity aggregated from pack findings: the ML Test Score, the playbook's stage, Google and
Azure levels, the seven principles and the evidenced self-assessment dimensions.

A pack that ships a maturity rubric (``maturity.yaml``, e.g. mlops-practices 1.1.0) maps each of
the 28 tests of the ML Test Score (Breck et al., IEEE BigData 2017) and each of the twelve
practices to the rules whose findings give 0.5 (manual, documented) and 1 (automated,
recurring). ``evaluate`` aggregates the findings the one engine produced: it reads no evidence
and no file. Each item lists the rule ids and fingerprints of the findings that decided it
(``decided_by``) and the passing ones as evidence (file, line). The arithmetic (section sums,
the weakest section, bands, the crosswalk, the stage rule) is in ``rubric``; the rubric's
expressions in ``aggregate``. Without a chosen pack that has a rubric, maturity is reported as
not assessed, with the reason. Documented in docs/maturity.md.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from mlcompliance.scoring.maturity.aggregate import Findings, Tracer, score_item
from mlcompliance.scoring.maturity.rubric import (
    AZURE_LABELS,
    BANDS,
    CROSSWALK,
    GOOGLE_LABELS,
    PRACTICE_STAGES,
    SECTIONS,
    STAGE_LABELS,
    band,
    crosswalk,
    final_score,
    principle_status,
    section_sums,
    stage_rule,
)

__all__ = ["AZURE_LABELS", "BANDS", "CROSSWALK", "GOOGLE_LABELS", "PRACTICE_STAGES", "SECTIONS", "STAGE_LABELS",
           "band", "crosswalk", "evaluate", "final_score", "not_assessed", "principle_status", "section_sums",
           "stage_rule"]


def not_assessed(reason: str) -> dict[str, Any]:
    return {"assessed": False, "reason": reason}


def evaluate(packs: list[Any], findings: list[Any], as_of: date, project: str,
             repository: dict[str, Any] | None = None) -> dict[str, Any]:
    """Maturity from the findings of the first chosen pack that has a maturity rubric."""
    pack = next((p for p in packs if getattr(p, "maturity", None)), None)
    if pack is None:
        chosen = ", ".join(f"{p.id}@{p.version}" for p in packs) or "none"
        return not_assessed(f"no chosen pack has a maturity rubric (chosen: {chosen}); maturity comes from "
                            f"mlops-practices 1.1.0 or later")
    rubric = pack.maturity
    mine = sorted((f for f in findings if f.pack == pack.id), key=lambda f: f.sort_key())
    t = Tracer(rubric, Findings(mine))
    tests = []
    for spec in rubric["tests"]:
        score, evidence, reason, trace = score_item(t, spec)
        t.scores[spec["id"]] = score
        record: dict[str, Any] = {"id": spec["id"], "section": spec["section"], "title": spec["title"],
                                  "score": score, "evidence": evidence}
        if reason:
            record["reason"] = reason
        record.update(trace)
        tests.append(record)
    by_test = {x["id"]: x for x in tests}
    practices = [_practice(t, spec, by_test) for spec in rubric["practices"]]
    by_practice = {p["id"]: p for p in practices}
    sections = section_sums(tests)
    final = final_score(sections)
    rng, meaning = band(final)
    stage = stage_rule({p["id"]: p["score"] for p in practices})
    google = stage["stage"] - 1
    azure, azure_why = _azure(t, rubric["azure_levels"])
    cross = crosswalk(final)
    weakest = [k for k, v in sections.items() if v == final]
    cross_google = int(cross["google_level"][0])
    # one Google (and Azure) level: the one the practices set. The crosswalk's level for the ML Test
    # Score is only compared with it, never recorded as a second level (the report showed both).
    if cross_google < google:
        stage["why"].append(
            f"note: the ML Test Score ({final:g}, capped by {', '.join(weakest)}) is lower than Google level "
            f"{google} implies in the ml-governance 3d crosswalk: test coverage lags automation")
    elif cross_google > google:
        stage["why"].append(
            f"note: the ML Test Score ({final:g}) is higher than Google level {google} implies in the "
            f"ml-governance 3d crosswalk: tests are ahead of pipeline automation")
    repo = repository or {}
    return {
        "maturity_version": rubric["maturity_version"],
        "assessed": True,
        "rubric": {"pack": pack.id, "version": pack.version},
        "as_of": as_of.isoformat(),
        "project": project,
        "ml_test_score": {"tests": tests, "sections": sections, "final": final, "weakest_sections": weakest,
                          "band_range": rng, "band": meaning, "crosswalk": {"label": cross["label"]}},
        "stage": stage,
        "google_level": google,
        "google_label": GOOGLE_LABELS[google],
        "azure_level": azure,
        "azure_label": AZURE_LABELS[azure],
        "azure_why": azure_why,
        "principles": [_principle(t, spec, by_practice) for spec in rubric["principles"]],
        "practices": practices,
        "dimensions": _dimensions(t, rubric["dimensions"]),
        "evidence_findings": [_compact(f) for f in mine if f.requirement == pack.maturity_requirement],
        "repository": {"files_read": [{"path": f["path"], "kind": f["kind"]} for f in repo.get("files", [])],
                       "skipped": list(repo.get("skipped", []))},
    }


def _compact(f: Any) -> dict[str, Any]:
    """A maturity-evidence finding as the maturity section lists it (the rule's title on pass)."""
    return {"rule_id": f.rule_id, "outcome": f.outcome, "file": f.file, "line": f.line, "pointer": f.pointer,
            "target": f.target,
            "message": f.message, "fingerprint": f.fingerprint}


def _practice(t: Tracer, spec: dict[str, Any], tests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": spec["id"], "title": spec["title"], "stage": spec["stage"]}
    applies = spec.get("applies_if")
    if applies and t.findings.outcome(applies) == "not_applicable":
        found = t.findings.of(applies)
        out.update(score=None, status=principle_status(None),
                   evidence=[{"file": f.file, "line": f.line, "pointer": f.pointer, "what": f.message,
                              "rule_id": f.rule_id, "fingerprint": f.fingerprint} for f in found[:1]],
                   reason=f"not applicable: {applies} is not applicable"
                          + (f" ({found[0].message})" if found else ""),
                   decided_by=[{"rule_id": f.rule_id, "outcome": f.outcome, "file": f.file, "line": f.line,
                                "fingerprint": f.fingerprint} for f in found])
        t.scores[spec["id"]] = None
        return out
    if "from_test" in spec:
        test = tests[spec["from_test"]]
        out.update(score=test["score"], status=principle_status(test["score"]), basis=f"ML Test Score {test['id']}",
                   evidence=test["evidence"])
        if test.get("reason"):
            out["reason"] = test["reason"]
        out["decided_by"] = test["decided_by"]
        out["depends_on"] = [test["id"]]
    else:
        score, evidence, reason, trace = score_item(t, spec)
        out.update(score=score, status=principle_status(score), evidence=evidence)
        if reason:
            out["reason"] = reason
        out.update(trace)
    t.scores[spec["id"]] = out["score"]
    return out


def _principle(t: Tracer, spec: dict[str, Any], practices: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"number": spec["number"], "id": spec["id"], "title": spec["title"]}
    if "practices" in spec:
        rows = [practices[i] for i in spec["practices"]]
        scores = [r["score"] for r in rows if r["score"] is not None]
        score = min(scores) if scores else None
        evidence = [e for r in rows for e in r["evidence"]][:6]
        reasons = [f"{r['id']}: {r['reason']}" for r in rows if r.get("reason") and r["score"] is not None
                   and r["score"] < 1]
        out.update(status=principle_status(score), score=score, evidence=evidence)
        if reasons:
            out["reason"] = "; ".join(reasons)
        out["depends_on"] = list(spec["practices"])
        return out
    score, evidence, reason, trace = score_item(t, spec)
    out.update(status=principle_status(score), score=score, evidence=evidence)
    if reason:
        out["reason"] = reason
    out.update(trace)
    return out


def _azure(t: Tracer, levels: list[dict[str, Any]]) -> tuple[int, list[str]]:
    level, why = 0, []
    for item in levels:
        t.start()
        if not t.holds(item["when"]):
            why.append(f"not level {item['level']}: needs {item['needs']}")
            break
        level = item["level"]
        why.append(f"level {level}: {item['needs']}")
    return level, why


def _dimensions(t: Tracer, rules: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out = {}
    for dim, crit in rules.items():
        results = []
        for c in crit:
            t.start()
            results.append((c["stage"], c["text"], t.holds(c["when"])))
        stage = 1
        for s in (2, 3):
            if all(ok for st, _, ok in results if st <= s):
                stage = s
            else:
                break
        met = [text for _, text, ok in results if ok]
        missing = [text for st, text, ok in results if not ok and st <= stage + 1] if stage < 3 else []
        out[dim] = {"stage": stage, "met": met, "missing_for_next": missing}
    return out
