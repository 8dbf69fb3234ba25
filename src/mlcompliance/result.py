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

from . import __version__
from .errors import InputError
from .evidence import Project
from .findings import Finding
from .gate import decide
from .policy import Pack
from .scoring import counts, score

RESULT_VERSION = "1.0"


def build(project: Project, packs: list[Pack], findings: list[Finding], tier: dict[str, Any],
          as_of: date, fail_on: str) -> dict[str, Any]:
    items = [f.to_dict() for f in findings]
    by_pack = []
    for pack in packs:
        mine = [f for f in items if f["pack"] == pack.id]
        by_pack.append({"id": pack.id, "version": pack.version, "title": pack.title,
                        "outcomes": counts(mine), "score": score(mine)})
    return {
        "result_version": RESULT_VERSION,
        "tool": {"name": "mlcompliance", "version": __version__},
        "as_of": as_of.isoformat(),
        "project": {"name": project.name, "files": project.files()},
        "packs": [{"id": p.id, "version": p.version, "title": p.title, "digest": p.digest,
                   "origin": p.origin.split(":")[0], "source": p.source,
                   "requirements": len(p.requirements), "rules": len(p.rules)} for p in packs],
        "risk": tier,
        "gate": decide(items, fail_on),
        "summary": {"outcomes": counts(items), "score": score(items), "packs": by_pack},
        "findings": items,
    }


def dumps(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def read_result(path: Path) -> dict[str, Any]:
    """Load a saved result, refusing files that are not an mlcompliance result of a known version."""
    from .loader import load_file
    doc = load_file(path, str(path), fmt="json")
    value = doc.value
    if not isinstance(value, dict) or "result_version" not in value:
        raise InputError("not an mlcompliance result (no result_version)", file=str(path),
                         expected="a JSON file written by 'mlcompliance check --format json'")
    major = str(value["result_version"]).split(".")[0]
    if major != RESULT_VERSION.split(".")[0]:
        raise InputError(f"result version {value['result_version']} is not supported", file=str(path),
                         expected=f"result version {RESULT_VERSION.split('.')[0]}.x")
    return value
