"""The result: an immutable, versioned, JSON-ready record of one check.

Renderers take this dict (or the same dict read back from a saved JSON file), never
engine objects, so any report can be rebuilt later from the saved result.
It holds no absolute path and no clock time: the same inputs and as-of date give
byte-identical JSON.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from mlcompliance import __version__
from mlcompliance.engine.corechecks import ENGINE_PACK
from mlcompliance.engine.findings import Finding
from mlcompliance.errors import InputError
from mlcompliance.evidence.loader import Document
from mlcompliance.evidence.project import Project
from mlcompliance.policy.packs import Pack, Requirement
from mlcompliance.scoring.gate import decide
from mlcompliance.scoring.scores import counts, score, status

RESULT_VERSION = "1.0"


def build(project: Project, packs: list[Pack], findings: list[Finding], risk: dict[str, Any], as_of: date,
          fail_on: str, gate_source: str, register: list[dict[str, Any]],
          waiver_doc: Document | None) -> dict[str, Any]:
    items = [f.to_dict() for f in findings]
    summaries = [_pack_summary(p.id, p.version, p.title, p.requirements, items) for p in packs]
    engine_items = [f for f in items if f["pack"] == ENGINE_PACK]
    if engine_items:
        summaries.append({"id": ENGINE_PACK, "version": __version__, "title": "Engine checks (risk tier, waivers)",
                          "outcomes": counts(engine_items), "score": score(engine_items),
                          "manual": {"total": 0, "attested": 0},
                          "requirements": [_requirement(rid, rid, "", None, False, [f for f in engine_items
                                                                                   if f["requirement"] == rid])
                                           for rid in sorted({f["requirement"] for f in engine_items})]})
    files = project.files()
    if waiver_doc is not None:
        files.append({"path": waiver_doc.path, "kind": "waivers", "format": waiver_doc.format,
                      "sha256": waiver_doc.sha256})
    return {
        "result_version": RESULT_VERSION,
        "tool": {"name": "mlcompliance", "version": __version__},
        "as_of": as_of.isoformat(),
        "project": {"name": project.name, "files": files},
        "packs": [{"id": p.id, "version": p.version, "title": p.title, "digest": p.digest,
                   "origin": p.origin.split(":")[0], "source": p.source,
                   "requirements": len(p.requirements), "rules": len(p.rules)} for p in packs],
        "risk": risk,
        "gate": decide(items, risk["tier"], fail_on, gate_source),
        "summary": {"outcomes": counts(items), "score": score(items), "packs": summaries},
        "waivers": register,
        "maturity": None,   # filled by run.Checker (maturity.evaluate)
        "findings": items,
    }


def _pack_summary(pid: str, version: str, title: str, requirements: list[Requirement],
                  items: list[dict[str, Any]]) -> dict[str, Any]:
    mine = [f for f in items if f["pack"] == pid]
    reqs = [_requirement(r.id, r.title, r.clause, r.section, r.manual, [f for f in mine if f["requirement"] == r.id])
            for r in requirements]
    manual = [f for f in mine if f["outcome"] == "manual"]
    return {"id": pid, "version": version, "title": title, "outcomes": counts(mine), "score": score(mine),
            "manual": {"total": len(manual), "attested": sum(1 for f in manual if "attestation" in f)},
            "requirements": reqs}


def _requirement(rid: str, title: str, clause: str, section: str | None, manual: bool,
                 findings: list[dict[str, Any]]) -> dict[str, Any]:
    out = {"id": rid, "title": title, "clause": clause, "manual": manual, "status": status(findings),
           "outcomes": counts(findings), "score": score(findings)}
    if section:
        out["section"] = section
    return out


def dumps(result: dict[str, Any]) -> str:
    """The JSON text of a result: one line (pipe it to `jq .` to read it). Without `indent`, the
    standard library uses its C encoder, about 10 times faster on large portfolios."""
    return json.dumps(result, ensure_ascii=False) + "\n"


def read_result(path: Path) -> dict[str, Any]:
    """Load a saved result, refusing files that are not an mlcompliance result of a known version."""
    from mlcompliance.evidence.loader import load_file
    doc = load_file(path, str(path), fmt="json")
    value = doc.value
    if not isinstance(value, dict) or "result_version" not in value:
        raise InputError("not an mlcompliance result (no result_version)", file=str(path),
                         expected="a JSON file written by 'mlcompliance check --format json'")
    major = str(value["result_version"]).split(".")[0]
    if major != RESULT_VERSION.split(".")[0]:
        raise InputError(f"result version {value['result_version']} is not supported", file=str(path),
                         expected=f"result version {RESULT_VERSION.split('.')[0]}.x")
    _check_shape(value, str(path))
    return value


def _check_shape(value: dict[str, Any], file: str) -> None:
    """A single result is validated against result.schema.json. A portfolio is JSON Lines
    (result/jsonl.py); one saved as a single JSON document by an earlier version is refused."""
    from mlcompliance.evidence.schemas import describe_error, validator
    check = validator("result")
    if value.get("portfolio") is True:
        raise InputError("a portfolio saved as one JSON document by an earlier mlcompliance", file=file,
                         expected="a portfolio in JSON Lines: run 'mlcompliance check DIR... --format json' again")
    errors = sorted(check.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        message, expected = describe_error(errors[0])
        raise InputError(f"not a valid mlcompliance result: {message}", file=file, expected=expected)


def stamp(result: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``result`` with ``generated_at`` (UTC, seconds) after ``as_of``."""
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    out: dict[str, Any] = {}
    for key, value in result.items():
        out[key] = value
        if key == "as_of":
            out["generated_at"] = now
    return out
