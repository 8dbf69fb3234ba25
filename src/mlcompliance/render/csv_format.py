"""CSV of every finding (one row each), for spreadsheets and BI tools.

With a baseline (``check --baseline``) a ``baseline`` column says new / recurring for problem
findings, and the baseline's fixed findings follow as rows marked ``fixed``.

Every cell is safe to open in a spreadsheet (OWASP, "CSV Injection"): every field is quoted
(``csv.QUOTE_ALL``), so a CR or LF inside a value stays inside its cell and can never start a
row; control and direction characters are made visible (``common.visible``; LF is kept, inside
the quotes); and a cell that starts with ``=``, ``+``, ``-``, ``@``, TAB, CR or LF gets a single
quote in front (``'=HYPERLINK(...)``), so no spreadsheet evaluates it as a formula. A cell that
is exactly a decimal number (``-0.25``, ``-3``, ``-1e-05``) is left alone: spreadsheets read it as
a number, not a formula, and a negative metric must stay a number. Written with the standard
library's csv module (no pandas), ``\\n`` line ends.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any

from mlcompliance.engine.findings import thaw
from mlcompliance.render.common import visible
from mlcompliance.result.model import Finding, Result

COLUMNS = ["project", "project_name", "pack", "pack_version", "rule_id", "requirement", "outcome", "severity",
           "file", "line", "column", "pointer", "target", "observed", "message", "remediation", "waiver",
           "fingerprint"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
"""First characters that make a spreadsheet read a cell as a formula (OWASP), plus LF."""

_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

INPUT_ERROR_RULE = "mlcompliance/input-error"
"""The rule id under which a project that could not be loaded is reported (every CI format)."""


def safe_cell(value: Any) -> str:
    """One cell's text, neutralised: visible controls, a quote before a formula start."""
    if value is None:
        return ""
    raw = value if isinstance(value, str) else str(value)
    text = visible(raw)
    if raw.startswith(FORMULA_START) and not _NUMBER.fullmatch(raw):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV: every field quoted and neutralised (the single-project and portfolio CSV)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


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


def error_row(failure: Any) -> dict[str, Any]:
    """The row of a project that could not be loaded (a ``render.failure.Failure``): outcome
    ``error`` at the file and line of the input error."""
    return {**dict.fromkeys(COLUMNS, ""), "project": failure.path, "rule_id": INPUT_ERROR_RULE,
            "outcome": "error", "file": failure.file, "line": failure.line or "", "message": failure.message,
            "remediation": "Correct the input at this location; the project was not checked."}


def render(result: Result) -> str:
    columns = COLUMNS + (["baseline"] if result.baseline is not None else [])
    return csv_text([columns, *([row[c] for c in columns] for row in _rows(".", result))])
