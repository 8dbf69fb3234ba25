"""The JSON form of a result, written and read here only (docs/result.md).

``to_dict`` gives the JSON-ready dict (key order fixed: it is what ``check --format json``
writes, byte for byte), ``from_dict`` the typed result back (``from_dict(to_dict(r)) == r``);
``dumps``/``loads``/``read`` add the text, the ``result_version`` check and schema validation.
A portfolio is JSON Lines, one project result per line (``result/jsonl.py``); a portfolio
saved as one JSON document by an earlier version is refused.
"""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from mlcompliance.engine.findings import freeze, thaw
from mlcompliance.errors import InputError
from mlcompliance.evidence import pointers
from mlcompliance.result import data as data_model
from mlcompliance.result import frameworks as frameworks_model
from mlcompliance.result.model import (
    Attestation,
    Baseline,
    Counts,
    Excerpt,
    Finding,
    Gate,
    ManualCount,
    PackRef,
    PackSummary,
    ProjectFile,
    ProjectInfo,
    Reference,
    RequirementSummary,
    Result,
    Risk,
    RiskFact,
    RiskProblem,
    Score,
    Signer,
    Summary,
    Tool,
    WaiverEntry,
    WaiverNote,
    Workpaper,
)
from mlcompliance.vocab import OUTCOMES

RESULT_VERSION = "1.0"
EXPECTED_FILE = "a JSON file written by 'mlcompliance check --format json'"


# --- typed -> JSON ---------------------------------------------------------------------------

def to_dict(result: Result) -> dict[str, Any]:
    out: dict[str, Any] = {"result_version": result.result_version,
                           "tool": to_tool(result.tool),
                           "as_of": result.as_of.isoformat()}
    if result.generated_at is not None:
        out["generated_at"] = result.generated_at
    out.update({
        "project": {"name": result.project.name,
                    "files": [_file(f) for f in result.project.files]},
        "packs": [pack_ref_to_dict(p) for p in result.packs],
        "risk": risk_to_dict(result.risk),
        "gate": gate_to_dict(result.gate),
        "summary": {"outcomes": counts_to_dict(result.summary.outcomes),
                    "score": score_to_dict(result.summary.score),
                    "packs": [_pack_summary(p) for p in result.summary.packs]},
        "waivers": [waiver_to_dict(w) for w in result.waivers],
        "maturity": thaw(result.maturity),
    })
    if result.data is not None:
        out["data"] = data_to_dict(result.data)
    if result.workpaper is not None:
        out["workpaper"] = workpaper_to_dict(result.workpaper)
    if result.baseline is not None:
        b = result.baseline
        out["baseline"] = {"file": b.file, "as_of": b.as_of, "new": b.new, "recurring": b.recurring,
                           "fixed": [finding_to_dict(f) for f in b.fixed]}
    if result.frameworks is not None:
        out["frameworks"] = [frameworks_model.to_dict(f) for f in result.frameworks]
    out["findings"] = [finding_to_dict(f) for f in result.findings]
    if result.excerpts:
        out["excerpts"] = [{"file": e.file, "start": e.start, "end": e.end, "lines": list(e.lines)}
                           for e in result.excerpts]
    return out


def workpaper_to_dict(w: Workpaper) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if w.ref is not None:
        out["ref"] = w.ref
    for key in ("preparer", "reviewer"):
        signer = getattr(w, key)
        if signer is not None:
            out[key] = {k: getattr(signer, k) for k in ("name", "role", "date") if getattr(signer, k) is not None}
    return out


def workpaper_from_dict(d: dict[str, Any]) -> Workpaper:
    return Workpaper(ref=d.get("ref"), **{k: Signer(**d[k]) for k in ("preparer", "reviewer") if k in d})


def to_tool(t: Tool) -> dict[str, str]:
    return {"name": t.name, "version": t.version}


def counts_to_dict(c: Counts) -> dict[str, int]:
    return dict(c.items())


def score_to_dict(s: Score) -> dict[str, Any]:
    return {"numerator": s.numerator, "numerator_with_accepted_risk": s.numerator_with_accepted_risk,
            "denominator": s.denominator, "raw": s.raw, "with_accepted_risk": s.with_accepted_risk}


def gate_to_dict(g: Gate) -> dict[str, Any]:
    out = {"tier": g.tier, "fail_on": g.fail_on, "source": g.source, "verdict": g.verdict,
           "blocking": list(g.blocking)}
    if g.new_only:
        out["new_only"] = True
    return out


def risk_fact_to_dict(f: RiskFact) -> dict[str, Any]:
    out = {"regime": f.regime, "fact": f.fact}
    if f.file is not None:
        out.update(file=f.file, line=f.line)
    out.update(value=thaw(f.value), raises_to=f.raises_to, clause=f.clause)
    if f.url is not None:
        out["url"] = f.url
    if f.applies_from is not None:
        out["applies_from"] = f.applies_from
    return out


def risk_to_dict(r: Risk) -> dict[str, Any]:
    return {"tier": r.tier, "declared": r.declared, "derived": r.derived, "regimes": dict(r.regimes),
            "basis": [risk_fact_to_dict(f) for f in r.basis], "facts": [risk_fact_to_dict(f) for f in r.facts],
            "override": thaw(r.override), "problems": [{"kind": p.kind, "message": p.message} for p in r.problems]}


def _pack_summary(p: PackSummary) -> dict[str, Any]:
    return {"id": p.id, "version": p.version, "title": p.title, "outcomes": counts_to_dict(p.outcomes),
            "score": score_to_dict(p.score), "manual": {"total": p.manual.total, "attested": p.manual.attested},
            "requirements": [_requirement(r) for r in p.requirements]}


def _requirement(r: RequirementSummary) -> dict[str, Any]:
    out = {"id": r.id, "title": r.title, "clause": r.clause, "manual": r.manual, "status": r.status,
           "outcomes": counts_to_dict(r.outcomes), "score": score_to_dict(r.score)}
    if r.section is not None:
        out["section"] = r.section
    return out


_WAIVER_TEXT = ("rule", "scope", "justification", "approver", "created", "expires", "ticket")


def waiver_to_dict(w: WaiverEntry) -> dict[str, Any]:
    out: dict[str, Any] = {"id": w.id, "file": w.file, "line": w.line, "pointer": w.pointer}
    for key in _WAIVER_TEXT:
        value = getattr(w, key)
        if value is not None:
            out[key] = thaw(value)
    if w.lifetime_days is None:   # not applied: its dates could not be read
        out.update(status=w.status, reason=w.reason, matched=list(w.matched))
        return out
    out.update(lifetime_days=w.lifetime_days, days_left=w.days_left, matched=list(w.matched), status=w.status)
    if w.reason is not None:
        out["reason"] = w.reason
    return out


def _reference(r: Reference) -> dict[str, str]:
    return {"regulation": r.regulation, "clause": r.clause} if r.url is None else \
        {"regulation": r.regulation, "clause": r.clause, "url": r.url}


def _optional(obj: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in keys if getattr(obj, k) is not None}


def attestation_to_dict(a: Attestation) -> dict[str, str]:
    return _optional(a, ("attested_by", "date", "statement", "evidence_ref", "expires"))


def waiver_note_to_dict(w: WaiverNote) -> dict[str, str]:
    return _optional(w, ("id", "status", "expires", "approver"))


def finding_to_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule_id": f.rule_id, "pack": f.pack, "pack_version": f.pack_version, "requirement": f.requirement,
        "title": f.title, "outcome": f.outcome, "severity": f.severity, "message": f.message,
        "remediation": f.remediation, "references": [_reference(r) for r in f.references],
        "location": {"file": f.file, "line": f.line, "column": f.column, "pointer": f.pointer, "target": f.target},
    }
    if f.observed is not pointers.MISSING:
        out["observed"] = thaw(f.observed)
    elif f.observed_missing:
        out["observed_missing"] = True
    if f.detail:
        out["detail"] = f.detail
    if f.attestation is not None:
        out["attestation"] = attestation_to_dict(f.attestation)
    if f.waiver is not None:
        out["waiver"] = waiver_note_to_dict(f.waiver)
    if f.parameters:
        out["parameters"] = thaw(f.parameters)
    out["fingerprint"] = f.fingerprint
    if f.baseline is not None:
        out["baseline"] = f.baseline
    return out


def dumps(result: Result | dict[str, Any]) -> str:
    """The JSON text of a result (typed, or already JSON-ready): one line (pipe it to `jq .` to
    read it). Without `indent`, the standard library uses its C encoder, about 10 times faster."""
    value = to_dict(result) if isinstance(result, Result) else result
    return json.dumps(value, ensure_ascii=False) + "\n"


# --- JSON -> typed ---------------------------------------------------------------------------

def from_dict(d: dict[str, Any]) -> Result:
    """The typed result of a JSON-ready dict as ``to_dict`` writes it (validate it first: ``check``)."""
    s = d["summary"]
    b = d.get("baseline")
    return Result(
        result_version=d["result_version"],
        tool=Tool(d["tool"]["name"], d["tool"]["version"]),
        as_of=date.fromisoformat(d["as_of"]),
        generated_at=d.get("generated_at"),
        project=ProjectInfo(name=d["project"]["name"],
                            files=tuple(ProjectFile(path=f["path"], kind=f["kind"], format=f.get("format"),
                                                    sha256=f["sha256"], adapter=f.get("adapter")) for f in d["project"]["files"])),
        packs=tuple(pack_ref_from_dict(p) for p in d["packs"]),
        risk=risk_from_dict(d["risk"]),
        gate=Gate(tier=d["gate"]["tier"], fail_on=d["gate"]["fail_on"], source=d["gate"]["source"],
                  verdict=d["gate"]["verdict"], blocking=tuple(d["gate"]["blocking"]),
                  new_only=d["gate"].get("new_only", False)),
        summary=Summary(outcomes=counts_from_dict(s["outcomes"]), score=score_from_dict(s["score"]),
                        packs=tuple(_pack_summary_from(p) for p in s["packs"])),
        waivers=tuple(waiver_from_dict(w) for w in d["waivers"]),
        maturity=None if d.get("maturity") is None else freeze(d["maturity"]),
        findings=tuple(finding_from_dict(f) for f in d["findings"]),
        data=None if d.get("data") is None else data_from_dict(d["data"]),
        frameworks=None if d.get("frameworks") is None else tuple(frameworks_model.from_dict(f) for f in d["frameworks"]),
        workpaper=None if d.get("workpaper") is None else workpaper_from_dict(d["workpaper"]),
        excerpts=tuple(Excerpt(file=e["file"], start=e["start"], lines=tuple(e["lines"])) for e in d.get("excerpts", ())),
        baseline=None if b is None else Baseline(file=b["file"], as_of=b["as_of"], new=b["new"],
                                                 recurring=b["recurring"],
                                                 fixed=tuple(finding_from_dict(f) for f in b["fixed"])),
    )


def pack_ref_to_dict(p: PackRef) -> dict[str, Any]:
    out: dict[str, Any] = {"id": p.id, "version": p.version, "title": p.title, "digest": p.digest, "origin": p.origin,
                           "source": thaw(p.source), "requirements": p.requirements, "rules": p.rules}
    if p.sources:
        out["sources"] = thaw(p.sources)
    if p.law_as_of is not None:
        out["law_as_of"] = p.law_as_of
    if p.review_by is not None:
        out["review_by"] = p.review_by
    if p.parameters:
        out["parameters"] = thaw(p.parameters)
    return out


def pack_ref_from_dict(p: dict[str, Any]) -> PackRef:
    return PackRef(id=p["id"], version=p["version"], title=p.get("title", ""), digest=p["digest"], origin=p["origin"],
                   source=freeze(p["source"]), requirements=p.get("requirements", 0), rules=p.get("rules", 0),
                   sources=freeze(p.get("sources", [])), law_as_of=p.get("law_as_of"), review_by=p.get("review_by"),
                   parameters=freeze(p["parameters"]) if p.get("parameters") else None)


def counts_from_dict(c: dict[str, int]) -> Counts:
    return Counts.of({o: c.get(o, 0) for o in OUTCOMES})


def score_from_dict(s: dict[str, Any]) -> Score:
    return Score(numerator=s["numerator"], numerator_with_accepted_risk=s["numerator_with_accepted_risk"],
                 denominator=s["denominator"], raw=s["raw"], with_accepted_risk=s["with_accepted_risk"])


def _risk_fact(f: dict[str, Any]) -> RiskFact:
    return RiskFact(regime=f["regime"], fact=f["fact"], value=freeze(f.get("value")), raises_to=f["raises_to"],
                    clause=f["clause"], url=f.get("url"), applies_from=f.get("applies_from"),
                    file=f.get("file"), line=f.get("line"))


def risk_from_dict(r: dict[str, Any]) -> Risk:
    """Also how the engine's tier derivation (a JSON-ready dict) enters the typed result."""
    return Risk(tier=r["tier"], declared=r["declared"], derived=r["derived"], regimes=freeze(r["regimes"]),
                basis=tuple(_risk_fact(f) for f in r["basis"]), facts=tuple(_risk_fact(f) for f in r["facts"]),
                override=None if r["override"] is None else freeze(r["override"]),
                problems=tuple(RiskProblem(kind=p["kind"], message=p["message"]) for p in r["problems"]))


def _pack_summary_from(p: dict[str, Any]) -> PackSummary:
    return PackSummary(id=p["id"], version=p["version"], title=p["title"], outcomes=counts_from_dict(p["outcomes"]),
                       score=score_from_dict(p["score"]),
                       manual=ManualCount(total=p["manual"]["total"], attested=p["manual"]["attested"]),
                       requirements=tuple(RequirementSummary(
                           id=r["id"], title=r["title"], clause=r["clause"], manual=r["manual"], status=r["status"],
                           outcomes=counts_from_dict(r["outcomes"]), score=score_from_dict(r["score"]),
                           section=r.get("section")) for r in p["requirements"]))


def waiver_from_dict(w: dict[str, Any]) -> WaiverEntry:
    return WaiverEntry(id=w["id"], file=w["file"], line=w["line"], pointer=w["pointer"], status=w["status"],
                       matched=tuple(w.get("matched", ())), reason=w.get("reason"),
                       **{k: (freeze(w[k]) if k == "scope" else w[k]) for k in _WAIVER_TEXT if k in w},
                       lifetime_days=w.get("lifetime_days"), days_left=w.get("days_left"))


def finding_from_dict(f: dict[str, Any]) -> Finding:
    loc = f["location"]
    att, waiver = f.get("attestation"), f.get("waiver")
    return Finding(
        rule_id=f["rule_id"], pack=f["pack"], pack_version=f["pack_version"], requirement=f["requirement"],
        title=f["title"], outcome=f["outcome"], severity=f["severity"], message=f["message"],
        remediation=f["remediation"],
        references=tuple(Reference(r["regulation"], r["clause"], r.get("url")) for r in f["references"]),
        file=loc["file"], line=loc["line"], column=loc["column"], target=loc["target"], pointer=loc["pointer"],
        observed=freeze(f["observed"]) if "observed" in f else pointers.MISSING, detail=f.get("detail"),
        attestation=None if att is None else Attestation(**att),
        waiver=None if waiver is None else WaiverNote(**waiver), baseline=f.get("baseline"),
        parameters=freeze(f["parameters"]) if f.get("parameters") else None)


# --- the data section (result/data.py): every field of its dataclasses, in their order ----------

def data_to_dict(value: Any) -> Any:
    """The JSON form of ``result.data`` (or any part of it): each dataclass field under its name."""
    if dataclasses.is_dataclass(value):
        return {f.name: data_to_dict(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [data_to_dict(v) for v in value]
    return thaw(value)


def data_from_dict(d: dict[str, Any]) -> data_model.DataFacts:
    return _decode(data_model.DataFacts, d)


def _decode(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _decode(next(a for a in typing.get_args(tp) if a is not type(None)), value)
    if origin is tuple:
        return tuple(_decode(typing.get_args(tp)[0], v) for v in value)
    if origin is Mapping or tp is Any:
        return freeze(value)
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{f.name: _decode(hints[f.name], value[f.name]) for f in dataclasses.fields(tp) if f.name in value})
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(tp: type) -> dict[str, Any]:
    if tp not in _HINTS:
        _HINTS[tp] = typing.get_type_hints(tp, vars(data_model))
    return _HINTS[tp]


# --- text and files --------------------------------------------------------------------------

def loads(text: str, file: str) -> Result:
    """A saved single-project result from its JSON text."""
    from mlcompliance.evidence.loader import parse_text
    return decode(parse_text(text, file, "json").value, file)


def read(path: Path) -> Result:
    """Load a saved single-project result, refusing files that are not one of a known version
    (a portfolio is JSON Lines: result/jsonl.py reads it)."""
    from mlcompliance.evidence.loader import load_file
    return decode(load_file(path, str(path), fmt="json").value, str(path))


def decode(value: Any, file: str) -> Result:
    check(value, file)
    return from_dict(value)


def check(value: Any, file: str) -> None:
    """Refuse what is not a single-project mlcompliance result of this major version, valid
    against result.schema.json (InputError: exit 2)."""
    if not isinstance(value, dict) or "result_version" not in value:
        raise InputError("not an mlcompliance result (no result_version)", file=file, expected=EXPECTED_FILE)
    major = str(value["result_version"]).split(".")[0]
    if major != RESULT_VERSION.split(".")[0]:
        raise InputError(f"result version {value['result_version']} is not supported", file=file,
                         expected=f"result version {RESULT_VERSION.split('.')[0]}.x")
    if value.get("portfolio") is True:
        raise InputError("a portfolio saved as one JSON document by an earlier mlcompliance", file=file,
                         expected="a portfolio in JSON Lines: run 'mlcompliance check DIR... --format json' again")
    from mlcompliance.evidence.schemas import describe_error, validator
    errors = sorted(validator("result").iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        message, expected = describe_error(errors[0])
        raise InputError(f"not a valid mlcompliance result: {message}", file=file, expected=expected)


def _file(f: ProjectFile) -> dict[str, Any]:
    out = {"path": f.path, "kind": f.kind, "format": f.format, "sha256": f.sha256}
    if f.adapter is not None:
        out["adapter"] = f.adapter
    return out
