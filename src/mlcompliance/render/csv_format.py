"""CSV of every finding (one row each), for spreadsheets and BI tools; pandas writes it.

With a baseline (``check --baseline``) a ``baseline`` column says new / recurring for problem
findings, and the baseline's fixed findings follow as rows marked ``fixed``.
"""
from __future__ import annotations

import json
from typing import Any

from mlcompliance.engine.findings import thaw
from mlcompliance.result.model import Finding, Result

COLUMNS = ["project", "project_name", "pack", "pack_version", "rule_id", "requirement", "outcome", "severity",
           "file", "line", "column", "pointer", "target", "observed", "message", "remediation", "waiver",
           "fingerprint"]


def _row(path: str, name: str, f: Finding) -> dict[str, Any]:
    observed = "" if not f.has_observed else (f.observed if isinstance(f.observed, str)
                                              else json.dumps(thaw(f.observed), ensure_ascii=False))
    return {"project": path, "project_name": name, "pack": f.pack, "pack_version": f.pack_version,
            "rule_id": f.rule_id, "requirement": f.requirement, "outcome": f.outcome, "severity": f.severity,
            "file": f.file, "line": f.line, "column": f.column, "pointer": f.pointer, "target": f.target,
            "observed": observed, "message": f.message, "remediation": f.remediation,
            "waiver": f.waiver.id if f.waiver is not None else "", "fingerprint": f.fingerprint,
            "baseline": f.baseline or ""}


def _rows(path: str, result: Result) -> list[dict[str, Any]]:
    rows = [_row(path, result.project.name, f) for f in result.findings]
    if result.baseline is not None:
        rows += [dict(_row(path, result.project.name, f), baseline="fixed") for f in result.baseline.fixed]
    return rows


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    import pandas as pd
    return pd.DataFrame(rows, columns=columns).to_csv(index=False, lineterminator="\n")


def render(result: Result) -> str:
    return _csv(_rows(".", result), COLUMNS + (["baseline"] if result.baseline is not None else []))
